"""tests/policies/hostile.policy, whose every string is an injection attempt (`<script>`,
`<img onerror>`, `javascript:` links, Markdown and HTML injection, `{{ }}` and `{% %}`), built as
HTML and opened in a real browser: none of it may run, load anything or become markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Globals an injected script would set, and the text each kind of attempt leaves when escaped.
PROBES = ["__pwned", "pwned", "__xss", "xss", "hacked"]
LITERALS = ["<script", "onerror", "javascript:", "{{", "{%"]

FINDINGS = """(probes) => {
    const found = [];
    for (const name of probes) {
        if (typeof window[name] !== 'undefined') found.push(`window.${name} is set: ${String(window[name])}`);
    }
    for (const el of document.querySelectorAll('script:not([type="application/ld+json"])')) {
        found.push(`script element: ${el.outerHTML.slice(0, 200)}`);
    }
    const risky = 'iframe, frame, frameset, object, embed, base, form, meta[http-equiv="refresh" i],'
        + ' body meta, body link, body style, img, svg, math, template, [srcdoc]';
    for (const el of document.querySelectorAll(risky)) {
        found.push(`<${el.localName}> element: ${el.outerHTML.slice(0, 200)}`);
    }
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            if (name.startsWith('on')) found.push(`${name} attribute: ${el.outerHTML.slice(0, 200)}`);
            if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'].includes(name)) {
                let protocol;
                try { protocol = new URL(attr.value, document.baseURI).protocol; }
                catch (e) { continue; }
                if (['javascript:', 'vbscript:'].includes(protocol)) {
                    found.push(`${protocol} URL in ${name}: ${el.outerHTML.slice(0, 200)}`);
                }
            }
        }
    }
    return found;
}"""


def test_hostile_text_stays_text(open_page: Any, fail_if: Any, hostile_page: Path) -> None:
    visit = open_page(hostile_page)
    page = visit.page
    page.wait_for_timeout(300)  # let a timer or a failed image's onerror fire, if there were one
    problems = [f"opened a dialog: {d}" for d in visit.dialogs]
    problems += [f"JavaScript error: {e}" for e in visit.page_errors]
    problems += [f"console {m}" for m in visit.console if m.startswith("error")]
    problems += page.evaluate(FINDINGS, PROBES)
    if page.evaluate("document.querySelectorAll('a[href^=\"javascript:\" i]').length"):
        problems.append('an a[href^="javascript:"] element')
    # Escaped, not dropped: the reader sees what the author wrote.
    text = page.evaluate("document.body.innerText")
    problems += [f"does not show {literal!r} as text (dropped instead of escaped?)"
                 for literal in LITERALS if literal not in text]
    problems += visit.network_problems()
    fail_if(problems, f"{hostile_page.name}, built from tests/policies/hostile.policy:")
