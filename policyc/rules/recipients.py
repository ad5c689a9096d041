"""P030–P032: who data is disclosed to (Art 13(1)(e), WP260)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic, Label, Severity
from policyc.patterns import lazy
from policyc.records import replace
from policyc.rules import Context, finding, rule

GENERIC_RECIPIENT = lazy(
    r"^\s*(our |selected |trusted |other |certain |some )*(partners?|third[- ]part(y|ies)|service providers?|"
    r"suppliers?|companies|organi[sz]ations|affiliates?|vendors?|others?)\s*$",
    re.IGNORECASE,
)


@rule("P030")
def recipients_unstated(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    purposes = ctx.model.controller_purposes
    everywhere_none = bool(purposes) and all(p.shares_with_none for p in purposes)
    if not ctx.model.recipients and not policy.shares_with_none and not everywhere_none:
        yield finding("P030", "the notice does not say who personal data is shared with", policy.span,
                      label="no recipients",
                      help="declare each `recipient` (or category of recipients), or add `shares_with none` to the "
                      "policy if data is shared with no one")


@rule("P031")
def recipient_too_generic(ctx: Context) -> Iterator[Diagnostic]:
    for recipient in ctx.model.recipients:
        if recipient.legal_name or recipient.sector or recipient.includes:
            continue  # named, or described by sector, or listing the organisations it covers
        generic = bool(GENERIC_RECIPIENT.match(recipient.title or recipient.key.replace("_", " ")))
        if generic or not recipient.roles:
            yield finding("P031", f"recipient `{recipient.key}` is too generic to tell people who gets their data",
                          recipient.span, label="what kind of organisation, in which sector?",
                          help='add `sector "..."` (such as "payment processing" or "IT hosting") and a specific '
                          "title, or name the organisation with `legal_name`")


@rule("P032")
def purpose_sharing_unstated(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    used = [p for p in ctx.model.purposes if p.recipients]
    set_by = [c for c in ctx.model.cookies if c.provider is not None]
    if policy.shares_with_none and not used and set_by:
        provider = set_by[0].provider
        assert provider is not None
        yield replace(finding(
            "P032", f"the policy says data is shared with no one, but cookie `{set_by[0].key}` is set by "
            f"`{provider.key}`", policy.field_span("shares_with"), label="`shares_with none`",
            labels=(Label(set_by[0].field_span("provider"), "a third party sets it"),),
            help=f"remove `shares_with none` from the policy, and name `{provider.key}` in the `shares_with` of "
            "the cookie's purposes"), severity=Severity.ERROR)
    if policy.shares_with_none and used:
        yield replace(finding(
            "P032", f"the policy says data is shared with no one, but purpose `{used[0].key}` shares it with "
            f"`{used[0].recipients[0].key}`", policy.field_span("shares_with"), label="`shares_with none`",
            labels=(Label(used[0].field_span("shares_with"), "shared here"),),
            help="remove `shares_with none` from the policy, or the recipients from the purpose"),
            severity=Severity.ERROR)
    for purpose in ctx.model.purposes:
        if purpose.shares_with_none and purpose.written("shares_with") > 1:
            yield replace(finding(
                "P032", f"purpose `{purpose.key}` says its data is shared with no one, and names recipients",
                purpose.field_span("shares_with"), label="`none` beside recipients",
                help="keep either `none` or the recipients"), severity=Severity.ERROR)
    for cookie in set_by:
        provider = cookie.provider
        assert provider is not None
        denying = [p for p in cookie.purposes if p.shares_with_none]
        if denying:
            yield replace(finding(
                "P032", f"purpose `{denying[0].key}` says its data is shared with no one, but its cookie "
                f"`{cookie.key}` is set by `{provider.key}`", denying[0].field_span("shares_with"),
                label="`shares_with none`", labels=(Label(cookie.field_span("provider"), "a third party sets it"),),
                help=f"name `{provider.key}` in the purpose's `shares_with`"), severity=Severity.ERROR)
    if policy.shares_with_none or not ctx.model.recipients:
        return  # said once for the whole notice, or P030
    for purpose in ctx.model.controller_purposes:
        if not purpose.has_field("shares_with"):
            yield finding("P032", f"purpose `{purpose.key}` does not say who its data is shared with", purpose.span,
                          label="no `shares_with`",
                          help="name its recipients with `shares_with ...`, or write `shares_with none` so the notice "
                          "can say that no one receives it")


@rule("P033")
def joint_arrangement_missing(ctx: Context) -> Iterator[Diagnostic]:
    for recipient in ctx.model.recipients:
        if recipient.role == "joint_controller" and not recipient.arrangement.strip():
            yield finding("P033", f"`{recipient.key}` is a joint controller, but the notice does not give the essence "
                          "of the arrangement", recipient.field_span("role"), label="joint controller",
                          help='add `arrangement "..."` to the recipient: who provides the notice, who answers '
                          "requests, and that people can use their rights against each controller (Art 26(2)-(3))")
    controllers = ctx.model.controllers
    if len(controllers) > 1 and not any(c.arrangement.strip() for c in controllers):
        policy = ctx.model.policy
        assert policy is not None
        yield finding("P033", f"the notice has {len(controllers)} controllers, but does not give the essence of their "
                      "arrangement", policy.field_span("controller"), label="joint controllers",
                      help='add `arrangement "..."` to one of the controllers: who does what, and that people can '
                      "use their rights against each of them (Art 26(2)-(3))")
