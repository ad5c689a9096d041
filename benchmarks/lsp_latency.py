"""How long the language server takes to have diagnostics after a one-character change in a 1,000-line
document, as a ratio to Lark's bare LALR parse of the same text (measured in the same process).

    python -m benchmarks.lsp_latency            # prints a Markdown table; budget: 50 ms (ARCHITECTURE.md)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from benchmarks.generate import policy_text


def best_of(function: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from policyc.lsp.analysis import check_document
    from policyc.parser import build_lark

    text = policy_text(1000)
    lark = build_lark(transformer=False)
    edited = text.replace('"Purpose number 7"', '"Purpose number 77"', 1)
    check_document(text, "bench.policy", None)  # warm: the standard library is parsed once per process
    floor = best_of(lambda: lark.parse(edited, start="start"))
    check = best_of(lambda: check_document(edited, "bench.policy", None))
    lines = text.count("\n")
    print("| document | Lark bare parse | diagnostics after a change | ratio | budget |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| {lines} lines | {floor * 1000:.1f} ms | {check * 1000:.1f} ms | {check / floor:.2f}x | 50 ms |")


if __name__ == "__main__":
    main()
