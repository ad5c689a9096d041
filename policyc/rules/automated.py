"""P080–P081: automated decision-making and profiling (Art 13(2)(f), 22)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule

SPECIAL_DATA_CONDITIONS = ("explicit_consent", "substantial_public_interest")


@rule("P080")
def automated_decision_undisclosed(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for purpose in ctx.model.controller_purposes:
        for decision in purpose.decisions:
            if decision.key in seen or decision.solely_automated is False or decision.legal_effect is False:
                continue  # Art 22 covers solely automated decisions with legal or similarly significant effects
            seen.add(decision.key)
            missing = [name for name, value in (("logic", decision.logic), ("significance", decision.significance),
                                                ("consequences", decision.consequences)) if not value]
            if not decision.safeguards:
                missing.append("safeguards")
            if missing:
                yield finding("P080", f"automated decision `{decision.key}` does not give its "
                              + ", ".join(f"`{m}`" for m in missing), decision.span, label="incomplete",
                              help="Art 13(2)(f): give meaningful information about the logic, the significance and "
                              "the consequences, and the Art 22(3) safeguards (human review, contest)")


@rule("P081")
def automated_decision_special_data(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        for decision in purpose.decisions:
            if decision.solely_automated is False or decision.legal_effect is False:
                continue  # outside Art 22
            data = decision.uses or purpose.uses
            if not any(d.is_special for d in data):
                continue
            keys = {u.basis.key for u in (*purpose.bases, *purpose.conditions)}
            if not keys & set(SPECIAL_DATA_CONDITIONS):
                yield finding("P081", f"automated decision `{decision.key}` uses special-category data without "
                              "explicit consent or substantial public interest", decision.span,
                              label="Art 22(4)", help="add `condition explicit_consent` (or "
                              "`substantial_public_interest \"...\"`) to the purpose, or stop using special data")
