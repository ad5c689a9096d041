"""Generated reference pages stay in step with the tables they are generated from."""

from __future__ import annotations

from pathlib import Path

from policyc.diagnostics.codes import markdown_table
from policyc.schema import markdown_reference

REGENERATE = (
    "regenerate with: python -c \"from policyc.schema import markdown_reference; "
    "open('docs/kinds.md','w').write(markdown_reference().rstrip()+'\\n')\""
)


def test_kinds_page_matches_schema(repo: Path) -> None:
    assert (repo / "docs" / "kinds.md").read_text(encoding="utf-8") == markdown_reference().rstrip() + "\n", REGENERATE


def test_diagnostics_page_matches_code_table(repo: Path) -> None:
    assert (repo / "docs" / "diagnostics.md").read_text(encoding="utf-8") == markdown_table().rstrip() + "\n"
