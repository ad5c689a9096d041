"""Model stage: the resolved, backend-neutral policy.

Built from the type checker's typed declarations of one policy file (and the user files it imports).
References are replaced by the entities they name, durations are normalised, and the facts the
author does not repeat are derived:

- the rights offered: the universal rights of the policy's laws, plus what each controller
  purpose's bases and conditions grant, plus the objection to direct marketing where a purpose is
  direct marketing, plus the Art 22 right where a purpose makes automated decisions, plus `also`;
- the international transfers: each recipient country outside a law's area, with the adequacy
  decision that covers it (at the policy's `effective` date) or the safeguards given;
- Art 14: whether any data comes from a source other than the person.

Every backend reads only this model; the legal rules read it too.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable

from policyc import ast
from policyc.diagnostics.model import Span
from policyc.patterns import regex
from policyc.records import field, record
from policyc.typecheck import Bool, Date, Int, Ref, Retention, Text, TypedDecl, Value, Word
from policyc.typecheck import Duration as TypedDuration
from policyc.values import Country, Duration, Expiry


@record(slots=True, eq=False, repr=False)
class Entity:
    """What every declared thing has: its name, title, and where it is declared."""

    key: str
    title: str
    span: Span
    decl: ast.Decl = field(repr=False, compare=False)

    def __repr__(self) -> str:
        # The kind and the name: the generated repr printed every field and every entity reached from
        # them, and compiling it for each class was a fifth of this module's import.
        return f"{type(self).__name__}({self.key!r})"

    def has_field(self, name: str) -> bool:
        """The author wrote the field (even if its value did not resolve, or its line had a syntax error: no
        follow-on findings then)."""
        return any(fld.name == name for fld in self.decl.fields) or name in self.decl.broken

    def written(self, name: str) -> int:
        """How many values the author wrote for a field (resolved or not)."""
        return sum(len(fld.items) for fld in self.decl.fields if fld.name == name)

    def field_span(self, name: str) -> Span:
        """The span of a field of the declaration, or of its header when the field is absent."""
        for fld in self.decl.fields:
            if fld.name == name:
                return fld.span
        return self.span


# --- standard-library entities ------------------------------------------------------------


@record(slots=True, eq=False, repr=False)
class Authority(Entity):
    """A supervisory authority: where and how to complain, and the places it supervises."""

    legal_name: str = ""
    url: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    country: str = ""
    region: str = ""  # the part of the country a sub-national authority covers
    supervises: tuple[str, ...] = ()  # `public_bodies` and/or `private_bodies`; empty: every body in its area

    def supervises_body(self, public: bool) -> bool:
        """Whether it supervises a public body (`public`) or a private one."""
        return not self.supervises or ("public_bodies" if public else "private_bodies") in self.supervises


@record(slots=True, eq=False, repr=False)
class Law(Entity):
    """A data protection law: the area it covers, its authorities, and its age of digital consent."""

    area: frozenset[str] = frozenset()  # country codes, regions expanded
    authorities: tuple[str, ...] = ()
    child_consent_age: int | None = None


@record(slots=True, eq=False, repr=False)
class Right(Entity):
    """A data subject's right: the article that grants it, a plain summary, and the laws that give it."""

    article: str = ""
    summary: str = ""
    dpv: str = ""
    universal: bool = False
    laws: tuple[str, ...] = ()


@record(slots=True, eq=False, repr=False)
class Basis(Entity):
    """A lawful basis (or an Art 9/10 condition): its article, the rights it grants or requires, and when it
    applies."""

    article: str = ""
    grants: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    dpv: str = ""
    summary: str = ""
    laws: tuple[str, ...] = ()
    criminal: bool = False  # conditions only: an Art 10 condition
    since: dt.date | None = None  # bases only: in force from this date (None: since its law)

    def in_force(self, law: str, on: dt.date) -> bool:
        """Available under `law` on the date `on`."""
        return (not self.laws or law in self.laws) and (self.since is None or self.since <= on)


@record(slots=True, eq=False, repr=False)
class Safeguard(Entity):
    """A transfer safeguard: its article, the laws it serves, whether a copy must be offered, and when it is valid."""

    article: str = ""
    laws: tuple[str, ...] = ()
    adequacy: bool = False
    copy_required: bool = False
    derogation: bool = False
    unspecified: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    dpv: str = ""
    summary: str = ""

    def in_force(self, on: dt.date | None) -> bool:
        """It can be relied on at `on` (without a date: it has not ended)."""
        if on is None:
            return self.until is None
        return (self.since is None or self.since <= on) and (self.until is None or on < self.until)


@record(slots=True, eq=False, repr=False)
class CcpaCategory(Entity):
    """A category of personal information that the CCPA lists (Cal. Civ. Code 1798.140(v)(1))."""

    article: str = ""
    summary: str = ""


@record(slots=True, eq=False, repr=False)
class Category(Entity):
    """A category of personal data, with its DPV and fides keys, whether it is special or criminal, and its CCPA
    categories."""

    dpv: str = ""
    fides: str = ""
    special: bool = False
    criminal: bool = False
    sensitive: bool = False
    ccpa: tuple[CcpaCategory, ...] = ()  # its own mapping, else its nearest ancestor's (set by build_model)


@record(slots=True, eq=False, repr=False)
class Provision(Entity):
    """The law's own words on one point (`topic`), shown in notices under one of `laws`."""

    laws: tuple[str, ...] = ()
    topic: str = ""
    article: str = ""
    text: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def in_force(self, on: dt.date | None) -> bool:
        """The words are the law at `on` (without a date: they are the law as it stands now)."""
        if on is None:
            return self.until is None
        return (self.since is None or self.since <= on) and (self.until is None or on < self.until)


@record(slots=True, eq=False, repr=False)
class PurposeKind(Entity):
    """A kind of purpose from the taxonomy (marketing, service provision, ...), with its DPV and fides keys."""

    dpv: str = ""
    fides: str = ""
    direct_marketing: bool = False  # a purpose of this kind is direct marketing (Art 21(2))
    provides_service: bool = False  # a purpose of this kind delivers what the person asked for (Art 7(4))


@record(slots=True, eq=False, repr=False)
class KnownCookie(Entity):
    """A cookie a widely used analytics or advertising tool sets, recognised by its name."""

    patterns: tuple[str, ...] = ()
    kind: str = ""
    provider: str = ""

    def matches(self, name: str) -> bool:
        """The name matches one of the patterns (shell-style: `_ga_*`), case-sensitively."""
        if not self.patterns:
            return False
        compiled = _COOKIE_PATTERNS.get(self.patterns)
        if compiled is None:
            compiled = _COOKIE_PATTERNS[self.patterns] = ShellPatterns(self.patterns)
        return compiled.match(name)


