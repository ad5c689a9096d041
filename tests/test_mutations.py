"""No false positives on complete policies, and one finding per broken fact.

tests/policies/ holds two legally complete notices: a UK GDPR online retailer and an EU GDPR + CCPA
SaaS company. Each must check clean (no errors, no warnings). Each row of MUTATIONS then breaks one
fact of one notice with a single `str.replace` and states the one code the checker must report:
the set of codes after the mutation is exactly that code, warnings included, so a rule that stays
silent, or a rule that fires as a side effect, fails the row.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policyc.driver import check_files, check_text

POLICIES = Path(__file__).resolve().parent / "policies"
UK = "uk_gdpr_complete.policy"
EU_US = "gdpr_ccpa_complete.policy"
COMPLETE = (UK, EU_US)


def read(name: str) -> str:
    return (POLICIES / name).read_text(encoding="utf-8")


def mutate(name: str, old: str, new: str) -> str:
    text = read(name)
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}, not once"
    assert old != new
    return text.replace(old, new, 1)


def codes(name: str, text: str) -> set[str]:
    return {d.code for d in check_text(text, str(POLICIES / name)).diagnostics}


def m(ident: str, policy: str, old: str, new: str, code: str) -> Any:
    """One row: break one fact of `policy` by replacing `old` (which occurs once) with `new`."""
    return pytest.param(policy, old, new, code, id=ident)


MUTATIONS = [
    # --- P001-P003: who the controller is -------------------------------------------------------
    m("P001-controller-unnamed", UK, 'controller northwind "Northwind Home Ltd" {\n  legal_name "Northwind Home Ltd"\n',
      "controller northwind {\n", "P001"),
    m("P002-controller-outside-uk", UK, '  country GB\n  email "privacy@northwind-home.example"',
      '  country US\n  email "privacy@northwind-home.example"', "P002"),
    m("P002-controller-outside-eea", EU_US, '  country IE\n  email "privacy@tessellate.example"',
      '  country US\n  email "privacy@tessellate.example"', "P002"),
    m("P003-dpo-without-contact", UK,
      '  email "dpo@northwind-home.example"\n'
      '  address "Data Protection Officer, Northwind Home Ltd, 4 Canal Wharf, Leeds, LS11 5PS"\n', "", "P003"),
    m("P004-representative-outside-area", UK,
      '  country GB\n  email "privacy@northwind-home.example"\n  phone "0113 496 0000"\n'
      '  url "https://www.northwind-home.example/contact"\n  dpo dpo_office\n  authority ico\n}\n',
      '  country US\n  email "privacy@northwind-home.example"\n  phone "0113 496 0000"\n'
      '  url "https://www.northwind-home.example/contact"\n  dpo dpo_office\n  authority ico\n'
      '  representative us_office\n}\n\ncontact us_office "Our representative" {\n'
      '  email "rep@northwind-home.example"\n  country US\n}\n', "P004"),
    # --- P010-P014: purposes and bases ----------------------------------------------------------
    m("P010-basis-dropped", UK, "  basis legal_obligation\n", "", "P010"),
    m("P012-interest-dropped", UK, 'basis legitimate_interests "preventing fraud against us and our customers"',
      "basis legitimate_interests", "P012"),
    m("P012-interest-only-restated", UK, 'basis legitimate_interests "preventing fraud against us and our customers"',
      'basis legitimate_interests "the legitimate interests of our business"', "P012"),
    m("P012-interest-only-cited", UK, 'basis legitimate_interests "preventing fraud against us and our customers"',
      'basis legitimate_interests "Article 6(1)(f) UK GDPR"', "P012"),
    m("P013-vague-description", UK,
      '"We keep your account so that you can see past orders and check out faster."',
      '"We keep your account to improve our services."', "P013"),
    m("P013-better-experience", UK,
      '"We keep your account so that you can see past orders and check out faster."',
      '"We keep your account to enhance your experience."', "P013"),
    m("P095-public-task-for-a-retailer", UK, "  basis legal_obligation\n", "  basis public_task\n", "P095"),
    m("P096-public-body-on-legitimate-interests", UK, '  legal_name "Northwind Home Ltd"\n',
      '  legal_name "Northwind Home Ltd"\n  public_body yes\n', "P096"),
    m("P014-uses-dropped", UK, "  uses identity_contact, order_history, payment_details\n", "", "P014"),
    m("P015-service-on-consent", EU_US, "  kind service.provision, account\n  basis contract\n",
      "  kind service.provision, account\n  basis consent\n", "P015"),
    # --- P021, P022, P070: sources and whether data is required ---------------------------------------
    m("P021-source-public-dropped", UK, '  public no\n  url "https://www.cifas.org.uk/fpn"',
      '  url "https://www.cifas.org.uk/fpn"', "P021"),
    m("P022-source-dropped", UK, "  category online.usage, online.device, online.ip_address, online.cookie_id\n"
      "  source observed\n", "  category online.usage, online.device, online.ip_address, online.cookie_id\n", "P022"),
    m("P023-art14-timing-dropped", UK, "  informed_within 1 month\n", "", "P023"),
    m("P023-art14-timing-too-late", UK, "  informed_within 1 month\n", "  informed_within 3 months\n", "P023"),
    m("P024-bought-data-said-to-come-from-the-person", UK, 'data marketing_contact "Marketing preferences" {\n',
      'data marketing_contact "Marketing preferences" {\n  description "We buy these addresses from a list broker."\n',
      "P024"),
    m("P070-required-for-dropped", UK, '  required_for optional\n  if_not_provided "You can check out as a guest',
      '  if_not_provided "You can check out as a guest', "P070"),
    m("P070-consequence-dropped", UK,
      '  if_not_provided "We cannot complete your purchase without a way to pay."\n', "", "P070"),
    m("P032-purpose-sharing-unstated", UK, "  basis contract\n  shares_with cloud_hosting\n  retain session\n",
      "  basis contract\n  retain session\n", "P032"),
    # --- P031, P040-P044: recipients and transfers ----------------------------------------------
    m("P031-generic-recipient", UK,
      'recipient couriers "Parcel delivery companies" {\n  role processor\n  sector "parcel delivery"\n'
      '  includes "Royal Mail Group Ltd", "DPD Group UK Ltd"\n',
      'recipient couriers "Our partners" {\n  role processor\n', "P031"),
    m("P033-joint-controller-without-arrangement", UK,
      'recipient couriers "Parcel delivery companies" {\n  role processor\n',
      'recipient couriers "Parcel delivery companies" {\n  role joint_controller\n', "P033"),
    m("P040-processor-moved-to-brazil", UK, '"DPD Group UK Ltd"\n  country GB', '"DPD Group UK Ltd"\n  country BR',
      "P040"),
    m("P040-scc-dropped-us", EU_US, "  safeguard eu_scc\n", "", "P040"),
    m("P041-safeguard-copy-dropped", UK, '  safeguard_copy "Email privacy@northwind-home.example for a copy of the '
      'International Data Transfer Agreement."\n', "", "P041"),
    m("P041-scc-copy-dropped", EU_US, '  safeguard_copy "Email privacy@tessellate.example for a copy of the '
      'Standard Contractual Clauses."\n', "", "P041"),
    m("P042-derogation-for-processor", UK, "  safeguard idta\n", "  safeguard derogation_contract\n", "P042"),
    m("P044-eu-scc-alone-for-uk", UK, "  safeguard eu_scc, uk_addendum\n", "  safeguard eu_scc\n", "P044"),
    m("P040-adequacy-claimed-for-india", UK, "  safeguard idta\n", "  safeguard adequacy\n", "P040"),
    m("P043-safeguard-without-transfer", EU_US, "  country NL\n", "  country NL\n  safeguard eu_scc\n", "P043"),
    m("P045-countries-not-named", UK, "  country IN\n  safeguard idta\n", "  country IN, outside\n  safeguard idta\n",
      "P045"),
    m("P045-countries-not-named-eu", EU_US, "  country US\n", "  country US, outside\n", "P045"),
    m("P045-safeguard-without-country", UK, "  country IN\n  safeguard idta\n", "  safeguard idta\n", "P045"),
    m("P040-international-organisation", UK, '  sector "fraud prevention"\n  country GB\n',
      '  sector "fraud prevention"\n  country GB\n  international_organisation yes\n', "P040"),
    m("P046-derogation-unspecified", EU_US, '  sector "online advertising"\n  country IE\n',
      '  sector "online advertising"\n  country US\n  safeguard derogation\n', "P046"),
    m("P047-old-uk-clauses-after-2024", UK, "  safeguard idta\n", "  safeguard uk_scc_2010\n", "P047"),
    m("P047-old-eu-clauses-after-2022", EU_US, "  safeguard eu_scc\n", "  safeguard eu_scc_2010\n", "P047"),
    # --- P050-P051: retention -------------------------------------------------------------------
    m("P050-retention-dropped", UK, "  retain until consent_withdrawn\n", "", "P050"),
    m("P051-as-long-as-necessary", UK, "  retain 14 months\n", '  retain criteria "as long as necessary"\n', "P051"),
    m("P051-until-no-longer-needed", EU_US, "  retain 1 day\n", '  retain criteria "until we no longer need it"\n',
      "P051"),
    m("P051-internal-retention-policy", UK, "  retain 14 months\n",
      '  retain criteria "in line with our internal data retention policy"\n', "P051"),
    # --- P060-P066: rights ----------------------------------------------------------------------
    m("P060-erasure-excluded", UK, "  respond_within 1 month\n",
      '  respond_within 1 month\n  exclude erasure "we keep order records"\n', "P060"),
    m("P061-object-promised-not-granted", EU_US, "  respond_within 30 days\n",
      "  respond_within 30 days\n  also object\n", "P061"),
    m("P067-describes-a-right-not-offered", EU_US, "  respond_within 30 days\n",
      '  respond_within 30 days\n  describe automated_decision "A person reviews every decision about you."\n',
      "P067"),
    m("P061-portability-for-all-data", UK, "  respond_within 1 month\n",
      "  respond_within 1 month\n  also portability\n", "P061"),
    m("P062-legitimate-interests-without-object", EU_US, "  kind security.authentication\n  basis contract\n",
      '  kind security.authentication\n  basis legitimate_interests "keeping accounts secure"\n', "P062"),
    m("P063-direct-marketing-without-object", EU_US, "  kind service.notifications\n  basis contract\n",
      "  kind service.notifications\n  basis contract\n  direct_marketing yes\n", "P063"),
    m("P064-withdraw-dropped", UK,
      '  withdraw """Withdraw consent at any time in your account settings, with the unsubscribe link in\n'
      '    any email, or by writing to privacy@northwind-home.example."""\n', "", "P064"),
    m("P064-withdraw-gives-no-way", UK, "Withdraw consent at any time in your account settings, with the "
      "unsubscribe link in\n    any email, or by writing to privacy@northwind-home.example.",
      "You can withdraw consent\n    at any time.", "P064"),
    m("P062-object-gives-no-way", UK, "You can object to fraud checks by writing to privacy@northwind-home.example. "
      "You can stop\n    marketing emails at any time with the unsubscribe link.",
      "You have the right to object to fraud checks\n    and to marketing emails.", "P062"),
    m("P064-withdraw-mentions-the-account-but-no-way", UK, "Withdraw consent at any time in your account settings, "
      "with the unsubscribe link in\n    any email, or by writing to privacy@northwind-home.example.",
      "You can withdraw consent at any time.\n    Withdrawing it does not affect your account.", "P064"),
    m("P062-object-only-by-unsubscribing", UK, "You can object to fraud checks by writing to "
      "privacy@northwind-home.example. You can stop\n    marketing emails at any time with the unsubscribe link.",
      "You can stop\n    marketing emails at any time with the unsubscribe link.", "P062"),
    m("P068-withdraw-only-by-unsubscribing", UK, "Withdraw consent at any time in your account settings, with the "
      "unsubscribe link in\n    any email, or by writing to privacy@northwind-home.example.",
      "Withdraw consent with the unsubscribe link in\n    any email.", "P068"),
    m("P063-marketing-kind-without-object", EU_US, "  kind service.notifications\n  basis contract\n",
      "  kind marketing.email\n  basis contract\n", "P063"),
    m("P061-automated-decision-promised-without-decision", EU_US, "  respond_within 30 days\n",
      "  respond_within 30 days\n  also automated_decision\n", "P061"),
    m("P071-two-months-to-answer", UK, "  respond_within 1 month\n", "  respond_within 2 months\n", "P071"),
    m("P071-forty-five-days-under-the-gdpr", EU_US, "  respond_within 30 days\n", "  respond_within 45 days\n",
      "P071"),
    m("P073-extension-given-as-the-rule", UK, "  respond_within 1 month\n",
      '  respond_within 3 months\n  text "For complex requests we can extend the time by two further months."\n',
      "P073"),
    m("P072-fee-for-every-request", UK, '  fee "We do not charge a fee for a request."',
      '  fee "We charge a fee of £10 for each request."', "P072"),
    m("P072-fee-for-the-first-copy", UK, '  fee "We do not charge a fee for a request."',
      '  fee "Making a request is free, but we charge £10 to send you a copy of your data."', "P072"),
    m("P065-ico-dropped", UK, "  authority ico\n", "", "P065"),
    m("P065-dpc-dropped", EU_US, "  authority dpc_ie, cppa\n", "  authority cppa\n", "P065"),
    m("P065-public-sector-authority-for-a-business", EU_US, "  authority dpc_ie, cppa\n", "  authority apdcat, cppa\n",
      "P065"),
    m("P066-complaints-dropped", UK,
      '  complaints """To complain to us, email complaints@northwind-home.example. We acknowledge\n'
      '    complaints within 30 days and tell you the outcome without undue delay."""\n', "", "P066"),
    # --- P080-P081: automated decisions ---------------------------------------------------------
    m("P080-logic-dropped", UK,
      '  logic """A scoring model compares the order with known fraud patterns. It weighs the delivery\n'
      '    address, the payment card, the order value and any matching fraud records."""\n', "", "P080"),
    m("P080-safeguards-dropped", UK, "  safeguards human_review, express_view, contest\n", "", "P080"),
    m("P083-fraud-decision-on-recognised-interests", UK,
      'basis legitimate_interests "preventing fraud against us and our customers"',
      'basis recognised_legitimate_interests "UK GDPR Annex 1 para 5: detecting and preventing crime"', "P083"),
    m("P081-decision-uses-health-data", UK, "  uses payment_details, order_history, credit_score, fraud_markers\n",
      "  uses payment_details, order_history, credit_score, fraud_markers, mobility_needs\n", "P081"),
    m("P082-dpia-dropped", UK, "  dpia 2026-07-30\n", "", "P082"),
    m("P082-dpia-dropped-for-tracking-and-teenagers", EU_US, "  dpia 2026-01-20\n", "", "P082"),
    # --- P090-P093: special-category and criminal-offence data ----------------------------------
    m("P090-biometric-without-condition", UK, '  category account\n', '  category account\n  special biometric\n',
      "P090"),
    m("P091-condition-uncited", UK,
      'condition criminal_authorised_by_law "DPA 2018 Sch 1 para 14 (preventing fraud)"',
      "condition criminal_authorised_by_law", "P091"),
    m("P092-vital-interests-for-marketing", UK, "  basis consent\n  direct_marketing yes\n",
      "  basis vital_interests\n  direct_marketing yes\n", "P092"),
    m("P093-art10-condition-dropped", UK,
      '  condition criminal_authorised_by_law "DPA 2018 Sch 1 para 14 (preventing fraud)"\n', "", "P093"),
    m("P094-explicit-consent-without-special-data", UK, "  basis consent\n  direct_marketing yes\n",
      "  basis consent\n  condition explicit_consent\n  direct_marketing yes\n", "P094"),
    # --- P100: children -------------------------------------------------------------------------
    m("P100-children-below-consent-age", UK, "  minimum_age 18\n", "  minimum_age 12\n", "P100"),
    m("P100-parent-mentioned-not-consent", UK,
      '  minimum_age 18\n  children """We do not sell to anyone under 18 and we do not knowingly collect data about\n'
      '    children. If we learn that we hold a child\'s data, we delete it."""',
      '  minimum_age 12\n  children "If you are a parent and believe your child has given us data, contact us."',
      "P100"),
    # --- P110: unused declarations --------------------------------------------------------------
    m("P110-unused-data", UK, "# --- Rights and security",
      'data wish_lists "Wish lists" {\n  category preferences\n  source subject\n  required_for optional\n}\n\n'
      "# --- Rights and security", "P110"),
    m("P110-unused-recipient", UK, "  shares_with accountants\n", "  shares_with none\n", "P110"),
    m("P080-safeguards-partial", UK, "  safeguards human_review, express_view, contest\n", "  safeguards contest\n",
      "P080"),
    m("P084-uk-screening-on-interests-before-arts-22a-22d", UK, "  effective 2026-09-01\n",
      "  effective 2026-01-15\n", "P084"),
    # --- P111: denials the declarations contradict ------------------------------------------------
    m("P111-cookies-none-beside-cookies", UK, "  cookie_consent opt_in_banner\n",
      "  cookie_consent opt_in_banner\n  cookies none\n", "P111"),
    m("P111-automated-decisions-none-beside-a-decision", UK, "  minimum_age 18\n",
      "  minimum_age 18\n  automated_decisions none\n", "P111"),
    m("P111-shares-no-beside-a-recipient-sharing", EU_US, "  sells_minors no\n",
      "  sells_minors no\n  shares no\n", "P111"),
    # --- P120-P123: cookies ---------------------------------------------------------------------
    m("P120-functional-cookie-on-contract", UK, "  kind strictly_necessary\n  expires 30 days\n",
      "  kind functional\n  expires 30 days\n", "P120"),
    m("P120-analytics-on-contract", EU_US, "  kind analytics\n  basis consent\n",
      "  kind analytics\n  basis contract\n", "P120"),
    m("P121-implied-cookie-consent", UK, "cookie_consent opt_in_banner", "cookie_consent implied", "P121"),
    m("P122-cookie-expiry-dropped", UK, "  expires 13 months\n", "", "P122"),
    m("P125-analytics-cookie-called-necessary", UK, '  name "nw_basket"\n', '  name "_gid"\n', "P125"),
    m("P125-advertising-cookie-called-necessary", EU_US, '  name "ts_session"\n', '  name "_fbp"\n', "P125"),
    m("P124-cookie-wall", UK, "  cookie_consent opt_in_banner\n", "  cookie_consent opt_in_banner\n  cookie_wall yes\n",
      "P124"),
    m("P123-cookie-provider-dropped", UK, 'cookie basket "Basket cookie" {\n  provider first_party\n',
      'cookie basket "Basket cookie" {\n', "P123"),
    # --- C001-C010: CCPA ------------------------------------------------------------------------
    m("C001-category-dropped", EU_US, "  category communications\n  source subject\n  required_for optional\n"
      '  if_not_provided "We answer', '  source subject\n  required_for optional\n  if_not_provided "We answer',
      "C001"),
    m("C003-sells-dropped", EU_US, "  country NL\n  sells no\n", "  country NL\n", "C003"),
    m("C004-do-not-sell-url-dropped", EU_US,
      '  do_not_sell_url "https://tessellate.example/legal/do-not-sell-or-share"\n', "", "C004"),
    m("C005-limit-use-url-dropped", EU_US,
      '  limit_use_url "https://tessellate.example/legal/limit-sensitive-data"\n', "", "C005"),
    m("C008-request-contact-dropped", EU_US,
      '  contact "privacy@tessellate.example", "https://tessellate.example/legal/requests",\n    "+1 888 555 0142"\n',
      "", "C008"),
    m("C008-right-to-know-excluded", EU_US, "  respond_within 30 days\n",
      '  respond_within 30 days\n  exclude know "we do not answer requests to know"\n', "C008"),
    m("C009-minors-unstated", EU_US, "  sells_minors no\n", "", "C009"),
    m("C011-undated", EU_US, "  effective 2026-03-01\n", "", "C011"),
    m("C010-author-category-unmapped", EU_US,
      'data workspace_content "Workspace content" {\n  includes "projects, tasks and comments that our customers\' '
      'teams store in the app"\n  description "Our business customers decide what their teams store in their '
      'workspaces."\n  category communications\n',
      'category plans "Project plans" {\n  summary "Plans, tasks and comments."\n}\n\n'
      'data workspace_content "Workspace content" {\n  includes "projects, tasks and comments that our customers\' '
      'teams store in the app"\n  description "Our business customers decide what their teams store in their '
      'workspaces."\n  category plans\n', "C010"),
    # --- A: assertions --------------------------------------------------------------------------
    m("A001-recipient-sells", UK, '  sector "accountancy and audit"\n',
      '  sector "accountancy and audit"\n  sells yes\n', "A001"),
    m("A001-health-data-to-us", UK, "  shares_with cloud_hosting\n  retain 2 years",
      "  shares_with cloud_hosting, support_desk\n  retain 2 years", "A001"),
    m("A002-assertion-matches-nothing", UK, "uses.category health.*", "uses.category genetic.*", "A002"),
    # --- Q: plain language ----------------------------------------------------------------------
    m("Q001-may", UK, '"We use your details to take your order, deliver it, and handle returns and refunds."',
      '"We use your details to take your order, deliver it, and handle returns and refunds. We may call you."',
      "Q001"),
    m("Q002-forty-word-sentence", UK,
      '"With your consent, we count visits and see which pages work well, using analytics cookies."',
      '"With your consent, we count visits to each page of our website and see which pages, product ranges, '
      "search results, offers and checkout steps work well and which do not, using analytics cookies that are set "
      'only after you accept them in the cookie banner on your first visit."', "Q002"),
    # --- S, N, T: language errors ---------------------------------------------------------------
    m("S006-equals-sign", UK, '  version "4.2"\n', '  version = "4.2"\n', "S006"),
    m("N001-basis-typo", UK, "  kind orders, service.delivery\n  basis contract\n",
      "  kind orders, service.delivery\n  basis contrakt\n", "N001"),
    m("T001-unknown-field", UK, '  version "4.2"\n', '  versoin "4.2"\n', "T001"),
    m("T002-cookie-purpose-dropped", UK, "  purpose site_analytics\n", "", "T002"),
    m("T003-duration-as-string", UK, "  respond_within 1 month\n", '  respond_within "one month"\n', "T003"),
    m("T004-recipient-as-data", UK, "  uses marketing_contact\n", "  uses marketing_contact, email_platform\n", "T004"),
    m("T006-invalid-date", UK, "effective 2026-09-01", "effective 2026-09-31", "T006"),
]

