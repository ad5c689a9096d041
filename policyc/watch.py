"""`policyc check --watch`: check, then check again each time a checked file changes.

Changes are found by polling (every `POLL_SECONDS`) the modification time and size of the files
named, every `*.policy` under the folders named (so a new file is seen), and every file they import.
The checks share one `Workspace`, so a check after an edit parses only the declarations that changed.
Ctrl-C ends the watch with exit code 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from policyc.driver import CheckResult, Workspace, discover
from policyc.profile import Profile, profiling, stage

POLL_SECONDS = 0.25

Snapshot = dict[str, tuple[int, int]]


def snapshot(paths: list[str], imported: list[Path]) -> Snapshot:
    """The modification time and size of every file a check depends on, by path."""
    found: list[Path] = list(imported)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(path.rglob("*.policy"))
        else:
            found.append(path)
    out: Snapshot = {}
    for path in found:
        try:
            info = path.stat()
        except OSError:
            continue  # missing now: its absence is the state to compare
        out[str(path)] = (info.st_mtime_ns, info.st_size)
    return out


def _imported_files(result: CheckResult) -> list[Path]:
    return [Path(key) for key, module in result.program.modules.items()
            if not module.stdlib and not module.source.path.startswith("<")]


def watch(args: argparse.Namespace, report: Callable[[argparse.Namespace, CheckResult], int]) -> int:
    """Check `args.paths` and print the diagnostics with `report`, again after every change."""
    from policyc.config import ConfigError, config_for_folder
    from policyc.source import SourceError

    workspace = Workspace()
    try:
        while True:
            imported: list[Path] = []
            profile = Profile()
            before = snapshot(args.paths, imported)
            with profiling(profile), stage("start-up and other"):
                try:
                    config_for_folder.cache_clear()  # policyc.toml may have changed too
                    files = discover(args.paths)
                    if files:
                        result = workspace.check_files(files)
                        imported = _imported_files(result)
                        report(args, result)
                    else:
                        print(f"policyc: no .policy files in {' '.join(args.paths)}", file=sys.stderr)
                except (SourceError, ConfigError) as err:
                    print(f"policyc: {err}", file=sys.stderr)
            if args.profile:
                sys.stderr.write(profile.render())
            print(f"policyc: watching {len(before)} files for changes (Ctrl-C to stop)", file=sys.stderr,
                  flush=True)
            before = snapshot(args.paths, imported)
            while snapshot(args.paths, imported) == before:
                time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        print("policyc: stopped watching", file=sys.stderr)
        return 0
