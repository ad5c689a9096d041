"""What the law of the jurisdictions in force requires a notice to state, as one table.

Each row names an item of GDPR Art 13/14 or of 11 CCR 7011(e), the laws it belongs to, and, for a
model, the facts that the notice must state when the model holds them (fact ids as in
`policyc.notice.statements.Backing`). The notice stage must publish a statement backed by each of
those facts; the test suite checks it on every example and on generated policies. The checker's
rules, not this table, report what the model lacks.
"""

from __future__ import annotations

from collections.abc import Callable

from policyc.model import Entity, Model
from policyc.records import record

GDPR = ("uk_gdpr", "gdpr")
CCPA = ("ccpa",)


def fact(entity: Entity, name: str = "") -> str:
    return f"{entity.decl.kind}:{entity.key}" + (f":{name}" if name else "")


@record(frozen=True, slots=True)
class Requirement:
    """An item the law requires a notice to state: its article, and the facts that state it."""

    article: str
    item: str
    laws: tuple[str, ...]
    facts: Callable[[Model], list[str]]  # what the notice must state, given what the model holds


def _controller(model: Model) -> list[str]:
    return [fact(c) for c in model.controllers] + [fact(c, n) for c in model.controllers
                                                   for n in ("email", "phone", "address", "url") if getattr(c, n)]


def _dpo(model: Model) -> list[str]:
    return [fact(c, "dpo") for c in model.controllers if c.dpo is not None]


def _representative(model: Model) -> list[str]:
    return [fact(c, "representative") for c in model.controllers if c.representative is not None]


def _bases(model: Model) -> list[str]:
    out = [fact(p) for p in model.controller_purposes]
    out += [fact(p, "basis") for p in model.controller_purposes if p.bases]
    out += [fact(p, "condition") for p in model.controller_purposes if p.conditions]
    return out


def _recipients(model: Model) -> list[str]:
    out = [fact(r) for r in model.recipients]
    out += [fact(p, "shares_with") for p in model.controller_purposes if p.recipients or p.shares_with_none]
    if model.policy is not None and model.policy.shares_with_none and not model.recipients:
        out.append(fact(model.policy, "shares_with"))
    return out


def _transfers(model: Model) -> list[str]:
    out = [fact(t.recipient, t.field) for t in model.transfers]
    out += [fact(t.recipient, "safeguard") for t in model.transfers if t.safeguards and t.adequacy is None]
    out += [fact(t.recipient, "safeguard_copy") for t in model.transfers if t.recipient.safeguard_copy]
    out += [f"adequacy:{t.adequacy.key}" for t in model.transfers if t.adequacy is not None]
    return out


def _retention(model: Model) -> list[str]:
    return [fact(p, "retain") for p in model.purposes if p.retention is not None]


def _rights(model: Model) -> list[str]:
    return [f"right:{r.right.key}" + ("" if r.right.key in dict(model.rights_info.describe if model.rights_info
                                                                 else ()) else ":summary")
            for r in model.rights if not r.excluded]


def _describe(model: Model) -> list[str]:
    info = model.rights_info
    offered = {r.right.key for r in model.rights}
    return [fact(info, "describe")] if info is not None and any(k in offered for k, _ in info.describe) else []


def _withdraw(model: Model) -> list[str]:
    info = model.rights_info
    return [fact(info, "withdraw")] if info is not None and info.withdraw else []


def _complain(model: Model) -> list[str]:
    out: list[str] = []
    for controller in model.controllers:
        if controller.authorities:
            out.append(fact(controller, "authority"))
    return out


def _required(model: Model) -> list[str]:
    return [fact(d, n) for d in model.data for n in ("required_for", "if_not_provided") if getattr(d, n)]


def _decisions(model: Model) -> list[str]:
    out: list[str] = []
    for decision in model.decisions:
        out.append(fact(decision))
        out += [fact(decision, n) for n in ("logic", "significance", "consequences") if getattr(decision, n)]
    return out


def _categories(model: Model) -> list[str]:
    return [fact(d) for d in model.data] + [fact(d, "category") for d in model.data if d.categories]


def _sources(model: Model) -> list[str]:
    return [fact(d, "source") for d in model.data if d.sources]


def _ccpa_categories(model: Model) -> list[str]:
    return list(dict.fromkeys(f"ccpa_category:{k.key}" for d in model.data
                              for c in (*d.categories, *d.special) for k in c.ccpa))


