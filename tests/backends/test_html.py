"""The HTML backend: one standalone, accessible page per policy, an index page, and no author markup.

No browser here (tests/browser/ runs axe-core and Chromium): the page is parsed with the standard
library's html.parser and its structure checked. The examples, the complete test policies and
tests/policies/hostile.policy are built as a user would (`policyc.build.build`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import ClassVar

import pytest

from policyc.backends import BuildContext, dpv
from policyc.backends import html as html_backend
from policyc.build import IndexEntry, build
from policyc.driver import check_files
from policyc.model import Model

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
COMPLETE = [REPO / "tests" / "policies" / name for name in ("uk_gdpr_complete.policy", "gdpr_ccpa_complete.policy")]
HOSTILE = REPO / "tests" / "policies" / "hostile.policy"
ALL = [*COMPLETE, HOSTILE, *EXAMPLES]
SAFE_LINK = ("#", "https://", "http://", "mailto:", "tel:")


def ident(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    VOID: ClassVar[set[str]] = {"meta", "link", "br", "hr", "img", "input", "source", "wbr", "area", "base", "col",
                                "embed", "track"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.stack: list[str] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.styles: list[str] = []
        self.nav_links: list[str] = []
        self.toc_links: list[str] = []
        self.glance_first: bool | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if tag == "a" and "nav" in self.stack:
            self.nav_links.append(values.get("href", ""))
        if tag == "section" and self.stack and self.stack[-1] == "main" and self.glance_first is None:
            self.glance_first = values.get("id") == "at-a-glance"
        if tag == "script":
            self.scripts.append((values, ""))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            attrs, content = self.scripts[-1]
            self.scripts[-1] = (attrs, content + data)
        elif self.stack and self.stack[-1] == "style":
            self.styles.append(data)
        elif "head" not in self.stack:
            self.text.append(data)

    @property
    def shown(self) -> str:
        return " ".join(" ".join(self.text).split())

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.elements if "id" in a]

    def tags(self, name: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == name]


def model_of(path: Path) -> Model:
    return check_files([path]).models[str(path)]


_BUILT: dict[Path, str] = {}


@pytest.fixture(scope="module", autouse=True)
def site(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`policyc build --format md,html` of the complete and hostile policies, and of examples/, once."""
    out = tmp_path_factory.mktemp("html")
    result = build([str(p) for p in (*COMPLETE, HOSTILE)], out / "policies", ["md", "html"])
    assert len(result.written) == 6, "policyc build did not write the six files"
    for path in (*COMPLETE, HOSTILE):
        _BUILT[path] = (out / "policies" / f"{path.stem}.html").read_text(encoding="utf-8")
    result = build([str(REPO / "examples")], out / "examples", ["html"])
    assert len(result.written) == len(EXAMPLES) + 1, "policyc build did not write every example and the index"
    for path in EXAMPLES:
        _BUILT[path] = (out / "examples" / path.parent.name / "privacy.html").read_text(encoding="utf-8")


def built(path: Path) -> str:
    """The page of a policy, as `policyc build` wrote it."""
    return _BUILT[path]


# --- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_page_structure(path: Path) -> None:
    text = built(path)
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>\n<html lang=")
    assert [t for t, _ in page.elements].count("main") == 1
    assert len(page.tags("header")) == 1 and len(page.tags("footer")) == 1 and len(page.tags("h1")) == 1
    navs = page.tags("nav")
    assert len(navs) == 1 and navs[0].get("aria-labelledby") == "toc-heading"
    ids = page.ids()
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert page.nav_links and all(h.startswith("#") and h[1:] in ids for h in page.nav_links)
    internal = [a["href"] for a in page.tags("a") if a.get("href", "").startswith("#")]
    assert [h for h in internal if h[1:] not in ids] == [], "links to ids that do not exist"
    for name, attrs in page.elements:
        if "aria-labelledby" in attrs:
            assert attrs["aria-labelledby"] in ids, f"<{name}> labelled by a missing id"
    sections = page.tags("section")
    assert sections and all(s.get("id") and s.get("aria-labelledby") for s in sections)
    assert page.glance_first, "the first section of <main> is not the at-a-glance summary"
    skip = page.tags("a")[0]
    assert skip.get("class") == "skip-link" and skip.get("href") == "#main" and "main" in ids
    meta = {a.get("name"): a.get("content") for a in page.tags("meta")}
    assert meta["viewport"] == "width=device-width, initial-scale=1"


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_tables_have_captions_and_header_scopes(path: Path) -> None:
    text = built(path)
    page = Page(text)
    assert text.count("<table>") == text.count("<caption") == len(page.tags("table"))
    assert all(th.get("scope") in ("col", "row") for th in page.tags("th"))