class ShellPatterns:
    """Shell-style patterns (`_ga`, `_ga_*`, `mp_*_mixpanel`), matched as `fnmatch.fnmatchcase` does.

    Most known cookies are exact names or a prefix and `*`: those are a set and a `startswith`; only
    the others become a regular expression (compiling one for each known cookie was a tenth of the
    rules' time in a fresh process)."""

    __slots__ = ("exact", "other", "prefixes")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        exact: set[str] = set()
        prefixes: list[str] = []
        other: list[str] = []
        for pattern in patterns:
            star = pattern.endswith("*")
            body = pattern[:-1] if star else pattern
            if any(special in body for special in "*?["):
                other.append(pattern)
            elif star:
                prefixes.append(body)
            else:
                exact.add(pattern)
        self.exact = frozenset(exact)
        self.prefixes = tuple(prefixes)
        self.other = regex("|".join(fnmatch.translate(p) for p in other)) if other else None

    def match(self, name: str) -> bool:
        return name in self.exact or name.startswith(self.prefixes) or (
            self.other is not None and self.other.match(name) is not None)


# Each known cookie's patterns, made ready once per process (a check tries every cookie name of a policy
# against every known cookie).
_COOKIE_PATTERNS: dict[tuple[str, ...], ShellPatterns] = {}


@record(slots=True, eq=False, repr=False)
class Adequacy(Entity):
    """An adequacy decision (or regulations) of one law for some countries, with its dates and scope."""

    law: str = ""
    countries: frozenset[str] = frozenset()
    since: dt.date | None = None
    until: dt.date | None = None
    scope: str = ""
    certified_only: bool = False

    def covers(self, country: str, on: dt.date | None) -> bool:
        if country not in self.countries:
            return False
        if on is None:
            return self.until is None
        return (self.since is None or self.since <= on) and (self.until is None or on < self.until)


# --- author entities ----------------------------------------------------------------------


@record(slots=True, eq=False, repr=False)
class Contact(Entity):
    """A person or office to contact: names, role, e-mail, phone, address and country."""

    legal_name: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    url: str = ""
    country: str = ""  # where the person or organisation is (a country code)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c in (self.email, self.phone, self.address, self.url) if c)


@record(slots=True, eq=False, repr=False)
class Controller(Contact):
    """The controller: its contact details, registrations, DPO, representatives and supervisory authorities."""

    registration: str = ""
    ico_registration: str = ""
    trading_as: tuple[str, ...] = ()
    dpo: Contact | None = None
    representative: Contact | None = None  # the first of `representatives`
    representatives: tuple[Contact, ...] = ()
    authorities: tuple[Authority, ...] = ()
    authority_notes: tuple[tuple[str, str], ...] = ()  # (authority key, the address the notice gives for it)
    public_body: bool = False  # `public_body yes`; otherwise a private body
    arrangement: str = ""  # the essence of the joint-controller arrangement (Art 26(2))


@record(slots=True, eq=False, repr=False)
class Source(Entity):
    """Where data comes from, when not from the person: a named source, its description and whether it is public."""

    legal_name: str = ""
    description: str = ""
    public: bool | None = None
    url: str = ""


@record(slots=True, eq=False, repr=False)
class Data(Entity):
    """A data set: what it includes, its categories, sources, subjects, and whether it must be provided."""

    includes: tuple[str, ...] = ()
    description: str = ""
    categories: tuple[Category, ...] = ()
    special: tuple[Category, ...] = ()
    criminal: bool = False
    sources: tuple[str, ...] = ()  # `subject`, `observed`, `derived`, or the key of a Source
    named_sources: tuple[Source, ...] = ()
    required_for: str = ""
    if_not_provided: str = ""
    subjects: tuple[str, ...] = ()

    @property
    def is_special(self) -> bool:
        return bool(self.special) or any(c.special for c in self.categories)

    @property
    def is_criminal(self) -> bool:
        return self.criminal or any(c.criminal for c in (*self.categories, *self.special))

    @property
    def is_sensitive(self) -> bool:
        return self.is_special or any(c.sensitive for c in self.categories)

    @property
    def from_subject(self) -> bool:
        """Collected from the person (Art 13): no source given, or `subject` / `observed`."""
        return not self.sources or any(s in ("subject", "observed") for s in self.sources)

    @property
    def from_elsewhere(self) -> bool:
        """Obtained from a third party (Art 14)."""
        return bool(self.named_sources)


@record(slots=True, eq=False, repr=False)
class Recipient(Entity):
    """Who receives data: its role, countries, transfer safeguards and the data it receives."""

    role: str = ""  # the role, when the notice gives one; "" when it gives none or hedges between several
    roles: tuple[str, ...] = ()  # every role the notice gives (two when it hedges: "a processor or a controller")
    legal_name: str = ""
    description: str = ""
    includes: tuple[str, ...] = ()
    sector: str = ""
    countries: tuple[str, ...] = ()  # country and region codes the author names
    countries_unnamed: bool = False  # `country outside`: also, or only, countries outside the area, not named
    international_organisation: bool = False
    safeguards: tuple[Safeguard, ...] = ()
    safeguard_copy: str = ""
    sells: bool | None = None
    shares: bool | None = None
    url: str = ""
    arrangement: str = ""  # with a joint controller: the essence of the arrangement (Art 26(2))

    @property
    def destination_field(self) -> str:
        """The field that says where the data goes (for spans and backing)."""
        if self.international_organisation and not self.countries and not self.countries_unnamed:
            return "international_organisation"
        return "country"


@record(slots=True, eq=False, repr=False)
class Decision(Entity):
    """An automated decision: the data it uses, its logic, significance, consequences and safeguards."""

    uses: tuple[Data, ...] = ()
    description: str = ""
    logic: str = ""
    significance: str = ""
    consequences: str = ""
    solely_automated: bool | None = None
    legal_effect: bool | None = None
    safeguards: tuple[str, ...] = ()


@record(slots=True, unsafe_hash=True)
class BasisUse:
    """A lawful basis or condition as a purpose uses it, with its note (the interest, the law cited)."""

    basis: Basis
    note: str
    span: Span


