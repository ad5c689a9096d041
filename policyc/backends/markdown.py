"""Markdown backend: the published notice as CommonMark (GitHub tables), clean under markdownlint.

This module also holds what the Markdown and HTML backends share: the *notice view* (the model
arranged in the order people look for things, with durations, dates, retention rules and countries
in plain English), the parser for author Markdown, and the template loader (the `--templates`
folder first, then the package's `templates/`).

Author text never becomes live markup. Every value a Markdown template prints is escaped (Markdown
punctuation backslash-escaped; `<`, `>` and `&` as entities; bare web and e-mail addresses wrapped as
autolinks) unless a filter has already made it safe. Author Markdown (`text` fields) is parsed with
markdown-it-py, raw HTML off and only http(s), mailto and tel links kept, and written back out as
Markdown from its tokens, so nothing the author wrote reaches the output unparsed. Author text is
data, never a template: `{{ 7*7 }}` in a policy is printed as written.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token

from policyc import __version__
from policyc.backends import BuildContext
from policyc.model import (
    Authority,
    BasisUse,
    Contact,
    Cookie,
    Data,
    Decision,
    Model,
    OfferedRight,
    Purpose,
    Recipient,
    RetentionRule,
    Transfer,
)

# --- the standard library's words that the model keeps only as keys -----------------------------


@dataclass(frozen=True)
class Library:
    """Titles and summaries of standard-library (and author) declarations that the model names by key."""

    titles: dict[tuple[str, str], str]  # (kind, key) -> title
    summaries: dict[tuple[str, str], str]  # (kind, key) -> summary
    authorities: dict[str, Authority]

    def title(self, kind: str, key: str) -> str:
        return self.titles.get((kind, key)) or self.titles.get((kind, key.rsplit(".", 1)[-1]), "")

    def summary(self, kind: str, key: str) -> str:
        return self.summaries.get((kind, key)) or self.summaries.get((kind, key.rsplit(".", 1)[-1]), "")

    def authority(self, key: str) -> Authority | None:
        return self.authorities.get(key) or self.authorities.get(key.rsplit(".", 1)[-1])


_LOOKUP_KINDS = ("event", "country", "region", "measure", "authority", "law")


@cache
def _stdlib_library() -> Library:
    """The standard library's titles, read once per process (the checker has usually loaded it already)."""
    from policyc.driver import stdlib_typed
    from policyc.resolver import Program, stdlib_names

    program = Program()
    program.load_prelude()
    for name in stdlib_names():
        program.stdlib(name)
    return _library_of(stdlib_typed(program), None)


def _library_of(typed: Iterable[Any], base: Library | None) -> Library:
    from policyc.typecheck import Ref, Text

    titles = dict(base.titles) if base else {}
    summaries = dict(base.summaries) if base else {}
    authorities = dict(base.authorities) if base else {}
    for t in typed:
        kind, key = t.decl.kind, t.decl.key
        if kind not in _LOOKUP_KINDS or not key:
            continue
        title = t.decl.title.value if t.decl.title else ""
        if title:
            titles[(kind, key)] = title
        summary = "\n\n".join(v.value for v in t.get("summary") if isinstance(v, Text))
        if summary:
            summaries[(kind, key)] = summary
        if kind == "authority":

            def text(name: str, t: Any = t) -> str:
                return "\n\n".join(v.value for v in t.get(name) if isinstance(v, Text))

            country = "".join(r.name.rsplit(".", 1)[-1] for r in t.get("country") if isinstance(r, Ref))
            authorities[key] = Authority(key=key, title=title, span=t.decl.header_span, decl=t.decl,
                                         legal_name=text("legal_name"), url=text("url"), email=text("email"),
                                         phone=text("phone"), address=text("address"), country=country)
    return Library(titles, summaries, authorities)


def library(model: Model) -> Library:
    """The standard library's words, with the events (or other kinds) the policy declares itself."""
    own = [t for t in model.typed if t.decl.kind in _LOOKUP_KINDS]
    base = _stdlib_library()
    return _library_of(own, base) if own else base


# --- plain English ------------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_UNITS = {"D": "day", "W": "week", "M": "month", "Y": "year"}
_ISO_DURATION = re.compile(r"^P(\d+)([DWMY])$")


def date_text(value: dt.date | None) -> str:
    """`2026-09-01` -> `1 September 2026` (no locale, no clock)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else ""


def duration_text(iso: str) -> str:
    """`P6Y` -> `6 years`, `P1M` -> `1 month`; `session` -> `the session`; anything else as given."""
    if iso == "session":
        return "the session"
    match = _ISO_DURATION.match(iso)
    if not match:
        return iso
    amount, unit = int(match.group(1)), _UNITS[match.group(2)]
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def words(key: str) -> str:
    """A name as words: `contract_end` -> `contract end`."""
    return key.rsplit(".", 1)[-1].replace("_", " ").strip()


def capfirst(text: str) -> str:
    """The first letter upper case (Markdown or HTML already made safe stays safe)."""
    changed = text[:1].upper() + text[1:]
    return type(text)(changed) if type(text) is not str else changed


def lcfirst(text: str) -> str:
    """The first letter lower case, unless the first word is an abbreviation (`CCPA`)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return text
    changed = text[:1].lower() + text[1:]
    return type(text)(changed) if type(text) is not str else changed


