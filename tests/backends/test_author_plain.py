"""Author text without Markdown syntax is rendered without markdown-it, exactly as it renders it.

`policyc.backends.author.plain_paragraphs` says when a text holds no Markdown syntax; the Markdown
and HTML backends then write its paragraphs themselves. These tests compare that path with the one
through markdown-it's tokens on any text the check lets through, and check that a build whose texts
are plain does not load markdown-it at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from policyc.backends.author import dedent_text, plain_paragraphs
from policyc.backends.author_html import blocks_html, inline_html
from policyc.backends.html import html_inline, html_prose
from policyc.backends.mdsafe import inline_from_tokens, md_inline, md_prose, md_url, prose_from_tokens

REPO = Path(__file__).resolve().parents[2]

# Words, punctuation that is not Markdown syntax, the characters that are, digits that may start a list,
# addresses that become links, and line breaks, blank lines and indentation.
_PIECES = st.one_of(
    st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8),
    st.sampled_from([" ", " ", " ", "  ", ".", ",", ";", ":", "!", "?", "'", '"', "(", ")", "/", "%", "$", "@", "^",
                     "{", "}", "“", "”", "—", "é", "\u00a0", "\u3000", "\t"]),
    st.sampled_from(["-", "+", "=", "*", "_", "#", ">", "<", "&", "`", "[", "]", "\\", "~", "|", "1.", "2)", "10."]),
    st.sampled_from(["privacy@acme.example", "https://acme.example/a?b=c", "www.acme.example", "amp;"]),
    st.sampled_from(["\n", "\n", "\n\n", "\n   ", "\n    ", "\n\n    ", " \n", "  \n", "\r\n"]),
)
_TEXTS = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=60))


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_plain_text_renders_as_markdown_it_renders_it(text: str) -> None:
    plain = plain_paragraphs(dedent_text(text)) is not None
    event("plain" if plain else "parsed")
    if not plain or not text.strip():
        return
    assert str(html_prose(text, 2)) == blocks_html(text, 2)
    assert str(html_inline(text)) == inline_html(text)
    assert str(md_prose(text, 2)) == prose_from_tokens(text, 2)
    assert str(md_inline(text)) == inline_from_tokens(text)


@pytest.mark.parametrize("text", [
    "We keep your data safe.",
    "Write to privacy@acme.example or visit https://acme.example/privacy.\n\nWe answer within a month.",
    """
    Where we rely on your consent, you can withdraw it at any time, and withdrawing must be
    as easy as giving it.
    """,
])
def test_prose_without_syntax_is_plain(text: str) -> None:
    assert plain_paragraphs(dedent_text(text)) is not None


@pytest.mark.parametrize("text", [
    "- a list", "1. a list", "2) a list", "a *stressed* word", "a [link](https://acme.example)", "<b>raw</b>",
    "Title\n=====", "Title\n---", "para\n\nmore\n\n    indented code", "AT&amp;T", "a `code` span", "# heading",
    "> quoted", "first\nline with a hard break  \nnext", "escaped \\* star", "~~~\nfence\n~~~",
])
def test_markdown_syntax_is_parsed(text: str) -> None:
    assert plain_paragraphs(dedent_text(text)) is None


@given(st.from_regex(r"tel:\+?[0-9]{1,15}", fullmatch=True))
def test_telephone_links_need_no_normalising(url: str) -> None:
    from policyc.backends.author import author_parser

    assert md_url(url) == author_parser().normalizeLink(url)


_PROBE = """
import io, sys
from policyc.cli import main
sys.stdout = io.StringIO()
try:
    main(["build", sys.argv[1], "-o", sys.argv[2], "--statistics"])
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print("markdown_it" in sys.modules)
"""


@pytest.mark.parametrize(("edit", "loaded"), [
    ("", False),  # the standard library's texts and this notice's are plain
    ("we delete it.", "we delete it:\n\n    - from our systems\n    - from our backups"),
])
def test_markdown_it_is_loaded_only_for_texts_with_syntax(tmp_path: Path, edit: str, loaded: object) -> None:
    text = (REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8")
    if edit:
        assert edit in text
        text = text.replace(edit, str(loaded))
    policy = tmp_path / "notice.policy"
    policy.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _PROBE, str(policy), str(tmp_path / "out")], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(bool(edit))
    page = (tmp_path / "out" / "notice.html").read_text(encoding="utf-8")
    assert ("<li>from our backups</li>" in page) == bool(edit)


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80).filter(
    lambda t: "@" not in t and "://" not in t and "www." not in t))
def test_text_without_address_marks_has_no_address(text: str) -> None:
    """`split_links` skips its pattern when none of `@`, `://` and `www.` is in the text: then it has no match."""
    from policyc.backends.author import _LINKISH, split_links

    assert _LINKISH.search(text) is None
    assert split_links(text) == ([("text", text, "")] if text else [])
