"""The cookie banner (`--format consent`) with the real vanilla-cookieconsent from npm, in Chromium.

A page served from 127.0.0.1 (tests/browser/site.py) loads the library from node_modules/ (pinned in
package-lock.json), then the generated `<stem>.consent.js`. Its scripts that set non-essential
cookies are gated by category (`<script type="text/plain" data-category="...">`). Nothing is
downloaded: the browser reaches only the local server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import EXAMPLES, REPO, publish
from tests.browser.site import LocalSite, file_route, page
from tests.conftest import require_tool

LIBRARY = REPO / "node_modules" / "vanilla-cookieconsent" / "dist"
COMPLETE = REPO / "tests" / "policies" / "gdpr_ccpa_complete.policy"
# Playwright marks the browser as automated (navigator.webdriver), and the library hides its banner from
# automated browsers; a visitor's browser is not automated.
NOT_AUTOMATED = "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });"
ACTION_MS = 30_000  # a banner shows in well under a second; a missing one should fail quickly
GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });"

SHOP = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<link rel="stylesheet" href="/cc/cookieconsent.css"></head>
<body><h1>Shop</h1>
<script>document.cookie = "ts_session=1; path=/";</script>
<script type="text/plain" data-category="analytics">document.cookie = "ts_analytics=1; max-age=3600; path=/";</script>
<script type="text/plain" data-category="advertising">document.cookie = "li_sugr=1; max-age=3600; path=/";</script>
<script src="/cc/cookieconsent.umd.js"></script>
<script src="/consent.js"></script>
</body></html>
"""


@pytest.fixture(scope="module")
def library() -> Path:
    require_tool((LIBRARY / "cookieconsent.umd.js").is_file(),
            "vanilla-cookieconsent in node_modules/ (npm ci, from package-lock.json)")
    return LIBRARY


def consent_script(policy: Path, out: Path) -> Path:
    (script,) = publish([policy], out, "consent")
    assert script.name.endswith(".consent.js")
    return script


@pytest.fixture(scope="module")
def shop(library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSite]:
    script = consent_script(COMPLETE, tmp_path_factory.mktemp("consent"))
    routes = {"/": page(SHOP), "/consent.js": file_route(script),
              "/cc/cookieconsent.umd.js": file_route(library / "cookieconsent.umd.js"),
              "/cc/cookieconsent.css": file_route(library / "cookieconsent.css")}
    with LocalSite(routes) as site:
        yield site


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    """`visit(site, gpc=False) -> (context, page)`: a fresh visitor; only the local server is reachable."""
    contexts: list[Any] = []

    def _visit(site: LocalSite, gpc: bool = False) -> tuple[Any, Any]:
        context = browser.new_context()
        contexts.append(context)
        context.set_default_timeout(ACTION_MS)
        context.add_init_script(NOT_AUTOMATED + (GPC_ON if gpc else ""))
        local = f"http://127.0.0.1:{site.port}/"
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local)
                      else route.abort("blockedbyclient"))
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(site.url("/"), wait_until="load")
        tab.errors = errors
        return context, tab

    yield _visit
    for context in contexts:
        context.close()


def cookie_names(context: Any) -> set[str]:
    return {c["name"] for c in context.cookies()}


def banner(tab: Any) -> Any:
    modal = tab.locator("#cc-main .cm")
    modal.wait_for(state="visible")
    return modal


def offered_categories(tab: Any) -> set[str]:
    """The categories the preferences modal lets the visitor switch on or off (not the read-only one)."""
    tab.locator('#cc-main .cm [data-role="show"]').click()
    tab.locator("#cc-main .pm").wait_for(state="visible")
    toggles = tab.locator("#cc-main .pm input.section__toggle")
    values = {toggles.nth(i).get_attribute("value") or "" for i in range(toggles.count())
              if not toggles.nth(i).is_disabled()}
    tab.locator("#cc-main .pm .pm__close-btn").click()  # close without choosing: the banner comes back
    tab.locator("#cc-main .pm").wait_for(state="hidden")
    return values


def test_banner_offers_exactly_the_policys_optional_categories(shop: LocalSite, visit: Any) -> None:
    _, tab = visit(shop)
    text = banner(tab).inner_text()
    assert "analytics cookies and advertising cookies" in text
    assert tab.locator('#cc-main .cm a[href="https://tessellate.example/legal/privacy"]').count() >= 1
    assert offered_categories(tab) == {"analytics", "advertising"}
    assert tab.errors == []


def test_reject_all_sets_no_optional_cookie_and_persists(shop: LocalSite, visit: Any) -> None:
    context, tab = visit(shop)
    assert cookie_names(context) == {"ts_session"}  # before any choice: only the necessary cookie
    banner(tab).locator('[data-role="necessary"]').click()
    tab.wait_for_function("() => document.cookie.includes('cc_cookie')")
    assert cookie_names(context) == {"ts_session", "cc_cookie"}
    tab.reload(wait_until="load")
    tab.wait_for_timeout(300)
    assert not tab.locator("#cc-main .cm").is_visible()  # the choice is remembered
    assert cookie_names(context) == {"ts_session", "cc_cookie"}
    assert tab.evaluate("() => CookieConsent.getUserPreferences().acceptedCategories") == ["necessary"]


