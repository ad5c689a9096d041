"""Real-browser tests of the HTML notices: Debian's Chromium driven by Playwright, offline.

The browser is /usr/bin/chromium (or $POLICYC_CHROMIUM); Playwright never downloads one. When the
browser or the `playwright` package is missing, the tests skip on a developer's machine, but fail
when the environment variable CI is set (`.ci/run` sets it): a skipped test in CI is a failed
promise. See docs/ci-browser.md.

Every page is opened from a `file://` URL in a context that lets through only `file:`, `data:`,
`blob:` and `about:` requests; anything else is aborted and recorded, so a test can assert that
the page tried to load nothing from the network.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import in_ci  # noqa: F401  (in_ci: used by the tests)
from tests.conftest import require_tool as require

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
HOSTILE = REPO / "tests" / "policies" / "hostile.policy"

CHROMIUM = os.environ.get("POLICYC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
TIMEOUT_MS = 120_000  # for each browser action; generous, so a busy CI machine gives no false failure

DESKTOP = {"width": 1280, "height": 800}  # the viewport of tests/browser/screenshot.py




def example_stems() -> list[str]:
    """Each example notice's output name, such as `infisim/privacy` (known at collection time)."""
    return sorted(p.relative_to(EXAMPLES).with_suffix("").as_posix() for p in EXAMPLES.rglob("*.policy"))


def build_html(paths: list[Path], out: Path) -> list[Path]:
    """`policyc build PATHS -o OUT --format html`, in process (see `publish`)."""
    return publish(paths, out, "html")


def publish(paths: list[Path], out: Path, fmt: str) -> list[Path]:
    """`policyc build PATHS -o OUT --format FMT`, in process; fails the test when it finds errors.

    (examples/policyc.toml reports the examples' legal findings as warnings, so they build.)
    """
    from policyc.build import build
    from policyc.diagnostics.render import render_text

    result = build([str(p) for p in paths], out, [fmt])
    check = result.check
    if check.errors or not result.written:
        pytest.fail(f"policyc build wrote nothing for {[str(p) for p in paths]}:\n"
                    + render_text(check.diagnostics, check.sources, color=False), pytrace=False)
    return result.written


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes `page_stem` runs once per example notice and once for the index page."""
    if "page_stem" in metafunc.fixturenames:
        metafunc.parametrize("page_stem", [*example_stems(), "index"])


@pytest.fixture(name="require")
def require_fixture() -> Any:
    """`require(available, what)`: skip on a developer's machine, fail in CI."""
    return require


@pytest.fixture(name="fail_if")
def fail_if_fixture() -> Any:
    """`fail_if(problems, heading)`: fail listing every problem, if there is any."""
    return fail_if


@dataclass
class Visit:
    """An open page and what it did: requests blocked, dialogs, errors, console messages."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)

    def external_references(self) -> list[str]:
        """Resource links in the DOM that point off the machine, loaded or not (preconnect, icons...)."""
        result: list[str] = self.page.evaluate(
            """(local) => {
                const found = [];
                const sel = 'link[href]:not([rel~="canonical"]):not([rel~="alternate"]):not([rel~="author"])'
                    + ':not([rel~="privacy-policy"])'
                    + ':not([rel~="help"]):not([rel~="license"]):not([rel~="next"]):not([rel~="prev"])'
                    + ':not([rel~="search"]), script[src], img[src], img[srcset], source[src], source[srcset],'
                    + ' iframe[src], frame[src], embed[src], object[data], video[src], video[poster],'
                    + ' audio[src], track[src], input[src]';
                for (const el of document.querySelectorAll(sel)) {
                    for (const attr of ['href', 'src', 'srcset', 'data', 'poster']) {
                        const value = el.getAttribute(attr);
                        if (value === null) continue;
                        for (const part of (attr === 'srcset' ? value.split(',') : [value])) {
                            const url = part.trim().split(/\\s+/)[0];
                            if (!url) continue;
                            let protocol;
                            try { protocol = new URL(url, document.baseURI).protocol; }
                            catch (e) { protocol = 'invalid:'; }
                            if (!local.includes(protocol)) found.push(el.outerHTML.slice(0, 200));
                        }
                    }
                }
                return found;
            }""",
            list(LOCAL_SCHEMES),
        )
        return result

    def network_problems(self) -> list[str]:
        """What the page asked for outside the machine, or references that would be."""
        problems = [f"requested {u}" for u in self.blocked] + [f"opened a WebSocket to {u}" for u in self.websockets]
        return problems + [f"references an external resource: {e}" for e in self.external_references()]


def fail_if(problems: list[str], heading: str) -> None:
    """Fail with every problem listed under the heading (pytest's own repr would only add noise)."""
    if problems:
        pytest.fail(heading + "\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for the tests of one module. Not session-scoped: Playwright's sync API keeps an event loop
    running while it is open, which would break the asyncio-based tests that run later."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(sync_playwright is not None, "the Python package `playwright` (pip install -e '.[dev]')")
    require(Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None,
            f"Chromium at {CHROMIUM} (apt-get install chromium, or set POLICYC_CHROMIUM)")
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """`open_page(path, **context_options) -> Visit`: a fresh context per page, network blocked."""
    contexts: list[Any] = []

    def _open(path: Path, **options: Any) -> Visit:
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page)

        def route(route: Any) -> None:
            url = route.request.url
            if url.startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                visit.blocked.append(url)
                route.abort("blockedbyclient")

        context.route("**/*", route)

        def on_dialog(dialog: Any) -> None:
            visit.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
        page.on("console", lambda message: visit.console.append(f"{message.type}: {message.text}"))
        page.on("websocket", lambda ws: visit.websockets.append(ws.url))
        page.goto(path.resolve().as_uri(), wait_until="load")
        return visit

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example built as HTML into one folder: `<stem>.html` for each, and `index.html`."""
    out = tmp_path_factory.mktemp("html-examples")
    build_html([EXAMPLES], out)
    return out


@pytest.fixture(scope="session")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/policies/hostile.policy built as HTML: every string in it is an injection attempt."""
    assert HOSTILE.is_file(), f"{HOSTILE.relative_to(REPO)} is missing"
    out = tmp_path_factory.mktemp("html-hostile")
    written = build_html([HOSTILE], out)
    pages = [p for p in written if p.suffix == ".html"]
    assert len(pages) == 1, f"expected one HTML page for {HOSTILE.name}, got {pages}"
    return pages[0]
