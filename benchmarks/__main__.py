"""`python -m benchmarks`: every budget of the architecture, measured in one process and one run.

    python -m benchmarks                 # prints Markdown and writes benchmarks/results.md
    python -m benchmarks --sizes 1000,10000 --no-write
    python -m benchmarks --memory-only   # the memory section alone (benchmarks/memory.py)

Times are medians; the reference for ratios (Lark's bare LALR parse of the same text, with positions,
into a tree) is measured in the same run, so ratios hold across machines better than times do.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import fides_yaml, policy_text

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


# The scaling table: rounds of checks at every size (each growth is the median of nine ratios), and of
# the floor (Lark's parse, not part of any ratio of a budget, and three times as long as the check).
SCALING_ROUNDS = 9
FLOOR_ROUNDS = 5


def shown(ratio: float, limit: float, digits: int = 2) -> str:
    """A budget's ratio with `digits` decimals, or with more when that many would show the limit itself:
    1.697 against at least 1.7 reads 1.697x, not a 1.70x that missed."""
    while digits < 4 and ratio != limit and round(ratio, digits) == round(limit, digits):
        digits += 1
    return f"{ratio:.{digits}f}x"


def _timed(function: Callable[[], object]) -> float:
    """Seconds until `function` returns (its result is freed after the clock stops, as a caller that
    uses the result would free it later)."""
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    del result
    return seconds


def median_time(function: Callable[[], object], runs: int) -> float:
    return statistics.median(_timed(function) for _ in range(runs))


class Paired:
    """Our times and the peer's, taken in turns (one of ours, then one of the peer's): on a shared machine
    whose speed drifts from one moment to the next, each pair meets the same moment, and the median of
    the pairs' ratios compares the two at equal speed (medians taken apart can fall on a fast spell for
    one and a slow one for the other). Each run starts after a full garbage collection, so that neither
    pays for collecting what the other left."""

    def __init__(self, peer: Callable[[], object]) -> None:
        self.peer = peer
        self.ours: list[float] = []
        self.theirs: list[float] = []

    def measure(self, function: Callable[[], object]) -> None:
        """Time one of our runs, then one of the peer's."""
        gc.collect()
        self.add(_timed(function))

    def add(self, seconds: float) -> None:
        """One of our times (measured elsewhere: the editor's loop); the peer runs once at once."""
        self.ours.append(seconds)
        gc.collect()
        self.theirs.append(_timed(self.peer))

    @property
    def ratio(self) -> float:
        return statistics.median(a / b for a, b in zip(self.ours, self.theirs, strict=True))

    @property
    def median(self) -> float:
        return statistics.median(self.ours)

    @property
    def peer_median(self) -> float:
        return statistics.median(self.theirs)


def peak_memory(function: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1048576:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.2f} at the start"
    return (f"{cpu}, {os.cpu_count()} cores{memory}{load}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def fides_load(text: str) -> Callable[[], object]:
    import yaml
    from fideslang.models import Taxonomy

    def load() -> object:
        return Taxonomy.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))

    return load


def process(args: list[str]) -> Callable[[], object]:
    """A function that runs `args` as a process, from the repository, and waits for it."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return lambda: subprocess.run(args, cwd=REPO, env=env, capture_output=True, check=False)


def process_time(args: list[str], runs: int = 5) -> float:
    return median_time(process(args), runs)


def paired_processes(ours: list[str], peer: list[str], rounds: int) -> Paired:
    """`ours` and `peer` run in turns, `rounds` times each: the ratio of the two is the median of the
    pairs' ratios (see `Paired`)."""
    pairs = Paired(process(peer))
    for _ in range(rounds):
        pairs.measure(process(ours))
    return pairs