def test_accept_all_sets_them_and_persists(shop: LocalSite, visit: Any) -> None:
    context, tab = visit(shop)
    banner(tab).locator('[data-role="all"]').click()
    tab.wait_for_function("() => document.cookie.includes('li_sugr')")
    assert cookie_names(context) == {"ts_session", "cc_cookie", "ts_analytics", "li_sugr"}
    context.clear_cookies(name="ts_analytics")
    tab.reload(wait_until="load")
    tab.wait_for_function("() => document.cookie.includes('ts_analytics')")  # the gated script ran again
    assert not tab.locator("#cc-main .cm").is_visible()
    assert sorted(tab.evaluate("() => CookieConsent.getUserPreferences().acceptedCategories")) == [
        "advertising", "analytics", "necessary"]


def test_global_privacy_control_opts_out_of_advertising(shop: LocalSite, visit: Any) -> None:
    context, tab = visit(shop, gpc=True)
    modal = banner(tab)
    assert offered_categories(tab) == {"analytics"}
    modal.locator('[data-role="all"]').click()
    tab.wait_for_function("() => document.cookie.includes('ts_analytics')")
    tab.wait_for_timeout(300)
    assert cookie_names(context) == {"ts_session", "cc_cookie", "ts_analytics"}  # no li_sugr
    assert "Global Privacy Control" in (tab.locator("#cc-main .pm").text_content() or "")


HOSTILE = """policy "P" {
  controller c; jurisdictions gdpr; effective 2026-01-01; language "en"; cookie_consent opt_in_banner
  url "javascript:alert(1)"
}
controller c "C" { legal_name "C Ltd"; email "a@c.example"; address "1 Road"; country GB }
data d "<img src=x onerror=alert(2)>" { includes "x"; source subject; required_for optional }
purpose p "P" { uses d; basis consent; retain 1 year }
recipient r "<b>R</b>" {
  role processor; sector "<script>alert(3)</script>"; country GB; legal_name "<img src=x onerror=alert(4)>"
}
cookie k "<svg onload=alert(5)>" {
  provider r; purpose p; kind analytics; expires 1 year; name "x\\"</script><script>alert(6)</script>"
  description "<iframe src=javascript:alert(7)></iframe>"
}
"""


def test_author_text_stays_text(library: Path, visit: Any, tmp_path: Path) -> None:
    policy = tmp_path / "hostile.policy"
    policy.write_text(HOSTILE, encoding="utf-8")
    # The policy has legal findings (it is not a complete notice), so it is rendered without `build`.
    from policyc.backends import BuildContext
    from policyc.backends.consent import render
    from policyc.driver import check_files

    model = check_files([policy]).models[str(policy)]
    script = tmp_path / "hostile.consent.js"
    script.write_text(render(model, BuildContext(stem="hostile", source=str(policy))), encoding="utf-8")
    assert 'href="javascript:' not in script.read_text(encoding="utf-8")
    routes = {"/": page(SHOP), "/consent.js": file_route(script),
              "/cc/cookieconsent.umd.js": file_route(library / "cookieconsent.umd.js"),
              "/cc/cookieconsent.css": file_route(library / "cookieconsent.css")}
    dialogs: list[str] = []
    with LocalSite(routes) as site:
        _, tab = visit(site)
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        banner(tab).locator('[data-role="show"]').click()
        pm = tab.locator("#cc-main .pm")
        pm.wait_for(state="visible")
        text = pm.text_content() or ""  # the cookie tables are folded away, so not "visible" text
        injected = pm.locator("img, iframe, script, b, [onload], [onerror]").count()
        assert tab.errors == []
    assert dialogs == []
    assert "<iframe src=javascript:alert(7)></iframe>" in text and "</script><script>alert(6)</script>" in text
    assert "<img src=x onerror=alert(4)>" in text
    assert injected == 0  # the library's own icons are <svg>, so that is the one tag not counted
    assert tab.locator('#cc-main a[href^="javascript:"]').count() == 0


@pytest.mark.parametrize("example", sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.policy")))
def test_examples_make_a_working_banner(example: str, library: Path, visit: Any, tmp_path: Path) -> None:
    """Each example's cookie declarations give a banner that runs, offers its optional kinds, and accepts."""
    from policyc.driver import check_files

    policy = EXAMPLES / example
    model = check_files([policy]).models[str(policy)]
    kinds = {"strictly_necessary": "", "functional": "functional", "analytics": "analytics",
             "advertising": "advertising"}
    expected = {kinds.get(c.kind, "other") for c in model.cookies} - {""}
    script = consent_script(policy, tmp_path)
    routes = {"/": page(SHOP), "/consent.js": file_route(script),
              "/cc/cookieconsent.umd.js": file_route(library / "cookieconsent.umd.js"),
              "/cc/cookieconsent.css": file_route(library / "cookieconsent.css")}
    with LocalSite(routes) as site:
        _, tab = visit(site)
        banner(tab)
        assert offered_categories(tab) == expected
        tab.evaluate("() => CookieConsent.acceptCategory('all')")
        accepted = set(tab.evaluate("() => CookieConsent.getUserPreferences().acceptedCategories"))
        assert accepted == expected | {"necessary"}
        assert tab.errors == []