@record(slots=True, unsafe_hash=True)
class RetentionRule:
    """A normalised retention expression: one of its variants (see `variant`), with an `unless` event and the
    reasons the author gives."""

    span: Span
    period: Duration | None = None  # `period.iso` is the ISO 8601 form, such as P6Y
    after: str = ""  # event key
    until: str = ""  # event key
    unless: str = ""
    unless_reason: str = ""
    criteria: str = ""
    session: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.period, str):  # written in ISO 8601 by hand (`period="P6Y"`)
            self.period = Duration.parse(self.period)

    @property
    def period_days(self) -> float | None:
        """The period's approximate length in days, for comparisons; None without a period."""
        return self.period.days if self.period is not None else None

    @property
    def variant(self) -> str:
        """`session`, `until` (an event, maybe plus a period), `after` (a period after an event), `period`
        (from collection) or `criteria` (criteria alone); `none` when nothing is given."""
        if self.session:
            return "session"
        if self.until:
            return "until"
        if self.after:
            return "after"
        if self.period is not None:
            return "period"
        return "criteria" if self.criteria else "none"

    @property
    def concrete(self) -> bool:
        """A period or an event is given (not criteria alone)."""
        return bool(self.period or self.until or self.after or self.session)

    def may_keep_longer_than(self, old: RetentionRule | None) -> bool:
        """Whether this rule may keep data longer than `old`: a longer period, no longer a concrete one, no
        longer the session, a fixed period become "until an event", or a new `unless` event."""
        if old is None:
            return False
        if old.concrete and not self.concrete:
            return True
        if old.session and not self.session:
            return True
        if old.period is not None and self.period is not None:
            return self.period > old.period
        if old.period is not None and self.period is None and (self.until or self.after) and not old.until:
            return True
        return bool(self.unless and not old.unless)


@record(slots=True, eq=False, repr=False)
class Purpose(Entity):
    """A purpose of processing: the data it uses, its kinds, lawful bases, retention, recipients and decisions."""

    uses: tuple[Data, ...] = ()
    description: str = ""
    kinds: tuple[PurposeKind, ...] = ()
    bases: tuple[BasisUse, ...] = ()
    conditions: tuple[BasisUse, ...] = ()
    retention: RetentionRule | None = None
    recipients: tuple[Recipient, ...] = ()
    direct_marketing: bool = False
    decisions: tuple[Decision, ...] = ()
    subjects: tuple[str, ...] = ()
    role: str = "controller"
    on_behalf_of: str = ""
    shares_with_none: bool = False  # `shares_with none`: the explicit statement that no one receives it
    automated_decisions_none: bool = False  # `automated_decisions none`

    @property
    def as_processor(self) -> bool:
        return self.role == "processor"

    @property
    def is_direct_marketing(self) -> bool:
        """`direct_marketing yes`, or a kind that the taxonomy marks as direct marketing (`marketing.email`)."""
        return self.direct_marketing or any(k.direct_marketing for k in self.kinds)

    @property
    def provides_service(self) -> bool:
        """A kind that the taxonomy marks as delivering what the person asked for (`orders`, `account`)."""
        return any(k.provides_service for k in self.kinds)


@record(slots=True, eq=False, repr=False)
class Cookie(Entity):
    """A cookie or similar technology: its provider, purposes, expiry, kind and names."""

    provider: Recipient | None = None  # None: first party, or not stated (see `first_party`)
    first_party: bool = False  # `provider first_party` was written
    purposes: tuple[Purpose, ...] = ()
    expires: Expiry | None = None  # a period or the session; None when not stated
    kind: str = ""
    technology: str = "cookie"
    names: tuple[str, ...] = ()
    description: str = ""

    @property
    def essential(self) -> bool:
        return self.kind == "strictly_necessary"


@record(slots=True, eq=False, repr=False)
class Section(Entity):
    """A section of the author's own text, placed after a named section of the notice."""

    text: str = ""
    after: str = ""


@record(slots=True, eq=False, repr=False)
class Security(Entity):
    """How the data is kept safe: measures, certifications, hosting and the author's text."""

    measures: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    hosting: tuple[str, ...] = ()
    text: str = ""


@record(slots=True, eq=False, repr=False)
class RightsInfo(Entity):
    """The `rights` declaration: how rights are exercised."""

    contact: tuple[str, ...] = ()  # channels, a contact's channels expanded
    respond_within: Duration | None = None
    fee: str = ""
    verify: str = ""
    withdraw: str = ""
    object: str = ""
    complaints: str = ""
    describe: tuple[tuple[str, str], ...] = ()
    also: tuple[str, ...] = ()
    exclude: tuple[tuple[str, str], ...] = ()
    text: str = ""


@record(slots=True, unsafe_hash=True)
class OfferedRight:
    """A right the notice offers, why, and the words to show."""

    right: Right
    because: tuple[str, ...]  # "universal", "basis consent", "direct marketing", "also", ...
    description: str
    excluded: str = ""  # the reason, when the policy withholds it
    # The controller purposes whose basis, condition, direct marketing or decisions give the right; empty
    # when it applies to everything (a universal right) or only because the author added it with `also`.
    purposes: tuple[Purpose, ...] = ()

    @property
    def everywhere(self) -> bool:
        """The right applies to all the data: it is universal, offered with `also`, or not tied to purposes."""
        return "universal" in self.because or "also" in self.because or not self.purposes


# `Transfer.country` for a destination that is not a country code.
UNNAMED = "outside"  # outside the law's area, countries not named (`country outside`)
INTERNATIONAL = "international_organisation"  # an international organisation (Art 44, 13(1)(f))


@record(slots=True, unsafe_hash=True)
class Transfer:
    """Personal data going to a country outside a law's area, or to an international organisation."""

    recipient: Recipient
    country: str  # a country or region code, or UNNAMED, or INTERNATIONAL
    law: str
    adequacy: Adequacy | None  # the decision that covers it, if any
    safeguards: tuple[Safeguard, ...]  # those valid under the law

    @property
    def named(self) -> bool:
        """The destination is a country or region the notice names."""
        return self.country not in (UNNAMED, INTERNATIONAL)

    @property
    def field(self) -> str:
        """The recipient's field that makes this a transfer."""
        return "international_organisation" if self.country == INTERNATIONAL else "country"


