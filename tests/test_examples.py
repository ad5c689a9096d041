"""The example notices: each is a faithful, well-formed encoding of its seed notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyc.driver import check_files
from policyc.typecheck import Ref, Text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["infisim", "infotek", "xeosol"]


@pytest.mark.parametrize("name", NAMES)
def test_example_has_no_language_errors(name: str) -> None:
    result = check_files([EXAMPLES / name / "privacy.policy"])
    language = [f"{d.code} {d.span.line}:{d.span.column} {d.message}" for d in result.diagnostics
                if d.code[0] in "SNT"]
    assert language == []
    kinds = {t.decl.kind for t in result.typed}
    assert {"policy", "controller", "data", "purpose", "rights"} <= kinds


def test_infotek_names_every_processor() -> None:
    result = check_files([EXAMPLES / "infotek" / "privacy.policy"])
    names = " ".join(
        str(v.value) for t in result.typed if t.decl.kind == "recipient"
        for v in [*t.get("legal_name")] if isinstance(v, Text)
    ) + " ".join(t.decl.title.value for t in result.typed if t.decl.kind == "recipient" and t.decl.title)
    squashed = names.replace(" ", "").lower()  # the notice writes "Go Cardless"
    for processor in ("Barclays", "Pay360", "GoCardless", "Nominet", "Pipeten", "UKFast", "Vidahost"):
        assert processor.lower() in squashed


@pytest.mark.parametrize("name", NAMES)
def test_every_purpose_uses_declared_data(name: str) -> None:
    result = check_files([EXAMPLES / name / "privacy.policy"])
    purposes = [t for t in result.typed if t.decl.kind == "purpose"]
    assert len(purposes) >= 3
    for purpose in purposes:
        assert all(isinstance(v, Ref) and v.target.decl.kind == "data" for v in purpose.get("uses"))