@pytest.mark.parametrize("path", [*COMPLETE, *EXAMPLES], ids=ident)
def test_every_purpose_has_an_anchor_and_every_title_appears(path: Path) -> None:
    model = model_of(path)
    page = Page(built(path))
    ids = set(page.ids())
    assert {f"purpose-{p.key}" for p in model.purposes} <= ids
    assert {f"recipient-{r.key}" for r in model.recipients} <= ids
    assert {f"right-{r.right.key}" for r in model.rights} <= ids
    assert {f"cookie-{c.key}" for c in model.cookies} <= ids
    shown = page.shown
    titles = [p.title for p in model.purposes] + [r.title or r.legal_name for r in model.recipients]
    titles += [r.right.title for r in model.rights] + [c.title for c in model.cookies] + [d.title for d in model.data]
    titles += [s.title for s in model.sections] + [d.title for d in model.decisions]
    missing = [t for t in titles if " ".join(t.split()) not in shown]
    assert not missing, f"{path.name}: not on the page: {missing}"


def test_language_comes_from_the_policy() -> None:
    assert built(COMPLETE[0]).startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert built(COMPLETE[1]).startswith('<!DOCTYPE html>\n<html lang="en">')
    assert built(HOSTILE).startswith('<!DOCTYPE html>\n<html lang="en">')  # not a language tag: the default
    assert html_backend.language("") == "en" and html_backend.language("cy-GB") == "cy-GB"


def test_the_page_says_it_all_in_order() -> None:
    page = Page(built(COMPLETE[0]))
    h2 = [a.get("id") for a in page.tags("h2")]
    assert h2 == ["toc-heading", "at-a-glance-heading", "who-we-are-heading", "data-we-collect-heading",
                  "purposes-heading", "recipients-heading", "section-delivery_partners-heading",
                  "international-transfers-heading", "retention-heading", "your-rights-heading",
                  "automated-decisions-heading", "cookies-heading", "security-heading", "children-heading",
                  "changes-heading", "complaints-heading"]
    shown = page.shown
    for phrase in ("6 years after the end of our contract with you", "Information Commissioner's Office",
                   "Where we rely on your consent, you can withdraw it at any time",  # the stdlib's words
                   "Withdraw consent at any time in your account settings"):  # the author's
        assert phrase in shown
    processor = Page(built(COMPLETE[1]))
    assert "on-behalf-of-customers" in processor.ids() and "purpose-customer_workspaces" in processor.ids()


# --- standalone ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_nothing_is_loaded_from_anywhere(path: Path) -> None:
    text = built(path)
    page = Page(text)
    assert not [a for _, a in page.elements if "src" in a or "srcset" in a]
    # The one <link> names where the notice is published (rel=privacy-policy), and loads nothing.
    links = page.tags("link")
    assert [a.get("rel") for a in links] == ["privacy-policy"], links
    assert links[0].get("href", "").startswith(("https://", "http://")) or links[0].get("href", "").endswith(".html")
    assert not page.tags("img") and not page.tags("iframe")
    css = "\n".join(page.styles)
    assert "@import" not in css and "url(" not in css
    assert "@media print" in css and "@media (prefers-color-scheme: dark)" in css and ":focus-visible" in css
    assert [a.get("type") for a, _ in page.scripts] == ["application/ld+json"]  # no JavaScript at all
    hrefs = [a.get("href", "") for a in page.tags("a")]
    assert all(h.startswith(SAFE_LINK) for h in hrefs), [h for h in hrefs if not h.startswith(SAFE_LINK)]
    assert not [a for _, attrs in page.elements for a in attrs if a.lower().startswith("on")]


@pytest.mark.parametrize("path", [*COMPLETE, HOSTILE], ids=ident)
def test_the_dpv_json_ld_is_embedded_safely(path: Path) -> None:
    page = Page(built(path))
    ((attrs, content),) = page.scripts
    assert attrs == {"type": "application/ld+json"}
    assert "<" not in content and ">" not in content and "&" not in content
    expected = json.loads(dpv.render(model_of(path), BuildContext(stem=path.stem, source=str(path))))
    assert json.loads(content) == expected


# --- hostile author text -------------------------------------------------------------------------


def test_hostile_text_stays_text() -> None:
    text = built(HOSTILE)
    page = Page(text)
    assert text.count("<script") == 1 and '<script type="application/ld+json">' in text
    markup = re.sub(r"(?s)<script type=\"application/ld\+json\">.*?</script>", "", text)
    assert "onerror=" not in re.sub(r"&lt;.*?&gt;", "", markup)  # only inside escaped text
    assert not [a for _, attrs in page.elements for a in attrs if a.lower().startswith("on")]
    hrefs = [a.get("href", "") for a in page.tags("a")]
    assert not [h for h in hrefs if "javascript" in h.lower() or not h.startswith(SAFE_LINK)]
    assert not page.tags("img")
    ((_, jsonld),) = page.scripts
    assert "</script" not in jsonld.lower() and "<!--" not in jsonld
    shown = page.shown
    for literal in ("{{ 7*7 }}", "{% if true %}x{% endif %}", "<script>alert(1)</script>",
                    "[click](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>',
                    "</script><script>alert(2)</script>", "<img src=x onerror=alert(1)>"):
        assert literal in shown, f"{literal!r} is not shown as text"
    assert "Hostile <script>alert(1)</script> notice {{ 7*7 }}" in shown and "notice 49" not in shown
    # The Markdown image is a link to the picture, never fetched; the good link stays a link.
    assert "http://evil.example/x.png" in hrefs and "https://hostile.example/ok" in hrefs