def python_modules_of_a_check(policy: Path) -> list[str]:
    """The top-level modules of Python's standard library that `policyc check POLICY` imports, beyond
    those of a bare start: a floor under the start-up of any check written in Python with these modules."""
    probe = ("import io, sys\nbare = set(sys.modules)\nfrom policyc.cli import main\nsys.stdout = io.StringIO()\n"
             f"main(['check', {str(policy)!r}])\nsys.stdout = sys.__stdout__\n"
             "print(' '.join(sorted(m for m in set(sys.modules) - bare\n"
             "                      if m.split('.')[0] in sys.stdlib_module_names)))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.split()


def _memory_folder() -> str | None:
    """A folder in memory (Linux's /dev/shm) when there is one: the builds then time policyc, not the
    disk. On a virtual disk that writes each file through, writing a build's 1,000 files took from
    0.4 to 1.4 s from one run to the next, in both `-j 1` and `-j 2`."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def build_section(text: str, budgets: list[tuple[str, str, bool]]) -> list[str]:
    """`policyc build` (all default formats) against `policyc check` of the same 1,000-line policy, as
    processes; and `build -j 2` against `-j 1` over 200 notices."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="policyc-bench-", dir=_memory_folder()))
    try:
        single = folder / "notice.policy"
        single.write_text(text, encoding="utf-8")
        lines = text.count("\n")
        python = [sys.executable, "-m", "policyc"]
        process_time([*python, "check", str(single)], 1)  # the standard library's cache
        process_time([*python, "build", str(single), "-o", str(folder / "out")], 1)  # the templates' cache
        single_build = paired_processes([*python, "build", str(single), "-o", str(folder / "out")],
                                        [*python, "check", str(single)], 9)
        check, build = single_build.peer_median, single_build.median
        many = folder / "many"
        many.mkdir()
        notice = policy_text(100)
        for index in range(200):
            (many / f"notice_{index:03}.policy").write_text(notice, encoding="utf-8")
        # In rounds (-j 1, then -j 2), so that both meet the same moments of a shared machine.
        commands = {jobs: [*python, "build", "-j", str(jobs), str(many), "-o", str(folder / f"j{jobs}")]
                    for jobs in (1, 2)}
        for command in commands.values():
            process_time(command, 1)  # the first run writes new files
        jobs = paired_processes(commands[1], commands[2], 9)
        one, two = jobs.median, jobs.peer_median
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    budgets.append((f"`policyc build` (default formats) of {lines} lines <= 2x `policyc check`",
                    shown(single_build.ratio, 2), single_build.ratio <= 2))
    budgets.append(("`policyc build -j 2` over 200 notices: speed-up over `-j 1` >= 1.7x",
                    shown(jobs.ratio, 1.7), jobs.ratio >= 1.7))
    return ["## Build", "",
            "As processes, process start to exit (`build` writes md, html, json, dpv and fides; "
            + ("into a folder in memory, /dev/shm" if str(folder).startswith("/dev/shm") else "onto the disk")
            + "). Each pair of commands runs in turns; the ratio is the median of the pairs' ratios.", "",
            "| command | time | ratio |", "| --- | --- | --- |",
            f"| `policyc check` ({lines} lines) | {check * 1000:.0f} ms | 1.00x |",
            f"| `policyc build` ({lines} lines) | {build * 1000:.0f} ms | {single_build.ratio:.2f}x |",
            f"| `policyc build -j 1`, 200 notices of {notice.count(chr(10))} lines | {one:.2f} s | 1.00x |",
            f"| `policyc build -j 2`, the same | {two:.2f} s | {jobs.ratio:.2f}x faster |", ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="policy sizes in lines (default: %(default)s)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/results.md alone")
    parser.add_argument("--memory-only", action="store_true",
                        help="measure only the memory section and write it into benchmarks/results.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    from benchmarks.memory import memory_section, write_section

    if args.memory_only:
        section = memory_section(sizes)
        print("\n".join(section))
        if not args.no_write:
            write_section(HERE / "results.md", section)
        return 0

    from policyc.backends import BACKENDS, BuildContext
    from policyc.driver import Workspace, check_text
    from policyc.lsp.analysis import check_document
    from policyc.parser import build_lark, parse_text
    from policyc.profile import Profile, profiling

    lark = build_lark(transformer=False)
    out: list[str] = ["# Benchmark results", "", f"Machine: {machine()}.", "",
                      "Fresh run of `python -m benchmarks`; times are medians (the scaling table: of "
                      f"{SCALING_ROUNDS} checks and {FLOOR_ROUNDS} floors of each size, in rounds over all "
                      "sizes). policyc pauses the cyclic garbage collector "
                      "during a check (see docs/performance.md). The floor is Lark's bare LALR "
                      "parse (with positions) of the same text into a tree.", ""]
    budgets: list[tuple[str, str, bool]] = []
    check_text(policy_text(100), "warm.policy")  # the standard library is parsed and checked once per process

    # -- stages at 1,000 lines ----------------------------------------------------------------------------
    text = policy_text(1000)
    lines = text.count("\n")
    floor = median_time(lambda: lark.parse(text, start="start"), 7)
    parse = median_time(lambda: parse_text(text, "b.policy"), 7)
    check = median_time(lambda: check_text(text, "b.policy"), 7)
    profile = Profile()
    with profiling(profile):
        for _ in range(7):
            result = check_text(text, "b.policy")
    model = result.models["b.policy"]
    out += [f"## Stages of a check of {lines} lines", "",
            "| stage | time | ratio to the floor |", "| --- | --- | --- |",
            f"| Lark bare LALR parse (floor) | {floor * 1000:.1f} ms | 1.00x |",
            f"| our parse (lex, split, parse, syntax tree) | {parse * 1000:.1f} ms | {parse / floor:.2f}x |"]
    for name in ("resolve", "typecheck", "model", "rules", "config"):
        seconds = profile.seconds.get(name, 0.0) / 7
        out.append(f"| {name} | {seconds * 1000:.1f} ms | {seconds / floor:.2f}x |")
    out.append(f"| **whole check** (parse + resolve + check) | **{check * 1000:.1f} ms** | **{check / floor:.2f}x** |")
    for name, backend in BACKENDS.items():
        if not backend.default:
            continue  # built on request only; some need what the generated policy does not say
        # A fresh context each time: a build composes a notice once per context and shares it.
        seconds = median_time(lambda backend=backend: backend.render(  # type: ignore[misc]
            model, BuildContext(stem="b", source="b.policy")), 5)
        out.append(f"| backend `{name}` | {seconds * 1000:.1f} ms | {seconds / floor:.2f}x |")
    out.append("")
    budgets.append(("whole check <= 2.5x Lark's bare parse", shown(check / floor, 2.5), check / floor <= 2.5))
    budgets.append((f"a {lines}-line policy checks in-process in < 100 ms", f"{check * 1000:.1f} ms", check < 0.1))

    # -- the peer -------------------------------------------------------------------------------------
    manifest = fides_yaml(1000)
    fides = fides_load(manifest)
    median_time(fides, 3)  # warm up: pydantic builds its validators on first use
    cold = Paired(fides)
    for _ in range(9):
        cold.measure(lambda: check_text(text, "b.policy"))
    workspace = Workspace()
    workspace.check_text(text, "b.policy")
    edits = [text.replace(f'"Purpose number {i}"', f'"Purpose number {i}!"', 1) for i in range(7)]
    warm = Paired(fides)
    for _ in range(2):
        for edited in edits:
            warm.measure(lambda edited=edited: workspace.check_text(edited, "b.policy"))  # type: ignore[misc]
            workspace.check_text(text, "b.policy")
    out += ["## The peer: fideslang", "",
            f"The generator writes the equivalent fides manifest ({manifest.count(chr(10))} lines of YAML, the same "
            "data sets, recipients, purposes and cookies; see `benchmarks/generate.py`); fideslang loads it with "
            "PyYAML's C loader and validates it with its pydantic models (`Taxonomy`). Each of our runs is "
            "followed by one of fideslang's, and the ratio is the median of the pairs' ratios (see "
            "`benchmarks.__main__.Paired`).", "",
            "| | our time | fideslang's | ratio to fideslang |", "| --- | --- | --- | --- |",
            f"| our cold check (fresh `Workspace`) | {cold.median * 1000:.1f} ms | {cold.peer_median * 1000:.1f} ms | "
            f"{cold.ratio:.2f}x |",
            f"| our warm re-check after a one-character edit | {warm.median * 1000:.1f} ms | "
            f"{warm.peer_median * 1000:.1f} ms | {warm.ratio:.2f}x |", ""]
    budgets.append(("cold check loses to fideslang by at most 3x", shown(cold.ratio, 3), cold.ratio <= 3))
    budgets.append(("warm re-check beats fideslang", shown(warm.ratio, 1), warm.ratio < 1))

    # -- scaling --------------------------------------------------------------------------------------
    out += ["## Scaling", "", "| lines | floor | check | ratio to floor | peak memory | check growth |",
            "| --- | --- | --- | --- | --- | --- |"]
    # Rounds over all sizes, one run of each size per round, then each size's median: every size
    # meets the same moments of a shared machine and has as many runs as the others (a minimum over
    # more runs would favour the small sizes). The growth from one size to the next is the median of
    # the rounds' ratios. In each round the checks of the sizes run one after the other, the floors
    # after them, so that the two checks of a ratio are seconds apart, not a six-second floor apart.
    texts = {size: policy_text(size) for size in sizes}
    floor_runs: dict[int, list[float]] = {size: [] for size in sizes}
    check_runs: dict[int, list[float]] = {size: [] for size in sizes}
    for round_ in range(SCALING_ROUNDS):
        for size, sized in texts.items():
            gc.collect()
            check_runs[size].append(_timed(lambda sized=sized: check_text(sized, "s.policy")))  # type: ignore[misc]
        if round_ < FLOOR_ROUNDS:
            for size, sized in texts.items():
                gc.collect()
                floor_runs[size].append(_timed(lambda sized=sized: lark.parse(sized, start="start")))  # type: ignore[misc]
    floors = {size: statistics.median(times) for size, times in floor_runs.items()}
    checks = {size: statistics.median(times) for size, times in check_runs.items()}
    previous: int | None = None
    growths: list[float] = []
    for size, sized in texts.items():
        size_floor, size_check = floors[size], checks[size]
        memory = peak_memory(lambda sized=sized: check_text(sized, "s.policy"))  # type: ignore[misc]
        growth = ""
        if previous is not None:  # the median of each round's ratio, as for the other comparisons
            growths.append(statistics.median(
                a / b for a, b in zip(check_runs[size], check_runs[previous], strict=True)))
            growth = f"{growths[-1]:.1f}x"
        previous = size
        out.append(f"| {sized.count(chr(10))} | {size_floor * 1000:.0f} ms | {size_check * 1000:.0f} ms | "
                   f"{size_check / size_floor:.2f}x | {memory / 1048576:.1f} MiB | {growth} |")
    out.append("")
    if growths:
        budgets.append(("10x the declarations, at most 11x the time",
                        ", ".join(shown(g, 11, 1) for g in growths), all(g <= 11 for g in growths)))

    # -- start-up -------------------------------------------------------------------------------------
    sample = REPO / "benchmarks" / ".start-up.policy"
    sample.write_text(policy_text(300), encoding="utf-8")
    typical = REPO / "benchmarks" / ".typical.policy"
    typical.write_text(policy_text(400), encoding="utf-8")
    # As installed: pip byte-compiles a package, so the processes must not compile policyc each time
    # (they would where PYTHONDONTWRITEBYTECODE is set and nothing was compiled yet).
    compileall.compile_dir(str(REPO / "policyc"), quiet=1)
    try:
        python = process_time([sys.executable, "-c", "pass"])
        version = process_time([sys.executable, "-m", "policyc", "--version"])
        cli_check = process_time([sys.executable, "-m", "policyc", "check", str(sample)])
        # The standard library comes from the cache (policyc.stdlib_cache) after the first run, as for a user.
        process_time([sys.executable, "-m", "policyc", "check", str(typical)], 1)
        # In turns with `python -c pass`, like the comparisons with fideslang: the budget is a ratio.
        startup = paired_processes([sys.executable, "-m", "policyc", "check", str(typical)],
                                   [sys.executable, "-c", "pass"], 15)
        typical_check = startup.median
        python = min(python, startup.peer_median)
        needed = python_modules_of_a_check(typical)
        modules_only = process_time([sys.executable, "-c", f"import {', '.join(needed)}"], 9)
    finally:
        sample.unlink()
        typical.unlink()
    typical_lines = policy_text(400).count("\n")
    out += ["## Command-line start-up (process start to exit)", "",
            "| command | time | ratio to `python -c pass` |", "| --- | --- | --- |",
            f"| `python -c pass` | {python * 1000:.0f} ms | 1.0x |",
            f"| `policyc --version` | {version * 1000:.0f} ms | {version / python:.1f}x |",
            f"| `policyc check` (300 lines) | {cli_check * 1000:.0f} ms | {cli_check / python:.1f}x |",
            f"| `policyc check` ({typical_lines} lines, the standard library from the cache; in turns with "
            f"`python -c pass`, the median of the pairs' ratios) | {typical_check * 1000:.0f} ms | "
            f"{startup.ratio:.1f}x |",
            f"| `python -c \"import ...\"`: the {len(needed)} modules of Python's own that this check imports, "
            f"nothing of policyc's | {modules_only * 1000:.0f} ms | {modules_only / python:.1f}x |", ""]
    budgets.append(("`policyc check` of a typical policy returns in < 0.5 s", f"{cli_check * 1000:.0f} ms",
                    cli_check < 0.5))
    budgets.append((f"`policyc check` of a {typical_lines}-line notice <= 7x `python -c pass` (process wall)",
                    shown(startup.ratio, 7, 1), startup.ratio <= 7))

    # -- the language server --------------------------------------------------------------------------
    lsp_workspace = Workspace()
    check_document(text, "lsp.policy", None, None, lsp_workspace)
    lsp_times = []
    for edited in edits:
        start = time.perf_counter()
        check_document(edited, "lsp.policy", None, None, lsp_workspace)
        lsp_times.append(time.perf_counter() - start)
        check_document(text, "lsp.policy", None, None, lsp_workspace)
    latency = statistics.median(lsp_times)
    out += ["## Language server", "",
            f"Diagnostics of a {lines}-line document after a one-character change in a purpose's title "
            f"(the server's check: parse the touched declaration, resolve, type check, rules): "
            f"**{latency * 1000:.1f} ms** ({latency / floor:.2f}x the floor).", ""]
    budgets.append(("language server diagnostics within 50 ms of a change", f"{latency * 1000:.1f} ms",
                    latency < 0.05))
    from benchmarks.editor import change_latencies, title_edits

    editor = Paired(fides)
    change_latencies(text, title_edits(text, 7), rounds=2, each=editor.add)
    out += ["Through an editor's connection: `policyc lsp` in its own process, the benchmark speaking LSP to it "
            "over its standard input and output (`benchmarks/editor.py`), from sending `didChange` (one character "
            "added to a purpose's title) to reading that version's `publishDiagnostics`, median of "
            f"{len(editor.ours)}: **{editor.median * 1000:.1f} ms** ({editor.ratio:.2f}x fideslang's load + "
            "validate of the equivalent manifest, run after each change).", ""]
    budgets.append(("editor loop (didChange -> publishDiagnostics through a client process) < 50 ms",
                    f"{editor.median * 1000:.1f} ms", editor.median < 0.05))
    budgets.append(("editor loop beats fideslang's load + validate", shown(editor.ratio, 1), editor.ratio < 1))

    # -- build --------------------------------------------------------------------------------------
    out += build_section(text, budgets)

    out += memory_section(sizes)

    table = ["## Budgets (docs/performance.md)", "", "| budget | measured | met |", "| --- | --- | --- |",
             *(f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in budgets), ""]
    report = "\n".join(out[:6] + table + out[6:])
    print(report)
    if not args.no_write:
        (HERE / "results.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
