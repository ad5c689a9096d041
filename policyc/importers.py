"""`policyc import`: write a `.policy` from a TILT document or a fides manifest.

The importers write what the source says and nothing more. What a policy needs and the source does
not give (a retention period, a lawful basis, a taxonomy category) is a `# GAP: ...` comment where
the fact would go, for the author to fill in; `policyc check` then names what is still missing. The
text is laid out by policyc's formatter.

Taxonomy. A fides data category or data use is mapped back through the standard library's `fides`
keys: the first category (or purpose kind) whose key is the same, else the one whose key is the
nearest ancestor (`user.contact.email.personal` -> `user.contact.email` -> `user.contact`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from policyc.fmt import format_text, quote
from policyc.records import field, record
from policyc.values import Duration

# Lawful bases and conditions of the standard library, by article.
BASES = {"6(1)(a)": "consent", "6(1)(b)": "contract", "6(1)(c)": "legal_obligation", "6(1)(d)": "vital_interests",
         "6(1)(e)": "public_task", "6(1)(f)": "legitimate_interests"}
CONDITIONS = {"9(2)(a)": "explicit_consent", "9(2)(b)": "employment_social_security",
              "9(2)(c)": "vital_interests_incapable", "9(2)(d)": "not_for_profit_body", "9(2)(e)": "made_public",
              "9(2)(f)": "legal_claims", "9(2)(g)": "substantial_public_interest", "9(2)(h)": "health_social_care",
              "9(2)(i)": "public_health", "9(2)(j)": "archiving_research"}
LAWS = {"GDPR": "gdpr", "UKGDPR": "uk_gdpr"}


class SourceFormatError(Exception):
    """The source cannot be read as the format named: one line, exit 2."""


@record
class Decl:
    """A declaration being written by an importer: its kind, name, title and statement lines."""

    kind: str
    key: str
    title: str = ""
    lines: list[str] = field(default_factory=list)

    def add(self, name: str, *values: str) -> None:
        values = tuple(v for v in values if v)
        if values:
            self.lines.append(f"{name} {', '.join(values)}")

    def text(self, name: str, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            self.lines.append(f"{name} {quote(' '.join(value.split()))}")

    def gap(self, text: str) -> None:
        self.lines.append(f"# GAP: {' '.join(text.split())}")

    def render(self) -> str:
        unnamed = self.kind in ("policy", "rights", "security")  # written without a name
        head = (self.kind if unnamed else f"{self.kind} {self.key}") + (f" {quote(self.title)}" if self.title else "")
        return head + " {\n" + "".join(f"  {line}\n" for line in self.lines) + "}\n"


class Policy:
    """The declarations being written, with unique keys."""

    def __init__(self) -> None:
        self.decls: list[Decl] = []
        self.keys: set[str] = set()

    def new(self, kind: str, name: str, title: str = "") -> Decl:
        base = slug(name) or kind
        key, n = base, 2
        while key in self.keys:
            key, n = f"{base}_{n}", n + 1
        self.keys.add(key)
        decl = Decl(kind, key, title)
        self.decls.append(decl)
        return decl

    def render(self, header: str, uses: Iterable[str]) -> str:
        text = header + "".join(f"use {u}\n" for u in uses) + "\n" + "\n".join(d.render() for d in self.decls)
        result = format_text(text, "<import>")
        return result.text if result.text is not None else text


def slug(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if words and not words[0].isalpha():
        words = "n_" + words
    return words[:40].strip("_")


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- the standard library's taxonomy -------------------------------------------------------------


@cache
def taxonomy() -> tuple[dict[str, str], dict[str, str]]:
    """fides key -> the first stdlib category / purpose kind with that key."""
    from policyc.driver import check_text

    stub = 'policy "x" {\n  controller c\n  jurisdictions gdpr\n}\ncontroller c "C" {}\n'
    model = next(iter(check_text(stub, "<taxonomy>").models.values()))
    categories: dict[str, str] = {}
    for key, category in model.all_categories.items():
        if category.fides:
            categories.setdefault(category.fides, key)
    kinds: dict[str, str] = {}
    for key, kind in model.all_purpose_kinds.items():
        if kind.fides:
            kinds.setdefault(kind.fides, key)
    return categories, kinds


def nearest(fides_key: str, table: Mapping[str, str]) -> tuple[str, bool]:
    """The stdlib entry for a fides key, and whether it is an exact match ("" when none)."""
    parts = fides_key.split(".")
    for end in range(len(parts), 0, -1):
        found = table.get(".".join(parts[:end]))
        if found:
            return found, end == len(parts)
    return "", False


# --- TILT ----------------------------------------------------------------------------------------


def _retain(decl: Decl, storage: list[Any]) -> None:
    temporal = [t for s in storage if isinstance(s, dict) for t in s.get("temporal") or [] if isinstance(t, dict)]
    conditional = [_s(c) for s in storage if isinstance(s, dict) for c in s.get("purposeConditional") or []]
    legal = [_s(c) for s in storage if isinstance(s, dict) for c in s.get("legalBasisConditional") or []]
    simple = Duration.parse(_s(temporal[0].get("ttl"))) if len(temporal) == 1 else None
    if simple is not None and not conditional:
        decl.add("retain", simple.words)
    elif temporal or conditional:
        words = [f"{_s(t.get('description'))} ({_s(t.get('ttl'))})" for t in temporal] + conditional
        decl.text("retain criteria", "; ".join(w for w in words if w))
    else:
        decl.gap("the TILT document gives no storage period for this data")
    if legal:
        decl.gap(f"storage conditional on the legal bases {', '.join(legal)}")


def _bases(decl: Decl, entries: list[Any], interests: list[str]) -> None:
    """`basis` and `condition` from TILT's legal bases, each field on one line."""
    found: dict[str, list[str]] = {"basis": [], "condition": []}
    for entry in entries:
        _basis(decl, entry, interests, found)
    for name, values in found.items():
        decl.add(name, *dict.fromkeys(values))