def test_author_markdown_is_rendered_safely() -> None:
    rendered = html_backend.html_prose("# Title\n\n*em* [ok](https://x.example) [no](javascript:alert(1)) "
                                       "<b>raw</b> see https://y.example/a.", 2)
    assert rendered == ('<h3>Title</h3>\n<p><em>em</em> <a href="https://x.example">ok</a> '
                        '[no](javascript:alert(1)) &lt;b&gt;raw&lt;/b&gt; see '
                        '<a href="https://y.example/a">https://y.example/a</a>.</p>')
    assert html_backend.html_inline("one\n\ntwo `<x>`") == "one two <code>&lt;x&gt;</code>"
    assert html_backend.script_json('{"a": "</script>&"}') == '{"a": "\\u003c/script\\u003e\\u0026"}'


# --- templates, index, determinism -------------------------------------------------------------------


def test_templates_override_the_page(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "notice.html.j2").write_text(
        "<!DOCTYPE html>\n<html lang=\"{{ language }}\"><title>{{ notice.title }}</title>"
        "<main><h1>Custom {{ notice.controller_name }}</h1></main></html>\n")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "policyc", "build", str(COMPLETE[0]), "-o", str(out), "--format",
                          "html", "--templates", str(templates)], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    page = (out / "uk_gdpr_complete.html").read_text(encoding="utf-8")
    assert page == ('<!DOCTYPE html>\n<html lang="en-GB"><title>Privacy notice</title>'
                    "<main><h1>Custom Northwind Home Ltd</h1></main></html>\n")
    # A partial is overridden by its name too, and the style sheet by style.css.
    (templates / "notice.html.j2").unlink()
    (templates / "html" / "sections").mkdir(parents=True)
    (templates / "html" / "sections" / "glance.html.j2").write_text("<p>Our own summary of {{ notice.title }}.</p>\n")
    (templates / "style.css").write_text("body { color: black; }\n")
    build([str(HOSTILE)], out, ["html"], templates=templates)
    page = (out / "hostile.html").read_text(encoding="utf-8")
    assert "<p>Our own summary of Hostile &lt;script&gt;alert(1)&lt;/script&gt; notice {{ 7*7 }}.</p>" in page
    assert "<style>\nbody { color: black; }\n</style>" in page


def test_the_index_lists_every_policy(tmp_path: Path) -> None:
    entries = [IndexEntry("Privacy notice", "a/privacy.html", "a/privacy.policy"),
               IndexEntry("<script>alert(1)</script>", "javascript:alert(1).html", "x.policy")]
    text = html_backend.render_index(entries, None)
    page = Page(text)
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert len(page.tags("main")) == 1 and len(page.tags("h1")) == 1 and page.tags("title")
    assert [a["href"] for a in page.tags("a")] == ["#main", "a/privacy.html", "javascript%3Aalert%281%29.html"]
    assert "<script>alert(1)</script>" in page.shown and not page.scripts
    out = tmp_path / "site"
    build([str(REPO / "tests" / "policies")], out, ["html"])
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    hrefs = [a["href"] for a in index.tags("a")][1:]
    assert hrefs == ["gdpr_ccpa_complete.html", "hostile.html", "uk_gdpr_complete.html"]
    assert all((out / h).is_file() for h in hrefs)


def test_templates_ship_inside_the_package() -> None:
    folder = resources.files("policyc.backends").joinpath("templates")
    for name in ("notice.md.j2", "notice.html.j2", "index.html.j2", "style.css", "md/blocks.md.j2",
                 "html/blocks.html.j2", "html/toc.html.j2"):
        assert folder.joinpath(name).is_file(), name


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_outputs_are_byte_identical_across_builds_and_hash_seeds(tmp_path: Path) -> None:
    paths = [str(p) for p in (*COMPLETE, HOSTILE)]
    build(paths, tmp_path / "one", ["md", "html"])
    build(paths, tmp_path / "two", ["md", "html"])
    assert listing(tmp_path / "one") == listing(tmp_path / "two")
    seeded = []
    for seed in ("0", "1"):
        out = tmp_path / f"seed-{seed}"
        subprocess.run([sys.executable, "-m", "policyc", "build", *paths, "-o", str(out), "--format", "md,html"],
                       check=True, capture_output=True, cwd=REPO, env={**os.environ, "PYTHONHASHSEED": seed})
        seeded.append(listing(out))
    assert seeded[0] == seeded[1] == listing(tmp_path / "one")
