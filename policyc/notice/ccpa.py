"""The CCPA section of a notice under `ccpa`: what 11 CCR 7011(e) asks a privacy policy to say.

- the statutory categories of personal information collected (Cal. Civ. Code 1798.140(v)(1)),
  each with its sources, the purposes it serves, who receives it and whether it is sold or shared;
- which of it is sensitive personal information, and the right to limit its use;
- whether personal information is sold or shared, and whether the business knowingly sells or
  shares that of consumers under 16;
- how to submit requests: the channels, verification, authorised agents, opt-out preference
  signals, and non-discrimination.

The consumer rights themselves are in "Your rights" (the ccpa rights are universal under `ccpa`).
The law's words come from the `provision` declarations of stdlib/ccpa.policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policyc.model import CcpaCategory, Data, Purpose, Recipient
from policyc.notice.english import and_join, lcfirst, retention_text, words
from policyc.notice.statements import Block, Group, Paragraph, Part, Row, Statement, Table, Words

if TYPE_CHECKING:
    from policyc.notice.compose import Composer

_SOURCE_WORDS = {"subject": "you", "observed": "your use of our services", "derived": "our own inferences"}


def section(c: Composer) -> list[Block]:
    from policyc.notice import compose as n

    model = c.model
    if model.policy is None or "ccpa" not in model.policy.jurisdictions:
        return []
    policy = model.policy
    out: list[Block] = []
    out += c.provision_prose("ccpa_categories", 2, ["ccpa"])
    table = _categories_table(c)
    if table is not None:
        out.append(table)

    sale: list[Statement] = []
    for name, no, yes in (("sells", "We do not sell personal information.", "We sell personal information."),
                          ("shares", "We do not share personal information for cross-context behavioural "
                                     "advertising.",
                           "We share personal information for cross-context behavioural advertising.")):
        value = getattr(policy, name)
        if value is not None:
            sale.append(n.st("fact", [yes if value else no], [n.back(policy, name)]))
        else:
            doing = [r for r in model.recipients if getattr(r, name)]
            if doing:
                verb = "sell personal information to" if name == "sells" else \
                    "share personal information for cross-context behavioural advertising with"
                sale.append(n.st("derived", [f"We {verb} ", *n.joined([n.entity_ref("recipient", r) for r in doing]),
                                             Words(".")], [n.back(r, name) for r in doing]))
    if policy.sells_minors is not None:
        sale.append(n.st("fact", ["We sell or share the personal information of consumers under 16 only as the law "
                                  "allows, with the opt-in it requires." if policy.sells_minors else
                                  "We do not knowingly sell or share the personal information of consumers under 16."],
                         [n.back(policy, "sells_minors")]))
    sale_blocks: list[Block] = [Paragraph(sale)] if sale else []
    if sale_blocks:
        sale_blocks += c.provision_prose("ccpa_minors", 3, ["ccpa"])
        out.append(Group("california-sale-and-sharing", "Selling and sharing personal information", sale_blocks))

    sensitive = [d for d in model.data if d.is_sensitive]
    if sensitive:
        blocks: list[Block] = [Paragraph([n.st("derived", [
            "This personal information is sensitive personal information under the CCPA: ",
            *n.joined([n.entity_ref("data", d) for d in sensitive]), Words(".")],
            [n.back(d, "special") if d.special else n.back(d, "category") for d in sensitive])])]
        blocks += c.provision_prose("ccpa_sensitive", 3, ["ccpa"])
        out.append(Group("california-sensitive", "Sensitive personal information", blocks))

    requests: list[Block] = []
    channels = n.exercise_channels(c)
    if channels:
        requests.append(Paragraph([n.st("guide", ["To make a request, use the channels in ", n.see("exercise"),
                                                  Words(".")], [b for s in channels for b in s.backing])]))
    for topic in ("ccpa_verify", "ccpa_agent"):
        requests += c.provision_prose(topic, 3, ["ccpa"])
    # How the business handles opt-out preference signals is the law's duty, not a fact of the policy
    # (the language has no field for it): the law's words say it, not a promise in our voice.
    requests += c.provision_prose("ccpa_signals", 3, ["ccpa"])
    requests += c.provision_prose("ccpa_non_discrimination", 3, ["ccpa"])
    if requests:
        out.append(Group("california-requests", "Making a request under the CCPA", requests))
    return out


def _categories_table(c: Composer) -> Table | None:
    from policyc.notice import compose as n

    model = c.model
    by_category: dict[str, tuple[CcpaCategory, list[Data]]] = {}
    for data in model.data:
        for category in (*data.categories, *data.special):
            for statutory in category.ccpa:
                entry = by_category.setdefault(statutory.key, (statutory, []))
                if data not in entry[1]:
                    entry[1].append(data)
    if not by_category:
        return None
    order = list(model.all_ccpa_categories)
    rows: list[Row] = []
    for key in sorted(by_category, key=lambda k: order.index(k) if k in order else len(order)):
        statutory, datas = by_category[key]
        mapping = [n.back(d, "special") if d.special and any(statutory in s.ccpa for s in d.special)
                   else n.back(d, "category") for d in datas]
        header = n.st("derived", [statutory.title or words(statutory.key)],
                      [*mapping, n.back_span(f"ccpa_category:{statutory.key}", statutory.span)])
        examples = n.st("fact", n.joined([n.entity_ref("data", d) for d in datas]), [n.back(d) for d in datas])
        purposes = [p for p in model.purposes if any(d in p.uses for d in datas)]
        rows.append(Row(header, [examples, _sources(c, datas), _purposes(c, purposes, datas),
                                 _recipients(c, purposes), _sold(c, purposes), _kept(c, purposes)]))
    return Table("california-categories", "Categories of personal information we collect",
                 ["Category (Cal. Civ. Code 1798.140)", "What it includes", "Where it comes from",
                  "Why we collect it", "Who receives it", "Sold or shared", "How long we keep it"], rows)


def _kept(c: Composer, purposes: list[Purpose]) -> Statement | None:
    """How long the category is kept (1798.100(a)(3)): the retention of each purpose that uses it, as the
    policy gives retention per purpose; one period when they all say the same."""
    from policyc.notice import compose as n

    if not purposes:
        return None
    texts = [retention_text(c.model.lexicon, p.retention) for p in purposes]  # "" where a purpose gives none
    backing = [n.back(p, "retain") if t else n.back(p) for p, t in zip(purposes, texts, strict=True)]
    if len(set(texts)) == 1:
        return n.st("fact", [texts[0] or n.NOT_STATED], backing)
    each = [[*n.entity_ref("purpose", p), Words(f": {lcfirst(t or n.NOT_STATED)}")]
            for p, t in zip(purposes, texts, strict=True)]
    return n.st("fact", n.joined(each, conjunction="", separator="; "), backing)


def _sources(c: Composer, datas: list[Data]) -> Statement:
    from policyc.notice import compose as n

    names: list[str] = []
    told = [d for d in datas if d.sources]
    for data in told:
        for source in data.sources:
            named = next((s for s in data.named_sources if s.key == source), None)
            name = n.title_of(named) if named is not None else _SOURCE_WORDS.get(source, words(source))
            if name not in names:
                names.append(name)
    if not told:
        return n.st("fact", [n.NOT_STATED], [n.back(d) for d in datas])
    parts: list[Part] = [Words(and_join(names)[:1].upper() + and_join(names)[1:])]
    if len(told) < len(datas):
        parts.append(Words(f"; {n.NOT_STATED.lower()} for the rest"))
    return n.st("fact", parts, [n.back(d, "source") for d in told])


def _purposes(c: Composer, purposes: list[Purpose], datas: list[Data]) -> Statement:
    from policyc.notice import compose as n

    if not purposes:
        return n.st("fact", [n.NOT_STATED], [n.back(d) for d in datas])
    return n.st("fact", n.joined([n.entity_ref("purpose", p) for p in purposes], conjunction="", separator="; "),
                [n.back(p, "uses") for p in purposes])


def _recipients(c: Composer, purposes: list[Purpose]) -> Statement | None:
    from policyc.notice import compose as n

    if not purposes:
        return None
    recipients: list[Recipient] = []
    for purpose in purposes:
        for recipient in purpose.recipients:
            if recipient not in recipients:
                recipients.append(recipient)
    if recipients:
        return n.st("fact", n.joined([n.entity_ref("recipient", r) for r in recipients]),
                    [n.back(p, "shares_with") for p in purposes if p.recipients])
    policy = c.model.policy
    if all(p.shares_with_none for p in purposes):
        return n.st("fact", ["No one"], [n.back(p, "shares_with") for p in purposes])
    if policy is not None and policy.shares_with_none and not c.model.recipients:
        return n.st("fact", ["No one"], [n.back(policy, "shares_with")])
    return n.st("fact", [n.NOT_STATED], [n.back(p) for p in purposes])


def _sold(c: Composer, purposes: list[Purpose]) -> Statement | None:
    """Whether the category is sold or shared: from the recipients of its purposes, or the policy's denial."""
    from policyc.notice import compose as n

    policy = c.model.policy
    assert policy is not None
    recipients = [r for p in purposes for r in p.recipients]
    sold = list(dict.fromkeys(r for r in recipients if r.sells))
    shared = list(dict.fromkeys(r for r in recipients if r.shares))
    if sold or shared:
        parts: list[Part] = []
        if sold:
            parts += [Words("Sold to "), *n.joined([n.entity_ref("recipient", r) for r in sold])]
        if shared:
            parts += [Words("; shared with " if sold else "Shared with "),
                      *n.joined([n.entity_ref("recipient", r) for r in shared])]
        return n.st("fact", parts, [n.back(r, "sells") for r in sold] + [n.back(r, "shares") for r in shared])
    if policy.sells is False and policy.shares is False:
        return n.st("fact", ["Neither sold nor shared"], [n.back(policy, "sells"), n.back(policy, "shares")])
    if recipients and all(r.sells is False and r.shares is False for r in recipients):
        return n.st("fact", ["Neither sold nor shared"],
                    [b for r in dict.fromkeys(recipients) for b in (n.back(r, "sells"), n.back(r, "shares"))])
    if not recipients and all(p.shares_with_none for p in purposes) and purposes:
        return n.st("derived", ["Neither sold nor shared"], [n.back(p, "shares_with") for p in purposes])
    if not purposes:
        return None
    return n.st("fact", [n.NOT_STATED], [n.back(p) for p in purposes])

