"""Shared fixtures: where the repository's folders are, and a way to run the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `python -m policyc ARGS` in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "policyc", *args],
        cwd=cwd or REPO, env=env, input=stdin.decode() if stdin else None,
        capture_output=True, text=True, timeout=timeout,
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-cases", action="store_true", default=False,
        help="rewrite the `# expect:` headers of tests/cases/**/*.policy from the diagnostics the checker reports",
    )


def in_ci() -> bool:
    """Is this a CI run? (.ci/run sets CI=true.)"""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# Property tests in CI are repeatable: Hypothesis's `ci` profile derandomizes them (a fixed seed per
# test), keeps no example database and prints a reproduction blob on failure. Hypothesis loads it by
# itself when CI is set; loading it here says so, and HYPOTHESIS_PROFILE can still choose another.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "default"))


def require_tool(available: bool, what: str) -> None:
    """A test that needs a browser or an npm tool: it skips on a developer's machine without the tool,
    and fails in CI, which must have it (a skipped test in CI is a broken promise)."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is missing, and CI must run this test (see docs/ci-browser.md)", pytrace=False)
    pytest.skip(f"{what} is missing (CI installs it; see docs/ci-browser.md)")
