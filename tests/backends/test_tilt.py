"""The tilt backend: a TILT document valid against its schema, and a build error naming what TILT
requires and the policy lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker

from policyc.backends.tilt import SCHEMA
from policyc.build import BuildError, build
from tests.conftest import REPO

COMPLETE = REPO / "tests" / "policies" / "gdpr_ccpa_complete.policy"
DATA = REPO / "tests" / "data" / "tilt"


def tilt_ready(folder: Path) -> Path:
    """The complete GDPR test policy with what TILT also requires: a representative, the DPO's country."""
    text = COMPLETE.read_text(encoding="utf-8")
    text = text.replace("  dpo dpo\n", "  dpo dpo\n  representative eu_rep\n")
    address = '  address "Data Protection Officer, 12 Grand Canal Quay, Dublin 2, Ireland"\n'
    text = text.replace(address + "}", address + '  country IE\n}\n\n'
                        'contact eu_rep "Representative" {\n  legal_name "Tessellate Representative GmbH"\n'
                        '  email "rep@tessellate.example"\n}')
    path = folder / "tessellate.policy"
    path.write_text(text, encoding="utf-8")
    return path


def validator() -> Draft7Validator:
    return Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")), format_checker=FormatChecker())


def test_the_copied_schema_is_the_published_one() -> None:
    assert (SCHEMA.parent / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert not list(validator().iter_errors(json.loads((DATA / "tilt.json").read_text(encoding="utf-8"))))
    assert len(list(validator().iter_errors(json.loads((DATA / "tilt-NOT-valid.json").read_text())))) == 7


def test_the_document_is_valid_and_deterministic(tmp_path: Path) -> None:
    source = tilt_ready(tmp_path)
    first = build([str(source)], tmp_path / "a", ["tilt"]).written
    second = build([str(source)], tmp_path / "b", ["tilt"]).written
    assert [p.name for p in first] == ["tessellate.tilt.json"]
    assert first[0].read_bytes() == second[0].read_bytes()
    document = json.loads(first[0].read_text(encoding="utf-8"))
    assert not sorted(e.message for e in validator().iter_errors(document))
    assert document["controller"]["representative"]["email"] == "rep@tessellate.example"
    assert document["dataProtectionOfficer"]["country"] == "IE"
    references = {b["reference"] for d in document["dataDisclosed"] for b in d["legalBases"]}
    assert {"GDPR-6-1-a", "GDPR-6-1-b", "GDPR-6-1-c"} <= references
    assert [t["country"] for t in document["thirdCountryTransfers"]] == ["US"]
    assert document["rightToWithdrawConsent"]["available"] is True


def test_what_tilt_requires_and_the_policy_lacks_stops_the_build(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as caught:
        build([str(COMPLETE)], tmp_path, ["tilt"])
    message = str(caught.value)
    assert "representative" in message and "dpo.country" in message
    assert not list(tmp_path.iterdir())  # nothing written
