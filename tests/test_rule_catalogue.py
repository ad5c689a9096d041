"""The rule catalogue stays whole: every code has a row, a rule (or a stage) that reports it, a doc page with
the same sections, and `policyc explain` / `policyc rules` serve them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policyc.diagnostics.codes import CODES, FAMILIES
from policyc.rules import REGISTRY, _load_families
from tests.conftest import run_cli

SECTIONS = ["## What it checks", "## Why", "## Failing example", "## Passing example", "## Configuration"]
DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def test_every_legal_rule_is_registered_and_every_registered_rule_has_a_row() -> None:
    _load_families()
    legal = {code for code in CODES if code[0] in "PCAQ"}
    assert set(REGISTRY) == legal


def test_every_code_belongs_to_a_family() -> None:
    assert all(code[0] in FAMILIES and re.fullmatch(r"[A-Z]\d{3}", code) for code in CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_doc_page_with_the_same_sections(code: str) -> None:
    page = DOCS / f"{code}.md"
    assert page.is_file(), f"docs/rules/{code}.md is missing"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {code}: {CODES[code].slug}\n")
    positions = [text.find(section) for section in SECTIONS]
    missing = [s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]
    assert not missing, f"{code}: missing sections {missing}"
    assert positions == sorted(positions), f"{code}: sections out of order"
    assert "```policy" in text


def test_explain_prints_the_page_by_code_or_slug() -> None:
    by_code = run_cli("explain", "P010")
    by_slug = run_cli("explain", "purpose-without-basis")
    assert by_code.returncode == by_slug.returncode == 0
    assert by_code.stdout == by_slug.stdout == (DOCS / "P010.md").read_text(encoding="utf-8")


def test_explain_unknown_code_suggests_one() -> None:
    result = run_cli("explain", "P01")
    assert result.returncode == 2
    assert "did you mean" in result.stderr and "Traceback" not in result.stderr


def test_rules_lists_every_code_as_json() -> None:
    result = run_cli("rules", "--format", "json")
    rows = json.loads(result.stdout)["rules"]
    assert [row["code"] for row in rows] == list(CODES)
    p010 = next(row for row in rows if row["code"] == "P010")
    assert p010 == {"code": "P010", "name": "purpose-without-basis", "severity": "error",
                    "family": "GDPR / UK GDPR notice rules", "article": "13(1)(c), 6(1)",
                    "summary": CODES["P010"].summary}
    text = run_cli("rules").stdout.splitlines()
    assert len(text) == len(CODES) and text[0].startswith("S001  unexpected-token")


def test_the_rules_index_lists_every_code() -> None:
    from pathlib import Path

    from policyc.diagnostics.codes import CODES

    index = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "index.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"[{code}]({code}.md)" not in index]
    assert not missing, f"docs/rules/index.md lacks {missing}"


def test_test_modules_have_unique_names() -> None:
    """pytest imports test modules by their base name (tests/ has no packages): two alike break collection."""
    from collections import Counter
    from pathlib import Path

    names = Counter(p.name for p in (Path(__file__).resolve().parent).rglob("test_*.py"))
    assert not [n for n, k in names.items() if k > 1]
