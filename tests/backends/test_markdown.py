"""The Markdown backend: a complete notice in reading order, clean CommonMark, and no author markup.

The examples, the complete test policies and tests/policies/hostile.policy are built as a user would
(`policyc.build.build`).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from policyc.backends import BuildContext, mdsafe
from policyc.backends import markdown as md
from policyc.build import build
from policyc.diagnostics.model import Span
from policyc.driver import check_files
from policyc.model import Model, RetentionRule
from policyc.notice import english
from tests.conftest import require_tool

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
COMPLETE = [REPO / "tests" / "policies" / name for name in ("uk_gdpr_complete.policy", "gdpr_ccpa_complete.policy")]
HOSTILE = REPO / "tests" / "policies" / "hostile.policy"
MARKDOWNLINT = REPO / "node_modules" / ".bin" / "markdownlint-cli2"
ALL = [*COMPLETE, HOSTILE, *EXAMPLES]


def ident(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@cache
def model_of(path: Path) -> Model:
    result = check_files([path])
    return result.models[str(path)]


_BUILT: dict[Path, str] = {}


@pytest.fixture(scope="module", autouse=True)
def site(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`policyc build --format md` of the complete and hostile policies, and of examples/, once."""
    out = tmp_path_factory.mktemp("md")
    result = build([str(p) for p in (*COMPLETE, HOSTILE)], out / "policies", ["md"])
    assert len(result.written) == 3, "policyc build did not write the three notices"
    for path in (*COMPLETE, HOSTILE):
        _BUILT[path] = (out / "policies" / f"{path.stem}.md").read_text(encoding="utf-8")
    result = build([str(REPO / "examples")], out / "examples", ["md"])
    assert result.written, "policyc build wrote nothing for examples/"
    for path in EXAMPLES:
        _BUILT[path] = (out / "examples" / path.parent.name / "privacy.md").read_text(encoding="utf-8")


def built(path: Path) -> str:
    """The Markdown notice of a policy, as `policyc build` wrote it."""
    return _BUILT[path]


