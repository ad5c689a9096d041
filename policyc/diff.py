"""Semantic diff: what changed between two versions of a policy, read from their resolved models.

Entities are matched by name; those left over on both sides are paired by title and content
similarity, so a renamed purpose shows as a rename, not as a removal and an addition. Each change is
either material (a D code: people must be told before it applies, Art 13(3), 14(4)) or editorial.

- D001: a new purpose, a purpose whose basis changed, or one that now makes automated decisions;
- D002: a new recipient, a purpose sharing with a recipient it did not share with, a new country
  of transfer, or a recipient that now buys the data (`sells`);
- D003: a longer retention (of a purpose, or of a cookie's expiry), or one that is no longer concrete;
- D004: new data, a data declaration with new categories (special ones said so), or a purpose using
  data it did not use;
- D005: a right no longer offered, or newly withheld, unless it lapsed only because the purposes
  that granted it went (those purposes' own changes say so).

Everything else that differs in what a reader sees is an editorial change.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from policyc.diagnostics.model import Span
from policyc.model import (
    BasisUse,
    Category,
    Cookie,
    Data,
    Entity,
    Model,
    OfferedRight,
    PolicyInfo,
    Purpose,
    Recipient,
    RetentionRule,
)
from policyc.notice.english import (
    capfirst,
    country_text,
    date_text,
    duration_text,
    lcfirst,
    retention_text,
    words,
)
from policyc.records import field, record, replace
from policyc.schema import KINDS
from policyc.values import Expiry

MATERIAL = {
    "D001": "purpose-changed",
    "D002": "recipient-added",
    "D003": "retention-longer",
    "D004": "data-added",
    "D005": "right-removed",
}

# The model's lists of entities, in the order they are compared (leaves first, so that renames are
# known before references to them are compared): (list, kind of declaration, the word for readers).
_ENTITY_LISTS: tuple[tuple[str, str, str], ...] = (
    ("data", "data", "data"),
    ("recipients", "recipient", "recipient"),
    ("sources", "source", "source"),
    ("decisions", "decision", "automated decision"),
    ("purposes", "purpose", "purpose"),
    ("cookies", "cookie", "cookie"),
    ("controllers", "controller", "controller"),
    ("sections", "section", "section"),
)

# The facts of the model behind a field of the language (`schema.KINDS`), named as changes name them
# (the model's attribute, as the JSON model has it), where they are not the field's own name. A field
# mapped to nothing is compared elsewhere (the controllers as entities; `also` and `exclude` with the
# rights offered) or not reported (`informed_within`, `dpia`, `describe`).
_ASPECTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("purpose", "kind"): ("kinds",),
    ("purpose", "basis"): ("bases",),
    ("purpose", "condition"): ("conditions",),
    ("purpose", "retain"): ("retention",),
    ("purpose", "shares_with"): ("recipients", "shares_with_none"),
    ("purpose", "automated_decisions"): ("automated_decisions", "automated_decisions_none"),
    ("data", "category"): ("categories",),
    ("data", "source"): ("sources",),
    ("recipient", "role"): ("role", "roles"),
    ("recipient", "country"): ("countries", "countries_unnamed"),
    ("recipient", "safeguard"): ("safeguards",),
    ("cookie", "provider"): ("provider", "first_party"),
    ("cookie", "purpose"): ("purposes",),
    ("cookie", "name"): ("names",),
    ("controller", "representative"): ("representative", "representatives"),
    ("controller", "authority"): ("authorities",),
    ("policy", "controller"): (),  # the controllers are compared as entities
    ("policy", "shares_with"): ("shares_with_none",),
    ("policy", "automated_decisions"): ("automated_decisions_none",),
    ("policy", "cookies"): ("cookies_none",),
    ("policy", "informed_within"): (),
    ("policy", "dpia"): (),
    ("rights", "describe"): (),
    ("rights", "also"): (),
    ("rights", "exclude"): (),
}
# The model's attribute for an aspect, where its name differs.
_ATTRIBUTES = {("purpose", "automated_decisions"): "decisions"}

# Facts never reported as edits of their own: a data declaration's `criminal` shows to readers only
# together with its categories' flags, which are compared.
_SKIP = {"criminal"}

_LABELS = {
    "title": "title", "description": "description", "includes": "list of examples", "sources": "sources",
    "required_for": "whether it is required", "if_not_provided": "what happens if it is not provided",
    "subjects": "people concerned", "role": "role", "legal_name": "legal name", "sector": "sector",
    "safeguards": "transfer safeguards", "safeguard_copy": "how to get a copy of the safeguards",
    "shares": "whether it shares data", "url": "web address", "kinds": "kind of purpose",
    "conditions": "conditions for special-category data", "on_behalf_of": "on whose behalf",
    "direct_marketing": "direct marketing", "expires": "expiry", "kind": "kind", "technology": "technology",
    "names": "names", "provider": "provider", "purposes": "purposes", "email": "email address",
    "phone": "phone number", "address": "postal address", "registration": "registration number",
    "ico_registration": "ICO registration", "trading_as": "trading names", "country": "country",
    "dpo": "data protection officer", "representative": "representative", "authorities": "supervisory authorities",
    "text": "text", "after": "position", "logic": "logic involved", "significance": "significance",
    "consequences": "consequences", "solely_automated": "whether it is solely automated",
    "legal_effect": "whether it has legal or similarly significant effects", "uses": "data used",
    "public": "whether it is public", "retention": "retention", "bases": "legal basis",
    "categories": "data categories", "special": "special categories", "countries": "countries",
    "recipients": "recipients", "automated_decisions": "automated decisions", "sells": "whether it sells data",
    "version": "version", "effective": "effective date", "reviewed": "review date", "language": "language",
    "jurisdictions": "laws that apply", "audience": "audience", "summary": "summary",
    "changes": "text on changes", "cookie_consent": "cookie consent", "minimum_age": "minimum age",
    "children": "text on children", "shares_with_none": "whether data is shared with anyone",
    "do_not_sell_url": "\u201cdo not sell\u201d link", "limit_use_url": "\u201climit the use\u201d link",
    "contact": "contact details for rights", "respond_within": "response time", "fee": "fee",
    "verify": "identity checks", "withdraw": "how to withdraw consent", "object": "how to object",
    "complaints": "how to complain", "measures": "security measures", "certifications": "certifications",
    "hosting": "hosting countries",
}


@record(frozen=True)
class Change:
    """One difference between two versions, for people and for programs."""

    entity: str  # "purpose", "data", "recipient", "right", "policy", ...
    key: str  # the entity's name in the new version (the old one when it was removed)
    action: str  # "added", "removed", "changed" or "renamed"
    text: str  # one sentence for a reader of the notice
    code: str | None = None  # D001-D005 when material
    aspect: str = ""  # the field that changed, for "changed"
    before: str = ""
    after: str = ""
    old_key: str = ""  # the name in the old version, when it differs (renames)
    span: Span | None = None  # where the change is, in the new version (the old one for removals)
    internal: bool = False  # only the policy's source changed (a rename that readers cannot see)
    cause: tuple[str, ...] = ()  # for a right that comes or goes with purposes: which, and how

    @property
    def material(self) -> bool:
        return self.code is not None

    def to_data(self) -> dict[str, Any]:
        span = self.span
        return {
            "code": self.code, "material": self.material, "entity": self.entity, "key": self.key,
            "old_key": self.old_key or None, "action": self.action, "aspect": self.aspect or None,
            "before": self.before or None, "after": self.after or None, "text": self.text,
            "internal": self.internal, "cause": list(self.cause),
            "location": None if span is None else {
                "file": span.file, "line": span.line, "column": span.column},
        }


@record
class DiffResult:
    """The changes between two versions of a policy, with the versions' labels and dates."""

    old_label: str
    new_label: str
    old_version: str
    new_version: str
    old_effective: str
    new_effective: str
    changes: list[Change] = field(default_factory=list)

    @property
    def material(self) -> list[Change]:
        return [c for c in self.changes if c.material]

    @property
    def editorial(self) -> list[Change]:
        return [c for c in self.changes if not c.material]


