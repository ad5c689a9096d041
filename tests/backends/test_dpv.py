"""The DPV JSON-LD backend: real DPV 2.3 terms only, expands offline, deterministic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from policyc.backends import BACKENDS, DPV_PREFIXES, BuildContext
from policyc.backends.dpv import CONTEXT, LOC_TERMS, period_words, retention_words
from policyc.build import build
from policyc.driver import check_files, check_text
from policyc.model import Model, RetentionRule

REPO = Path(__file__).resolve().parents[2]
IRIS = REPO / "tests" / "data" / "dpv" / "iris.txt"
EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
POLICIES = sorted((REPO / "tests" / "policies").glob("*.policy"))
ALL = [*EXAMPLES, *POLICIES]
NAMESPACES = tuple(DPV_PREFIXES.values())


@cache
def dpv_iris() -> frozenset[str]:
    return frozenset(IRIS.read_text(encoding="utf-8").split())


@cache
def model_of(path: Path) -> Model:
    return check_files([path]).models[str(path)]


@cache
def rendered(path: Path) -> str:
    """The .jsonld of a policy. The examples have legal findings, so `build` would refuse them; the
    complete test policies are built as a user would."""
    if path in POLICIES:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            result = build([str(path)], Path(folder), ["dpv"])
            assert result.check.errors == 0
            (written,) = result.written
            assert written.suffix == ".jsonld"
            return written.read_text(encoding="utf-8")
    return BACKENDS["dpv"].render(model_of(path), BuildContext(stem=path.stem, source=str(path)))


def _no_network(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the JSON-LD processor tried to load {url}")


def expanded(path: Path) -> list[dict[str, Any]]:
    dropped: list[str | None] = []
    out: list[dict[str, Any]] = jsonld.expand(json.loads(rendered(path)), {"documentLoader": _no_network},
                                              on_property_dropped=dropped.append)
    assert dropped == [], f"terms the context does not define: {dropped}"
    return out


def iris_in(node: Any) -> set[str]:
    """Every IRI in expanded JSON-LD: properties, types, and node references."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= iris_in(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                found.add(key)
                found |= iris_in(value)
            elif key == "@type" and "@value" not in node:
                found |= set(value if isinstance(value, list) else [value])
            elif key == "@id":
                found.add(value)
            elif key in ("@graph", "@list", "@set"):
                found |= iris_in(value)
    return found


def nodes(path: Path, kind: str) -> list[dict[str, Any]]:
    graph: list[dict[str, Any]] = json.loads(rendered(path))["@graph"]
    return [n for n in graph if kind in ([n["@type"]] if isinstance(n["@type"], str) else n["@type"])]


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_only_dpv_2_3_terms_are_emitted(path: Path) -> None:
    used = {iri for iri in iris_in(expanded(path)) if iri.startswith(NAMESPACES)}
    assert used, "the document uses DPV"
    assert sorted(used - dpv_iris()) == []


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_document_expands_offline_with_its_inline_context(path: Path) -> None:
    document = json.loads(rendered(path))
    assert document["@context"] == CONTEXT
    assert all(isinstance(v, (str, dict)) for v in CONTEXT.values())  # no remote context to fetch
    out = expanded(path)  # a document of one default graph expands to its list of nodes
    types = {t for node in out for t in node.get("@type", [])}
    assert "https://w3id.org/dpv#Process" in types
    assert "https://w3id.org/dpv#PrivacyNotice" in types


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_one_process_per_purpose_with_its_facts(path: Path) -> None:
    model = model_of(path)
    processes = nodes(path, "dpv:Process")
    assert [p["@id"] for p in processes] == [f"_:process.{p.key}" for p in model.purposes]
    for process, purpose in zip(processes, model.purposes, strict=True):
        own = [p for p in process["hasPurpose"] if isinstance(p, dict)]
        assert own == [{k: v for k, v in {"@id": f"_:purpose.{purpose.key}", "@type": "dpv:Purpose",
                                          "title": purpose.title, "description": purpose.description}.items() if v}]
        if purpose.as_processor:
            assert "hasDataProcessor" in process
        else:
            assert process["hasDataController"] == [f"_:controller.{c.key}" for c in model.controllers]
        assert process.get("hasRecipient", []) == [f"_:recipient.{r.key}" for r in purpose.recipients]
        if any(c.dpv for d in purpose.uses for c in d.categories):
            assert any(isinstance(p, str) and p.startswith("pd:") for p in process["hasPersonalData"])
    recipients = nodes(path, "dpv:Recipient")
    assert [r["@id"] for r in recipients] == [f"_:recipient.{r.key}" for r in model.recipients]


