"""P060–P066: the rights people have and how to use them (Art 7(3), 13(2)(b)–(d), 15–22, 77)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic, Span
from policyc.model import Authority, Law
from policyc.rules import GDPR_LAWS, Context, finding, rule

# Rights that depend on the basis: promising them where no basis grants them misleads (Art 17(3), 20(1)).
CONDITIONAL_RIGHTS = ("erasure", "portability", "object")
_REASONS = {"universal": "every lawful basis", "direct marketing": "direct marketing",
            "automated decisions": "automated decision-making", "also": "your `also`"}
COMPLAINTS_TO_CONTROLLER_FROM = dt.date(2026, 6, 19)  # Data (Use and Access) Act 2025 s103 in force


def _rights_span(ctx: Context) -> Span:
    info = ctx.model.rights_info
    if info is not None:
        return info.span
    assert ctx.model.policy is not None
    return ctx.model.policy.span


@rule("P060")
def right_withheld(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    for offered in ctx.model.rights:
        if offered.right.laws and not set(offered.right.laws) & set(GDPR_LAWS):
            continue  # a CCPA right: C008
        if offered.excluded and info is not None:
            grounds = ", ".join(_REASONS.get(b, b) for b in offered.because)
            yield finding("P060", f"the right `{offered.right.key}` is withheld, but {grounds} grants it",
                          info.field_span("exclude"), label="excluded here",
                          help="remove the `exclude`, or change the basis of the purposes that grant it")


@rule("P061")
def right_not_applicable(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    if info is None:
        return
    promised = [*info.also, *(key for key, _ in info.describe)]
    for key in dict.fromkeys(promised):
        if key not in CONDITIONAL_RIGHTS:
            continue
        offered = ctx.model.offered(key)
        if offered is None or offered.because == ("also",):
            yield finding("P061", f"the right `{key}` is promised, but no purpose's basis grants it",
                          info.field_span("also" if key in info.also else "describe"),
                          label="not granted by any basis",
                          help="say when the right applies, or remove it; a promise the law does not require "
                          "still binds you")


@rule("P067", laws=())
def described_right_not_offered(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    if info is None:
        return
    gdpr = bool(ctx.laws & set(GDPR_LAWS))
    for key, _ in info.describe:
        if ctx.model.offered(key) is not None or (gdpr and key in CONDITIONAL_RIGHTS):
            continue  # offered, or P061 reports it
        right = ctx.model.all_rights.get(key)
        if right is None:
            continue  # did not resolve (N001)
        laws = ", ".join(f"`{law}`" for law in right.laws)
        yield finding("P067", f"the notice does not offer the right `{key}`, so its description is not shown",
                      info.field_span("describe"), label="described, not offered",
                      help=(f"it is a right under {laws}, which the policy does not answer to; " if laws and not
                            ctx.laws & set(right.laws) else "no purpose's basis grants it; ")
                      + f"remove the `describe`, or offer it with `also {key}`")


@rule("P062")
def objection_missing(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    if info is not None and info.object:
        return
    for purpose in ctx.model.controller_purposes:
        if purpose.direct_marketing:
            continue  # P063
        grants = [u for u in purpose.bases if "object" in u.basis.grants]
        if grants:
            yield finding("P062", f"purpose `{purpose.key}` rests on {grants[0].basis.title or grants[0].basis.key}, "
                          "but the notice does not say how to object", grants[0].span,
                          label="people may object to this",
                          help="add `object \"...\"` to `rights`: how to object, shown separately (Art 21(4))")
            return


@rule("P063")
def marketing_objection(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    marketing = [p for p in ctx.model.controller_purposes if p.direct_marketing]
    if not marketing:
        return
    excluded = info is not None and any(k in ("object", "object_direct_marketing") for k, _ in info.exclude)
    if info is not None and info.object and not excluded:
        return
    purpose = marketing[0]
    if excluded and info is not None:
        yield finding("P063", f"purpose `{purpose.key}` is direct marketing, so the right to object to it cannot be "
                      "withheld", info.field_span("exclude"), label="excluded here",
                      help="the objection to direct marketing is absolute (Art 21(3)): remove the `exclude`")
        return
    yield finding("P063", f"purpose `{purpose.key}` is direct marketing, but the notice does not say how to stop it",
                  purpose.field_span("direct_marketing"), label="the right to object is absolute here",
                  help='add `object "Use the unsubscribe link in any email, or write to ..."` to `rights`')


@rule("P064")
def consent_withdrawal(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    excluded = info is not None and any(k == "withdraw_consent" for k, _ in info.exclude)
    if info is not None and info.withdraw and not excluded:
        return
    for purpose in ctx.model.controller_purposes:
        for use in (*purpose.bases, *purpose.conditions):
            if "withdrawal" in use.basis.requires and excluded and info is not None:
                yield finding("P064", f"purpose `{purpose.key}` rests on {use.basis.title or use.basis.key}, so the "
                              "right to withdraw consent cannot be withheld", info.field_span("exclude"),
                              label="excluded here", help="consent can always be withdrawn (Art 7(3))")
                return
            if "withdrawal" in use.basis.requires:
                yield finding("P064", f"purpose `{purpose.key}` rests on {use.basis.title or use.basis.key}, but the "
                              "notice does not say how to withdraw it", use.span, label="consent can be withdrawn",
                              help='add `withdraw "..."` to `rights`: how to withdraw consent at any time (the '
                              "notice adds that withdrawal does not affect earlier processing)")
                return


@rule("P065")
def complaint_authority(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.model.rights and any(r.right.key == "complain" and r.excluded for r in ctx.model.rights):
        info = ctx.model.rights_info
        yield finding("P065", "the right to complain to a supervisory authority cannot be withheld",
                      info.field_span("exclude") if info else _rights_span(ctx), label="`complain` is excluded")
    if any(c.has_field("authority") and c.written("authority") > len(c.authorities) for c in ctx.model.controllers):
        return  # an authority name did not resolve (N001): no follow-on finding
    named = [a for c in ctx.model.controllers for a in c.authorities]
    public = any(c.public_body for c in ctx.model.controllers)
    for law in ctx.model.laws:
        if law.key not in GDPR_LAWS or not law.authorities:
            continue
        local = [a for a in named if _in_area(ctx, a, law)]
        if any(a.supervises_body(public) for a in local):
            continue
        target = ctx.model.controller.field_span("authority") if ctx.model.controller else _rights_span(ctx)
        hint = (f"`authority {law.authorities[0]}`" if len(law.authorities) == 1
                else "`authority ...` (your lead authority)")
        if local:
            body = "public" if public else "private"
            yield finding("P065", f"`{local[0].key}` does not supervise {body} bodies, so it is not the authority "
                          f"people can complain to under the {law.title or law.key}", target,
                          label=f"supervises {' and '.join(s.replace('_', ' ') for s in local[0].supervises)} only",
                          help=f"name the authority that supervises {body} bodies where you are established"
                          + ("" if public else ", or add `public_body yes` to the controller if it is a public body"))
            continue
        yield finding("P065", f"the notice does not name the supervisory authority people can complain to under "
                      f"the {law.title or law.key}", target, label="no authority",
                      help=f"add {hint} to the controller")


def _in_area(ctx: Context, authority: Authority, law: Law) -> bool:
    """An authority of the law: one it lists, or one (a Land's, a region's) in a country of its area."""
    if authority.key in law.authorities:
        return True
    if not authority.country or not law.area:
        return False
    members = ctx.model.regions.get(authority.country, frozenset({authority.country}))
    return members <= law.area


@rule("P066", laws=("uk_gdpr",))
def complaint_to_controller(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.effective is None or policy.effective < COMPLAINTS_TO_CONTROLLER_FROM:
        return
    info = ctx.model.rights_info
    if info is None or not info.complaints:
        yield finding("P066", "the notice does not say how to complain to the controller", _rights_span(ctx),
                      label="no `complaints`",
                      help='from 19 June 2026 UK controllers must offer a complaints route: add `complaints "..."` '
                      "to `rights`")