# --- comparing ----------------------------------------------------------------------------------


def diff_models(old: Model, new: Model, old_label: str = "old", new_label: str = "new",
                files: Mapping[str, str] | None = None) -> DiffResult:
    """Every change from `old` to `new`, material ones first, each group in the new version's order.

    `files` renames the files of spans (a version read from git is checked in a temporary folder).
    """
    result = _Differ(old, new).run(old_label, new_label)
    if files:
        result.changes = [c if c.span is None or c.span.file not in files else
                          replace(c, span=replace(c.span, file=files[c.span.file])) for c in result.changes]
    return result


@cache
def aspects(kind: str) -> tuple[tuple[str, str], ...]:
    """(aspect, field) for each fact of a declaration of `kind` that the diff compares, in the order of the
    kind's fields in `schema.KINDS`: the aspect is the name a change gives it, the field the language's."""
    out: dict[str, str] = {}
    for spec in KINDS[kind].fields:
        for aspect in _ASPECTS.get((kind, spec.name), (spec.name,)):
            out.setdefault(aspect, spec.name)
    return tuple(out.items())


def _compared(kind: str) -> tuple[str, ...]:
    """The aspects compared one by one for a declaration of `kind`: its title, then its facts."""
    return tuple(dict.fromkeys(("title", *(aspect for aspect, _ in aspects(kind)))))


