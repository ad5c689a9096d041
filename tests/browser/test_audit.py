"""`policyc audit` against small local sites, in Chromium: cookies by header and by script, before and after
consent, and requests to other hosts.

The sites are served from 127.0.0.1 (tests/browser/site.py). Other host names in them (`tracker.test`,
`px.linkedin.com`) reach the same local server: Chromium runs with `--host-resolver-rules` that map
every name to 127.0.0.1, so nothing leaves the machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, REPO
from tests.browser.site import LocalSite, Route, file_route, page
from tests.conftest import require_tool, run_cli

LIBRARY = REPO / "node_modules" / "vanilla-cookieconsent" / "dist"
COMPLETE = REPO / "tests" / "policies" / "gdpr_ccpa_complete.policy"
LOOPBACK_ONLY = "--host-resolver-rules=MAP * 127.0.0.1"
# The consent library's own cookie, declared as the strictly necessary cookie it is.
CONSENT_COOKIE = """
cookie consent_choice "Your cookie choices" {
  provider first_party
  purpose provide_service
  name "cc_cookie"
  kind strictly_necessary
  expires 6 months
  description "Remembers which cookies you accepted."
}
"""

SITE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<link rel="stylesheet" href="/cc/cookieconsent.css"></head>
<body><h1>Shop</h1>
<script>
  // Set before any consent: an analytics cookie (U002), and a request to an unknown host (U004).
  document.cookie = "ts_analytics=1; max-age=3600; path=/";
  fetch("http://tracker.test:PORT/collect", { mode: "no-cors" }).catch(() => {});
</script>
<script type="text/plain" data-category="advertising">
  // After consent: declared for 90 days, set for 200 (U003); its host belongs to the ad network.
  document.cookie = "li_sugr=1; max-age=" + 200 * 86400 + "; path=/";
  new Image().src = "http://px.linkedin.com:PORT/pixel.gif";
</script>
<script src="/cc/cookieconsent.umd.js"></script>
<script src="/consent.js"></script>
</body></html>
"""


def _tools() -> None:
    try:
        import playwright  # noqa: F401
        has_playwright = True
    except ImportError:
        has_playwright = False
    require_tool(has_playwright, "the Python package `playwright` (pip install -e '.[dev]')")
    require_tool(Path(CHROMIUM).is_file(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    require_tool((LIBRARY / "cookieconsent.umd.js").is_file(), "vanilla-cookieconsent in node_modules/ (npm ci)")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("audit-policy")
    path = folder / "privacy.policy"
    path.write_text(COMPLETE.read_text(encoding="utf-8") + CONSENT_COOKIE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(policy: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSite]:
    _tools()
    from policyc.build import build

    out = tmp_path_factory.mktemp("audit-site")
    result = build([str(policy)], out, ["consent"])
    assert result.written and not result.check.errors
    routes = {"/consent.js": file_route(result.written[0]),
              "/cc/cookieconsent.umd.js": file_route(LIBRARY / "cookieconsent.umd.js"),
              "/cc/cookieconsent.css": file_route(LIBRARY / "cookieconsent.css"),
              "/collect": Route(b"", "text/plain"), "/pixel.gif": Route(b"GIF89a", "image/gif")}
    with LocalSite(routes) as local:
        html = SITE.replace("PORT", str(local.port))
        # By header: the session cookie the policy declares, and one it does not (U001).
        local.routes["/"] = page(html, ("Set-Cookie", "ts_session=1; Path=/"),
                                 ("Set-Cookie", "mystery=1; Max-Age=3600; Path=/"))
        local.routes["/plain"] = page("<!DOCTYPE html><title>Plain</title><p>No banner here.</p>",
                                      ("Set-Cookie", "ts_session=1; Path=/"))
        yield local


def summary(findings: list[object]) -> list[tuple[str, str]]:
    out = []
    for d in findings:
        message = d.message  # type: ignore[attr-defined]
        subject = message.split("`")[1] if "`" in message else message.split(" requests ")[1].split(",")[0]
        out.append((d.code, subject))  # type: ignore[attr-defined]
    return sorted(out)


def test_audit_finds_each_kind_of_gap(site: LocalSite, policy: Path) -> None:
    from policyc.audit import compare, observe
    from policyc.driver import check_files

    (obs,) = observe([site.url("/")], extra_args=[LOOPBACK_ONLY], timeout=30)
    assert obs.accepted
    before = {c.name for c in obs.cookies if c.before_consent}
    assert before == {"ts_session", "mystery", "ts_analytics"}
    assert {c.name for c in obs.cookies} == before | {"cc_cookie", "li_sugr"}
    assert obs.hosts == ["tracker.test", "px.linkedin.com"]
    model = check_files([policy]).models[str(policy)]
    assert summary(compare(model, [obs])) == [
        ("U001", "mystery"),
        ("U002", "ts_analytics"),
        ("U003", "li_sugr"),
        ("U004", "tracker.test"),
        ("U005", "bcookie"),
    ]


def test_cli_reports_in_every_format(site: LocalSite, policy: Path) -> None:
    result = run_cli("audit", site.url("/plain"), "--policy", str(policy), "--format", "json", timeout=120)
    assert result.returncode == 0, result.stderr  # U005 only: warnings
    data = json.loads(result.stdout)
    codes = {d["code"] for d in data["diagnostics"]}
    assert codes == {"U005"}
    assert all(d["file"] == site.url("/plain") for d in data["diagnostics"])
    assert "no consent banner" in result.stderr
    text = run_cli("audit", site.url("/"), "--policy", str(policy), timeout=120)
    assert text.returncode == 1  # U001 and U002 are errors (no other host is reachable by name here)
    assert "error[U002]: analytics cookie `ts_analytics` (127.0.0.1) is set before consent\n" in text.stdout
    assert f"--> {site.url('/')}\n" in text.stdout and "Traceback" not in text.stderr
    sarif = json.loads(run_cli("audit", site.url("/"), "--policy", str(policy), "--format", "sarif",
                               timeout=120).stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {site.url("/")}
    github = run_cli("audit", site.url("/"), "--policy", str(policy), "--format", "github", timeout=120).stdout
    assert f"::error file={site.url('/').replace(':', '%3A')}" in github


def test_unreachable_page_is_one_line_and_exit_two(policy: Path) -> None:
    _tools()
    with LocalSite({}) as gone:
        port = gone.port
    result = run_cli("audit", f"http://127.0.0.1:{port}/", "--policy", str(policy), "--timeout", "10", timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "could not load the page" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_browser_is_a_clear_error(policy: Path) -> None:
    import os

    env = {**os.environ, "POLICYC_CHROMIUM": "/nonexistent/chromium"}
    result = run_cli("audit", "http://127.0.0.1:9/", "--policy", str(policy), env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "needs" in result.stderr and ("Chromium" in result.stderr or "Playwright" in result.stderr)