# One fact that more than one rule is right to report: two laws ask for it, or a user assertion
# restates a rule. Kept apart so that MUTATIONS stays one fact, one code.
JOINT = [
    pytest.param(EU_US, "  retain 1 day\n", "", {"P050", "C006"}, id="P050+C006-retention-under-both-laws"),
    pytest.param(EU_US, "# --- Purposes", 'data trial_notes "Trial notes" {\n  category feedback\n  source subject\n'
                 "  required_for optional\n}\n\n# --- Purposes", {"P110", "C002"}, id="P110+C002-unused-data"),
    pytest.param(UK, "  condition explicit_consent\n", "", {"P090", "A001"}, id="P090+A001-assertion-restates-rule"),
]

_DECISION_TAIL = """  significance "A high score stops the order from being dispatched."
  consequences "If your order is stopped, we refund the payment and tell you by email within one day."
"""
_SOLELY_AUTOMATED = ('  logic """A scoring model compares the order with known fraud patterns. It weighs the delivery\n'
                     '    address, the payment card, the order value and any matching fraud records."""\n'
                     + _DECISION_TAIL + "  solely_automated yes\n  legal_effect yes\n"
                     "  safeguards human_review, express_view, contest\n")
# A person reviews every flagged order and the decision has no legal effect: Art 13(2)(f) and 22 do not
# apply, so the notice need not explain the logic.
_WITH_A_PERSON = _DECISION_TAIL + "  solely_automated no\n  legal_effect no\n"

