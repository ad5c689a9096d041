"""`policyc check --format sarif` passes the SARIF multitool's GitHub rules.

The multitool (`@microsoft/sarif-multitool`, pinned in package.json) is a self-contained .NET
program inside the npm package; `validate --rule-kind "Gh;Sarif"` applies the SARIF rules and the
rules of GitHub code scanning's ingestion (GH1001 to GH2012). The multitool exits 0 even when it
reports errors, so the test reads the SARIF log it writes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from policyc.diagnostics.model import Diagnostic
from policyc.diagnostics.render import render_sarif
from policyc.driver import check_files
from tests.conftest import REPO, require_tool, run_cli

EXAMPLES = REPO / "examples"


def multitool() -> str:
    node = shutil.which("node")
    require_tool(node is not None, "Node.js (`node`)")
    assert node is not None
    found = subprocess.run([node, "-p", "require('@microsoft/sarif-multitool')"], cwd=REPO,
                           capture_output=True, text=True)
    require_tool(found.returncode == 0 and Path(found.stdout.strip()).is_file(),
                 "node_modules/@microsoft/sarif-multitool (`npm ci`)")
    return found.stdout.strip()


def validate(log: Path, tmp_path: Path) -> list[dict[str, object]]:
    """The multitool's findings on `log`, at every level."""
    report = tmp_path / f"{log.stem}.validation.sarif"
    done = subprocess.run(
        [multitool(), "validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning;Note",
         "--output", str(report), str(log)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0 and report.is_file(), done.stdout + done.stderr
    results: list[dict[str, object]] = json.loads(report.read_text(encoding="utf-8"))["runs"][0]["results"]
    return results


def by_level(results: list[dict[str, object]], level: str) -> list[str]:
    return [f"{r['ruleId']}: {r['message']}" for r in results if r.get("level", "warning") == level]


@pytest.fixture(scope="module")
def examples_sarif(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = run_cli("check", "--format", "sarif", "examples")
    assert result.returncode in (0, 1), result.stderr
    log = tmp_path_factory.mktemp("sarif") / "examples.sarif"
    log.write_text(result.stdout, encoding="utf-8")
    return log


def validate_documented(diagnostics: list[Diagnostic], root: Path, tmp_path: Path) -> list[dict[str, object]]:
    """The SARIF log of `diagnostics` with a documentation site, validated: no error and no warning."""
    log = tmp_path / "documented.sarif"
    log.write_text(render_sarif(diagnostics, tool_version="0.1.0", root=str(root),
                                docs_url="https://docs.example.org/policyc/"), encoding="utf-8")
    results = validate(log, tmp_path)
    assert by_level(results, "error") == []
    assert by_level(results, "warning") == []
    return results


def test_examples_pass_the_github_rules(examples_sarif: Path, tmp_path: Path) -> None:
    results = validate(examples_sarif, tmp_path)
    assert by_level(results, "error") == []
    # Without a published documentation site there is no informationUri (SARIF2005, a warning)
    # and no helpUri (SARIF2012, a note); nothing else may be a warning.
    assert {r["ruleId"] for r in results if r.get("level", "warning") == "warning"} <= {"SARIF2005"}


def test_with_a_documentation_site_nothing_is_even_a_warning(tmp_path: Path) -> None:
    paths = sorted(EXAMPLES.glob("*/privacy.policy"))
    results = validate_documented(check_files(paths).diagnostics, REPO, tmp_path)
    assert "SARIF2012" not in {r["ruleId"] for r in results}  # every rule has its helpUri


def test_rules_carry_full_descriptions_from_their_pages(examples_sarif: Path) -> None:
    driver = json.loads(examples_sarif.read_text(encoding="utf-8"))["runs"][0]["tool"]["driver"]
    assert driver["rules"]
    for rule in driver["rules"]:
        full = rule["fullDescription"]
        assert full["text"] and full["text"] != rule["shortDescription"]["text"], rule["id"]
        assert "](" not in full["markdown"]  # links on the pages are relative to docs/
        assert f"policyc explain {rule['id']}" in rule["help"]["markdown"]
    p010 = next(rule for rule in driver["rules"] if rule["id"] == "P010")
    assert p010["fullDescription"]["text"].startswith("Active for uk_gdpr and gdpr. Every purpose must have")


def test_a_docs_site_given_in_the_environment_gives_help_uris() -> None:
    import json
    import os

    from tests.conftest import run_cli

    env = {**os.environ, "POLICYC_DOCS_URL": "https://policyc.example.org/docs"}
    run = run_cli("check", "--format", "sarif", str(REPO / "examples"), env=env)
    log = json.loads(run.stdout)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://policyc.example.org/docs/"
    assert all(r["helpUri"] == f"https://policyc.example.org/docs/rules/{r['id']}/" for r in driver["rules"])
    bad = run_cli("check", "--format", "sarif", str(REPO / "examples"), env={**env, "POLICYC_DOCS_URL": "docs/"})
    assert "informationUri" not in json.loads(bad.stdout)["runs"][0]["tool"]["driver"]
    assert "must be an absolute http(s) URL" in bad.stderr


def test_fixes_pass_the_github_rules(tmp_path: Path) -> None:
    policy = tmp_path / "privacy.policy"
    policy.write_text('use uk_gdrp\n\npolicy { controller acme; jurisdictions uk_gdpr }\n'
                      'controller acme "Acme" { email "a@acme.example"; authority ico }\n'
                      'data d "D" { includes \'x\'; source subject; required_for optional }\n'
                      'purpose p "P" { uses d; retian 6 years after contract_end }\n', encoding="utf-8")
    diagnostics = check_files([policy]).diagnostics
    assert sum(len(d.fixes) for d in diagnostics) >= 3
    validate_documented(diagnostics, tmp_path, tmp_path)
