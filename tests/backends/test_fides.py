"""The fides backend: a manifest fideslang loads, using only keys of its default taxonomy."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import (
    LegalBasisForProcessingEnum,
    LegalBasisForTransfersEnum,
    SpecialCategoryLegalBasisEnum,
    Taxonomy,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from policyc.backends import BACKENDS, BuildContext
from policyc.backends.fides import (
    AUDIENCE_SUBJECTS,
    DEFAULT_CATEGORY,
    DEFAULT_USE,
    LEGAL_BASES,
    SPECIAL_BASES,
    TRANSFER_BASES,
    _libyaml_alike,
    dump_yaml,
    nearest_fides,
)
from policyc.build import build
from policyc.driver import check_files, check_text, stdlib_typed
from policyc.model import Category, Model, PurposeKind
from policyc.typecheck import Text

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
POLICIES = sorted((REPO / "tests" / "policies").glob("*.policy"))
ALL = [*EXAMPLES, *POLICIES]

CATEGORIES = {c.fides_key for c in DEFAULT_TAXONOMY.data_category if not c.version_deprecated}
USES = {u.fides_key for u in DEFAULT_TAXONOMY.data_use if not u.version_deprecated}
SUBJECTS = {s.fides_key for s in DEFAULT_TAXONOMY.data_subject if not s.version_deprecated}



@cache
def model_of(path: Path) -> Model:
    return check_files([path]).models[str(path)]


@cache
def rendered(path: Path) -> str:
    """The .fides.yml of a policy: built for the complete test policies; rendered from the model for the
    examples, whose legal findings stop `policyc build`."""
    if path in POLICIES:
        with tempfile.TemporaryDirectory() as folder:
            result = build([str(path)], Path(folder), ["fides"])
            assert result.check.errors == 0
            (written,) = result.written
            assert written.name.endswith(".fides.yml")
            return written.read_text(encoding="utf-8")
    return BACKENDS["fides"].render(model_of(path), BuildContext(stem=path.stem, source=str(path)))


def manifest(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(rendered(path))
    return loaded


def declarations(path: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = manifest(path)["system"][0]["privacy_declarations"]
    return found


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_manifest_loads_as_a_fideslang_taxonomy(path: Path) -> None:
    taxonomy = Taxonomy(**manifest(path))
    (organization,) = taxonomy.organization
    (system,) = taxonomy.system
    assert system.organization_fides_key == organization.fides_key
    assert len(system.privacy_declarations) == len(model_of(path).controller_purposes)
    assert system.processes_personal_data


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_key_is_in_the_default_taxonomy(path: Path) -> None:
    for declaration in declarations(path):
        assert set(declaration["data_categories"]) <= CATEGORIES, declaration["name"]
        assert declaration["data_use"] in USES, declaration["name"]
        assert set(declaration["data_subjects"]) <= SUBJECTS, declaration["name"]
        assert set(declaration["shared_categories"]) <= CATEGORIES, declaration["name"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_declarations_follow_the_purposes(path: Path) -> None:
    purposes = model_of(path).controller_purposes
    for declaration, purpose in zip(declarations(path), purposes, strict=True):
        assert declaration["name"] == (purpose.title or purpose.key)
        assert declaration["data_shared_with_third_parties"] == bool(purpose.recipients)
        if any(b.basis.key == "consent" for b in purpose.bases[:1]):
            assert declaration["legal_basis_for_processing"] == "Consent"
        if not purpose.bases:
            assert "legal_basis_for_processing" not in declaration
        if purpose.retention is None:
            assert "retention_period" not in declaration
        if any(d.is_special for d in purpose.uses):
            assert declaration["processes_special_category_data"] is True


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_output_is_deterministic(path: Path) -> None:
    again = BACKENDS["fides"].render(check_files([path]).models[str(path)],
                                     BuildContext(stem=path.stem, source=str(path)))
    assert again == rendered(path)
    assert "&id" not in again and "*id" not in again  # no YAML anchors: every list written out


def test_complete_policy_shape() -> None:
    path = REPO / "tests" / "policies" / "uk_gdpr_complete.policy"
    data = manifest(path)
    organization = data["organization"][0]
    assert organization["fides_key"] == "northwind"
    assert organization["data_protection_officer"]["email"] == "dpo@northwind-home.example"
    system = data["system"][0]
    assert system["responsibility"] == ["Controller"]
    assert system["does_international_transfers"] is True
    assert system["legal_basis_for_transfers"] == ["Adequacy Decision", "SCCs"]
    assert system["meta"] == {"third_countries": ["US", "IN"]}
    assert system["privacy_policy"] == "https://www.northwind-home.example/privacy"
    by_name = {d["name"]: d for d in system["privacy_declarations"]}
    fitted = by_name["Fitting and adapting mobility products"]
    assert fitted["processes_special_category_data"] is True
    assert fitted["special_category_legal_basis"] == "Explicit consent"
    orders = by_name["Taking, delivering and returning your orders"]
    assert orders["retention_period"] == "6 years after contract end"
    assert orders["legal_basis_for_processing"] == "Contract"
    assert orders["data_subjects"] == ["customer", "visitor"]
    offers = by_name["Sending offers by email"]
    assert offers["data_use"] == "marketing.communications.email"
    assert offers["legal_basis_for_processing"] == "Consent"


def test_ancestors_outside_the_policy_are_found() -> None:
    """`health.physical` has no fides key, and the policy uses no `health` entry: the model's copy of
    the taxonomy gives the ancestor's key."""
    fitted = declarations(REPO / "tests" / "policies" / "uk_gdpr_complete.policy")[2]
    assert fitted["name"] == "Fitting and adapting mobility products"
    assert "user.health_and_medical" in fitted["data_categories"]
    assert "user" not in fitted["data_categories"]


