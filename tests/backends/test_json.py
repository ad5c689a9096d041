"""The JSON backend and its schema: every output validates, and the schema rejects what it should."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from policyc import schema as kinds
from policyc.backends import BACKENDS, BuildContext
from policyc.backends.json_model import SCHEMA_VERSION, to_data
from policyc.build import build
from policyc.driver import check_files
from policyc.model import Model
from policyc.parser import parse_text

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "policyc" / "schemas" / "policy.schema.json"
DOCS_SCHEMA = REPO / "docs" / "schema" / "policy.schema.json"
EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
POLICIES = sorted((REPO / "tests" / "policies").glob("*.policy"))


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@cache
def model_of(path: Path) -> Model:
    return check_files([path]).models[str(path)]


def example_output(path: Path) -> dict[str, Any]:
    """The JSON of an example. The examples are real notices with legal findings (errors), so
    `policyc build` refuses to write them; the backend renders their model all the same."""
    text = BACKENDS["json"].render(model_of(path), BuildContext(stem=path.stem, source=str(path)))
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def built_output(path: Path, out: Path) -> dict[str, Any]:
    result = build([str(path)], out, ["json"])
    assert result.check.errors == 0, f"{path.name} should build cleanly"
    (written,) = result.written
    loaded: dict[str, Any] = json.loads(written.read_text(encoding="utf-8"))
    return loaded


def test_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema()["$id"] and schema()["title"] and schema()["description"]


def test_schema_ships_in_the_package_and_the_docs_copy_is_identical() -> None:
    packaged = resources.files("policyc").joinpath("schemas/policy.schema.json")
    assert packaged.is_file()
    assert DOCS_SCHEMA.read_bytes() == SCHEMA_PATH.read_bytes()


def test_every_object_is_closed_and_requires_its_keys() -> None:
    def objects(node: Any) -> list[dict[str, Any]]:
        found = []
        if isinstance(node, dict):
            if node.get("type") == "object":
                found.append(node)
            for value in node.values():
                found.extend(objects(value))
        elif isinstance(node, list):
            for value in node:
                found.extend(objects(value))
        return found

    closed = objects(schema())
    assert len(closed) > 20
    for node in closed:
        assert node["additionalProperties"] is False
        assert sorted(node["required"]) == sorted(node["properties"])
        assert all("description" in p for p in node["properties"].values())


def test_schema_enums_follow_the_language() -> None:
    defs = schema()["$defs"]
    assert defs["policy"]["properties"]["audience"]["items"]["enum"] == list(kinds.AUDIENCES)
    assert defs["policy"]["properties"]["cookie_consent"]["enum"] == [*kinds.CONSENT_MECHANISMS, None]
    assert defs["recipient"]["properties"]["role"]["enum"] == [*kinds.ROLES, None]
    assert defs["cookie"]["properties"]["kind"]["enum"] == [*kinds.COOKIE_KINDS, None]
    assert defs["cookie"]["properties"]["technology"]["enum"] == list(kinds.TECHNOLOGIES)
    assert defs["section"]["properties"]["after"]["enum"] == [*kinds.SECTIONS, None]
    assert defs["data"]["properties"]["required_for"]["enum"] == [*kinds.REQUIREMENTS, None]
    assert defs["decision"]["properties"]["safeguards"]["items"]["enum"] == list(kinds.DECISION_SAFEGUARDS)
    assert defs["security"]["properties"]["certifications"]["items"]["enum"] == list(kinds.CERTIFICATIONS)
    assert defs["authority"]["properties"]["supervises"]["items"]["enum"] == list(kinds.AUTHORITY_SECTORS)
    assert schema()["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_output_validates(path: Path) -> None:
    errors = sorted(validator().iter_errors(example_output(path)), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_built_policy_validates(path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    data = built_output(path, tmp_path_factory.mktemp(path.stem))
    errors = list(validator().iter_errors(data))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    assert data == json.loads(json.dumps(to_data(model_of(path))))  # the file is exactly the model's data


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_round_trip_keeps_every_purpose_recipient_cookie_and_right(path: Path) -> None:
    tree, diagnostics = parse_text(path.read_text(encoding="utf-8"), str(path))
    assert not [d for d in diagnostics if d.code.startswith("S")]
    declared = {kind: {d.key for d in tree.decls if d.kind == kind} for kind in ("purpose", "recipient", "cookie")}
    assert declared["purpose"] and declared["recipient"]
    data = json.loads(json.dumps(example_output(path)))  # written and read back
    assert {p["id"] for p in data["purposes"]} == declared["purpose"]
    assert {r["id"] for r in data["recipients"]} == declared["recipient"]
    assert {c["id"] for c in data["cookies"]} == declared["cookie"]
    assert [r["id"] for r in data["rights"]] == [r.right.key for r in model_of(path).rights]
    assert data["rights"], "every example offers rights"


# --- the schema rejects bad data -------------------------------------------------------------------

def _valid() -> dict[str, Any]:
    return example_output(REPO / "examples" / "xeosol" / "privacy.policy")


def _first_retention(data: dict[str, Any]) -> dict[str, Any]:
    purpose = data["purposes"][0]
    purpose["retention"] = {"period": "P6Y", "after": None, "until": None, "unless": None, "unless_reason": "",
                            "criteria": "", "session": False, "reason": ""}
    retention: dict[str, Any] = purpose["retention"]
    return retention


def _mutations() -> list[tuple[str, Any]]:
    def duration_in_words(d: dict[str, Any]) -> None:
        _first_retention(d)["period"] = "6 years"

    def missing_key(d: dict[str, Any]) -> None:
        del d["purposes"][0]["bases"]

    def missing_top_level(d: dict[str, Any]) -> None:
        del d["rights"]

    def extra_key(d: dict[str, Any]) -> None:
        d["purposes"][0]["colour"] = "blue"

    def bad_date(d: dict[str, Any]) -> None:
        d["policy"]["effective"] = "2024-02-30"

    def date_as_text(d: dict[str, Any]) -> None:
        d["policy"]["effective"] = "1 June 2024"

    def lower_case_country(d: dict[str, Any]) -> None:
        d["recipients"][0]["countries"] = ["gb"]

    def unknown_role(d: dict[str, Any]) -> None:
        d["recipients"][0]["role"] = "friend"

    def wrong_type(d: dict[str, Any]) -> None:
        d["art14"] = "no"

    def bad_iri(d: dict[str, Any]) -> None:
        d["rights"][0]["dpv"] = "not an iri"

    def bad_key(d: dict[str, Any]) -> None:
        d["purposes"][0]["uses"] = ["two words"]

    def bad_version(d: dict[str, Any]) -> None:
        d["schema_version"] = "2.0"

    return [(f.__name__, f) for f in (duration_in_words, missing_key, missing_top_level, extra_key, bad_date,
                                      date_as_text, lower_case_country, unknown_role, wrong_type, bad_iri,
                                      bad_key, bad_version)]


def test_unmutated_data_is_valid() -> None:
    data = _valid()
    _first_retention(data)
    assert list(validator().iter_errors(data)) == []


@pytest.mark.parametrize(("name", "mutate"), _mutations(), ids=[name for name, _ in _mutations()])
def test_schema_rejects_mutation(name: str, mutate: Any) -> None:
    data = copy.deepcopy(_valid())
    mutate(data)
    assert list(validator().iter_errors(data)), f"the schema accepted {name}"
