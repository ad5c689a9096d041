"""DPV backend: the policy as W3C Data Privacy Vocabulary (DPV 2.3) JSON-LD.

The document carries its own `@context` inline (DPV publishes none), so it expands without fetching
anything. It holds one `@graph`:

- the notice (`dpv:PrivacyNotice`; its `@id` is the policy's `url` when given);
- each controller (`dpv:DataController`), with its name, contact channels, country, DPO and
  representative;
- each recipient (`dpv:Recipient`, plus `dpv:DataProcessor`, `dpv:DataController` or
  `dpv:GovernmentalOrganisation` by role), with its name and countries;
- each law of the notice's jurisdictions (`dpv:Law`);
- one `dpv:Process` per purpose: its purposes (the purpose kinds' DPV IRIs and a `dpv:Purpose` node
  with the author's own words), lawful bases and conditions, personal data categories, data
  subjects, controller (or, for a `role processor` purpose, the controller it acts for and us as
  `dpv:hasDataProcessor`), recipients, storage condition, third countries, one `dpv:Transfer`
  sub-process per international transfer with its mechanism, and the rights it gives.

Only terms that exist in DPV 2.3 are emitted in the `dpv:`, `pd:`, `eu-gdpr:` and `loc:` namespaces: the
standard library's CURIEs (checked against DPV by its tests), the DPV classes and properties named
below, and `loc:` codes from a fixed list of the DPV 2.3 locations. Where an entity has no DPV term
(a UK-only safeguard, a CCPA right, an Art 10 condition) it is written as a node typed with the
nearest DPV class and titled with its own name. The policy's own entities are blank nodes with
stable labels (`_:recipient.payments`): identifiers scoped to the document, so that merging two
notices never conflates them. The output is deterministic: keys sorted, lists in declaration order.
"""

from __future__ import annotations

from typing import Any

from policyc import jsontext
from policyc.backends import BuildContext, expand_iri
from policyc.model import (
    BasisUse,
    Contact,
    Controller,
    Model,
    Purpose,
    Recipient,
    RetentionRule,
    Transfer,
)
from policyc.values import Duration

Node = dict[str, Any]

# Terms of the context whose values are IRIs (written as CURIEs or blank-node labels).
_LINKS = (
    "hasApplicableLaw", "hasCountry", "hasDataController", "hasDataProcessor", "hasDataProtectionOfficer",
    "hasDataSubject", "hasLegalBasis", "hasNotice", "hasPersonalData", "hasProcess", "hasProcessing", "hasPurpose",
    "hasRecipient", "hasRepresentative", "hasRight", "hasStorageCondition", "hasThirdCountry",
)
_LITERALS = ("hasAddress", "hasContact", "hasName")

CONTEXT: dict[str, Any] = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "loc": "https://w3id.org/dpv/loc#",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "title": "dct:title",
    "description": "dct:description",
    "language": "dct:language",
    "version": "owl:versionInfo",
    "valid": {"@id": "dct:valid", "@type": "xsd:date"},
    "modified": {"@id": "dct:modified", "@type": "xsd:date"},
    "duration": {"@id": "rdf:value", "@type": "xsd:duration"},
    **{term: {"@id": f"dpv:{term}", "@type": "@id"} for term in _LINKS},
    **{term: f"dpv:{term}" for term in _LITERALS},
}

# Every location of DPV 2.3 (`loc.csv`) the compiler may name: the ISO 3166-1 alpha-2 countries, and
# the EU and the EEA. A test checks this list against DPV.
LOC_TERMS = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW EU EEA
""".split())

# The DPV class of a recipient, by its `role`.
_ROLE_TYPES = {
    "processor": "dpv:DataProcessor",
    "controller": "dpv:DataController",
    "joint_controller": "dpv:DataController",
    "public_authority": "dpv:GovernmentalOrganisation",
}


def _curie(iri: str) -> str:
    """A DPV IRI back as a CURIE (`https://w3id.org/dpv#Marketing` -> `dpv:Marketing`), for a shorter file."""
    for prefix in ("eu-gdpr", "pd", "loc", "dpv"):
        base = CONTEXT[prefix]
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _dpv(curie: str) -> str:
    """A stdlib `dpv` value as a CURIE of this document's context ("" when there is none)."""
    return _curie(expand_iri(curie)) if curie else ""


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def _compact(node: Node) -> Node:
    """Drop empty values, so that an absent fact is absent rather than empty."""
    return {k: v for k, v in node.items() if v not in ("", [], None)}


def _label(kind: str, key: str) -> str:
    return f"_:{kind}.{key}"


