"""P090–P093: special-category and criminal-offence data (Art 9, 10; DPA 2018 s10, Sch 1)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule

VITAL = ("vital_interests", "vital_interests_incapable")
# Purpose kinds that are everyday business: vital interests (life or death) never fit them.
ROUTINE_KINDS = ("service", "orders", "account", "customer_management", "payment", "billing", "marketing",
                 "analytics", "personalisation", "research", "communications", "recruitment", "hr", "data_sale")


@rule("P090")
def special_without_condition(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        special = [d for d in purpose.uses if d.is_special]
        broken = purpose.written("condition") > len(purpose.conditions)  # reported as N001 already
        if special and not broken and not [c for c in purpose.conditions if not c.basis.criminal]:
            yield finding("P090", f"purpose `{purpose.key}` uses special-category data (`{special[0].key}`) with no "
                          "Art 9 condition", purpose.field_span("uses"), label="special-category data",
                          help="add `condition explicit_consent` or another Art 9(2) condition besides the basis")


@rule("P091")
def condition_law_uncited(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        for use in purpose.conditions:
            if "law_citation" in use.basis.requires and not use.note.strip():
                yield finding("P091", f"condition `{use.basis.key}` needs the law that authorises it", use.span,
                              label="which law?", help=f'cite it: `condition {use.basis.key} "DPA 2018 Sch 1 '
                              'para ..."`')


@rule("P092")
def vital_interests_misused(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        uses = [u for u in (*purpose.bases, *purpose.conditions) if u.basis.key in VITAL]
        if not uses:
            continue
        routine = purpose.direct_marketing or any(
            k.key == prefix or k.key.startswith(prefix + ".") for k in purpose.kinds for prefix in ROUTINE_KINDS)
        if routine:
            yield finding("P092", f"purpose `{purpose.key}` relies on vital interests for routine processing",
                          uses[0].span, label="only for life-or-death situations",
                          help="vital interests cover emergencies where someone's life is at risk; use another "
                          "basis or condition")


@rule("P093")
def criminal_without_condition(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        criminal = [d for d in purpose.uses if d.is_criminal]
        broken = purpose.written("condition") > len(purpose.conditions)
        if criminal and not broken and not [c for c in purpose.conditions if c.basis.criminal]:
            yield finding("P093", f"purpose `{purpose.key}` uses criminal-offence data (`{criminal[0].key}`) with no "
                          "Art 10 condition", purpose.field_span("uses"), label="criminal-offence data",
                          help="add `condition criminal_authorised_by_law \"DPA 2018 Sch 1 para ...\"` or "
                          "`criminal_official_authority`")


@rule("P094")
def condition_without_special_data(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        if purpose.written("uses") > len(purpose.uses):
            continue  # a data reference did not resolve: we cannot tell
        for use in purpose.conditions:
            needed = any(d.is_criminal for d in purpose.uses) if use.basis.criminal else any(
                d.is_special for d in purpose.uses)
            if not needed:
                what = "criminal-offence" if use.basis.criminal else "special-category"
                yield finding("P094", f"condition `{use.basis.key}` is given, but purpose `{purpose.key}` uses no "
                              f"{what} data", use.span, label="no such data",
                              help="remove the condition, or mark the data: `special health` / `criminal yes` on "
                              "the `data` it applies to")
