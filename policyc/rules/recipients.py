"""P030–P031: who data is disclosed to (Art 13(1)(e), WP260)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule

GENERIC_RECIPIENT = re.compile(
    r"^\s*(our |selected |trusted |other |certain |some )*(partners?|third[- ]part(y|ies)|service providers?|"
    r"suppliers?|companies|organi[sz]ations|affiliates?|vendors?|others?)\s*$",
    re.IGNORECASE,
)


@rule("P030")
def recipients_unstated(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if not ctx.model.recipients and not policy.shares_with_none:
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
        if generic or not recipient.role:
            yield finding("P031", f"recipient `{recipient.key}` is too generic to tell people who gets their data",
                          recipient.span, label="what kind of organisation, in which sector?",
                          help='add `sector "..."` (such as "payment processing" or "IT hosting") and a specific '
                          "title, or name the organisation with `legal_name`")
