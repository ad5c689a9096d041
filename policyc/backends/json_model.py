"""JSON backend: the resolved model as plain data, validated by `policyc/schemas/policy.schema.json`.

Durations are ISO 8601 (`P6Y`), dates ISO (`2024-06-01`), countries ISO 3166-1 alpha-2 (regions such
as `EEA` by name), and every entity carries its DPV IRI where the standard library gives one. Other
backends (Markdown, HTML, DPV, fides) may start from this data too, so it is the one place where the
model becomes plain values.
"""

from __future__ import annotations

from typing import Any

from policyc import __version__, jsontext
from policyc.backends import BuildContext, expand_iri
from policyc.model import (
    Authority,
    Basis,
    BasisUse,
    Category,
    Contact,
    Cookie,
    Data,
    Decision,
    Model,
    PurposeKind,
    Recipient,
    Safeguard,
    Source,
)

SCHEMA_VERSION = "1.1"


def _contact(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {"id": contact.key, "title": contact.title, "legal_name": contact.legal_name, "role": contact.role,
            "email": contact.email, "phone": contact.phone, "address": contact.address, "url": contact.url,
            "country": contact.country}


def _authority(authority: Authority) -> dict[str, Any]:
    return {"id": authority.key, "title": authority.title, "legal_name": authority.legal_name,
            "country": authority.country, "url": authority.url, "email": authority.email, "phone": authority.phone,
            "address": authority.address, "region": authority.region, "supervises": list(authority.supervises)}


def _category(category: Category) -> dict[str, Any]:
    return {"id": category.key, "title": category.title, "dpv": expand_iri(category.dpv), "fides": category.fides,
            "special": category.special, "criminal": category.criminal, "sensitive": category.sensitive}


def _kind(kind: PurposeKind) -> dict[str, Any]:
    return {"id": kind.key, "title": kind.title, "dpv": expand_iri(kind.dpv), "fides": kind.fides}


def _basis(use: BasisUse) -> dict[str, Any]:
    basis: Basis = use.basis
    return {"id": basis.key, "title": basis.title, "article": basis.article, "dpv": expand_iri(basis.dpv),
            "note": use.note}


def _safeguard(safeguard: Safeguard) -> dict[str, Any]:
    return {"id": safeguard.key, "title": safeguard.title, "article": safeguard.article,
            "dpv": expand_iri(safeguard.dpv), "adequacy": safeguard.adequacy, "derogation": safeguard.derogation}


def _data(data: Data) -> dict[str, Any]:
    return {
        "id": data.key, "title": data.title, "description": data.description, "includes": list(data.includes),
        "categories": [_category(c) for c in data.categories], "special": [_category(c) for c in data.special],
        "is_special": data.is_special, "criminal": data.is_criminal, "sensitive": data.is_sensitive,
        "sources": list(data.sources), "from_subject": data.from_subject,
        "required_for": data.required_for or None, "if_not_provided": data.if_not_provided,
        "subjects": list(data.subjects),
    }


def _recipient(recipient: Recipient) -> dict[str, Any]:
    return {
        "id": recipient.key, "title": recipient.title, "role": recipient.role or None, "roles": list(recipient.roles),
        "legal_name": recipient.legal_name, "description": recipient.description,
        "includes": list(recipient.includes), "sector": recipient.sector, "countries": list(recipient.countries),
        "countries_unnamed": recipient.countries_unnamed,
        "international_organisation": recipient.international_organisation,
        "safeguards": [_safeguard(s) for s in recipient.safeguards], "safeguard_copy": recipient.safeguard_copy,
        "sells": recipient.sells, "shares": recipient.shares, "url": recipient.url,
        "arrangement": recipient.arrangement,
    }


def _source(source: Source) -> dict[str, Any]:
    return {"id": source.key, "title": source.title, "legal_name": source.legal_name,
            "description": source.description, "public": source.public, "url": source.url}


def _decision(decision: Decision) -> dict[str, Any]:
    return {"id": decision.key, "title": decision.title, "description": decision.description,
            "uses": [d.key for d in decision.uses], "logic": decision.logic, "significance": decision.significance,
            "consequences": decision.consequences, "solely_automated": decision.solely_automated,
            "legal_effect": decision.legal_effect, "safeguards": list(decision.safeguards)}


def _cookie(cookie: Cookie) -> dict[str, Any]:
    return {"id": cookie.key, "title": cookie.title, "provider": cookie.provider.key if cookie.provider else None,
            "first_party": cookie.first_party,
            "purposes": [p.key for p in cookie.purposes],
            "expires": cookie.expires.canonical if cookie.expires else None,
            "kind": cookie.kind or None, "technology": cookie.technology, "names": list(cookie.names),
            "description": cookie.description}


def to_data(model: Model) -> dict[str, Any]:
    """The model as JSON-ready data (lists in declaration order, no sets, no clocks)."""
    policy = model.policy
    info = model.rights_info
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"policyc {__version__}",
        "policy": None if policy is None else {
            "title": policy.title, "version": policy.version,
            "effective": policy.effective.isoformat() if policy.effective else None,
            "reviewed": policy.reviewed.isoformat() if policy.reviewed else None,
            "language": policy.language, "jurisdictions": list(policy.jurisdictions),
            "audience": list(policy.audience), "url": policy.url, "summary": policy.summary,
            "changes": policy.changes, "cookie_consent": policy.cookie_consent or None,
            "cookie_wall": policy.cookie_wall,
            "minimum_age": policy.minimum_age, "children": policy.children,
            "shares_with_none": policy.shares_with_none,
            "automated_decisions_none": policy.automated_decisions_none, "cookies_none": policy.cookies_none,
            "sells": policy.sells, "shares": policy.shares, "sells_minors": policy.sells_minors,
            "do_not_sell_url": policy.do_not_sell_url, "limit_use_url": policy.limit_use_url,
            "bases": [_basis(b) for b in policy.bases],
        },
        "controllers": [
            {**(_contact(c) or {}), "registration": c.registration, "ico_registration": c.ico_registration,
             "trading_as": list(c.trading_as), "country": c.country, "dpo": _contact(c.dpo),
             "representative": _contact(c.representative),
             "representatives": [_contact(r) for r in c.representatives],
             "authorities": [_authority(a) for a in c.authorities],
             "public_body": c.public_body, "arrangement": c.arrangement}
            for c in model.controllers
        ],
        "laws": [{"id": law.key, "title": law.title, "area": sorted(law.area), "authorities": list(law.authorities),
                  "child_consent_age": law.child_consent_age} for law in model.laws],
        "data": [_data(d) for d in model.data],
        "purposes": [
            {"id": p.key, "title": p.title, "description": p.description, "role": p.role,
             "on_behalf_of": p.on_behalf_of, "uses": [d.key for d in p.uses], "kinds": [_kind(k) for k in p.kinds],
             "bases": [_basis(b) for b in p.bases], "conditions": [_basis(c) for c in p.conditions],
             "retention": None if p.retention is None else {
                 "period": p.retention.period.iso if p.retention.period else None, "after": p.retention.after or None,
                 "until": p.retention.until or None, "unless": p.retention.unless or None,
                 "unless_reason": p.retention.unless_reason, "criteria": p.retention.criteria,
                 "session": p.retention.session, "reason": p.retention.reason},
             "recipients": [r.key for r in p.recipients], "shares_with_none": p.shares_with_none,
             "direct_marketing": p.direct_marketing, "automated_decisions": [d.key for d in p.decisions],
             "automated_decisions_none": p.automated_decisions_none, "subjects": list(p.subjects)}
            for p in model.purposes
        ],
        "recipients": [_recipient(r) for r in model.recipients],
        "sources": [_source(s) for s in model.sources],
        "decisions": [_decision(d) for d in model.decisions],
        "cookies": [_cookie(c) for c in model.cookies],
        "rights": [
            {"id": r.right.key, "title": r.right.title, "article": r.right.article, "dpv": expand_iri(r.right.dpv),
             "description": r.description, "because": list(r.because), "excluded": r.excluded or None}
            for r in model.rights
        ],
        "rights_info": None if info is None else {
            "contact": list(info.contact),
            "respond_within": info.respond_within.iso if info.respond_within else None, "fee": info.fee,
            "verify": info.verify, "withdraw": info.withdraw, "object": info.object, "complaints": info.complaints,
            "text": info.text,
        },
        "transfers": [
            {"recipient": t.recipient.key, "country": t.country, "law": t.law,
             "adequacy": None if t.adequacy is None else {
                 "id": t.adequacy.key, "title": t.adequacy.title,
                 "since": t.adequacy.since.isoformat() if t.adequacy.since else None},
             "safeguards": [s.key for s in t.safeguards]}
            for t in model.transfers
        ],
        "art14": model.art14,
        "security": None if model.security is None else {
            "measures": list(model.security.measures), "certifications": list(model.security.certifications),
            "hosting": list(model.security.hosting), "text": model.security.text},
        "sections": [{"id": s.key, "title": s.title, "text": s.text, "after": s.after or None}
                     for s in model.sections],
    }


def render(model: Model, context: BuildContext) -> str:
    return jsontext.dumps(to_data(model)) + "\n"