@record(slots=True, eq=False, repr=False)
class PolicyInfo(Entity):
    """The policy declaration: version, dates, language, jurisdictions, audience and notice-wide statements."""

    version: str = ""
    effective: dt.date | None = None
    reviewed: dt.date | None = None
    language: str = ""
    jurisdictions: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    url: str = ""
    summary: str = ""
    changes: str = ""
    cookie_consent: str = ""
    cookie_wall: bool | None = None  # access depends on accepting non-essential cookies (None: not said)
    minimum_age: int | None = None
    children: str = ""
    shares_with_none: bool = False
    automated_decisions_none: bool = False
    cookies_none: bool = False
    sells: bool | None = None  # CCPA: `sells no` denies selling to anyone; None: not stated
    shares: bool | None = None  # CCPA: `shares no` denies sharing for cross-context advertising
    sells_minors: bool | None = None  # CCPA: knowingly sells or shares data of consumers under 16
    do_not_sell_url: str = ""
    limit_use_url: str = ""
    bases: tuple[BasisUse, ...] = ()  # `bases`: listed for the whole notice, apart from any purpose
    dpia: dt.date | None = None  # when the latest DPIA was completed (Art 35)
    informed_within: Duration | None = None  # how soon people are told of data obtained elsewhere (Art 14(3))

    @property
    def informed_within_days(self) -> float | None:
        return self.informed_within.days if self.informed_within is not None else None


@record(slots=True)
class Lexicon:
    """The words of declarations the model names only by key (events, countries, regions, measures,
    authorities, laws): titles and summaries, from the standard library and the policy's own files."""

    titles: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) -> title
    summaries: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) -> summary
    spans: dict[tuple[str, str], Span] = field(default_factory=dict)  # (kind, key) -> where it is declared
    authorities: dict[str, Authority] = field(default_factory=dict)

    @staticmethod
    def _find(table: dict[tuple[str, str], str], kind: str, key: str) -> str:
        return table.get((kind, key)) or table.get((kind, key.rsplit(".", 1)[-1]), "")

    def title(self, kind: str, key: str) -> str:
        return self._find(self.titles, kind, key)

    def summary(self, kind: str, key: str) -> str:
        return self._find(self.summaries, kind, key)

    def span(self, kind: str, key: str) -> Span | None:
        return self.spans.get((kind, key)) or self.spans.get((kind, key.rsplit(".", 1)[-1]))

    def authority(self, key: str) -> Authority | None:
        return self.authorities.get(key) or self.authorities.get(key.rsplit(".", 1)[-1])

    def country(self, code: str) -> Country:
        """A country or region code with its name (the title of its declaration, "" when none)."""
        return Country(code, self.title("country", code) or self.title("region", code))


LEXICON_KINDS = frozenset({"event", "country", "region", "measure", "authority", "law"})


@record(slots=True)
class Model:
    """One policy, resolved."""

    policy: PolicyInfo | None
    controllers: list[Controller] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    data: list[Data] = field(default_factory=list)
    purposes: list[Purpose] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    security: Security | None = None
    rights_info: RightsInfo | None = None
    laws: list[Law] = field(default_factory=list)
    rights: list[OfferedRight] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    adequacy: list[Adequacy] = field(default_factory=list)
    all_rights: dict[str, Right] = field(default_factory=dict)
    all_safeguards: dict[str, Safeguard] = field(default_factory=dict)
    all_categories: dict[str, Category] = field(default_factory=dict)  # the whole taxonomy, for ancestors
    all_purpose_kinds: dict[str, PurposeKind] = field(default_factory=dict)
    all_ccpa_categories: dict[str, CcpaCategory] = field(default_factory=dict)
    known_cookies: list[KnownCookie] = field(default_factory=list)  # the stdlib's and the policy's own
    provisions: list[Provision] = field(default_factory=list)  # of the laws in force, in stdlib order
    regions: dict[str, frozenset[str]] = field(default_factory=dict)
    assertions: list[ast.Assert] = field(default_factory=list)
    lexicon: Lexicon = field(default_factory=Lexicon, repr=False)
    typed: list[TypedDecl] = field(default_factory=list, repr=False)

    @property
    def controller(self) -> Controller | None:
        return self.controllers[0] if self.controllers else None

    @property
    def controller_purposes(self) -> list[Purpose]:
        return [p for p in self.purposes if not p.as_processor]

    @property
    def art14(self) -> bool:
        """The notice is also an Art 14 notice: some data does not come from the person."""
        return any(d.from_elsewhere for d in self.data)

    def law(self, key: str) -> Law | None:
        return next((law for law in self.laws if law.key == key), None)

    def offered(self, right: str) -> OfferedRight | None:
        return next((r for r in self.rights if r.right.key == right), None)


# --- building -----------------------------------------------------------------------------


def _text(values: list[Value]) -> str:
    return "\n\n".join(v.value for v in values if isinstance(v, Text))


def _texts(values: list[Value]) -> tuple[str, ...]:
    return tuple(v.value for v in values if isinstance(v, Text))


def _words(values: list[Value]) -> tuple[str, ...]:
    return tuple(v.value for v in values if isinstance(v, Word))


def _single(words: tuple[str, ...]) -> str:
    """The one word given, or "" when none or several are."""
    return words[0] if len(words) == 1 else ""


def _bool(values: list[Value]) -> bool | None:
    for value in values:
        if isinstance(value, Bool):
            return value.value
    return None


def _int(values: list[Value]) -> int | None:
    for value in values:
        if isinstance(value, Int):
            return value.value
    return None


def _date(values: list[Value]) -> dt.date | None:
    for value in values:
        if isinstance(value, Date):
            return value.value
    return None


def _refs(values: list[Value]) -> list[Ref]:
    return [v for v in values if isinstance(v, Ref)]


def _duration(values: list[Value]) -> Duration | None:
    return next((v.value for v in values if isinstance(v, TypedDuration)), None)


# The standard library's entities, built once per process and shared by every model: a library
# declaration's references reach only library declarations, so its entity never depends on a policy.
# Keyed by the declaration's id, with the declaration kept so that an id reused by a later object
# (after the library is loaded again, in tests) is never mistaken for it.
_LIBRARY_ENTITIES: dict[int, tuple[ast.Decl, object]] = {}


