"""`policyc build -j N`: the files are checked and their notices rendered in N worker processes; the
parent puts the outputs in place all at once, as a build in one process does.

Each worker takes a run of consecutive files, checks them (with whatever they import) and, when its
files have no errors, renders their notices and stages them: each output is written in full to a
temporary file beside its target (`policyc.writer.stage_all`). It sends back the diagnostics (with
the sources they point into), the staged files, the targets, the notes, the index entries and what
the skipped-file note needs. The parent merges the parts in the order of the files, so the outputs,
the notes and the index are those of a build in one process, and renames every staged file over its
target only when every part succeeded; otherwise it removes them, and nothing is written. A problem
that stops a build (a name two notices would both write, a format that cannot be made, a file that
cannot be written) is reported for the first file it concerns.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from policyc.backends import BACKENDS
from policyc.build import (
    BuildError,
    BuildResult,
    Rendered,
    _histories,
    check_previous,
    claim,
    render_notices,
    site_outputs,
)
from policyc.diagnostics.model import Diagnostic, Severity
from policyc.driver import CheckResult, check_files
from policyc.profile import stage
from policyc.records import field, record
from policyc.resolver import Program
from policyc.source import Source
from policyc.writer import Staged, commit, discard, stage_all


@record(frozen=True)
class _Task:
    """One worker's share of a build: the files, and the options of the build."""

    files: tuple[str, ...]
    out_dir: Path
    formats: tuple[str, ...]
    templates: Path | None
    strict: bool
    previous: str | None
    trace: bool
    folders: tuple[Path, ...]


@record
class _Part:
    """What a worker sends back about its files."""

    diagnostics: list[Diagnostic]
    sources: dict[str, Source]  # the files the diagnostics point into
    rendered: Rendered | None = None  # None when its files have errors (or warnings, with --strict)
    problem: BuildError | None = None  # what stopped its part of the build
    notices: int = 0
    no_policy: list[str] = field(default_factory=list)  # files checked that declare no `policy`
    imported: set[str] = field(default_factory=set)  # files whose declarations a notice uses (resolved paths)
    # The notices' outputs, staged beside their targets (`rendered.outputs` is then empty), and their
    # targets in the order the notices wrote them; or the error that kept them from being staged.
    staged: Staged | None = None
    targets: list[Path] = field(default_factory=list)
    write_error: OSError | None = None


def _work(task: _Task) -> _Part:
    files = [Path(f) for f in task.files]
    result = check_files(files)
    part = _Part(result.diagnostics, _sources_of(result))
    if result.errors or (task.strict and result.warnings):
        return part
    notices = [p for p in files if (m := result.models.get(str(p))) is not None and m.policy is not None]
    part.notices = len(notices)
    part.no_policy = [str(p) for p in files if (m := result.models.get(str(p))) is not None and m.policy is None]
    # By resolved path: a file imported by a notice carries the path it was imported by (relative to
    # the working folder), not the one it was named by.
    part.imported = {str(Path(name).resolve()) for name in
                     {t.decl.span.file for m in result.models.values() if m.policy is not None for t in m.typed}
                     if not name.startswith("<")}
    try:
        histories = _histories(notices, result, task.previous, whole_build=False) if task.previous else {}
        part.rendered = render_notices(files, result, task.out_dir, task.formats, task.templates, histories,
                                       task.trace, task.folders)
    except BuildError as err:
        part.problem = err
        return part
    # Written here, in parallel, rather than sent to the parent and written there one file after another.
    part.targets = list(part.rendered.outputs)
    try:
        part.staged = stage_all(sorted(part.rendered.outputs.items()))
    except OSError as err:
        part.write_error = err
    part.rendered.outputs = {}
    return part


def _sources_of(result: CheckResult) -> dict[str, Source]:
    files = {d.span.file for d in result.diagnostics} | {
        label.span.file for d in result.diagnostics for label in d.labels}
    return {name: source for name, source in result.sources.items() if name in files}


# Runs per worker, at most: each run costs one round trip (a millisecond or two), and short last runs
# make the workers finish together (with 8, the last runs of 200 notices were of 7 and 5 notices, and
# one worker waited some 40 ms for the other; with 32 they are of 2 and 1: 1% to 3% faster).
RUNS_PER_JOB = 32


