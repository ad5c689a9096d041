"""The documentation site: `mkdocs build --strict` (mkdocs.yml, mkdocs_hooks.py) builds `docs/`.

- No warning at all: every link and anchor resolves, every page is in the nav.
- Every rule page is in the nav and in the site.
- Every example's notice is in the site, exactly as `policyc build` writes it, and the examples
  page links each one.
- ```` ```policy ```` blocks are highlighted by policyc's own Pygments lexer: the token classes in
  the HTML are the ones `PolicyLexer` gives the block's text.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pygments import highlight
from pygments.formatters import HtmlFormatter

from policyc.build import build
from policyc.highlight import PolicyLexer
from tests.conftest import REPO

RULE_PAGES = sorted(p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs" / "rules").glob("*.md"))
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/privacy.policy"))

_POLICY_BLOCK = re.compile(r'<div class="language-policy highlight"><pre><span></span><code>(.*?)</code></pre></div>',
                           re.DOTALL)
_SPAN = re.compile(r'<span class="([^"]+)">([^<]*)</span>|([^<]+)')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
         "--site-dir", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert not re.search(r"^(WARNING|ERROR)\b", log, re.MULTILINE), log
    return out


def _nav_files(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _nav_files(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _nav_files(value)


def test_every_page_is_in_the_nav() -> None:
    nav = list(_nav_files(yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]))
    assert len(nav) == len(set(nav))
    pages = {p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md")}
    assert len(RULE_PAGES) >= 79  # the index and a page per rule
    assert set(RULE_PAGES) <= set(nav)
    assert pages | {"examples.md"} == set(nav)  # examples.md is made by mkdocs_hooks.py


def test_site_builds_with_every_rule_page(site: Path) -> None:
    for page in RULE_PAGES:
        target = site / page.removesuffix(".md").removesuffix("index") / "index.html"
        assert target.is_file(), page
    p010 = (site / "rules" / "P010" / "index.html").read_text(encoding="utf-8")
    assert "purpose-without-basis" in p010
    assert 'href="../../configuration/"' in p010  # the rule pages' links work in the site too


def test_examples_are_built_and_linked(site: Path, tmp_path: Path) -> None:
    assert EXAMPLES, "no examples found"
    built = build([str(REPO / "examples")], tmp_path, ["html", "json", "dpv", "fides"])
    assert built.check.errors == 0
    page = (site / "examples" / "index.html").read_text(encoding="utf-8")
    for name in EXAMPLES:
        for suffix in (".html", ".json", ".jsonld", ".fides.yml"):
            published = site / "notices" / name / f"privacy{suffix}"
            assert published.read_bytes() == (tmp_path / name / f"privacy{suffix}").read_bytes(), published
            assert f'href="../notices/{name}/privacy{suffix}"' in page
        source = site / "notices" / name / "privacy.policy"
        assert source.read_bytes() == (REPO / "examples" / name / "privacy.policy").read_bytes()
        assert f'href="../notices/{name}/privacy.policy"' in page
        notice = (site / "notices" / name / "privacy.html").read_text(encoding="utf-8")
        assert notice.lstrip().lower().startswith("<!doctype html>")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="examples/"' in home


def _expected_classes(code: str) -> list[tuple[str, str]]:
    """The (CSS class, text) runs of `code` highlighted with PolicyLexer by Pygments' HTML formatter."""
    return _html_classes(highlight(code, PolicyLexer(), HtmlFormatter(nowrap=True)))


def _html_classes(block: str) -> list[tuple[str, str]]:
    runs = [(match[1] or "", html.unescape(match[2] if match[1] else match[3])) for match in _SPAN.finditer(block)]
    return [(css, text) for css, text in runs if css not in ("", "w") and text.strip()]


@pytest.mark.parametrize("page", ["index.html", "language/index.html", "formatting/index.html",
                                  "rules/P010/index.html"])
def test_policy_blocks_are_highlighted_by_the_policy_lexer(site: Path, page: str) -> None:
    text = (site / page).read_text(encoding="utf-8")
    blocks = _POLICY_BLOCK.findall(text)
    assert blocks, f"no highlighted policy block in {page}"
    classes: set[str] = set()
    for block in blocks:
        code = html.unescape(re.sub(r"<[^>]+>", "", block))
        found = _html_classes(block)
        assert found == _expected_classes(code)
        classes.update(css for css, _ in found)
    assert classes & {"k", "kd", "kn", "kr", "kt", "kc"}, f"no keyword token in {page}"
    css = (site / "css" / "pygments.css").read_text(encoding="utf-8")
    assert ".highlight .k " in css
    assert 'href="' + "../" * page.count("/") + 'css/pygments.css"' in text
