"""fides backend: the policy as a fideslang 3.1 manifest (YAML) of one organization and one system.

The manifest loads as `fideslang.models.Taxonomy`:

- `organization`: the controller (its `fides_key` is the controller's name), with its contact
  details, data protection officer and representative as fideslang `ContactDetails`;
- `system`: the processing the notice describes, with one privacy declaration per controller
  purpose (processor purposes only add `Processor` to `responsibility`), and the system-level facts
  fideslang records: legal name and address, DPO, privacy policy URL, international transfers and
  their legal bases, cookies, profiling, security practices.

Each declaration carries `data_categories` (the fides keys of the categories of the data the purpose
uses), one `data_use`, `data_subjects`, `legal_basis_for_processing`, `special_category_legal_basis`,
`retention_period` (the retention rule in words: fideslang defines it as free text), and whether and
with whom the data is shared.

Taxonomy mapping. fideslang's default taxonomy is coarser than ours, so a category or purpose kind
without its own `fides` key takes the key of its nearest ancestor that has one (`health.physical` ->
`health` -> `user.health_and_medical`). A category with none falls back to `user`. A purpose whose
kinds give no key takes a default from its lawful basis (contract -> `essential.service`, legal
obligation -> `essential.legal_obligation`, vital interests or public task -> `essential`), else
`operations`. Every key written is a key of fideslang's default taxonomy.

The output is deterministic: keys in a fixed order, lists in declaration order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from policyc.backends import BuildContext
from policyc.backends.dpv import retention_words
from policyc.model import Category, Contact, Cookie, Model, Purpose, PurposeKind, Transfer
from policyc.patterns import regex

DEFAULT_CATEGORY = "user"
DEFAULT_USE = "operations"

# Art 6(1) article -> (fideslang LegalBasisForProcessingEnum value, default data use).
LEGAL_BASES: dict[str, tuple[str, str]] = {
    "6(1)(a)": ("Consent", ""),
    "6(1)(b)": ("Contract", "essential.service"),
    "6(1)(c)": ("Legal obligations", "essential.legal_obligation"),
    "6(1)(d)": ("Vital interests", "essential"),
    "6(1)(e)": ("Public interest", "essential"),
    "6(1)(f)": ("Legitimate interests", ""),
}

# Art 9(2) article -> fideslang SpecialCategoryLegalBasisEnum value. Art 10 conditions have none.
SPECIAL_BASES = {
    "9(2)(a)": "Explicit consent",
    "9(2)(b)": "Employment, social security and social protection",
    "9(2)(c)": "Vital interests",
    "9(2)(d)": "Not-for-profit bodies",
    "9(2)(e)": "Made public by the data subject",
    "9(2)(f)": "Legal claims or judicial acts",
    "9(2)(g)": "Reasons of substantial public interest (with a basis in law)",
    "9(2)(h)": "Health or social care (with a basis in law)",
    "9(2)(i)": "Public health (with a basis in law)",
    "9(2)(j)": "Archiving, research and statistics (with a basis in law)",
}

# Transfer mechanism article -> fideslang LegalBasisForTransfersEnum value (else `Other`).
TRANSFER_BASES = {"45": "Adequacy Decision", "46(2)(c)": "SCCs", "46(2)(d)": "SCCs", "47": "BCRs"}

# The policy's `audience` -> fideslang default data subjects.
AUDIENCE_SUBJECTS = {
    "website_visitors": "visitor", "customers": "customer", "prospects": "prospect", "users": "customer",
    "subscribers": "customer", "employees": "employee", "job_applicants": "job_applicant",
    "suppliers": "supplier_vendor", "patients": "patient",
}

# Free-text `subjects` that name a fideslang default data subject exactly (singular or plural).
_SUBJECT_WORDS = {
    "customer": "customer", "client": "customer", "visitor": "visitor", "website visitor": "visitor",
    "prospect": "prospect", "employee": "employee", "job applicant": "job_applicant", "applicant": "job_applicant",
    "patient": "patient", "supplier": "supplier_vendor", "vendor": "supplier_vendor", "consultant": "consultant",
    "trainee": "trainee", "passenger": "passenger", "commuter": "commuter", "shareholder": "shareholder",
    "next of kin": "next_of_kin",
}

_SECONDS = {"D": 86_400, "W": 7 * 86_400, "M": 30 * 86_400, "Y": 365 * 86_400}
_NOT_KEY = regex(r"[^A-Za-z0-9_.<>-]+")
_BLANK_LINE = regex(r"\n\s*\n")


def nearest_fides(key: str, own: str, table: Mapping[str, Category | PurposeKind]) -> str:
    """The entry's fides key, else its nearest ancestor's in `table` (by dotted name), else ""."""
    if own:
        return own
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = table.get(".".join(parts[:end]))
        if parent is not None and parent.fides:
            return parent.fides
    return ""


def _taxonomy(model: Model, name: str, entries: Iterable[Category | PurposeKind]) -> dict[str, Any]:
    """The taxonomy entries known to the model: `Model.all_categories` / `all_purpose_kinds` when the
    model carries the whole taxonomy, plus the entries the policy itself uses."""
    known = getattr(model, name, None)
    table: dict[str, Any] = dict(known) if isinstance(known, Mapping) else {}
    for entry in entries:
        table.setdefault(entry.key, entry)
    return table


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _fides_key(text: str) -> str:
    return _NOT_KEY.sub("_", text).strip("_") or "policy"


def _prose(text: str) -> str | None:
    """Author prose on one line per paragraph (the source's line breaks and indentation dropped)."""
    paragraphs = [" ".join(p.split()) for p in _BLANK_LINE.split(text)]
    return "\n\n".join(p for p in paragraphs if p) or None


def _contact(contact: Contact | None) -> dict[str, str] | None:
    if contact is None:
        return None
    details = {"name": contact.legal_name or contact.title, "address": contact.address, "email": contact.email,
               "phone": contact.phone}
    return {k: v for k, v in details.items() if v}


def _subjects(model: Model, purpose: Purpose) -> list[str]:
    written = [*purpose.subjects, *(s for data in purpose.uses for s in data.subjects)]
    found = []
    for text in written:
        words = " ".join(text.lower().split())
        found.append(_SUBJECT_WORDS.get(words) or _SUBJECT_WORDS.get(words.removesuffix("s"), ""))
    if not any(found) and model.policy is not None:
        found = [AUDIENCE_SUBJECTS.get(a, "") for a in model.policy.audience]
    return _unique(found)


def _data_categories(purpose: Purpose, categories: Mapping[str, Category]) -> list[str]:
    keys = [nearest_fides(c.key, c.fides, categories) or DEFAULT_CATEGORY
            for data in purpose.uses for c in (*data.categories, *data.special)]
    return _unique(keys)


def _data_use(purpose: Purpose, kinds: Mapping[str, PurposeKind]) -> str:
    """A kind's own key first, then a kind's nearest ancestor's, then the basis default."""
    own = [k.fides for k in purpose.kinds if k.fides]
    inherited = [nearest_fides(k.key, "", kinds) for k in purpose.kinds]
    by_basis = [LEGAL_BASES.get(b.basis.article, ("", ""))[1] for b in purpose.bases]
    return next((key for key in (*own, *inherited, *by_basis) if key), DEFAULT_USE)


def _declaration(model: Model, purpose: Purpose, categories: Mapping[str, Category],
                 kinds: Mapping[str, PurposeKind]) -> dict[str, Any]:
    data_categories = _data_categories(purpose, categories)
    legal = next((LEGAL_BASES[b.basis.article][0] for b in purpose.bases if b.basis.article in LEGAL_BASES), None)
    special = next((SPECIAL_BASES[c.basis.article] for c in purpose.conditions if c.basis.article in SPECIAL_BASES),
                   None)
    shared = bool(purpose.recipients)
    declaration: dict[str, Any] = {
        "name": purpose.title or purpose.key,
        "data_categories": data_categories,
        "data_use": _data_use(purpose, kinds),
        "data_subjects": _subjects(model, purpose),
        "legal_basis_for_processing": legal,
        "retention_period": _prose(retention_words(purpose.retention)) if purpose.retention else None,
        "processes_special_category_data": any(d.is_special for d in purpose.uses),
        "special_category_legal_basis": special,
        "data_shared_with_third_parties": shared,
        "third_parties": _prose("; ".join(r.legal_name or r.title or r.key for r in purpose.recipients)),
        "shared_categories": list(data_categories) if shared else [],
    }
    return {k: v for k, v in declaration.items() if v is not None}


def _transfer_bases(transfers: list[Transfer]) -> list[str]:
    out = []
    for transfer in transfers:
        if transfer.adequacy is not None:
            out.append("Adequacy Decision")
        out.extend(TRANSFER_BASES.get(s.article, "Other") for s in transfer.safeguards)
    return _unique(out)


def _max_age(cookies: list[Cookie]) -> int | None:
    """The longest cookie lifetime in seconds (a month as 30 days, a year as 365), if any is stated."""
    ages = [c.expires.period.amount * _SECONDS[c.expires.period.unit]
            for c in cookies if c.expires is not None and c.expires.period is not None]
    return max(ages) if ages else None


def to_manifest(model: Model, context: BuildContext) -> dict[str, Any]:
    """The model as a fideslang manifest (a dict ready for YAML)."""
    controller = model.controller
    policy = model.policy
    organization_key = _fides_key(controller.key if controller else "organization")
    title = policy.title if policy else ""
    categories = _taxonomy(model, "all_categories",
                           (c for d in model.data for c in (*d.categories, *d.special)))
    kinds = _taxonomy(model, "all_purpose_kinds", (k for p in model.purposes for k in p.kinds))
    organization: dict[str, Any] = {
        "fides_key": organization_key,
        "name": (controller.legal_name or controller.title) if controller else title,
        "description": (controller.registration if controller else "") or None,
        "controller": _contact(controller),
        "data_protection_officer": _contact(controller.dpo if controller else None),
        "representative": _contact(controller.representative if controller else None),
    }
    responsibility = ["Controller"] if model.controller_purposes else []
    if any(p.as_processor for p in model.purposes):
        responsibility.append("Processor")
    dpo = controller.dpo if controller else None
    security = model.security
    decisions = [d for p in model.controller_purposes for d in p.decisions]
    web_cookies = [c for c in model.cookies if c.technology == "cookie"]
    system: dict[str, Any] = {
        "fides_key": _fides_key(f"{organization_key}_{context.stem}"),
        "organization_fides_key": organization_key,
        "name": title or context.stem,
        "description": _prose(policy.summary) if policy else None,
        "system_type": "Service",
        "privacy_declarations": [_declaration(model, p, categories, kinds) for p in model.controller_purposes],
        "legal_name": (controller.legal_name or controller.title) if controller else None,
        "legal_address": (controller.address if controller else "") or None,
        "responsibility": responsibility,
        "dpo": (dpo.channels[0] if dpo and dpo.channels else "") or None,
        "privacy_policy": (policy.url if policy else "") or None,
        "does_international_transfers": bool(model.transfers),
        "legal_basis_for_transfers": _transfer_bases(model.transfers),
        "uses_profiling": any(d.solely_automated and d.legal_effect for d in decisions),
        "uses_cookies": bool(web_cookies),
        "cookie_max_age_seconds": _max_age(web_cookies),
        "uses_non_cookie_access": any(c.technology != "cookie" for c in model.cookies),
        "data_security_practices": _prose(security.text or "; ".join(security.measures)) if security else None,
    }
    if model.transfers:
        system["meta"] = {"third_countries": _unique(t.country for t in model.transfers if t.named)}
    return {
        "organization": [{k: v for k, v in organization.items() if v is not None}],
        "system": [{k: v for k, v in system.items() if v is not None}],
    }


def render(model: Model, context: BuildContext) -> str:
    return dump_yaml(to_manifest(model, context))


# Characters that libyaml's emitter writes otherwise than PyYAML's own: it escapes those beyond the
# Basic Multilingual Plane (an emoji becomes "\U0001F389") and quotes the Unicode line breaks
# differently. A manifest holding none of them comes out the same from both.
_LIBYAML_DIFFERS = regex("[\U00010000-\U0010FFFF\x85\u2028\u2029]")


def dump_yaml(document: Any) -> str:
    """`yaml.safe_dump` of a manifest, block style, keys in their order, Unicode as is, lines of 100.

    PyYAML's emitter in C (libyaml, when PyYAML has it) writes it five times faster than the one in
    Python; it is used when the document's text holds none of the characters it writes differently, so
    that the file is the same either way (tests/backends/test_fides.py compares them)."""
    dumper = yaml.CSafeDumper if yaml.__with_libyaml__ and _libyaml_alike(document) else yaml.SafeDumper
    text: str = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
    return text


def _libyaml_alike(value: Any) -> bool:
    """No string in `value` (keys included) holds a character libyaml writes otherwise than PyYAML."""
    if isinstance(value, str):
        return _LIBYAML_DIFFERS.search(value) is None
    if isinstance(value, Mapping):
        return all(_libyaml_alike(k) and _libyaml_alike(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_libyaml_alike(v) for v in value)
    return True
