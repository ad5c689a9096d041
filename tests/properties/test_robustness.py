"""The checker never raises: broken and mutated policies give diagnostics, and the legal rules still run on
whatever parsed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyc.driver import check_text

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*/privacy.policy"))
TEXTS = [path.read_text(encoding="utf-8") for path in EXAMPLES]


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
    check_text(text, "random.policy")
