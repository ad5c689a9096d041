"""Each example's FINDINGS.md is what `policyc check` says today, and shows the real notice's gaps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policyc.driver import check_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_findings_files_are_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLES / "findings.py"), "--check"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def findings(name: str) -> dict[str, list[int]]:
    result = check_files([EXAMPLES / name / "privacy.policy"])
    out: dict[str, list[int]] = {}
    for diagnostic in result.diagnostics:
        out.setdefault(diagnostic.code, []).append(diagnostic.span.line)
    return out


@pytest.mark.parametrize("name", ["infisim", "infotek", "xeosol"])
def test_no_language_errors_only_legal_findings(name: str) -> None:
    codes = findings(name)
    assert not [c for c in codes if c[0] in "SNT"]
    assert any(c.startswith("P") for c in codes)


def test_infotek_states_no_lawful_basis_for_any_purpose() -> None:
    result = check_files([EXAMPLES / "infotek" / "privacy.policy"])
    (model,) = result.models.values()
    controller_purposes = [p.key for p in model.controller_purposes]
    flagged = {d.message.split("`")[1] for d in result.diagnostics if d.code == "P010"}
    assert flagged == set(controller_purposes) and len(flagged) >= 10


def test_infisim_bases_are_not_tied_and_retention_is_vague() -> None:
    codes = findings("infisim")
    assert len(codes["P010"]) >= 10
    assert len(codes["P051"]) >= 10
    assert "P121" in codes  # consent to cookies inferred from browsing


def test_xeosol_invokes_legitimate_interests_without_the_interest() -> None:
    codes = findings("xeosol")
    assert "P012" in codes and "P010" in codes


@pytest.mark.parametrize("name", ["infisim", "infotek", "xeosol"])
def test_what_the_notice_does_say_is_not_reported(name: str) -> None:
    result = check_files([EXAMPLES / name / "privacy.policy"])
    (model,) = result.models.values()
    flagged = {d.message.split("`")[1] for d in result.diagnostics if d.code == "P010" and "`" in d.message}
    for purpose in model.controller_purposes:
        if purpose.bases:
            assert purpose.key not in flagged
    retention_flagged = {d.message.split("`")[1] for d in result.diagnostics if d.code in ("P050", "P051")}
    for purpose in model.controller_purposes:
        if purpose.retention is not None and purpose.retention.concrete:
            assert purpose.key not in retention_flagged
