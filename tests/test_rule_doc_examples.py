"""Each rule page's failing example reports its code, and its passing example does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyc.diagnostics.codes import CODES
from policyc.driver import check_text

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"
BLOCK = re.compile(r"```policy\n(.*?)```", re.S)
# Codes whose examples need more than one file, a file on disk, two versions of a policy, or more than
# a hundred errors (their pages show an excerpt), or a live site (U codes: a policy and what a page did).
NOT_IN_MEMORY = {"N003", "N004", "N005", "N006", "S005", "S010", "S012", "D001", "D002", "D003", "D004", "D005",
                 "U001", "U002", "U003", "U004", "U005"}  # D: tests/test_diff.py; U: tests/test_audit_findings.py


def example(code: str, section: str) -> str:
    text = (DOCS / f"{code}.md").read_text(encoding="utf-8")
    start = text.index(f"## {section} example")
    end = text.index("\n## ", start + 1)
    blocks = BLOCK.findall(text[start:end])
    assert blocks, f"{code}: no policy block under '{section} example'"
    return str(blocks[0])


@pytest.mark.parametrize("code", sorted(set(CODES) - NOT_IN_MEMORY))
def test_failing_example_reports_the_code(code: str) -> None:
    codes = {d.code for d in check_text(example(code, "Failing"), f"{code}-failing.policy").diagnostics}
    assert code in codes, sorted(codes)


@pytest.mark.parametrize("code", sorted(set(CODES) - NOT_IN_MEMORY))
def test_passing_example_does_not(code: str) -> None:
    codes = {d.code for d in check_text(example(code, "Passing"), f"{code}-passing.policy").diagnostics}
    assert code not in codes, sorted(codes)