def _field_of(kind: str, aspect: str) -> str:
    """The field of the language that holds an aspect (to point at it)."""
    if aspect == "excluded":
        return "exclude"
    return next((name for fact, name in aspects(kind) if fact == aspect), aspect) if kind in KINDS else aspect


def _value(kind: str, entity: object, aspect: str) -> object:
    """The model's value of an aspect of an entity (None for an entity that is not there)."""
    if entity is None:
        return None
    return getattr(entity, _ATTRIBUTES.get((kind, aspect), aspect))


@record(frozen=True)
class _Named:
    """What a change says of something that is not an entity with a name of its own: the notice, its rights."""

    key: str
    title: str


def _title(item: Entity | _Named) -> str:
    title = item.title or getattr(item, "legal_name", "")
    return str(title) if title else str(item.key).replace("_", " ")


def _quoted(item: Entity | _Named) -> str:
    return f"\u201c{' '.join(_title(item).split())}\u201d"


def _key(value: object) -> str:
    """A reference by its name: an entity, a basis as a purpose uses it, or a name already."""
    if isinstance(value, BasisUse):
        return value.basis.key
    if isinstance(value, Entity):
        return value.key
    return str(value)


def _keys(value: object) -> list[str]:
    """The names in a reference or a list of references."""
    if isinstance(value, (tuple, list)):
        return [_key(v) for v in value]
    return [_key(value)] if value else []


def _plain(value: object) -> str:
    """A fact as short text, for `before` and `after`."""
    if value is None or value == "" or value == () or value == []:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(_key(v) for v in value)
    if isinstance(value, (Entity, BasisUse)):
        return _key(value)
    if isinstance(value, RetentionRule):
        parts = (("period", value.period), ("after", value.after), ("until", value.until), ("unless", value.unless),
                 ("unless_reason", value.unless_reason), ("criteria", value.criteria), ("session", value.session),
                 ("reason", value.reason))
        return "; ".join(f"{name} {_plain(part)}" for name, part in parts if _plain(part))
    return " ".join(str(value).split())


def _facts(kind: str, entity: Entity) -> set[str]:
    return {f"{aspect}={text}" for aspect, _ in aspects(kind)
            if aspect not in _SKIP and aspect != "title" and (text := _plain(_value(kind, entity, aspect)))}


def similarity(kind: str, old: Entity, new: Entity) -> float:
    """How alike two entities are, from 0 to 1: their titles (weighed more) and their other facts."""
    title = difflib.SequenceMatcher(None, _title(old).lower(), _title(new).lower()).ratio()
    facts_old, facts_new = _facts(kind, old), _facts(kind, new)
    union = facts_old | facts_new
    content = len(facts_old & facts_new) / len(union) if union else 1.0
    return 0.6 * title + 0.4 * content


RENAME_THRESHOLD = 0.6