class _Builder:
    """Turns typed declarations into model entities, each built once."""

    def __init__(self, typed: Iterable[TypedDecl], lookup: dict[int, TypedDecl]) -> None:
        self.typed = list(typed)
        self.lookup = lookup  # id(decl) -> typed decl, for every declaration reached
        self.cache: dict[int, object] = {}

    def of(self, ref: Ref) -> TypedDecl | None:
        return self.lookup.get(id(ref.target.decl))

    def base(self, t: TypedDecl) -> dict[str, object]:
        decl = t.decl
        title = decl.title.value if decl.title else ""
        return {"key": decl.key, "title": title, "span": decl.header_span, "decl": decl}

    def entity(self, t: TypedDecl) -> object:
        key = id(t.decl)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        library = t.module.stdlib
        if library:
            shared = _LIBRARY_ENTITIES.get(key)
            if shared is not None and shared[0] is t.decl:
                self.cache[key] = shared[1]
                return shared[1]
        built = getattr(self, "build_" + t.decl.kind)(t)
        self.cache[key] = built
        if library:
            _LIBRARY_ENTITIES[key] = (t.decl, built)
        return built

    def resolve(self, values: list[Value]) -> list[object]:
        out = []
        for ref in _refs(values):
            target = self.of(ref)
            if target is not None and hasattr(self, "build_" + target.decl.kind):
                out.append(self.entity(target))
        return out

    def countries(self, values: list[Value]) -> tuple[str, ...]:
        return tuple(ref.name.split(".")[-1] for ref in _refs(values))

    def expand(self, values: list[Value]) -> frozenset[str]:
        """Country codes, with regions replaced by their members."""
        out: set[str] = set()
        for ref in _refs(values):
            target = self.of(ref)
            if target is not None and target.decl.kind == "region":
                out |= self.expand(target.get("countries"))
            else:
                out.add(ref.name.split(".")[-1])
        return frozenset(out)

    # -- standard-library kinds ------------------------------------------------------------
    def build_authority(self, t: TypedDecl) -> Authority:
        return Authority(**self.base(t), legal_name=_text(t.get("legal_name")),  # type: ignore[arg-type]
                         url=_text(t.get("url")), email=_text(t.get("email")), phone=_text(t.get("phone")),
                         address=_text(t.get("address")), country="".join(self.countries(t.get("country"))),
                         region=_text(t.get("region")), supervises=_words(t.get("supervises")))

    def build_law(self, t: TypedDecl) -> Law:
        return Law(**self.base(t), area=self.expand(t.get("area")),  # type: ignore[arg-type]
                   authorities=tuple(r.name for r in _refs(t.get("authority"))),
                   child_consent_age=_int(t.get("child_consent_age")))

    def build_right(self, t: TypedDecl) -> Right:
        return Right(**self.base(t), article=_text(t.get("article")),  # type: ignore[arg-type]
                     summary=_text(t.get("summary")), dpv=_text(t.get("dpv")),
                     universal=bool(_bool(t.get("universal"))),
                     laws=tuple(r.name for r in _refs(t.get("law"))))

    def build_basis(self, t: TypedDecl) -> Basis:
        return Basis(**self.base(t), article=_text(t.get("article")),  # type: ignore[arg-type]
                     grants=tuple(r.name for r in _refs(t.get("grants"))), requires=_words(t.get("requires")),
                     dpv=_text(t.get("dpv")), summary=_text(t.get("summary")),
                     laws=tuple(r.name for r in _refs(t.get("law"))), criminal=bool(_bool(t.get("criminal"))),
                     since=_date(t.get("since")))

    build_condition = build_basis

    def build_safeguard(self, t: TypedDecl) -> Safeguard:
        return Safeguard(**self.base(t), article=_text(t.get("article")),  # type: ignore[arg-type]
                         laws=tuple(r.name for r in _refs(t.get("law"))),
                         adequacy=bool(_bool(t.get("adequacy"))), copy_required=bool(_bool(t.get("copy_required"))),
                         derogation=bool(_bool(t.get("derogation"))), unspecified=bool(_bool(t.get("unspecified"))),
                         since=_date(t.get("since")), until=_date(t.get("until")), dpv=_text(t.get("dpv")),
                         summary=_text(t.get("summary")))

    def build_category(self, t: TypedDecl) -> Category:
        return Category(**self.base(t), dpv=_text(t.get("dpv")), fides=_text(t.get("fides")),  # type: ignore[arg-type]
                        special=bool(_bool(t.get("special"))), criminal=bool(_bool(t.get("criminal"))),
                        sensitive=bool(_bool(t.get("sensitive"))),
                        ccpa=tuple(self.resolve(t.get("ccpa"))))  # type: ignore[arg-type]

    def build_ccpa_category(self, t: TypedDecl) -> CcpaCategory:
        return CcpaCategory(**self.base(t), article=_text(t.get("article")),  # type: ignore[arg-type]
                            summary=_text(t.get("summary")))

    def build_provision(self, t: TypedDecl) -> Provision:
        return Provision(**self.base(t), laws=tuple(r.name for r in _refs(t.get("law"))),  # type: ignore[arg-type]
                         topic="".join(_words(t.get("topic"))), article=_text(t.get("article")),
                         text=_text(t.get("text")), since=_date(t.get("since")), until=_date(t.get("until")))

    def build_purpose_kind(self, t: TypedDecl) -> PurposeKind:
        return PurposeKind(**self.base(t), dpv=_text(t.get("dpv")), fides=_text(t.get("fides")),  # type: ignore[arg-type]
                           direct_marketing=bool(_bool(t.get("direct_marketing"))),
                           provides_service=bool(_bool(t.get("provides_service"))))

    def build_known_cookie(self, t: TypedDecl) -> KnownCookie:
        return KnownCookie(**self.base(t), patterns=_texts(t.get("pattern")),  # type: ignore[arg-type]
                           kind="".join(_words(t.get("kind"))), provider=_text(t.get("provider")))

    def build_adequacy(self, t: TypedDecl) -> Adequacy:
        law = _refs(t.get("law"))
        return Adequacy(**self.base(t), law=law[0].name if law else "",  # type: ignore[arg-type]
                        countries=self.expand(t.get("country")), since=_date(t.get("since")),
                        until=_date(t.get("until")), scope=_text(t.get("scope")),
                        certified_only=bool(_bool(t.get("certified_only"))))

    # -- author kinds ----------------------------------------------------------------------
    def contact_fields(self, t: TypedDecl) -> dict[str, object]:
        return {"legal_name": _text(t.get("legal_name")), "email": _text(t.get("email")),
                "phone": _text(t.get("phone")), "address": _text(t.get("address")), "url": _text(t.get("url")),
                "country": "".join(self.countries(t.get("country")))}

    def build_contact(self, t: TypedDecl) -> Contact:
        return Contact(**self.base(t), **self.contact_fields(t), role=_text(t.get("role")))  # type: ignore[arg-type]

    def build_controller(self, t: TypedDecl) -> Controller:
        dpo = self.resolve(t.get("dpo"))
        representative = self.resolve(t.get("representative"))
        return Controller(
            **self.base(t), **self.contact_fields(t),  # type: ignore[arg-type]
            registration=_text(t.get("registration")), ico_registration=_text(t.get("ico_registration")),
            trading_as=_texts(t.get("trading_as")),
            dpo=dpo[0] if dpo else None,  # type: ignore[arg-type]
            representative=representative[0] if representative else None,  # type: ignore[arg-type]
            representatives=tuple(representative),  # type: ignore[arg-type]
            authorities=tuple(self.resolve(t.get("authority"))),  # type: ignore[arg-type]
            authority_notes=tuple((r.name.rsplit(".", 1)[-1], r.note) for r in _refs(t.get("authority")) if r.note),
            public_body=bool(_bool(t.get("public_body"))), arrangement=_text(t.get("arrangement")),
        )

    def build_source(self, t: TypedDecl) -> Source:
        return Source(**self.base(t), legal_name=_text(t.get("legal_name")),  # type: ignore[arg-type]
                      description=_text(t.get("description")), public=_bool(t.get("public")),
                      url=_text(t.get("url")))

    def build_data(self, t: TypedDecl) -> Data:
        sources = t.get("source")
        keys = tuple(v.value if isinstance(v, Word) else v.name for v in sources if isinstance(v, (Word, Ref)))
        return Data(
            **self.base(t), includes=_texts(t.get("includes")),  # type: ignore[arg-type]
            description=_text(t.get("description")),
            categories=tuple(self.resolve(t.get("category"))),  # type: ignore[arg-type]
            special=tuple(self.resolve(t.get("special"))),  # type: ignore[arg-type]
            criminal=bool(_bool(t.get("criminal"))), sources=keys,
            named_sources=tuple(self.resolve(sources)),  # type: ignore[arg-type]
            required_for="".join(_words(t.get("required_for"))),
            if_not_provided=_text(t.get("if_not_provided")), subjects=_texts(t.get("subjects")),
        )

    def build_recipient(self, t: TypedDecl) -> Recipient:
        return Recipient(
            **self.base(t), role=_single(_words(t.get("role"))),  # type: ignore[arg-type]
            roles=_words(t.get("role")),
            legal_name=_text(t.get("legal_name")), description=_text(t.get("description")),
            includes=_texts(t.get("includes")), sector=_text(t.get("sector")),
            countries=self.countries(t.get("country")),
            countries_unnamed=UNNAMED in _words(t.get("country")),
            international_organisation=bool(_bool(t.get("international_organisation"))),
            safeguards=tuple(self.resolve(t.get("safeguard"))),  # type: ignore[arg-type]
            safeguard_copy=_text(t.get("safeguard_copy")), sells=_bool(t.get("sells")),
            shares=_bool(t.get("shares")), url=_text(t.get("url")), arrangement=_text(t.get("arrangement")),
        )

    def build_decision(self, t: TypedDecl) -> Decision:
        return Decision(
            **self.base(t), uses=tuple(self.resolve(t.get("uses"))),  # type: ignore[arg-type]
            description=_text(t.get("description")), logic=_text(t.get("logic")),
            significance=_text(t.get("significance")), consequences=_text(t.get("consequences")),
            solely_automated=_bool(t.get("solely_automated")), legal_effect=_bool(t.get("legal_effect")),
            safeguards=_words(t.get("safeguards")),
        )

    def basis_uses(self, values: list[Value]) -> tuple[BasisUse, ...]:
        out = []
        for ref in _refs(values):
            target = self.of(ref)
            if target is not None:
                basis = self.entity(target)
                if isinstance(basis, Basis):
                    out.append(BasisUse(basis, ref.note or "", ref.span))
        return tuple(out)

    def build_purpose(self, t: TypedDecl) -> Purpose:
        retention = next((v for v in t.get("retain") if isinstance(v, Retention)), None)
        return Purpose(
            **self.base(t), uses=tuple(self.resolve(t.get("uses"))),  # type: ignore[arg-type]
            description=_text(t.get("description")),
            kinds=tuple(self.resolve(t.get("kind"))),  # type: ignore[arg-type]
            bases=self.basis_uses(t.get("basis")), conditions=self.basis_uses(t.get("condition")),
            retention=_retention(retention) if retention else None,
            recipients=tuple(self.resolve(t.get("shares_with"))),  # type: ignore[arg-type]
            direct_marketing=bool(_bool(t.get("direct_marketing"))),
            decisions=tuple(self.resolve(t.get("automated_decisions"))),  # type: ignore[arg-type]
            subjects=_texts(t.get("subjects")), role="".join(_words(t.get("role"))) or "controller",
            on_behalf_of=_text(t.get("on_behalf_of")),
            shares_with_none="none" in _words(t.get("shares_with")),
            automated_decisions_none="none" in _words(t.get("automated_decisions")),
        )

    def build_cookie(self, t: TypedDecl) -> Cookie:
        provider = self.resolve(t.get("provider"))
        expires = t.get("expires")
        duration = _duration(expires)
        return Cookie(
            **self.base(t), provider=provider[0] if provider else None,  # type: ignore[arg-type]
            first_party="first_party" in _words(t.get("provider")),
            purposes=tuple(self.resolve(t.get("purpose"))),  # type: ignore[arg-type]
            expires=Expiry(duration) if duration else (Expiry() if _words(expires) else None),
            kind="".join(_words(t.get("kind"))), technology="".join(_words(t.get("technology"))) or "cookie",
            names=_texts(t.get("name")), description=_text(t.get("description")),
        )

    def build_section(self, t: TypedDecl) -> Section:
        base = self.base(t)
        if not base["title"]:
            base["title"] = _text(t.get("title"))
        return Section(**base, text=_text(t.get("text")), after="".join(_words(t.get("after"))))  # type: ignore[arg-type]

    def build_security(self, t: TypedDecl) -> Security:
        return Security(**self.base(t), measures=tuple(r.name for r in _refs(t.get("measures"))),  # type: ignore[arg-type]
                        certifications=_words(t.get("certifications")), hosting=self.countries(t.get("hosting")),
                        text=_text(t.get("text")))

    def build_rights(self, t: TypedDecl) -> RightsInfo:
        channels: list[str] = []
        for value in t.get("contact"):
            if isinstance(value, Text):
                channels.append(value.value)
            elif isinstance(value, Ref):
                target = self.of(value)
                contact = self.entity(target) if target is not None else None
                if isinstance(contact, Contact):
                    channels.extend(contact.channels)
        respond = _duration(t.get("respond_within"))
        return RightsInfo(
            **self.base(t), contact=tuple(channels), respond_within=respond,  # type: ignore[arg-type]
            fee=_text(t.get("fee")), verify=_text(t.get("verify")), withdraw=_text(t.get("withdraw")),
            object=_text(t.get("object")), complaints=_text(t.get("complaints")),
            describe=tuple((r.name, r.note or "") for r in _refs(t.get("describe"))),
            also=tuple(r.name for r in _refs(t.get("also"))),
            exclude=tuple((r.name, r.note or "") for r in _refs(t.get("exclude"))),
            text=_text(t.get("text")),
        )

    def build_policy(self, t: TypedDecl) -> PolicyInfo:
        informed = _duration(t.get("informed_within"))
        return PolicyInfo(
            **self.base(t), version=_text(t.get("version")), effective=_date(t.get("effective")),  # type: ignore[arg-type]
            reviewed=_date(t.get("reviewed")), language=_text(t.get("language")),
            jurisdictions=tuple(r.name for r in _refs(t.get("jurisdictions"))), audience=_words(t.get("audience")),
            url=_text(t.get("url")), summary=_text(t.get("summary")), changes=_text(t.get("changes")),
            cookie_consent="".join(_words(t.get("cookie_consent"))), cookie_wall=_bool(t.get("cookie_wall")),
            minimum_age=_int(t.get("minimum_age")),
            children=_text(t.get("children")), shares_with_none="none" in _words(t.get("shares_with")),
            automated_decisions_none="none" in _words(t.get("automated_decisions")),
            cookies_none="none" in _words(t.get("cookies")), sells=_bool(t.get("sells")),
            shares=_bool(t.get("shares")), sells_minors=_bool(t.get("sells_minors")),
            do_not_sell_url=_text(t.get("do_not_sell_url")), limit_use_url=_text(t.get("limit_use_url")),
            bases=self.basis_uses(t.get("bases")),
            dpia=_date(t.get("dpia")),
            informed_within=informed,
        )