def test_complete_policy_shape() -> None:
    path = REPO / "tests" / "policies" / "uk_gdpr_complete.policy"
    graph = {n["@id"]: n for n in json.loads(rendered(path))["@graph"]}
    notice = graph["https://www.northwind-home.example/privacy"]
    assert notice["@type"] == "dpv:PrivacyNotice" and notice["valid"] == "2026-09-01"
    offers = graph["_:process.email_offers"]
    assert offers["hasLegalBasis"] == ["eu-gdpr:A6-1-a"]
    assert "dpv:DirectMarketing" in offers["hasPurpose"]
    assert offers["hasThirdCountry"] == ["loc:IN"]
    (transfer,) = offers["hasProcess"]
    assert transfer["hasProcessing"] == ["dpv:Transfer"] and transfer["hasThirdCountry"] == ["loc:IN"]
    assert transfer["hasLegalBasis"] == [{"@type": "dpv:LegalBasis", "title": "International Data Transfer Agreement"}]
    assert {"eu-gdpr:A21", "eu-gdpr:A7-3"} <= set(offers["hasRight"])
    fraud = graph["_:process.fraud_checks"]
    assert fraud["hasLegalBasis"][0] == {"@type": "eu-gdpr:A6-1-f",
                                         "description": "preventing fraud against us and our customers"}
    assert fraud["hasStorageCondition"] == [{
        "@type": ["dpv:StorageDuration", "dpv:TemporalDuration"], "duration": "P6Y",
        "description": "6 years after collection\n\nthe period fraud prevention agencies keep records"}]
    fitted = graph["_:process.fitted_products"]
    assert "eu-gdpr:A9-2-a" in fitted["hasLegalBasis"] and "pd:PhysicalHealth" in fitted["hasPersonalData"]
    assert graph["_:recipient.fraud_service"]["@type"] == ["dpv:DataController", "dpv:Recipient"]
    assert graph["_:controller.northwind"]["hasDataProtectionOfficer"]["hasName"] == "Priya Raman"
    # The retention value is typed as an xsd:duration once expanded.
    (process,) = [n for n in expanded(path) if n.get("@id") == "_:process.fraud_checks"]
    condition = process["https://w3id.org/dpv#hasStorageCondition"][0]
    assert condition["http://www.w3.org/1999/02/22-rdf-syntax-ns#value"] == [
        {"@type": "http://www.w3.org/2001/XMLSchema#duration", "@value": "P6Y"}]


def test_regions_dpv_lacks_stand_for_their_members() -> None:
    text = """
use uk_gdpr

policy "Notice" {
  controller acme
  jurisdictions uk_gdpr
}

controller acme "Acme Ltd" {
  email "privacy@acme.example"
}

region NORDIC "Nordic countries" {
  countries DK, FI, IS, NO, SE
}

data contact "Contact details" {
  category contact.email
}

recipient helpers "Helpers" {
  role processor
  country NORDIC, US
  safeguard idta
}

purpose support "Support" {
  uses contact
  basis contract
  shares_with helpers
  retain 1 year
}
"""
    model = check_text(text).models["<text>"]
    document = json.loads(BACKENDS["dpv"].render(model, BuildContext(stem="notice", source="<text>")))
    graph = {n["@id"]: n for n in document["@graph"]}
    assert graph["_:recipient.helpers"]["hasCountry"] == ["loc:DK", "loc:FI", "loc:IS", "loc:NO", "loc:SE",
                                                          "loc:US"]
    used = {iri for iri in iris_in(jsonld.expand(document, {"documentLoader": _no_network}))
            if iri.startswith(NAMESPACES)}
    assert sorted(used - dpv_iris()) == []


def test_location_list_matches_dpv_and_the_standard_library() -> None:
    loc = DPV_PREFIXES["loc"]
    dpv_locations = {iri.removeprefix(loc) for iri in dpv_iris() if iri.startswith(loc)}
    assert dpv_locations >= LOC_TERMS
    stdlib = (REPO / "stdlib" / "places.policy").read_text(encoding="utf-8")
    countries = {line.split()[1] for line in stdlib.splitlines() if line.startswith("country ")}
    assert len(countries) == 249
    assert LOC_TERMS == countries | {"EU", "EEA"}


def test_retention_in_words() -> None:
    span = model_of(POLICIES[0]).purposes[0].span
    assert period_words("P1M") == "1 month" and period_words("P6Y") == "6 years"
    assert retention_words(RetentionRule(span, period="P6Y", after="contract_end")) == "6 years after contract end"
    assert retention_words(RetentionRule(span, period="P30D", until="account_closed")) == \
        "until account closed + 30 days"
    assert retention_words(RetentionRule(span, session=True)) == "until the end of the session"
    assert retention_words(RetentionRule(span, criteria="as long as needed")) == "as long as needed"
    assert retention_words(RetentionRule(span, period="P1Y", unless="legal_claim", unless_reason="a claim")) == \
        "1 year, unless legal claim (a claim)"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_output_is_deterministic(path: Path) -> None:
    first = rendered(path)
    again = BACKENDS["dpv"].render(check_files([path]).models[str(path)],
                                   BuildContext(stem=path.stem, source=str(path)))
    assert again == first
    assert first == json.dumps(json.loads(first), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def test_output_does_not_depend_on_the_hash_seed() -> None:
    path = REPO / "tests" / "policies" / "uk_gdpr_complete.policy"
    script = (
        "import sys; from pathlib import Path; from policyc.driver import check_files; "
        "from policyc.backends import BACKENDS, BuildContext; p = Path(sys.argv[1]); "
        "m = check_files([p]).models[str(p)]; "
        "sys.stdout.write(BACKENDS['dpv'].render(m, BuildContext(stem='x', source=str(p))))"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert outputs == {rendered(path)}