def pair_renames(kind: str, old: Sequence[Entity], new: Sequence[Entity]) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of unmatched entities alike enough to be the same one renamed."""
    scored = sorted(((similarity(kind, o, n), i, j) for i, o in enumerate(old) for j, n in enumerate(new)),
                    key=lambda t: (-t[0], t[1], t[2]))
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for score, i, j in scored:
        if score < RENAME_THRESHOLD:
            break
        if i in taken_old or j in taken_new:
            continue
        taken_old.add(i)
        taken_new.add(j)
        pairs.append((i, j))
    return sorted(pairs, key=lambda p: p[1])


class _Differ:
    def __init__(self, old: Model, new: Model) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.renamed: dict[str, dict[str, str]] = {}  # list name -> old key -> new key
        self.old_spans = _spans(old)
        self.new_spans = _spans(new)

    def run(self, old_label: str, new_label: str) -> DiffResult:
        for list_name, kind, entity in _ENTITY_LISTS:
            self._entities(list_name, kind, entity)
        self._policy()
        self._rights()
        self._single(self.old.rights_info, self.new.rights_info, "rights", "How to exercise your rights")
        self._single(self.old.security, self.new.security, "security", "How we protect your data")
        order = {id(c): n for n, c in enumerate(self.changes)}
        changes = sorted(self.changes, key=lambda c: (not c.material, order[id(c)]))
        old_policy, new_policy = self.old.policy, self.new.policy
        return DiffResult(old_label, new_label, old_policy.version if old_policy else "",
                          new_policy.version if new_policy else "", _iso_date(old_policy), _iso_date(new_policy),
                          changes)

    # -- helpers

    def add(self, change: Change) -> None:
        self.changes.append(change)

    def span(self, entity: str, key: str, aspect: str = "", old: bool = False) -> Span | None:
        found = (self.old_spans if old else self.new_spans).get((entity, key))
        if found is None:
            return None
        return found.field_span(_field_of(found.decl.kind, aspect)) if aspect else found.span

    def mapped(self, list_name: str, keys: Iterable[str]) -> list[str]:
        """Old references expressed in the new version's names."""
        renames = self.renamed.get(list_name, {})
        return [renames.get(k, k) for k in keys]

    def title_of(self, list_name: str, key: str) -> str:
        for model in (self.new, self.old):
            for item in getattr(model, list_name):
                if item.key == key:
                    return _quoted(item)
        return f"\u201c{key.replace('_', ' ')}\u201d"

    # -- entities

    def _entities(self, list_name: str, kind: str, entity: str) -> None:
        old_items: list[Entity] = getattr(self.old, list_name)
        new_items: list[Entity] = getattr(self.new, list_name)
        old_by_key = {o.key: o for o in old_items}
        new_keys = {n.key for n in new_items}
        gone = [o for o in old_items if o.key not in new_keys]
        fresh = [n for n in new_items if n.key not in old_by_key]
        renames = {gone[i].key: fresh[j].key for i, j in pair_renames(kind, gone, fresh)}
        self.renamed[list_name] = renames
        old_for_new = {new_key: old_by_key[old_key] for old_key, new_key in renames.items()}
        for item in new_items:
            before = old_by_key.get(item.key) or old_for_new.get(item.key)
            if before is None:
                self._added(list_name, entity, item)
                continue
            if before.key != item.key:
                self._renamed(entity, before, item)
            self._compare(list_name, kind, entity, before, item)
        for item in gone:
            if item.key not in renames:
                self._removed(list_name, entity, item)

    def _added(self, list_name: str, entity: str, item: Entity) -> None:
        span = self.span(entity, item.key)
        code: str | None = None
        text = f"New {entity}: {_quoted(item)}."
        if isinstance(item, Purpose) and not item.as_processor:
            code = "D001"
            bases = [_title(use.basis) for use in item.bases]
            text = f"We now use your data for a new purpose: {_quoted(item)}" + (
                f" (legal basis: {', '.join(bases)})." if bases else ".")
        elif isinstance(item, Recipient):
            code = "D002"
            text = f"We now share data with a new recipient: {_quoted(item)}" + (
                f", in {', '.join(self.country(c) for c in item.countries)}." if item.countries else ".")
        elif isinstance(item, Data):
            code = "D004"
            special = [_title(c) for c in (*item.special, *item.categories) if c.special]
            text = f"We now collect new data: {_quoted(item)}" + (
                f", which includes special-category data ({', '.join(special)})." if special else ".")
        elif isinstance(item, Cookie):
            text = f"We now use a new cookie or similar technology: {_quoted(item)}."
        elif isinstance(item, Purpose):
            text = f"New service we provide on behalf of our customers: {_quoted(item)}."
        self.add(Change(entity, item.key, "added", text, code, span=span))

    def _removed(self, list_name: str, entity: str, item: Entity) -> None:
        verbs = {"purposes": "We no longer use your data for", "recipients": "We no longer share data with",
                 "data": "We no longer collect", "cookies": "We no longer use the cookie"}
        verb = verbs.get(list_name)
        text = f"{verb} {_quoted(item)}." if verb else f"Removed {entity}: {_quoted(item)}."
        self.add(Change(entity, item.key, "removed", text, span=self.span(entity, item.key, old=True)))

    def _renamed(self, entity: str, before: Entity, after: Entity) -> None:
        visible = _title(before) != _title(after)
        text = (f"{_quoted(before)} is now called {_quoted(after)}." if visible else
                f"The {entity} {_quoted(after)} has a new name in the policy source "
                f"(`{before.key}` is now `{after.key}`); the notice reads the same.")
        self.add(Change(entity, after.key, "renamed", text, aspect="title" if visible else "",
                        before=_title(before) if visible else before.key,
                        after=_title(after) if visible else after.key, old_key=before.key,
                        span=self.span(entity, after.key), internal=not visible))

    def _compare(self, list_name: str, kind: str, entity: str, before: Entity, after: Entity) -> None:
        if isinstance(before, Purpose) and isinstance(after, Purpose):
            self._purpose(before, after)
        elif isinstance(before, Recipient) and isinstance(after, Recipient):
            self._recipient(before, after)
        elif isinstance(before, Data) and isinstance(after, Data):
            self._data(before, after)
        elif isinstance(before, Cookie) and isinstance(after, Cookie):
            self._cookie(before, after)
        done = _HANDLED.get(list_name, set())
        references = _REFERENCES.get(list_name, {})
        renamed_title = before.key != after.key and _title(before) != _title(after)
        for name in _compared(kind):
            if name in _SKIP or name in done or (name == "title" and renamed_title):
                continue
            old_value, value = _value(kind, before, name), _value(kind, after, name)
            if name in references:
                old_value = self.mapped(references[name], _keys(old_value))
                value = _keys(value)
            if _plain(old_value) == _plain(value):
                continue
            self.edit(entity, after, name, _plain(old_value), _plain(value))

    def edit(self, entity: str, item: Entity | _Named, aspect: str, before: str, after: str,
             code: str | None = None, text: str = "") -> None:
        label = _LABELS.get(aspect, aspect.replace("_", " "))
        if not text:
            if aspect == "title":
                text = f"\u201c{before}\u201d is now called \u201c{after}\u201d."
            elif not before:
                text = f"{capfirst(entity)} {_quoted(item)}: {label} added."
            elif not after:
                text = f"{capfirst(entity)} {_quoted(item)}: {label} removed."
            else:
                text = f"{capfirst(entity)} {_quoted(item)}: {label} changed."
        self.add(Change(entity, item.key, "changed", text, code, aspect, before, after,
                        span=self.span(entity, item.key, aspect)))

    def country(self, code: str) -> str:
        return country_text(self.new.lexicon, code)

    # -- material facts

    def _purpose(self, before: Purpose, after: Purpose) -> None:
        processor = after.as_processor
        old_bases = [use.basis.key for use in before.bases]
        new_bases = [use.basis.key for use in after.bases]
        if sorted(old_bases) != sorted(new_bases):
            names = {use.basis.key: use.basis.title for use in (*before.bases, *after.bases)}
            was = " and ".join(lcfirst(names[b]) for b in old_bases) or "none"
            now = " and ".join(lcfirst(names[b]) for b in new_bases) or "none"
            text = f"{_quoted(after)}: the legal basis changed from {was} to {now}."
            self.edit("purpose", after, "bases", was, now, None if processor else "D001", text)
        elif [(use.basis.key, use.note) for use in before.bases] != [(use.basis.key, use.note) for use in after.bases]:
            self.edit("purpose", after, "bases", _notes(before), _notes(after))
        for name, list_name, code, phrase in (
            ("uses", "data", "D004", "now uses {}"),
            ("recipients", "recipients", "D002", "now shares data with {}"),
            ("automated_decisions", "decisions", "D001", "now makes automated decisions: {}"),
        ):
            was_refs = self.mapped(list_name, _keys(_value("purpose", before, name)))
            now_refs = _keys(_value("purpose", after, name))
            added = [k for k in now_refs if k not in was_refs]
            dropped = [k for k in was_refs if k not in now_refs]
            if added:
                titles = ", ".join(self.title_of(list_name, k) for k in added)
                self.edit("purpose", after, name, ", ".join(was_refs), ", ".join(now_refs),
                          None if processor else code, f"{_quoted(after)} {phrase.format(titles)}.")
            elif dropped:
                self.edit("purpose", after, name, ", ".join(was_refs), ", ".join(now_refs))
        self._retention(before, after, processor)

    def _retention(self, before: Purpose, after: Purpose, processor: bool) -> None:
        old_rule, new_rule = before.retention, after.retention
        if _plain(old_rule) == _plain(new_rule):
            return
        was = retention_text(self.old.lexicon, old_rule) or "Not stated"
        now = retention_text(self.new.lexicon, new_rule) or "Not stated"
        longer = new_rule.may_keep_longer_than(old_rule) if new_rule is not None else old_rule is not None
        text = (f"{_quoted(after)}: we now keep your data for longer: {lcfirst(now)} (it was {lcfirst(was)})."
                if longer else f"{_quoted(after)}: how long we keep your data changed to {lcfirst(now)} "
                f"(it was {lcfirst(was)}).")
        self.edit("purpose", after, "retention", was, now, "D003" if longer and not processor else None, text)

    def _recipient(self, before: Recipient, after: Recipient) -> None:
        old_countries, new_countries = list(before.countries), list(after.countries)
        added = [c for c in new_countries if c not in old_countries]
        if added:
            self.edit("recipient", after, "countries", ", ".join(old_countries), ", ".join(new_countries), "D002",
                      f"{_quoted(after)} now receives data in {', '.join(self.country(c) for c in added)}.")
        elif old_countries != new_countries:
            self.edit("recipient", after, "countries", ", ".join(old_countries), ", ".join(new_countries))
        for name, text in (("countries_unnamed", "in countries outside the area of our data protection law that "
                            "this notice does not name"), ("international_organisation", "as an international "
                                                             "organisation")):
            if getattr(after, name) and not getattr(before, name):
                self.edit("recipient", after, name, "no", "yes", "D002", f"{_quoted(after)} now receives data {text}.")
        if after.sells is True and before.sells is not True:
            self.edit("recipient", after, "sells", _plain(before.sells), "yes", "D002",
                      f"We now sell personal information to {_quoted(after)}.")
        elif before.sells != after.sells:
            self.edit("recipient", after, "sells", _plain(before.sells), _plain(after.sells))

    def _data(self, before: Data, after: Data) -> None:
        for name in ("categories", "special"):
            was = _keys(getattr(before, name))
            now_items: tuple[Category, ...] = getattr(after, name)
            added = [c for c in now_items if c.key not in was]
            if added:
                special = [c for c in added if c.special or name == "special"]
                titles = ", ".join(_title(c) for c in added)
                text = (f"{_quoted(after)} now includes special-category data: {titles}." if special else
                        f"{_quoted(after)} now includes more kinds of data: {titles}.")
                self.edit("data", after, name, ", ".join(was), ", ".join(_keys(now_items)), "D004", text)
            elif was != _keys(now_items):
                self.edit("data", after, name, ", ".join(was), ", ".join(_keys(now_items)))

    def _cookie(self, before: Cookie, after: Cookie) -> None:
        old_expiry, new_expiry = before.expires, after.expires
        if old_expiry != new_expiry:
            longer = _days(new_expiry) > _days(old_expiry)
            was = duration_text(old_expiry) if old_expiry else "not stated"
            now = duration_text(new_expiry) if new_expiry else "not stated"
            text = f"The cookie {_quoted(after)} now lasts {now} (it lasted {was})."
            self.edit("cookie", after, "expires", was, now, "D003" if longer else None, text)

    # -- the rest

    def _policy(self) -> None:
        before, after = self.old.policy, self.new.policy
        item = _Named("policy", after.title if after is not None and after.title else "the notice")
        for name in _compared("policy"):
            if name in ("version", "effective", "reviewed"):
                continue  # the version itself: shown in the heading of the change history, not as a change
            was, now = _plain(_value("policy", before, name)), _plain(_value("policy", after, name))
            if after is not None and was != now:
                self.edit("policy", item, name, was, now, text=f"The notice's {_LABELS.get(name, name)} changed.")

    def _rights(self) -> None:
        old = {r.right.key: r for r in self.old.rights}
        new = {r.right.key: r for r in self.new.rights}
        renames = self.renamed.get("purposes", {})
        for key, right in new.items():
            if key not in old:
                causes = self._causes(key, self.new, self.old, {n: o for o, n in renames.items()}, gained=True)
                self.add(Change("right", key, "added", f"You now have the {_right_name(right)}{_because(causes)}.",
                                span=self.rights_span(causes), cause=tuple(text for text, _ in causes)))
            elif right.excluded and not old[key].excluded:
                self.add(Change("right", key, "changed", f"The {_right_name(right)} is now withheld: "
                                f"{' '.join(right.excluded.split())}", "D005", "excluded", "",
                                right.excluded, span=self.span("rights", "rights", "excluded")))
            elif old[key].excluded and not right.excluded:
                self.add(Change("right", key, "changed", f"The {_right_name(right)} is no longer withheld.",
                                aspect="excluded", before=old[key].excluded,
                                span=self.span("rights", "rights")))
        for key, right in old.items():
            if key not in new:
                causes = self._causes(key, self.old, self.new, renames, gained=False)
                self.add(Change("right", key, "removed",
                                f"The {_right_name(right)} is no longer offered{_because(causes)}.", "D005",
                                span=self.rights_span(causes), cause=tuple(text for text, _ in causes)))

    @staticmethod
    def _causes(right: str, had: Model, lacks: Model, renames: dict[str, str],
                gained: bool) -> list[tuple[str, str]]:
        """Why a right comes or goes with the purposes: (reason, purpose name) for each purpose in `had`
        that grants it and has no counterpart in `lacks` that does."""
        others = {p.key: p for p in lacks.controller_purposes}
        causes: list[tuple[str, str]] = []
        for purpose in had.controller_purposes:
            if right not in _granted_by(purpose):
                continue
            counterpart = others.get(renames.get(purpose.key, purpose.key))
            title = f"\u201c{' '.join((purpose.title or words(purpose.key)).split())}\u201d"
            if counterpart is None:
                causes.append((f"we {'now' if gained else 'no longer'} use your data for {title}", purpose.key))
            elif right not in _granted_by(counterpart):
                causes.append((f"the legal basis for {title} changed", purpose.key if gained else counterpart.key))
        return causes

    def rights_span(self, causes: Sequence[tuple[str, str]]) -> Span | None:
        """Where a change of rights shows: the `rights` declaration, else the purpose causing it, else the policy."""
        for entity, key in (("rights", "rights"), *(("purpose", k) for _, k in causes), ("policy", "policy")):
            found = self.span(entity, key) or self.span(entity, key, old=True)
            if found is not None:
                return found
        return None

    def _single(self, before: Entity | None, after: Entity | None, kind: str, title: str) -> None:
        item = _Named(kind, title)
        for name, _ in aspects(kind):
            was, now = _plain(_value(kind, before, name)), _plain(_value(kind, after, name))
            if was != now:
                self.edit(kind, item, name, was, now, text=f"{title}: {_LABELS.get(name, name)} changed.")


