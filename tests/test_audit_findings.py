"""`policyc audit`'s comparison, without a browser: the rule pages' examples (a policy and what a page did)
and the matching of names, hosts and lifetimes. The browser half is in tests/browser/test_audit.py."""

from __future__ import annotations

import json
import re

import pytest

from policyc.audit import DAY, Observation, SeenCookie, compare, declared_days, host_recipient, same_site
from policyc.driver import check_text
from policyc.model import Model
from tests.conftest import REPO, run_cli

CODES = ["U001", "U002", "U003", "U004", "U005"]


def _model(text: str) -> Model:
    result = check_text(text, "audited.policy")
    return result.models["audited.policy"]


def _observation(text: str) -> Observation:
    data = json.loads(text)
    cookies = [SeenCookie(c["name"], c["domain"], -1 if c["lifetime_days"] is None else c["lifetime_days"] * DAY,
                          c["before_consent"]) for c in data["cookies"]]
    return Observation(data["url"], 0.0, cookies, data["hosts"], accepted=True)


def _example(page: str, section: str) -> tuple[Model, Observation]:
    start = page.index(f"## {section} example")
    part = page[start:page.index("\n## ", start + 1)]
    (policy,) = re.findall(r"```policy\n(.*?)```", part, re.S)
    (observed,) = re.findall(r"```json\n(.*?)```", part, re.S)
    return _model(policy), _observation(observed)


@pytest.mark.parametrize("code", CODES)
def test_rule_page_examples(code: str) -> None:
    page = (REPO / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
    model, observed = _example(page, "Failing")
    assert code in {d.code for d in compare(model, [observed])}
    model, observed = _example(page, "Passing")
    assert code not in {d.code for d in compare(model, [observed])}


def test_every_finding_is_located_at_the_page() -> None:
    page = (REPO / "docs" / "rules" / "U002.md").read_text(encoding="utf-8")
    model, observed = _example(page, "Failing")
    (finding,) = compare(model, [observed])
    assert finding.span.file == "https://shop.example/" and finding.labels[0].span.file == "audited.policy"


def test_declared_lifetimes_are_generous_upper_bounds() -> None:
    assert declared_days("P13M") == 13 * 31
    assert declared_days("P1Y") == 366
    assert declared_days("P90D") == 90
    assert declared_days("PT30M") == pytest.approx(30 / 1440)
    assert declared_days("session") is None and declared_days("") is None


def test_hosts_match_recipients_by_the_domain_of_their_url() -> None:
    domains = {"linkedin.com": "ad_network"}
    assert host_recipient("px.ads.linkedin.com", domains) == "ad_network"
    assert host_recipient("linkedin.com", domains) == "ad_network"
    assert host_recipient("notlinkedin.com", domains) is None
    assert same_site("cdn.shop.example", "shop.example") and not same_site("127.0.0.1", "127.0.0.2")


def test_wildcard_names_and_session_cookies() -> None:
    model = _model('''data usage "Use" { includes "pages"; source observed; required_for optional }
purpose p "Counting visits" { uses usage; basis consent; retain 2 years }
cookie ga "Analytics" { provider first_party; purpose p; name "_ga_*"; kind analytics; expires 2 years }
cookie sid "Session" { provider first_party; purpose p; name "sid"; kind strictly_necessary; expires session }
''')
    seen = Observation("https://a.example/", 0.0, [SeenCookie("_ga_ABC", "a.example", 700 * DAY, False),
                                                   SeenCookie("sid", "a.example", 30 * DAY, True)], [])
    assert [(d.code, d.message.split("`")[1]) for d in compare(model, [seen])] == [("U003", "sid")]


def test_audit_refuses_a_policy_with_errors(tmp_path: pytest.TempPathFactory) -> None:
    bad = tmp_path / "bad.policy"  # type: ignore[operator]
    bad.write_text('policy "P" { controller nobody }\n', encoding="utf-8")
    result = run_cli("audit", "http://127.0.0.1:9/", "--policy", str(bad))
    assert result.returncode == 2 and "cannot be audited" in result.stderr and "Traceback" not in result.stderr
