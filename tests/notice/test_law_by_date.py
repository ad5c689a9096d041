"""The law a notice quotes is the law in force on its `effective` date: UK GDPR Art 22 until the Data
(Use and Access) Act 2025 replaced it with Arts 22A-22D on 5 February 2026, the EU GDPR's Art 22 in an
EU notice, and without a date the law as it stands now."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyc.backends import BACKENDS, BuildContext
from policyc.driver import check_text
from policyc.notice.compose import compose

POLICIES = Path(__file__).resolve().parents[1] / "policies"
UK = POLICIES / "uk_gdpr_complete.policy"
OLD_UK = "may be made only where it is\n    necessary for a contract with you"
NEW_UK = "Such a decision may not rest on a recognised legitimate interest"


def notice(text: str, path: Path) -> str:
    result = check_text(text, str(path))
    assert not result.errors, [d.message for d in result.diagnostics]
    model = result.models[str(path)]
    return BACKENDS["md"].render(model, BuildContext(stem="privacy", source=str(path)))  # type: ignore[return-value]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("effective", "quoted", "not_quoted"), [
    ("2026-02-04", OLD_UK, NEW_UK),
    ("2026-02-05", NEW_UK, OLD_UK),
    ("2026-09-01", NEW_UK, OLD_UK),
])
def test_a_uk_notice_quotes_the_automated_decision_law_of_its_date(effective: str, quoted: str,
                                                                  not_quoted: str) -> None:
    text = UK.read_text(encoding="utf-8").replace("effective 2026-09-01", f"effective {effective}")
    if effective < "2026-02-05":  # Art 22(2) still applied: the fraud screen needs the contract as its ground (P084)
        text = text.replace('basis legitimate_interests "preventing fraud against us and our customers"',
                            "basis contract")
    published = flat(notice(text, UK))
    assert flat(quoted) in published and flat(not_quoted) not in published
    assert "EU GDPR" not in published


def test_without_a_date_the_law_as_it_stands_now() -> None:
    text = UK.read_text(encoding="utf-8").replace("  effective 2026-09-01\n", "")
    published = flat(notice(text, UK))
    assert flat(NEW_UK) in published and flat(OLD_UK) not in published


def test_a_notice_without_automated_decisions_quotes_neither() -> None:
    path = POLICIES / "gdpr_ccpa_complete.policy"
    published = flat(notice(path.read_text(encoding="utf-8"), path))
    assert "solely on automated processing, including profiling, that has legal effects" not in published



ART_22_4 = ("Such a decision may use special category data only with your explicit consent, or where a law in "
            "the substantial public interest allows it, and only with suitable measures to safeguard your rights.")
SMALL = """
policy "Notice" {
  controller acme
  jurisdictions LAW
  effective 2026-02-04
}
controller acme "Acme Ltd" {
  email "privacy@acme.example"
}
data contact "Contact details" {
  category contact
  source subject
}
decision screening "Screening" {
  uses contact
  logic "A score."
  significance "A high score stops the order."
  consequences "We refund you."
  solely_automated yes
  legal_effect yes
  safeguards human_review, express_view, contest
}
purpose orders "Orders" {
  uses contact
  basis contract
  automated_decisions screening
  retain 1 year
}
"""


@pytest.mark.parametrize("law", ["uk_gdpr", "gdpr"])
def test_art_22_as_quoted_keeps_its_limit_on_special_category_data(law: str) -> None:
    """The UK GDPR kept Art 22(4) until Arts 22A-22D replaced Art 22: a UK notice before then quotes it as
    an EU notice does."""
    model = check_text(SMALL.replace("LAW", law), "p.policy").models["p.policy"]
    published = flat(" ".join(s.text for _, s in compose(model).statements() if s.kind == "law"))
    name = "UK GDPR" if law == "uk_gdpr" else "EU GDPR"
    assert f"Under the {name}, a decision based solely on automated processing" in published
    assert flat(ART_22_4) in published
