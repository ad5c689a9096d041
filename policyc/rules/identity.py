"""P001–P003: who the controller is and how to reach them (Art 13(1)(a)–(b), 14(1)(a)–(b), 27)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule


@rule("P001")
def controller_identity(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if not ctx.model.controllers:
        yield finding("P001", "the notice does not say who the controller is", policy.span,
                      label="no controller", help="add `controller NAME` to the policy and declare it")
    for controller in ctx.model.controllers:
        if not (controller.title or controller.legal_name):
            yield finding("P001", f"controller `{controller.key}` has no name", controller.span,
                          label="unnamed", help='give it a title or a `legal_name "..."`')
        if not controller.channels:
            yield finding("P001", f"controller `{controller.key}` gives no way to contact it", controller.span,
                          label="no email, phone, address or url",
                          help="add at least one of `email`, `phone`, `address` or `url`")


def _inside(ctx: Context, country: str, area: frozenset[str]) -> bool:
    return ctx.model.regions.get(country, frozenset({country})) <= area


@rule("P002")
def representative(ctx: Context) -> Iterator[Diagnostic]:
    for controller in ctx.model.controllers:
        if not controller.country or controller.representatives:
            continue
        for law in ctx.model.laws:
            if law.area and not _inside(ctx, controller.country, law.area):
                yield finding(
                    "P002", f"controller `{controller.key}` is established outside the area of the "
                    f"{law.title or law.key} and names no representative", controller.field_span("country"),
                    label=f"`{controller.country}` is outside the area",
                    help="add `representative CONTACT`: a representative in the area (Art 27)")


@rule("P004")
def representative_outside_area(ctx: Context) -> Iterator[Diagnostic]:
    """Art 27(3): the representative is established in the area whose law applies to the controller."""
    for controller in ctx.model.controllers:
        if not controller.country or not controller.representatives:
            continue
        for law in ctx.model.laws:
            if not law.area or _inside(ctx, controller.country, law.area):
                continue  # established in the area: no representative needed under this law
            if any(not r.country or _inside(ctx, r.country, law.area) for r in controller.representatives):
                continue  # one is in the area, or says nowhere (silence is not a finding here)
            names = ", ".join(f"`{r.key}` ({r.country})" for r in controller.representatives)
            yield finding(
                "P004", f"controller `{controller.key}` is outside the area of the {law.title or law.key}, and "
                f"its representative {names} is not in that area either", controller.field_span("representative"),
                label="not in the area", help="name a representative established in the area (Art 27(3)): "
                + ("in the United Kingdom" if law.key == "uk_gdpr" else "in an EU or EEA state where the people "
                   "whose data you use are"))


@rule("P003")
def dpo_contact(ctx: Context) -> Iterator[Diagnostic]:
    for controller in ctx.model.controllers:
        dpo = controller.dpo
        if dpo is not None and not dpo.channels:
            yield finding("P003", f"the data protection officer `{dpo.key}` has no contact details", dpo.span,
                          label="no email, phone, address or url",
                          help="give the DPO's `email`, `phone`, `address` or `url`")