_DECISION = """  shares_with ad_network
  automated_decisions lead_scoring
  retain 90 days
}

decision lead_scoring "Lead scoring" {
  uses usage_events, trial_signals
  logic "We add points for each feature a trial user tries."
  significance "A high score means a salesperson contacts you."
  consequences "A salesperson emails you about a paid plan."
  solely_automated no
  legal_effect no
}

data trial_signals "Trial activity" {
  includes "features tried during the trial"
  category online.usage
  source observed
  required_for optional
}"""

# Mutations after which a rule must stay quiet: a law without the duty, wording that is not a hedge, a
# decision outside Art 22, and values that did not resolve or type-check (their own diagnostic says
# what is wrong; a rule must not pile a follow-on finding on top).
QUIET = [
    pytest.param(EU_US, "  authority dpc_ie, cppa\n", "  authority dpc_ie\n", set(),
                 id="P065-demands-an-authority-for-the-ccpa"),
    pytest.param(EU_US, "how many times each feature", "how often each feature", set(),
                 id="Q001-how-often-is-not-a-hedge"),
    pytest.param(UK, _SOLELY_AUTOMATED, _WITH_A_PERSON, set(), id="P080-decision-not-solely-automated"),
    pytest.param(EU_US, "  shares_with ad_network\n  retain 90 days\n}", _DECISION, set(),
                 id="C002-data-used-by-a-decision-has-a-purpose"),
    pytest.param(UK, "  authority ico\n", "  authority icoo\n", {"N001"}, id="P065-after-unresolved-authority"),
    pytest.param(EU_US, "  authority dpc_ie, cppa\n", "  authority lfdi_bw, cppa\n", set(),
                 id="P065-land-authority-is-an-eea-authority"),
    pytest.param(UK, "  source fraud_agency\n", "  source fraud_agencyy\n", {"N001", "P110"},
                 id="P070-after-unresolved-source"),
    pytest.param(UK, "  expires 13 months\n", "  expires 13 monthz\n", {"T006"}, id="P122-after-invalid-expires"),
    pytest.param(UK, "organisation in the UK.\"\n  public no\n", "organisation in the UK.\"\n  public nah\n", {"T003"},
                 id="P021-after-invalid-public"),
    pytest.param(EU_US, "  country NL\n  sells no\n", "  country NL\n  sells nope\n", {"T003"},
                 id="C003-after-invalid-sells"),
    pytest.param(EU_US, '  limit_use_url "https://tessellate.example/legal/limit-sensitive-data"\n',
                 '  limit_use_url "tessellate.example"\n', {"T006"}, id="C005-after-invalid-url"),
    pytest.param(EU_US, "  retain 1 day\n", "  retain 24 hours\n", {"T006"}, id="C006-after-invalid-retain"),
    # A statement dropped for a syntax error: the declaration gets no rule findings until it parses.
    pytest.param(UK, "  basis legal_obligation\n", "  basis legal_obligation )\n", {"S001"},
                 id="P010-after-syntax-error"),
    pytest.param(UK, "  safeguards human_review, express_view, contest\n",
                 "  safeguards human_review, express_view contest )\n", {"S001"}, id="P080-after-syntax-error"),
    pytest.param(EU_US, "  sells_minors no\n", "  sells_minors no )\n", {"S001"}, id="C009-after-syntax-error"),
]


