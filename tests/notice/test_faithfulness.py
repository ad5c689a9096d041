"""The notice says what the policy says: faithfulness oracles over the notice stage.

(a) every published statement is backed by facts of the source (or, for law text, by the standard
    library's declaration), for the examples, the complete test policies and generated policies;
(b) every item the law of the jurisdictions requires (policyc.notice.requirements) that the model
    holds is stated;
(c) deleting one field of a source removes the statements that claimed it, and no other statement
    claims it;
and the defects the notice once had never come back.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from policyc.driver import check_files, check_text
from policyc.model import Model
from policyc.notice.compose import compose
from policyc.notice.requirements import required_facts
from policyc.notice.statements import Notice, Table
from policyc.testing import policy_texts

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
COMPLETE = [REPO / "tests" / "policies" / n for n in ("uk_gdpr_complete.policy", "gdpr_ccpa_complete.policy")]
HOSTILE = REPO / "tests" / "policies" / "hostile.policy"
ALL = [*COMPLETE, HOSTILE, *EXAMPLES]


def ident(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@cache
def model_of(path: Path) -> Model:
    return check_files([path]).models[str(path)]


def assert_backed(notice: Notice, own_files: set[str]) -> None:
    """Oracle (a)."""
    for section, statement in notice.statements():
        where = f"{section}: {statement.text!r}"
        assert statement.backing, f"unbacked statement in {where}"
        assert statement.kind in ("fact", "derived", "law", "guide"), where
        files = {b.span.file for b in statement.backing}
        if statement.kind == "law":
            assert all(f.startswith("<stdlib>/") for f in files), f"law text not from the stdlib: {where}"
        elif statement.kind == "fact":
            assert files & own_files, f"a fact backed by no span of the policy: {where} {files}"
        assert all(b.fact and ":" in b.fact for b in statement.backing), where


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_every_statement_is_backed(path: Path) -> None:
    model = model_of(path)
    own = {str(path)} | {t.decl.span.file for t in model.typed}
    assert_backed(compose(model, str(path)), own)


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_every_required_item_the_model_holds_is_stated(path: Path) -> None:
    model = model_of(path)
    stated = {b.fact for _, s in compose(model).statements() for b in s.backing}
    missing = [f"{r.article} ({r.item}): {f}" for r, f in required_facts(model) if f not in stated]
    assert not missing, missing


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_texts())
def test_generated_policies_are_stated_faithfully(text: str) -> None:
    result = check_text(text, "generated.policy")
    model = result.models["generated.policy"]
    notice = compose(model, "generated.policy")
    assert_backed(notice, {"generated.policy"})
    stated = {b.fact for _, s in notice.statements() for b in s.backing}
    missing = [f"{r.article}: {f}" for r, f in required_facts(model) if f not in stated]
    assert not missing, missing


# --- (c) deleting a field ---------------------------------------------------------------------


def _fields(model: Model) -> list[tuple[str, str, int, int]]:
    """(fact id, field name, start, end) of every field written in the policy's own file."""
    out = []
    for t in model.typed:
        decl = t.decl
        if model.policy is None or decl.span.file != model.policy.span.file:
            continue
        for fld in decl.fields:
            out.append((f"{decl.kind}:{decl.key}:{fld.name}", fld.name, fld.span.start, fld.span.end))
    return out


