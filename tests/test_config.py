"""Project configuration and inline ignores."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

POLICY = '''policy "Notice" {
  controller acme
  jurisdictions uk_gdpr
  shares_with none
}

controller acme "Acme Ltd" {
  email "privacy@acme.example"
  authority ico
}

data contact "Contact details" {
  category contact
  source subject
  required_for optional
}

purpose research "For research purposes" {
  uses contact
  basis contract
  retain 2 years
}

rights {
  contact "privacy@acme.example"
}
'''


def codes(folder: Path, name: str = "notice.policy") -> list[tuple[str, str]]:
    result = run_cli("check", "--format", "json", str(folder / name))
    assert result.returncode in (0, 1), result.stderr
    return [(d["code"], d["severity"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_defaults_without_configuration(tmp_path: Path) -> None:
    (tmp_path / "notice.policy").write_text(POLICY)
    assert codes(tmp_path) == [("P013", "warning")]


def test_pyproject_changes_severity_by_slug(tmp_path: Path) -> None:
    (tmp_path / "notice.policy").write_text(POLICY)
    (tmp_path / "pyproject.toml").write_text('[tool.policyc.rules]\nvague-purpose = "error"\n')
    assert codes(tmp_path) == [("P013", "error")]
    result = run_cli("check", str(tmp_path / "notice.policy"))
    assert result.returncode == 1


def test_policyc_toml_turns_a_rule_off_and_wins_over_pyproject_above(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.policyc.rules]\nP013 = "error"\n')
    inner = tmp_path / "notices"
    inner.mkdir()
    (inner / "notice.policy").write_text(POLICY)
    (inner / "policyc.toml").write_text('[rules]\nP013 = "off"\n')
    assert codes(inner) == []


def test_select_and_ignore(tmp_path: Path) -> None:
    (tmp_path / "notice.policy").write_text(POLICY.replace("  retain 2 years\n", ""))
    (tmp_path / "policyc.toml").write_text('ignore = ["P013"]\n')
    assert codes(tmp_path) == [("P050", "error")]
    (tmp_path / "policyc.toml").write_text('select = ["P01"]\n')
    assert codes(tmp_path) == [("P013", "warning")]


def test_inline_ignore_on_the_reported_line(tmp_path: Path) -> None:
    text = POLICY.replace('purpose research "For research purposes" {',
                          'purpose research "For research purposes" { # policyc: ignore[vague-purpose]')
    (tmp_path / "notice.policy").write_text(text)
    assert codes(tmp_path) == []
    (tmp_path / "notice.policy").write_text(text.replace("ignore[vague-purpose]", "ignore[P010]"))
    assert codes(tmp_path) == [("P013", "warning")]


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    (tmp_path / "notice.policy").write_text(POLICY)
    assert run_cli("check", str(tmp_path / "notice.policy")).returncode == 0
    assert run_cli("check", "--strict", str(tmp_path / "notice.policy")).returncode == 1


def test_bad_configuration_is_one_line_and_exit_two(tmp_path: Path) -> None:
    (tmp_path / "notice.policy").write_text(POLICY)
    for bad, fragment in (('[rules]\nP999 = "off"\n', "unknown rule `P999`"),
                          ('[rules]\nP013 = "loud"\n', '"error", "warning" or "off"'),
                          ('[rules]\nS001 = "off"\n', "cannot be turned off"),
                          ('colour = "red"\n', "unknown setting `colour`"),
                          ("select = [", "policyc.toml")):
        (tmp_path / "policyc.toml").write_text(bad)
        result = run_cli("check", str(tmp_path / "notice.policy"))
        assert result.returncode == 2, bad
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], (bad, lines)