def test_enum_values_are_fideslang_values() -> None:
    assert {v for v, _ in LEGAL_BASES.values()} == {e.value for e in LegalBasisForProcessingEnum}
    assert set(SPECIAL_BASES.values()) == {e.value for e in SpecialCategoryLegalBasisEnum}
    assert set(TRANSFER_BASES.values()) | {"Other"} <= {e.value for e in LegalBasisForTransfersEnum}
    assert {u for _, u in LEGAL_BASES.values() if u} | {DEFAULT_USE} <= USES
    assert DEFAULT_CATEGORY in CATEGORIES
    assert set(AUDIENCE_SUBJECTS.values()) <= SUBJECTS


def test_stdlib_fides_keys_are_fideslang_keys() -> None:
    typed = stdlib_typed(check_text("").program)
    for kind, allowed in (("category", CATEGORIES), ("purpose_kind", USES)):
        keys = {v.value for t in typed if t.decl.kind == kind for v in t.get("fides") if isinstance(v, Text)}
        assert keys and keys <= allowed, sorted(keys - allowed)


def test_nearest_ancestor_rule() -> None:
    span = model_of(POLICIES[0]).purposes[0].span
    decl = model_of(POLICIES[0]).purposes[0].decl
    table = {
        "health": Category("health", "Health", span, decl, fides="user.health_and_medical"),
        "health.physical": Category("health.physical", "Physical health", span, decl),
        "identity": Category("identity", "Identity", span, decl),
    }
    assert nearest_fides("health.physical.injury", "", table) == "user.health_and_medical"
    assert nearest_fides("health.physical", "", table) == "user.health_and_medical"
    assert nearest_fides("health.physical", "user.biometric", table) == "user.biometric"
    assert nearest_fides("identity.other", "", table) == ""
    kinds = {"service": PurposeKind("service", "Service", span, decl, fides="essential.service")}
    assert nearest_fides("service.delivery", "", kinds) == "essential.service"


