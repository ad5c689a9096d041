"""The standard library: well-typed, and its facts agree with W3C DPV 2.3 (copied to tests/data/dpv)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from policyc.resolver import PRELUDE, Program, stdlib_names
from policyc.typecheck import Bool, Ref, Text, TypeChecker, TypedDecl

DATA = Path(__file__).resolve().parent.parent / "data" / "dpv"
PREFIXES = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "loc": "https://w3id.org/dpv/loc#",
}
GDPR = PREFIXES["eu-gdpr"]

# Where the standard library deliberately differs from DPV's legal_basis_rights_mapping, and why.
# Keys: (basis, right IRI suffix); "+" = we grant and DPV does not, "-" = DPV lists it and we do not.
DELIBERATE = {
    ("consent", "A22", "-"): "Art 22 is granted by a purpose's `automated_decisions`, not by its basis",
    ("contract", "A22", "-"): "Art 22 is granted by a purpose's `automated_decisions`, not by its basis",
    ("legal_obligation", "A14", "+"): "`informed` covers Arts 13 and 14 under every basis; the Art 14(5)(c) "
    "exemption (obtaining laid down by law) is narrower than the basis",
    ("vital_interests", "A22", "-"): "Art 22 is granted by a purpose's `automated_decisions`, not by its basis",
    ("public_task", "A22", "-"): "Art 22 is granted by a purpose's `automated_decisions`, not by its basis",
    ("legitimate_interests", "A22", "-"): "Art 22 is granted by a purpose's `automated_decisions`, not by its basis",
}


@pytest.fixture(scope="module")
def program() -> Program:
    program = Program()
    program.load_prelude()
    for name in stdlib_names():
        program.stdlib(name)
    return program


@pytest.fixture(scope="module")
def typed(program: Program) -> list[TypedDecl]:
    checker = TypeChecker(program)
    decls = [d for name in stdlib_names() for d in checker.check_module(program.modules[name])]
    problems = [f"{d.span.file}:{d.span.line}: {d.code} {d.message}" for d in checker.diagnostics]
    assert problems == []
    return decls


def iris() -> set[str]:
    return set((DATA / "iris.txt").read_text(encoding="utf-8").split())


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


def test_every_stdlib_module_parses_cleanly(program: Program) -> None:
    assert program.diagnostics == []
    assert set(PRELUDE) <= set(stdlib_names())
    assert {"uk_gdpr", "gdpr", "ccpa"} <= set(stdlib_names())


def test_every_stdlib_declaration_type_checks(typed: list[TypedDecl]) -> None:
    assert len(typed) > 400


def test_names_are_unique_per_kind_across_the_prelude(program: Program) -> None:
    seen = Counter((d.kind, d.key) for name in PRELUDE for d in program.modules[name].tree.decls)
    assert [key for key, count in seen.items() if count > 1] == []


def test_every_dpv_term_exists_in_dpv_2_3(typed: list[TypedDecl]) -> None:
    known = iris()
    used = [(t.decl.kind, t.decl.key, v.value) for t in typed for v in t.get("dpv") if isinstance(v, Text)]
    assert len(used) > 300
    missing = [u for u in used if expand(u[2]) not in known]
    assert missing == []


def test_taxonomies_map_to_dpv_and_fides(typed: list[TypedDecl]) -> None:
    for kind in ("category", "purpose_kind"):
        entries = [t for t in typed if t.decl.kind == kind]
        assert len(entries) >= 40
        assert [t.decl.key for t in entries if not t.get("dpv")] == []
        # fideslang's default taxonomy is coarser than ours: entries without an exact key are mapped
        # through their nearest ancestor by the fides backend; most have their own key.
        assert sum(1 for t in entries if t.get("fides")) >= 0.6 * len(entries)
    fides = {v.value for t in typed if t.decl.kind == "category" for v in t.get("fides") if isinstance(v, Text)}
    assert all(key.startswith("user.") for key in fides)
    uses = {v.value.split(".")[0] for t in typed if t.decl.kind == "purpose_kind" for v in t.get("fides")
            if isinstance(v, Text)}
    assert uses <= {"essential", "functional", "analytics", "marketing", "personalize", "third_party_sharing",
                    "collect", "train_ai_system", "employment", "finance", "operations"}


def test_places_cover_iso_3166_and_the_eea(typed: list[TypedDecl]) -> None:
    countries = {t.decl.key for t in typed if t.decl.kind == "country"}
    assert len(countries) == 249
    assert {"GB", "US", "IE", "DE", "JP", "IN"} <= countries
    eea = next(t for t in typed if t.decl.kind == "region" and t.decl.key == "EEA")
    members = {v.name for v in eea.get("countries") if isinstance(v, Ref)}
    assert len(members) == 30 and {"IS", "LI", "NO"} <= members and "GB" not in members
    adequacy = [t for t in typed if t.decl.kind == "adequacy"]
    laws = {v.name for t in adequacy for v in t.get("law") if isinstance(v, Ref)}
    assert laws == {"gdpr", "uk_gdpr"}


def rights_of(typed: list[TypedDecl]) -> tuple[dict[str, str], set[str]]:
    """Each right's DPV IRI, and the rights every basis grants."""
    dpv: dict[str, str] = {}
    universal: set[str] = set()
    for t in typed:
        if t.decl.kind != "right":
            continue
        for v in t.get("dpv"):
            if isinstance(v, Text):
                dpv[t.decl.key] = expand(v.value)
        if any(isinstance(v, Bool) and v.value for v in t.get("universal")):
            universal.add(t.decl.key)
    return dpv, universal


