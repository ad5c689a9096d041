"""P010–P014: each purpose, its lawful basis and the interest it serves (Art 6(1), 13(1)(c)–(d))."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule

# Wording WP260 (para 12) gives as too vague to tell people what is done with their data.
VAGUE_PURPOSE = re.compile(
    r"\b(improv(e|ing) (our|the) (services?|products?|website)|research purposes|other purposes|"
    r"business purposes|develop(ing)? new (services|products)|offer(ing)? personali[sz]ed services|"
    r"for (any )?lawful purposes?|as (we|required) see fit|legitimate business purposes)\b",
    re.IGNORECASE,
)


# Words that only restate Art 6(1)(f): "our legitimate business interests", "the interests of our
# business", "legitimate business purposes". A note made only of these names no interest (Art 13(1)(d)).
_RESTATING_WORDS = frozenset({
    "our", "the", "its", "their", "of", "for", "in", "and", "or", "to", "a", "an", "we", "us", "it", "own",
    "legitimate", "legitimately", "interest", "interests", "business", "businesses", "business's", "commercial",
    "company", "company's", "companies", "organisation", "organization", "group", "purpose", "purposes",
    "reason", "reasons", "pursue", "pursued", "pursuing", "pursuit", "general", "operational", "legal",
    "other", "party", "parties", "third", "this", "that", "as", "such", "necessary", "needs", "based", "on",
})
_WORD = re.compile(r"[a-z][a-z']*")


def restates_basis(note: str) -> bool:
    """The note is made only of words that restate the basis: it names no interest."""
    words = _WORD.findall(note.lower().replace("\u2019", "'"))
    return bool(words) and all(w in _RESTATING_WORDS for w in words)


@rule("P010")
def purpose_without_basis(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        if not purpose.bases and not purpose.has_field("basis"):
            yield finding("P010", f"purpose `{purpose.key}` has no lawful basis", purpose.span,
                          label="needs a `basis`",
                          help="add `basis consent`, `basis contract`, `basis legal_obligation`, "
                          "`basis legitimate_interests \"the interest\"` or another basis; "
                          "see `policyc explain P010`")


@rule("P012")
def legitimate_interest_unstated(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        for use in purpose.bases:
            if "interest" not in use.basis.requires:
                continue
            if not use.note.strip():
                yield finding("P012", f"purpose `{purpose.key}` relies on {use.basis.title or use.basis.key} "
                              "without saying what the interest is", use.span, label="which interest?",
                              help=f'write the interest after the basis: `basis {use.basis.key} "preventing '
                              'fraud against our customers"`')
            elif restates_basis(use.note):
                yield finding("P012", f"purpose `{purpose.key}` relies on {use.basis.title or use.basis.key} "
                              f"without saying what the interest is: \"{use.note.strip()}\" only restates the "
                              "basis", use.span, label="which interest?",
                              help="name the interest itself, such as \"preventing fraud against our customers\" "
                              "or \"telling existing customers about products like those they bought\"")


@rule("P013")
def vague_purpose(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.purposes:
        for text, span in ((purpose.title, purpose.decl.title.span if purpose.decl.title else purpose.span),
                           (purpose.description, purpose.field_span("description"))):
            match = VAGUE_PURPOSE.search(text)
            if match:
                yield finding("P013", f"purpose `{purpose.key}` is described vaguely: \"{match.group(0)}\"", span,
                              label="say what is done, with which data, and why",
                              help="describe the purpose specifically enough that a reader knows what happens "
                              "to their data (WP260 para 12)")
                break


@rule("P014")
def purpose_without_data(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        if not purpose.uses and not purpose.has_field("uses"):
            yield finding("P014", f"purpose `{purpose.key}` does not say which data it uses", purpose.span,
                          label="needs `uses`", help="add `uses DATA, ...` naming the data categories it processes")