def _retention(value: Retention) -> RetentionRule:
    return RetentionRule(
        span=value.span, period=value.period.value if value.period else None,
        after=value.after.name if value.after else "", until=value.until.name if value.until else "",
        unless=value.unless.name if value.unless else "", unless_reason=value.unless_reason or "",
        criteria=value.criteria or "", session=value.session, reason=value.reason or "",
    )


def build_model(own: list[TypedDecl], stdlib: list[TypedDecl], assertions: Iterable[ast.Assert] = ()) -> Model:
    """The model of one policy: `own` are its declarations (and its user imports'), `stdlib` the library's."""
    lookup = {id(t.decl): t for t in (*stdlib, *own)}
    builder = _Builder(own, lookup)
    by_kind: dict[str, list[object]] = {}
    for t in own:
        if hasattr(builder, "build_" + t.decl.kind):
            by_kind.setdefault(t.decl.kind, []).append(builder.entity(t))
    policies = by_kind.get("policy", [])
    model = Model(
        policy=policies[0] if policies else None,  # type: ignore[arg-type]
        controllers=by_kind.get("controller", []),  # type: ignore[arg-type]
        contacts=by_kind.get("contact", []),  # type: ignore[arg-type]
        data=by_kind.get("data", []),  # type: ignore[arg-type]
        purposes=by_kind.get("purpose", []),  # type: ignore[arg-type]
        recipients=by_kind.get("recipient", []),  # type: ignore[arg-type]
        sources=by_kind.get("source", []),  # type: ignore[arg-type]
        decisions=by_kind.get("decision", []),  # type: ignore[arg-type]
        cookies=by_kind.get("cookie", []),  # type: ignore[arg-type]
        sections=by_kind.get("section", []),  # type: ignore[arg-type]
        security=(by_kind.get("security") or [None])[0],  # type: ignore[arg-type]
        rights_info=(by_kind.get("rights") or [None])[0],  # type: ignore[arg-type]
        typed=own,
        assertions=list(assertions),
    )
    everything = [*stdlib, *own]
    provisions = _library_tables(stdlib, builder).copy_into(model)
    for t in own:
        _collect(model, builder, t, provisions)
    if model.policy is not None:
        laws = {t.decl.key: t for t in everything if t.decl.kind == "law"}
        model.laws = [builder.entity(laws[k]) for k in model.policy.jurisdictions if k in laws]  # type: ignore[misc]
    in_force = set(model.policy.jurisdictions) if model.policy is not None else None
    model.provisions = [p for p in provisions if in_force is None or in_force & set(p.laws)]
    _inherit_ccpa(model.all_categories)
    model.rights = derive_rights(model)
    model.transfers = derive_transfers(model)
    return model


