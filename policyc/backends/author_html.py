"""Author Markdown with Markdown syntax in it, parsed by markdown-it-py and rendered as safe HTML.

Imported only when some author text needs the parser: text without any Markdown syntax is rendered by
`policyc.backends.html` directly (`policyc.backends.author.plain_paragraphs`), the same HTML without
loading markdown-it. Raw HTML is off, only http(s), mailto and tel links are kept, images become
links, bare web and e-mail addresses in text are linked, and every piece of text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import escape

from policyc.backends.author import author_parser, dedent_text, links_html, parse_author, safe_link


class _AuthorRenderer(RendererHTML):
    """markdown-it's HTML renderer, with images as links, addresses linked, and code without classes."""

    @staticmethod
    def _in_link(tokens: Sequence[Token], idx: int) -> bool:
        return sum(1 if t.type == "link_open" else -1 if t.type == "link_close" else 0 for t in tokens[:idx]) > 0

    def text(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        content = tokens[idx].content
        return str(escape(content)) if self._in_link(tokens, idx) else links_html(content)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env).strip()
        src = str(token.attrGet("src") or "")
        if not safe_link(src) or self._in_link(tokens, idx):
            return str(escape(alt or src))
        return f'<a href="{escape(src)}">{escape(alt or src)}</a>'  # never fetched: shown as a link

    def code_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<pre><code>{escape(tokens[idx].content)}</code></pre>\n"

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<pre><code>{escape(tokens[idx].content)}</code></pre>\n"

    def html_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return str(escape(tokens[idx].content))  # never produced with html off; escaped all the same

    def html_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return str(escape(tokens[idx].content))


_RENDERER = _AuthorRenderer()


def _name_empty_links(tokens: Sequence[Token]) -> None:
    """A link with no text (`[](https://...)`) shows its address, so that every link has a name."""
    for token in tokens:
        if not token.children:
            continue
        children: list[Token] = []
        for child in token.children:
            if child.type == "link_close" and children and children[-1].type == "link_open":
                text = Token("text", "", 0)
                text.content = str(children[-1].attrGet("href") or "")
                children.append(text)
            children.append(child)
        token.children = children


def blocks_html(source: str, level: int) -> str:
    """Author Markdown as HTML blocks, its headings placed below `level`."""
    tokens = parse_author(source, level)
    _name_empty_links(tokens)
    return _RENDERER.render(tokens, author_parser().options, {}).strip()


def inline_html(source: str) -> str:
    """Author Markdown on one line: the inline content of its blocks (and its code) joined with spaces."""
    tokens = author_parser().parse(dedent_text(source))
    _name_empty_links(tokens)
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.append(_RENDERER.renderInline(token.children or [], author_parser().options, {}).strip())
        elif token.type in ("code_block", "fence"):
            parts.append(f"<code>{escape(token.content.strip())}</code>")
    return " ".join(p for p in parts if p)
