"""Every example notice, built as HTML, in a real browser: WCAG 2.1 AA by axe-core, light and dark;
it renders at phone and desktop widths without horizontal scrolling; it loads nothing from the
network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}


def page_file(site: Path, stem: str) -> Path:
    path = site / f"{stem}.html"
    built = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert path.is_file(), f"policyc build did not write {stem}.html; it wrote {built}"
    return path


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} axe-core violation(s) of {', '.join(WCAG_TAGS)}:"]
    for v in violations:
        lines.append(f"\n[{v['id']}] ({v.get('impact')}) {v['help']}\n    {v['helpUrl']}")
        for node in v["nodes"]:
            target = " >> ".join(str(t) for t in node["target"])
            lines.append(f"  - {target}\n      {node['html'][:300]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"      {summary_line}")
    return "\n".join(lines)


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_wcag21_aa(open_page: Any, require: Any, fail_if: Any, example_site: Path, page_stem: str,
                       scheme: str, device: str) -> None:
    """At phone width too: a table that scrolls sideways there must be reachable by keyboard."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        Axe = None
    require(Axe is not None, "the Python package `axe-playwright-python` (pip install -e '.[dev]')")
    assert Axe is not None
    phone = device == "phone"
    visit = open_page(page_file(example_site, page_stem), color_scheme=scheme, viewport=VIEWPORTS[device],
                      is_mobile=phone, has_touch=phone)
    applied = visit.page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
    assert applied, f"the browser did not apply prefers-color-scheme: {scheme}"
    results = Axe().run(visit.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                             "resultTypes": ["violations"]})
    violations = results.response["violations"]
    if violations:
        pytest.fail(f"{page_stem}.html, {scheme} colour scheme, {device} width: {format_violations(violations)}",
                    pytrace=False)
    fail_if(visit.network_problems(), f"{page_stem}.html reaches outside the machine:")


DISTINCT_COLOURS = """async (src) => {
    const image = new Image();
    image.src = src;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length && seen.size < 64; i += 4 * 5) {
        seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return seen.size;
}"""

OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const el of document.body.querySelectorAll('*')) {
        if (found.some((outer) => outer.contains(el))) continue;
        if (el.getBoundingClientRect().right > width + 0.5) found.push(el);
    }
    return found.slice(0, 10).map((el) => {
        const r = el.getBoundingClientRect();
        return `${el.outerHTML.slice(0, 120)} (left ${Math.round(r.left)}, right ${Math.round(r.right)})`;
    });
}"""


def distinct_colours(context: Any, png: bytes) -> int:
    """How many colours a PNG has (up to 64), decoded by the browser itself: no Pillow needed."""
    import base64

    scratch = context.new_page()
    try:
        count: int = scratch.evaluate(DISTINCT_COLOURS, "data:image/png;base64," + base64.b64encode(png).decode())
    finally:
        scratch.close()
    return count


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_renders(open_page: Any, fail_if: Any, example_site: Path, page_stem: str, device: str) -> None:
    phone = device == "phone"
    viewport = VIEWPORTS[device]
    visit = open_page(page_file(example_site, page_stem), viewport=viewport, is_mobile=phone, has_touch=phone)
    page = visit.page
    problems: list[str] = []

    if not page.title().strip():
        problems.append("its <title> is empty")
    if page.evaluate("document.body.innerText.trim().length") == 0:
        problems.append("it shows no text")
    colours = distinct_colours(page.context, page.screenshot())
    if colours < 3:
        problems.append(f"the screenshot is blank ({colours} colour(s))")
    client, scroll = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    # With `<meta name="viewport" content="width=device-width">` a phone lays the page out at its own
    # width; without it, at 980 CSS pixels, and the text is shrunk to fit.
    if client != viewport["width"]:
        problems.append(f"it is laid out {client}px wide in a {viewport['width']}px viewport: "
                        'is <meta name="viewport" content="width=device-width, initial-scale=1"> missing?')
    if scroll > client:
        problems.append(f"it scrolls sideways ({scroll}px of content in {client}px); overflowing:\n    "
                        + "\n    ".join(page.evaluate(OVERFLOWING)))
    problems += [f"JavaScript error: {e}" for e in visit.page_errors]
    problems += visit.network_problems()
    fail_if(problems, f"{page_stem}.html at {device} width ({viewport['width']}x{viewport['height']}):")
