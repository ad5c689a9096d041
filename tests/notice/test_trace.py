"""`policyc build --trace`: where every published statement comes from, as a user gets it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]
COMPLETE = REPO / "tests" / "policies" / "uk_gdpr_complete.policy"


def test_trace_maps_every_published_statement_to_its_source(tmp_path: Path) -> None:
    run = run_cli("build", str(COMPLETE), "-o", str(tmp_path), "--format", "md", "--trace")
    assert run.returncode == 0, run.stderr
    trace = json.loads((tmp_path / "uk_gdpr_complete.trace.json").read_text(encoding="utf-8"))
    markdown = (tmp_path / "uk_gdpr_complete.md").read_text(encoding="utf-8")
    assert trace["trace_version"] == 1 and trace["source"] == str(COMPLETE)
    statements = trace["statements"]
    assert len(statements) > 150
    lines = COMPLETE.read_text(encoding="utf-8").splitlines()
    for statement in statements:
        assert statement["kind"] in {"fact", "derived", "law", "guide"}
        assert statement["backing"], statement
        for backing in statement["backing"]:
            if backing["file"] == str(COMPLETE):
                assert 1 <= backing["line"] <= len(lines)
            else:
                assert backing["file"].startswith("<stdlib>/"), backing
    retention = [s for s in statements if s["label"] == "How long we keep it" and s["section"] == "purposes"]
    assert retention and all(b["fact"].endswith(":retain") for s in retention for b in s["backing"])
    first = retention[0]["backing"][0]
    assert "retain" in lines[first["line"] - 1]  # the span points at the `retain` line itself
    laws = [s for s in statements if s["kind"] == "law"]
    assert laws and all(b["file"].startswith("<stdlib>/") for s in laws for b in s["backing"])
    assert all(" ".join(s["text"].split())[:40].replace("“", "").split(" ")[0] in markdown for s in statements)


def test_no_trace_unless_asked(tmp_path: Path) -> None:
    run = run_cli("build", str(COMPLETE), "-o", str(tmp_path), "--format", "md")
    assert run.returncode == 0, run.stderr
    assert not list(tmp_path.glob("*.trace.json"))


def test_the_index_names_each_notice_by_controller_and_title(tmp_path: Path) -> None:
    run = run_cli("build", str(REPO / "examples"), "-o", str(tmp_path), "--format", "html")
    assert run.returncode == 0, run.stderr
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "wrote 4 files" in run.stderr
    for name in ("InfiSIM", "Infotek", "Xeosol"):
        assert name.lower() in index.lower(), name
    assert index.count("<li>") == 3 and all(": <a href=" in line for line in index.splitlines() if "<li>" in line)