@pytest.mark.parametrize("path", COMPLETE, ids=ident)
def test_deleting_a_field_removes_what_it_backed(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    model = model_of(path)
    before = compose(model, str(path))
    claimed = {b.fact for _, s in before.statements() for b in s.backing}
    checked = 0
    for fact, _name, start, end in _fields(model):
        if fact not in claimed:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        mutated = text[:line_start] + text[line_end + 1:]
        result = check_text(mutated, str(path))
        if any(d.code[0] in "SNT" for d in result.diagnostics):
            continue  # a required field: the policy no longer compiles, so there is no notice to compare
        after = compose(result.models[str(path)], str(path))
        still = [s.text for _, s in after.statements() if any(b.fact == fact for b in s.backing)]
        assert not still, f"{fact} deleted, yet stated: {still}"
        checked += 1
    assert checked > 40, f"only {checked} deletions checked"


# --- the defects of the issue never come back ----------------------------------------------------

DEFECTS = [
    r"This is this notice",
    r"^This notice, effective from",
    r"Set by: Us",
    r"contact us first",
    r"You can stop direct marketing at any time",
    r"object to our use of your data by contacting us",
    r"withdraw it at any time by contacting us",
    r"(?<!\.)\.\.(?!\.)",  # two full stops: a sentence closed after words that close it already
    r"\. [a-z]",  # lower-case text glued after a full stop
]


@pytest.mark.parametrize("path", ALL, ids=ident)
def test_no_defective_sentence(path: Path) -> None:
    model = model_of(path)
    notice = compose(model, str(path))
    for _, statement in notice.statements():
        if statement.kind not in ("guide", "derived") and statement.label == "":
            continue  # author text is the author's
        for pattern in DEFECTS[:-1]:
            assert not re.search(pattern, statement.text), (pattern, statement.text)
    texts = [s.text for _, s in notice.statements() if s.kind != "fact"]
    assert not any(re.search(DEFECTS[-1], t) for t in texts if not t.endswith("e.g.")), texts


def _policy_with(extra: str, laws: str = "uk_gdpr") -> Model:
    text = f"""
policy "Notice" {{
  controller acme
  jurisdictions {laws}
}}
controller acme "Acme Ltd" {{
  email "privacy@acme.example"
}}
data contact "Contact details" {{
  category contact
  source subject
}}
{extra}
"""
    return check_text(text, "p.policy").models["p.policy"]


def _texts(model: Model) -> list[str]:
    return [s.text for _, s in compose(model).statements()]


def test_silence_is_not_published_as_denial() -> None:
    model = _policy_with("""
purpose orders "Orders" {
  uses contact
  basis contract
}
cookie basket "Basket" {
  purpose orders
  kind strictly_necessary
}
""")
    texts = _texts(model)
    assert "No one" not in texts  # the purpose says nothing about sharing
    assert "Us" not in texts  # the cookie does not say who sets it
    assert "Not stated" in texts
    assert not any("supervisory authority of the EU" in t or "EU GDPR" in t for t in texts)


def test_only_an_explicit_denial_is_published() -> None:
    model = _policy_with("""
purpose orders "Orders" {
  uses contact
  basis contract
  shares_with none
  automated_decisions none
}
cookie basket "Basket" {
  purpose orders
  provider first_party
  kind strictly_necessary
}
""")
    texts = _texts(model)
    assert "No one" in texts and "Us" in texts
    assert any(t.startswith("We do not make decisions about you based solely on automated") for t in texts)


def test_a_uk_notice_speaks_uk_law_and_an_eu_notice_eu_law() -> None:
    uk = " ".join(_texts(_policy_with("")))
    eu = " ".join(_texts(_policy_with("", "gdpr")))
    assert "UK GDPR" in uk and "EU GDPR" not in uk
    assert "EU GDPR" in eu and "UK GDPR" not in eu


def test_a_ccpa_only_notice_offers_ccpa_rights_not_gdpr_rights() -> None:
    model = _policy_with("""
purpose orders "Orders" {
  uses contact
  basis consent
}
""", "ccpa")
    offered = {r.right.key for r in model.rights}
    assert {"know", "delete", "correct", "opt_out_sale_share", "non_discrimination"} <= offered
    assert not offered & {"erasure", "portability", "withdraw_consent", "access"}


def test_author_text_after_our_sentence_starts_a_sentence() -> None:
    model = check_text('''
policy "Notice" {
  controller acme
  jurisdictions uk_gdpr
}
controller acme "Acme Ltd" {
  email "privacy@acme.example"
}
data contact "Contact details" {
  category contact
  source subject
  required_for contract
  if_not_provided "*we* cannot deliver your order."
}
''', "p.policy").models["p.policy"]
    said = [s.text for _, s in compose(model).statements() if s.label == "Do you have to give it?"]
    assert said and re.search(r"with you\. \*We\* cannot", said[0]), said


def test_at_a_glance_retention_is_true_of_every_purpose() -> None:
    model = _policy_with("""
purpose orders "Orders" {
  uses contact
  basis contract
  retain 6 years after contract_end
}
purpose accounts "Accounts" {
  uses contact
  basis legal_obligation
  retain 7 years after financial_year_end
}
""")
    glance = next(s for _, s in compose(model).statements() if s.label == "How long we keep it")
    assert "at most" not in glance.text  # periods from different events cannot be compared
    model = _policy_with("""
purpose orders "Orders" {
  uses contact
  basis contract
  retain 6 years
}
purpose accounts "Accounts" {
  uses contact
  basis legal_obligation
  retain 2 years
}
""")
    glance = next(s for _, s in compose(model).statements() if s.label == "How long we keep it")
    assert "at most 6 years" in glance.text


def test_a_hedged_role_is_published_as_the_notice_hedges_it() -> None:
    model = _policy_with("""
recipient partners "Delivery partners" {
  role processor, controller
  sector "parcel delivery"
}
purpose orders "Orders" {
  uses contact
  basis contract
  shares_with partners
}
""")
    recipient = model.recipients[0]
    assert recipient.roles == ("processor", "controller") and recipient.role == ""
    said = [s.text for _, s in compose(model).statements() if s.label == "Who they are"]
    assert said == ["Service provider acting on our instructions or independent organisation (a controller in its "
                    "own right), depending on the service"]


def test_an_authority_address_the_notice_gives_is_the_one_published() -> None:
    text = """
policy "Notice" {
  controller acme
  jurisdictions uk_gdpr
}
controller acme "Acme Ltd" {
  email "privacy@acme.example"
  authority ico "https://ico.org.uk/concerns/"
}
"""
    model = check_text(text, "p.policy").models["p.policy"]
    said = [s.text for _, s in compose(model).statements() if s.text.startswith("Information Commissioner")]
    assert said == ["Information Commissioner's Office (United Kingdom): https://ico.org.uk/concerns/"]


def test_how_opt_out_signals_are_handled_is_the_law_not_a_promise() -> None:
    model = _policy_with("""
recipient adnet "Ad network" {
  role controller
  sells no
  shares yes
}
purpose ads "Advertising" {
  uses contact
  kind marketing.targeted_advertising
  shares_with adnet
}
""", "ccpa")
    said = [s for _, s in compose(model).statements() if "preference signal" in s.text]
    assert said, "the CCPA section quotes the law on opt-out preference signals"
    assert all(s.kind == "law" for s in said), [(s.kind, s.text) for s in said if s.kind != "law"]
    assert not any(s.text.startswith("We treat") for s in said)


def test_a_purpose_that_is_direct_marketing_by_its_kind_says_so_where_its_right_does() -> None:
    model = _policy_with("""
purpose news "Newsletter" {
  uses contact
  kind marketing.email
  basis consent
}
""")
    statements = [s for _, s in compose(model).statements()]
    scope = [s for s in statements if s.text.startswith("This right applies to the data we use for")
             and any(b.fact == "purpose:news:kind" for b in s.backing)]
    assert scope, "the Art 21(2) right is offered for the newsletter"
    said = [s for s in statements if s.text.startswith("This is direct marketing")]
    assert len(said) == 1 and said[0].kind == "derived", said
    facts = {b.fact for b in said[0].backing}
    assert "purpose:news:kind" in facts and "purpose:news:direct_marketing" not in facts, facts


def test_a_name_that_ends_in_a_full_stop_ends_the_sentence_once() -> None:
    model = check_text("""
policy "Notice" {
  controller acme
  jurisdictions uk_gdpr, ccpa
}
controller acme "Sunset Threads, Inc." {
  email "privacy@acme.example"
}
data contact "Contact details" {
  category contact
  source subject
}
recipient adnet "Ads Co., Inc." {
  role controller
  sells yes
}
purpose ads "Advertising" {
  uses contact
  basis consent
  shares_with adnet
}
""", "p.policy").models["p.policy"]
    texts = [s.text for _, s in compose(model).statements()]
    assert "In this notice “we”, “us” and “our” mean Sunset Threads, Inc." in texts
    assert "We sell personal information to Ads Co., Inc." in texts
    assert not [t for t in texts if re.search(DEFECTS[-2], t)]


_GDPR_WORDS = ("legal basis", "Legal basis", "Article", "controller", "processor", "special category data",
               "legitimate interests")


@pytest.mark.parametrize("laws", ["ccpa", "uk_gdpr, ccpa"])
def test_a_notice_under_no_gdpr_law_publishes_no_gdpr_concept(laws: str) -> None:
    from policyc.backends import BACKENDS, BuildContext

    model = _policy_with("""
data health "Health information" {
  category health
  source subject
}
recipient pay "Payments" {
  role processor
}
recipient partner "Partner" {
  role controller
}
purpose orders "Orders" {
  uses contact, health
  basis contract
  condition explicit_consent
  shares_with pay, partner
}
purpose fraud "Fraud checks" {
  uses contact
  basis legitimate_interests "stopping fraud"
  shares_with none
}
""", laws)
    published = str(BACKENDS["md"].render(model, BuildContext(stem="privacy", source="p.policy")))
    found = [w for w in _GDPR_WORDS if w in published]
    if laws == "ccpa":
        assert not found, found
        assert "## Why we use your data\n" in published
        assert "Acme Ltd decides why and how your personal information is used." in published
        assert "| Purpose | Data we use | How long we keep it | Shared with |" in published
    else:  # the same policy under the UK GDPR says all of it
        assert set(_GDPR_WORDS) - {"processor"} <= set(found), found
        assert "## Why we use your data and our legal basis" in published


def _transfer_to(safeguards: str) -> tuple[list[str], list[str]]:
    """The transfer table's copy cells and the law quoted, for a transfer to the US on `safeguards`."""
    model = _policy_with(f"""
recipient courier "Courier" {{
  role controller
  country US
  safeguard {safeguards}
}}
purpose deliver "Delivering orders" {{
  uses contact
  basis contract
  shares_with courier
}}
""", "gdpr")
    notice = compose(model)
    section = next(s for s in notice.sections if s.key == "transfers")
    table = next(b for b in section.blocks if getattr(b, "id", "") == "transfers-table")
    copies = [row.cells[-1].text for row in table.rows if row.cells[-1] is not None]  # type: ignore[union-attr]
    law = [" ".join(s.text.split()) for _, s in notice.statements() if s.kind == "law"]
    return copies, law


ART_46 = "allows personal data to be sent there with appropriate safeguards"
ART_49 = "allows it only in the specific situations that Article 49 lists"


def test_a_transfer_on_a_derogation_quotes_art_49_and_asks_for_no_copy() -> None:
    copies, law = _transfer_to("derogation_contract")
    assert copies == ["Not applicable"]
    assert any(ART_49 in t for t in law) and not any(ART_46 in t for t in law)
    assert not any("only with appropriate safeguards" in t for t in law)
    copies, law = _transfer_to("eu_scc")
    assert copies == ["Not stated"]
    assert any(ART_46 in t for t in law) and not any(ART_49 in t for t in law)
    copies, law = _transfer_to("eu_scc, derogation_explicit_consent")
    assert copies == ["Not stated"]
    assert any(ART_46 in t for t in law) and any(ART_49 in t for t in law)
    copies, _ = _transfer_to("derogation_compelling_interests")  # its suitable safeguards: Art 13(1)(f)
    assert copies == ["Not stated"]


@pytest.mark.parametrize(("laws", "authority", "choice_stated"), [
    ("gdpr", "dpc_ie", True),  # Art 77(1): the lead authority named is not the only one people can use
    ("uk_gdpr", "ico", False),  # one authority: naming it says all
])
def test_a_named_authority_keeps_the_laws_choice_of_authority(laws: str, authority: str,
                                                              choice_stated: bool) -> None:
    text = f"""
use {laws}
policy "Notice" {{ controller acme; jurisdictions {laws} }}
controller acme "Acme Ltd" {{ email "privacy@acme.example"; authority {authority} }}
"""
    texts = _texts(check_text(text, "p.policy").models["p.policy"])
    assert any("where you live, where you work" in t for t in texts) is choice_stated, texts


def test_under_laws_with_different_rights_each_right_says_whose_it_is() -> None:
    mixed = compose(model_of(COMPLETE[1]))  # EU GDPR and CCPA
    labels = [s.text for _, s in mixed.statements() if s.text.startswith("A right under the ")]
    assert "A right under the EU GDPR." in labels and "A right under the CCPA / CPRA." in labels
    single = compose(model_of(COMPLETE[0]))  # UK GDPR only: every right is the one law's
    assert not [s for _, s in single.statements() if s.text.startswith("A right under the ")]


def test_the_ccpa_categories_say_how_long_each_is_kept() -> None:
    notice = compose(model_of(COMPLETE[1]))
    table = next(b for section in notice.sections for b in section.blocks
                 if isinstance(b, Table) and b.id == "california-categories")
    assert table.columns[-1] == "How long we keep it"  # 1798.100(a)(3)
    geolocation = next(r for r in table.rows if r.header.text == "Geolocation data")
    assert geolocation.cells[-1] is not None and geolocation.cells[-1].text == "1 day from when we collect it"
    commercial = next(r for r in table.rows if r.header.text == "Commercial information")
    assert commercial.cells[-1] is not None
    assert commercial.cells[-1].text.startswith("Billing paid plans: 6 years after the end of our contract")
