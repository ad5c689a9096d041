"""A wheel installed into a fresh virtual environment works from an unrelated folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, repo: Path) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist")],
                   cwd=repo, check=True, capture_output=True)
    (wheel,) = (work / "dist").glob("policyc-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from the registry as for any user; the package from the wheel.
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True)
    return env_dir / "bin"


def test_wheel_ships_grammar_and_stdlib(installed: Path) -> None:
    result = subprocess.run(
        [str(installed / "python"), "-c",
         "import policyc.resources as r; print(r.grammar_path()); print(r.stdlib_dir())"],
        capture_output=True, text=True, check=True, cwd="/",
    )
    grammar, stdlib = result.stdout.split()
    assert "site-packages" in grammar and grammar.endswith("policyc/_data/grammar/policy.lark")
    assert "site-packages" in stdlib and Path(stdlib, "core.policy").is_file()


def test_installed_cli_checks_the_examples_from_another_folder(installed: Path, repo: Path,
                                                                tmp_path: Path) -> None:
    examples = tmp_path / "copied-examples"
    shutil.copytree(repo / "examples", examples)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(installed / "policyc"), "check", "--format", "json", str(examples)],
                            cwd=elsewhere, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 3
    language = [d for d in report["diagnostics"] if d["code"][0] in "SNT"]
    assert language == []
    version = subprocess.run([str(installed / "policyc"), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("policyc ")