POLICY = """
use uk_gdpr

policy "Notice" {{
  controller acme
  jurisdictions uk_gdpr
}}

controller acme "Acme Ltd" {{
  email "privacy@acme.example"
}}

data health_details "Health details" {{
  special health.physical
  category health
}}

data identity_details "Identity details" {{
  category identity
}}

purpose care "Care" {{
  uses health_details, identity_details
  {kind}
  {basis}
  condition explicit_consent
  retain 1 year
}}
"""


def _declaration(kind: str = "", basis: str = "") -> dict[str, Any]:
    model = check_text(POLICY.format(kind=kind, basis=basis)).models["<text>"]
    text = BACKENDS["fides"].render(model, BuildContext(stem="notice", source="<text>"))
    taxonomy = Taxonomy(**yaml.safe_load(text))
    (declaration,) = taxonomy.system[0].privacy_declarations
    dumped: dict[str, Any] = declaration.model_dump(mode="json")
    return dumped


def test_categories_without_a_key_use_the_nearest_ancestor_else_user() -> None:
    declaration = _declaration(basis="basis contract")
    # health.physical has no key of its own: `health` gives it; `identity` has none and no ancestor.
    assert declaration["data_categories"] == ["user.health_and_medical", "user"]
    assert declaration["special_category_legal_basis"] == "Explicit consent"
    assert declaration["retention_period"] == "1 year"


@pytest.mark.parametrize(("kind", "basis", "use"), [
    ("kind marketing.email", "basis consent", "marketing.communications.email"),  # its own key
    pytest.param("kind marketing.social_media", "basis consent", "marketing"),  # ancestor's
    ("kind account", "basis legal_obligation", "essential.legal_obligation"),  # no key: by basis
    ("", "basis contract", "essential.service"),
    ("", "basis vital_interests", "essential"),
    ("", "basis consent", DEFAULT_USE),
    ("", "", DEFAULT_USE),
])
def test_data_use_falls_back_by_kind_then_basis(kind: str, basis: str, use: str) -> None:
    assert _declaration(kind, basis)["data_use"] == use


# --- the manifest's YAML: libyaml's emitter where it writes what PyYAML's own writes --------------

_KEYS = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
_TEXTS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),  # any text, emoji and line breaks too
    st.from_regex(r"[A-Za-z0-9 .,:'\"#\n-]{0,300}", fullmatch=True),  # prose long enough to fold
    st.sampled_from(["yes", "No", "~", "null", "1.0", "0x1", "2020-01-01", "<<", "=", "- a", "---", "", " a"]),
)
_SCALARS = st.one_of(_TEXTS, st.booleans(), st.integers(), st.none())
_DOCUMENTS = st.dictionaries(_KEYS, st.recursive(
    _SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20), max_size=5)


@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS)
def test_manifest_yaml_is_what_pythons_emitter_writes(document: dict[str, Any]) -> None:
    """Whichever emitter writes it, the text is PyYAML's pure-Python `safe_dump` of the manifest."""
    expected = yaml.dump(document, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True, width=100,
                         default_flow_style=False)
    assert dump_yaml(document) == expected


@pytest.mark.parametrize("text", ["Party 🎉", "line\u2028break", "next\x85line", "para\u2029graph"])
def test_text_libyaml_writes_otherwise_takes_pythons_emitter(text: str) -> None:
    document = {"system": [{"name": "Acme", "description": [text]}]}
    assert not _libyaml_alike(document)
    assert dump_yaml(document) == yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    assert "🎉" not in text or "🎉" in dump_yaml(document)  # written as is, not as "\U0001F389"


def test_plain_text_takes_libyaml_where_pyyaml_has_it() -> None:
    document = {"organization": [{"fides_key": "acme", "name": "Ça va, naïve café — “quoted”"}]}
    assert _libyaml_alike(document)
    assert yaml.__with_libyaml__, "PyYAML without libyaml: manifests are written five times slower"
