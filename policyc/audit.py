"""`policyc audit URL... --policy FILE`: compare what a live site does with what its policy declares.

Each page is loaded twice in Chromium, driven by Playwright, in a fresh browser profile:

1. before any consent: the page is loaded and left to settle; its cookies are recorded;
2. after accepting all: the consent banner's accept button is clicked (the button of the banner that
   `policyc build --format consent` configures, or `--accept-selector`), and the cookies are recorded
   again.

Every request to another host is recorded too. The observations are then compared with the policy's
`cookie` and `recipient` declarations (`compare`, which needs no browser), giving the U codes:

- U001 a cookie the policy does not declare;
- U002 a non-essential cookie set before consent (PECR reg 6, ePrivacy 5(3));
- U003 a cookie that lasts longer than its declared `expires`;
- U004 a request to a third-party host that matches no recipient (a recipient is matched by the host
  of its `url`: the model has no list of a recipient's hosts);
- U005 a declared cookie never seen (a warning: it may be set only on other pages or after a login).

Timeouts are bounded; an unreachable page is an `AuditError` (one line, exit 2).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from policyc.diagnostics.model import Diagnostic, Label, Span
from policyc.model import Cookie, Model
from policyc.records import field, record
from policyc.values import Expiry

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", "--disable-gpu")
# The consent banner of vanilla-cookieconsent 3 (policyc build --format consent): its "Accept all" button.
CONSENT_ACCEPT = '#cc-main .cm [data-role="all"]'
# Sites and consent libraries hide their banner from automated browsers; a visitor's browser is not one.
NOT_AUTOMATED = "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });"
SETTLE_MS = 1500  # after `load`, how long to wait for the network to go quiet (at most)
DAY = 86400.0


class AuditError(Exception):
    """An audit that cannot go ahead (no browser, an unreachable page): one line, exit 2."""


@record(frozen=True)
class SeenCookie:
    """A cookie the browser held after a page loaded: its name, domain, expiry, and whether it was set before
    consent."""

    name: str
    domain: str
    expires: float  # seconds since the epoch; -1 for a session cookie
    before_consent: bool

    def lifetime_days(self, at: float) -> float | None:
        return None if self.expires < 0 else (self.expires - at) / DAY


@record
class Observation:
    """What one page did."""

    url: str
    at: float  # when it was loaded (seconds since the epoch), to turn expiry dates into lifetimes
    cookies: list[SeenCookie] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)  # third-party hosts requested, in order, once each
    accepted: bool = False  # a consent button was found and clicked


# --- the browser --------------------------------------------------------------------------------


def chromium_path() -> str:
    return os.environ.get("POLICYC_CHROMIUM", CHROMIUM)


def observe(urls: Sequence[str], accept_selector: str | None = None, timeout: float = 30,
            chromium: str | None = None, extra_args: Sequence[str] = ()) -> list[Observation]:
    """Load each URL before and after consent; `timeout` (seconds) bounds each browser action."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise AuditError("audit needs Playwright: pip install 'policyc[dev]' (or pip install playwright), "
                         "and Chromium (apt-get install chromium, or set POLICYC_CHROMIUM)") from None
    browser_path = chromium or chromium_path()
    if not (Path(browser_path).is_file() or shutil.which(browser_path)):
        raise AuditError(f"audit needs Chromium, and {browser_path} is missing "
                         "(apt-get install chromium, or set POLICYC_CHROMIUM to a Chromium or Chrome)")
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise AuditError(f"{url}: not an http or https address")
    args = [*CHROMIUM_ARGS, *(("--no-sandbox",) if os.geteuid() == 0 else ()), *extra_args]
    results = []
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=browser_path, args=args, timeout=timeout * 1000)
        except PlaywrightError as err:
            raise AuditError(f"could not start {browser_path}: {_first_line(err)}") from None
        try:
            for url in urls:
                results.append(_observe_one(browser, url, accept_selector, timeout, PlaywrightError))
        finally:
            browser.close()
    return results


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def _observe_one(browser: Any, url: str, accept_selector: str | None, timeout: float,
                 error: type[Exception]) -> Observation:
    context = browser.new_context()
    context.set_default_timeout(timeout * 1000)
    context.add_init_script(NOT_AUTOMATED)
    page_host = urlsplit(url).hostname or ""
    observation = Observation(url, time.time())

    def on_request(request: Any) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("http:", "https:")) and host and not same_site(host, page_host) \
                and host not in observation.hosts:
            observation.hosts.append(host)

    try:
        page = context.new_page()
        page.on("request", on_request)
        try:
            response = page.goto(url, wait_until="load", timeout=timeout * 1000)
        except error as err:
            raise AuditError(f"{url}: could not load the page: {_first_line(err)}") from None
        if response is not None and response.status >= 400:
            raise AuditError(f"{url}: the server answered {response.status}")
        _settle(page, error)
        before = {(c["name"], c["domain"]) for c in context.cookies()}
        selector = accept_selector or CONSENT_ACCEPT
        button = page.locator(selector).first
        try:
            button.wait_for(state="visible", timeout=min(timeout, 5) * 1000)
            button.click()
            observation.accepted = True
        except error:
            if accept_selector:
                raise AuditError(f"{url}: no visible element matches --accept-selector {accept_selector}") from None
        if observation.accepted:
            _settle(page, error)
        for c in context.cookies():
            observation.cookies.append(SeenCookie(c["name"], c["domain"], float(c.get("expires", -1)),
                                                  (c["name"], c["domain"]) in before))
    finally:
        context.close()
    return observation


def _settle(page: Any, error: type[Exception]) -> None:
    """Wait for the network to go quiet, but no longer than SETTLE_MS (a page may poll for ever)."""
    try:
        page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
    except error:
        pass


