"""Inputs made to exhaust the checker: 8 MiB files (the largest read) of the shapes that cost the most.
Each command runs in a subprocess that reports its own peak memory; all must stay under 256 MiB and
finish in seconds, with diagnostics, never an internal error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policyc.source import MAX_FILE_BYTES
from tests.conftest import REPO

SIZE = MAX_FILE_BYTES - 64
PEAK_MIB = 256
SECONDS = 20  # each takes one or two; the bound is for a loaded CI machine

# VmHWM: the peak of this process's own memory (ru_maxrss would count the parent's at the fork).
_MEASURE = ("import sys\nfrom policyc.cli import main\ncode = main(sys.argv[1:])\n"
            "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
            "print(status, code, file=sys.stderr)\n")


def fill(head: str, unit: str, tail: str = "") -> str:
    return head + unit * ((SIZE - len(head) - len(tail)) // len(unit)) + tail


HOSTILE = {
    "unterminated_string": fill('controller c "', "A", "\n"),
    "many_small_tokens": fill("controller c {\n  x ", "a ", "\n}\n"),
    "comment_lines": fill("", "# c\n"),
    "empty_lines": fill("", "\n"),
    "nested_declarations": fill("controller c {\n", "  data d {\n"),
    "broken_statements": fill("controller c {\n", "x ) ;", "}\n"),
}


def run(*args: str) -> tuple[int, int, str]:
    result = subprocess.run([sys.executable, "-c", _MEASURE, *args], cwd=REPO, capture_output=True, text=True,
                            timeout=SECONDS)
    peak, code = result.stderr.strip().splitlines()[-1].split()
    return int(code), int(peak) // 1024, result.stderr


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_is_bounded(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.policy"
    path.write_text(HOSTILE[name], encoding="utf-8")
    code, peak, err = run("check", "--statistics", str(path))
    assert code in (0, 1) and "internal error" not in err, err[-2000:]
    assert peak < PEAK_MIB, f"{name}: {peak} MiB"


@pytest.mark.parametrize("command", [("fmt", "--check"), ("diff",)])
def test_fmt_and_diff_are_bounded(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "tokens.policy"
    path.write_text(HOSTILE["many_small_tokens"], encoding="utf-8")
    paths = [str(path), str(path)] if command == ("diff",) else [str(path)]
    code, peak, err = run(*command, *paths)
    assert code in (0, 1, 2) and "internal error" not in err, err[-2000:]
    assert peak < PEAK_MIB, f"{command}: {peak} MiB"