# Aspects each special comparison reports itself.
_HANDLED: dict[str, set[str]] = {
    "purposes": {"bases", "uses", "recipients", "automated_decisions", "retention"},
    "recipients": {"countries", "sells"},
    "data": {"categories", "special"},
    "cookies": {"expires"},
}
# Aspects that hold references to other entities, by the list they refer to (compared through renames).
_REFERENCES: dict[str, dict[str, str]] = {
    "cookies": {"provider": "recipients", "purposes": "purposes"},
    "decisions": {"uses": "data"},
    "data": {"sources": "sources"},
}


def _iso_date(policy: PolicyInfo | None) -> str:
    return policy.effective.isoformat() if policy is not None and policy.effective else ""


def _right_name(right: OfferedRight) -> str:
    title = " ".join((right.right.title or right.right.key).split())
    return lcfirst(title) if title.lower().startswith("right") else f"right: {title}"


def _granted_by(purpose: Purpose) -> set[str]:
    """The rights a controller purpose brings with it (as the model derives them)."""
    granted = {g for use in (*purpose.bases, *purpose.conditions) for g in use.basis.grants}
    if purpose.is_direct_marketing:
        granted.add("object_direct_marketing")
    if purpose.decisions:
        granted.add("automated_decision")
    return granted


def _because(causes: Sequence[tuple[str, str]]) -> str:
    return f", because {_and([text for text, _ in causes])}" if causes else ""


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _notes(purpose: Purpose) -> str:
    return "; ".join(f"{use.basis.key}: {use.note}" if use.note else use.basis.key for use in purpose.bases)


