"""Re-parsing after an edit inside one declaration gives exactly a fresh parse's result.

A parse with a cache remembers a clean file's layout; the next parse of an edited text lexes and
parses only the declaration the edit touched and moves the others. These tests drive sequences of
edits that keep the file clean (so that path is taken) and of edits that break it (so it is left),
and compare every step with a fresh parse: the same items, spans, doc comments, comments and
diagnostics.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policyc.parser import ChunkCache, parse_source
from policyc.source import Source

REPO = Path(__file__).resolve().parents[2]
BASES = [
    (REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8"),
    (REPO / "examples" / "infisim" / "privacy.policy").read_text(encoding="utf-8"),
]

TITLE = re.compile(r'^[a-z_]+ [a-z_]+ "([^"\n]*)"', re.M)
DECL = re.compile(r"^[a-z_]+ [a-z_]+[^\n]*\{\n(?:.*\n)*?\}\n", re.M)


@st.composite
def edit(draw: st.DrawFn, text: str) -> str:
    """One edit a person makes: mostly ones that keep the file clean, some that break it."""
    kind = draw(st.sampled_from(["title", "title", "comment", "blank", "duplicate", "delete", "field", "break",
                                 "shorten"]))
    if kind in ("title", "shorten"):
        titles = list(TITLE.finditer(text))
        if titles:
            match = draw(st.sampled_from(titles))
            at = draw(st.integers(match.start(1), match.end(1)))
            if kind == "shorten" and match.end(1) > match.start(1):
                return text[:match.start(1)] + text[match.start(1) + 1:]
            return text[:at] + draw(st.text(alphabet="abc XYZ-é", min_size=1, max_size=4)) + text[at:]
    lines = text.split("\n")
    row = draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "comment":
        lines.insert(row, "# " + draw(st.text(alphabet="ab c", max_size=6)))
        return "\n".join(lines)
    if kind == "blank":
        lines.insert(row, "")
        return "\n".join(lines)
    if kind == "field":
        lines.insert(row, '  description "added"')  # clean inside a block, an error at the top level
        return "\n".join(lines)
    if kind == "break":
        lines.insert(row, draw(st.sampled_from(["}", "data x {", '  title "open', "@"])))
        return "\n".join(lines)
    decls = list(DECL.finditer(text))
    if not decls:
        return text
    match = draw(st.sampled_from(decls))
    if kind == "delete":
        return text[:match.start()] + text[match.end():]
    copy = re.sub(r"^([a-z_]+) ([a-z_]+)", lambda m: f"{m.group(1)} {m.group(2)}_copy", match.group(), count=1)
    return text[:match.end()] + "\n" + copy + text[match.end():]


@settings(max_examples=80, deadline=None)
@given(st.data(), st.sampled_from(BASES))
def test_reparse_after_edits_equals_a_fresh_parse(data: st.DataObject, base: str) -> None:
    cache = ChunkCache()
    text = base
    parse_source(Source("p.policy", text), cache)
    for _ in range(data.draw(st.integers(1, 6))):
        text = data.draw(edit(text))
        again, again_diagnostics = parse_source(Source("p.policy", text), cache)
        fresh, fresh_diagnostics = parse_source(Source("p.policy", text))
        assert again == fresh
        assert again_diagnostics == fresh_diagnostics


def test_an_edit_in_a_clean_file_parses_one_declaration() -> None:
    base = BASES[0]
    cache = ChunkCache()
    parse_source(Source("p.policy", base), cache)
    declarations = cache.misses
    edited = base.replace('"Keeping accounts and tax records"', '"Keeping our accounts and tax records"')
    module, diagnostics = parse_source(Source("p.policy", edited), cache)
    assert cache.misses == declarations + 1 and cache.hits == declarations - 1
    assert (module, diagnostics) == parse_source(Source("p.policy", edited))
    # a new line above a later declaration moves every declaration after it down one line
    lines = edited.replace('purpose tax_records', '# a note\npurpose tax_records')
    module, _ = parse_source(Source("p.policy", lines), cache)
    assert module == parse_source(Source("p.policy", lines))[0]
    last = module.items[-1]
    assert last.span.line == parse_source(Source("p.policy", edited))[0].items[-1].span.line + 1
