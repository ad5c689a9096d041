"""C001–C010: the CCPA / CPRA notice at collection and privacy policy (Cal. Civ. Code 1798.100–1798.135,
11 CCR 7011)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.model import Purpose
from policyc.rules import Context, finding, rule

CCPA = ("ccpa",)
CCPA_RIGHTS = ("know", "delete", "correct", "opt_out_sale_share", "limit_sensitive", "non_discrimination")
BEYOND_PERMITTED = ("marketing", "advertising", "analytics", "data_sale")


def beyond_permitted(purpose: Purpose) -> bool:
    """The purpose goes beyond the uses of sensitive data that 11 CCR 7027(m) permits: marketing, advertising,
    analytics or sale; or personalisation, unless the purpose is also the service the consumer asked for
    (7027(m)(1): what an average consumer who requests the goods or services reasonably expects)."""
    if purpose.is_direct_marketing or any(k.key.startswith(BEYOND_PERMITTED) for k in purpose.kinds):
        return True
    personal = any(k.key == "personalisation" or k.key.startswith("personalisation.") for k in purpose.kinds)
    return personal and not purpose.provides_service


@rule("C001", laws=CCPA)
def ccpa_categories(ctx: Context) -> Iterator[Diagnostic]:
    for data in ctx.model.data:
        if not data.categories and not data.special:
            yield finding("C001", f"`{data.key}` has no `category`, so its CCPA category cannot be listed", data.span,
                          label="add `category`", help="add `category contact` or another taxonomy entry")


@rule("C002", laws=CCPA)
def ccpa_purposes(ctx: Context) -> Iterator[Diagnostic]:
    used = {d.key for p in ctx.model.purposes for d in p.uses}
    used |= {d.key for decision in ctx.model.decisions for d in decision.uses}
    for data in ctx.model.data:
        if data.key not in used:
            yield finding("C002", f"`{data.key}` has no business or commercial purpose", data.span,
                          label="no purpose uses it", help="add it to the `uses` of the purposes it serves")


@rule("C003", laws=CCPA)
def ccpa_sale_share(ctx: Context) -> Iterator[Diagnostic]:
    for recipient in ctx.model.recipients:
        missing = [name for name, value in (("sells", recipient.sells), ("shares", recipient.shares))
                   if value is None and not recipient.has_field(name)]
        if missing:
            what = " or ".join({"sells": "sold to it", "shares": "shared with it"}[m] for m in missing)
            yield finding("C003", f"recipient `{recipient.key}` does not say whether personal information is {what}",
                          recipient.span, label=" and ".join(f"add `{m} yes` or `{m} no`" for m in missing),
                          help="the CCPA requires saying, for each category, whether it is sold or shared")


@rule("C004", laws=CCPA)
def ccpa_opt_out_link(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.do_not_sell_url or policy.has_field("do_not_sell_url"):
        return
    selling = [f"`{r.key}`" for r in ctx.model.recipients if r.sells or r.shares]
    selling += [f"`{name} yes` on the policy" for name in ("sells", "shares") if getattr(policy, name)]
    if selling:
        yield finding("C004", f"personal information is sold or shared ({selling[0]}) but the notice has no "
                      "\"Do Not Sell or Share My Personal Information\" link", policy.span, label="no opt-out link",
                      help='add `do_not_sell_url "https://..."` to the policy')


@rule("C005", laws=CCPA)
def ccpa_limit_link(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.limit_use_url or policy.has_field("limit_use_url"):
        return
    for purpose in ctx.model.purposes:
        beyond = beyond_permitted(purpose)
        sensitive = [d for d in purpose.uses if d.is_sensitive]
        if beyond and sensitive:
            yield finding("C005", f"sensitive personal information (`{sensitive[0].key}`) is used for `{purpose.key}` "
                          "but the notice has no \"Limit the Use of My Sensitive Personal Information\" link",
                          purpose.span, label="beyond the permitted purposes",
                          help='add `limit_use_url "https://..."` to the policy')
            return


@rule("C006", laws=CCPA)
def ccpa_retention(ctx: Context) -> Iterator[Diagnostic]:
    for data in ctx.model.data:
        purposes = [p for p in ctx.model.purposes if data in p.uses]
        if purposes and not any(p.retention or p.has_field("retain") for p in purposes):
            yield finding("C006", f"the notice does not say how long `{data.key}` is kept", data.span,
                          label="no retention", help="give its purposes a `retain` period or criteria")


@rule("C008", laws=CCPA)
def ccpa_rights(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    policy = ctx.model.policy
    assert policy is not None
    if info is None or not info.contact:
        yield finding("C008", "the notice does not say how to submit requests to know, delete or correct",
                      info.span if info else policy.span, label="no `contact`",
                      help='add `rights { contact "privacy@...", "1-800-..." }`')
    if info is not None:
        for key, _ in info.exclude:
            if key in CCPA_RIGHTS:
                yield finding("C008", f"the CCPA right `{key}` cannot be withheld", info.field_span("exclude"),
                              label="excluded")


@rule("C009", laws=CCPA)
def ccpa_minors(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.sells_minors is None and not policy.has_field("sells_minors"):
        yield finding("C009", "the notice does not say whether it sells or shares the personal information of "
                      "consumers under 16", policy.span, label="no `sells_minors`",
                      help="add `sells_minors no` (or `sells_minors yes`, with the opt-in the law requires) to the "
                      "policy")


@rule("C010", laws=CCPA)
def ccpa_category_unmapped(ctx: Context) -> Iterator[Diagnostic]:
    for data in ctx.model.data:
        entries = (*data.categories, *data.special)
        unmapped = [c.key for c in dict.fromkeys(entries) if not c.ccpa]
        if unmapped:
            yield finding("C010", f"`{data.key}` falls under {', '.join(f'`{k}`' for k in unmapped)}, which "
                          "maps to no CCPA category", data.field_span("category"), label="no CCPA category",
                          help="give the taxonomy entry `ccpa identifiers` (or another `ccpa_category`), or "
                          "use an entry of the standard taxonomy")


@rule("C011", laws=CCPA)
def ccpa_undated(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.effective is None and policy.reviewed is None and not policy.has_field("effective") \
            and not policy.has_field("reviewed"):
        yield finding("C011", "the notice does not give the date it was last updated", policy.span,
                      label="no `effective` or `reviewed` date",
                      help="add `effective YYYY-MM-DD` (the date this version applies from) or `reviewed YYYY-MM-DD` "
                      "to the policy: the CCPA regulations ask for the date the privacy policy was last updated, "
                      "and the law for an update at least once every 12 months")
