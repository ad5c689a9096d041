"""The Markdown notices pass markdownlint-cli2 (pinned in package.json, configured by
.markdownlint-cli2.jsonc at the repository root).

Without `node_modules/.bin/markdownlint-cli2` (`npm ci` installs it) the test skips on a developer's
machine and fails in CI, where the environment variable CI is set (see docs/ci-browser.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_tool as require

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
MARKDOWNLINT = REPO / "node_modules" / ".bin" / "markdownlint-cli2"
STEMS = sorted(p.relative_to(EXAMPLES).with_suffix("").as_posix() for p in EXAMPLES.rglob("*.policy"))




@pytest.fixture(scope="module")
def markdown_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example built as Markdown by `policyc build`."""
    from tests.browser.conftest import publish

    out = tmp_path_factory.mktemp("md-examples")
    publish([EXAMPLES], out, "md")
    return out


@pytest.mark.parametrize("stem", STEMS)
def test_markdownlint(markdown_site: Path, stem: str) -> None:
    require(shutil.which("node") is not None, "Node.js (`node`)")
    require(MARKDOWNLINT.is_file(), "node_modules/.bin/markdownlint-cli2 (`npm ci`)")
    path = markdown_site / f"{stem}.md"
    built = sorted(p.relative_to(markdown_site).as_posix() for p in markdown_site.rglob("*"))
    assert path.is_file(), f"policyc build did not write {stem}.md; it wrote {built}"
    # From the repository root, so .markdownlint-cli2.jsonc applies; `:` marks a literal path, not a glob.
    run = subprocess.run([str(MARKDOWNLINT), f":{path}"], cwd=REPO, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        output = run.stdout + run.stderr
        pytest.fail(f"markdownlint-cli2 found problems in {stem}.md (exit {run.returncode}):\n"
                    f"{output}{quote_lines(path, output)}", pytrace=False)


def quote_lines(path: Path, output: str) -> str:
    """The lines markdownlint-cli2 complains about, so the failure shows them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    numbers = sorted({int(m) for m in re.findall(rf"{re.escape(path.name)}:(\d+)", output)})
    quoted = [f"{n:>5} | {lines[n - 1]}" for n in numbers[:40] if 0 < n <= len(lines)]
    return "\nThe lines:\n" + "\n".join(quoted) if quoted else ""


def test_markdownlint_change_history(tmp_path: Path) -> None:
    """A notice built with --previous (both kinds of change in its history) passes too."""
    require(shutil.which("node") is not None, "Node.js (`node`)")
    require(MARKDOWNLINT.is_file(), "node_modules/.bin/markdownlint-cli2 (`npm ci`)")
    from policyc.build import build

    current = REPO / "tests" / "policies" / "uk_gdpr_complete.policy"
    text = current.read_text(encoding="utf-8")
    previous = tmp_path / "previous.policy"
    previous.write_text(text.replace("retain 14 months", "retain 12 months").replace(
        "Keeping accounts and tax records", "Keeping accounts"), encoding="utf-8")
    result = build([str(current)], tmp_path / "out", ["md"], previous=str(previous))
    (path,) = result.written
    assert "#### Changes that affect you" in path.read_text(encoding="utf-8")
    run = subprocess.run([str(MARKDOWNLINT), f":{path}"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr + quote_lines(path, run.stdout + run.stderr)


def test_the_repositorys_own_markdown_passes_its_own_configuration() -> None:
    """The docs, the README and the examples' pages pass .markdownlint-cli2.jsonc, as an editor shows them."""
    require(shutil.which("node") is not None, "Node.js (`node`)")
    require(MARKDOWNLINT.is_file(), "node_modules/.bin/markdownlint-cli2 (`npm ci`)")
    run = subprocess.run([str(MARKDOWNLINT), "docs/**/*.md", "README.md", "examples/**/*.md"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
