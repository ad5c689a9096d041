"""The standard library as the strategies see it: which names exist, where, and what they mean.

Everything here is read from the loaded standard library (`stdlib/*.policy`), never from lists in
Python, so the generated policies follow the library as it changes: a new purpose kind, country or
adequacy decision is used by the strategies as soon as it is declared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from policyc.driver import stdlib_typed
from policyc.model import Adequacy, Category, Right, Safeguard, build_model
from policyc.records import field, record
from policyc.resolver import PRELUDE, Program, stdlib_names
from policyc.typecheck import Bool, Ref, Word


@record(frozen=True, slots=True)
class Grounds:
    """A lawful basis (Art 6) or a condition (Art 9, Art 10) and what a purpose using it must state."""

    key: str
    requires: frozenset[str]  # `interest`, `law_citation`, `explicit`, `withdrawal`
    criminal: bool = False  # an Art 10 condition


@record(frozen=True)
class Vocabulary:
    """The names the standard library declares, by module and kind, and the facts the strategies need.

    Build it with `vocabulary()` (cached per process). `visible(kind, jurisdictions)` gives the names
    a policy answering to those laws can write unqualified, without an ambiguity (N006).
    """

    declared: Mapping[str, Mapping[str, tuple[str, ...]]]  # module -> kind -> names, in declaration order
    prelude: tuple[str, ...]  # the modules every file sees
    laws: tuple[str, ...]  # the keys of the `law` declarations, each the name of its module
    law_areas: Mapping[str, frozenset[str]]  # law -> the country codes inside its area (empty: no transfer rules)
    regions: Mapping[str, frozenset[str]]  # region code -> member country codes
    adequacy: tuple[Adequacy, ...]
    categories: Mapping[str, Category]
    bases: Mapping[str, Grounds]
    conditions: Mapping[str, Grounds]
    safeguards: Mapping[str, Safeguard]
    rights: Mapping[str, Right]
    _visible: dict[tuple[str, tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False)

    # -- scope -------------------------------------------------------------------------------
    def in_scope(self, jurisdictions: Iterable[str], uses: Iterable[str] = ()) -> tuple[str, ...]:
        """The standard-library modules a policy sees: the prelude, its laws' modules and what it `use`s."""
        extra = [m for m in (*jurisdictions, *uses) if m in self.declared and m not in self.prelude]
        return (*self.prelude, *dict.fromkeys(extra))

    def visible(self, kind: str, jurisdictions: Iterable[str], uses: Iterable[str] = ()) -> tuple[str, ...]:
        """The names of `kind` that resolve unqualified, and unambiguously, in a policy with these laws.

        The lookup order is the resolver's: the modules a file imports (its laws and `use`s) first,
        then the prelude; a name two imported modules both declare is ambiguous and left out.
        """
        key = (kind, tuple(jurisdictions), tuple(uses))
        known = self._visible.get(key)
        if known is None:
            known = self._visible[key] = self._find_visible(kind, key[1], key[2])
        return known

    def _find_visible(self, kind: str, jurisdictions: tuple[str, ...], uses: tuple[str, ...]) -> tuple[str, ...]:
        imported = [m for m in self.in_scope(jurisdictions, uses) if m not in self.prelude]
        counts: dict[str, int] = {}
        for module in imported:
            for name in self.declared[module].get(kind, ()):
                counts[name] = counts.get(name, 0) + 1
        names = [n for n, count in counts.items() if count == 1]
        prelude: dict[str, int] = {}
        for module in self.prelude:
            for name in self.declared[module].get(kind, ()):
                if name not in counts:
                    prelude[name] = prelude.get(name, 0) + 1
        names.extend(n for n, count in prelude.items() if count == 1)
        return tuple(names)

    # -- facts -------------------------------------------------------------------------------
    def special_categories(self) -> tuple[str, ...]:
        """Art 9 special categories (`special yes`), excluding criminal-offence data."""
        return tuple(k for k, c in self.categories.items() if c.special and not c.criminal)

    def criminal_categories(self) -> tuple[str, ...]:
        return tuple(k for k, c in self.categories.items() if c.criminal)

    def ordinary_categories(self) -> tuple[str, ...]:
        """Categories that are neither special nor criminal-offence data."""
        return tuple(k for k, c in self.categories.items() if not c.special and not c.criminal)

    def art9_conditions(self) -> tuple[str, ...]:
        return tuple(k for k, g in self.conditions.items() if not g.criminal)

    def art10_conditions(self) -> tuple[str, ...]:
        return tuple(k for k, g in self.conditions.items() if g.criminal)

    def transfer_laws(self, jurisdictions: Iterable[str]) -> tuple[str, ...]:
        """The laws among `jurisdictions` that restrict transfers (those with an area)."""
        return tuple(law for law in jurisdictions if self.law_areas.get(law))

    def members(self, code: str) -> frozenset[str]:
        """A country code, or a region's member codes."""
        return self.regions.get(code, frozenset({code}))

    def covered(self, law: str, country: str, on: dt.date | None) -> bool:
        """Does data go to `country` without needing a safeguard under `law` on that date?

        True inside the law's area, or where an adequacy decision of the law covers every member
        country on the date. Decisions limited to certified organisations do not count: a recipient
        must claim them (`safeguard adequacy`).
        """
        members = self.members(country)
        if members <= self.law_areas.get(law, frozenset()):
            return True
        return any(a.law == law and not a.certified_only and all(a.covers(c, on) for c in members)
                   for a in self.adequacy)

    def unprotected_countries(self, law: str, on: dt.date | None) -> tuple[str, ...]:
        """Countries a transfer to which needs a safeguard under `law` on that date (no adequacy)."""
        return tuple(c for c in self.declared["places"].get("country", ()) if not self.covered(law, c, on))

    def protected_countries(self, law: str, on: dt.date | None) -> tuple[str, ...]:
        """Countries (and regions) inside the law's area or covered by one of its adequacy decisions."""
        places = self.declared["places"]
        return tuple(c for c in (*places.get("country", ()), *places.get("region", ())) if self.covered(law, c, on))

    def safeguards_for(self, laws: Sequence[str]) -> tuple[str, ...]:
        """Transfer mechanisms valid under every one of `laws` (adequacy and derogations left out)."""
        return tuple(k for k, s in self.safeguards.items()
                     if not s.adequacy and not s.derogation and all(law in s.laws for law in laws))

    def rights_of(self, jurisdictions: Iterable[str]) -> tuple[str, ...]:
        """The rights visible to a policy with these laws."""
        return self.visible("right", jurisdictions)