def basis_has_dpv(basis: TypedDecl) -> bool:
    return any(isinstance(v, Text) for v in basis.get("dpv"))


def test_basis_grants_agree_with_dpv_mapping(typed: list[TypedDecl]) -> None:
    mapping: dict[str, set[str]] = {}
    with (DATA / "legal_basis_rights.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            mapping.setdefault(row["legal_basis"], set()).add(row["right"])
    right_iri, universal = rights_of(typed)
    differences: set[tuple[str, str, str]] = set()
    # The six bases of Art 6(1) common to both laws have DPV terms; the UK's recognised legitimate interests
    # (Art 6(1)(ea), Data (Use and Access) Act 2025 s 70) has none.
    uk_only = {t.decl.key for t in typed if t.decl.kind == "basis" and not basis_has_dpv(t)}
    assert uk_only == {"recognised_legitimate_interests"}
    bases = [t for t in typed if t.decl.kind == "basis" and basis_has_dpv(t)]
    assert {t.decl.key for t in bases} == {"consent", "contract", "legal_obligation", "vital_interests",
                                          "public_task", "legitimate_interests"}
    for basis in bases:
        (curie,) = [v.value for v in basis.get("dpv") if isinstance(v, Text)]
        granted = universal | {v.name for v in basis.get("grants") if isinstance(v, Ref)}
        ours = {right_iri[r] for r in granted if r in right_iri}
        if right_iri["informed"] == GDPR + "A13":
            ours.add(GDPR + "A14")  # `informed` covers both Art 13 and Art 14 notices
        theirs = mapping[expand(curie)]
        differences |= {(basis.decl.key, iri.removeprefix(GDPR), "+") for iri in ours - theirs}
        differences |= {(basis.decl.key, iri.removeprefix(GDPR), "-") for iri in theirs - ours}
    assert differences == set(DELIBERATE), "undocumented differences: " + repr(differences ^ set(DELIBERATE))


def test_legitimate_interests_requires_the_interest_and_consent_grants_withdrawal(typed: list[TypedDecl]) -> None:
    by_key = {(t.decl.kind, t.decl.key): t for t in typed}
    requires = {getattr(v, "value", None) for v in by_key[("basis", "legitimate_interests")].get("requires")}
    assert "interest" in requires
    grants = {v.name for v in by_key[("basis", "consent")].get("grants") if isinstance(v, Ref)}
    assert "withdraw_consent" in grants
    legal = {v.name for v in by_key[("basis", "legal_obligation")].get("grants") if isinstance(v, Ref)}
    assert not legal & {"erasure", "portability", "object"}
