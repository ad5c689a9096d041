"""Diagnostics carry their fixes: the constructor keyed by code, each kind of fix the stages and rules
attach, which are safe, and applying them to a file's text."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from policyc import records
from policyc.diagnostics.codes import CODES
from policyc.diagnostics.fixes import (
    SAFE_SIMILARITY,
    apply_fixes,
    chosen_fixes,
    did_you_mean,
    similarity,
)
from policyc.diagnostics.model import Diagnostic, Edit, Fix, Label, Severity, Span
from policyc.diagnostics.render import render_json
from policyc.driver import check_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lsp"))
from lsp_policies import BASE, TRANSFER, TRANSFER_BOTH, TRANSFER_EU

NAME = "fix.policy"
SPAN = Span(NAME, 0, 4, 1, 1, 1, 5)


def _diagnostics(text: str) -> list[Diagnostic]:
    return check_text(text, NAME).diagnostics


def _only(text: str, code: str) -> Diagnostic:
    (found,) = [d for d in _diagnostics(text) if d.code == code]
    return found


def _fixed(text: str, *, unsafe: bool = False) -> str:
    new, _ = apply_fixes(text, chosen_fixes(_diagnostics(text), NAME, unsafe=unsafe))
    return new


# --- the constructor --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(CODES))
def test_the_severity_comes_from_the_registry(code: str) -> None:
    assert Diagnostic.of(code, "m", SPAN).severity is CODES[code].severity


def test_the_constructor_takes_every_part_and_stays_hashable() -> None:
    fix = Fix("Change it", (Edit(NAME, 0, 4, "data"),), safe=True)
    made = Diagnostic.of("T001", "unknown kind", SPAN, label="here", labels=[Label(SPAN, "there")], help="h",
                         notes=iter(["n"]), fixes=[fix])
    assert made == Diagnostic("T001", "unknown kind", SPAN, Severity.ERROR, "here", (Label(SPAN, "there"),), "h",
                              ("n",), (fix,))
    assert hash(made) == hash(records.replace(made))
    assert not hasattr(made, "__dict__")  # slotted
    assert Diagnostic.of("Q001", "m", SPAN).severity is Severity.WARNING
    with pytest.raises(records.FrozenInstanceError):
        fix.safe = False  # type: ignore[misc]


def test_no_stage_passes_a_severity_by_hand() -> None:
    package = Path(__file__).resolve().parents[2] / "policyc"
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "severity_of(" not in text or path.name in ("codes.py", "model.py"), path
        assert not re.search(r"(?<![.\w])Diagnostic\(", text) or path.name == "model.py", path


# --- did you mean -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("wrong", "right", "code"), [
    ("basis contrct", "basis contract", "N001"),  # an unknown name
    ("purpse delivery", "purpose delivery", "T001"),  # a kind
    ("retian 6 years", "retain 6 years", "T001"),  # a field
    ("required_for contrct", "required_for contract", "T003"),  # a word of an enumeration
    ("6 yeers after", "6 years after", "T006"),  # a unit of time
    ("use uk_gdrp", "use uk_gdpr", "N003"),  # a standard-library module
])
def test_a_close_suggestion_is_a_safe_replacement(wrong: str, right: str, code: str) -> None:
    text = BASE.replace(right, wrong)
    diagnostic = _only(text, code)
    (fix,) = diagnostic.fixes
    assert fix.safe
    (edit,) = fix.edits
    assert edit.file == NAME and (edit.start, edit.end) == (diagnostic.span.start, diagnostic.span.end)
    assert fix.title.startswith("Change `")
    assert _fixed(text) == BASE


def test_a_country_code_in_the_wrong_case() -> None:
    text = TRANSFER.replace("country IN", "country In")
    (fix,) = _only(text, "T006").fixes
    assert fix.title == "Change `In` to `IN`" and fix.safe
    assert _fixed(text) == TRANSFER
    unknown = TRANSFER.replace("country IN", "country zz")
    (guess,) = _only(unknown, "T006").fixes
    assert not guess.safe and _fixed(unknown) == unknown  # `ZZ` is no country: offered, never applied


def test_a_distant_or_ambiguous_suggestion_is_not_safe() -> None:
    text = BASE.replace("basis contract", "basis conn")
    (fix,) = _only(text, "N001").fixes
    assert fix.title == "Change `conn` to `consent`" and not fix.safe
    assert similarity("conn", "consent") < SAFE_SIMILARITY
    (ambiguous,) = did_you_mean(SPAN, "contac", "contact", ["contact", "contract"])
    assert not ambiguous.safe  # two candidates are as close
    (unique,) = did_you_mean(SPAN, "contrct", "contract", ["contract", "consent"])
    assert unique.safe
    assert did_you_mean(SPAN, "same", "same") == ()
    assert did_you_mean(Span(NAME, 3, 3, 1, 4, 1, 4), "", "x") == ()


def test_an_assertion_path_and_kind() -> None:
    text = BASE + 'assert a "A" {\n  forbid purpse where basis = consent\n}\n'
    (fix,) = _only(text, "T001").fixes
    assert fix.title == "Change `purpse` to `purpose`"
    field = BASE + 'assert a "A" {\n  forbid purpose where bases = consent\n}\n'
    fixes = _only(field, "T001").fixes
    assert [f.title for f in fixes] == ["Change `bases` to `basis`"]


# --- adding text ------------------------------------------------------------------------------------


def test_a_missing_use_is_added_after_the_last_use() -> None:
    text = TRANSFER.replace("country IN  # Bangalore", "country IN; safeguard eu_scc")
    (fix,) = _only(text, "N001").fixes
    assert fix.title == "Add `use gdpr`" and fix.safe
    assert _fixed(text).startswith("use uk_gdpr\nuse gdpr\n")


def test_a_missing_basis_offers_every_basis_and_none_is_safe() -> None:
    text = BASE.replace("  basis contract\n", "")
    fixes = _only(text, "P010").fixes
    assert [f.title for f in fixes] == [
        "Add `basis consent` to `delivery`", "Add `basis contract` to `delivery`",
        "Add `basis legal_obligation` to `delivery`", "Add `basis legitimate_interests` to `delivery`"]
    assert not any(f.safe for f in fixes)
    assert _fixed(text) == text
    assert "  retain 6 years after contract_end\n  basis consent\n}" in _fixed(text, unsafe=True)


@pytest.mark.parametrize(("policy", "added"), [
    (TRANSFER, "safeguard idta"),
    (TRANSFER_EU, "safeguard eu_scc"),
    (TRANSFER_BOTH, "safeguard eu_scc, uk_addendum"),
])
def test_a_missing_safeguard_suits_the_laws_and_is_not_safe(policy: str, added: str) -> None:
    found = [d for d in _diagnostics(policy) if d.code == "P040"]
    assert found
    for diagnostic in found:
        (fix,) = diagnostic.fixes
        assert fix.title == f"Add `{added}` to `helpdesk`" and not fix.safe
    assert _fixed(policy) == policy
    new = _fixed(policy, unsafe=True)
    assert f"  country IN  # Bangalore\n  {added}\n" in new
    assert "P040" not in {d.code for d in _diagnostics(new)}


def test_a_safeguard_is_appended_to_a_claimed_adequacy() -> None:
    policy = TRANSFER.replace("country IN  # Bangalore", "country IN; safeguard adequacy")
    assert "country IN; safeguard adequacy, idta\n" in _fixed(policy, unsafe=True)


# --- the parser's punctuation -----------------------------------------------------------------------


@pytest.mark.parametrize(("wrong", "right"), [
    ("retain: 6 years", "retain 6 years"),
    ("retain = 6 years", "retain 6 years"),
    ("retain=6 years", "retain 6 years"),
    ("'items ordered'", '"items ordered"'),
])
def test_punctuation_the_parser_is_sure_of(wrong: str, right: str) -> None:
    text = BASE.replace(right, wrong)
    assert text != BASE
    diagnostic = next(d for d in _diagnostics(text) if d.code in ("S006", "S007"))
    assert diagnostic.fixes and all(f.safe for f in diagnostic.fixes)
    assert _fixed(text) == BASE


def test_a_single_quoted_string_that_would_need_escapes_has_no_fix() -> None:
    text = BASE.replace('"items ordered"', "'say \"hi\"'")
    assert _only(text, "S007").fixes == ()


# --- applying ---------------------------------------------------------------------------------------


def _fix(start: int, end: int, new: str, safe: bool = True) -> Fix:
    return Fix("f", (Edit(NAME, start, end, new),), safe)


def test_overlapping_edits_leave_the_later_fix_for_the_next_run() -> None:
    text, count = apply_fixes("abcdef", [_fix(1, 3, "X"), _fix(2, 4, "Y"), _fix(4, 5, "Z")])
    assert (text, count) == ("aXdZf", 2)
    text, count = apply_fixes("abc", [_fix(1, 1, "X"), _fix(1, 1, "Y")])  # two insertions at one place
    assert (text, count) == ("aXbc", 1)


def test_the_same_edit_twice_is_made_once() -> None:
    assert apply_fixes("abc", [_fix(1, 1, "X"), _fix(1, 1, "X")]) == ("aXbc", 2)


def test_edits_out_of_the_text_are_not_made() -> None:
    assert apply_fixes("abc", [_fix(2, 9, "X"), _fix(2, 1, "Y")]) == ("abc", 0)


def test_chosen_fixes_keep_to_the_file_and_to_safe_ones() -> None:
    other = Fix("other", (Edit("other.policy", 0, 0, "x"),), True)
    unsafe = _fix(0, 0, "u", safe=False)
    safe = _fix(1, 1, "s")
    diagnostics = [Diagnostic.of("N001", "m", SPAN, fixes=[other]), Diagnostic.of("P010", "m", SPAN, fixes=[unsafe]),
                   Diagnostic.of("N001", "m", SPAN, fixes=[unsafe, safe])]
    assert chosen_fixes(diagnostics, NAME) == [safe]
    assert chosen_fixes(diagnostics, NAME, unsafe=True) == [unsafe, safe]


def test_json_carries_the_fixes() -> None:
    text = BASE.replace("basis contract", "basis contrct")
    (entry,) = json.loads(render_json(_diagnostics(text), 1))["diagnostics"]
    start = text.index("contrct")
    assert entry["fixes"] == [{"title": "Change `contrct` to `contract`", "safe": True, "edits": [
        {"file": NAME, "start": start, "end": start + len("contrct"), "new_text": "contract"}]}]
    clean = json.loads(render_json([Diagnostic.of("N001", "m", SPAN)], 1))["diagnostics"][0]
    assert "fixes" not in clean


def test_fixes_survive_the_chunk_cache() -> None:
    """A reparse reuses unchanged declarations, moved: their diagnostics' edits move with them."""
    from policyc.driver import Workspace

    workspace = Workspace()
    text = BASE.replace("retain 6", "retain: 6")
    workspace.check_text(text, NAME)
    moved = "# a comment that moves everything\n" + text
    (diagnostic,) = [d for d in workspace.check_text(moved, NAME).diagnostics if d.code == "S006"]
    (edit,) = diagnostic.fixes[0].edits
    assert moved[edit.start:edit.end] == ":"


def test_a_version_from_git_names_the_files_of_its_edits_as_it_names_its_spans() -> None:
    from policyc.versions import _moved

    fix = Fix("f", (Edit(NAME, 0, 1, "x"), Edit("other.policy", 0, 0, "y")))
    moved = _moved(Diagnostic.of("N001", "m", SPAN, fixes=[fix]), {NAME: "git:HEAD:fix.policy"})
    assert moved.span.file == "git:HEAD:fix.policy"
    assert [e.file for e in moved.fixes[0].edits] == ["git:HEAD:fix.policy", "other.policy"]


def test_every_purpose_without_a_basis_gets_its_fixes() -> None:
    purposes = "".join(f'purpose p{i} "P" {{ uses orders; retain 6 years after contract_end }}\n'
                       for i in range(400))
    found = [d for d in _diagnostics(BASE + purposes) if d.code == "P010"]
    assert len(found) == 400 and all(len(d.fixes) == 4 for d in found)