def _spans(model: Model) -> dict[tuple[str, str], Entity]:
    """The declarations of a model, by (entity word, name), to place each change."""
    found: dict[tuple[str, str], Entity] = {}
    for list_name, _, word in _ENTITY_LISTS:
        for entity in getattr(model, list_name):
            found[(word, entity.key)] = entity
    if model.rights_info is not None:
        found[("rights", "rights")] = model.rights_info
    if model.security is not None:
        found[("security", "security")] = model.security
    if model.policy is not None:
        found[("policy", "policy")] = model.policy
    return found


def _days(expiry: Expiry | None) -> float:
    """A cookie's expiry in days, to compare two (a session cookie lasts less than a day)."""
    return expiry.days if expiry is not None else 0.0


# --- rendering ----------------------------------------------------------------------------------


def _where(change: Change) -> str:
    span = change.span
    return f"{span.file}:{span.line}:{span.column}: " if span is not None else ""


def _versions(result: DiffResult) -> tuple[str, str]:
    def name(label: str, version: str, effective: str) -> str:
        parts = [f"version {version}" if version else "", f"effective {effective}" if effective else ""]
        extra = ", ".join(p for p in parts if p)
        return f"{label} ({extra})" if extra else label

    return (name(result.old_label, result.old_version, result.old_effective),
            name(result.new_label, result.new_version, result.new_effective))


