"""The model's value objects: durations, cookie expiries, countries and retention rules.

Each compares by value, hashes, and gives its canonical form (ISO 8601, ISO 3166) by a property; the
model holds them, and the JSON backend, the notice, the rules and the diff read them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyc.backends.json_model import to_data
from policyc.diagnostics.model import Span
from policyc.diff import aspects, diff_models
from policyc.driver import check_text
from policyc.model import Model, RetentionRule
from policyc.schema import KINDS
from policyc.typecheck import Duration as TypedDuration
from policyc.values import Country, Duration, Expiry

REPO = Path(__file__).resolve().parent.parent
SPAN = Span("x.policy", 0, 1, 1, 1, 1, 2)
OTHER_SPAN = Span("y.policy", 5, 9, 2, 3, 2, 7)


def _model(text: str) -> Model:
    result = check_text(text, "p.policy")
    assert not [d for d in result.diagnostics if d.code[0] in "SNT"], result.diagnostics
    return result.models["p.policy"]


@pytest.fixture(scope="module")
def complete() -> Model:
    return _model((REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8"))


# --- durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "unit", "iso", "text"), [
    (6, "Y", "P6Y", "6 years"), (1, "M", "P1M", "1 month"), (2, "W", "P2W", "2 weeks"), (30, "D", "P30D", "30 days"),
])
def test_duration_gives_its_iso_form_and_words(amount: int, unit: str, iso: str, text: str) -> None:
    duration = Duration(amount, unit)
    assert duration.iso == iso == str(duration)
    assert duration.words == text
    assert Duration.parse(iso) == duration


def test_duration_is_a_value() -> None:
    assert Duration(6, "Y") == Duration(6, "Y")
    assert hash(Duration(6, "Y")) == hash(Duration(6, "Y"))
    assert len({Duration(6, "Y"), Duration(6, "Y"), Duration(72, "M")}) == 2
    assert Duration(12, "M") != Duration(1, "Y")  # equal in length, not in what the author wrote
    with pytest.raises(AttributeError):
        Duration(6, "Y").amount = 7  # type: ignore[misc]


def test_durations_are_ordered_by_length() -> None:
    assert Duration(13, "M") > Duration(1, "Y") > Duration(52, "W")
    assert Duration(12, "M") <= Duration(1, "Y") <= Duration(12, "M")  # as long, exactly
    assert not Duration(12, "M") > Duration(1, "Y") and not Duration(12, "M") < Duration(1, "Y")
    assert Duration(2, "W") >= Duration(14, "D") >= Duration(2, "W")
    assert Duration(1, "M") < Duration(31, "D")
    assert Duration(30, "D") <= Duration(1, "M")
    assert max([Duration(2, "Y"), Duration(30, "M"), Duration(700, "D")]) == Duration(30, "M")
    assert Duration(6, "Y").days == pytest.approx(6 * 365.25)


@pytest.mark.parametrize("text", ["", "6Y", "P", "P1Y2M", "PT30M", "P-1Y", "p6y", "session", "P6Y "])
def test_duration_parse_refuses_other_text(text: str) -> None:
    assert Duration.parse(text) is None


def test_duration_refuses_an_unknown_unit() -> None:
    with pytest.raises(ValueError):
        Duration(3, "H")


def test_typed_duration_is_the_value_with_a_place() -> None:
    typed, elsewhere = TypedDuration(6, "Y", SPAN), TypedDuration(6, "Y", OTHER_SPAN)
    assert typed == elsewhere  # where it is written is not part of the value
    assert typed.iso == "P6Y" and typed.days == Duration(6, "Y").days
    assert typed.value == Duration(6, "Y") and type(typed.value) is Duration


# --- cookie expiry, countries --------------------------------------------------------------------


def test_expiry_is_a_period_or_the_session() -> None:
    session, months = Expiry(), Expiry(Duration(13, "M"))
    assert session.session and not months.session
    assert (session.canonical, months.canonical) == ("session", "P13M")
    assert Expiry.parse("session") == session and Expiry.parse("P13M") == months
    assert Expiry.parse("soon") is None
    assert session.days < 1 < months.days


def test_country_has_a_code_and_a_name(complete: Model) -> None:
    assert str(Country("GB", "United Kingdom")) == "GB"
    assert Country("GB", "United Kingdom").label == "United Kingdom"
    assert Country("XX").label == "XX"
    assert complete.lexicon.country("GB") == Country("GB", "United Kingdom")
    assert complete.lexicon.country("EEA").name  # a region has a name too


# --- retention --------------------------------------------------------------------------------


def _rule(**kw: object) -> RetentionRule:
    return RetentionRule(SPAN, **kw)  # type: ignore[arg-type]


def test_retention_rule_reads_an_iso_period() -> None:
    rule = _rule(period="P6Y", after="contract_end")
    assert rule.period == Duration(6, "Y")
    assert rule.period_days == pytest.approx(6 * 365.25)
    assert _rule(criteria="as long as needed").period_days is None


@pytest.mark.parametrize(("rule", "variant"), [
    (_rule(session=True), "session"),
    (_rule(until="account_closed", period=Duration(30, "D")), "until"),
    (_rule(after="contract_end", period=Duration(6, "Y")), "after"),
    (_rule(period=Duration(14, "M")), "period"),
    (_rule(criteria="as long as the account is open"), "criteria"),
    (_rule(), "none"),
])
def test_retention_rule_variant(rule: RetentionRule, variant: str) -> None:
    assert rule.variant == variant


@pytest.mark.parametrize(("old", "new", "longer"), [
    (_rule(period=Duration(14, "M")), _rule(period=Duration(26, "M")), True),
    (_rule(period=Duration(14, "M")), _rule(period=Duration(1, "Y")), False),
    (_rule(period=Duration(1, "Y")), _rule(period=Duration(12, "M")), False),
    (_rule(period=Duration(2, "Y")), _rule(criteria="as long as needed"), True),  # no longer concrete
    (_rule(session=True), _rule(period=Duration(1, "D")), True),
    (_rule(period=Duration(6, "Y")), _rule(until="account_closed"), True),  # a fixed period became an event
    (_rule(until="account_closed"), _rule(until="account_closed", period=Duration(30, "D")), False),
    (_rule(criteria="while needed"), _rule(criteria="while needed", unless="legal_claim"), True),
    (_rule(period=Duration(1, "Y")), _rule(period=Duration(1, "Y"), unless="legal_claim"), False),  # same period
    (None, _rule(period=Duration(1, "Y")), False),
])
def test_retention_may_keep_longer(old: RetentionRule | None, new: RetentionRule, longer: bool) -> None:
    assert new.may_keep_longer_than(old) is longer


# --- the model holds values, the outputs give their canonical forms ---------------------------------


def test_model_holds_value_objects(complete: Model) -> None:
    purposes = {p.key: p for p in complete.purposes}
    tax = purposes["tax_records"].retention
    assert tax is not None and tax.period == Duration(6, "Y") and tax.after == "financial_year_end"
    assert purposes["site_analytics"].retention is not None
    assert complete.policy is not None and complete.policy.informed_within == Duration(1, "M")
    assert complete.rights_info is not None and isinstance(complete.rights_info.respond_within, Duration)
    expiries = {c.key: c.expires for c in complete.cookies}
    assert Expiry() in expiries.values()
    assert all(e is None or isinstance(e, Expiry) for e in expiries.values())


def test_json_model_writes_canonical_forms(complete: Model) -> None:
    data = json.loads(json.dumps(to_data(complete)))
    periods = {p["id"]: (p["retention"] or {}).get("period") for p in data["purposes"]}
    assert periods["tax_records"] == "P6Y"
    assert {c["expires"] for c in data["cookies"]} >= {"session"}
    assert all(c["expires"] is None or c["expires"] == "session" or Duration.parse(c["expires"])
               for c in data["cookies"])
    assert Duration.parse(data["rights_info"]["respond_within"]) == complete.rights_info.respond_within  # type: ignore[union-attr]


def test_assertions_compare_retention_by_length() -> None:
    base = (REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8")
    within = base + '\nassert short "Short" {\n  require purpose where kind analytics has retain <= 2 years\n}\n'
    beyond = base + '\nassert shorter "Shorter" {\n  require purpose where kind analytics has retain <= 1 year\n}\n'
    codes = [[d.code for d in check_text(text, "p.policy").diagnostics if d.code == "A001"]
             for text in (within, beyond)]
    assert codes == [[], ["A001"]]  # its analytics data is kept 14 months


# --- the diff compares the fields of each kind ------------------------------------------------------


@pytest.mark.parametrize(("list_name", "kind"), [
    ("data", "data"), ("recipients", "recipient"), ("sources", "source"), ("decisions", "decision"),
    ("purposes", "purpose"), ("cookies", "cookie"), ("controllers", "controller"), ("sections", "section"),
])
def test_diff_compares_every_fact_the_json_model_gives(complete: Model, list_name: str, kind: str) -> None:
    derived = {"id", "is_special", "criminal", "sensitive", "from_subject", "title"}  # or compared as headers
    items = to_data(complete)[list_name]
    assert items, f"the complete policy must declare {list_name} for this comparison to mean anything"
    compared = {aspect for aspect, _ in aspects(kind)} - derived
    ignored = {"role"} if kind == "controller" else set()  # a controller has no `role`: always empty
    assert set(items[0]) - derived - ignored == compared
    assert all(KINDS[kind].field(field_name) is not None for _, field_name in aspects(kind))


def test_diff_sees_a_period_rewritten_in_other_units_as_no_longer() -> None:
    base = (REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8")
    months, year, longer = (_model(base.replace("retain 14 months", f"retain {period}"))
                            for period in ("12 months", "1 year", "13 months"))
    assert [(c.code, c.aspect) for c in diff_models(months, year).changes] == [(None, "retention")]
    assert [(c.code, c.aspect) for c in diff_models(year, longer).changes] == [("D003", "retention")]