# --- the comparison -----------------------------------------------------------------------------


def _registrable(host: str) -> str:
    """An approximation of the site a host belongs to: its last two labels (an IP address stays whole)."""
    host = host.lower().rstrip(".")
    if re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        return host
    return ".".join(host.split(".")[-2:])


def same_site(host: str, other: str) -> bool:
    return _registrable(host) == _registrable(other)


def recipient_domains(model: Model) -> dict[str, str]:
    """The host of each recipient's `url` (without `www.`), to the recipient's key."""
    out: dict[str, str] = {}
    for recipient in model.recipients:
        host = (urlsplit(recipient.url).hostname or "") if recipient.url else ""
        if host:
            out.setdefault(host.lower().removeprefix("www."), recipient.key)
    return out


def host_recipient(host: str, domains: dict[str, str]) -> str | None:
    host = host.lower()
    for domain, key in domains.items():
        if host == domain or host.endswith("." + domain) or same_site(host, domain):
            return key
    return None


def _name_matches(pattern: str, name: str) -> bool:
    if "*" not in pattern:
        return pattern == name
    return re.fullmatch(".*".join(re.escape(p) for p in pattern.split("*")), name) is not None


def declared_cookie(model: Model, name: str) -> Cookie | None:
    """The declaration a cookie name belongs to: by its `name` values, else by the declaration's key."""
    for cookie in model.cookies:
        if any(_name_matches(n, name) for n in cookie.names) or (not cookie.names and cookie.key == name):
            return cookie
    return None


_GENEROUS_DAYS = {"Y": 366, "M": 31, "W": 7, "D": 1}


def declared_days(expires: Expiry | str | None) -> float | None:
    """The longest a declared `expires` allows, in days (a year as 366 days, a month as 31); None if not stated
    or `session`. Text is read as ISO 8601 (`P1Y`, `PT30M`)."""
    if isinstance(expires, Expiry) or expires is None:
        period = expires.period if expires is not None else None
        return None if period is None else period.amount * _GENEROUS_DAYS[period.unit]
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?",
                         expires)
    if not expires or expires == "session" or match is None:
        return None
    factors = (366, 31, 7, 1, 1 / 24, 1 / 1440, 1 / DAY)
    return sum(int(v) * f for v, f in zip(match.groups(), factors, strict=True) if v is not None)


def _span(url: str) -> Span:
    return Span(url, 0, 0, 1, 1, 1, 1)


def _diagnostic(code: str, message: str, url: str, cookie: Cookie | None = None, label: str = "",
                help: str = "") -> Diagnostic:
    labels = (Label(cookie.span, label),) if cookie is not None and label else ()
    return Diagnostic.of(code, message, _span(url), labels=labels, help=help)


def _lasts(days: float) -> str:
    return f"{days:.0f} days" if days >= 2 else f"{days * 24:.0f} hours"


def compare(model: Model, observations: Sequence[Observation]) -> list[Diagnostic]:
    """The U findings of the observed pages against the policy."""
    out: list[Diagnostic] = []
    domains = recipient_domains(model)
    seen: set[str] = set()
    for obs in observations:
        for c in obs.cookies:
            declared = declared_cookie(model, c.name)
            where = f"`{c.name}` ({c.domain})"
            if declared is None:
                when = "before consent" if c.before_consent else "after consent"
                out.append(_diagnostic("U001", f"cookie {where} is set {when}, but the policy declares no such "
                                       "cookie", obs.url,
                                       help=f"declare it: `cookie ... {{ name \"{c.name}\"; kind ...; expires ... }}`"))
                continue
            seen.add(declared.key)
            seen.update(f"{declared.key}/{n}" for n in declared.names if _name_matches(n, c.name))
            if c.before_consent and not declared.essential:
                out.append(_diagnostic(
                    "U002", f"{declared.kind or 'non-essential'} cookie {where} is set before consent", obs.url,
                    declared, f"`{declared.key}` is declared `kind {declared.kind or '(not stated)'}`",
                    help="load what sets it only after consent, e.g. <script type=\"text/plain\" "
                         f"data-category=\"{declared.kind or 'functional'}\">"))
            days = c.lifetime_days(obs.at)
            if days is None:
                continue
            if declared.expires is not None and declared.expires.session:
                out.append(_diagnostic("U003", f"cookie {where} lasts {_lasts(days)}, but is declared to end "
                                       "with the session", obs.url, declared, "declared `expires session`"))
                continue
            allowed = declared_days(declared.expires)
            if allowed is not None and days > allowed + 1:
                out.append(_diagnostic("U003", f"cookie {where} lasts {_lasts(days)}, longer than declared "
                                       f"({declared.expires})", obs.url, declared, f"declared `{declared.expires}`"))
        for host in obs.hosts:
            if host_recipient(host, domains) is None:
                out.append(_diagnostic(
                    "U004", f"the page requests {host}, which matches no recipient of the policy", obs.url,
                    help=f"declare who runs {host} as a `recipient` with a `url` on that domain "
                         "(recipients are matched by the host of their `url`)"))
    if observations:
        first = observations[0].url
        for cookie in model.cookies:
            if cookie.names:
                missing = [n for n in cookie.names if f"{cookie.key}/{n}" not in seen]
            else:
                missing = [cookie.key] if cookie.key not in seen and cookie.technology == "cookie" else []
            for name in missing:
                out.append(_diagnostic(
                    "U005", f"declared cookie `{name}` was not seen on "
                    f"{'this page' if len(observations) == 1 else f'any of the {len(observations)} pages'}",
                    first, cookie, "declared here",
                    help="it may be set only on other pages or after signing in; otherwise remove it from the policy"))
    return out