def _basis(decl: Decl, entry: Any, interests: list[str], found: dict[str, list[str]]) -> None:
    ref = _s(entry.get("reference")) if isinstance(entry, dict) else ""
    note = _s(entry.get("description")) if isinstance(entry, dict) else ""
    match = re.fullmatch(r"([A-Z]+)-(\d+)-(\d+)-([a-z])", ref)
    article = f"{match.group(2)}({match.group(3)})({match.group(4)})" if match else ""
    if match and match.group(1) in LAWS and article in BASES:
        key = BASES[article]
        if key == "legitimate_interests" and interests and not note:
            note = interests[0]
        found["basis"].append(key + (f" {quote(' '.join(note.split()))}" if note else ""))
    elif match and match.group(1) in LAWS and article in CONDITIONS:
        found["condition"].append(CONDITIONS[article] + (f" {quote(' '.join(note.split()))}" if note else ""))
    else:
        decl.gap(f"legal basis {ref!r} is not an Art 6 basis or Art 9 condition policyc knows"
                 + (f": {note}" if note else ""))


def from_tilt(document: Any, name: str = "TILT document") -> str:
    """A policy from a TILT document (a dict parsed from its JSON)."""
    if not isinstance(document, dict) or not isinstance(document.get("meta"), dict):
        raise SourceFormatError(f"{name}: not a TILT document (no `meta` object)")
    meta, out = document["meta"], Policy()
    policy = out.new("policy", "policy", _s(meta.get("name")) or "Privacy policy")
    info = _d(document.get("controller"))
    controller = out.new("controller", _s(info.get("name")) or "controller", _s(info.get("name")))
    policy.add("controller", controller.key)
    laws = {LAWS[m.group(1)] for d in document.get("dataDisclosed") or [] if isinstance(d, dict)
            for b in d.get("legalBases") or [] if isinstance(b, dict)
            if (m := re.match(r"([A-Z]+)-", _s(b.get("reference")))) and m.group(1) in LAWS}
    policy.add("jurisdictions", *sorted(laws or {"gdpr"}))
    version = meta.get("version")
    if isinstance(version, int) and not isinstance(version, bool):
        policy.text("version", str(version))
    created, modified = _s(meta.get("created"))[:10], _s(meta.get("modified"))[:10]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", created):
        policy.add("effective", created)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", modified) and modified != created:
            policy.add("reviewed", modified)
    policy.text("language", _s(meta.get("language")))
    policy.text("url", _s(meta.get("url")))
    controller.text("legal_name", _s(info.get("name")))
    if _s(info.get("division")):
        controller.gap(f"TILT names the division {_s(info.get('division'))!r}; policyc has no field for it")
    controller.text("address", _s(info.get("address")))
    if re.fullmatch(r"[A-Z]{2}", _s(info.get("country"))):
        controller.add("country", _s(info.get("country")))
    for field_name, source, title in (("representative", info.get("representative"), "Representative"),
                                      ("dpo", document.get("dataProtectionOfficer"), "Data protection officer")):
        if not isinstance(source, dict):
            continue
        contact = out.new("contact", field_name, title)
        controller.add(field_name, contact.key)
        contact.text("legal_name", _s(source.get("name")))
        contact.text("email", _s(source.get("email")))
        contact.text("phone", _s(source.get("phone")))
        contact.text("address", _s(source.get("address")))
        if re.fullmatch(r"[A-Z]{2}", _s(source.get("country"))):
            contact.add("country", _s(source.get("country")))
    complain = _d(document.get("rightToComplain"))
    authority_info = complain.get("supervisoryAuthority")
    if isinstance(authority_info, dict) and _s(authority_info.get("name")):
        authority = out.new("authority", _s(authority_info.get("name")), _s(authority_info.get("name")))
        controller.add("authority", authority.key)
        for key in ("address", "email", "phone"):
            authority.text(key, _s(authority_info.get(key)))
        if re.fullmatch(r"[A-Z]{2}", _s(authority_info.get("country"))):
            authority.add("country", _s(authority_info.get("country")))
    transfers = {_s(t.get("country")): t for t in document.get("thirdCountryTransfers") or [] if isinstance(t, dict)}
    recipients: dict[tuple[str, str, str], Decl] = {}
    data_by_title: dict[str, Decl] = {}
    for entry in document.get("dataDisclosed") or []:
        if not isinstance(entry, dict):
            continue
        title = _s(entry.get("category")) or "Personal data"
        data = out.new("data", title, title)
        data_by_title[title] = data
        data.gap("TILT gives no taxonomy category; add `category`")
        non = _d(entry.get("nonDisclosure"))
        if non.get("legalRequirement") is True:
            data.add("required_for", "statutory")
        elif non.get("contractualRegulation") is True:
            data.add("required_for", "contract")
        elif non.get("obligationToProvide") is False:
            data.add("required_for", "optional")
        data.text("if_not_provided", _s(non.get("consequences")))
        shares: list[str] = []
        for r in entry.get("recipients") or []:
            if not isinstance(r, dict):
                continue
            ident = (_s(r.get("name")), _s(r.get("category")), _s(r.get("country")))
            if ident not in recipients:
                recipient = out.new("recipient", ident[0] or ident[1] or "recipient", ident[1] or ident[0])
                recipient.text("legal_name", ident[0])
                if re.fullmatch(r"[A-Z]{2}", ident[2]):
                    recipient.add("country", ident[2])
                    transfer = transfers.get(ident[2], {})
                    mechanisms = [("adequacyDecision", "adequacy"), ("standardDataProtectionClause", "eu_scc")]
                    recipient.add("safeguard", *(key for part, key in mechanisms
                                                 if isinstance(transfer.get(part), dict)
                                                 and transfer[part].get("available") is True))
                if _s(r.get("address")) or isinstance(r.get("representative"), dict):
                    recipient.gap("TILT gives the recipient's address or representative; policyc has no field")
                recipients[ident] = recipient
            shares.append(recipients[ident].key)
        interests = [_s(i.get("reasoning")) for i in entry.get("legitimateInterests") or []
                     if isinstance(i, dict) and i.get("exists") is True]
        for p in entry.get("purposes") or []:
            if not isinstance(p, dict):
                continue
            purpose = out.new("purpose", _s(p.get("purpose")) or "purpose", _s(p.get("purpose")))
            purpose.text("description", _s(p.get("description")))
            purpose.add("uses", data.key)
            _bases(purpose, list(entry.get("legalBases") or []), interests)
            if not entry.get("legalBases"):
                purpose.gap("TILT gives no legal basis for this data")
            purpose.add("shares_with", *dict.fromkeys(shares))
            _retain(purpose, entry.get("storage") or [])
    for entry in document.get("sources") or []:
        if not isinstance(entry, dict):
            continue
        title = _s(entry.get("dataCategory")) or "Personal data"
        data = data_by_title.get(title) or out.new("data", title, title)
        if title not in data_by_title:
            data.gap("TILT gives no taxonomy category; add `category`")
            data_by_title[title] = data
        keys = []
        for src in entry.get("sources") or []:
            if not isinstance(src, dict):
                continue
            source = out.new("source", f"{title} source", "")
            source.text("description", _s(src.get("description")))
            source.text("url", _s(src.get("url")))
            if isinstance(src.get("publiclyAvailable"), bool):
                source.add("public", "yes" if src["publiclyAvailable"] else "no")
            keys.append(source.key)
        data.add("source", *keys)
    automated = document.get("automatedDecisionMaking")
    if isinstance(automated, dict) and automated.get("inUse") is True:
        decision = out.new("decision", "automated_decision", "Automated decision-making")
        decision.text("logic", _s(automated.get("logicInvolved")))
        decision.text("significance", _s(automated.get("scopeAndIntendedEffects")))
        decision.gap("TILT does not say which purpose makes the decision; name it in that purpose's "
                     "`automated_decisions`")
    _tilt_rights(out, document)
    if document.get("changesOfPurpose"):
        policy.gap("TILT lists planned changes of purpose; policyc keeps only the current version")
    return out.render(f"# Imported from {name} by `policyc import tilt`; `# GAP:` marks what it does not say.\n",
                      sorted(laws or {"gdpr"}))