def render_text(result: DiffResult) -> str:
    """One line per change, `file:line:col: D001 material: ...`, then a summary line."""
    lines = []
    for change in result.changes:
        tag = f"{change.code} material" if change.code else "editorial"
        lines.append(f"{_where(change)}{tag}: {change.text}")
    old, new = _versions(result)
    count = len(result.changes)
    lines.append(f"{old} -> {new}: {count} change{'' if count == 1 else 's'}, "
                 f"{len(result.material)} material" if count else f"{old} -> {new}: no changes")
    return "\n".join(lines) + "\n"


def render_json(result: DiffResult) -> str:
    import json

    data = {
        "version": 1,
        "old": {"source": result.old_label, "version": result.old_version or None,
                "effective": result.old_effective or None},
        "new": {"source": result.new_label, "version": result.new_version or None,
                "effective": result.new_effective or None},
        "summary": {"changes": len(result.changes), "material": len(result.material),
                    "editorial": len(result.editorial)},
        "changes": [c.to_data() for c in result.changes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def history_view(result: DiffResult) -> dict[str, Any]:
    """The change history as the notice's templates get it (`notice.history`): plain text, escaped there."""
    def when(effective: str) -> str:
        import datetime as dt

        try:
            return date_text(dt.date.fromisoformat(effective)) if effective else ""
        except ValueError:
            return effective

    visible = [c for c in result.changes if not c.internal]
    since = f"version {result.old_version}" if result.old_version else "the previous version"
    if result.old_effective:
        since += f" (effective from {when(result.old_effective)})"
    return {
        "since": since,
        "previous_version": result.old_version,
        "previous_effective": when(result.old_effective),
        "material": [c.text for c in visible if c.material],
        "editorial": [c.text for c in visible if not c.material],
    }


def render_markdown(result: DiffResult, level: int = 2) -> str:
    """A "What changed in this version" section, ready to paste into the notice's change history: the
    same group of statements the notice's "Changes to this notice" shows, rendered by the same template."""
    from policyc.backends.markdown import render_blocks
    from policyc.notice.compose import history_group

    return render_blocks([history_group(history_view(result), None, level)])
