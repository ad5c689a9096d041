"""Parses running at the same time in several threads: each parse has its own AST builder, so no
parse sees another's file path or diagnostics (the language server parses without a lock)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from policyc.parser import parse_text

REPO = Path(__file__).resolve().parents[2]
FILES = [
    REPO / "tests" / "policies" / "uk_gdpr_complete.policy",
    REPO / "examples" / "infisim" / "privacy.policy",
    *sorted((REPO / "tests" / "cases" / "syntax").glob("*.policy"))[:6],
]


def test_parses_in_threads_equal_parses_one_at_a_time() -> None:
    texts = {f"file{i}.policy": path.read_text(encoding="utf-8") for i, path in enumerate(FILES)}
    expected = {name: parse_text(text, name) for name, text in texts.items()}
    results: dict[tuple[str, int], object] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(len(texts))

    def work(name: str, text: str) -> None:
        try:
            start.wait()
            for round_ in range(5):
                results[(name, round_)] = parse_text(text, name)
        except BaseException as err:  # noqa: BLE001 - reported by the test below
            failures.append(err)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to interleave the parses
    try:
        threads = [threading.Thread(target=work, args=item) for item in texts.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures
    for (name, _), result in results.items():
        assert result == expected[name], name
    assert any(diagnostics for _, diagnostics in expected.values())  # the syntax cases report errors
