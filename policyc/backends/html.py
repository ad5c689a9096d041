"""HTML backend: the notice as one standalone, accessible page, and the index page of a folder build.

The notice stage (`policyc.notice.compose`) decides what the page says; this backend renders its
statements. The page needs nothing from anywhere else: the style sheet is inline, there are no
fonts, images or scripts to fetch, and no JavaScript (the one `<script>` element is the DPV JSON-LD,
which is data). Templates are autoescaped; each part of a statement is escaped for HTML, author
Markdown is rendered by markdown-it-py with raw HTML off and only http(s), mailto and tel links
(`policyc.backends.author_html`; a text without Markdown syntax is written here as it renders it). The
JSON-LD has `<`, `>` and `&` written as `\\u003c`, `\\u003e` and `\\u0026`, so no author text can
close the script element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from policyc import __version__
from policyc.backends import BuildContext
from policyc.backends.author import (
    bytecode_cache,
    dedent_text,
    environment_for,
    links_html,
    plain_paragraphs,
    safe_link,
    template_loader,
)
from policyc.model import Model
from policyc.notice.statements import Link, Markdown, See, Statement, Words
from policyc.patterns import regex

if TYPE_CHECKING:
    from policyc.build import IndexEntry

_LANGUAGE = regex(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_WEB_ADDRESS = regex(r"https?://", re.I)


def html_prose(text: object, level: int = 2) -> Markup:
    """Author Markdown as safe HTML blocks, its headings placed below `level`."""
    if isinstance(text, Markup):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return Markup("")
    paragraphs = plain_paragraphs(dedent_text(source))
    if paragraphs is not None:  # no Markdown syntax: what markdown-it would make of it, without it
        return Markup("\n".join(f"<p>{_lines_html(lines)}</p>" for lines in paragraphs))
    from policyc.backends.author_html import blocks_html

    return Markup(blocks_html(source, level))


def _lines_html(lines: list[str]) -> str:
    """The lines of a paragraph of plain text, escaped and with their addresses linked, as markdown-it
    renders them (a soft line break stays a line break)."""
    return "\n".join(links_html(line) for line in lines)


def html_inline(text: object) -> Markup:
    """Author Markdown on one line (a table cell, a list item): its blocks joined with spaces."""
    if isinstance(text, Markup):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return Markup("")
    paragraphs = plain_paragraphs(dedent_text(source))
    if paragraphs is not None:
        return Markup(" ".join(_lines_html(lines) for lines in paragraphs))
    from policyc.backends.author_html import inline_html

    return Markup(inline_html(source))


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
            out.append(links_html(part.text))
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
    return url if _WEB_ADDRESS.match(url) else fallback


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