def _locations(model: Model, code: str) -> list[str]:
    """`loc:` CURIEs for a country or region code; a region DPV lacks stands for its members."""
    if code in LOC_TERMS:
        return [f"loc:{code}"]
    members = sorted(model.regions.get(code, frozenset()))
    return [f"loc:{m}" for m in members if m in LOC_TERMS]


def _countries(model: Model, codes: tuple[str, ...] | list[str]) -> list[str]:
    return _unique([iri for code in codes for iri in _locations(model, code)])


def _channels(contact: Contact) -> list[str]:
    return [c for c in (contact.email, contact.phone, contact.url) if c]


def _person(contact: Contact | None, kind: str) -> Node | None:
    if contact is None:
        return None
    return _compact({"@type": kind, "hasName": contact.legal_name or contact.title, "title": contact.role,
                     "hasContact": _channels(contact), "hasAddress": contact.address})


def _controller(model: Model, controller: Controller) -> Node:
    return _compact({
        "@id": _label("controller", controller.key),
        "@type": "dpv:DataController",
        "hasName": controller.legal_name or controller.title,
        "hasAddress": controller.address,
        "hasContact": _channels(controller),
        "hasCountry": _countries(model, [controller.country] if controller.country else []),
        "hasDataProtectionOfficer": _person(controller.dpo, "dpv:DataProtectionOfficer"),
        "hasRepresentative": _person(controller.representative, "dpv:Representative"),
    })


def _recipient(model: Model, recipient: Recipient) -> Node:
    types = sorted({"dpv:Recipient", *(_ROLE_TYPES.get(role, "dpv:Recipient") for role in recipient.roles)})
    return _compact({
        "@id": _label("recipient", recipient.key),
        "@type": types if len(types) > 1 else types[0],
        "hasName": recipient.legal_name or recipient.title,
        "title": recipient.title,
        "description": recipient.description,
        "hasCountry": _countries(model, recipient.countries),
    })


def _basis(use: BasisUse) -> str | Node:
    """A lawful basis or condition: its IRI, or a node carrying the author's note (the interest)."""
    iri = _dpv(use.basis.dpv)
    if iri and not use.note:
        return iri
    return _compact({"@type": iri or "dpv:LegalBasis", "title": "" if iri else use.basis.title,
                     "description": use.note})


def _personal_data(purpose: Purpose) -> list[str | Node]:
    out: list[str | Node] = []
    for data in purpose.uses:
        categories = (*data.categories, *data.special)
        for category in categories:
            iri = _dpv(category.dpv)
            out.append(iri or {"@type": "dpv:PersonalData", "title": category.title})
        if not categories:
            out.append({"@type": "dpv:PersonalData", "title": data.title or data.key})
    return _unique(out)


def _subjects(purpose: Purpose) -> list[Node]:
    names = _unique([*purpose.subjects, *(s for d in purpose.uses for s in d.subjects)])
    return [{"@type": "dpv:DataSubject", "title": name} for name in names]


def period_words(period: Duration | str) -> str:
    """`P6Y` -> `6 years`, `P1M` -> `1 month`."""
    value = Duration.parse(period) if isinstance(period, str) else period
    return value.words if value is not None else str(period)


def retention_words(retention: RetentionRule) -> str:
    """A retention rule in words: `6 years after contract end`, `until account closed + 30 days`."""
    event = retention.after or retention.until
    parts: list[str] = []
    if retention.session:
        parts.append("until the end of the session")
    if retention.until:
        parts.append(f"until {_event(retention.until)}"
                     + (f" + {period_words(retention.period)}" if retention.period else ""))
    elif retention.period:
        parts.append(period_words(retention.period) + (f" after {_event(event)}" if event else ""))
    if retention.unless:
        parts.append(f"unless {_event(retention.unless)}"
                     + (f" ({retention.unless_reason})" if retention.unless_reason else ""))
    words = ", ".join(parts)
    if retention.criteria:
        words = f"{words}; {retention.criteria}" if words else retention.criteria
    return words


def _event(key: str) -> str:
    return key.replace("_", " ").replace(".", " ")


def _storage(retention: RetentionRule | None) -> list[Node]:
    """The storage condition: DPV's duration classes, the ISO 8601 period, and the rule in words."""
    if retention is None:
        return []
    types = ["dpv:StorageDuration"]
    if retention.period and not retention.until:
        types.append("dpv:TemporalDuration")
    if retention.until or retention.session:
        types.append("dpv:UntilEventDuration")
    words = [w for w in (retention_words(retention), retention.reason) if w]
    period = retention.period.iso if retention.period is not None and not retention.until else ""
    return [_compact({"@type": types, "duration": period,
                      "description": "\n\n".join(words)})]


