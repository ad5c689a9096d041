"""Peak memory per stage, and of whole commands on the worst inputs found (docs/robustness.md).

    python -m benchmarks --memory-only    # this section alone, written into benchmarks/results.md

Stages are measured in this process with tracemalloc (the peak of Python allocations during the
stage, the input already in memory); commands in a subprocess each, as the peak resident set size
the OS reports (the interpreter and policyc's modules included).
"""

from __future__ import annotations

import gc
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from benchmarks.generate import policy_text
from policyc.source import MAX_FILE_BYTES

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[1]
HOSTILE_BYTES = MAX_FILE_BYTES - 64  # the largest file policyc reads, less a little
# VmHWM: the peak of this process's own memory (ru_maxrss would count the parent's at the fork).
MEASURE = ("import sys\nfrom policyc.cli import main\ncode = main(sys.argv[1:])\n"
            "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
            "print(status, code, file=sys.stderr)\n")


def _fill(head: str, unit: str, tail: str = "") -> str:
    return head + unit * ((HOSTILE_BYTES - len(head) - len(tail)) // len(unit)) + tail


HOSTILE = {
    "one unterminated string": _fill('controller c "', "A", "\n"),
    "one declaration of small tokens": _fill("controller c {\n  x ", "a ", "\n}\n"),
    "comment lines": _fill("", "# c\n"),
    "empty lines": _fill("", "\n"),
    "unclosed nested declarations": _fill("controller c {\n", "  data d {\n"),
    "broken statements on one line": _fill("controller c {\n", "x ) ;", "}\n"),
    "a number of 4,301 digits": "purpose p {\n  retain " + "9" * 4301 + " years\n}\n",
}


def stage_peak(function: Callable[[], T]) -> tuple[float, T]:
    """Peak MiB allocated while `function` runs, and its result."""
    gc.collect()
    tracemalloc.start()
    try:
        result = function()
        return tracemalloc.get_traced_memory()[1] / 1048576, result
    finally:
        tracemalloc.stop()


def measured_run(args: list[str], timeout: float) -> tuple[int, float, float, str]:
    """`policyc ARGS` in a fresh process: its exit code, peak resident MiB, seconds and standard error."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEASURE, *args], cwd=REPO, capture_output=True, text=True,
                            timeout=timeout)
    seconds = time.perf_counter() - start
    peak, code = result.stderr.strip().splitlines()[-1].split()
    return int(code), int(peak) / 1024, seconds, result.stderr


def command_peak(args: list[str]) -> tuple[float, float]:
    """Peak resident MiB and seconds of `policyc ARGS` in a fresh process."""
    _, peak, seconds, _ = measured_run(args, timeout=300)
    return peak, seconds


def memory_section(sizes: list[int]) -> list[str]:
    from policyc.backends import BACKENDS, BuildContext
    from policyc.driver import check_text
    from policyc.fmt import format_text
    from policyc.parser import parse_text

    out = ["## Memory", "",
           "Peak memory of each stage (tracemalloc: Python allocations during the stage, the text already "
           "in memory).", "",
           "| lines | bytes | parse | check (parse to rules) | fmt | md | html | json |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for size in sizes:
        text = policy_text(size)
        parse, _ = stage_peak(partial(parse_text, text, "m.policy"))
        check, result = stage_peak(partial(check_text, text, "m.policy"))
        fmt, _ = stage_peak(partial(format_text, text, "m.policy"))
        model = result.models["m.policy"]
        # A fresh context for each: a build's context keeps the composed notice for its other backends.
        renders = [stage_peak(partial(BACKENDS[name].render, model, BuildContext(stem="m", source="m.policy")))[0]
                   for name in ("md", "html", "json")]
        cells = " | ".join(f"{value:.1f} MiB" for value in (parse, check, fmt, *renders))
        out.append(f"| {text.count(chr(10))} | {len(text.encode()):,} | {cells} |")
    out += ["", "Whole commands on the worst inputs found (each 8 MiB, the largest file read, but the last): "
            "peak resident memory of the process, the interpreter included, and wall time.", "",
            "| input | `check` | `fmt --check` |", "| --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as folder:
        for name, text in HOSTILE.items():
            path = Path(folder) / "hostile.policy"
            path.write_text(text, encoding="utf-8")
            check_mib, check_s = command_peak(["check", "--statistics", str(path)])
            fmt_mib, fmt_s = command_peak(["fmt", "--check", str(path)])
            out.append(f"| {name} | {check_mib:.0f} MiB, {check_s:.1f} s | {fmt_mib:.0f} MiB, {fmt_s:.1f} s |")
    return [*out, ""]


def write_section(results: Path, section: list[str]) -> None:
    """Put the section into results.md in place of an older one (or at the end)."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    lines = text.split("\n")
    if "## Memory" in lines:
        start = lines.index("## Memory")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = section
    else:
        while lines and not lines[-1]:
            lines.pop()
        lines = [*lines, "", *section] if lines else section
    results.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