def _words(values: Iterable[object]) -> frozenset[str]:
    return frozenset(v.value for v in values if isinstance(v, Word))


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary of the installed standard library (loaded once per process)."""
    program = Program()
    program.load_prelude()
    for name in stdlib_names():
        program.stdlib(name)
    typed = stdlib_typed(program)
    model = build_model([], typed)
    declared: dict[str, dict[str, list[str]]] = {}
    bases: dict[str, Grounds] = {}
    conditions: dict[str, Grounds] = {}
    areas: dict[str, frozenset[str]] = {}
    laws: list[str] = []
    for t in typed:
        if t.decl.name is None:
            continue
        kind, key = t.decl.kind, t.decl.key
        declared.setdefault(t.module.name, {}).setdefault(kind, []).append(key)
        if kind == "basis":
            bases[key] = Grounds(key, _words(t.get("requires")))
        elif kind == "condition":
            criminal = t.first("criminal")
            conditions[key] = Grounds(key, _words(t.get("requires")), isinstance(criminal, Bool) and criminal.value)
        elif kind == "law":
            laws.append(key)
            codes: set[str] = set()
            for value in t.get("area"):
                if isinstance(value, Ref):
                    codes |= model.regions.get(value.name, frozenset({value.name}))
            areas[key] = frozenset(codes)
    return Vocabulary(
        declared={m: {k: tuple(v) for k, v in kinds.items()} for m, kinds in declared.items()},
        prelude=tuple(m for m in PRELUDE if m in declared),
        laws=tuple(laws),
        law_areas=areas,
        regions=dict(model.regions),
        adequacy=tuple(model.adequacy),
        categories=dict(model.all_categories),
        bases=bases,
        conditions=conditions,
        safeguards=dict(model.all_safeguards),
        rights=dict(model.all_rights),
    )
