"""The example in docs/testing.md works: its code blocks run, and the tests they define pass."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def test_the_documented_example_runs_and_passes() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks, "docs/testing.md has no Python example"
    namespace: dict[str, Any] = {"__name__": "docs_testing_example"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    tests = [value for key, value in namespace.items() if key.startswith("test_") and callable(value)]
    assert tests, "the example defines no test"
    for test in tests:
        test()


def test_the_documented_strategies_exist() -> None:
    import policyc.testing as testing

    # Every `name(` the page shows, but for the properties written as formulas: parse(print(...)), fmt(...).
    documented = set(re.findall(r"`([a-z_]+)\(", DOC.read_text(encoding="utf-8"))) - {"parse", "print", "fmt"}
    places = (testing, testing.trees, testing.Vocabulary)
    missing = sorted(n for n in documented if not any(hasattr(place, n) for place in places))
    assert not missing, missing
