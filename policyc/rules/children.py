"""P100: children and the age of digital consent (Art 8)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule

PARENTAL = re.compile(r"\b(parent|guardian|parental)", re.IGNORECASE)


@rule("P100")
def child_consent_age(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    for_children = "children" in policy.audience or (policy.minimum_age is not None and policy.minimum_age < 18)
    if not for_children:
        return
    on_consent = [p for p in ctx.model.controller_purposes
                  if any("withdrawal" in u.basis.requires for u in (*p.bases, *p.conditions))]
    if not on_consent:
        return
    ages = {law.key: law.child_consent_age for law in ctx.model.laws if law.child_consent_age}
    below = [key for key, age in ages.items() if policy.minimum_age is None or policy.minimum_age < (age or 0)]
    if below and not PARENTAL.search(policy.children):
        stated = ", ".join(f"{ctx.law_names(k)} {ages[k]}" for k in below)
        yield finding("P100", "a service for children that relies on consent must state the age of digital consent "
                      f"({stated}) and how parents consent below it", policy.field_span("children"),
                      label="children and consent",
                      help='add `children "Under 13 we ask a parent or guardian to consent ..."` and `minimum_age`')
