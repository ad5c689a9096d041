"""HTML backend: the notice as one standalone, accessible page, and the index page of a folder build.

The notice stage (`policyc.notice.compose`) decides what the page says; this backend renders its
statements. The page needs nothing from anywhere else: the style sheet is inline, there are no
fonts, images or scripts to fetch, and no JavaScript (the one `<script>` element is the DPV JSON-LD,
which is data). Templates are autoescaped; each part of a statement is escaped for HTML, author
Markdown is rendered by markdown-it-py with raw HTML off and only http(s), mailto and tel links. The
JSON-LD has `<`, `>` and `&` written as `\\u003c`, `\\u003e` and `\\u0026`, so no author text can
close the script element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

from policyc import __version__
from policyc.backends import BuildContext
from policyc.backends.author import (
    author_parser,
    bytecode_cache,
    dedent_text,
    environment_for,
    parse_author,
    safe_link,
    split_links,
    template_loader,
)
from policyc.model import Model
from policyc.notice.statements import Link, Markdown, See, Statement, Words

if TYPE_CHECKING:
    from policyc.build import IndexEntry

_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def _links(text: str) -> str:
    """Escaped text with its bare web and e-mail addresses as links."""
    out: list[str] = []
    for kind, part, href in split_links(text):
        if kind == "link" and safe_link(href):
            out.append(f'<a href="{escape(href)}">{escape(part)}</a>')
        else:
            out.append(str(escape(part)))
    return "".join(out)


class _AuthorRenderer(RendererHTML):
    """markdown-it's HTML renderer, with images as links, addresses linked, and code without classes."""

    @staticmethod
    def _in_link(tokens: Sequence[Token], idx: int) -> bool:
        return sum(1 if t.type == "link_open" else -1 if t.type == "link_close" else 0 for t in tokens[:idx]) > 0

    def text(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        content = tokens[idx].content
        return str(escape(content)) if self._in_link(tokens, idx) else _links(content)

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


def html_prose(text: object, level: int = 2) -> Markup:
    """Author Markdown as safe HTML blocks, its headings placed below `level`."""
    if isinstance(text, Markup):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return Markup("")
    tokens = parse_author(source, level)
    _name_empty_links(tokens)
    return Markup(_RENDERER.render(tokens, author_parser().options, {}).strip())


def html_inline(text: object) -> Markup:
    """Author Markdown on one line (a table cell, a list item): its blocks joined with spaces."""
    if isinstance(text, Markup):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return Markup("")
    tokens = author_parser().parse(dedent_text(source))
    _name_empty_links(tokens)
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.append(_RENDERER.renderInline(token.children or [], author_parser().options, {}).strip())
        elif token.type in ("code_block", "fence"):
            parts.append(f"<code>{escape(token.content.strip())}</code>")
    return Markup(" ".join(p for p in parts if p))


def _link(label: object, href: object) -> Markup:
    target = str(href)
    if not safe_link(target):
        return escape(label)
    return Markup(f'<a href="{escape(target)}">{escape(label)}</a>')


def html_statement(statement: Statement | None) -> Markup:
    """One statement, every part escaped for HTML; references to the page are links."""
    if statement is None:
        return Markup("")
    out: list[str] = []
    for part in statement.parts:
        if isinstance(part, Words):
            out.append(_links(part.text))
        elif isinstance(part, Markdown):
            out.append(str(html_inline(part.text)))
        elif isinstance(part, Link):
            out.append(str(_link(part.text, part.href)))
        elif isinstance(part, See):
            link = f'<a href="#{escape(part.target)}">{escape(part.title)}</a>'
            out.append(f"“{link}”" if part.quoted else link)
    return Markup(" ".join("".join(out).split()))


def html_item(statement: Statement) -> Markup:
    """A list item: `Label: statement`."""
    text = html_statement(statement)
    if not statement.label:
        return text
    separator = " " if statement.label.endswith("?") else ": "
    return Markup(f"{escape(statement.label)}{separator}{text}")


def html_sentences(statements: list[Statement]) -> Markup:
    return Markup(" ").join(html_statement(s) for s in statements)


def _markdown_text(statement: Statement | None) -> str:
    if statement is None:
        return ""
    return "\n\n".join(p.text for p in statement.parts if isinstance(p, Markdown | Words))


def _environment(templates: Path | None, *, auto_reload: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=template_loader(templates), autoescape=True, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, auto_reload=auto_reload,
        bytecode_cache=bytecode_cache("html"),
    )
    filters: dict[str, Callable[..., Any]] = {
        "statement": html_statement,
        "item": html_item,
        "sentences": html_sentences,
        "prose": lambda statement, level=2: html_prose(_markdown_text(statement), level),
    }
    env.filters.update(filters)
    return env


html_environment = environment_for(_environment)


def script_json(text: str) -> Markup:
    """JSON text that is safe inside `<script>`: `<`, `>` and `&` as JSON escapes (same data, no `</script>`)."""
    safe = text.strip().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(safe)


def language(tag: str) -> str:
    """The page's `lang`: the policy's BCP 47 tag when it looks like one, else `en`."""
    return tag if _LANGUAGE.match(tag) else "en"


def published_url(url: str, fallback: str) -> str:
    """Where a notice lives, for `<link rel="privacy-policy">`: its http(s) `url`, else the built page."""
    return url if re.match(r"https?://", url, re.I) else fallback


def render(model: Model, context: BuildContext) -> str:
    from policyc.backends import dpv  # the DPV backend gives the JSON-LD embedded in the page

    notice = context.composed(model)
    env = html_environment(context.templates)
    return _tidy(env.get_template("notice.html.j2").render(
        notice=notice, model=model, language=language(notice.language), policyc_version=__version__,
        privacy_policy=published_url(model.policy.url if model.policy else "", quote(f"{context.stem}.html")),
        jsonld=script_json(dpv.render(model, context))))


def render_index(entries: list[IndexEntry], templates: Path | None) -> str:
    """The index page of a folder build: every policy's title, linked to its page."""
    env = html_environment(templates)
    items = [{"title": e.title, "controller": e.controller, "href": quote(e.href, safe="/"), "source": e.source,
              "name": e.href.removesuffix(".html"), "published": published_url(e.url, quote(e.href, safe="/"))}
             for e in entries]
    return _tidy(env.get_template("index.html.j2").render(
        entries=items, policyc_version=__version__, generator=f"policyc {__version__}"))


def _tidy(text: str) -> str:
    """No trailing spaces and no blank lines (outside `<pre>`), one newline at the end."""
    out: list[str] = []
    in_pre = False
    for line in text.split("\n"):
        if not in_pre:
            line = line.rstrip()
            if not line:
                continue
        out.append(line)
        in_pre = (in_pre or "<pre>" in line) and "</pre>" not in line.split("<pre>")[-1]
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