def _runs(files: Sequence[Path], jobs: int) -> list[tuple[str, ...]]:
    """The files in runs of consecutive files, the longest first. A worker that finishes a run takes
    the next one. Each run holds 1/(2 * jobs) of the files not yet given out (a quarter, for two
    workers), so the last runs are short and the workers finish close together, even when one was
    slowed down; no run but the last is shorter than a sixty-fourth of a worker's share, which keeps
    the round trips few."""
    total = len(files)
    shortest = max(1, -(-total // (2 * jobs * RUNS_PER_JOB)))
    runs: list[tuple[str, ...]] = []
    start = 0
    while start < total:
        size = max(shortest, -(-(total - start) // (2 * jobs)))
        runs.append(tuple(str(f) for f in files[start:start + size]))
        start += size
    return runs


def build_in_parallel(paths: Sequence[str], files: Sequence[Path], out_dir: Path, formats: Sequence[str],
                      templates: Path | None, strict: bool, previous: str | None, trace: bool,
                      jobs: int) -> BuildResult:
    folders = tuple(Path(p).resolve() for p in paths if Path(p).is_dir())
    tasks = [_Task(run, out_dir, tuple(formats), templates, strict, previous, trace, folders)
             for run in _runs(files, jobs)]
    # Forked workers start with what this process has loaded (policyc, the standard library). The
    # backends are loaded here first: the parent renders the folder's index with the HTML one, and
    # each worker would otherwise load them all again (Jinja and PyYAML among them).
    for name in formats:
        BACKENDS[name].load()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with stage("workers"), ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        parts = _gathered([pool.submit(_work, task) for task in tasks])
    staged = [p.staged for p in parts if p.staged is not None]
    committed = False
    try:
        result = _finish(parts, files, out_dir, formats, templates, strict, previous, folders, staged)
        committed = bool(result.written)
        return result
    finally:
        if not committed:
            discard(staged)


def _gathered(futures: list[Future[_Part]]) -> list[_Part]:
    """Every worker's part, in order. When a worker failed, the files the others staged are removed
    before its error is raised."""
    failure: BaseException | None = None
    parts: list[_Part] = []
    for future in futures:
        error = future.exception()
        if error is None:
            parts.append(future.result())
        elif failure is None:
            failure = error
    if failure is not None:
        discard([p.staged for p in parts if p.staged is not None])
        raise failure
    return parts


def _finish(parts: list[_Part], files: Sequence[Path], out_dir: Path, formats: Sequence[str], templates: Path | None,
            strict: bool, previous: str | None, folders: tuple[Path, ...], staged: list[Staged]) -> BuildResult:
    """The build's result from the workers' parts; the staged files are put in place when it succeeds."""
    diagnostics = sorted({(d.code, d.span, d.message): d for p in parts for d in p.diagnostics}.values(),
                         key=Diagnostic.sort_key)
    sources: dict[str, Source] = {}
    for part in parts:
        sources.update(part.sources)
    check = CheckResult(Program(), diagnostics, sources, [str(f) for f in files])
    if check.errors or (strict and any(d.severity is Severity.WARNING for d in diagnostics)):
        return BuildResult(check, [])
    if previous:
        check_previous(previous, sum(p.notices for p in parts))
    for part in parts:
        if part.problem is not None:
            raise part.problem
    rendered = Rendered()
    targets: set[Path] = set()
    for part in parts:
        assert part.rendered is not None
        for target in part.targets:
            claim(targets, target)
            targets.add(target)
        rendered.extend(part.rendered)
    for part in parts:
        if part.write_error is not None:
            raise part.write_error
    with stage("write"):
        own = site_outputs(rendered, out_dir, formats, templates, folders, targets)
        staged.append(stage_all(sorted(own.items())))
        files_in_order = sorted((file for each in staged for file in each.files), key=lambda file: file[1])
        commit([Staged(files_in_order)])
    imported = set().union(*(p.imported for p in parts))
    no_policy = {name for p in parts for name in p.no_policy}
    skipped = [f for f in files if str(f) in no_policy and str(f.resolve()) not in imported]
    return BuildResult(check, sorted([*targets, *own]), skipped, rendered.notes)