_TILT_RIGHTS = {"accessAndDataPortability": (), "rightToInformation": ("access",),
                "rightToRectificationOrDeletion": ("rectification", "erasure"),
                "rightToDataPortability": ("portability",), "rightToWithdrawConsent": ("withdraw_consent",),
                "rightToComplain": ("complain",)}


def _tilt_rights(out: Policy, document: dict[str, Any]) -> None:
    channels: list[str] = []
    excluded: list[str] = []
    for name, rights in _TILT_RIGHTS.items():
        entry = document.get(name)
        if not isinstance(entry, dict):
            continue
        channels += [_s(entry.get("email")), _s(entry.get("url"))]
        if entry.get("available") is False and _s(entry.get("description")):
            excluded += [f"{r} {quote(' '.join(_s(entry.get('description')).split()))}" for r in rights]
    channels = list(dict.fromkeys(c for c in channels if c))
    if channels or excluded:
        rights_decl = out.new("rights", "rights")
        rights_decl.add("contact", *(quote(c) for c in channels))
        for line in excluded:
            rights_decl.lines.append(f"exclude {line}")


# --- fides ---------------------------------------------------------------------------------------

_FIDES_BASES = {"Consent": "consent", "Contract": "contract", "Legal obligations": "legal_obligation",
                "Vital interests": "vital_interests", "Public interest": "public_task",
                "Legitimate interests": "legitimate_interests"}