@record(slots=True)
class _LibraryTables:
    """What the standard library contributes to every model's tables (rights, safeguards, categories,
    known cookies, provisions, adequacy decisions, regions, the lexicon), collected once per process."""

    typed: list[TypedDecl]
    tables: Model
    provisions: list[Provision]

    def copy_into(self, model: Model) -> list[Provision]:
        """Fill `model`'s tables with copies of the library's; returns a copy of the provisions."""
        tables = self.tables
        model.all_rights = dict(tables.all_rights)
        model.all_safeguards = dict(tables.all_safeguards)
        model.all_categories = dict(tables.all_categories)
        model.all_purpose_kinds = dict(tables.all_purpose_kinds)
        model.all_ccpa_categories = dict(tables.all_ccpa_categories)
        model.known_cookies = list(tables.known_cookies)
        model.adequacy = list(tables.adequacy)
        model.regions = dict(tables.regions)
        lexicon = tables.lexicon
        model.lexicon = Lexicon(dict(lexicon.titles), dict(lexicon.summaries), dict(lexicon.spans),
                                dict(lexicon.authorities))
        return list(self.provisions)


# By the identities of the typed declarations (a policy that uses fewer laws loads fewer modules); the
# entry keeps the declarations, so their ids cannot be reused while it stands.
_LIBRARY_TABLES: dict[tuple[int, ...], _LibraryTables] = {}


def _library_tables(stdlib: list[TypedDecl], builder: _Builder) -> _LibraryTables:
    """The library's tables for these typed declarations (the same objects in every check of a process)."""
    key = tuple(map(id, stdlib))
    known = _LIBRARY_TABLES.get(key)
    if known is not None:
        return known
    tables = Model(policy=None)
    provisions: list[Provision] = []
    for t in stdlib:
        _collect(tables, builder, t, provisions)
    if len(_LIBRARY_TABLES) >= 8:  # the library was loaded again (tests): forget the old ones
        _LIBRARY_TABLES.clear()
    _LIBRARY_TABLES[key] = _LibraryTables(list(stdlib), tables, provisions)
    return _LIBRARY_TABLES[key]


