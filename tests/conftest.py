"""Shared fixtures: where the repository's folders are, and a way to run the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
