"""P021, P022 and P070: where data comes from (Arts 13, 14(2)(f)) and whether people must provide it (Art 13(2)(e))."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.patterns import lazy
from policyc.rules import Context, finding, rule


@rule("P021")
def source_missing(ctx: Context) -> Iterator[Diagnostic]:
    reported: set[str] = set()
    for data in ctx.model.data:
        for source in data.named_sources:
            if source.key in reported:
                continue
            reported.add(source.key)
            if source.public is None and not source.has_field("public"):
                yield finding("P021", f"source `{source.key}` of `{data.key}` does not say whether it is publicly "
                              "accessible", source.span, label="add `public yes` or `public no`",
                              help="Art 14(2)(f): say where data not collected from the person comes from, and "
                              "whether the source is publicly accessible")


@rule("P022")
def source_unstated(ctx: Context) -> Iterator[Diagnostic]:
    for data in ctx.model.data:
        if not data.has_field("source"):
            yield finding("P022", f"`{data.key}` does not say where it comes from", data.span, label="no `source`",
                          help="add `source subject` (people give it to us), `source observed` (we collect it as they "
                          "use the service), `source derived` (we work it out) or a named `source`")


@rule("P070")
def requirement_undisclosed(ctx: Context) -> Iterator[Diagnostic]:
    used = {d.key for p in ctx.model.controller_purposes for d in p.uses}
    for data in ctx.model.data:
        if data.key not in used or not data.from_subject or data.from_elsewhere:
            continue
        if data.written("source") > len(data.sources):
            continue  # a source did not resolve (N001): where the data comes from is unknown
        if not data.required_for and not data.has_field("required_for"):
            yield finding("P070", f"`{data.key}` does not say whether people must provide it", data.span,
                          label="add `required_for`",
                          help="add `required_for statutory`, `required_for contract` or `required_for optional`, "
                          "and `if_not_provided \"...\"` when it is required")
        elif data.required_for != "optional" and not data.if_not_provided:
            yield finding("P070", f"`{data.key}` is required ({data.required_for}) but the notice does not say what "
                          "happens if it is not provided", data.field_span("required_for"),
                          label="add `if_not_provided`",
                          help='add `if_not_provided "We cannot ... without it."`')


ONE_MONTH_DAYS = 31  # Art 14(3)(a): "within a reasonable period ..., but at the latest within one month"


@rule("P023")
def art14_timing_unstated(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    used = {d.key for p in ctx.model.controller_purposes for d in p.uses}
    elsewhere = [d for d in ctx.model.data if d.from_elsewhere and d.key in used]  # a processor's data: not ours
    if not elsewhere:
        return
    if not policy.informed_within and not policy.has_field("informed_within"):
        yield finding("P023", f"`{elsewhere[0].key}` comes from `{elsewhere[0].named_sources[0].key}`, but the notice "
                      "does not say when people are told about data obtained from others", policy.span,
                      label="add `informed_within`",
                      help="Art 14(3): within a reasonable period and at the latest within one month, or earlier at "
                      "the first contact with the person (14(3)(b)) or the first disclosure to another recipient "
                      "(14(3)(c)); add `informed_within 1 month` (or less) to the policy")
    elif policy.informed_within_days is not None and policy.informed_within_days > ONE_MONTH_DAYS:
        yield finding("P023", "people are told about data obtained from others later than the law allows",
                      policy.field_span("informed_within"), label="longer than one month",
                      help="Art 14(3)(a): at the latest within one month of obtaining the data")


# Words in a data category's own description that say someone else supplied it.
FROM_A_THIRD_PARTY = lazy(
    r"\b(buy|bought|purchase[sd]?|acquire[sd]?|license[sd]?|obtain(ed)?|receive[sd]?|collected|supplied|provided|get)\b"
    r".{0,30}\b(from|by)\s+(a |an |the |our |other |selected |trusted )*(credit reference|fraud prevention|"
    r"data brokers?|list brokers?|brokers?|third[- ]part(y|ies)|partners?|marketing partners?|lead providers?|"
    r"(credit|identity verification|marketing|data) agenc(y|ies)|public records?|social media (platforms?|sites?)|"
    r"(your )?employers?|recruiters?|referr(er|ers|ing))",
    re.IGNORECASE,
)


def _names(text: str, data_phrases: list[str]) -> str:
    low = f" {' '.join(text.lower().split())} "
    return next((p for p in data_phrases if re.search(rf"\b{re.escape(p)}\b", low)), "")


@rule("P024")
def source_contradicted(ctx: Context) -> Iterator[Diagnostic]:
    for data in ctx.model.data:
        if not data.has_field("source") or data.from_elsewhere or data.written("source") > len(data.sources):
            continue  # no source (P022), a named source given, or a source that did not resolve (N001)
        if not any(s in ("subject", "observed") for s in data.sources):
            continue
        own = " ".join((data.title, data.description, *data.includes))
        match = FROM_A_THIRD_PARTY.search(own)
        if match:
            yield finding("P024", f"`{data.key}` is said to come from the person, but its description says it "
                          f"comes from someone else: \"{match.group(0)}\"", data.field_span("source"),
                          label="from the person?",
                          help="declare a `source` for the organisation it comes from and list it in `source`, so "
                          "that the notice gives the Art 14 information about it")
            continue
        phrases = [p for p in {" ".join(x.lower().split()) for x in (data.title, data.key.replace("_", " "),
                                                                      *data.includes)} if " " in p and len(p) >= 8]
        for source in ctx.model.sources:
            said = _names(f"{source.title} {source.description}", phrases)
            if said:
                yield finding("P024", f"`{data.key}` is said to come from the person, but source `{source.key}` says "
                              f"it supplies \"{said}\"", data.field_span("source"), label="from the person?",
                              help=f"add `{source.key}` to the data's `source` (beside `subject` where people give "
                              "some of it themselves), so that the notice gives the Art 14 information about it")
                break
