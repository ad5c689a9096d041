"""The schema table: every kind, its fields, and each field's value type.

This table is the single source of truth for what a declaration may contain. The type checker
(`policyc.typecheck`) reads it to report unknown fields (T001), missing required fields (T002),
wrong value types (T003), references to the wrong kind (T004), repeated fields (T005) and invalid
literals (T006). The language server reads it for completion and hover.
"""

from __future__ import annotations

from enum import Enum

from policyc.records import field, record


class VT(Enum):
    """Value types an item of a field's value list can have."""

    STRING = "a string"
    TEXT = "text"  # a string or a triple-quoted text block (Markdown allowed)
    DATE = "a date (YYYY-MM-DD)"
    DURATION = "a duration such as `30 days` or `7 years`"
    EXPIRY = "a duration or `session`"
    INT = "a whole number"
    BOOL = "`yes` or `no`"
    EMAIL = "an e-mail address"
    URL = "a URL"
    COUNTRY = "a country or region code such as `GB`, `US` or `EEA`"
    REF = "a reference"
    ENUM = "one of a fixed set of words"
    RETENTION = "a retention expression"
    REF_NOTE = "a reference, optionally followed by a string"
    REF_TEXT = "a reference followed by a string"
    CHANNEL = "an e-mail address, URL, phone number or a `contact`"
    PROVIDER = "`first_party` or a recipient"


@record(frozen=True, slots=True)
class FieldSpec:
    """One field of a kind."""

    name: str
    vt: VT
    doc: str
    many: bool = False  # a comma-separated list is allowed
    required: bool = False
    repeatable: bool = False  # may be given on several lines (each with its own value)
    kinds: tuple[str, ...] = ()  # for REF / REF_NOTE / REF_TEXT / PROVIDER / CHANNEL
    choices: tuple[str, ...] = ()  # for ENUM