@pytest.mark.parametrize("name", COMPLETE)
def test_complete_policy_has_no_diagnostics(name: str) -> None:
    from_file = check_files([POLICIES / name]).diagnostics
    assert [f"{d.code} {d.message}" for d in from_file] == []
    assert codes(name, read(name)) == set()


@pytest.mark.parametrize(("name", "old", "new", "code"), MUTATIONS)
def test_one_broken_fact_gives_one_code(name: str, old: str, new: str, code: str) -> None:
    diagnostics = check_text(mutate(name, old, new), str(POLICIES / name)).diagnostics
    assert {d.code for d in diagnostics} == {code}, [f"{d.code} {d.message}" for d in diagnostics]


def test_table_is_broad() -> None:
    assert len(MUTATIONS) >= 30
    covered = {p.values[3] for p in MUTATIONS}
    assert len(covered) >= 25, sorted(covered)
    ids = [p.id for p in MUTATIONS]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert {p.values[0] for p in MUTATIONS} == set(COMPLETE)


@pytest.mark.parametrize(("name", "old", "new", "expected"), JOINT)
def test_one_broken_fact_two_rules(name: str, old: str, new: str, expected: set[str]) -> None:
    diagnostics = check_text(mutate(name, old, new), str(POLICIES / name)).diagnostics
    assert {d.code for d in diagnostics} == expected, [f"{d.code} {d.message}" for d in diagnostics]


@pytest.mark.parametrize(("name", "old", "new", "expected"), QUIET)
def test_rules_stay_quiet(name: str, old: str, new: str, expected: set[str]) -> None:
    diagnostics = check_text(mutate(name, old, new), str(POLICIES / name)).diagnostics
    assert {d.code for d in diagnostics} == expected, [f"{d.code} {d.message}" for d in diagnostics]
