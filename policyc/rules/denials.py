"""P111: a denial the policy's own declarations contradict.

`cookies none`, `automated_decisions none`, `sells no` and `shares no` are published as denials ("We
do not use cookies"); a policy that also declares cookies, decisions or recipients it sells to says
two opposite things, and the notice would either publish both or drop one of them without a word.
(`shares_with none` beside recipients is P032's.)
"""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic, Label
from policyc.model import Entity
from policyc.rules import Context, finding, rule


def _contradicted(denier: Entity, field: str, message: str, other: Entity, other_field: str,
                  other_label: str, help: str) -> Diagnostic:
    span = other.field_span(other_field) if other_field else other.span
    return finding("P111", message, denier.field_span(field), label=f"`{field} ...`",
                   labels=(Label(span, other_label),), help=help)


@rule("P111", laws=())
def denial_contradicted(ctx: Context) -> Iterator[Diagnostic]:
    model = ctx.model
    policy = model.policy
    assert policy is not None
    if policy.cookies_none and model.cookies:
        cookie = model.cookies[0]
        yield _contradicted(policy, "cookies", f"the policy says it uses no cookies, but declares cookie "
                            f"`{cookie.key}`", cookie, "", "declared here",
                            "remove `cookies none` from the policy, or the cookies")
    decisions = list(model.decisions) or [d for p in model.purposes for d in p.decisions]
    if policy.automated_decisions_none and decisions:
        yield _contradicted(policy, "automated_decisions", "the policy says it makes no automated decisions, but "
                            f"declares decision `{decisions[0].key}`", decisions[0], "", "declared here",
                            "remove `automated_decisions none` from the policy, or the decisions")
    for purpose in model.purposes:
        if purpose.automated_decisions_none and purpose.decisions:
            yield finding("P111", f"purpose `{purpose.key}` says it makes no automated decisions, and names "
                          f"`{purpose.decisions[0].key}`", purpose.field_span("automated_decisions"),
                          label="`none` beside decisions", help="keep either `none` or the decisions")
    for field, verb in (("sells", "sells"), ("shares", "shares")):
        if getattr(policy, field) is not False:
            continue
        doing = [r for r in model.recipients if getattr(r, field)]
        if doing:
            what = "sells no personal information" if field == "sells" else \
                "shares no personal information for cross-context behavioural advertising"
            yield _contradicted(policy, field, f"the policy says it {what}, but recipient `{doing[0].key}` says "
                                f"`{field} yes`", doing[0], field, f"`{verb} yes` here",
                                f"correct `{field} no` on the policy or `{field} yes` on the recipient")
