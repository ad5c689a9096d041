"""The first commands a new user runs: a short overview, and a clear word when nothing can be built."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parent.parent


def test_statistics_count_each_code_instead_of_printing_every_diagnostic() -> None:
    full = run_cli("check", str(REPO / "examples"), "--color", "never")
    stats = run_cli("check", "--statistics", str(REPO / "examples"), "--color", "never")
    assert stats.returncode == full.returncode
    lines = [line for line in stats.stdout.splitlines() if line.strip()]
    counts = {line.split()[1]: int(line.split()[0]) for line in lines}
    assert counts and len(lines) < 40 < len(full.stdout.splitlines())
    for code, count in counts.items():
        assert full.stdout.count(f"[{code}]") == count, code
    assert [int(line.split()[0]) for line in lines] == sorted(counts.values(), reverse=True)
    assert stats.stderr.strip() == full.stderr.strip()  # the same closing summary


def test_build_says_when_a_file_is_not_a_notice(tmp_path: Path) -> None:
    (tmp_path / "empty.policy").write_text("", encoding="utf-8")
    (tmp_path / "shared.policy").write_text('data contact "Contact" {\n  category contact\n}\n', encoding="utf-8")
    run = run_cli("build", str(tmp_path), "-o", str(tmp_path / "site"))
    assert run.returncode == 2
    assert "empty.policy has no `policy` declaration" in run.stderr
    assert "nothing to build" in run.stderr
    assert not (tmp_path / "site").exists()


def test_a_build_of_one_notice_says_one_file(tmp_path: Path) -> None:
    run = run_cli("build", str(REPO / "tests" / "policies" / "uk_gdpr_complete.policy"), "-o", str(tmp_path),
                  "--format", "md")
    assert run.returncode == 0, run.stderr
    assert "wrote 1 file to" in run.stderr


def test_a_bad_git_revision_is_named(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    policy = tmp_path / "privacy.policy"
    policy.write_text((REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8"))
    run = run_cli("diff", "git:no-such-branch:privacy.policy", "privacy.policy", cwd=tmp_path)
    assert run.returncode == 2
    assert "git:no-such-branch: no such revision" in run.stderr


def test_rules_prints_the_family_column_its_help_promises() -> None:
    run = run_cli("rules")
    assert run.returncode == 0
    first = run.stdout.splitlines()[0].split()
    assert first[:4] == ["S001", "unexpected-token", "error", "syntax"]
