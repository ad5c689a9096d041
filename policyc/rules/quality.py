"""Q001–Q002: plain language in the author's own text (WP260 paras 8–13)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc import ast
from policyc.diagnostics.model import Diagnostic, Span
from policyc.rules import Context, finding, rule

VAGUE_QUALIFIER = re.compile(r"\b(may|might|some|often|possibly|certain|various)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
LONG_SENTENCE = 35
PROSE_FIELDS = frozenset({"description", "summary", "text", "changes", "children", "logic", "significance",
                          "consequences", "if_not_provided", "withdraw", "object", "complaints", "fee", "verify"})


def _prose(ctx: Context) -> Iterator[tuple[str, Span]]:
    for typed in ctx.model.typed:
        for fld in typed.decl.fields:
            if fld.name in PROSE_FIELDS:
                for item in fld.items:
                    for atom in item.atoms:
                        if isinstance(atom, ast.Str):
                            yield atom.value, atom.span


@rule("Q001", laws=())
def vague_qualifier(ctx: Context) -> Iterator[Diagnostic]:
    for text, span in _prose(ctx):
        words = sorted({m.group(0).lower() for m in VAGUE_QUALIFIER.finditer(text)})
        if words:
            yield finding("Q001", "vague wording: " + ", ".join(f"\"{w}\"" for w in words), span,
                          label="say what you do, not what you might do",
                          help="WP260 para 13 names qualifiers such as \"may\", \"might\", \"some\", \"often\" and "
                          "\"possible\" as making a notice unclear")


@rule("Q002", laws=())
def long_sentence(ctx: Context) -> Iterator[Diagnostic]:
    for text, span in _prose(ctx):
        for sentence in SENTENCE_END.split(text):
            count = len(sentence.split())
            if count > LONG_SENTENCE:
                yield finding("Q002", f"a sentence of {count} words", span, label="split it",
                              help=f"sentences of more than {LONG_SENTENCE} words are hard to read; split this one")
                break
