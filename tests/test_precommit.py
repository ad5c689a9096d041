"""The pre-commit hooks in `.pre-commit-hooks.yaml`, run as a user's repository runs them.

`pre-commit try-repo` installs the hook repository (a copy of this working tree, committed in a
temporary git repository) into a fresh virtualenv with pip, then runs the hooks on a temporary
project. pip may not reach an index while the tests run, so it installs from the wheelhouse that
`.ci/run` prepares (`.ci/wheelhouse`: the runtime dependencies and the build backend) and nothing
else. Without the wheelhouse the test skips on a developer's machine and fails in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policyc.fmt import format_text
from tests.conftest import REPO, require_tool

WHEELHOUSE = Path(os.environ.get("POLICYC_WHEELHOUSE", REPO / ".ci" / "wheelhouse"))

# What `pip install .` needs to build policyc (pyproject.toml's wheel target and its force-include).
HOOK_REPO_FILES = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml")
HOOK_REPO_FOLDERS = ("policyc", "grammar", "stdlib", "docs/rules")

GOOD = """\
use uk_gdpr

policy "Privacy notice" {
  controller acme
  effective 2024-06-01
  jurisdictions uk_gdpr
  shares_with none
}

controller acme "Acme Ltd" {
  address "1 High Street, Leeds, LS1 1AA"
  email "privacy@acme.example"
  authority ico
}

data contact "Contact details" {
  includes "name", "email address"
  category contact
  source subject
  required_for contract
  if_not_provided "we cannot deliver your order"
}

purpose orders "Delivering what you order" {
  uses contact
  basis contract
  retain 6 years after contract_end "the limitation period for contract claims"
}
"""

# Formatted, but the purpose has no lawful basis (P010).
BAD = GOOD.replace("  basis contract\n", "")

# Correct, but not in the canonical layout.
MESSY = (
    GOOD.replace('policy "Privacy notice" {\n  controller acme', 'policy   "Privacy notice" {  controller acme')
    .replace("}\n\ndata", "}\ndata")
    .replace("  uses contact", "      uses    contact")
)


def _wheelhouse_ready() -> bool:
    return WHEELHOUSE.is_dir() and any(WHEELHOUSE.glob("hatchling-*.whl")) and any(WHEELHOUSE.glob("lark-*.whl"))


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=policyc tests", "-c", "user.email=tests@policyc.invalid",
         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    )


def _offline_env(tmp: Path) -> dict[str, str]:
    """The environment for pre-commit: pip sees the wheelhouse and no index, and no pip configuration
    from the machine (which could name another index)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PRE_COMMIT", "VIRTUALENV_"))}
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELHOUSE),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"),
        VIRTUALENV_DOWNLOAD="0",
        NO_COLOR="1",
    )
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree's hook repository, as a git repository with one commit."""
    require_tool(_wheelhouse_ready(), f"the offline wheelhouse {WHEELHOUSE} (made by .ci/run)")
    require_tool(shutil.which("git") is not None, "git")
    target = tmp_path_factory.mktemp("hook-repo")
    for name in HOOK_REPO_FILES:
        shutil.copy2(REPO / name, target / name)
    for folder in HOOK_REPO_FOLDERS:
        shutil.copytree(REPO / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _git("init", "-q", cwd=target)
    _git("add", "-A", cwd=target)
    _git("commit", "-q", "-m", "hooks under test", cwd=target)
    return target


def _try_repo(hook_repo: Path, project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    selection = ["--files", *files] if files else ["--all-files"]
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), *selection, "--verbose"],
        cwd=project, env=_offline_env(project.parent), capture_output=True, text=True, timeout=600,
    )


def test_hook_manifest_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert set(hooks) == {"policyc-check", "policyc-fmt"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["files"] == r"\.policy$"
    assert hooks["policyc-check"]["entry"] == "policyc check"
    assert hooks["policyc-fmt"]["entry"] == "policyc fmt"


@pytest.mark.slow
def test_hooks_with_pre_commit_try_repo(hook_repo: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "bad.policy").write_text(BAD, encoding="utf-8")
    (project / "messy.policy").write_text(MESSY, encoding="utf-8")
    (project / "good.policy").write_text(GOOD, encoding="utf-8")
    (project / "notes.txt").write_text("not a policy {\n", encoding="utf-8")
    _git("init", "-q", cwd=project)
    _git("add", "-A", cwd=project)

    # Every file: the check hook fails on bad.policy with its diagnostic; the fmt hook rewrites
    # messy.policy in place (so pre-commit fails and says so) and leaves the others alone.
    first = _try_repo(hook_repo, project)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    check_part, _, fmt_part = output.partition("policyc fmt....")
    check_part = check_part.partition("policyc check....")[2]
    assert check_part.split("\n", 1)[0].endswith("Failed"), output
    assert "error[P010]: purpose `orders` has no lawful basis" in check_part
    assert "--> bad.policy:24:9" in check_part  # a path relative to the repository
    assert "1 error in 3 files" in check_part  # the three .policy files, not notes.txt
    assert fmt_part.split("\n", 1)[0].endswith("Failed"), output
    assert "files were modified by this hook" in fmt_part
    assert "reformatted messy.policy" in fmt_part
    assert "good.policy" not in fmt_part and "bad.policy" not in fmt_part
    expected = format_text(MESSY).text
    assert expected is not None and expected == GOOD  # the canonical layout of MESSY is GOOD
    assert (project / "messy.policy").read_text(encoding="utf-8") == GOOD
    assert (project / "good.policy").read_text(encoding="utf-8") == GOOD
    assert (project / "bad.policy").read_text(encoding="utf-8") == BAD
    assert (project / "notes.txt").read_text(encoding="utf-8") == "not a policy {\n"

    # The good file and the now formatted one: both hooks pass.
    _git("add", "-A", cwd=project)
    second = _try_repo(hook_repo, project, "good.policy", "messy.policy")
    output = second.stdout + second.stderr
    assert second.returncode == 0, output
    assert output.count("Passed") == 2, output
    assert "error" not in output.lower().replace("no errors", ""), output