def _special_conditions() -> dict[str, str]:
    from policyc.backends.fides import SPECIAL_BASES

    return {label: CONDITIONS[article] for article, label in SPECIAL_BASES.items()}


def _contact(out: Policy, field_name: str, title: str, details: Any, owner: Decl) -> None:
    if not isinstance(details, dict) or not any(_s(details.get(k)) for k in ("name", "email", "phone", "address")):
        return
    contact = out.new("contact", field_name, title)
    owner.add(field_name, contact.key)
    contact.text("legal_name", _s(details.get("name")))
    for key in ("email", "phone", "address"):
        contact.text(key, _s(details.get(key)))


def from_fides(manifest: Any, name: str = "fides manifest") -> str:
    """A policy from a fideslang manifest (a dict with `organization` and `system` lists)."""
    if not isinstance(manifest, dict) or not (manifest.get("system") or manifest.get("organization")):
        raise SourceFormatError(f"{name}: not a fides manifest (no `organization` or `system`)")
    categories, kinds = taxonomy()
    specials = _special_conditions()
    organizations = [o for o in manifest.get("organization") or [] if isinstance(o, dict)]
    systems = [s for s in manifest.get("system") or [] if isinstance(s, dict)]
    organization: dict[str, Any] = organizations[0] if organizations else {}
    system: dict[str, Any] = systems[0] if systems else {}
    out = Policy()
    policy = out.new("policy", "policy", _s(system.get("name")) or "Privacy policy")
    details = _d(organization.get("controller"))
    legal_name = _s(organization.get("name")) or _s(details.get("name")) or _s(system.get("legal_name"))
    controller = out.new("controller", _s(organization.get("fides_key")) or legal_name or "controller", legal_name)
    policy.add("controller", controller.key)
    policy.add("jurisdictions", "gdpr")
    policy.gap("fides names no law; `gdpr` is written because fideslang's legal bases are the GDPR's")
    policy.text("url", _s(system.get("privacy_policy")))
    policy.text("summary", _s(system.get("description")))
    controller.text("legal_name", legal_name)
    controller.text("registration", _s(organization.get("description")))
    controller.text("address", _s(details.get("address")) or _s(system.get("legal_address")))
    controller.text("email", _s(details.get("email")))
    controller.text("phone", _s(details.get("phone")))
    controller.gap("fides gives no country of establishment; add `country`")
    _contact(out, "dpo", "Data protection officer", organization.get("data_protection_officer"), controller)
    _contact(out, "representative", "Representative", organization.get("representative"), controller)
    if len(systems) > 1:
        policy.gap(f"the manifest has {len(systems)} systems; only {_s(system.get('fides_key'))!r} is imported")
    if system.get("does_international_transfers") is True:
        policy.gap("the system makes international transfers ("
                   + (", ".join(_s(b) for b in system.get("legal_basis_for_transfers") or []) or "no basis given")
                   + "); fides does not say to whom, so add `country` and `safeguard` to the recipients")
    recipients: dict[str, str] = {}
    for declaration in system.get("privacy_declarations") or []:
        if not isinstance(declaration, dict):
            continue
        title = _s(declaration.get("name")) or _s(declaration.get("data_use")) or "Processing"
        data = out.new("data", f"{title} data", f"Data for {title[:1].lower() + title[1:]}")
        mapped = []
        for key in declaration.get("data_categories") or []:
            found, exact = nearest(_s(key), categories)
            if found:
                mapped.append(found)
                if not exact:
                    data.lines.append(f"# fides category {_s(key)!r} is recorded as its nearest ancestor `{found}`")
            else:
                data.gap(f"fides category {_s(key)!r} has no counterpart in the standard library")
        data.add("category", *dict.fromkeys(mapped))
        purpose = out.new("purpose", title, title)
        purpose.add("uses", data.key)
        use = _s(declaration.get("data_use"))
        kind, exact = nearest(use, kinds)
        if kind:
            purpose.add("kind", kind)
            if not exact:
                purpose.lines.append(f"# fides data use {use!r} is recorded as its nearest ancestor `{kind}`")
        else:
            purpose.gap(f"fides data use {use!r} has no counterpart in the standard library")
        basis = _FIDES_BASES.get(_s(declaration.get("legal_basis_for_processing")))
        if basis:
            purpose.add("basis", basis)
        else:
            purpose.gap("the manifest gives no lawful basis")
        condition = specials.get(_s(declaration.get("special_category_legal_basis")))
        if condition:
            purpose.add("condition", condition)
        purpose.add("subjects", *(quote(_s(s)) for s in declaration.get("data_subjects") or [] if _s(s)))
        names = [n.strip() for n in _s(declaration.get("third_parties")).split(";") if n.strip()]
        for who in names:
            if who not in recipients:
                recipient = out.new("recipient", who, who)
                recipient.gap("fides gives no role or country for this recipient")
                recipients[who] = recipient.key
        purpose.add("shares_with", *(recipients[n] for n in names))
        if declaration.get("data_shared_with_third_parties") is True and not names:
            purpose.gap("the manifest says data is shared with third parties but not with whom")
        retention = _s(declaration.get("retention_period"))
        if retention:
            purpose.text("retain criteria", retention)
        else:
            purpose.gap("the manifest gives no retention period")
    if "Processor" in (system.get("responsibility") or []):
        policy.gap("the system also acts as a processor; mark those purposes `role processor`")
    practices = _s(system.get("data_security_practices"))
    if practices:
        security = out.new("security", "security")
        security.text("text", practices)
    return out.render(f"# Imported from {name} by `policyc import fides`; `# GAP:` marks what it does not say.\n",
                      ["gdpr"])