@record(frozen=True, slots=True)
class KindSpec:
    """One kind of declaration."""

    name: str
    doc: str
    fields: tuple[FieldSpec, ...]
    singleton: bool = False  # at most one per file; name optional
    named: bool = True  # a name is required (singletons never need one)
    stdlib: bool = False  # normally declared by the standard library
    by_name: dict[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_name.update({f.name: f for f in self.fields})

    def field(self, name: str) -> FieldSpec | None:
        return self.by_name.get(name)


def _f(name: str, vt: VT, doc: str, **kw: object) -> FieldSpec:
    return FieldSpec(name, vt, doc, **kw)  # type: ignore[arg-type]


COUNTRY_KINDS = ("country", "region")
# `country outside`: the data goes outside the area of the policy's laws, to countries not named.
UNNAMED_COUNTRIES = "outside"

AUDIENCES = (
    "website_visitors", "customers", "prospects", "users", "subscribers", "employees",
    "job_applicants", "suppliers", "patients", "students", "children", "members", "public",
)
ROLES = ("processor", "controller", "joint_controller", "public_authority")
COOKIE_KINDS = ("strictly_necessary", "functional", "analytics", "advertising")
TECHNOLOGIES = ("cookie", "pixel", "local_storage", "fingerprint", "sdk")
SECTIONS = (
    "controller", "data", "purposes", "processor", "recipients", "transfers", "retention", "rights", "ccpa",
    "automated_decisions", "cookies", "security", "children", "changes", "complaints", "end",
)
DATA_SOURCES = ("subject", "observed", "derived")
REQUIREMENTS = ("statutory", "contract", "optional")
CONSENT_MECHANISMS = ("opt_in_banner", "implied", "none")
DECISION_SAFEGUARDS = ("human_review", "express_view", "contest")
CERTIFICATIONS = ("iso27001", "iso27701", "cyber_essentials", "cyber_essentials_plus", "pci_dss", "soc2")
AUTHORITY_SECTORS = ("public_bodies", "private_bodies")
REQUIRES = ("interest", "law_citation", "explicit", "withdrawal")
# What a `provision` of the standard library is about: the point of law a notice quotes it for.
PROVISION_TOPICS = (
    "complain", "processor", "withdraw", "object", "direct_marketing", "adequacy", "safeguards", "derogations",
    "automated_decisions", "ccpa_agent", "ccpa_signals", "ccpa_verify", "ccpa_non_discrimination", "ccpa_minors", "ccpa_categories",
    "ccpa_sensitive",
)
DURATION_UNITS = {
    "day": "D", "days": "D", "week": "W", "weeks": "W",
    "month": "M", "months": "M", "year": "Y", "years": "Y",
}

_DPV = _f("dpv", VT.STRING, "the W3C DPV 2.3 term for this entry, as a CURIE such as `dpv:Marketing`")
_FIDES = _f("fides", VT.STRING, "the fideslang default-taxonomy key for this entry")
_ARTICLE = _f("article", VT.STRING, "the article of the law, such as `6(1)(a)`")
_SUMMARY = _f("summary", VT.TEXT, "a plain-English summary shown to readers")
_DESCRIPTION = _f("description", VT.TEXT, "author prose shown in the notice")
_LAWS = _f("law", VT.REF, "the laws under which this applies", many=True, kinds=("law",))

KINDS: dict[str, KindSpec] = {
    k.name: k
    for k in (
        # --- kinds an author writes ---------------------------------------------------------
        KindSpec("policy", "the notice itself", (
            _f("controller", VT.REF, "who is responsible for the data", required=True, many=True, kinds=("controller",)),
            _f("version", VT.STRING, "the version of this notice"),
            _f("effective", VT.DATE, "the date from which this version applies"),
            _f("reviewed", VT.DATE, "when the notice was last reviewed"),
            _f("language", VT.STRING, "the BCP 47 language tag of the notice, such as `en-GB`"),
            _f("jurisdictions", VT.REF, "the laws the notice answers to", required=True, many=True, kinds=("law",)),
            _f("audience", VT.ENUM, "whom the notice is for", many=True, choices=AUDIENCES),
            _f("url", VT.URL, "where the notice is published"),
            _f("summary", VT.TEXT, "a short introduction"),
            _f("changes", VT.TEXT, "how changes to the notice are announced"),
            _f("cookie_consent", VT.ENUM, "how consent to non-essential cookies is obtained", choices=CONSENT_MECHANISMS),
            _f("cookie_wall", VT.BOOL, "`yes` when the site or service can be used only by accepting non-essential cookies (a cookie wall); `no` when it can be used without"),
            _f("minimum_age", VT.INT, "the age below which the service is not offered"),
            _f("children", VT.TEXT, "what happens to children's data"),
            _f("shares_with", VT.ENUM, "`none`: the explicit statement that data is shared with no one", choices=("none",)),
            _f("automated_decisions", VT.ENUM, "`none`: the explicit statement that no decision is made solely by automated means", choices=("none",)),
            _f("cookies", VT.ENUM, "`none`: the explicit statement that no cookies or similar technologies are used", choices=("none",)),
            _f("bases", VT.REF_NOTE, "the lawful bases the notice says it relies on overall, without tying them to purposes; each purpose still needs its own `basis`", many=True, kinds=("basis",)),
            _f("sells", VT.BOOL, "whether the business sells personal information to anyone (CCPA); `no` is the explicit denial"),
            _f("shares", VT.BOOL, "whether the business shares personal information for cross-context behavioural advertising (CCPA); `no` is the explicit denial"),
            _f("sells_minors", VT.BOOL, "whether the business has actual knowledge that it sells or shares the personal information of consumers under 16 (CCPA, 11 CCR 7011(e)(1)(F))"),
            _f("do_not_sell_url", VT.URL, "the \"Do Not Sell or Share My Personal Information\" page (CCPA)"),
            _f("limit_use_url", VT.URL, "the \"Limit the Use of My Sensitive Personal Information\" page (CCPA)"),
            _f("informed_within", VT.DURATION, "how soon people are told when their data comes from another "
               "organisation: at most one month, and by the first contact or disclosure (Art 14(3))"),
            _f("dpia", VT.DATE, "when the latest data protection impact assessment of this processing was completed "
               "(Art 35); not shown in the notice"),
        ), singleton=True),
        KindSpec("controller", "who is responsible for the data", (
            _f("legal_name", VT.STRING, "the registered legal name"),
            _f("trading_as", VT.STRING, "a trading name", many=True),
            _f("registration", VT.STRING, "company registration details"),
            _f("ico_registration", VT.STRING, "the data-protection registration number"),
            _f("address", VT.STRING, "the postal address"),
            _f("country", VT.COUNTRY, "where the controller is established", kinds=COUNTRY_KINDS),
            _f("email", VT.EMAIL, "a contact e-mail address"),
            _f("phone", VT.STRING, "a contact telephone number"),
            _f("url", VT.URL, "the website or contact page"),
            _f("dpo", VT.REF, "the data protection officer", kinds=("contact",)),
            _f("representative", VT.REF, "the representative in the area of a jurisdiction (Art 27): one for each law whose area the controller is outside", many=True, kinds=("contact",)),
            _f("authority", VT.REF_NOTE, "the supervisory authority people can complain to; a string after it gives the address the notice itself gives for complaints (`authority ico \"https://ico.org.uk/make-a-complaint/\"`)", many=True, kinds=("authority",)),
            _f("public_body", VT.BOOL, "`yes` for a public authority or body; left out or `no`, the controller is a "
               "private body (which matters for `basis public_task` and for authorities that supervise one sector)"),
            _f("arrangement", VT.TEXT, "the essence of the arrangement between joint controllers: who does what, and where people can use their rights (Art 26(2))"),
        )),
        KindSpec("contact", "a person or role with contact channels", (
            _f("legal_name", VT.STRING, "the name of the person or organisation"),
            _f("role", VT.STRING, "the role, such as `Data Protection Officer`"),
            _f("email", VT.EMAIL, "an e-mail address"),
            _f("phone", VT.STRING, "a telephone number"),
            _f("address", VT.STRING, "a postal address"),
            _f("country", VT.COUNTRY, "the country of that address", kinds=COUNTRY_KINDS),
            _f("url", VT.URL, "a contact page"),
            _f("country", VT.COUNTRY, "where the person or organisation is established (a representative must be in the area of the law, Art 27)", kinds=COUNTRY_KINDS),
        )),
        KindSpec("data", "a category of personal data", (
            _f("includes", VT.STRING, "examples of what the category holds", many=True),
            _DESCRIPTION,
            _f("category", VT.REF, "the taxonomy entry this data falls under", many=True, kinds=("category",)),
            _f("special", VT.REF, "the Art 9 special category, if any", many=True, kinds=("category",)),
            _f("criminal", VT.BOOL, "`yes` for criminal-offence data (Art 10)"),
            _f("source", VT.REF, "where the data comes from: `subject`, `observed`, `derived` or a named `source`", many=True, kinds=("source",), choices=DATA_SOURCES),
            _f("required_for", VT.ENUM, "whether providing it is a statutory or contractual requirement, or optional", choices=REQUIREMENTS),
            _f("if_not_provided", VT.TEXT, "what follows if the data is not provided"),
            _f("subjects", VT.STRING, "whose data this is", many=True),
        )),
        KindSpec("purpose", "why data is processed", (
            _f("uses", VT.REF, "the data categories this purpose processes", many=True, kinds=("data",)),
            _DESCRIPTION,
            _f("kind", VT.REF, "the purpose taxonomy entry", many=True, kinds=("purpose_kind",)),
            _f("basis", VT.REF_NOTE, "the lawful basis; `legitimate_interests \"the interest\"` carries the interest", many=True, kinds=("basis",)),
            _f("condition", VT.REF_NOTE, "the Art 9 or Art 10 condition; a string may cite the enabling law", many=True, kinds=("condition",)),
            _f("retain", VT.RETENTION, "how long the data is kept"),
            _f("shares_with", VT.REF, "who the data is disclosed to; `none`: disclosed to no one", many=True, kinds=("recipient",), choices=("none",)),
            _f("direct_marketing", VT.BOOL, "`yes` when this purpose is direct marketing"),
            _f("automated_decisions", VT.REF, "automated decisions made for this purpose; `none`: no such decision", many=True, kinds=("decision",), choices=("none",)),
            _f("subjects", VT.STRING, "whose data this purpose concerns", many=True),
            _f("role", VT.ENUM, "`processor` where we act on behalf of another controller", choices=("controller", "processor")),
            _f("on_behalf_of", VT.STRING, "whom we act for, where `role processor`"),
        )),
        KindSpec("recipient", "who data is disclosed to", (
            _f("role", VT.ENUM, "the recipient's role; two roles (`role processor, controller`) where the notice says it may act as either", many=True, choices=ROLES),
            _f("legal_name", VT.STRING, "the recipient's legal name"),
            _DESCRIPTION,
            _f("includes", VT.STRING, "named organisations within this category of recipient", many=True),
            _f("sector", VT.STRING, "the recipient's sector or type of business"),
            _f("country", VT.COUNTRY, "where the recipient processes the data; `outside`: somewhere outside the area of the policy's laws, in countries the notice does not name", many=True, kinds=COUNTRY_KINDS, choices=(UNNAMED_COUNTRIES,)),
            _f("international_organisation", VT.BOOL, "`yes` when the recipient is an international organisation (Art 4(26)), such as a UN agency: sending it data is a transfer wherever it sits"),
            _f("safeguard", VT.REF, "the transfer mechanism for a transfer outside the jurisdiction", many=True, kinds=("safeguard",)),
            _f("safeguard_copy", VT.TEXT, "how to obtain a copy of the safeguards"),
            _f("sells", VT.BOOL, "whether personal information is sold to this recipient (CCPA)"),
            _f("shares", VT.BOOL, "whether personal information is shared for cross-context advertising (CCPA)"),
            _f("url", VT.URL, "the recipient's privacy notice"),
            _f("arrangement", VT.TEXT, "the essence of the arrangement between us and a joint controller: who does what, and where people can use their rights (Art 26(2))"),
        )),
        KindSpec("source", "a named third-party source of data", (
            _f("legal_name", VT.STRING, "the source's legal name"),
            _DESCRIPTION,
            _f("public", VT.BOOL, "whether the source is publicly accessible"),
            _f("url", VT.URL, "the source's website"),
        )),
        KindSpec("decision", "automated decision-making or profiling", (
            _f("uses", VT.REF, "the data the decision is based on", many=True, kinds=("data",)),
            _DESCRIPTION,
            _f("logic", VT.TEXT, "meaningful information about the logic involved"),
            _f("significance", VT.TEXT, "the significance of the decision"),
            _f("consequences", VT.TEXT, "the envisaged consequences"),
            _f("solely_automated", VT.BOOL, "whether the decision is made without human involvement"),
            _f("legal_effect", VT.BOOL, "whether it has legal or similarly significant effects"),
            _f("safeguards", VT.ENUM, "the Art 22(3) safeguards offered", many=True, choices=DECISION_SAFEGUARDS),
        )),
        KindSpec("cookie", "a cookie or similar technology", (
            _f("provider", VT.PROVIDER, "`first_party` or the recipient that sets it", kinds=("recipient",)),
            _f("purpose", VT.REF, "the purpose the cookie serves", required=True, many=True, kinds=("purpose",)),
            _f("expires", VT.EXPIRY, "how long the cookie lasts"),
            _f("kind", VT.ENUM, "the kind of cookie", choices=COOKIE_KINDS),
            _f("technology", VT.ENUM, "the technology (`cookie` unless stated)", choices=TECHNOLOGIES),
            _f("name", VT.STRING, "the cookie's actual name, where it is not a valid identifier", many=True),
            _DESCRIPTION,
        )),
        KindSpec("security", "how data is protected", (
            _f("measures", VT.REF, "the security measures", many=True, kinds=("measure",)),
            _f("certifications", VT.ENUM, "certifications held", many=True, choices=CERTIFICATIONS),
            _f("hosting", VT.COUNTRY, "where data is hosted", many=True, kinds=COUNTRY_KINDS),
            _f("text", VT.TEXT, "author prose about security"),
        ), singleton=True),
        KindSpec("section", "author prose that fits no fact", (
            _f("title", VT.STRING, "the heading, when the declaration has no title"),
            _f("text", VT.TEXT, "the section's prose", required=True),
            _f("after", VT.ENUM, "the standard section it follows", choices=SECTIONS),
        )),
        KindSpec("rights", "how rights are exercised", (
            _f("contact", VT.CHANNEL, "where to send a request", many=True, kinds=("contact",)),
            _f("respond_within", VT.DURATION, "how quickly requests are answered"),
            _f("fee", VT.TEXT, "whether a fee is charged"),
            _f("verify", VT.TEXT, "how identity is verified"),
            _f("withdraw", VT.TEXT, "how to withdraw consent"),
            _f("object", VT.TEXT, "how to object"),
            _f("complaints", VT.TEXT, "how to complain to us"),
            _f("describe", VT.REF_TEXT, "`describe RIGHT \"...\"` replaces a right's default wording", repeatable=True, kinds=("right",)),
            _f("also", VT.REF, "rights offered beyond what the law requires", many=True, kinds=("right",)),
            _f("exclude", VT.REF_TEXT, "`exclude RIGHT \"reason\"` withholds a right, with the reason", repeatable=True, kinds=("right",)),
            _f("text", VT.TEXT, "author prose about rights"),
        ), singleton=True),
        # --- kinds the standard library writes (authors may add their own) ------------------
        KindSpec("law", "a legal regime and its parameters", (
            _f("authority", VT.REF, "the supervisory authorities", many=True, kinds=("authority",)),
            _f("area", VT.COUNTRY, "the area within which no transfer safeguard is needed", many=True, kinds=COUNTRY_KINDS),
            _f("child_consent_age", VT.INT, "the age of digital consent (Art 8)"),
            _f("url", VT.URL, "the text of the law"),
            _SUMMARY,
        ), stdlib=True),
        KindSpec("basis", "an Art 6 lawful basis", (
            _ARTICLE, _LAWS,
            _f("since", VT.DATE, "when the basis came into force, where it is newer than its law; a policy "
               "`effective` earlier cannot rely on it"),
            _f("grants", VT.REF, "the rights this basis gives data subjects", many=True, kinds=("right",)),
            _f("requires", VT.ENUM, "what a purpose on this basis must state", many=True, choices=REQUIRES),
            _DPV, _SUMMARY,
        ), stdlib=True),
        KindSpec("condition", "an Art 9 or Art 10 condition", (
            _ARTICLE, _LAWS,
            _f("grants", VT.REF, "rights this condition gives", many=True, kinds=("right",)),
            _f("requires", VT.ENUM, "what a purpose with this condition must state", many=True, choices=REQUIRES),
            _f("criminal", VT.BOOL, "`yes` for an Art 10 (criminal-offence data) condition"),
            _DPV, _SUMMARY,
        ), stdlib=True),
        KindSpec("right", "a data-subject right", (
            _ARTICLE, _LAWS,
            _f("universal", VT.BOOL, "`yes` when every lawful basis grants it"),
            _DPV, _SUMMARY,
        ), stdlib=True),
        KindSpec("safeguard", "a transfer mechanism (GDPR Chapter V)", (
            _ARTICLE, _LAWS,
            _f("adequacy", VT.BOOL, "`yes` when the transfer rests on an adequacy decision"),
            _f("copy_required", VT.BOOL, "`yes` when the notice must say how to get a copy"),
            _f("derogation", VT.BOOL, "`yes` for an Art 49 derogation"),
            _f("unspecified", VT.BOOL, "`yes` for an entry that stands for any mechanism of its kind, which one not said (an Art 49 derogation the notice does not name)"),
            _f("since", VT.DATE, "the first day it can be relied on"),
            _f("until", VT.DATE, "the first day it can no longer be relied on, if there is one"),
            _DPV, _SUMMARY,
        ), stdlib=True),
        KindSpec("authority", "a supervisory authority", (
            _f("legal_name", VT.STRING, "the authority's name"),
            _f("country", VT.COUNTRY, "where it is", kinds=COUNTRY_KINDS),
            _f("url", VT.URL, "where to complain"),
            _f("email", VT.EMAIL, "an e-mail address"),
            _f("phone", VT.STRING, "a telephone number"),
            _f("address", VT.STRING, "a postal address"),
            _f("region", VT.STRING, "the part of its country it covers, for a sub-national authority such as a German "
               "Land's"),
            _f("supervises", VT.ENUM, "the bodies it supervises, where not all: `public_bodies`, `private_bodies`",
               many=True, choices=AUTHORITY_SECTORS),
        ), stdlib=True),
        KindSpec("category", "an entry of the data-category taxonomy", (
            _DPV, _FIDES, _SUMMARY,
            _f("special", VT.BOOL, "`yes` for an Art 9 special category"),
            _f("criminal", VT.BOOL, "`yes` for criminal-offence data (Art 10)"),
            _f("sensitive", VT.BOOL, "`yes` for CCPA sensitive personal information"),
            _f("ccpa", VT.REF, "the CCPA statutory categories (1798.140(v)(1)) this entry falls under; "
               "entries without it take their parent's", many=True, kinds=("ccpa_category",)),
        ), stdlib=True),
        KindSpec("ccpa_category", "a category of personal information listed in the CCPA (1798.140(v)(1))", (
            _ARTICLE, _SUMMARY,
        ), stdlib=True),
        KindSpec("purpose_kind", "an entry of the purpose taxonomy", (
            _DPV, _FIDES, _SUMMARY,
            _f("direct_marketing", VT.BOOL, "`yes` when a purpose of this kind is direct marketing, with the "
               "absolute right to object (Art 21(2)), whether or not the purpose says `direct_marketing yes`"),
            _f("provides_service", VT.BOOL, "`yes` when a purpose of this kind delivers what the person asked for "
               "(a contract, an order, an account): consent cannot be made a condition of it (Art 7(4)), and "
               "sensitive data used for it is within the CCPA's permitted uses (11 CCR 7027(m))"),
        ), stdlib=True),
        KindSpec("known_cookie", "a cookie that a widely used analytics or advertising tool sets, by name", (
            _f("pattern", VT.STRING, "the cookie's name; `*` stands for any run of characters (`_ga_*`)",
               required=True, many=True),
            _f("kind", VT.ENUM, "what the cookie is for", required=True, choices=COOKIE_KINDS),
            _f("provider", VT.STRING, "the tool and the company behind it"),
            _SUMMARY,
        ), stdlib=True),
        KindSpec("country", "an ISO 3166-1 country", (_DPV,), stdlib=True),
        KindSpec("region", "a named group of countries", (
            _f("countries", VT.COUNTRY, "the members", many=True, kinds=("country",)),
            _DPV,
        ), stdlib=True),
        KindSpec("adequacy", "a date-effective adequacy decision", (
            _f("law", VT.REF, "the law that made the decision", required=True, kinds=("law",)),
            _f("country", VT.COUNTRY, "the countries it covers", required=True, many=True, kinds=COUNTRY_KINDS),
            _f("since", VT.DATE, "when it took effect", required=True),
            _f("until", VT.DATE, "when it ended, if it did"),
            _f("scope", VT.TEXT, "a limit on what it covers, such as certified organisations only"),
            _f("certified_only", VT.BOOL, "`yes` when it covers only organisations certified under it (the Data Privacy Framework): a recipient must say it relies on it"),
        ), stdlib=True),
        KindSpec("event", "a retention event such as the end of a contract", (_SUMMARY,), stdlib=True),
        KindSpec("measure", "a security measure", (_DPV, _SUMMARY), stdlib=True),
        KindSpec("provision", "the law's own words on one point, shown in notices under that law", (
            _f("law", VT.REF, "the laws whose notices show it", many=True, required=True, kinds=("law",)),
            _f("topic", VT.ENUM, "the point of law it explains", required=True, choices=PROVISION_TOPICS),
            _f("article", VT.STRING, "the article or section it rests on, such as `77` or `1798.125`"),
            _f("text", VT.TEXT, "the words shown in the notice", required=True),
            _f("since", VT.DATE, "the first day the words are the law, where the law changed"),
            _f("until", VT.DATE, "the first day the words are no longer the law, if there is one"),
        ), stdlib=True),
    )
}

# Names of kinds that the grammar treats specially (not in KINDS): `use`, `assert`.
RESERVED_WORDS = ("use", "assert", "forbid", "require", "where", "has", "and", "or", "not", "in")


def type_words(spec: FieldSpec) -> str:
    if spec.vt in (VT.REF, VT.REF_NOTE, VT.REF_TEXT):
        kinds = " or ".join(f"`{k}`" for k in spec.kinds)
        words = f"reference to {kinds}"
        if spec.choices:
            words += " or " + ", ".join(f"`{c}`" for c in spec.choices)
        if spec.vt is VT.REF_NOTE:
            words += ", optionally followed by a string"
        if spec.vt is VT.REF_TEXT:
            words += " followed by a string"
    elif spec.vt is VT.COUNTRY and spec.choices:
        words = spec.vt.value + ", or " + ", ".join(f"`{c}`" for c in spec.choices)
    elif spec.vt is VT.ENUM:
        words = "one of " + ", ".join(f"`{c}`" for c in spec.choices)
    else:
        words = spec.vt.value
    if spec.many:
        words += " (a list)"
    return words


def markdown_reference() -> str:
    """The kinds-and-fields reference, as published in docs/kinds.md."""
    lines = [
        "# Kinds and fields",
        "",
        "Generated from `policyc/schema.py` (a test keeps this page in step with it).",
        "A field marked *required* must be given; *repeatable* fields may be given on several lines.",
        "",
    ]
    for section, stdlib in (("Kinds an author writes", False), ("Kinds the standard library writes", True)):
        lines += [f"## {section}", ""]
        for kind in KINDS.values():
            if kind.stdlib is not stdlib:
                continue
            extra = " One per file; the name is optional." if kind.singleton else ""
            lines += [f"### `{kind.name}`", "", f"{kind.doc[0].upper()}{kind.doc[1:]}.{extra}", "",
                      "| field | value | meaning |", "| --- | --- | --- |"]
            for spec in kind.fields:
                flags = [flag for flag, on in (("required", spec.required), ("repeatable", spec.repeatable)) if on]
                note = f" (*{', '.join(flags)}*)" if flags else ""
                lines.append(f"| `{spec.name}`{note} | {type_words(spec)} | {spec.doc} |")
            lines.append("")
    return "\n".join(lines)
