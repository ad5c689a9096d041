"""Q001–Q002: plain language in the author's own text (WP260 paras 8–13)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc import ast
from policyc.diagnostics.model import Diagnostic, Span
from policyc.patterns import lazy
from policyc.rules import Context, finding, rule

# "how often" asks a frequency; "some" in "some of the following" still hedges, so it stays.
# "May" after a day number or before a year is the month.
VAGUE_QUALIFIER = lazy(
    r"\b((?<!\d )may(?! \d{4})|might|some|(?<!how )often|possibly|certain|various)\b", re.IGNORECASE)
# Sentences end at . ! ? and also where a Markdown list item or paragraph starts.
SENTENCE_END = lazy(r"(?<=[.!?])\s+|\n\s*\n|\n\s*(?:[-*+]|\d+\.)\s+")
LONG_SENTENCE = 35
PROSE_FIELDS = frozenset({"description", "summary", "text", "changes", "children", "logic", "significance",
                          "consequences", "if_not_provided", "withdraw", "object", "complaints", "fee", "verify",
                          "safeguard_copy", "describe", "exclude", "on_behalf_of", "scope"})


def _prose(ctx: Context) -> Iterator[ast.Str]:
    for typed in ctx.model.typed:
        for fld in typed.decl.fields:
            if fld.name in PROSE_FIELDS:
                for item in fld.items:
                    for atom in item.atoms:
                        if isinstance(atom, ast.Str):
                            yield atom


def _part(atom: ast.Str, start: int, end: int) -> Span:
    """The span of `value[start:end]` where it can be mapped back (a one-line string), else the string's."""
    span = atom.span
    if atom.text or span.line != span.end_line or span.end - span.start != len(atom.value) + 2:
        return span  # escapes or a text block: offsets in the value differ from the source
    return Span(span.file, span.start + 1 + start, span.start + 1 + end, span.line, span.column + 1 + start,
                span.line, span.column + 1 + end)


@rule("Q001", laws=())
def vague_qualifier(ctx: Context) -> Iterator[Diagnostic]:
    for atom in _prose(ctx):
        matches = list(VAGUE_QUALIFIER.finditer(atom.value))
        words = sorted({m.group(0).lower() for m in matches})
        if words:
            yield finding("Q001", "vague wording: " + ", ".join(f"\"{w}\"" for w in words),
                          _part(atom, matches[0].start(), matches[0].end()),
                          label="say what you do, not what you might do",
                          help="WP260 para 13 names qualifiers such as \"may\", \"might\", \"some\", \"often\" and "
                          "\"possible\" as making a notice unclear")


@rule("Q002", laws=())
def long_sentence(ctx: Context) -> Iterator[Diagnostic]:
    for atom in _prose(ctx):
        offset = 0
        for sentence in SENTENCE_END.split(atom.value):
            start = atom.value.find(sentence, offset)
            offset = start + len(sentence)
            count = len(sentence.split())
            if count > LONG_SENTENCE:
                yield finding("Q002", f"a sentence of {count} words", _part(atom, start, start + len(sentence)),
                              label="split it",
                              help=f"sentences of more than {LONG_SENTENCE} words are hard to read; split this one")
                break