def and_join(items: Sequence[str], conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def event_text(lib: Library, key: str) -> str:
    """The moment a retention period counts from: the event's summary, else its title, else its name."""
    summary = lib.summary("event", key)
    if summary:
        return " ".join(summary.split())
    title = lib.title("event", key)
    return title[:1].lower() + title[1:] if title else words(key)


def retention_text(lib: Library, rule: RetentionRule | None) -> str:
    """A retention rule as a sentence fragment starting with a capital: `6 years after the end of ...`."""
    if rule is None:
        return "Not stated"
    period = duration_text(rule.period) if rule.period else ""
    if rule.session:
        text = "Only for the session (until you close your browser)"
    elif rule.until:
        text = f"{period} after {event_text(lib, rule.until)}" if period else f"until {event_text(lib, rule.until)}"
    elif rule.after:
        text = f"{period} after {event_text(lib, rule.after)}" if period else f"until {event_text(lib, rule.after)}"
    elif period:
        text = f"{period} from when we collect it"
    else:
        text = ""
    criteria = " ".join(rule.criteria.split())
    if criteria:
        text = f"{text}; {criteria}" if text else criteria
    if rule.unless:
        text = f"{text}, or longer, until {event_text(lib, rule.unless)}" if text else \
            f"until {event_text(lib, rule.unless)}"
        if rule.unless_reason:
            text += f" ({' '.join(rule.unless_reason.split())})"
    return capfirst(text) if text else "Not stated"


def country_text(lib: Library, code: str) -> str:
    return lib.title("country", code) or lib.title("region", code) or code


_ROLES = {
    "processor": "Service provider acting on our instructions",
    "controller": "Independent organisation (a controller in its own right)",
    "joint_controller": "Joint controller with us",
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
_COOKIE_KINDS = {
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
_SAFEGUARDS = {
    "human_review": "ask for a person to review the decision",
    "express_view": "give us your point of view",
    "contest": "challenge the decision",
}

# The standard sections, in reading order: (key, id, heading). `after` in a `section` declaration names
# one of these keys (or `end`).
STANDARD_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("glance", "at-a-glance", "At a glance"),
    ("controller", "who-we-are", "Who we are and how to contact us"),
    ("data", "data-we-collect", "What data we collect and where it comes from"),
    ("purposes", "purposes", "Why we use your data and our legal basis"),
    ("processor", "on-behalf-of-customers", "Where we act on behalf of our customers"),
    ("recipients", "recipients", "Who we share your data with"),
    ("transfers", "international-transfers", "International transfers"),
    ("retention", "retention", "How long we keep your data"),
    ("rights", "your-rights", "Your rights"),
    ("automated_decisions", "automated-decisions", "Automated decisions"),
    ("cookies", "cookies", "Cookies and similar technologies"),
    ("security", "security", "How we protect your data"),
    ("children", "children", "Children"),
    ("changes", "changes", "Changes to this notice"),
    ("complaints", "complaints", "How to complain"),
)

# The fixed subsections of "Your rights": key -> (id, heading).
SUBSECTIONS: dict[str, tuple[str, str]] = {
    "exercise": ("exercising-your-rights", "How to exercise your rights"),
    "withdraw": ("withdrawing-consent", "Withdrawing your consent"),
    "object": ("objecting", "Objecting to how we use your data"),
    "do_not_sell": ("do-not-sell-or-share", "Do not sell or share my personal information"),
    "limit_use": ("limit-sensitive-data", "Limit the use of my sensitive personal information"),
}

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
WEB = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{4,}$")


def anchor(prefix: str, key: str) -> str:
    """An HTML id for an entity: `purpose-fulfil_orders` (the policy's name, unchanged where it can be)."""
    return f"{prefix}-{_ID_UNSAFE.sub('-', key) or 'x'}"


def channel(value: str) -> dict[str, str]:
    """A contact channel with its kind and link target: e-mail, web, phone, or plain text."""
    value = value.strip()
    if EMAIL.match(value):
        return {"kind": "email", "text": value, "href": f"mailto:{value}"}
    if WEB.match(value):
        return {"kind": "web", "text": value, "href": value}
    if _PHONE.match(value):
        digits = re.sub(r"[^0-9+]", "", value)
        return {"kind": "phone", "text": value, "href": f"tel:{digits}"}
    return {"kind": "text", "text": value, "href": ""}


# --- the notice view ----------------------------------------------------------------------------


def _ref(prefix: str, key: str, title: str) -> dict[str, str]:
    return {"key": key, "id": anchor(prefix, key), "title": title or words(key)}


def _contact(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {"key": contact.key, "title": contact.title, "legal_name": contact.legal_name, "role": contact.role,
            "address": contact.address, "email": contact.email, "phone": contact.phone, "url": contact.url,
            "channels": [channel(c) for c in contact.channels]}


def _basis(use: BasisUse) -> dict[str, str]:
    basis = use.basis
    article = f"Article {basis.article}" if basis.article else ""
    label = f"{basis.title or words(basis.key)} ({article})" if article else (basis.title or words(basis.key))
    return {"key": basis.key, "title": basis.title or words(basis.key), "article": article, "label": label,
            "note": use.note, "summary": basis.summary}


def _data(lib: Library, data: Data) -> dict[str, Any]:
    sources: list[str] = []
    for source in data.sources:
        named = next((s for s in data.named_sources if s.key == source), None)
        if named is not None:
            sources.append(named.title or named.legal_name or words(named.key))
        else:
            sources.append(_SOURCES.get(source, words(source)))
    if not sources:  # no source given: from the person (Art 13)
        sources.append(_SOURCES["subject"])
    return {
        "key": data.key, "id": anchor("data", data.key), "title": data.title or words(data.key),
        "description": data.description, "includes": list(data.includes),
        "categories": [c.title or words(c.key) for c in data.categories],
        "special": [c.title or words(c.key) for c in data.special], "is_special": data.is_special,
        "criminal": data.is_criminal, "sources": sources,
        "source_ids": [anchor("source", s.key) for s in data.named_sources],
        "required_for": _REQUIRED.get(data.required_for, ""), "if_not_provided": data.if_not_provided,
        "subjects": list(data.subjects),
    }


def _purpose(lib: Library, purpose: Purpose) -> dict[str, Any]:
    retention = purpose.retention
    return {
        "key": purpose.key, "id": anchor("purpose", purpose.key), "title": purpose.title or words(purpose.key),
        "description": purpose.description,
        "data": [_ref("data", d.key, d.title) for d in purpose.uses],
        "kinds": [k.title or words(k.key) for k in purpose.kinds],
        "bases": [_basis(b) for b in purpose.bases],
        "conditions": [_basis(c) | {"criminal": c.basis.criminal} for c in purpose.conditions],
        "retention": retention_text(lib, retention),
        "retention_reason": " ".join(retention.reason.split()) if retention else "",
        "recipients": [_ref("recipient", r.key, r.title) for r in purpose.recipients],
        "decisions": [_ref("decision", d.key, d.title) for d in purpose.decisions],
        "direct_marketing": purpose.direct_marketing, "subjects": list(purpose.subjects),
        "role": purpose.role, "on_behalf_of": purpose.on_behalf_of,
    }


def _recipient(lib: Library, model: Model, recipient: Recipient) -> dict[str, Any]:
    return {
        "key": recipient.key, "id": anchor("recipient", recipient.key),
        "title": recipient.title or recipient.legal_name or words(recipient.key),
        "role": recipient.role, "role_text": _ROLES.get(recipient.role, ""), "legal_name": recipient.legal_name,
        "description": recipient.description, "includes": list(recipient.includes), "sector": recipient.sector,
        "countries": [country_text(lib, c) for c in recipient.countries], "url": recipient.url,
        "sells": recipient.sells, "shares": recipient.shares,
        "safeguards": [s.title or words(s.key) for s in recipient.safeguards],
        "safeguard_copy": recipient.safeguard_copy,
        "purposes": [_ref("purpose", p.key, p.title) for p in model.purposes if recipient in p.recipients],
    }


def _transfer(lib: Library, model: Model, transfer: Transfer) -> dict[str, Any]:
    recipient = transfer.recipient
    if transfer.adequacy is not None:
        mechanism = f"Adequacy decision: {transfer.adequacy.title or words(transfer.adequacy.key)}"
        copy = "Not needed: the adequacy decision is published"
    elif transfer.safeguards:
        mechanism = and_join([s.title or words(s.key) for s in transfer.safeguards])
        copy = recipient.safeguard_copy or "Ask us for a copy (see “Who we are and how to contact us”)"
    else:
        mechanism = "None stated"
        copy = recipient.safeguard_copy or "Not stated"
    law = model.law(transfer.law)
    return {"recipient": _ref("recipient", recipient.key, recipient.title or recipient.legal_name),
            "country": country_text(lib, transfer.country), "law": law.title if law else words(transfer.law),
            "mechanism": mechanism, "copy_text": copy, "copy_is_text": bool(recipient.safeguard_copy)}


def _area_text(lib: Library, model: Model) -> str:
    """The areas the policy's laws cover, in words: `the United Kingdom`, `the European Economic Area`."""
    names: list[str] = []
    for law in model.laws:
        if not law.area:
            continue
        region = next((k for k, members in sorted(model.regions.items()) if members == law.area), None)
        if region is not None:
            name = country_text(lib, region)
        elif len(law.area) == 1:
            name = country_text(lib, next(iter(law.area)))
        else:
            name = and_join(sorted(country_text(lib, c) for c in law.area))
        if name and name not in names:
            names.append(name)
    return and_join([place(n) for n in names])


_THE_NAMES = frozenset({"Netherlands", "Philippines", "Bahamas", "Gambia", "Maldives", "Comoros", "Seychelles"})


def place(name: str) -> str:
    """A country or region name as it reads in a sentence: `the United Kingdom`, `France`."""
    if name.lower().startswith("the ") or not (
        name in _THE_NAMES or name.startswith(("United ", "European ", "Democratic ", "Republic ", "Isle of "))
        or name.endswith((" Islands", " Republic", " Territories"))
    ):
        return name
    return f"the {name}"


def _right(model: Model, offered: OfferedRight) -> dict[str, Any]:
    right = offered.right
    key = right.key
    how = ""
    if key == "informed":
        how, how_key = "This notice is how we give you this information. Ask us if anything in it is unclear.", ""
    elif key == "withdraw_consent":
        how_key = "withdraw"
    elif key in ("object", "object_direct_marketing"):
        how_key = "object"
    elif key == "complain":
        how_key = "complaints"
    elif key == "automated_decision" and model.decisions:
        how_key = "automated_decisions"
    else:
        how_key = "exercise"
    return {"key": key, "id": anchor("right", key), "title": right.title or words(key),
            "article": f"Article {right.article}" if right.article else "", "description": offered.description,
            "because": list(offered.because), "excluded": offered.excluded, "how": how, "how_section": how_key}


def _decision(decision: Decision, model: Model) -> dict[str, Any]:
    return {
        "key": decision.key, "id": anchor("decision", decision.key), "title": decision.title or words(decision.key),
        "description": decision.description, "logic": decision.logic, "significance": decision.significance,
        "consequences": decision.consequences, "solely_automated": decision.solely_automated,
        "legal_effect": decision.legal_effect,
        "data": [_ref("data", d.key, d.title) for d in decision.uses],
        "safeguards": [_SAFEGUARDS.get(s, words(s)) for s in decision.safeguards],
        "purposes": [_ref("purpose", p.key, p.title) for p in model.purposes if decision in p.decisions],
    }


def _cookie(cookie: Cookie) -> dict[str, Any]:
    if cookie.expires == "session":
        expires = "When you close your browser (session)"
    elif cookie.expires:
        expires = duration_text(cookie.expires)
    else:
        expires = "Not stated"
    provider = cookie.provider
    return {
        "key": cookie.key, "id": anchor("cookie", cookie.key), "title": cookie.title or words(cookie.key),
        "names": list(cookie.names),
        "provider": _ref("recipient", provider.key, provider.title or provider.legal_name) if provider else None,
        "provider_text": (provider.title or provider.legal_name or words(provider.key)) if provider else "Us",
        "purposes": [_ref("purpose", p.key, p.title) for p in cookie.purposes],
        "kind": _COOKIE_KINDS.get(cookie.kind, words(cookie.kind) if cookie.kind else "Not stated"),
        "technology": _TECHNOLOGIES.get(cookie.technology, words(cookie.technology)),
        "expires": expires, "description": cookie.description, "essential": cookie.essential,
    }


def _authority(authority: Authority, lib: Library) -> dict[str, Any]:
    return {"key": authority.key, "title": authority.title or authority.legal_name or words(authority.key),
            "legal_name": authority.legal_name, "country": country_text(lib, authority.country) if authority.country
            else "", "url": authority.url, "email": authority.email, "phone": authority.phone,
            "address": authority.address}


def _longest(lib: Library, purposes: Sequence[Purpose]) -> str:
    timed = [p.retention for p in purposes if p.retention is not None and p.retention.period_days is not None]
    if not timed:
        return ""
    longest = max(timed, key=lambda r: r.period_days or 0.0)  # max keeps the first of equals
    return retention_text(lib, longest)


def _dedupe(titles: list[str]) -> list[str]:
    """Sibling headings must differ (markdownlint MD024): a repeated title gets ` (2)`, ` (3)`..."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for title in titles:
        folded = " ".join(title.split()).casefold()
        seen[folded] = seen.get(folded, 0) + 1
        out.append(title if seen[folded] == 1 else f"{title} ({seen[folded]})")
    return out


def notice_view(model: Model, context: BuildContext) -> dict[str, Any]:
    """The model arranged for reading: what every template gets as `notice` (see docs/templates.md)."""
    lib = library(model)
    policy = model.policy
    controller = model.controller
    info = model.rights_info
    controller_name = ""
    if controller is not None:
        controller_name = controller.legal_name or controller.title or words(controller.key)
    purposes = [_purpose(lib, p) for p in model.controller_purposes]
    processor = [_purpose(lib, p) for p in model.purposes if p.as_processor]
    data = [_data(lib, d) for d in model.data]
    recipients = [_recipient(lib, model, r) for r in model.recipients]
    rights = [_right(model, r) for r in model.rights]
    decisions = [_decision(d, model) for d in model.decisions]
    for p in model.purposes:  # a decision only a purpose names (from an imported file) still appears
        for d in p.decisions:
            if not any(x["key"] == d.key for x in decisions):
                decisions.append(_decision(d, model))
    cookies = [_cookie(c) for c in model.cookies]
    transfers = [_transfer(lib, model, t) for t in model.transfers]
    area = _area_text(lib, model)
    all_located = bool(model.recipients) and all(r.countries for r in model.recipients)
    offered = {r.right.key for r in model.rights if not r.excluded}
    authorities: list[dict[str, Any]] = []
    if controller is not None and controller.authorities:
        authorities = [_authority(a, lib) for a in controller.authorities]
    else:
        for law in model.laws:
            for key in law.authorities:
                found = lib.authority(key)
                if found is not None and not any(a["key"] == found.key for a in authorities):
                    authorities.append(_authority(found, lib))
    security = model.security
    consent_basis = any(u.basis.key in ("consent", "explicit_consent") or "withdrawal" in u.basis.requires
                        for p in model.controller_purposes for u in (*p.bases, *p.conditions))

    withdraw_shown = "withdraw_consent" in offered or consent_basis or bool(info and info.withdraw)
    object_shown = bool(offered & {"object", "object_direct_marketing"}) or bool(info and info.object)
    present = {
        "glance": True,
        "controller": bool(model.controllers),
        "data": bool(data),
        "purposes": bool(purposes),
        "processor": bool(processor),
        "recipients": bool(recipients) or bool(policy and policy.shares_with_none),
        "transfers": bool(transfers) or (bool(area) and all_located),
        "retention": bool(purposes),
        "rights": bool(rights) or info is not None,
        "automated_decisions": bool(decisions),
        "cookies": bool(cookies),
        "security": security is not None,
        "children": bool(policy and (policy.children or policy.minimum_age is not None)),
        "changes": bool(policy and (policy.changes or policy.version or policy.effective or policy.reviewed))
        or context.history is not None,
        "complaints": True,
    }
    order: list[dict[str, Any]] = []
    author_after: dict[str, list[dict[str, Any]]] = {}
    used_ids: set[str] = set()
    for section in model.sections:
        after = section.after if section.after in {k for k, _, _ in STANDARD_SECTIONS} else "end"
        section_id = anchor("section", section.key)
        while section_id in used_ids:
            section_id += "-x"
        used_ids.add(section_id)
        author_after.setdefault(after, []).append(
            {"key": section.key, "id": section_id, "title": section.title or words(section.key),
             "author": True, "text": section.text})
    for key, section_id, title in STANDARD_SECTIONS:
        if present[key]:
            order.append({"key": key, "id": section_id, "title": title, "author": False, "text": ""})
        order.extend(author_after.get(key, []))
    order.extend(author_after.get("end", []))
    for entry, title in zip(order, _dedupe([e["title"] for e in order]), strict=True):
        entry["title"] = title
    refs: dict[str, dict[str, Any]] = {key: {"title": title, "id": section_id, "present": False}
                                       for key, section_id, title in STANDARD_SECTIONS}
    refs.update({e["key"]: {"title": e["title"], "id": e["id"], "present": True} for e in order if not e["author"]})
    subsections = {
        "exercise": present["rights"],
        "withdraw": present["rights"] and withdraw_shown,
        "object": present["rights"] and object_shown,
        "do_not_sell": present["rights"] and bool(policy and policy.do_not_sell_url),
        "limit_use": present["rights"] and bool(policy and policy.limit_use_url),
    }
    for key, (section_id, title) in SUBSECTIONS.items():
        refs[key] = {"title": title, "id": section_id, "present": subsections[key]}
    for group in (data, purposes, processor, recipients, rights, decisions):
        for item, heading in zip(group, _dedupe([i["title"] for i in group]), strict=True):
            item["heading"] = heading

    return {
        "generator": f"policyc {__version__}",
        "source": context.source,
        "stem": context.stem,
        "title": (policy.title if policy else "") or "Privacy notice",
        "language": (policy.language if policy else "") or "en",
        "version": policy.version if policy else "",
        "effective": date_text(policy.effective) if policy else "",
        "reviewed": date_text(policy.reviewed) if policy else "",
        "url": policy.url if policy else "",
        "summary": policy.summary if policy else "",
        "audience": [words(a) for a in policy.audience] if policy else [],
        "controller_name": controller_name,
        "sections": order,
        "refs": refs,
        "glance": {
            "who": controller_name,
            "what": [d["title"] for d in data],
            "why": [p["title"] for p in purposes],
            "recipients": [r["title"] for r in recipients],
            "shares_with_none": bool(policy and policy.shares_with_none),
            "longest": _longest(lib, model.controller_purposes),
            "rights": [r["title"] for r in rights if not r["excluded"]],
            "art14": model.art14,
        },
        "controllers": [
            {**(_contact(c) or {}), "id": anchor("controller", c.key),
             "name": c.legal_name or c.title or words(c.key), "trading_as": list(c.trading_as),
             "registration": c.registration, "ico_registration": c.ico_registration,
             "country": country_text(lib, c.country) if c.country else "",
             "dpo": _contact(c.dpo), "representative": _contact(c.representative)}
            for c in model.controllers
        ],
        "data": data,
        "sources": [{"key": s.key, "id": anchor("source", s.key), "title": s.title or s.legal_name or words(s.key),
                     "legal_name": s.legal_name, "description": s.description, "public": s.public, "url": s.url}
                    for s in _sources(model)],
        "art14": model.art14,
        "purposes": purposes,
        "processor_purposes": processor,
        "interests": [{"purpose": p["title"], "id": p["id"], "note": b["note"]}
                      for p in purposes for b in p["bases"] if b["key"] == "legitimate_interests"],
        "recipients": recipients,
        "shares_with_none": bool(policy and policy.shares_with_none),
        "sells": any(r.sells for r in model.recipients),
        "transfers": transfers,
        "transfer_laws": len({t["law"] for t in transfers}),
        "transfer_area": area,
        "no_transfers": not transfers and bool(area) and all_located,
        "retention": [{"purpose": p["title"], "id": p["id"], "text": p["retention"], "reason": p["retention_reason"]}
                      for p in purposes],
        "rights": rights,
        "exercise": {
            "channels": [channel(c) for c in info.contact] if info else [],
            "respond_within": duration_text(info.respond_within) if info and info.respond_within else "",
            "fee": info.fee if info else "", "verify": info.verify if info else "", "text": info.text if info else "",
        },
        "withdraw": {"show": withdraw_shown, "text": info.withdraw if info else ""},
        "object": {"show": object_shown, "text": info.object if info else "",
                   "direct_marketing": any(p.direct_marketing for p in model.controller_purposes)},
        "do_not_sell_url": policy.do_not_sell_url if policy else "",
        "limit_use_url": policy.limit_use_url if policy else "",
        "decisions": decisions,
        "cookies": cookies,
        "cookie_consent": _CONSENT.get(policy.cookie_consent, "") if policy else "",
        "security": None if security is None else {
            "measures": [lib.title("measure", m) or words(m) for m in security.measures],
            "certifications": [_CERTIFICATIONS.get(c, words(c)) for c in security.certifications],
            "hosting": [place(country_text(lib, c)) for c in security.hosting], "text": security.text},
        "children": {"minimum_age": policy.minimum_age if policy else None,
                     "text": policy.children if policy else ""},
        "changes": {"text": policy.changes if policy else "", "history": context.history},
        "complaints": {"text": info.complaints if info else "", "authorities": authorities,
                       "offered": "complain" in offered or bool(authorities)},
    }


def _sources(model: Model) -> list[Any]:
    """The named sources: those declared, then any only a data declaration names, each once."""
    out = list(model.sources)
    for data in model.data:
        for source in data.named_sources:
            if source not in out:
                out.append(source)
    return out


# --- author Markdown ----------------------------------------------------------------------------

SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def safe_link(url: str) -> bool:
    """Only http(s), mailto and tel links survive (no javascript:, data:, relative or protocol-relative)."""
    folded = _CONTROL.sub("", url).lower()
    return folded.startswith(SAFE_SCHEMES) and not folded.startswith(("http:///", "https:///"))


@cache
def author_parser() -> MarkdownIt:
    """CommonMark with raw HTML off and only safe link schemes (shared by the Markdown and HTML backends)."""
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = safe_link  # type: ignore[method-assign]
    return md


def dedent_text(text: str) -> str:
    """Remove the common indentation of the lines after the first (a `\"\"\"` block starts on its line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    first, _, rest = text.partition("\n")
    return f"{first.strip()}\n{textwrap.dedent(rest)}" if rest else first.strip()


def parse_author(text: str, level: int) -> list[Token]:
    """Author Markdown as tokens; its headings are moved below `level` and step down one at a time."""
    tokens = author_parser().parse(dedent_text(text))
    previous = level
    first: int | None = None
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            original = int(token.tag[1:])
            if token.type == "heading_open":
                first = original if first is None else min(first, original)
                wanted = level + 1 + (original - first)
                new = max(level + 1, min(wanted, previous + 1, 6))
                previous = new
                token.meta["level"] = new
            else:
                new = previous
            token.tag = f"h{min(new, 6)}"
            token.markup = "#" * min(new, 6)
    return tokens


def close_index(tokens: Sequence[Token], start: int) -> int:
    """The index of the token that closes the one at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


_LINKISH = re.compile(
    r"(?P<url>(?<![\w/])https?://[^\s<>\"'`]+)"
    r"|(?P<www>(?<![\w./:@-])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[^\s<>\"'`]*)"
    r"|(?P<email>(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)"
)
_TRAILING = ".,:;!?*_~'\""


def split_links(text: str) -> list[tuple[str, str, str]]:
    """Text split into `("text", text, "")` and `("link", label, href)` parts: bare web and e-mail addresses."""
    parts: list[tuple[str, str, str]] = []
    position = 0
    for match in _LINKISH.finditer(text):
        label = match.group(0)
        end = match.end()
        if match.lastgroup != "email":
            while label and (label[-1] in _TRAILING or (label[-1] == ")" and label.count("(") < label.count(")"))):
                label = label[:-1]
                end -= 1
            if not label or label.endswith("://"):
                continue
        if match.start() > position:
            parts.append(("text", text[position:match.start()], ""))
        href = {"url": label, "www": f"https://{label}", "email": f"mailto:{label}"}[match.lastgroup or "url"]
        parts.append(("link", label, href))
        position = end
    if position < len(text):
        parts.append(("text", text[position:], ""))
    return parts


# --- Markdown escaping and writing ----------------------------------------------------------------


class MdSafe(str):
    """Markdown that is already safe to print (the Markdown counterpart of markupsafe.Markup)."""

    __slots__ = ()


_MD_PUNCTUATION = set("\\`*[]|~#")
_LIST_MARKER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def _escape_chars(text: str) -> str:
    out: list[str] = []
    for index, ch in enumerate(text):
        if ch in _MD_PUNCTUATION:
            out.append("\\" + ch)
        elif ch == "_":
            inner = 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()
            out.append("_" if inner else "\\_")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        else:
            out.append(ch)
    return "".join(out)


def _escape_start(text: str) -> str:
    """Escape what would start a block at the start of a line: `-`, `+`, `=`, `1.` and `1)`."""
    if text[:1] in ("-", "+", "="):
        return "\\" + text
    match = _LIST_MARKER.match(text)
    if match:
        return f"{match.group(1)}\\{text[len(match.group(1)):]}"
    return text


def md_url(url: str) -> str:
    """A link destination that cannot end early: spaces, brackets and parentheses percent-encoded."""
    encoded = author_parser().normalizeLink(url.strip())
    for ch, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), (" ", "%20"), ("\\", "%5C"),
                     ("`", "%60"), ("|", "%7C")):
        encoded = encoded.replace(ch, code)
    return encoded


def md_link(label: str, href: str, plain_label: bool = True) -> str:
    """A safe Markdown link; an unsafe target leaves the label as text."""
    text = md_escape(label, links=False) if plain_label else label
    if not safe_link(href):
        return text
    if plain_label and _autolinkable(label, href):
        return f"<{label}>"
    return f"[{text or md_escape(href, links=False)}]({md_url(href)})"


def _autolinkable(label: str, href: str) -> bool:
    if href == label and WEB.match(label):
        return not any(c in label for c in "<> \\`|")
    return href == f"mailto:{label}" and bool(EMAIL.match(label)) and "|" not in label and "`" not in label


def md_escape(value: object, links: bool = True) -> str:
    """Plain author text as Markdown that shows exactly that text (one line; bare addresses as autolinks)."""
    if isinstance(value, MdSafe):
        return str(value)
    text = " ".join(("" if value is None else str(value)).split())
    if not text:
        return ""
    parts = split_links(text) if links else [("text", text, "")]
    joined = "".join(md_link(part, href) if kind == "link" else _escape_chars(part) for kind, part, href in parts)
    return _escape_start(joined) if parts[0][0] == "text" else joined


class _MdWriter:
    """Writes markdown-it tokens back out as clean Markdown (every author string escaped again)."""

    def __init__(self, table: bool = False) -> None:
        self.table = table

    def blocks(self, tokens: Sequence[Token], start: int, stop: int) -> list[list[str]]:
        """The block tokens from `start` to `stop`, each block as its lines."""
        out: list[list[str]] = []
        index = start
        while index < stop:
            token = tokens[index]
            end = close_index(tokens, index) if token.nesting == 1 else index
            kind = token.type
            if kind == "paragraph_open":
                text = self.inline(tokens[index + 1].children or [])
                if text.strip():
                    out.append(text.split("\n"))
            elif kind == "heading_open":
                text = self.inline(tokens[index + 1].children or []).replace("\n", " ")
                if text.strip():
                    out.append([f"{token.markup or '#'} {text.strip()}"])
            elif kind in ("bullet_list_open", "ordered_list_open"):
                out.append(self.list_block(tokens, index, end, ordered=kind == "ordered_list_open"))
            elif kind == "blockquote_open":
                inner = self.join(self.blocks(tokens, index + 1, end))
                out.append([f"> {line}" if line else ">" for line in inner])
            elif kind in ("code_block", "fence"):
                out.append(self.code(token.content))
            elif kind == "hr":
                out.append(["---"])
            elif kind == "inline":
                text = self.inline(token.children or [])
                if text.strip():
                    out.append(text.split("\n"))
            index = end + 1
        return out

    @staticmethod
    def join(blocks: list[list[str]]) -> list[str]:
        """Blocks separated by blank lines."""
        lines: list[str] = []
        for block in blocks:
            if lines:
                lines.append("")
            lines.extend(block)
        return lines

    def list_block(self, tokens: Sequence[Token], start: int, stop: int, ordered: bool) -> list[str]:
        lines: list[str] = []
        number = 0
        index = start + 1
        loose = any(t.type == "paragraph_open" and not t.hidden and t.level == tokens[start].level + 2
                    for t in tokens[start:stop])
        while index < stop:
            if tokens[index].type != "list_item_open":
                index += 1
                continue
            end = close_index(tokens, index)
            number += 1
            # Keep the author's `.` or `)`: two ordered lists in a row stay two lists.
            delimiter = ")" if tokens[index].markup == ")" else "."
            marker = f"{number}{delimiter} " if ordered else "- "
            blocks = self.blocks(tokens, index + 1, end)
            body = (self.join(blocks) if loose else [line for block in blocks for line in block]) or [""]
            if lines and loose:
                lines.append("")
            pad = " " * len(marker)
            lines.append(f"{marker}{body[0]}".rstrip())
            lines.extend(f"{pad}{line}" if line else "" for line in body[1:])
            index = end + 1
        return lines

    def code(self, content: str) -> list[str]:
        body = content.replace("\t", "    ").rstrip("\n").split("\n")
        if any(c in content for c in "<>&"):
            # Never print author `<`, `>` or `&` unescaped, even in code: show the lines as escaped text.
            shown = [_escape_start(escaped) for escaped in (md_escape(line, links=False) for line in body) if escaped]
            return [f"{line}\\" for line in shown[:-1]] + shown[-1:]
        longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
        fence = "`" * max(3, longest + 1)
        return [f"{fence}text", *(line.rstrip() for line in body), fence]

    def inline(self, children: Sequence[Token]) -> str:
        out: list[str] = []
        index = 0
        while index < len(children):
            token = children[index]
            kind = token.type
            if kind in ("text", "text_special"):
                out.append(md_escape_inline(token.content, links=True))
            elif kind == "softbreak":
                out.append(" ")
            elif kind == "hardbreak":
                out.append(" " if self.table else "\\\n")
            elif kind == "code_inline":
                out.append(self.code_span(token.content))
            elif kind in ("em_open", "em_close"):
                out.append("*")
            elif kind in ("strong_open", "strong_close"):
                out.append("**")
            elif kind == "link_open":
                end = index + 1
                depth = 1
                while end < len(children):
                    depth += children[end].nesting if children[end].type in ("link_open", "link_close") else 0
                    if depth == 0:
                        break
                    end += 1
                href = str(token.attrGet("href") or "")
                label_tokens = children[index + 1:end]
                if token.markup == "autolink":
                    label = "".join(t.content for t in label_tokens)
                    out.append(md_link(label, href))
                else:
                    label = _MdWriter(self.table).inline_plain(label_tokens).strip()
                    out.append(md_link(label, href, plain_label=False) if label else md_link(href, href))
                index = end
            elif kind == "image":
                alt = _MdWriter(self.table).inline_plain(token.children or []).strip()
                src = str(token.attrGet("src") or "")
                out.append(md_link(alt, src, plain_label=False) if alt else md_link(src, src))
            index += 1
        return "\n".join(_escape_start(line.strip()) for line in "".join(out).split("\n"))

    def inline_plain(self, children: Sequence[Token]) -> str:
        """A link's label: its formatting kept, no links inside a link."""
        out: list[str] = []
        for token in children:
            if token.type in ("text", "text_special"):
                out.append(md_escape_inline(token.content, links=False))
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            elif token.type == "code_inline":
                out.append(self.code_span(token.content))
            elif token.type in ("em_open", "em_close"):
                out.append("*")
            elif token.type in ("strong_open", "strong_close"):
                out.append("**")
            elif token.type == "image":
                out.append(self.inline_plain(token.children or []))
        return "".join(out)

    def code_span(self, content: str) -> str:
        if not content.strip() or any(c in content for c in "<>&") or (self.table and "|" in content):
            return md_escape_inline(content, links=False)
        longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
        fence = "`" * (longest + 1)
        pad = " " if content[0] == "`" or content[-1] == "`" or (content[0] == " " and content[-1] == " ") else ""
        return f"{fence}{pad}{content}{pad}{fence}"


def md_escape_inline(text: str, links: bool) -> str:
    """Like md_escape, for a piece of a line: whitespace kept as single spaces at the ends too."""
    if not text:
        return ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and text.strip() else ""
    core = " ".join(text.split())
    if not core:
        return " "
    out: list[str] = []
    for kind, part, href in split_links(core) if links else [("text", core, "")]:
        out.append(md_link(part, href) if kind == "link" else _escape_chars(part))
    return lead + "".join(out) + trail


def md_prose(text: object, level: int = 2) -> MdSafe:
    """Author Markdown as safe Markdown blocks, its headings placed below `level`."""
    if isinstance(text, MdSafe):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return MdSafe("")
    tokens = parse_author(source, level)
    writer = _MdWriter()
    return MdSafe("\n".join(writer.join(writer.blocks(tokens, 0, len(tokens)))).strip("\n"))


def md_inline(text: object) -> MdSafe:
    """Author Markdown on one line (for a list item or a table cell): its blocks joined with spaces."""
    if isinstance(text, MdSafe):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return MdSafe("")
    tokens = author_parser().parse(dedent_text(source))
    writer = _MdWriter(table=True)
    parts = [writer.inline(t.children or []).replace("\\\n", " ").replace("\n", " ")
             for t in tokens if t.type == "inline"]
    code = [t.content for t in tokens if t.type in ("code_block", "fence")]
    parts.extend(md_escape(c, links=False) for c in code)
    return MdSafe(" ".join(p.strip() for p in parts if p.strip()))


def md_and_list(items: Iterable[Any], conjunction: str = "and") -> MdSafe:
    """Escaped items joined as `a, b and c` (items that are already safe are kept as they are)."""
    escaped = [md_escape(i) if not isinstance(i, MdSafe) else str(i) for i in items]
    if escaped:
        escaped[1:] = [e[1:] if e.startswith("\\") and e[1:2] in "-+=" else e for e in escaped[1:]]
    return MdSafe(and_join(escaped, conjunction))


def md_heading(value: object) -> MdSafe:
    """A heading's text: escaped, without the trailing full stop or colon that markdownlint refuses (MD026)."""
    text = " ".join(("" if value is None else str(value)).split()).rstrip(".,;:!。，；：！ ")
    return MdSafe(md_escape(text) or "Untitled")


def md_finalize(value: object) -> str:
    """Every `{{ ... }}` in a Markdown template goes through here: escaped unless already safe."""
    if isinstance(value, MdSafe):
        return value
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    return md_escape(value)


def normalise_markdown(text: str) -> str:
    """No trailing spaces, no runs of blank lines, no blank lines at the start, one newline at the end."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


# --- templates ----------------------------------------------------------------------------------

def template_loader(templates: Path | None) -> jinja2.BaseLoader:
    """The user's template folder first (any template overridden by its file name), then the package's."""
    package = jinja2.PackageLoader("policyc.backends", "templates")
    if templates is None:
        return package
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates)), package])


def common_globals(view: dict[str, Any], model: Model, context: BuildContext) -> dict[str, Any]:
    return {"notice": view, "model": model, "context": context, "policyc_version": __version__}


def markdown_environment(templates: Path | None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=template_loader(templates), autoescape=False, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, finalize=md_finalize,
    )
    filters: dict[str, Callable[..., Any]] = {
        "prose": md_prose,
        "inline": md_inline,
        "and_list": md_and_list,
        "semi_list": lambda items: MdSafe("; ".join(md_escape(i) for i in items)),
        "heading": md_heading,
        "link": lambda label, href: MdSafe(md_link(str(label), str(href))),
        "email": lambda value: MdSafe(md_link(str(value), f"mailto:{value}") if EMAIL.match(str(value))
                                      else md_escape(value)),
        "web": lambda value: MdSafe(md_link(str(value), str(value)) if WEB.match(str(value)) else md_escape(value)),
        "phone": lambda value: MdSafe(md_escape(value)),
        "channel": lambda c: MdSafe(md_link(c["text"], c["href"]) if c["href"] else md_escape(c["text"])),
        "capfirst": capfirst,
        "lcfirst": lcfirst,
        "yesno": lambda value, yes="Yes", no="No", unknown="Not stated": unknown if value is None else
        (yes if value else no),
    }
    env.filters.update(filters)
    return env


def render(model: Model, context: BuildContext) -> str:
    view = notice_view(model, context)
    env = markdown_environment(context.templates)
    text = env.get_template("notice.md.j2").render(common_globals(view, model, context))
    return normalise_markdown(text)
