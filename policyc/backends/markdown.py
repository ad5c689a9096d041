"""Markdown backend: the published notice as CommonMark (GitHub tables), clean under markdownlint.

The notice stage (`policyc.notice.compose`) decides what the notice says; this backend only renders
its statements. Each part of a statement is escaped for Markdown (`policyc.backends.mdsafe`): plain
text shows exactly that text, author Markdown is parsed and written back out safely, links keep only
safe targets. Templates (`notice.md.j2`, `md/blocks.md.j2`) lay the blocks out and print nothing of
their own but headings and labels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from policyc import __version__
from policyc.backends import BuildContext
from policyc.backends.author import bytecode_cache, environment_for, template_loader
from policyc.backends.mdsafe import (
    MdSafe,
    _escape_start,
    md_escape_inline,
    md_finalize,
    md_heading,
    md_inline,
    md_link,
    md_prose,
    normalise_markdown,
)
from policyc.model import Model
from policyc.notice.statements import Block, Link, Markdown, Notice, See, Statement, Words


def md_statement(statement: Statement | None) -> MdSafe:
    """One statement on one line, every part escaped for Markdown."""
    if statement is None:
        return MdSafe("")
    out: list[str] = []
    for part in statement.parts:
        if isinstance(part, Words):
            out.append(md_escape_inline(part.text, links=True))
        elif isinstance(part, Markdown):
            out.append(md_inline(part.text))
        elif isinstance(part, Link):
            out.append(md_link(part.text, part.href))
        elif isinstance(part, See):
            out.append(md_escape_inline(f"“{part.title}”" if part.quoted else part.title, links=True))
    return MdSafe(_escape_start(" ".join("".join(out).split())))


def md_item(statement: Statement) -> MdSafe:
    """A list item: `Label: statement` (a label that asks a question is followed by a space only)."""
    text = md_statement(statement)
    if not statement.label:
        return text
    label = md_escape_inline(statement.label, links=False).strip()
    return MdSafe(f"{label} {text}" if label.endswith("?") else f"{label}: {text}")


def md_sentences(statements: list[Statement]) -> MdSafe:
    return MdSafe(" ".join(s for s in (md_statement(x) for x in statements) if s))


def _environment(templates: Path | None, *, auto_reload: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=template_loader(templates), autoescape=False, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, finalize=md_finalize,
        auto_reload=auto_reload,
        bytecode_cache=bytecode_cache("md"),
    )
    filters: dict[str, Callable[..., Any]] = {
        "statement": md_statement,
        "item": md_item,
        "sentences": md_sentences,
        "prose": lambda statement, level=2: md_prose(_markdown_text(statement), level),
        "heading": md_heading,
        "hashes": lambda level: MdSafe("#" * max(1, min(int(level), 6))),
    }
    env.filters.update(filters)
    return env


markdown_environment = environment_for(_environment)


def _markdown_text(statement: Statement | None) -> str:
    if statement is None:
        return ""
    return "\n\n".join(p.text for p in statement.parts if isinstance(p, Markdown | Words))


def render_notice(notice: Notice, model: Model, templates: Path | None) -> str:
    env = markdown_environment(templates)
    text = env.get_template("notice.md.j2").render(notice=notice, model=model, policyc_version=__version__)
    return normalise_markdown(text)


def render_blocks(blocks: list[Block], templates: Path | None = None) -> str:
    """Some blocks on their own (the change history that `policyc diff --format md` prints)."""
    env = markdown_environment(templates)
    return normalise_markdown(env.get_template("md/blocks.md.j2").render(blocks=blocks, section=None))


def render(model: Model, context: BuildContext) -> str:
    notice = context.composed(model)
    return render_notice(notice, model, context.templates)
