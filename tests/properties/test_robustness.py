"""The checker never raises: broken and mutated policies give diagnostics, and the legal rules still run on
whatever parsed.

The Hypothesis tests here shrink a failure to a small input; `test_fuzz_many_inputs` (marked slow,
run by CI too) checks tens of thousands of inputs from the deterministic fuzzer in `fuzz.py`.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import fuzz
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyc.driver import check_text

EXAMPLES = fuzz.EXAMPLES
TEXTS = [path.read_text(encoding="utf-8") for path in EXAMPLES]
FUZZ_SEED = int(os.environ.get("POLICYC_FUZZ_SEED", "20240601"))
FUZZ_INPUTS = int(os.environ.get("POLICYC_FUZZ_INPUTS", "24000"))


def test_legal_findings_survive_a_syntax_error_elsewhere() -> None:
    text = TEXTS[1] + '\ndata broken "Broken" {\n  includes = "x"\n\n'
    codes = {d.code for d in check_text(text, "notice.policy").diagnostics}
    assert {"S006", "S004"} <= codes
    assert "P010" in codes  # the purposes without a basis are still reported


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "cut", "insert", "swap"]))
        line = lines[index]
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "cut" and line:
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at]
        elif operation == "insert":
            at = draw(st.integers(0, len(line)))
            junk = draw(st.sampled_from(['"', "{", "}", "=", ",", "#", "'", "(", "\\", "@", "yes", " 3 days", "\n"]))
            lines[index] = line[:at] + junk + line[at:]
        elif operation == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
    return "".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_examples_never_raise(text: str) -> None:
    result = check_text(text, "mutated.policy")
    for diagnostic in result.diagnostics:
        assert diagnostic.span.line >= 1 and diagnostic.span.column >= 1
        assert diagnostic.message


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    fuzz.check_input(text.encode("utf-8", "surrogatepass"), format_too=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(fuzz.seeds()), st.lists(st.tuples(st.integers(0, 2**16), st.binary(max_size=8)),
                                                  min_size=1, max_size=6))
def test_byte_level_mutations_of_the_examples_never_raise(seed: bytes, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(seed)
    for at, replacement in edits:  # overwrite a few bytes at drawn places (shrinks to small edits)
        at %= len(data) + 1
        data[at:at + len(replacement)] = replacement
    fuzz.check_input(bytes(data), format_too=True)


@pytest.mark.slow
def test_fuzz_many_inputs() -> None:
    """POLICYC_FUZZ_INPUTS inputs (24,000 by default; a third arbitrary text, the rest byte-level mutations
    of the examples) over two worker processes, with a fixed seed (POLICYC_FUZZ_SEED) so CI is repeatable."""
    batches = 12
    size = -(-FUZZ_INPUTS // batches)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1), mp_context=context) as pool:
        results = pool.map(fuzz.run, [FUZZ_SEED] * batches, range(0, FUZZ_INPUTS, size),
                           [min(size, FUZZ_INPUTS - start) for start in range(0, FUZZ_INPUTS, size)])
        failures = [f for batch in results for f in batch]
    if failures:
        folder = Path(tempfile.mkdtemp(prefix="policyc-fuzz-"))
        for failure in failures:
            (folder / f"input-{failure.index}.policy").write_bytes(failure.data)
        first = failures[0]
        pytest.fail(f"{len(failures)} of {FUZZ_INPUTS} inputs raised; inputs saved in {folder}; remake one with "
                    f"`python -m tests.properties.fuzz --seed {FUZZ_SEED} --index {first.index}`.\n"
                    f"First failure (input {first.index}):\n{first.error}", pytrace=False)
