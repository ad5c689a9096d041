"""tilt backend: the policy as a TILT document (Transparency Information Language and Toolkit).

TILT describes the information GDPR Art 13 and 14 require, for one controller, as JSON valid against
its draft-07 schema (`policyc/schemas/tilt/tilt-schema.json`, MIT, copied with its licence). What is
written is validated against that schema, with a format checker, before the build writes anything.

Mapping, in TILT's order:

- `meta`: `_id` a UUID derived from the notice's URL (the same notice keeps the same id), `name` the
  controller, `created` the policy's `effective` date and `modified` its `reviewed` date (else
  `effective`), `version` the leading whole number of the policy's `version`, `language` the primary
  subtag of its `language`, `status` `active`, `url` the notice's URL, `_hash` the SHA-256 of the
  document written with `_hash` empty;
- `controller` and `dataProtectionOfficer`: from `controller`, its `representative` and `dpo`;
- `dataDisclosed`: one entry per `data` a controller purpose uses, with those purposes, their lawful
  bases (`GDPR-6-1-a`), legitimate interests, recipients, retention (`storage`) and whether providing
  the data is required (`nonDisclosure`);
- `thirdCountryTransfers`: the model's transfers, with the adequacy decision or safeguards;
- `sources`: the named sources of data (Art 14);
- the rights: whether each is offered, with the channels of `rights`;
- `automatedDecisionMaking`: the decisions of controller purposes.

TILT requires some items the policy may not give: the notice's URL, language and effective date, the
controller's address and country, a representative with a name and an e-mail address, a data
protection officer with a name, address, country and e-mail address, and whether each named source
is public. A missing one is a build error naming every item missing, never an invented value. Text
TILT requires where the policy is silent (a purpose's description, the consequences of not giving
data) is written empty and told as a note.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from policyc.backends import BackendError, BuildContext
from policyc.backends.dpv import retention_words
from policyc.model import BasisUse, Contact, Data, Model, Purpose

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "tilt" / "tilt-schema.json"

# The law prefix of a TILT legal-basis reference (`GDPR-6-1-a`), by the law a basis belongs to.
LAW_PREFIXES = {"gdpr": "GDPR", "uk_gdpr": "UKGDPR"}

# Rights offered -> the TILT right that says so.
RIGHTS = {
    "rightToInformation": ("access",),
    "rightToRectificationOrDeletion": ("rectification", "erasure"),
    "rightToDataPortability": ("portability",),
    "rightToWithdrawConsent": ("withdraw_consent",),
    "rightToComplain": ("complain",),
}

def reference(use: BasisUse) -> str:
    """`6(1)(a)` of the GDPR -> `GDPR-6-1-a`, the form TILT's pattern allows."""
    law = next((LAW_PREFIXES[k] for k in use.basis.laws if k in LAW_PREFIXES), "GDPR")
    parts = [p for p in re.split(r"[()\s]+", use.basis.article) if p]
    return "-".join([law, *parts])


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return loaded


def validate(document: dict[str, Any]) -> list[str]:
    """Where the document breaks the TILT schema (empty when it is valid)."""
    try:
        from jsonschema import Draft7Validator, FormatChecker
    except ImportError as err:
        raise BackendError("checking the TILT document needs jsonschema: pip install 'policyc[tilt]'") from err
    validator = Draft7Validator(schema(), format_checker=FormatChecker())
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}"
                  for e in validator.iter_errors(document))


