"""Notice stage: the resolved model as the sections of statements a reader gets.

Every statement is made here, from model facts, and carries the spans that back it (see
`policyc.notice.statements`). Where the source is silent the notice is silent, or says "Not stated"
in a table cell or a list of facts that a reader expects; the checker's findings cover those gaps.
Only an explicit denial in the source (`shares_with none`, `cookies none`, `sells no`, ...) is
published as one. Law text comes from the standard-library declarations of the laws in force
(`right` summaries and `provision` texts), so a UK notice speaks UK GDPR and an EU notice EU GDPR.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from policyc import __version__
from policyc.backends.author import EMAIL, WEB
from policyc.diagnostics.model import Span
from policyc.model import (
    INTERNATIONAL,
    UNNAMED,
    BasisUse,
    Contact,
    Cookie,
    Data,
    Decision,
    Entity,
    Model,
    OfferedRight,
    Provision,
    Purpose,
    Recipient,
    RetentionRule,
    Source,
    Transfer,
)
from policyc.notice import ccpa
from policyc.notice.english import (
    and_join,
    area_names,
    country_text,
    date_text,
    duration_text,
    law_area,
    lcfirst,
    place,
    retention_text,
    words,
)
from policyc.notice.requirements import GDPR
from policyc.notice.statements import (
    Backing,
    Block,
    Group,
    Items,
    Kind,
    Link,
    Markdown,
    Notice,
    Paragraph,
    Part,
    Prose,
    Row,
    Section,
    See,
    Statement,
    Table,
    Words,
    walk,
)
from policyc.patterns import regex
from policyc.records import field, record

_T = TypeVar("_T")

# The standard sections, in reading order: (key, id, heading). `after` in a `section` declaration
# names one of these keys (or `end`).
STANDARD_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("glance", "at-a-glance", "At a glance"),
    ("controller", "who-we-are", "Who we are and how to contact us"),
    ("data", "data-we-collect", "What data we collect and where it comes from"),
    ("purposes", "purposes", "Why we use your data and our legal basis"),
    ("processor", "on-behalf-of-customers", "Where we act on behalf of other organisations"),
    ("recipients", "recipients", "Who we share your data with"),
    ("transfers", "international-transfers", "International transfers"),
    ("retention", "retention", "How long we keep your data"),
    ("rights", "your-rights", "Your rights"),
    ("ccpa", "california", "Information for California residents"),
    ("automated_decisions", "automated-decisions", "Automated decisions"),
    ("cookies", "cookies", "Cookies and similar technologies"),
    ("security", "security", "How we protect your data"),
    ("children", "children", "Children"),
    ("changes", "changes", "Changes to this notice"),
    ("complaints", "complaints", "How to complain"),
)

# The fixed parts of "Your rights": key -> (id, heading).
SUBSECTIONS: dict[str, tuple[str, str]] = {
    "exercise": ("exercising-your-rights", "How to exercise your rights"),
    "withdraw": ("withdrawing-consent", "Withdrawing your consent"),
    "object": ("objecting", "Objecting to how we use your data"),
    "do_not_sell": ("do-not-sell-or-share", "Do not sell or share my personal information"),
    "limit_use": ("limit-sensitive-data", "Limit the use of my sensitive personal information"),
}

NOT_STATED = "Not stated"

# The headings of standard sections that differ in a notice under no law of the GDPR family.
_NOT_GDPR_TITLES = {"purposes": "Why we use your data"}

_ROLES = {
    "processor": "Service provider acting on our instructions",
    "controller": "Independent organisation (a controller in its own right)",
    "joint_controller": "Joint controller with us",
    "public_authority": "Public authority",
}
# The roles in words that are not GDPR terms, for a notice under no GDPR law. The policy does not
# say which CCPA term (service provider, contractor, third party) a recipient is, so none is used.
_NEUTRAL_ROLES = {
    "processor": "Organisation acting on our instructions",
    "controller": "Independent organisation that decides for itself how it uses the data",
    "joint_controller": "Organisation that decides with us why and how the data is used",
    "public_authority": "Public authority",
}
_SOURCES = {
    "subject": "you",
    "observed": "collected automatically when you use our services",
    "derived": "worked out by us from other data",
}
_REQUIRED = {
    "statutory": "You must give us this data by law.",
    "contract": "You need to give us this data so that we can enter into or carry out a contract with you.",
    "optional": "Giving us this data is optional.",
}
COOKIE_KINDS = {
    "strictly_necessary": "Strictly necessary",
    "functional": "Functional",
    "analytics": "Analytics",
    "advertising": "Advertising",
}
_TECHNOLOGIES = {
    "cookie": "Cookie",
    "pixel": "Pixel",
    "local_storage": "Local storage",
    "fingerprint": "Device fingerprinting",
    "sdk": "Software development kit (SDK)",
}
_CONSENT = {
    "opt_in_banner": "We set cookies that are not strictly necessary only if you agree to them in our cookie "
                     "banner.",
    "implied": "We treat your continued use of our website as consent to cookies that are not strictly necessary.",
    "none": "We do not ask for consent before setting cookies.",
}
_CERTIFICATIONS = {
    "iso27001": "ISO/IEC 27001",
    "iso27701": "ISO/IEC 27701",
    "cyber_essentials": "Cyber Essentials",
    "cyber_essentials_plus": "Cyber Essentials Plus",
    "pci_dss": "PCI DSS",
    "soc2": "SOC 2",
}
_DECISION_SAFEGUARDS = {
    "human_review": "ask for a person to review the decision",
    "express_view": "give us your point of view",
    "contest": "challenge the decision",
}

_ID_UNSAFE = regex(r"[^A-Za-z0-9_-]+")
_PHONE = regex(r"^\+?[0-9][0-9 ().-]{4,}$")
_NOT_DIALLED = regex(r"[^0-9+]")  # what a tel: link leaves out


def anchor(prefix: str, key: str) -> str:
    """An HTML id for an entity: `purpose-fulfil_orders` (the policy's name, unchanged where it can be)."""
    return f"{prefix}-{_ID_UNSAFE.sub('-', key) or 'x'}"


def channel(value: str) -> Part:
    """A contact channel: an e-mail, web or telephone link, or plain text."""
    value = value.strip()
    if EMAIL.match(value):
        return Link(value, f"mailto:{value}")
    if WEB.match(value):
        return Link(value, value)
    if _PHONE.match(value):
        return Link(value, "tel:" + _NOT_DIALLED.sub("", value))
    return Words(value)


# --- backing and statements -------------------------------------------------------------------


def back(entity: Entity, name: str = "") -> Backing:
    """The fact `kind:key:field` of an entity (or the entity itself), with the span that says it."""
    kind = entity.decl.kind
    if not name:
        return Backing(f"{kind}:{entity.key}", entity.span)
    return Backing(f"{kind}:{entity.key}:{name}", entity.field_span(name))


def back_span(fact: str, span: Span) -> Backing:
    return Backing(fact, span)


def st(kind: Kind, parts: Iterable[Part | str], backing: Iterable[Backing], label: str = "") -> Statement:
    shown = _one_full_stop([Words(p) if isinstance(p, str) else p for p in parts])
    return Statement(kind, tuple(p for p in shown if not (isinstance(p, Words) and not p.text)),
                     tuple(dict.fromkeys(backing)), label)


# A sentence's closing full stop right after words that end in one ("Acme, Inc." + "."): not an
# ellipsis (no third dot), and only at the end of a sentence (before a space, a closing mark or the end).
_DOUBLE_STOP = regex(r"(?<=[^.]\.)\.(?=$|[\s)”\"'])")


def _ends_in_full_stop(part: Part) -> bool:
    """The part as shown ends in a full stop (a quoted reference ends in its closing quote)."""
    if isinstance(part, See):
        return not part.quoted and part.title.endswith(".")
    if isinstance(part, Markdown):
        return part.text.rstrip().rstrip("*_").endswith(".")
    return part.text.endswith(".")


def _one_full_stop(parts: list[Part]) -> list[Part]:
    """The parts with no sentence ending in two full stops: where our words close a sentence whose last
    words (a name, an author's text) end in a full stop already, that full stop closes it."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, Words):
            text = _DOUBLE_STOP.sub("", part.text)
            if text.startswith(".") and not text.startswith("..") and out and _ends_in_full_stop(out[-1]):
                text = text[1:]
            if text != part.text:
                part = Words(text)
        out.append(part)
    return out


def not_stated(entity: Entity, label: str = "") -> Statement:
    """The source is silent on something a reader expects here: backed by the declaration, not the field."""
    return st("fact", [NOT_STATED], [back(entity)], label)


def joined(items: Sequence[Sequence[Part]], conjunction: str = "and", separator: str = ", ") -> list[Part]:
    """Parts of several items as `a, b and c` (or `a; b; c` with separator `; ` and no conjunction)."""
    out: list[Part] = []
    for index, item in enumerate(items):
        if index:
            last = index == len(items) - 1
            out.append(Words(f" {conjunction} " if last and conjunction else separator))
        out.extend(item)
    return out


def title_of(entity: Entity) -> str:
    legal = getattr(entity, "legal_name", "")
    return entity.title or legal or words(entity.key)


def entity_ref(prefix: str, entity: Entity) -> list[Part]:
    return [See(anchor(prefix, entity.key), title_of(entity), quoted=False)]


def prose(kind: Kind, text: str, backing: Iterable[Backing], level: int) -> Prose | None:
    if not text.strip():
        return None
    return Prose(st(kind, [Markdown(text)], backing), level)


def entity_group(prefix: str, entity: Entity, blocks: list[Block], title: str = "") -> Group:
    """The part of a section about one entity of the policy: its title is a fact of the source."""
    shown = title or title_of(entity)
    return Group(anchor(prefix, entity.key), shown, blocks, heading=st("fact", [shown], [back(entity)]))


def opening(text: str) -> str:
    """Author words that start a sentence after one of ours: the first letter upper case (past any
    Markdown emphasis or link bracket), so that no sentence starts in lower case after a full stop."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1:] if char.islower() else text
        if char not in " *_[(\"“‘'":
            return text
    return text


def see(key: str) -> See:
    """A reference to a standard section or part of "Your rights", resolved once the sections are known."""
    return See(f"@{key}", key)


def law_names(model: Model, keys: Iterable[str]) -> str:
    titles = [(law.title or words(law.key)) for law in model.laws if law.key in set(keys)]
    return and_join([f"the {t}" if t.isupper() or t.startswith(("UK ", "EU ")) else t for t in titles])


# --- the stage --------------------------------------------------------------------------------


@record
class Composer:
    """Builds the notice's statements from the model, section by section."""

    model: Model
    history: dict[str, object] | None = None
    blocks: dict[str, list[Block]] = field(default_factory=dict)

    @property
    def policy_laws(self) -> set[str]:
        return {law.key for law in self.model.laws}

    @property
    def gdpr(self) -> bool:
        """A law of the GDPR family is in force (or the policy names no law, and every law's words apply):
        only then does the notice speak of legal bases, controllers and processors and cite GDPR articles."""
        laws = self.policy_laws
        return not laws or bool(laws & set(GDPR))

    def provisions(self, topic: str, laws: Iterable[str] | None = None) -> list[Provision]:
        wanted = set(laws) if laws is not None else None
        effective = self.model.policy.effective if self.model.policy is not None else None
        return [p for p in self.model.provisions
                if p.topic == topic and (wanted is None or wanted & set(p.laws)) and p.in_force(effective)]

    def provision_prose(self, topic: str, level: int, laws: Iterable[str] | None = None) -> list[Block]:
        out: list[Block] = []
        for provision in self.provisions(topic, laws):
            block = prose("law", provision.text, [back(provision, "text")], level)
            if block is not None:
                out.append(block)
        return out


def compose(model: Model, source: str = "", stem: str = "", history: dict[str, object] | None = None) -> Notice:
    """The notice of one policy: its sections of statements, in reading order."""
    c = Composer(model, history)
    policy = model.policy
    builders: dict[str, Callable[[Composer], list[Block]]] = {
        "glance": _glance, "controller": _controllers, "data": _data, "purposes": _purposes,
        "processor": _processor, "recipients": _recipients, "transfers": _transfers, "retention": _retention,
        "rights": _rights, "ccpa": ccpa.section, "automated_decisions": _decisions, "cookies": _cookies,
        "security": _security, "children": _children, "changes": _changes, "complaints": _complaints,
    }
    built = {key: builders[key](c) for key, _, _ in STANDARD_SECTIONS}
    sections = _arrange(model, built, {} if c.gdpr else _NOT_GDPR_TITLES)
    _resolve_references(sections)
    controller = model.controller
    meta: list[Statement] = []
    if policy is not None:
        version, effective = policy.version, date_text(policy.effective)
        if version and effective:
            meta.append(st("fact", [f"Version {version}, effective from {effective}."],
                           [back(policy, "version"), back(policy, "effective")]))
        elif version:
            meta.append(st("fact", [f"Version {version}."], [back(policy, "version")]))
        elif effective:
            meta.append(st("fact", [f"Effective from {effective}."], [back(policy, "effective")]))
        if policy.reviewed:
            meta.append(st("fact", [f"Last reviewed on {date_text(policy.reviewed)}."], [back(policy, "reviewed")]))
    summary = prose("fact", policy.summary, [back(policy, "summary")], 1) if policy is not None else None
    url = None
    if policy is not None and policy.url:
        url = st("fact", ["This notice is published at ", channel(policy.url), "."], [back(policy, "url")])
    return Notice(
        title=(policy.title if policy else "") or "Privacy notice",
        language=(policy.language if policy else "") or "en",
        controller_name=title_of(controller) if controller else "",
        generator=f"policyc {__version__}", source=source, stem=stem,
        meta=meta, summary=summary, sections=sections, url=url,
    )


def _arrange(model: Model, built: dict[str, list[Block]], titles: dict[str, str]) -> list[Section]:
    """The standard sections that have something to say, with the author's sections after their `after`
    (`titles`: the headings that differ from the standard ones)."""
    author_after: dict[str, list[Section]] = {}
    used: set[str] = {sid for _, sid, _ in STANDARD_SECTIONS}
    keys = {k for k, _, _ in STANDARD_SECTIONS}
    for own in model.sections:
        after = own.after if own.after in keys else "end"
        section_id = anchor("section", own.key)
        while section_id in used:
            section_id += "-x"
        used.add(section_id)
        block = prose("fact", own.text, [back(own, "text")], 2)
        author_after.setdefault(after, []).append(
            Section(own.key, section_id, own.title or words(own.key), [block] if block else [], True))
    order: list[Section] = []
    for key, section_id, title in STANDARD_SECTIONS:
        if built[key]:
            order.append(Section(key, section_id, titles.get(key, title), built[key]))
        order.extend(author_after.get(key, []))
    order.extend(author_after.get("end", []))
    for section, title in zip(order, dedupe([s.title for s in order]), strict=True):
        section.title = title
    return order


def dedupe(titles: list[str]) -> list[str]:
    """Sibling headings must differ: a repeated title gets ` (2)`, ` (3)`..."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for title in titles:
        folded = " ".join(title.split()).casefold()
        seen[folded] = seen.get(folded, 0) + 1
        out.append(title if seen[folded] == 1 else f"{title} ({seen[folded]})")
    return out


def _resolve_references(sections: list[Section]) -> None:
    """`see(key)` parts become the title and id of the part they name; a statement that points at a part
    the notice does not have is dropped (it would send the reader nowhere)."""
    targets: dict[str, tuple[str, str]] = {s.key: (s.id, s.title) for s in sections if not s.author}
    for section in sections:
        for group in _groups(section.blocks):
            for key, (sub_id, _) in SUBSECTIONS.items():
                if group.id == sub_id:
                    targets[key] = (group.id, group.title)

    def fix(statement: Statement) -> Statement | None:
        parts: list[Part] = []
        for part in statement.parts:
            if isinstance(part, See) and part.target.startswith("@"):
                found = targets.get(part.title)
                if found is None:
                    return None
                parts.append(See(found[0], found[1]))
            else:
                parts.append(part)
        statement.parts = tuple(parts)
        return statement

    def fix_blocks(blocks: list[Block]) -> list[Block]:
        out: list[Block] = []
        for block in blocks:
            if isinstance(block, Paragraph | Items):
                block.statements = [s for s in (fix(x) for x in block.statements) if s is not None]
                if not block.statements:
                    continue
            elif isinstance(block, Table):
                for row in block.rows:
                    row.cells = [fix(cell) if cell is not None else None for cell in row.cells]
            elif isinstance(block, Group):
                block.blocks = fix_blocks(block.blocks)
            out.append(block)
        return out

    for section in sections:
        section.blocks = fix_blocks(section.blocks)


def _groups(blocks: list[Block]) -> Iterable[Group]:
    for block in blocks:
        if isinstance(block, Group):
            yield block
            yield from _groups(block.blocks)


def _titled(groups: list[Group]) -> list[Group]:
    for group, title in zip(groups, dedupe([g.title for g in groups]), strict=True):
        group.title = title
    return groups


# --- At a glance ------------------------------------------------------------------------------


def _glance(c: Composer) -> list[Block]:
    model = c.model
    items: list[Statement] = []
    controller = model.controller
    policy = model.policy
    if controller is not None and policy is not None:
        items.append(st("fact", [title_of(controller)], [back(policy, "controller"), back(controller)], "Who we are"))
    if model.data:
        parts: list[Part] = [Words(and_join([title_of(d) for d in model.data]))]
        backing = [back(d) for d in model.data]
        elsewhere = [d for d in model.data if d.from_elsewhere]
        if elsewhere:
            parts.append(Words("; some of it comes from other organisations"))
            backing += [back(d, "source") for d in elsewhere]
        items.append(st("fact", parts, backing, "What we collect"))
    purposes = model.controller_purposes
    if purposes:
        items.append(st("fact", ["; ".join(title_of(p) for p in purposes)], [back(p) for p in purposes],
                        "Why we use it"))
    shared = _shared_recipients(model)
    if shared:
        backing = [back(p, "shares_with") for p in purposes if p.recipients]
        items.append(st("fact", [and_join([title_of(r) for r in shared])], backing, "Who we share it with"))
    elif policy is not None and policy.shares_with_none and not model.recipients:
        items.append(st("fact", ["No one"], [back(policy, "shares_with")], "Who we share it with"))
    retention = _retention_summary(c)
    if retention is not None:
        items.append(retention)
    offered = [r for r in model.rights if not r.excluded]
    if offered:
        names = and_join([lcfirst(r.right.title or words(r.right.key)) for r in offered])
        items.append(st("derived", [names[:1].upper() + names[1:], " (see ", see("rights"), ")"],
                        _right_backing(model, offered), "Your rights"))
    return [Items(items)] if items else []


def _shared_recipients(model: Model) -> list[Recipient]:
    out: list[Recipient] = []
    for purpose in model.controller_purposes:
        for recipient in purpose.recipients:
            if recipient not in out:
                out.append(recipient)
    return out


def _retention_summary(c: Composer) -> Statement | None:
    """What "at a glance" may truly say about retention: one rule for every purpose, the longest of
    comparable periods, or that it depends on the purpose."""
    purposes = c.model.controller_purposes
    rules = [p.retention for p in purposes if p.retention is not None]
    if not rules:
        return None
    backing = [back(p, "retain") for p in purposes if p.retention is not None]
    texts = {retention_text(c.model.lexicon, r) for r in rules}
    if len(rules) == len(purposes) and len(texts) == 1:
        return st("fact", [texts.pop()], backing, "How long we keep it")
    plain = [r for r in rules if r.period and r.period_days is not None and not (
        r.until or r.unless or r.criteria or r.session)]
    parts: list[Part] = [Words("It depends on the purpose")]
    if len(plain) == len(rules) == len(purposes) and len({r.after for r in plain}) == 1:
        longest = max(plain, key=lambda r: r.period_days or 0.0)
        parts.append(Words(f"; at most {lcfirst(retention_text(c.model.lexicon, longest))}"))
    parts += [Words(" (see "), see("retention"), Words(")")]
    return st("derived", parts, backing, "How long we keep it")


def _right_backing(model: Model, offered: Iterable[OfferedRight]) -> list[Backing]:
    """Why the rights are offered: the stdlib right and the facts of the policy that bring it."""
    out: list[Backing] = []
    for right in offered:
        out.append(back_span(f"right:{right.right.key}", right.right.span))
        out.extend(_causes(model, right))
    return out


def _causes(model: Model, offered: OfferedRight) -> list[Backing]:
    out: list[Backing] = []
    info = model.rights_info
    for because in offered.because:
        if because == "universal" and model.policy is not None:
            out.append(back(model.policy, "jurisdictions"))
        elif because.startswith(("basis ", "condition ")):
            kind, key = because.split(" ", 1)
            for purpose in model.controller_purposes:
                uses = purpose.bases if kind == "basis" else purpose.conditions
                out.extend(Backing(f"purpose:{purpose.key}:{kind}", u.span) for u in uses if u.basis.key == key)
        elif because == "direct marketing":
            out.extend(back(p, "direct_marketing" if p.direct_marketing else "kind")
                       for p in model.controller_purposes if p.is_direct_marketing)
        elif because == "automated decisions":
            out.extend(back(p, "automated_decisions") for p in model.controller_purposes if p.decisions)
        elif because == "also" and info is not None:
            out.append(back(info, "also"))
    return out


# --- Who we are -------------------------------------------------------------------------------


def _channels(contact: Contact) -> list[Statement]:
    items: list[Statement] = []
    for name, label in (("address", "Post"), ("email", "Email"), ("phone", "Telephone"), ("url", "Website")):
        value = getattr(contact, name)
        if value:
            part = Words(value) if name == "address" else channel(value)
            items.append(st("fact", [part], [back(contact, name)], label))
    return items


def _controllers(c: Composer) -> list[Block]:
    model = c.model
    out: list[Block] = []
    many = len(model.controllers) > 1
    for controller in model.controllers:
        name = title_of(controller)
        parts: list[Part] = [Words(name)]
        backing = [back(controller)]
        if controller.trading_as:
            parts.append(Words(f", trading as {and_join(list(controller.trading_as))},"))
            backing.append(back(controller, "trading_as"))
        parts.append(Words(" is the controller of your personal data: it decides why and how your data is used."
                           if c.gdpr else " decides why and how your personal information is used."))
        if model.policy is not None:
            backing.append(back(model.policy, "controller"))
        blocks: list[Block] = [Paragraph([
            st("fact", parts, backing),
            st("guide", [f"In this notice “we”, “us” and “our” mean {name}."], [back(controller)]),
        ])]
        items = _channels(controller)
        if controller.registration:
            items.append(st("fact", [controller.registration], [back(controller, "registration")], "Registration"))
        if controller.ico_registration:
            items.append(st("fact", [controller.ico_registration], [back(controller, "ico_registration")],
                            "Data protection registration number"))
        if controller.country:
            items.append(st("fact", [country_text(model.lexicon, controller.country)], [back(controller, "country")],
                            "Established in"))
        if controller.arrangement:
            items.append(st("fact", [Markdown(controller.arrangement)], [back(controller, "arrangement")],
                            "Our arrangement as joint controllers"))
        people = [(controller.dpo, "dpo", "Our data protection officer"),
                  *((r, "representative", "Our representative") for r in controller.representatives)]
        for person, field_name, label in people:
            if person is None:
                continue
            who = person.legal_name or person.title or words(person.key)
            person_parts: list[Part] = [Words(who)]
            if person.role and person.role != who:
                person_parts.append(Words(f" ({person.role})"))
            placed = [back(person, "country")] if person.country else []
            if person.country:
                person_parts.append(Words(f", established in {place(country_text(model.lexicon, person.country))}"))
            channels = _channels(person)
            for item in channels:
                person_parts += [Words(f"; {item.label.lower()}: "), *item.parts]
            items.append(st("fact", person_parts,
                            [back(controller, field_name), back(person), *placed,
                             *(b for i in channels for b in i.backing)], label))
        if items:
            blocks.append(Items(items))
        if many:
            out.append(entity_group("controller", controller, blocks, name))
        else:
            out.extend(blocks)
    return out


# --- Data -------------------------------------------------------------------------------------


def _data(c: Composer) -> list[Block]:
    model = c.model
    if not model.data:
        return []
    out: list[Block] = []
    elsewhere = [d for d in model.data if d.from_elsewhere]
    if elsewhere:
        out.append(Paragraph([st("guide", ["Some of this data comes from other organisations: each entry says "
                                           "where it comes from."], [back(d, "source") for d in elsewhere])]))
    groups: list[Group] = []
    for data in model.data:
        blocks: list[Block] = []
        description = prose("fact", data.description, [back(data, "description")], 3)
        if description:
            blocks.append(description)
        blocks.append(Items(_data_facts(c, data)))
        groups.append(entity_group("data", data, blocks))
    out.extend(_titled(groups))
    sources = _sources(model)
    if sources:
        items: list[Statement] = []
        for source in sources:
            parts: list[Part] = [Words(title_of(source))]
            backing = [back(source)]
            if source.legal_name and source.legal_name != title_of(source):
                parts.append(Words(f" ({source.legal_name})"))
                backing.append(back(source, "legal_name"))
            if source.description:
                parts += [Words(": "), Markdown(source.description)]
                backing.append(back(source, "description"))
            if source.public is not None:
                parts.append(Words(" This is a publicly accessible source." if source.public
                                   else " This is not a publicly accessible source."))
                backing.append(back(source, "public"))
            if source.url:
                parts += [Words(" Website: "), channel(source.url)]
                backing.append(back(source, "url"))
            items.append(st("fact", parts, backing))
        source_blocks: list[Block] = [Items(items)]
        if model.policy is not None and model.policy.informed_within:
            source_blocks.append(Paragraph([st("fact", [
                f"When we get your personal data from another organisation, we tell you within "
                f"{duration_text(model.policy.informed_within)}, and at the latest when we first contact you or "
                "first pass the data on."], [back(model.policy, "informed_within")])]))
        out.append(Group("sources", "Organisations we get data from", source_blocks))
    return out


def _data_facts(c: Composer, data: Data) -> list[Statement]:
    items: list[Statement] = []
    if data.includes:
        items.append(st("fact", [and_join(list(data.includes))], [back(data, "includes")], "What it includes"))
    if data.sources:
        names: list[str] = []
        for source in data.sources:
            named = next((s for s in data.named_sources if s.key == source), None)
            names.append(title_of(named) if named is not None else _SOURCES.get(source, words(source)))
        items.append(st("fact", [capfirst_words(and_join(names))], [back(data, "source")], "Where we get it"))
    if data.categories:
        items.append(st("fact", [and_join([title_of(k) for k in data.categories])], [back(data, "category")],
                        "Kind of data"))
    if data.is_special and c.gdpr:  # under the CCPA alone, its section names sensitive personal information
        special = [title_of(k) for k in data.special]
        backing = [back(data, "special")] if data.special else [back(data, "category")]
        text = "This is special category data" + (f" ({and_join(special)})" if special else "")
        items.append(st("derived", [text + ", which the law protects more strictly."], backing))
    if data.is_criminal and c.gdpr:
        backing = [back(data, "criminal")] if data.criminal else [back(data, "category")]
        items.append(st("derived", ["This includes data about criminal convictions or offences, which the law "
                                    "protects more strictly."], backing))
    if data.subjects:
        items.append(st("fact", [and_join(list(data.subjects))], [back(data, "subjects")], "Whose data"))
    if data.required_for or data.if_not_provided:
        parts: list[Part] = []
        backing = []
        if data.required_for in _REQUIRED:
            parts.append(Words(_REQUIRED[data.required_for]))
            backing.append(back(data, "required_for"))
        if data.if_not_provided:
            if parts:
                parts.append(Words(" "))
            parts.append(Markdown(opening(data.if_not_provided) if parts else data.if_not_provided))
            backing.append(back(data, "if_not_provided"))
        items.append(st("fact", parts, backing, "Do you have to give it?"))
    return items


def capfirst_words(text: str) -> str:
    return text[:1].upper() + text[1:]


def declared_then_named(declared: Iterable[_T], named: Iterable[Iterable[_T]]) -> list[_T]:
    """Entities declared in the policy, then any that only another declaration names (from an imported
    file), each once and in order."""
    out = list(declared)
    for group in named:
        out.extend(item for item in group if item not in out)
    return out


def _sources(model: Model) -> list[Source]:
    """The named sources: those declared, then any only a data declaration names."""
    return declared_then_named(model.sources, (d.named_sources for d in model.data))


# --- Purposes ---------------------------------------------------------------------------------


def _basis_parts(use: BasisUse) -> list[Part]:
    basis = use.basis
    title = basis.title or words(basis.key)
    parts: list[Part] = [Words(f"{title} (Article {basis.article})" if basis.article else title)]
    if use.note:
        parts += [Words(": "), Words(use.note)]
    return parts


def _basis_backing(purpose: Purpose, use: BasisUse, kind: str) -> list[Backing]:
    return [Backing(f"purpose:{purpose.key}:{kind}", use.span), back_span(f"{use.basis.decl.kind}:{use.basis.key}",
                                                                         use.basis.span)]


def _recipients_cell(c: Composer, purpose: Purpose) -> Statement:
    if purpose.recipients:
        return st("fact", joined([entity_ref("recipient", r) for r in purpose.recipients]),
                  [back(purpose, "shares_with")])
    if purpose.shares_with_none:
        return st("fact", ["No one"], [back(purpose, "shares_with")])
    policy = c.model.policy
    if policy is not None and policy.shares_with_none and not c.model.recipients:
        return st("fact", ["No one"], [back(policy, "shares_with")])
    return not_stated(purpose)


def _retention_statement(c: Composer, purpose: Purpose, label: str = "") -> Statement:
    rule: RetentionRule | None = purpose.retention
    if rule is None:
        return not_stated(purpose, label)
    text = retention_text(c.model.lexicon, rule) or NOT_STATED
    reason = " ".join(rule.reason.split())
    return st("fact", [text, f" ({reason})" if reason else ""], [back(purpose, "retain")], label)


def _purpose_table(c: Composer, purposes: list[Purpose]) -> Table:
    rows: list[Row] = []
    for purpose in purposes:
        data = (st("fact", joined([entity_ref("data", d) for d in purpose.uses]), [back(purpose, "uses")])
                if purpose.uses else not_stated(purpose))
        uses = [*purpose.bases, *purpose.conditions]
        bases = (st("fact", joined([_basis_parts(u) for u in uses], conjunction="", separator="; "),
                    [b for u in purpose.bases for b in _basis_backing(purpose, u, "basis")]
                    + [b for u in purpose.conditions for b in _basis_backing(purpose, u, "condition")])
                 if uses else not_stated(purpose))
        rows.append(Row(st("fact", [title_of(purpose)], [back(purpose)]),
                        [data, *([bases] if c.gdpr else []), _retention_statement(c, purpose),
                         _recipients_cell(c, purpose)],
                        anchor("purpose", purpose.key)))
    return Table("purposes-table", "Our purposes at a glance",
                 ["Purpose", "Data we use", *(["Legal basis"] if c.gdpr else []), "How long we keep it",
                  "Shared with"], rows)


def _purpose_facts(c: Composer, purpose: Purpose) -> list[Statement]:
    items: list[Statement] = []
    if purpose.on_behalf_of:
        items.append(st("fact", [purpose.on_behalf_of], [back(purpose, "on_behalf_of")], "On behalf of"))
    if purpose.uses:
        items.append(st("fact", joined([entity_ref("data", d) for d in purpose.uses]), [back(purpose, "uses")],
                        "Data we use"))
    else:
        items.append(not_stated(purpose, "Data we use"))
    if not purpose.as_processor and c.gdpr:  # a legal basis is a GDPR concept (Art 6, Art 9, Art 10)
        for use in purpose.bases:
            items.append(st("fact", _basis_parts(use), _basis_backing(purpose, use, "basis"), "Legal basis"))
        if not purpose.bases:
            items.append(not_stated(purpose, "Legal basis"))
        for use in purpose.conditions:
            label = ("Condition for criminal offence data" if use.basis.criminal
                     else "Condition for special category data")
            items.append(st("fact", _basis_parts(use), _basis_backing(purpose, use, "condition"), label))
    items.append(_retention_statement(c, purpose, "How long we keep it"))
    if purpose.recipients:
        items.append(st("fact", joined([entity_ref("recipient", r) for r in purpose.recipients]),
                        [back(purpose, "shares_with")], "Shared with"))
    elif purpose.shares_with_none:
        items.append(st("fact", ["No one"], [back(purpose, "shares_with")], "Shared with"))
    if purpose.decisions:
        items.append(st("fact", [*joined([entity_ref("decision", d) for d in purpose.decisions]), Words(" (see "),
                                 see("automated_decisions"), Words(")")],
                        [back(purpose, "automated_decisions")], "Automated decisions"))
    if purpose.is_direct_marketing:
        # the same predicate as the right it gives (Art 21(2)): `direct_marketing yes`, or a kind the
        # taxonomy marks as direct marketing; from the kind, it is the taxonomy's derivation
        said = _direct_marketing_backing(purpose)
        marketing = c.model.offered("object_direct_marketing")
        if marketing is not None and not marketing.excluded:
            items.append(st("derived", ["This is direct marketing: you can object to it at any time, and we must "
                                        "then stop."],
                            [*said, back_span("right:object_direct_marketing", marketing.right.span)]))
        else:
            items.append(st("fact" if purpose.direct_marketing else "derived", ["This is direct marketing."], said))
    if purpose.subjects:
        items.append(st("fact", [and_join(list(purpose.subjects))], [back(purpose, "subjects")], "Whose data"))
    return items


def _direct_marketing_backing(purpose: Purpose) -> list[Backing]:
    """What says a purpose is direct marketing: its `direct_marketing yes`, else its kinds that the taxonomy marks."""
    if purpose.direct_marketing:
        return [back(purpose, "direct_marketing")]
    return [back(purpose, "kind"), *(back_span(f"{k.decl.kind}:{k.key}", k.span)
                                     for k in purpose.kinds if k.direct_marketing)]


def _purpose_groups(c: Composer, purposes: list[Purpose]) -> list[Group]:
    groups: list[Group] = []
    for purpose in purposes:
        blocks: list[Block] = []
        description = prose("fact", purpose.description, [back(purpose, "description")], 3)
        if description:
            blocks.append(description)
        blocks.append(Items(_purpose_facts(c, purpose)))
        groups.append(entity_group("purpose", purpose, blocks))
    return _titled(groups)


def _purposes(c: Composer) -> list[Block]:
    purposes = c.model.controller_purposes
    if not purposes:
        return []
    basis = "on what legal basis, " if c.gdpr else ""
    out: list[Block] = [
        Paragraph([st("guide", [f"The table sums up why we use your data, {basis}how long we keep it and who "
                                "receives it. Each purpose is explained below it."],
                      [back(p) for p in purposes])]),
        _purpose_table(c, purposes),
        *_purpose_groups(c, purposes),
    ]
    if not c.gdpr:
        return out  # legal bases and legitimate interests are GDPR concepts (Art 6)
    policy = c.model.policy
    if policy is not None and policy.bases:
        listed: list[Part] = [Words("The legal bases we rely on: ")]
        for i, use in enumerate(policy.bases):
            listed += [Words("; " if i else ""), *_basis_parts(use)]
        out.append(Paragraph([st("fact", listed, [
            back(policy, "bases"),
            *(back_span(f"{use.basis.decl.kind}:{use.basis.key}", use.basis.span) for use in policy.bases)])]))
    interests: list[Statement] = []
    for purpose in purposes:
        for use in purpose.bases:
            if use.basis.key != "legitimate_interests":
                continue
            if use.note:
                interests.append(st("fact", [See(anchor("purpose", purpose.key), title_of(purpose), quoted=False),
                                             Words(": "), Words(use.note)], _basis_backing(purpose, use, "basis")))
            else:
                interests.append(st("fact", [See(anchor("purpose", purpose.key), title_of(purpose), quoted=False),
                                             Words(f": {NOT_STATED.lower()}")], [back(purpose)]))
    if interests:
        out.append(Group("legitimate-interests", "Our legitimate interests", [
            Paragraph([st("guide", ["Where we rely on our legitimate interests, these are the interests:"],
                          [b for s in interests for b in s.backing])]),
            Items(interests),
        ]))
    return out


def _processor(c: Composer) -> list[Block]:
    purposes = [p for p in c.model.purposes if p.as_processor]
    if not purposes:
        return []
    processor = ", as its processor" if c.gdpr else ""
    out: list[Block] = [Paragraph([st("derived", [
        f"For the activities below we act on behalf of another organisation{processor}: that organisation "
        "decides why and how the data is used, and its own privacy notice applies."],
        [back(p, "role") for p in purposes])])]
    out += c.provision_prose("processor", 2)
    out += _purpose_groups(c, purposes)
    return out


# --- Recipients and transfers -----------------------------------------------------------------


def _recipient_facts(c: Composer, recipient: Recipient) -> list[Statement]:
    model = c.model
    items: list[Statement] = []
    names = _ROLES if c.gdpr else _NEUTRAL_ROLES
    roles = [names[r] for r in recipient.roles if r in names]
    if roles:
        hedged = " or ".join([roles[0], *(lcfirst(r) for r in roles[1:])])
        items.append(st("fact", [hedged + (", depending on the service" if len(roles) > 1 else "")],
                        [back(recipient, "role")], "Who they are"))
    if recipient.legal_name and recipient.legal_name != title_of(recipient):
        items.append(st("fact", [recipient.legal_name], [back(recipient, "legal_name")], "Legal name"))
    if recipient.includes:
        items.append(st("fact", [and_join(list(recipient.includes))], [back(recipient, "includes")], "Including"))
    if recipient.sector:
        items.append(st("fact", [recipient.sector], [back(recipient, "sector")], "Sector"))
    if recipient.international_organisation:
        items.append(st("fact", ["An international organisation"], [back(recipient, "international_organisation")],
                        "Kind of organisation"))
    if recipient.countries or recipient.countries_unnamed:
        places = [country_text(model.lexicon, k) for k in recipient.countries]
        if recipient.countries_unnamed:
            area = and_join(area_names(model)) or "the area our data protection law covers"
            places.append(("other countries" if places else "countries") + f" outside {area}, not named")
        items.append(st("fact", [capfirst_words(and_join(places))], [back(recipient, "country")],
                        "Where they use the data"))
    if recipient.safeguards:
        items.append(st("fact", [and_join([title_of(s) for s in recipient.safeguards])],
                        [back(recipient, "safeguard")], "How the data is protected abroad"))
    if recipient.safeguard_copy:
        items.append(st("fact", [Markdown(recipient.safeguard_copy)], [back(recipient, "safeguard_copy")],
                        "How to get a copy of the safeguards"))
    if recipient.arrangement:
        items.append(st("fact", [Markdown(recipient.arrangement)], [back(recipient, "arrangement")],
                        "Our arrangement as joint controllers"))
    purposes = [p for p in model.purposes if recipient in p.recipients]
    if purposes:
        items.append(st("fact", joined([entity_ref("purpose", p) for p in purposes], conjunction="", separator="; "),
                        [back(p, "shares_with") for p in purposes], "Why we share it"))
    policy = model.policy
    for name, value, yes, no in (
        ("sells", recipient.sells, "We sell personal information to them.",
         "We do not sell personal information to them."),
        ("shares", recipient.shares, "We share personal information with them for cross-context behavioural "
                                     "advertising.",
         "We do not share personal information with them for cross-context behavioural advertising."),
    ):
        if value is not None:
            items.append(st("fact", [yes if value else no], [back(recipient, name)]))
        elif policy is not None and getattr(policy, name) is False:
            items.append(st("derived", [no], [back(policy, name)]))
    if recipient.url:
        items.append(st("fact", [channel(recipient.url)], [back(recipient, "url")], "Their privacy notice"))
    return items


def _recipients(c: Composer) -> list[Block]:
    model = c.model
    policy = model.policy
    out: list[Block] = []
    if not model.recipients and policy is not None and policy.shares_with_none:
        out.append(Paragraph([st("fact", ["We do not share your personal data with any other organisation."],
                                 [back(policy, "shares_with")])]))
    groups: list[Group] = []
    for recipient in model.recipients:
        blocks: list[Block] = []
        description = prose("fact", recipient.description, [back(recipient, "description")], 3)
        if description:
            blocks.append(description)
        facts = _recipient_facts(c, recipient)
        if facts:
            blocks.append(Items(facts))
        groups.append(entity_group("recipient", recipient, blocks))
    out.extend(_titled(groups))
    return out


def _transfers(c: Composer) -> list[Block]:
    model = c.model
    area = and_join(area_names(model))
    if not model.transfers:
        located = [r for r in model.recipients if r.countries]
        if area and located and len(located) == len(model.recipients):
            return [Paragraph([st("derived", [f"Every organisation we share your data with uses it in {area}."],
                                  [back(r, "country") for r in located])])]
        return []
    laws = {t.law for t in model.transfers}
    columns = ["Recipient", "Country", *(["Law"] if len(laws) > 1 else []), "How the data is protected",
               "How to get a copy"]
    rows: list[Row] = []
    for transfer in model.transfers:
        recipient = transfer.recipient
        law = model.law(transfer.law)
        where = back(recipient, transfer.field)
        if transfer.country == UNNAMED:
            outside = (law_area(model, law) if law else "") or "the area our data protection law covers"
            country = st("fact", [f"Outside {outside} (countries not named)"],
                         [where, *([back_span(f"law:{law.key}", law.span)] if law else [])])
        elif transfer.country == INTERNATIONAL:
            country = st("fact", ["An international organisation"], [where])
        else:
            country = st("fact", [country_text(model.lexicon, transfer.country)], [where])
        cells: list[Statement | None] = [country]
        if len(laws) > 1:
            cells.append(st("derived", [law.title if law and law.title else words(transfer.law)],
                            [where, *([back_span(f"law:{law.key}", law.span)] if law else [])]))
        if transfer.adequacy is not None:
            decision = transfer.adequacy
            backing = [where, back_span(f"adequacy:{decision.key}", decision.span)]
            cells.append(st("derived", [f"Adequacy decision: {title_of(decision)}"], backing))
            cells.append(st("derived", ["Not needed: the adequacy decision is published"], backing))
        elif transfer.safeguards:
            cells.append(st("fact", [and_join([title_of(s) for s in transfer.safeguards])],
                            [back(recipient, "safeguard")]))
            if recipient.safeguard_copy:
                cells.append(st("fact", [Markdown(recipient.safeguard_copy)], [back(recipient, "safeguard_copy")]))
            elif _no_copy(transfer):
                cells.append(st("derived", ["Not applicable"], [
                    back(recipient, "safeguard"),
                    *(back_span(f"safeguard:{g.key}", g.span) for g in transfer.safeguards)]))
            else:
                cells.append(not_stated(recipient))
        else:
            cells.append(not_stated(recipient))
            cells.append(st("fact", [Markdown(recipient.safeguard_copy)], [back(recipient, "safeguard_copy")])
                         if recipient.safeguard_copy else not_stated(recipient))
        rows.append(Row(st("fact", [title_of(recipient)], [back(recipient)]), cells,
                        anchor("recipient", recipient.key)))
    abroad = [t for t in model.transfers if t.country != INTERNATIONAL]
    international = [t for t in model.transfers if t.country == INTERNATIONAL]
    claims: list[str] = []
    if abroad:
        claims.append(f"use it outside {area or 'the area our data protection law covers'}")
    if international:
        claims.append("are international organisations")
    out: list[Block] = [
        Paragraph([st("derived", [f"Some of the organisations we share data with {' or '.join(claims)}. The table "
                                  "shows how each transfer is protected."],
                      [back(t.recipient, t.field) for t in model.transfers])]),
        Table("transfers-table", "International transfers", columns, rows),
    ]
    transfer_laws = {t.law for t in model.transfers}
    if any(t.adequacy is not None for t in model.transfers):
        out += c.provision_prose("adequacy", 2, {t.law for t in model.transfers if t.adequacy is not None})
    if any(t.adequacy is None and t.safeguards for t in model.transfers):
        # Art 46 for the transfers that are not covered by derogations alone, Art 49 for those that use one
        safeguarded = {t.law for t in model.transfers
                       if t.adequacy is None and not (t.safeguards and all(s.derogation for s in t.safeguards))}
        out += c.provision_prose("safeguards", 2, safeguarded & transfer_laws)
        derogated = {t.law for t in model.transfers
                     if t.adequacy is None and any(s.derogation for s in t.safeguards)}
        out += c.provision_prose("derogations", 2, derogated & transfer_laws)
    return out


def _no_copy(transfer: Transfer) -> bool:
    """The transfer rests only on Art 49 derogations that have no safeguards to copy (all but the
    compelling legitimate interests of its second subparagraph, Art 13(1)(f))."""
    return all(s.derogation and not s.copy_required for s in transfer.safeguards)


# --- Retention --------------------------------------------------------------------------------


def _retention(c: Composer) -> list[Block]:
    purposes = c.model.controller_purposes
    if not purposes:
        return []
    items = [_retention_statement(c, p, title_of(p)) for p in purposes]
    return [Paragraph([st("guide", ["How long we keep your data depends on why we use it:"],
                          [back(p) for p in purposes])]), Items(items)]


# --- Rights -----------------------------------------------------------------------------------


def exercise_channels(c: Composer) -> list[Statement]:
    """Where to send a request: the `rights` contact, else the controller's own contact details."""
    info = c.model.rights_info
    if info is not None and info.contact:
        return [st("fact", [channel(v)], [back(info, "contact")]) for v in info.contact]
    return []


def _rights(c: Composer) -> list[Block]:
    model = c.model
    info = model.rights_info
    if not model.rights and info is None:
        return []
    controller = model.controller
    channels = exercise_channels(c)
    controller_channels = _channels(controller) if controller is not None else []
    can_exercise = bool(channels or controller_channels)
    out: list[Block] = []
    if model.rights:
        intro = [st("guide", ["You have the rights below."], _right_backing(model, model.rights))]
        if can_exercise:
            intro.append(st("guide", [see("exercise"), Words(", at the end of this section, says how to use them.")],
                            [b for s in channels or controller_channels for b in s.backing]))
        out.append(Paragraph(intro))
    withdraw_text = info.withdraw if info else ""
    object_text = info.object if info else ""
    groups: list[Group] = []
    in_force = list(model.laws)
    for offered in model.rights:
        right = offered.right
        blocks: list[Block] = []
        # Under laws that give different rights (the EU GDPR and the CCPA), each right says whose it is, so
        # that a reader under one law is not promised, or held to, the other's.
        under = [law for law in in_force if law.key in right.laws]
        if under and len(under) < len(in_force):
            names = " and the ".join(law.title or law.key for law in under)
            backing = [back_span(f"right:{right.key}", right.span),
                       *(back_span(f"law:{law.key}", law.span) for law in under)]
            if model.policy is not None:
                backing.append(back(model.policy, "jurisdictions"))
            blocks.append(Paragraph([st("derived", [f"A right under the {names}."], backing)]))
        described = dict(info.describe) if info else {}
        if described.get(right.key):
            assert info is not None
            text = prose("fact", offered.description, [back(info, "describe")], 3)
        else:
            text = prose("law", offered.description, [back_span(f"right:{right.key}:summary", right.span)], 3)
        if text:
            blocks.append(text)
        scope = _scope(offered)
        if scope is not None and not offered.excluded:
            blocks.append(Paragraph([scope]))
        why = _causes(model, offered)
        if offered.excluded:
            assert info is not None
            blocks.append(Paragraph([st("fact", ["This right does not apply here: ", Markdown(offered.excluded)],
                                        [back(info, "exclude")])]))
        else:
            how = _how(right.key, can_exercise, bool(withdraw_text), bool(object_text), bool(model.decisions))
            if how is not None:
                blocks.append(Paragraph([st("guide", how, why or [back_span(f"right:{right.key}", right.span)])]))
        groups.append(Group(anchor("right", right.key), right.title or words(right.key), blocks,
                            heading=st("derived", [right.title or words(right.key)], _right_backing(model, [offered]))))
    out.extend(_titled(groups))
    exercise: list[Block] = []
    if info is not None:
        block = prose("fact", info.text, [back(info, "text")], 3)
        if block:
            exercise.append(block)
    if channels:
        exercise.append(Paragraph([st("guide", ["Contact us:"], [back(info, "contact")] if info else [])]))
        exercise.append(Items(channels))
    elif controller_channels and controller is not None:
        exercise.append(Paragraph([st("derived", ["Contact us using the details in ", see("controller"), Words(".")],
                                      [b for s in controller_channels for b in s.backing])]))
    if info is not None and info.respond_within:
        exercise.append(Paragraph([st("fact", [f"We answer within {duration_text(info.respond_within)}."],
                                      [back(info, "respond_within")])]))
    for name in ("verify", "fee"):
        if info is not None and getattr(info, name):
            block = prose("fact", getattr(info, name), [back(info, name)], 3)
            if block:
                exercise.append(block)
    if exercise:
        out.append(Group(SUBSECTIONS["exercise"][0], SUBSECTIONS["exercise"][1], exercise))
    if withdraw_text and info is not None:
        block = prose("fact", withdraw_text, [back(info, "withdraw")], 3)
        if block:
            out.append(Group(SUBSECTIONS["withdraw"][0], SUBSECTIONS["withdraw"][1], [block]))
    if object_text and info is not None:
        block = prose("fact", object_text, [back(info, "object")], 3)
        if block:
            out.append(Group(SUBSECTIONS["object"][0], SUBSECTIONS["object"][1], [block]))
    policy = model.policy
    if policy is not None and policy.do_not_sell_url:
        out.append(Group(SUBSECTIONS["do_not_sell"][0], SUBSECTIONS["do_not_sell"][1], [Paragraph([st("fact", [
            "You can tell us not to sell or share your personal information at ", channel(policy.do_not_sell_url),
            "."], [back(policy, "do_not_sell_url")])])]))
    if policy is not None and policy.limit_use_url:
        out.append(Group(SUBSECTIONS["limit_use"][0], SUBSECTIONS["limit_use"][1], [Paragraph([st("fact", [
            "You can tell us to limit the use of your sensitive personal information at ",
            channel(policy.limit_use_url), "."], [back(policy, "limit_use_url")])])]))
    return out


def _scope(offered: OfferedRight) -> Statement | None:
    """Which uses of data a right that depends on the basis covers (portability only where the basis is
    consent or a contract, Art 20(1)), backed by the bases, marketing or decisions that give it."""
    if offered.everywhere:
        return None
    key = offered.right.key
    backing: list[Backing] = []
    for purpose in offered.purposes:
        for kind, uses in (("basis", purpose.bases), ("condition", purpose.conditions)):
            backing.extend(Backing(f"purpose:{purpose.key}:{kind}", u.span) for u in uses if key in u.basis.grants)
        if key == "object_direct_marketing" and purpose.is_direct_marketing:
            backing.append(back(purpose, "direct_marketing" if purpose.direct_marketing else "kind"))
        if key == "automated_decision" and purpose.decisions:
            backing.append(back(purpose, "automated_decisions"))
    parts = joined([entity_ref("purpose", p) for p in offered.purposes], conjunction="", separator="; ")
    return st("derived", ["This right applies to the data we use for: ", *parts, "."], backing)


def _how(key: str, can_exercise: bool, withdraw: bool, objection: bool, decisions: bool) -> list[Part] | None:
    """Where the notice says how to use a right, as a reference to that part (None: nowhere)."""
    if key == "informed":
        return [Words("This notice is how we give you this information.")]
    if key == "withdraw_consent":
        return [Words("See "), see("withdraw"), Words(".")] if withdraw else None
    if key in ("object", "object_direct_marketing"):
        return [Words("See "), see("object"), Words(".")] if objection else None
    if key == "complain":
        return [Words("See "), see("complaints"), Words(".")]
    if key == "automated_decision" and decisions:
        return [Words("See "), see("automated_decisions"), Words(".")]
    if key == "opt_out_sale_share":
        return [Words("See "), see("do_not_sell"), Words(".")] if can_exercise else None
    if key == "limit_sensitive":
        return [Words("See "), see("limit_use"), Words(".")]
    return [Words("To use this right, see "), see("exercise"), Words(".")] if can_exercise else None


# --- Automated decisions ----------------------------------------------------------------------


def _decision_list(model: Model) -> list[Decision]:
    """The decisions: those declared, then any only a purpose names (from an imported file)."""
    return declared_then_named(model.decisions, (p.decisions for p in model.purposes))


def _decisions(c: Composer) -> list[Block]:
    model = c.model
    decisions = _decision_list(model)
    policy = model.policy
    if not decisions:
        denied = [p for p in model.controller_purposes if p.automated_decisions_none]
        if policy is not None and policy.automated_decisions_none:
            backing = [back(policy, "automated_decisions")]
        elif denied and len(denied) == len(model.controller_purposes):
            backing = [back(p, "automated_decisions") for p in denied]
        else:
            return []
        return [Paragraph([st("fact", ["We do not make decisions about you based solely on automated processing, "
                                       "including profiling, that have legal or similarly significant effects on "
                                       "you."], backing)])]
    out: list[Block] = [Paragraph([st("guide", ["We make the decisions below by automated means."],
                                      [back(d) for d in decisions])])]
    out += c.provision_prose("automated_decisions", 2)
    groups: list[Group] = []
    for decision in decisions:
        blocks: list[Block] = []
        description = prose("fact", decision.description, [back(decision, "description")], 3)
        if description:
            blocks.append(description)
        items: list[Statement] = []
        if decision.uses:
            items.append(st("fact", joined([entity_ref("data", d) for d in decision.uses]), [back(decision, "uses")],
                            "Based on"))
        purposes = [p for p in model.purposes if decision in p.decisions]
        if purposes:
            items.append(st("fact", joined([entity_ref("purpose", p) for p in purposes], conjunction="",
                                           separator="; "), [back(p, "automated_decisions") for p in purposes], "For"))
        for name, label in (("logic", "How it works"), ("significance", "What it means for you"),
                            ("consequences", "The likely consequences")):
            if getattr(decision, name):
                items.append(st("fact", [Markdown(getattr(decision, name))], [back(decision, name)], label))
        for name, label in (("solely_automated", "Made without a person involved"),
                            ("legal_effect", "Has legal or similarly significant effects on you")):
            value = getattr(decision, name)
            if value is not None:
                items.append(st("fact", ["Yes" if value else "No"], [back(decision, name)], label))
        if decision.safeguards:
            items.append(st("fact", [and_join([_DECISION_SAFEGUARDS.get(s, words(s)) for s in decision.safeguards])],
                            [back(decision, "safeguards")], "You can"))
        if items:
            blocks.append(Items(items))
        groups.append(entity_group("decision", decision, blocks))
    out.extend(_titled(groups))
    return out


# --- Cookies ----------------------------------------------------------------------------------


def _cookie_row(c: Composer, cookie: Cookie) -> Row:
    names = (st("fact", [and_join(list(cookie.names))], [back(cookie, "name")]) if cookie.names
             else not_stated(cookie))
    if cookie.provider is not None:
        provider = st("fact", entity_ref("recipient", cookie.provider), [back(cookie, "provider")])
    elif cookie.first_party:
        provider = st("fact", ["Us"], [back(cookie, "provider")])
    else:
        provider = not_stated(cookie)
    purposes = (st("fact", joined([entity_ref("purpose", p) for p in cookie.purposes], conjunction="",
                                  separator="; "), [back(cookie, "purpose")]) if cookie.purposes
                else not_stated(cookie))
    if cookie.kind:
        kind_text = COOKIE_KINDS.get(cookie.kind, words(cookie.kind))
        if cookie.technology != "cookie":
            kind_text += f" ({lcfirst(_TECHNOLOGIES.get(cookie.technology, words(cookie.technology)))})"
        kind = st("fact", [kind_text], [back(cookie, "kind"), *([back(cookie, "technology")]
                                                               if cookie.technology != "cookie" else [])])
    else:
        kind = not_stated(cookie)
    if cookie.expires is not None and cookie.expires.session:
        expires = st("fact", ["When you close your browser (session)"], [back(cookie, "expires")])
    elif cookie.expires is not None:
        expires = st("fact", [duration_text(cookie.expires)], [back(cookie, "expires")])
    else:
        expires = not_stated(cookie)
    description = (st("fact", [Markdown(cookie.description)], [back(cookie, "description")])
                   if cookie.description.strip() else None)
    return Row(st("fact", [title_of(cookie)], [back(cookie)]), [names, provider, purposes, kind, expires, description],
               id=anchor("cookie", cookie.key))


def _cookies(c: Composer) -> list[Block]:
    model = c.model
    policy = model.policy
    if not model.cookies:
        if policy is not None and policy.cookies_none:
            return [Paragraph([st("fact", ["We do not use cookies or similar technologies."],
                                  [back(policy, "cookies")])])]
        return []
    out: list[Block] = []
    if policy is not None and policy.cookie_consent in _CONSENT:
        out.append(Paragraph([st("fact", [_CONSENT[policy.cookie_consent]], [back(policy, "cookie_consent")])]))
    if policy is not None and policy.cookie_wall is not None:
        out.append(Paragraph([st("fact", ["You can use our website only if you accept cookies that are not strictly "
                                          "necessary." if policy.cookie_wall else
                                          "You can use our website without accepting cookies that are not strictly "
                                          "necessary."], [back(policy, "cookie_wall")])]))
    out.append(Table("cookies-table", "The cookies and similar technologies we use",
                     ["Cookie", "Names", "Set by", "Purpose", "Type", "Expires", "What it does"],
                     [_cookie_row(c, cookie) for cookie in model.cookies]))
    return out


# --- Security, children, changes, complaints ---------------------------------------------------


def _security(c: Composer) -> list[Block]:
    model = c.model
    security = model.security
    if security is None:
        return []
    out: list[Block] = []
    sentences: list[Statement] = []
    if security.measures:
        names = [lcfirst(model.lexicon.title("measure", m) or words(m)) for m in security.measures]
        sentences.append(st("fact", [f"We protect your data with these measures: {and_join(names)}."],
                            [back(security, "measures")]))
    if security.certifications:
        names = [_CERTIFICATIONS.get(k, words(k)) for k in security.certifications]
        sentences.append(st("fact", [f"We hold these certifications: {and_join(names)}."],
                            [back(security, "certifications")]))
    if security.hosting:
        names = [place(country_text(model.lexicon, k)) for k in security.hosting]
        sentences.append(st("fact", [f"We host your data in {and_join(names)}."], [back(security, "hosting")]))
    for statement in sentences:
        out.append(Paragraph([statement]))
    block = prose("fact", security.text, [back(security, "text")], 2)
    if block:
        out.append(block)
    return out


def _children(c: Composer) -> list[Block]:
    policy = c.model.policy
    if policy is None:
        return []
    out: list[Block] = []
    if policy.minimum_age is not None:
        out.append(Paragraph([st("fact", [f"Our services are not meant for people under {policy.minimum_age}."],
                                 [back(policy, "minimum_age")])]))
    block = prose("fact", policy.children, [back(policy, "children")], 2)
    if block:
        out.append(block)
    return out


def _changes(c: Composer) -> list[Block]:
    policy = c.model.policy
    if policy is None:
        return []
    out: list[Block] = []
    block = prose("fact", policy.changes, [back(policy, "changes")], 2)
    if block:
        out.append(block)
    version, effective = policy.version, date_text(policy.effective)
    sentences: list[Statement] = []
    if version and effective:
        sentences.append(st("fact", [f"This is version {version} of this notice, effective from {effective}."],
                            [back(policy, "version"), back(policy, "effective")]))
    elif version:
        sentences.append(st("fact", [f"This is version {version} of this notice."], [back(policy, "version")]))
    elif effective:
        sentences.append(st("fact", [f"This notice is effective from {effective}."], [back(policy, "effective")]))
    if policy.reviewed:
        sentences.append(st("fact", [f"We last reviewed it on {date_text(policy.reviewed)}."]
                            if sentences else [f"We last reviewed this notice on {date_text(policy.reviewed)}."],
                            [back(policy, "reviewed")]))
    if sentences:
        out.append(Paragraph(sentences))
    history = c.history
    if history is not None:
        out.append(history_group(history, policy))
    return out


def history_group(history: dict[str, object], policy: Entity | None, level: int = 3) -> Group:
    """"What changed in this version": the semantic diff against the previous version (`policyc.diff`),
    backed by the policy whose versions were compared."""
    backing = [back(policy)] if policy is not None else []
    since = str(history.get("since", "the previous version"))
    material = [str(t) for t in _strings(history.get("material"))]
    editorial = [str(t) for t in _strings(history.get("editorial"))]
    blocks: list[Block] = [Paragraph([st("derived", [f"Compared with {since}:" if material or editorial
                                                     else f"Nothing in this notice has changed since {since}."],
                                         backing)])]
    if material:
        blocks.append(Group("changes-that-affect-you", "Changes that affect you",
                            [Items([st("derived", [t], backing) for t in material])], level + 1))
    if editorial:
        blocks.append(Group("other-changes", "Other changes", [Items([st("derived", [t], backing) for t in editorial])],
                            level + 1))
    return Group("what-changed", "What changed in this version", blocks, level)


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def _authority_parts(c: Composer, key: str, given: str = "") -> list[Part]:
    """An authority and how to reach it: the address the notice gives (`given`), else the library's."""
    authority = c.model.lexicon.authority(key)
    if authority is None:
        return [Words(words(key)), *([Words(": "), channel(given)] if given else [])]
    name = authority.title or authority.legal_name or words(authority.key)
    parts: list[Part] = [Words(name)]
    if authority.country:
        country = country_text(c.model.lexicon, authority.country)
        where = [w for w in (authority.region, country) if w and w not in name]
        if where:
            parts.append(Words(f" ({', '.join(where)})"))
    if given:
        return [*parts, Words(": "), channel(given)]
    if authority.url:
        parts += [Words(": "), channel(authority.url)]
    if authority.phone:
        parts += [Words(", telephone "), channel(authority.phone)]
    if authority.email:
        parts += [Words(", email "), channel(authority.email)]
    if authority.address:
        parts += [Words(f", post: {authority.address}")]
    return parts


def _complaints(c: Composer) -> list[Block]:
    model = c.model
    info = model.rights_info
    out: list[Block] = []
    if info is not None:
        block = prose("fact", info.complaints, [back(info, "complaints")], 2)
        if block:
            out.append(block)
    controller = model.controller
    complain = model.offered("complain")
    if controller is not None and controller.authorities:
        given = dict(controller.authority_notes)
        items = [st("fact", _authority_parts(c, a.key, given.get(a.key, "")),
                    [back(controller, "authority"), back_span(f"authority:{a.key}", a.span)])
                 for a in controller.authorities]
        if complain is not None:
            out.append(Paragraph([st("derived", ["You have the right to complain to a data protection supervisory "
                                                 "authority:"],
                                     [back_span("right:complain", complain.right.span),
                                      back(controller, "authority")])]))
        else:
            out.append(Paragraph([st("fact", ["You can complain to:"], [back(controller, "authority")])]))
        out.append(Items(items))
        # Where a law has many authorities (the EU GDPR), the authority named is not the only one: Art 77(1)
        # lets people choose the one where they live or work, or where the infringement happened.
        for law in model.laws:
            if len(law.authorities) > 1:
                out += c.provision_prose("complain", 2, [law.key])
        return out
    # The source names no authority: only the law in force speaks, and only for itself.
    for law in model.laws:
        said = c.provision_prose("complain", 2, [law.key])
        out += said
        if len(law.authorities) == 1 and said:
            key = law.authorities[0]
            found = model.lexicon.authority(key)
            span = found.span if found is not None else law.span
            out.append(Items([st("law", _authority_parts(c, key),
                                 [back_span(f"law:{law.key}:authority", law.span),
                                  back_span(f"authority:{key}", span)])]))
    return out


def all_statements(blocks: list[Block]) -> list[Statement]:
    return walk(blocks)
