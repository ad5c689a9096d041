"""The published notices of the examples and the complete test policies, reviewed by hand as golden files.

A change to what the notice says shows up here as a diff to review. After reviewing it, write the
new notices with `POLICYC_UPDATE_GOLDEN=1 python -m pytest tests/notice/test_golden.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policyc.build import build

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
SOURCES = {
    **{p.parent.name: p for p in sorted((REPO / "examples").glob("*/privacy.policy"))},
    "uk_gdpr_complete": REPO / "tests" / "policies" / "uk_gdpr_complete.policy",
    "gdpr_ccpa_complete": REPO / "tests" / "policies" / "gdpr_ccpa_complete.policy",
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_published_notice_is_the_reviewed_one(name: str, tmp_path: Path) -> None:
    source = SOURCES[name]
    result = build([str(source)], tmp_path, ["md"])
    assert result.written, [d.message for d in result.check.diagnostics]
    text = (tmp_path / f"{source.stem}.md").read_text(encoding="utf-8")
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("POLICYC_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: see this module's docstring"
    assert text == golden.read_text(encoding="utf-8"), f"{name}: the notice changed; review and update {golden}"
