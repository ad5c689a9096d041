"""A wheel installed into a fresh virtual environment works from an unrelated folder."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
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


# The source distribution runs its own tests: every file the tests or CI read must be inside it.
SDIST_FILES = (
    "pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "mkdocs.yml", "mkdocs_hooks.py",
    "package.json", "package-lock.json", ".markdownlint-cli2.jsonc", ".ci/run",
    "benchmarks/__main__.py", "editors/vscode/package.json", "editors/vscode/LICENSE",
    "editors/vscode/.vscodeignore", "editors/vscode/syntaxes/policy.tmLanguage.json",
    "editors/vscode/language-configuration.json", "grammar/policy.lark", "stdlib/core.policy",
    "docs/rules/P010.md", "examples/infisim/privacy.policy", "tests/conftest.py",
    "tests/tools/ajv-validate.cjs", "tests/data/sarif-schema-2.1.0.json", "policyc/py.typed",
)


@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory, repo: Path) -> tuple[Path, Path]:
    """The sdist and the wheel, built offline from the working tree."""
    out = tmp_path_factory.mktemp("dists")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", str(out)],
                   cwd=repo, check=True, capture_output=True)
    (sdist,) = out.glob("policyc-*.tar.gz")
    (wheel,) = out.glob("policyc-*.whl")
    return sdist, wheel


def test_sdist_holds_what_its_tests_need(distributions: tuple[Path, Path]) -> None:
    sdist, _ = distributions
    with tarfile.open(sdist) as archive:
        top = sdist.name.removesuffix(".tar.gz")
        names = {name.removeprefix(f"{top}/") for name in archive.getnames()}
        run = archive.getmember(f"{top}/.ci/run")
    missing = [name for name in SDIST_FILES if name not in names]
    assert missing == []
    assert run.mode & 0o100, ".ci/run must stay executable"
    assert not [name for name in names if "node_modules/" in name or name.startswith(".ci/wheelhouse")]


def test_wheel_carries_py_typed_and_the_licence(distributions: tuple[Path, Path], repo: Path) -> None:
    _, wheel = distributions
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/METADATA"))
        metadata = archive.read(f"{info}/METADATA").decode()
        licence = archive.read(f"{info}/licenses/LICENSE")
    assert "policyc/py.typed" in names
    assert licence == (repo / "LICENSE").read_bytes()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata
    assert "Apache License" in licence.decode() and "Version 2.0, January 2004" in licence.decode()


def test_readme_renders_outside_the_repository(repo: Path) -> None:
    """On PyPI a relative link or image in the README points nowhere: links are absolute or not
    links at all (docs/packaging.md)."""
    readme = (repo / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)", readme) + re.findall(r"<img[^>]*src=\"([^\"]+)\"", readme)
    relative = [target for target in targets if not target.startswith(("https://", "http://", "#"))]
    assert relative == []