def tokens(text: str) -> list[Token]:
    """Parsed as a permissive reader would: raw HTML on, every link kept, GitHub tables."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser.parse(text)


def flat(items: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in items:
        out.append(token)
        out.extend(flat(token.children or []))
    return out


def shown_text(text: str) -> str:
    """What a reader sees: the rendered HTML without tags, entities decoded, spaces collapsed."""
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    rendered = re.sub(r"</?(?:a|em|strong|code)\b[^>]*>", "", rendered)  # inline: no space
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def headings(text: str) -> list[tuple[int, str]]:
    found = tokens(text)
    return [(int(t.tag[1:]), found[i + 1].content) for i, t in enumerate(found) if t.type == "heading_open"]


def squash(text: str) -> str:
    return " ".join(text.split())


# --- completeness and order ------------------------------------------------------------------


@pytest.mark.parametrize("path", [*COMPLETE, *EXAMPLES], ids=ident)
def test_every_purpose_recipient_right_cookie_and_data_appears(path: Path) -> None:
    model = model_of(path)
    text = shown_text(built(path))
    titles = [p.title for p in model.purposes] + [r.title or r.legal_name for r in model.recipients]
    titles += [r.right.title for r in model.rights] + [c.title for c in model.cookies] + [d.title for d in model.data]
    titles += [s.title for s in model.sections] + [d.title for d in model.decisions]
    missing = [t for t in titles if squash(t) not in text]
    assert not missing, f"{path.name}: not in the Markdown notice: {missing}"
    for offered in model.rights:  # the stdlib's plain-English words (or the author's), not just the title
        assert squash(offered.description)[:60] in text


def test_the_notice_reads_in_the_order_people_look_for_things() -> None:
    text = built(COMPLETE[0])
    assert text.startswith("# Privacy notice\n")
    h2 = [title for level, title in headings(text) if level == 2]
    assert h2 == [
        "At a glance",
        "Who we are and how to contact us",
        "What data we collect and where it comes from",
        "Why we use your data and our legal basis",
        "Who we share your data with",
        "Choosing where your parcel goes",  # the author's section, `after recipients`
        "International transfers",
        "How long we keep your data",
        "Your rights",
        "Automated decisions",
        "Cookies and similar technologies",
        "How we protect your data",
        "Children",
        "Changes to this notice",
        "How to complain",
    ]
    rights = [title for level, title in headings(text) if level == 3]
    assert rights.index("Right of access") < rights.index("How to exercise your rights")
    assert {"Withdrawing your consent", "Objecting to how we use your data"} <= set(rights)


def test_processor_purposes_have_their_own_section() -> None:
    text = built(COMPLETE[1])
    found = headings(text)
    h2 = [title for level, title in found if level == 2]
    purposes = h2.index("Why we use your data and our legal basis")
    assert h2.index("Where we act on behalf of other organisations") == purposes + 1
    start = found.index((2, "Where we act on behalf of other organisations"))
    assert found[start + 1] == (3, "Hosting our customers' workspaces")
    table = text.split("| Purpose |", 1)[1].split("\n\n", 1)[0]
    assert "Hosting our customers" not in table  # the controller purposes' table leaves it out
    assert "On behalf of: the business customer that owns the workspace" in text
    assert h2.index("Your California privacy rights") == h2.index("Your rights") + 1  # `after rights`


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_headings_are_one_h1_then_steps_of_one(path: Path) -> None:
    found = headings(built(path))
    assert [level for level, _ in found].count(1) == 1 and found[0][0] == 1
    for (before, _), (after, title) in itertools.pairwise(found):
        assert after <= before + 1, f"{path.name}: heading {title!r} jumps from h{before} to h{after}"


def test_durations_and_retention_are_in_plain_english() -> None:
    text = built(COMPLETE[0])
    for phrase in ("6 years after the end of our contract with you (the limitation period for contract claims)",
                   "30 days after the date your account is closed", "Until the date you withdraw your consent",
                   "14 months from when we collect it", "Effective from 1 September 2026".lower(),
                   "| Google Analytics | \\_ga and \\_ga_ID | Website analytics provider |", "13 months"):
        assert phrase.lower() in text.lower(), phrase
    assert not re.search(r"\bP\d+[DWMY]\b", text)
    assert "contract_end" not in text and "account_closed" not in text


def test_complaints_name_the_authority_with_its_address() -> None:
    text = built(COMPLETE[0])
    complaints = text.split("## How to complain", 1)[1]
    assert "Information Commissioner's Office" in complaints
    assert "<https://ico.org.uk/make-a-complaint/>" in complaints
    eu = built(COMPLETE[1]).split("## How to complain", 1)[1]
    assert "Data Protection Commission (Ireland)" in eu and "<https://www.dataprotection.ie/>" in eu


# --- clean CommonMark --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_markdown_is_tidy(path: Path) -> None:
    text = built(path)
    lines = text.split("\n")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert not [n for n, line in enumerate(lines, 1) if line != line.rstrip()], "trailing spaces"
    assert "\n\n\n" not in text
    for n, line in enumerate(lines):
        if line.startswith("#"):
            assert n == 0 or lines[n - 1] == "", f"no blank line before {line!r}"
            assert lines[n + 1] == "", f"no blank line after {line!r}"
    rows = [line for line in lines if line.startswith("|")]
    for row in rows:
        assert row.endswith(" |")
    for table in re.findall(r"(?m)^(?:\|.*\n)+", text):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, f"{path.name}: rows with different numbers of cells:\n{table}"


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_no_raw_html_and_only_safe_links(path: Path) -> None:
    found = flat(tokens(built(path)))
    assert not [t.content for t in found if t.type in ("html_block", "html_inline")]
    assert not [t for t in found if t.type == "image"]
    hrefs = [str(t.attrGet("href")) for t in found if t.type == "link_open"]
    assert all(h.lower().startswith(("http://", "https://", "mailto:", "tel:")) for h in hrefs), hrefs


def test_markdownlint_passes_on_the_test_policies(tmp_path: Path) -> None:
    """Examples are linted by tests/test_markdownlint.py; this adds the complete and hostile policies."""
    require_tool(shutil.which("node") is not None and MARKDOWNLINT.is_file(),
                 "node_modules/.bin/markdownlint-cli2 (`npm ci`)")
    files = []
    for path in (*COMPLETE, HOSTILE):
        target = tmp_path / f"{path.stem}.md"
        target.write_text(built(path), encoding="utf-8")
        files.append(f":{target}")
    run = subprocess.run([str(MARKDOWNLINT), *files], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


# --- hostile author text -------------------------------------------------------------------------


def test_hostile_text_never_becomes_markup() -> None:
    text = built(HOSTILE)
    for raw in ("<script", "<img", "<a ", "</script", "onerror=alert(1)>"):
        assert raw not in text
    found = flat(tokens(text))
    hrefs = [str(t.attrGet("href")) for t in found if t.type == "link_open"]
    assert not [h for h in hrefs if "javascript" in h.lower()]
    assert not [t for t in found if t.type in ("html_block", "html_inline", "image")]
    shown = shown_text(text)
    for literal in ("{{ 7*7 }}", "{% if true %}x{% endif %}", "<script>alert(1)</script>",
                    "[click](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>',
                    "</script><script>alert(2)</script>", "<img src=x onerror=alert(1)>"):
        assert literal in shown, f"{literal!r} is not shown as text"
    assert "Hostile <script>alert(1)</script> notice {{ 7*7 }}" in shown
    assert "notice 49" not in shown


def test_author_headings_move_below_the_section() -> None:
    text = built(HOSTILE)
    assert "## A heading &lt;img src=x onerror=alert(1)&gt;" in text  # `#` in the summary, under the h1


# --- templates ---------------------------------------------------------------------------------


def test_a_templates_folder_overrides_any_template(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "md" / "sections").mkdir(parents=True)
    (templates / "md" / "sections" / "glance.md.j2").write_text("Custom glance for {{ notice.controller_name }}.\n")
    out = tmp_path / "out"
    build([str(COMPLETE[0])], out, ["md"], templates=templates)
    text = (out / "uk_gdpr_complete.md").read_text(encoding="utf-8")
    assert "## At a glance\n\nCustom glance for Northwind Home Ltd.\n" in text
    assert "## Who we are and how to contact us" in text  # the other templates are the package's
    (templates / "notice.md.j2").write_text("# {{ notice.title }}\n\nOnly {{ model.purposes|length }} purposes.\n")
    build([str(COMPLETE[0])], out, ["md"], templates=templates)
    assert (out / "uk_gdpr_complete.md").read_text(encoding="utf-8") == "# Privacy notice\n\nOnly 9 purposes.\n"


def test_values_in_a_custom_template_are_escaped_too(tmp_path: Path) -> None:
    (tmp_path / "notice.md.j2").write_text("# {{ notice.title }}\n\n{{ notice.controller_name }}\n")
    context = BuildContext(stem="hostile", source=str(HOSTILE), templates=tmp_path)
    text = md.render(model_of(HOSTILE), context)
    assert "<script" not in text and "&lt;/script&gt;" in text


# --- the helpers ---------------------------------------------------------------------------------


def test_durations_dates_and_events_in_words() -> None:
    assert english.duration_text("P6Y") == "6 years"
    assert english.duration_text("P1M") == "1 month"
    assert english.duration_text("P2W") == "2 weeks"
    assert english.duration_text("P30D") == "30 days"
    assert english.date_text(dt.date(2026, 9, 1)) == "1 September 2026"
    lib = model_of(COMPLETE[0]).lexicon
    span = Span("<test>", 0, 0, 1, 1, 1, 1)
    rule = RetentionRule(span=span, period="P6Y", after="contract_end", reason="claims")
    assert english.retention_text(lib, rule) == "6 years after the end of our contract with you"
    assert english.retention_text(lib, RetentionRule(span=span, until="consent_withdrawn")) == \
        "Until the date you withdraw your consent"
    assert english.retention_text(lib, RetentionRule(span=span, period="P30D", until="my_own_event")) == \
        "30 days after my own event"  # an unknown event falls back to its name in words
    assert english.retention_text(lib, RetentionRule(span=span, criteria="as long as needed")) == "As long as needed"
    assert english.retention_text(lib, None) == ""  # silence: the notice decides what to show


@pytest.mark.parametrize(("text", "expected"), [
    ("1. Not a list", "1\\. Not a list"),
    ("- not a bullet", "\\- not a bullet"),
    ("a | b", "a \\| b"),
    ("snake_case and _emphasis_", "snake_case and \\_emphasis\\_"),
    ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),
    ("*x* [y](z) `c` # h ~s~", "\\*x\\* \\[y\\](z) \\`c\\` \\# h \\~s\\~"),
    ("write to a@b.example or see https://x.example/p.", "write to <a@b.example> or see <https://x.example/p>."),
    ("www.x.example", "[www.x.example](https://www.x.example)"),
    ("{{ 7*7 }}", "{{ 7\\*7 }}"),
])
def test_plain_strings_are_escaped(text: str, expected: str) -> None:
    assert mdsafe.md_escape(text) == expected
    assert shown_text(mdsafe.md_escape(text)) == text  # the reader sees exactly the author's text


def test_author_markdown_is_rewritten_from_its_tokens() -> None:
    source = "# Title\n\nSome *em*, **strong**, `code` and [a link](https://x.example/a_(b)).\n\n- one\n- two\n"
    out = mdsafe.md_prose(source, 2)
    assert out == ("### Title\n\nSome *em*, **strong**, `code` and [a link](https://x.example/a_%28b%29).\n\n"
                   "- one\n- two")
    assert mdsafe.md_prose("[x](javascript:alert(1)) <b>x</b>") == "\\[x\\](javascript:alert(1)) &lt;b&gt;x&lt;/b&gt;"
    assert mdsafe.md_prose("![alt](https://x.example/i.png)") == "[alt](https://x.example/i.png)"
    assert mdsafe.md_inline("a | b\n\nc `d|e`") == "a \\| b c d\\|e"