def _transfer(model: Model, transfer: Transfer) -> Node:
    bases: list[str | Node] = []
    if transfer.adequacy is not None:
        mechanism = next((s for s in model.all_safeguards.values() if s.adequacy and transfer.law in s.laws), None)
        iri = _dpv(mechanism.dpv) if mechanism else ""
        bases.append({"@type": iri or "dpv:LegalBasis", "title": transfer.adequacy.title})
    for safeguard in transfer.safeguards:
        iri = _dpv(safeguard.dpv)
        bases.append(iri or {"@type": "dpv:LegalBasis", "title": safeguard.title})
    return _compact({
        "@type": "dpv:Process",
        "hasProcessing": ["dpv:Transfer"],
        "hasRecipient": [_label("recipient", transfer.recipient.key)],
        "hasThirdCountry": _locations(model, transfer.country),
        "hasApplicableLaw": [_label("law", transfer.law)] if model.law(transfer.law) else [],
        "hasLegalBasis": _unique(bases),
    })


def _rights(model: Model, purpose: Purpose) -> list[str | Node]:
    """The rights a controller purpose gives: the universal ones, those its bases grant, and the rest."""
    if purpose.as_processor:
        return []
    mine = {"universal", "also", *(f"basis {b.basis.key}" for b in purpose.bases),
            *(f"condition {c.basis.key}" for c in purpose.conditions)}
    if purpose.is_direct_marketing:
        mine.add("direct marketing")
    if purpose.decisions:
        mine.add("automated decisions")
    out: list[str | Node] = []
    for offered in model.rights:
        if offered.excluded or not mine.intersection(offered.because):
            continue
        iri = _dpv(offered.right.dpv)
        out.append(iri or {"@type": "dpv:DataSubjectRight", "title": offered.right.title})
    return _unique(out)


def _process(model: Model, purpose: Purpose, notice: str) -> Node:
    own: Node = _compact({"@id": _label("purpose", purpose.key), "@type": "dpv:Purpose", "title": purpose.title,
                          "description": purpose.description})
    controllers = [_label("controller", c.key) for c in model.controllers]
    transfers = [_transfer(model, t) for r in purpose.recipients for t in model.transfers if t.recipient.key == r.key]
    third = _unique([c for t in transfers for c in t.get("hasThirdCountry", [])])
    if purpose.as_processor:
        customer = _compact({"@type": "dpv:DataController", "hasName": purpose.on_behalf_of})
        controller: dict[str, Any] = {"hasDataController": [customer] if len(customer) > 1 else [],
                                      "hasDataProcessor": controllers}
    else:
        controller = {"hasDataController": controllers}
    return _compact({
        "@id": _label("process", purpose.key),
        "@type": "dpv:Process",
        "title": purpose.title,
        "hasNotice": [notice],
        "hasPurpose": [*_unique([iri for k in purpose.kinds if (iri := _dpv(k.dpv))]), own],
        "hasLegalBasis": _unique([_basis(u) for u in (*purpose.bases, *purpose.conditions)]),
        "hasPersonalData": _personal_data(purpose),
        "hasDataSubject": _subjects(purpose),
        **controller,
        "hasRecipient": [_label("recipient", r.key) for r in purpose.recipients],
        "hasStorageCondition": _storage(purpose.retention),
        "hasThirdCountry": third,
        "hasProcess": transfers,
        "hasRight": _rights(model, purpose),
    })


def to_jsonld(model: Model) -> dict[str, Any]:
    """The model as one JSON-LD document (a dict ready for `json.dumps`)."""
    policy = model.policy
    notice_id = policy.url if policy is not None and policy.url else "_:notice"
    notice = _compact({
        "@id": notice_id,
        "@type": "dpv:PrivacyNotice",
        "title": policy.title if policy else "",
        "version": policy.version if policy else "",
        "language": policy.language if policy else "",
        "valid": policy.effective.isoformat() if policy and policy.effective else "",
        "modified": policy.reviewed.isoformat() if policy and policy.reviewed else "",
        "hasDataController": [_label("controller", c.key) for c in model.controllers],
        "hasApplicableLaw": [_label("law", law.key) for law in model.laws],
    })
    graph: list[Node] = [
        notice,
        *(_controller(model, c) for c in model.controllers),
        *(_compact({"@id": _label("law", law.key), "@type": "dpv:Law", "title": law.title}) for law in model.laws),
        *(_recipient(model, r) for r in model.recipients),
        *(_process(model, p, notice_id) for p in model.purposes),
    ]
    return {"@context": CONTEXT, "@graph": graph}


def render(model: Model, context: BuildContext) -> str:
    """The JSON-LD document, made once per build context (the HTML page embeds the same text)."""
    text: str = context.kept("jsonld", model, lambda: jsontext.dumps(to_jsonld(model), sort_keys=True) + "\n")
    return text