class _Missing:
    """The items TILT requires that the policy does not give."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def need(self, value: str, item: str) -> str:
        if not value:
            self.items.append(item)
        return value


def _name(contact: Contact) -> str:
    return contact.legal_name or contact.title or contact.key


def _contact(contact: Contact | None, what: str, fields: tuple[str, ...], missing: _Missing) -> dict[str, Any]:
    if contact is None:
        missing.items.append(f"{what} (the controller's `{what.split('.')[0]}`)")
        return {}
    values = {"name": _name(contact), "address": " ".join(contact.address.split()), "country": contact.country,
              "email": contact.email, "phone": contact.phone}
    out = {k: missing.need(values[k], f"{what}.{k} (`{k}` of contact `{contact.key}`)") for k in fields}
    if contact.phone:
        out["phone"] = contact.phone
    return out


def _storage(purpose: Purpose) -> list[dict[str, Any]]:
    retention = purpose.retention
    if retention is None:
        return []
    words = " ".join(retention_words(retention).split())
    entry: dict[str, Any] = {}
    if retention.period is not None and not retention.criteria:
        entry["temporal"] = [{"description": words, "ttl": retention.period.iso}]
    else:
        entry["purposeConditional"] = [words]
    entry["aggregationFunction"] = "max"
    return [entry]


def _disclosed(model: Model, data: Data, purposes: list[Purpose], context: BuildContext) -> dict[str, Any]:
    for purpose in purposes:
        if not purpose.description:
            context.note(f"tilt: purpose `{purpose.key}` has no `description`; its TILT description is empty")
    if not data.if_not_provided:
        context.note(f"tilt: data `{data.key}` has no `if_not_provided`; nonDisclosure.consequences is empty")
    recipients: dict[str, dict[str, Any]] = {}
    for purpose in purposes:
        for recipient in purpose.recipients:
            entry: dict[str, Any] = {}
            if recipient.legal_name:
                entry["name"] = recipient.legal_name
            if len(recipient.countries) == 1 and len(recipient.countries[0]) == 2:
                entry["country"] = recipient.countries[0]
            entry["category"] = recipient.title or recipient.key
            recipients.setdefault(recipient.key, entry)
    return {
        "_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"policyc:data:{data.key}")),
        "category": data.title or data.key,
        "purposes": [{"purpose": p.title or p.key, "description": " ".join(p.description.split())}
                     for p in purposes],
        "legalBases": _distinct({"reference": reference(b), **({"description": b.note} if b.note else {})}
                                for p in purposes for b in (*p.bases, *p.conditions)),
        "legitimateInterests": _distinct({"exists": True, "reasoning": b.note} for p in purposes for b in p.bases
                                         if b.basis.article == "6(1)(f)"),
        "recipients": list(recipients.values()),
        "storage": _distinct(s for p in purposes for s in _storage(p)),
        "nonDisclosure": {
            "legalRequirement": data.required_for == "statutory",
            "contractualRegulation": data.required_for == "contract",
            "obligationToProvide": data.required_for in ("statutory", "contract"),
            "consequences": " ".join(data.if_not_provided.split()),
        },
    }


def _distinct(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in entries:
        if entry not in out:
            out.append(entry)
    return out


def _right(model: Model, name: str, channels: tuple[str, ...]) -> dict[str, Any]:
    offered = [model.offered(k) for k in RIGHTS[name]]
    available = any(r is not None and not r.excluded for r in offered)
    out: dict[str, Any] = {"available": available}
    described = next((r.description if available else r.excluded for r in offered if r is not None), "")
    if described:
        out["description"] = " ".join(described.split())
    urls = [c for c in channels if c.startswith(("http://", "https://"))]
    emails = [c for c in channels if "@" in c and " " not in c]
    if urls:
        out["url"] = urls[0]
    if emails:
        out["email"] = emails[0]
    return out


def to_document(model: Model, context: BuildContext) -> dict[str, Any]:
    """The TILT document of the model; BackendError names every required item the policy lacks."""
    missing = _Missing()
    policy = model.policy
    controller = model.controller
    if policy is None or controller is None:
        raise BackendError("TILT describes one controller's notice: the policy needs `policy` and `controller`")
    url = missing.need(policy.url, "meta.url (the policy's `url`)")
    language = missing.need(policy.language.split("-")[0].lower(), "meta.language (the policy's `language`)")
    created = policy.effective.isoformat() if policy.effective else ""
    missing.need(created, "meta.created (the policy's `effective` date)")
    version = re.match(r"\d+", policy.version)
    missing.need(version.group() if version else "", "meta.version (the policy's `version`, a whole number first)")
    channels = model.rights_info.contact if model.rights_info else ()
    document: dict[str, Any] = {
        "meta": {
            "_id": str(uuid.uuid5(uuid.NAMESPACE_URL, url or context.stem)),
            "name": _name(controller),
            "created": created,
            "modified": policy.reviewed.isoformat() if policy.reviewed else created,
            "version": int(version.group()) if version else 0,
            "language": language,
            "status": "active",
            "url": url,
            "_hash": "",
        },
        "controller": {
            "name": _name(controller),
            "address": missing.need(" ".join(controller.address.split()), "controller.address (the controller's "
                                    "`address`)"),
            "country": missing.need(controller.country, "controller.country (the controller's `country`)"),
            "representative": _contact(controller.representative, "representative", ("name", "email"), missing),
        },
        "dataProtectionOfficer": _contact(controller.dpo, "dpo", ("name", "address", "country", "email"), missing),
        "dataDisclosed": [],
        "thirdCountryTransfers": [],
        "accessAndDataPortability": _right(model, "rightToInformation", channels)
        | {"available": model.offered("access") is not None or model.offered("portability") is not None},
        "sources": [],
    }
    purposes = model.controller_purposes
    for data in model.data:
        using = [p for p in purposes if data in p.uses]
        if using:
            document["dataDisclosed"].append(_disclosed(model, data, using, context))
    for transfer in model.transfers:
        entry: dict[str, Any] = {"country": transfer.country} if len(transfer.country) == 2 else {}
        if transfer.adequacy is not None:
            entry["adequacyDecision"] = {"available": True,
                                         "description": transfer.adequacy.title or transfer.adequacy.key}
        if transfer.safeguards:
            entry["appropriateGuarantees"] = {
                "available": True, "description": "; ".join(s.title or s.key for s in transfer.safeguards)}
        clauses = [s.title or s.key for s in transfer.safeguards if s.article in ("46(2)(c)", "46(2)(d)")]
        if clauses:
            entry["standardDataProtectionClause"] = {"available": True, "description": "; ".join(clauses)}
        if entry not in document["thirdCountryTransfers"]:
            document["thirdCountryTransfers"].append(entry)
    for data in model.data:
        if not data.named_sources:
            continue
        sources = []
        for source in data.named_sources:
            if source.public is None:
                missing.items.append(f"sources.publiclyAvailable (`public` of source `{source.key}`)")
            sources.append({"description": " ".join((source.description or source.legal_name
                                                     or source.title or source.key).split()),
                            "url": source.url, "publiclyAvailable": bool(source.public)})
        document["sources"].append({"_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"policyc:source:{data.key}")),
                                    "dataCategory": data.title or data.key, "sources": sources})
    for name in RIGHTS:
        document[name] = _right(model, name, channels)
    authority = next(iter(controller.authorities), None)
    if authority is not None:
        supervisory: dict[str, Any] = {"name": authority.legal_name or authority.title or authority.key}
        for key in ("address", "country", "email", "phone"):
            if getattr(authority, key):
                supervisory[key] = getattr(authority, key)
        document["rightToComplain"]["supervisoryAuthority"] = supervisory
    decisions = model.decisions  # every decision declared, whether or not a purpose names it
    automated: dict[str, Any] = {"inUse": bool(decisions)}
    if decisions:
        automated["logicInvolved"] = " ".join(" ".join(d.logic.split()) for d in decisions if d.logic)
        automated["scopeAndIntendedEffects"] = " ".join(
            " ".join((d.significance + " " + d.consequences).split()) for d in decisions).strip()
    document["automatedDecisionMaking"] = automated
    document["changesOfPurpose"] = []
    if missing.items:
        raise BackendError("TILT requires what the policy does not give: " + "; ".join(missing.items))
    document["meta"]["_hash"] = hashlib.sha256(_dump(document).encode("utf-8")).hexdigest()
    return document


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render(model: Model, context: BuildContext) -> str:
    document = to_document(model, context)
    problems = validate(document)
    if problems:
        raise BackendError("the TILT document breaks its schema (a bug in policyc): " + "; ".join(problems[:5]))
    return _dump(document)