# The model's tables of library kinds, by name: the first declaration of a name is kept (the library's).
_KEYED_TABLES = {"right": "all_rights", "safeguard": "all_safeguards", "category": "all_categories",
                 "purpose_kind": "all_purpose_kinds", "ccpa_category": "all_ccpa_categories"}


def _collect(model: Model, builder: _Builder, t: TypedDecl, provisions: list[Provision]) -> None:
    """Add a declaration of a library kind (right, safeguard, category, ...) to the model's tables."""
    kind = t.decl.kind
    table = _KEYED_TABLES.get(kind)
    if table is not None:
        entity = builder.entity(t)
        assert isinstance(entity, Entity)
        getattr(model, table).setdefault(entity.key, entity)
    if kind == "known_cookie":
        known = builder.entity(t)
        assert isinstance(known, KnownCookie)
        model.known_cookies.append(known)
    elif kind == "provision":
        provision = builder.entity(t)
        assert isinstance(provision, Provision)
        provisions.append(provision)
    elif kind == "adequacy":
        model.adequacy.append(builder.entity(t))  # type: ignore[arg-type]
    elif kind == "region":
        model.regions[t.decl.key] = builder.expand(t.get("countries"))
    if kind in LEXICON_KINDS:
        _add_to_lexicon(model.lexicon, builder, t)


def _inherit_ccpa(categories: dict[str, Category]) -> None:
    """An entry with no CCPA category of its own takes its nearest ancestor's (`contact.email` -> `contact`)."""
    for key in sorted(categories, key=lambda k: k.count(".")):  # parents are settled before their children
        category = categories[key]
        if category.ccpa:
            continue
        parts = key.split(".")
        for end in range(len(parts) - 1, 0, -1):
            parent = categories.get(".".join(parts[:end]))
            if parent is not None and parent.ccpa:
                category.ccpa = parent.ccpa
                break


def _add_to_lexicon(lexicon: Lexicon, builder: _Builder, t: TypedDecl) -> None:
    """A later declaration of the same kind and key (the policy's own) replaces the library's."""
    kind, key = t.decl.kind, t.decl.key
    if not key:
        return
    title = t.decl.title.value if t.decl.title else ""
    if title:
        lexicon.titles[(kind, key)] = title
    summary = _text(t.get("summary"))
    if summary:
        lexicon.summaries[(kind, key)] = summary
    lexicon.spans[(kind, key)] = t.decl.header_span
    if kind == "authority":
        authority = builder.entity(t)
        assert isinstance(authority, Authority)
        lexicon.authorities[key] = authority


def derive_rights(model: Model) -> list[OfferedRight]:
    """The rights offered, in the order of the standard library.

    A right is offered only under a law in force: a CCPA-only notice does not offer the GDPR's erasure
    because a purpose rests on consent. A right the author adds with `also` is offered whatever its law
    (a promise beyond the law), and so is a right that names no law (an author's own).
    """
    laws = {law.key for law in model.laws}
    reasons: dict[str, list[str]] = {}
    owners: dict[str, dict[int, Purpose]] = {}  # by identity: comparing purposes field by field was quadratic

    def in_force(right: Right) -> bool:
        return not laws or not right.laws or bool(laws & set(right.laws))

    def grant(key: str, because: str, purpose: Purpose | None = None) -> None:
        right = model.all_rights.get(key)
        if right is not None and (because == "also" or in_force(right)):
            reasons.setdefault(key, [])
            if because not in reasons[key]:
                reasons[key].append(because)
            if purpose is not None:
                owners.setdefault(key, {}).setdefault(id(purpose), purpose)

    for right in model.all_rights.values():
        if right.universal and in_force(right):
            grant(right.key, "universal")
    for purpose in model.controller_purposes:
        for use in (*purpose.bases, *purpose.conditions):
            for granted in use.basis.grants:
                grant(granted, f"{'condition' if use in purpose.conditions else 'basis'} {use.basis.key}", purpose)
        if purpose.is_direct_marketing:
            grant("object_direct_marketing", "direct marketing", purpose)
        if purpose.decisions:
            grant("automated_decision", "automated decisions", purpose)
    info = model.rights_info
    for extra in info.also if info else ():
        grant(extra, "also")
    described = dict(info.describe) if info else {}
    excluded = dict(info.exclude) if info else {}
    order = list(model.all_rights)
    return [
        OfferedRight(model.all_rights[key], tuple(reasons[key]),
                     described.get(key) or model.all_rights[key].summary, excluded.get(key, ""),
                     tuple(owners.get(key, {}).values()))
        for key in sorted(reasons, key=order.index)
    ]


def derive_transfers(model: Model) -> list[Transfer]:
    """Each recipient country outside each law's area, with what covers it.

    A recipient with `country outside` has a transfer to UNNAMED under every law with an area, and an
    international organisation one to INTERNATIONAL: no adequacy decision covers either (a decision
    names its countries, and the standard library declares none for an international organisation).
    """
    if model.policy is None:
        return []
    on = model.policy.effective
    transfers: list[Transfer] = []
    for law in model.laws:
        if not law.area:
            continue  # a law without transfer rules (CCPA)
        decisions = [a for a in model.adequacy if a.law == law.key]
        for recipient in model.recipients:
            for country in recipient.countries:
                members = _members(model, country)
                if members and members <= law.area:
                    continue
                valid = _valid(recipient, law.key, on)
                relies = any(s.adequacy for s in recipient.safeguards)
                cover = next((a for a in decisions if all(a.covers(c, on) for c in members)
                              and (not a.certified_only or relies)), None)
                transfers.append(Transfer(recipient, country, law.key, cover, valid))
            valid = _valid(recipient, law.key, on)
            if recipient.countries_unnamed:
                transfers.append(Transfer(recipient, UNNAMED, law.key, None, valid))
            if recipient.international_organisation:
                transfers.append(Transfer(recipient, INTERNATIONAL, law.key, None, valid))
    return transfers


def _valid(recipient: Recipient, law: str, on: dt.date | None) -> tuple[Safeguard, ...]:
    """The recipient's mechanisms (other than adequacy) that exist under `law` and are in force `on`."""
    return tuple(s for s in recipient.safeguards if law in s.laws and not s.adequacy and s.in_force(on))


def _members(model: Model, code: str) -> frozenset[str]:
    """A country code, or a region's member codes."""
    return model.regions.get(code, frozenset({code}))
