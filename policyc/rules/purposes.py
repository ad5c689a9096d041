"""P010–P015: each purpose, its lawful basis and the interest it serves (Art 6(1), 13(1)(c)–(d))."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from policyc.diagnostics.fixes import add_field
from policyc.diagnostics.model import Diagnostic, Fix
from policyc.model import Purpose
from policyc.patterns import lazy
from policyc.rules import GDPR_LAWS, Context, finding, rule

# Wording WP260 (para 12) gives as too vague to tell people what is done with their data. "Improving
# your experience" is of the same kind as its "offer personalised services": almost any use of data can
# claim to make someone's experience better, enhanced or optimised, so the phrase names no purpose.
_EXPERIENCE = (r"(improv|enhanc|optimi[sz]|personali[sz]|tailor|better)\w* (your|the|our|user'?s?|users'|"
               r"customers?'?s?|visitors?'?s?) ((overall|online|browsing|shopping|customer|user|digital) )?"
               r"experiences?"
               r"|(a|an|the) (better|improved|enhanced|optimi[sz]ed|more personali[sz]ed|personali[sz]ed|"
               r"tailored|smoother|(best|better) possible|great|seamless) ((overall|online|browsing|shopping|"
               r"customer|user|digital) )?experiences?")
VAGUE_PURPOSE = lazy(
    r"\b(improv(e|ing) (our|the) (services?|products?|website)|research purposes|other purposes|"
    r"business purposes|develop(ing)? new (services|products)|offer(ing)? personali[sz]ed services|"
    rf"for (any )?lawful purposes?|as (we|required) see fit|legitimate business purposes|{_EXPERIENCE})\b",
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
# What a citation of the basis leaves once the article is taken out: "under Article 6(1)(f) of the UK
# GDPR", "lawful basis: legitimate interests (Art. 6 para. 1 lit. f GDPR)".
_CITING_WORDS = frozenset({
    "art", "arts", "article", "articles", "para", "paragraph", "lit", "point", "letter", "recital", "gdpr",
    "uk", "eu", "regulation", "under", "pursuant", "per", "according", "accordance", "with", "within", "meaning",
    "lawful", "basis", "bases", "ground", "grounds", "i", "e", "ie",
})
# What a pointer to other text leaves: "as described above", "the interests set out in section 4 of
# this notice", "see our legitimate interests assessment".
_POINTING_WORDS = frozenset({
    "see", "refer", "referred", "described", "set", "out", "explained", "stated", "mentioned", "outlined",
    "listed", "detailed", "specified", "identified", "noted", "given", "shown", "defined", "following", "those",
    "these", "which", "is", "are", "be", "at", "by", "each", "any", "all", "same", "relevant", "applicable",
    "respective", "notice", "privacy", "policy", "statement", "document", "page", "table", "assessment",
    "balancing", "test", "more", "information", "details", "please", "where", "here",
})
_EMPTY_WORDS = _RESTATING_WORDS | _CITING_WORDS | _POINTING_WORDS
_WORD = lazy(r"[a-z][a-z']*")

# Text left to be filled in: "TBC", "to be confirmed", "N/A", "xxx", "[insert interest]", "lorem ipsum";
# a note with no words at all ("-", "...") is one too.
_PLACEHOLDER = lazy(
    r"\b(?:tb[acdf]|to\s*do|fixme|placeholder|x{2,}|n\s*/\s*a|not\s+applicable|none|nil|null|insert|"
    r"lorem|ipsum|to\s+be\s+(?:confirmed|determined|decided|defined|added|agreed|completed|updated|provided|"
    r"inserted|written|specified|advised|filled\s+in|clarified|finali[sz]ed))\b"
)
# Text that points elsewhere instead of naming the interest ("described above", "see section 4"): the
# interest must be stated with the purpose, and policyc prints the note beside the basis, where "above"
# points to no interest.
_POINTER = lazy(
    r"\b(?:above|below|aforementioned|abovementioned|aforesaid|elsewhere|herein(?:above|after|below)?|"
    r"hereunder|earlier|previously|sections?|clauses?|annex|appendix|see|refer(?:red)?\s+to|"
    r"(?:described|set\s+out|explained|stated|mentioned|outlined|listed|detailed|specified|noted|shown|"
    r"defined)\s+(?:in|at|under|on)|(?:schedule|paragraph|para)\.?\s+(?:\d[\w.()]*|[ivx]+\b))\b"
)
# The article itself, in the ways notices write it ("6(1)(f)", "Art. 6 (1) f", "6.1.f", "Art. 6 para. 1
# lit. f"), and the laws it is in.
_CITATION = lazy(
    r"\b6\s*(?:\(\s*1\s*\)|\.\s*1\b|\s+(?:para(?:graph)?|abs)\.?\s*1\b)\s*"
    r"(?:\(\s*f\s*\)|\.?\s*(?:(?:lit|point|letter|sub-?paragraph)\.?\s*)?\(?f\b\)?)"
    r"|\b(?:(?:uk|eu)\s+)?(?:gdpr|dsgvo)\b|\bregulation\s*\(eu\)\s*2016/679\b|\bdata\s+protection\s+act(?:\s+2018)?\b"
    r"|\bdpa(?:\s+2018)?\b|\brecital\s+4[78]\b"
)


def unstated_interest(note: str) -> str | None:
    """What the note is instead of an interest, or None when it names one.

    The note names no interest when, once placeholders, pointers to other text and citations of
    Art 6(1)(f) are taken out, every word left only restates the basis ("our legitimate business
    interests"). The answer is "placeholder", "pointer", "citation" or "restatement", the first
    that applies.
    """
    text = note.lower().replace("\u2019", "'")
    found: set[str] = set()
    # The citation goes first, so that its "para. 1" is not read as a pointer to a paragraph.
    for kind, pattern in (("citation", _CITATION), ("placeholder", _PLACEHOLDER), ("pointer", _POINTER)):
        text, count = pattern.subn(" ", text)
        if count:
            found.add(kind)
    words = _WORD.findall(text)
    if not all(w in _EMPTY_WORDS for w in words):
        return None
    if not words and not found:
        found.add("placeholder")  # "-", "...", "?"
    return next((kind for kind in ("placeholder", "pointer", "citation") if kind in found), "restatement")


# How P012 describes a note that names no interest, by what the note is instead.
_UNSTATED = {
    "restatement": "only restates the basis",
    "citation": "only cites the basis",
    "pointer": "points elsewhere instead of naming it",
    "placeholder": "is a placeholder",
}


# The bases P010's fixes offer, as the help names them: choosing one is the author's decision, so
# none of these fixes is safe to apply without asking.
_OFFERED_BASES = ("consent", "contract", "legal_obligation", 'legitimate_interests "the interest"')


def _basis_fixes(ctx: Context, purpose: Purpose) -> Iterator[Fix]:
    text = ctx.text_of(purpose)
    if text is None:
        return
    for basis in _OFFERED_BASES:
        edit = add_field(text, purpose.decl, f"basis {basis}")
        if edit is not None:
            yield Fix(f"Add `basis {basis.split()[0]}` to `{purpose.key}`", (edit,))


@rule("P010")
def purpose_without_basis(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        if not purpose.bases and not purpose.has_field("basis"):
            yield finding("P010", f"purpose `{purpose.key}` has no lawful basis", purpose.span,
                          label="needs a `basis`",
                          help="add `basis consent`, `basis contract`, `basis legal_obligation`, "
                          "`basis legitimate_interests \"the interest\"` or another basis; "
                          "see `policyc explain P010`", fixes=_basis_fixes(ctx, purpose))
    yield from _bases_not_available(ctx)


def _bases_not_available(ctx: Context) -> Iterator[Diagnostic]:
    """A basis of another law, or one not yet in force at the policy's `effective` date, is no basis at all."""
    policy = ctx.model.policy
    assert policy is not None
    on = policy.effective or dt.date.today()
    laws = [law for law in policy.jurisdictions if law in GDPR_LAWS]
    for purpose in ctx.model.controller_purposes:
        for use in purpose.bases:
            basis = use.basis
            name = basis.title or basis.key
            for law in laws:
                if basis.in_force(law, on):
                    continue
                if basis.laws and law not in basis.laws:
                    problem = f"is not a lawful basis under the {ctx.law_names(law)}"
                    fix = "choose a basis that law has, such as `legitimate_interests \"the interest\"`"
                else:
                    problem = (f"is in force only from {basis.since}, after the policy's effective date {on}"
                               if policy.effective else f"is in force only from {basis.since}")
                    fix = "choose another basis, or make the notice effective from that date"
                yield finding("P010", f"purpose `{purpose.key}` relies on {name}, which {problem}", use.span,
                              label="not available", help=fix)


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
                continue
            unstated = unstated_interest(use.note)
            if unstated is not None:
                yield finding("P012", f"purpose `{purpose.key}` relies on {use.basis.title or use.basis.key} "
                              f"without saying what the interest is: \"{use.note.strip()}\" {_UNSTATED[unstated]}",
                              use.span, label="which interest?",
                              help="name the interest itself, here with the purpose, such as \"preventing fraud "
                              "against our customers\" or \"telling existing customers about products like those "
                              "they bought\"")


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


def _public(ctx: Context) -> bool:
    return any(c.public_body for c in ctx.model.controllers)


@rule("P095")
def public_task_private_body(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.model.controllers or _public(ctx):
        return
    for purpose in ctx.model.controller_purposes:
        for use in purpose.bases:
            if use.basis.article != "6(1)(e)" or use.note.strip():
                continue
            yield finding("P095", f"purpose `{purpose.key}` relies on {use.basis.title or use.basis.key}, but the "
                          "controller is not a public body", use.span, label="which law gives you this task?",
                          help="a private body can rely on public task only where a law vests the task or the "
                          "official authority in it (Art 6(3)): cite that law after the basis "
                          '(`basis public_task "Water Industry Act 1991 s 37"`), add `public_body yes` to the '
                          "controller if it is a public authority or body, or choose another basis")


@rule("P096")
def legitimate_interests_public_body(ctx: Context) -> Iterator[Diagnostic]:
    if not _public(ctx):
        return
    for purpose in ctx.model.controller_purposes:
        for use in purpose.bases:
            if use.basis.article != "6(1)(f)":
                continue
            yield finding("P096", f"purpose `{purpose.key}` relies on {use.basis.title or use.basis.key}, but the "
                          "controller is a public body", use.span, label="not for a public body's tasks",
                          help="Art 6(1), second subparagraph: a public authority cannot rely on legitimate interests "
                          "for processing in the performance of its tasks; use `basis public_task` (citing the law) "
                          "or `legal_obligation`, or keep legitimate interests only for what is not one of its tasks "
                          "and silence this with `# policyc: ignore[P096]`")


@rule("P015")
def consent_for_necessary_processing(ctx: Context) -> Iterator[Diagnostic]:
    """Consent to what the service itself needs is not freely given (Art 7(4)): the basis is the contract."""
    for purpose in ctx.model.controller_purposes:
        consent = next((u for u in purpose.bases if "withdrawal" in u.basis.requires), None)
        if consent is None or not purpose.provides_service:
            continue
        if purpose.uses and all(d.required_for == "optional" for d in purpose.uses):
            continue  # an optional feature: people can refuse the data and still get the service
        kinds = ", ".join(f"`{k.key}`" for k in purpose.kinds if k.provides_service)
        yield finding("P015", f"purpose `{purpose.key}` provides the service ({kinds}) but rests on consent",
                      consent.span, label="consent cannot be a condition of the service",
                      help="processing the service needs rests on `basis contract` (Art 6(1)(b)); keep consent "
                      "for what people can refuse and still get the service",
                      notes=("Art 7(4): consent is not freely given when the service depends on it; withdrawing "
                             "it would stop a service that the person asked for (EDPB Guidelines 05/2020 on "
                             "consent, paras 26-36)",))
