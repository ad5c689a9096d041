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


def process_time(args: list[str], runs: int = 5) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return median_time(lambda: subprocess.run(args, cwd=REPO, env=env, capture_output=True, check=False), runs)


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
                      "Fresh run of `python -m benchmarks`; times are medians (the scaling table: of 5 runs "
                      "of each size, in rounds over all sizes). policyc pauses the cyclic garbage collector "
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
    context = BuildContext(stem="b", source="b.policy")
    out += [f"## Stages of a check of {lines} lines", "",
            "| stage | time | ratio to the floor |", "| --- | --- | --- |",
            f"| Lark bare LALR parse (floor) | {floor * 1000:.1f} ms | 1.00x |",
            f"| our parse (lex, split, parse, syntax tree) | {parse * 1000:.1f} ms | {parse / floor:.2f}x |"]
    for name in ("resolve", "typecheck", "model", "rules", "config"):
        seconds = profile.seconds.get(name, 0.0) / 7
        out.append(f"| {name} | {seconds * 1000:.1f} ms | {seconds / floor:.2f}x |")
    out.append(f"| **whole check** (parse + resolve + check) | **{check * 1000:.1f} ms** | **{check / floor:.2f}x** |")
    for name, backend in BACKENDS.items():
        seconds = median_time(lambda backend=backend: backend.render(model, context), 5)  # type: ignore[misc]
        out.append(f"| backend `{name}` | {seconds * 1000:.1f} ms | {seconds / floor:.2f}x |")
    out.append("")
    budgets.append(("whole check <= 2.5x Lark's bare parse", f"{check / floor:.2f}x", check / floor <= 2.5))
    budgets.append((f"a {lines}-line policy checks in-process in < 100 ms", f"{check * 1000:.1f} ms", check < 0.1))

    # -- the peer -------------------------------------------------------------------------------------
    manifest = fides_yaml(1000)
    peer = median_time(fides_load(manifest), 7)
    workspace = Workspace()
    workspace.check_text(text, "b.policy")
    edits = [text.replace(f'"Purpose number {i}"', f'"Purpose number {i}!"', 1) for i in range(7)]
    warm_times = []
    for edited in edits:
        start = time.perf_counter()
        workspace.check_text(edited, "b.policy")
        warm_times.append(time.perf_counter() - start)
        workspace.check_text(text, "b.policy")
    warm = statistics.median(warm_times)
    out += ["## The peer: fideslang", "",
            f"The generator writes the equivalent fides manifest ({manifest.count(chr(10))} lines of YAML, the same "
            "data sets, recipients, purposes and cookies; see `benchmarks/generate.py`); fideslang loads it with "
            "PyYAML's C loader and validates it with its pydantic models (`Taxonomy`).", "",
            "| | time | ratio to fideslang |", "| --- | --- | --- |",
            f"| fideslang load + validate | {peer * 1000:.1f} ms | 1.00x |",
            f"| our cold check (fresh `Workspace`) | {check * 1000:.1f} ms | {check / peer:.2f}x |",
            f"| our warm re-check after a one-character edit | {warm * 1000:.1f} ms | {warm / peer:.2f}x |", ""]
    budgets.append(("cold check loses to fideslang by at most 3x", f"{check / peer:.2f}x", check / peer <= 3))
    budgets.append(("warm re-check beats fideslang", f"{warm / peer:.2f}x", warm < peer))

    # -- scaling --------------------------------------------------------------------------------------
    out += ["## Scaling", "", "| lines | floor | check | ratio to floor | peak memory | check growth |",
            "| --- | --- | --- | --- | --- | --- |"]
    # Rounds over all sizes, one run of each size per round, then each size's median: every size
    # meets the same moments of a shared machine and has as many runs as the others (a minimum over
    # more runs would favour the small sizes).
    texts = {size: policy_text(size) for size in sizes}
    floor_runs: dict[int, list[float]] = {size: [] for size in sizes}
    check_runs: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(5):
        for size, sized in texts.items():
            gc.collect()
            floor_runs[size].append(_timed(lambda sized=sized: lark.parse(sized, start="start")))  # type: ignore[misc]
            gc.collect()
            check_runs[size].append(_timed(lambda sized=sized: check_text(sized, "s.policy")))  # type: ignore[misc]
    floors = {size: statistics.median(times) for size, times in floor_runs.items()}
    checks = {size: statistics.median(times) for size, times in check_runs.items()}
    previous: float | None = None
    growths: list[float] = []
    for size, sized in texts.items():
        size_floor, size_check = floors[size], checks[size]
        memory = peak_memory(lambda sized=sized: check_text(sized, "s.policy"))  # type: ignore[misc]
        growth = f"{size_check / previous:.1f}x" if previous else ""
        if previous:
            growths.append(size_check / previous)
        previous = size_check
        out.append(f"| {sized.count(chr(10))} | {size_floor * 1000:.0f} ms | {size_check * 1000:.0f} ms | "
                   f"{size_check / size_floor:.2f}x | {memory / 1048576:.1f} MiB | {growth} |")
    out.append("")
    if growths:
        budgets.append(("10x the declarations, at most 11x the time",
                        ", ".join(f"{g:.1f}x" for g in growths), all(g <= 11 for g in growths)))

    # -- start-up -------------------------------------------------------------------------------------
    sample = REPO / "benchmarks" / ".start-up.policy"
    sample.write_text(policy_text(300), encoding="utf-8")
    # As installed: pip byte-compiles a package, so the processes must not compile policyc each time
    # (they would where PYTHONDONTWRITEBYTECODE is set and nothing was compiled yet).
    compileall.compile_dir(str(REPO / "policyc"), quiet=1)
    try:
        python = process_time([sys.executable, "-c", "pass"])
        version = process_time([sys.executable, "-m", "policyc", "--version"])
        cli_check = process_time([sys.executable, "-m", "policyc", "check", str(sample)])
    finally:
        sample.unlink()
    out += ["## Command-line start-up (process start to exit)", "", "| command | time |", "| --- | --- |",
            f"| `python -c pass` | {python * 1000:.0f} ms |", f"| `policyc --version` | {version * 1000:.0f} ms |",
            f"| `policyc check` (300 lines) | {cli_check * 1000:.0f} ms |", ""]
    budgets.append(("`policyc check` of a typical policy returns in < 0.5 s", f"{cli_check * 1000:.0f} ms",
                    cli_check < 0.5))

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
