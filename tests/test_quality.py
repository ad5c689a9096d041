"""The code base is ruff and mypy clean (both are part of the dev install)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_ruff_clean(repo: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "policyc", "tests", "mkdocs_hooks.py"], cwd=repo,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean(repo: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