def _ccpa_purposes(model: Model) -> list[str]:
    return [fact(p, "uses") for p in model.purposes if p.uses]


def _ccpa_sale(model: Model) -> list[str]:
    out = [fact(r, n) for r in model.recipients for n in ("sells", "shares") if getattr(r, n) is not None]
    policy = model.policy
    if policy is not None:
        out += [fact(policy, n) for n in ("sells", "shares") if getattr(policy, n) is not None]
    return out


def _ccpa_minors(model: Model) -> list[str]:
    policy = model.policy
    return [fact(policy, "sells_minors")] if policy is not None and policy.sells_minors is not None else []


def _ccpa_sensitive(model: Model) -> list[str]:
    return [fact(d, "special" if d.special else "category") for d in model.data if d.is_sensitive]


def _ccpa_requests(model: Model) -> list[str]:
    info = model.rights_info
    out = [fact(info, "contact")] if info is not None and info.contact else []
    out += [fact(p, "text") for p in model.provisions if p.topic in ("ccpa_agent", "ccpa_signals", "ccpa_verify")]
    return out


def _opt_out_links(model: Model) -> list[str]:
    policy = model.policy
    if policy is None:
        return []
    return [fact(policy, n) for n in ("do_not_sell_url", "limit_use_url") if getattr(policy, n)]


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("13(1)(a), 14(1)(a)", "the identity and contact details of the controller", GDPR, _controller),
    Requirement("13(1)(a), 27", "the representative", GDPR, _representative),
    Requirement("13(1)(b), 14(1)(b)", "the contact details of the data protection officer", GDPR, _dpo),
    Requirement("13(1)(c), 14(1)(c)", "the purposes and their legal basis", GDPR, _bases),
    Requirement("13(1)(e), 14(1)(e)", "the recipients or categories of recipients", GDPR, _recipients),
    Requirement("13(1)(f), 14(1)(f)", "transfers, with their adequacy decision or safeguards", GDPR, _transfers),
    Requirement("13(2)(a), 14(2)(a)", "how long the data is kept", GDPR, _retention),
    Requirement("13(2)(b), 14(2)(c)", "the rights of the data subject", GDPR, _rights),
    Requirement("13(2)(b)", "the author's words for a right offered", GDPR, _describe),
    Requirement("13(2)(c), 14(2)(d)", "how to withdraw consent", GDPR, _withdraw),
    Requirement("13(2)(d), 14(2)(e)", "the supervisory authority to complain to", GDPR, _complain),
    Requirement("13(2)(e)", "whether providing the data is required, and what follows if not", GDPR, _required),
    Requirement("13(2)(f), 14(2)(g)", "automated decisions: logic, significance and consequences", GDPR, _decisions),
    Requirement("14(1)(d)", "the categories of personal data", GDPR, _categories),
    Requirement("14(2)(f)", "where the data comes from", GDPR, _sources),
    Requirement("7011(e)(1)(A)", "the categories of personal information collected", CCPA, _ccpa_categories),
    Requirement("7011(e)(1)(B)", "the categories of sources", CCPA, _sources),
    Requirement("7011(e)(1)(C)", "the business or commercial purposes", CCPA, _ccpa_purposes),
    Requirement("7011(e)(1)(D)", "the categories of third parties", CCPA, _recipients),
    Requirement("7011(e)(1)(E)", "whether personal information is sold or shared", CCPA, _ccpa_sale),
    Requirement("7011(e)(1)(F)", "whether the business sells or shares that of consumers under 16", CCPA,
                _ccpa_minors),
    Requirement("7011(e)(1)(H)", "the sensitive personal information collected", CCPA, _ccpa_sensitive),
    Requirement("7011(e)(2)", "the consumer's rights", CCPA, _rights),
    Requirement("7011(e)(3)", "how to submit requests, verification, authorised agents, opt-out signals", CCPA,
                _ccpa_requests),
    Requirement("1798.135", "the opt-out and limit links", CCPA, _opt_out_links),
    Requirement("7011(e)(4)", "the date the policy was last updated", CCPA + GDPR,
                lambda m: [fact(m.policy, "effective")] if m.policy is not None and m.policy.effective else []),
)


def required_facts(model: Model) -> list[tuple[Requirement, str]]:
    """Every fact the law of the model's jurisdictions requires its notice to state, with the requirement."""
    laws = set(model.policy.jurisdictions) if model.policy is not None else set()
    return [(r, f) for r in REQUIREMENTS if laws & set(r.laws) for f in r.facts(model)]
