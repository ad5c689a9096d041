"""The formatter (policyc/fmt.py, docs/formatting.md) and `policyc fmt`.

- Every policy in the repository without syntax errors formats to a fixed point with the same tree.
- Every comment survives, in order, wherever it is put (markers at every place a comment can go).
- Files with syntax errors are refused and left byte-for-byte as they were.
- The layout rules, one test each.
- Random policies (hypothesis) at random widths: the output always means the same and is a fixed
  point (`format_text` itself raises `FormatError` if the output's tree differs).
- `policyc fmt` as a user runs it: in-place rewrite, `--check`, `--diff`, exit codes.
"""

from __future__ import annotations

import itertools
import os
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyc import ast, records
from policyc.fmt import (
    WIDTH,
    FormatError,
    format_file,
    format_module,
    format_text,
    tree_key,
    unified_diff,
)
from policyc.parser import parse_text
from tests.conftest import REPO, run_cli

CORPUS = sorted(
    {*REPO.glob("examples/**/*.policy"), *REPO.glob("stdlib/*.policy"), *REPO.glob("tests/**/*.policy")}
)


def fmt(text: str, width: int = WIDTH) -> str:
    result = format_text(text, width=width)
    assert result.text is not None, result.diagnostics
    return result.text


def plain(node: object, units: bool = False) -> object:
    """A node without its spans (an independent comparison from the formatter's own `tree_key`).

    With `units`, a unit of time after a number is taken in the singular everywhere (the
    formatter makes `1 months` `1 month`, and `2 year` `2 years`, where the value is a duration).
    """
    if isinstance(node, ast.Name) and units and node.parts[0].rstrip("s") in ("day", "week", "month", "year"):
        return ("unit", node.parts[0].rstrip("s"))
    if isinstance(node, ast.Item) and units:
        return tuple(plain(a, isinstance(b, ast.Number)) for b, a in zip((None, *node.atoms), node.atoms, strict=False))
    if records.is_record(node) and not isinstance(node, type):
        return (type(node).__name__, *((f.name, plain(getattr(node, f.name), units)) for f in records.fields(node)
                                       if not f.name.endswith("span") and f.name != "path"))
    if isinstance(node, tuple):
        return tuple(plain(part, units) for part in node)
    return node


def same_tree(before: str, after: str, units: bool = False) -> None:
    before = before.replace("\r\n", "\n")
    old, _ = parse_text(before)
    new, _ = parse_text(after)
    old_items, new_items = old.items, new.items
    if units:  # random policies: the parser also takes a trailing comment above as a doc comment
        assert [getattr(i, "doc", "") for i in new.items] == own_line_docs(before)
        old_items, new_items = without_docs(old_items), without_docs(new_items)
    assert plain(new_items, units) == plain(old_items, units)
    assert [c.text.rstrip() for c in new.comments] == [c.text.rstrip() for c in old.comments]


def without_docs(items: tuple[ast.TopLevel, ...]) -> tuple[ast.TopLevel, ...]:
    return tuple(records.replace(i, doc="") if isinstance(i, (ast.Decl, ast.Assert)) else i for i in items)


def own_line_docs(text: str) -> list[str]:
    """Each item's doc comment made of the comment lines directly above it that hold only a comment."""
    module, _ = parse_text(text)
    lines = text.split("\n")
    own = {c.span.line: c.text.strip() for c in module.comments if not lines[c.span.line - 1].split("#")[0].strip()}
    docs = []
    for item in module.items:
        found: list[str] = []
        line = item.span.line - 1
        while not isinstance(item, ast.Use) and line in own:
            found.insert(0, own[line])
            line -= 1
        docs.append("\n".join(found))
    return docs


def syntax_errors(text: str) -> list[str]:
    return [d.code for d in parse_text(text)[1] if d.code.startswith("S")]


# --- the repository's policies -----------------------------------------------------------------


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) > 200
    assert any(p.parent.name == "syntax" for p in CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_corpus_formats_to_a_fixed_point_with_the_same_tree(path: Path) -> None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        result = format_file(path)  # S005: refused like a syntax error
        assert result.refused and [d.code for d in result.diagnostics] == ["S005"]
        return
    result = format_text(text, str(path))
    problems = [d.code for d in parse_text(text)[1]]  # syntax errors, and literals out of range (T006)
    if problems:
        assert result.refused
        assert [d.code for d in result.diagnostics] == problems
        return
    assert result.text is not None
    same_tree(text, result.text)
    assert fmt(result.text) == result.text, "not a fixed point"


# --- every comment survives ------------------------------------------------------------------

SAMPLE = '''# The file's own comment.
use uk_gdpr
use "./common.policy"

# The notice.
policy "Privacy notice" {
  controller acme
  jurisdictions uk_gdpr
  summary """
    We keep your data safe.

    - a list item
      continued
  """
  changes """Changes are posted
    on this page."""
}

controller acme "Acme Ltd" { legal_name "Acme Ltd"; country GB }

data contact "Contact details" {
  includes "name", "email address",
    "postal address", "phone number"
  category contact
  source subject
}

purpose orders "Delivering orders" {
  uses contact
  basis contract

  retain 6 years after contract_end "limitation period", until account_closed + 30 days
}

rights {}

assert uk_only "Customer data stays in the UK" {
  forbid recipient where country not in [GB,
    IE] and role = processor
  require purpose where direct_marketing has retain <= 2 years; forbid cookie where kind advertising
}
'''

_MARKER = re.compile(r"#\s*M(\d+)\b")


def _text_lines(text: str) -> set[int]:
    """0-based lines that are inside a text block: nothing can be added at their end."""
    module, _ = parse_text(text)
    inside: set[int] = set()
    for decl in module.decls:
        for fld in decl.fields:
            for item in fld.items:
                for atom in item.atoms:
                    if isinstance(atom, ast.Str) and atom.text:
                        inside.update(range(atom.span.line - 1, atom.span.end_line - 1))
    return inside


def marker_places(text: str) -> list[tuple[str, int]]:
    """Every place a comment can go: ("end", line) at the end of a line, ("own", line) on a line
    of its own before a line (or at the end of the file)."""
    lines = text.splitlines()
    inside = _text_lines(text)
    places: list[tuple[str, int]] = []
    for index, line in enumerate(lines):
        if index - 1 not in inside:
            places.append(("own", index))
        if index not in inside and "#" not in line:
            places.append(("end", index))
    places.append(("own", len(lines)))
    return places


def with_markers(text: str, chosen: list[tuple[str, int]]) -> str:
    lines = text.splitlines()
    out: list[str] = []
    numbers = iter(range(len(chosen)))
    wanted = set(chosen)
    for index in range(len(lines) + 1):
        if ("own", index) in wanted:
            out.append(f"# M{next(numbers)}")
        if index == len(lines):
            break
        line = lines[index]
        if ("end", index) in wanted:
            line += f"  # M{next(numbers)}"
        out.append(line)
    return "\n".join(out) + "\n"


def check_markers(text: str, chosen: list[tuple[str, int]]) -> None:
    marked = with_markers(text, chosen)
    assert not syntax_errors(marked), marked
    formatted = fmt(marked)
    found = [int(n) for n in _MARKER.findall(formatted)]
    assert found == list(range(len(chosen))), formatted
    # A comment after code stays after code; a comment on a line of its own stays on its own.
    for kind, number in zip((kind for kind, _ in sorted(chosen, key=_order)), range(len(chosen)), strict=True):
        line = next(line for line in formatted.splitlines() if re.search(rf"#\s*M{number}\b", line))
        before = line.split("#", 1)[0]
        original = next(line for line in marked.splitlines() if re.search(rf"#\s*M{number}\b", line))
        if kind == "end" and original.split("#", 1)[0].strip():
            assert before.strip(), f"M{number} was after code: {line!r}"
        else:
            assert not before.strip(), f"M{number} was on a line of its own: {line!r}"
    assert fmt(formatted) == formatted


def _order(place: tuple[str, int]) -> tuple[int, int]:
    kind, line = place
    return (line, 0 if kind == "own" else 1)


def test_sample_has_no_errors_and_every_construct() -> None:
    module, diagnostics = parse_text(SAMPLE)
    assert diagnostics == []
    assert module.uses and module.decls and any(isinstance(i, ast.Assert) for i in module.items)
    assert len(marker_places(SAMPLE)) > 60


def test_a_marker_at_every_place_at_once() -> None:
    check_markers(SAMPLE, sorted(marker_places(SAMPLE), key=_order))


def test_a_marker_at_each_place_alone() -> None:
    for place in marker_places(SAMPLE):
        check_markers(SAMPLE, [place])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_markers_at_random_places(data: st.DataObject) -> None:
    places = marker_places(SAMPLE)
    chosen = data.draw(st.lists(st.sampled_from(places), unique=True, max_size=len(places)))
    check_markers(SAMPLE, sorted(chosen, key=_order))


def test_markers_in_the_formatted_sample_too() -> None:
    formatted = fmt(SAMPLE)
    check_markers(formatted, sorted(marker_places(formatted), key=_order))


# --- syntax errors ---------------------------------------------------------------------------

SYNTAX_CASES = sorted((REPO / "tests" / "cases" / "syntax").glob("*.policy"))


@pytest.mark.parametrize("path", SYNTAX_CASES, ids=lambda p: p.name)
def test_a_file_with_syntax_errors_is_refused_and_left_alone(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    result = format_file(copy)
    assert result.refused and result.text is None and not result.changed
    assert result.diagnostics and all(d.code.startswith("S") for d in result.diagnostics)
    assert copy.read_bytes() == path.read_bytes()


def test_format_text_returns_the_syntax_diagnostics() -> None:
    result = format_text('data x {\n  includes "a",\n}\nuse gdpr\n', "bad.policy")
    assert result.refused
    assert [d.code for d in result.diagnostics] == ["S001"]
    assert result.diagnostics[0].span.file == "bad.policy"
    assert result.path == "bad.policy"


# --- layout ----------------------------------------------------------------------------------


def test_semicolons_split_statements_onto_their_own_lines() -> None:
    assert fmt('controller acme "Acme" { legal_name "Acme Ltd"; country GB;email "a@b.example" }\n') == (
        'controller acme "Acme" {\n  legal_name "Acme Ltd"\n  country GB\n  email "a@b.example"\n}\n')
    assert fmt("assert a { forbid x where y; require z where w has v }\n") == (
        "assert a {\n  forbid x where y\n  require z where w has v\n}\n")


def test_a_declaration_header_is_one_line_and_empty_blocks_are_braces() -> None:
    assert fmt('data   contact\t"Contact"   {\n\n}\n') == 'data contact "Contact" {}\n'
    assert fmt("rights {\n}\n") == "rights {}\n"
    assert fmt("assert a {}\n") == "assert a {}\n"
    assert fmt("rights {\n  # to do\n}\n") == "rights {\n  # to do\n}\n"
    assert fmt("rights { # to do\n}\n") == "rights {  # to do\n}\n"


def test_indentation_is_two_spaces_and_values_follow_one_space() -> None:
    assert fmt("data x {\n\tcategory\t\tcontact\n        source    subject\n}\n") == (
        "data x {\n  category contact\n  source subject\n}\n")


def test_a_long_list_is_filled_to_the_width() -> None:
    names = [f"entry_number_{i:02}" for i in range(30)]
    text = fmt("data x {\n  category " + ", ".join(names) + "\n}\n")
    lines = text.splitlines()[1:-1]
    assert len(lines) > 3
    assert all(len(line) <= WIDTH for line in lines), lines
    assert lines[0].startswith("  category entry_number_00, ")
    assert all(line.startswith("    entry_number_") for line in lines[1:])
    assert all(line.endswith(",") for line in lines[:-1]) and lines[-1].endswith("entry_number_29")
    # Filled: the first value of each line would not have fitted on the line before.
    for previous, line in itertools.pairwise(lines):
        first = line.strip().split(",")[0]
        assert len(previous) + 1 + len(first) + 1 > WIDTH
    assert re.findall(r"entry_number_\d+", text) == names


def test_a_list_that_fits_is_joined_onto_one_line() -> None:
    assert fmt('data x {\n  includes "a",\n    "b",\n\n       "c"\n}\n') == 'data x {\n  includes "a", "b", "c"\n}\n'


def test_the_width_can_be_changed() -> None:
    text = fmt("data x {\n  category a, b, c, d, e, f\n}\n", width=20)
    assert text == "data x {\n  category a, b, c,\n    d, e, f\n}\n"
    assert fmt(text, width=20) == text


def test_a_value_longer_than_the_line_stays_whole() -> None:
    long = '"' + "word " * 30 + '"'
    text = fmt(f"data x {{\n  includes {long}, {long}\n}}\n")
    assert text == f"data x {{\n  includes {long},\n    {long}\n}}\n"


def test_a_long_assertion_list_is_filled_too() -> None:
    codes = ", ".join(f"C{i:02}" for i in range(40))
    text = fmt(f"assert a {{\n  forbid recipient where country in [{codes}] and sells\n}}\n")
    lines = text.splitlines()
    assert all(len(line) <= WIDTH for line in lines)
    assert lines[1].startswith("  forbid recipient where country in [C00, ")
    assert lines[2].startswith("    C")
    assert text.count("C") == 40 and lines[-2].endswith("] and sells")


def test_string_escapes_take_their_shortest_safe_form() -> None:
    text = fmt('data x {\n  includes "\\u{41}\\u{e9}\\u{0022}", "tab\\u{9}", "\\u{200B}\\u{a0}", "\\\\",'
               ' "a\\u{a}b"\n}\n')
    assert text == 'data x {\n  includes "Aé\\"", "tab\\t", "\\u{200b}\\u{a0}", "\\\\", "a\\nb"\n}\n'
    assert fmt('data x "Caf\\u{e9} \\u{1F600}" {}\n') == 'data x "Café \U0001f600" {}\n'
    assert fmt('use "./a\\u{2f}b.policy"\n') == 'use "./a/b.policy"\n'


def test_durations_agree_with_their_number_where_they_are_durations() -> None:
    before = """purpose p {
  retain 1 months after contract_end, 2 year, until account_closed + 1 days, 12 months, 01 weeks
}

rights {
  respond_within 1 months
}

cookie c {
  expires 1 years
}

data d {
  includes 1 months
  zz 2 year
}

widget w {
  retain 1 months
}

assert a {
  require purpose where x has retain <= 1 years or retain > 2 month
}
"""
    after = """purpose p {
  retain 1 month after contract_end, 2 years, until account_closed + 1 day, 12 months, 1 week
}

rights {
  respond_within 1 month
}

cookie c {
  expires 1 year
}

data d {
  includes 1 months
  zz 2 year
}

widget w {
  retain 1 months
}

assert a {
  require purpose where x has retain <= 1 year or retain > 2 months
}
"""
    assert fmt(before) == after
    assert fmt("purpose p {\n  retain 2 fortnights\n}\n") == "purpose p {\n  retain 2 fortnights\n}\n"


def test_blank_lines() -> None:
    before = """

# head


use a


use b
data x {


  # first


  a 1


  b 2
  c 3

}
data y {}


# tail


"""
    after = """# head

use a
use b

data x {
  # first

  a 1

  b 2
  c 3
}

data y {}

# tail
"""
    assert fmt(before) == after


def test_use_lines_keep_their_order_and_place() -> None:
    assert fmt("use uk_gdpr\n\nuse \"./b.policy\"\nuse ccpa\ndata x {}\n") == (
        'use uk_gdpr\nuse "./b.policy"\nuse ccpa\n\ndata x {}\n')
    # Moving a late `use` to the top would change the tree: it stays, a declaration among others.
    assert fmt("data x {}\nuse gdpr\ndata y {}\n") == "data x {}\n\nuse gdpr\n\ndata y {}\n"
    assert fmt("use a\n# about b\nuse b\n") == "use a\n# about b\nuse b\n"


def test_a_text_block_is_reindented_to_its_field() -> None:
    before = '''policy "P" {
  summary """We keep your data safe.
Second line.

- a list item
  continued"""
}

section s {
        text """
          Deep.
            Deeper.
          """
}
'''
    after = '''policy "P" {
  summary """
    We keep your data safe.
    Second line.

    - a list item
      continued
  """
}

section s {
  text """
    Deep.
      Deeper.
  """
}
'''
    assert fmt(before) == after
    assert fmt(after) == after


def test_inline_and_hanging_text_blocks_are_kept() -> None:
    inline = 'section s {\n  text """One line."""\n}\n'
    assert fmt(inline) == inline
    hanging = 'section s {\n  text """You can ask us,\n    if we do, for a copy."""\n}\n'
    assert fmt(hanging) == hanging
    assert fmt(hanging.replace("\n  text", "\n      text")) == hanging


def test_text_block_escapes() -> None:
    text = fmt('section s {\n  text """\n    a \\"\\"\\" b \\\\ c\\u{200b}\n    ends with "\n  """\n}\n')
    assert text == 'section s {\n  text """\n    a ""\\" b \\\\ c\\u{200b}\n    ends with "\n  """\n}\n'
    assert fmt('section s {\n  text """say \\"hi\\""""\n}\n') == 'section s {\n  text """say "hi\\""""\n}\n'


def test_a_text_block_whose_text_starts_with_an_empty_line() -> None:
    # White space after the opening quotes makes the parser keep an empty first line.
    before = 'section s {\n  text """   \n    a\n    """\n}\n'
    module, _ = parse_text(before)
    value = module.decls[0].fields[0].items[0].atoms[0]
    assert isinstance(value, ast.Str) and value.value == "\na"
    assert fmt(before) == 'section s {\n  text """\\u{20}\n    a\n  """\n}\n'


def test_assertions_one_clause_per_line_with_the_brackets_needed() -> None:
    before = """assert a "T" { forbid recipient where (country not in [GB,IE]) and (role = processor or sells)
  require purpose where not (kind analytics) and not sells and not (x or y) has (basis consent); forbid cookie
}
"""
    after = """assert a "T" {
  forbid recipient where country not in [GB, IE] and (role = processor or sells)
  require purpose where not (kind analytics) and not sells and not (x or y) has basis consent
  forbid cookie
}
"""
    assert fmt(before) == after


def test_trailing_comments_of_a_broken_list_keep_their_value() -> None:
    before = 'data x {\n  includes "a", "b",   # first two\n         "c",\n  # own line\n  "d"  # last\n}\n'
    after = 'data x {\n  includes "a", "b",  # first two\n    "c",\n    # own line\n    "d"  # last\n}\n'
    assert fmt(before) == after


def test_a_trailing_comment_above_a_declaration_is_not_its_doc() -> None:
    # The parser takes a trailing comment on the line above as a doc comment; the formatter puts a
    # blank line after the `use` group, and compares doc comments made of own-line comments only.
    text = "use uk_gdpr  # the law\n# The notice.\npolicy {}\ndata x { a 1 }  # end\ndata y {}\n"
    assert fmt(text) == (
        "use uk_gdpr  # the law\n\n# The notice.\npolicy {}\n\ndata x {\n  a 1\n}  # end\n\ndata y {}\n")
    module, _ = parse_text(fmt(text))
    assert [d.doc for d in module.decls] == ["The notice.", "", ""]


def test_doc_comments_stay_doc_comments() -> None:
    text = "# Not a doc.\n\n# Doc of x,\n# two lines.\ndata x {}\n# Doc of y.\ndata y {}\n"
    module, _ = parse_text(fmt(text))
    assert [d.doc for d in module.decls] == ["Doc of x,\ntwo lines.", "Doc of y."]


def test_line_endings_become_newlines() -> None:
    text = 'data x {\r\n  text """a\r\n\r\n    b"""\r\n}\r\n'
    result = format_text(text)
    assert result.changed and result.text is not None and "\r" not in result.text
    module, _ = parse_text(result.text)
    value = module.decls[0].fields[0].items[0].atoms[0]
    assert isinstance(value, ast.Str) and value.value == "a\n\n    b"


def test_empty_and_comment_only_files() -> None:
    assert fmt("") == ""
    assert fmt("\n\n  \n") == ""
    assert fmt("# only\n\n\n# comments   \n") == "# only\n\n# comments\n"


def test_a_formatted_file_is_unchanged() -> None:
    result = format_text(fmt(SAMPLE))
    assert not result.changed and not result.refused


def test_format_module_without_the_text_uses_the_block_layout() -> None:
    text = 'section s {\n  text """You can ask us,\n    if we do."""\n}\n'
    module, _ = parse_text(text)
    printed = format_module(module)
    assert printed == 'section s {\n  text """\n    You can ask us,\n        if we do.\n  """\n}\n'
    assert tree_key(parse_text(printed)[0]) == tree_key(module)


def test_a_wrong_output_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import policyc.fmt as fmt_module

    real = fmt_module.format_module
    monkeypatch.setattr(fmt_module, "format_module", lambda *a, **k: real(*a, **k).replace("GB", "US"))
    with pytest.raises(FormatError, match="means something else"):
        format_text("data x {\n  country GB\n}\n")
    monkeypatch.setattr(fmt_module, "format_module", lambda *a, **k: real(*a, **k).replace("# c", "# d"))
    with pytest.raises(FormatError, match="comments"):
        format_text("data x {}  # c\n")
    monkeypatch.setattr(fmt_module, "format_module", lambda *a, **k: real(*a, **k) + "}\n")
    with pytest.raises(FormatError, match="syntax error"):
        format_text("data x {}\n")


def test_the_repositorys_own_policies_are_formatted() -> None:
    """A project that adopts the pre-commit hook gets no rewrite of the examples, the standard library or
    the complete test policies on its first commit."""
    result = run_cli("fmt", "--check", str(REPO / "examples"), str(REPO / "stdlib"), str(REPO / "tests" / "policies"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_docs_examples_are_formatted() -> None:
    page = (REPO / "docs" / "formatting.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^( *)```policy\n(.*?)^\1```", page, re.S | re.M)
    assert len(blocks) >= 3
    for _, block in blocks:
        block = textwrap.dedent(block)
        assert fmt(block) == block


# --- helpers ---------------------------------------------------------------------------------


def test_unified_diff() -> None:
    diff = unified_diff("a.policy", "data x { a 1 }\n", "data x {\n  a 1\n}\n")
    assert diff.startswith("--- a.policy\n+++ a.policy\n@@ ")
    assert "-data x { a 1 }\n+data x {\n+  a 1\n+}\n" in diff
    assert unified_diff("a.policy", "x", "x") == ""
    assert unified_diff("a.policy", "data x {}", "data x {}\n").endswith("\\ No newline at end of file\n+data x {}\n")


# --- random policies -------------------------------------------------------------------------

NAMES = ("a", "b_c", "contact", "x1", "yes", "days", "month", "GB")
KINDS = ("data", "purpose", "policy", "rights", "cookie", "section", "widget")
FIELDS = ("uses", "retain", "respond_within", "expires", "includes", "text", "title", "zz")
UNITS = ("day", "days", "week", "weeks", "month", "months", "year", "years", "fortnight")
INDENTS = ("  ", "    ", "\t", "", "   ")
STRING_CHARS = ("a", "b", " ", '"', "\\", "\n", "\t", "é", "\u200b", "\xa0", "#", "{", "}", ";", ",", "'")
TEXT_PIECES = ("a", "b", "é", "-", " ", "\t", '\\"', '"x', '""y', "\\\\", "\\u{a0}", "\\n", "*", "\xa0", "\\u{20}",
               "\\u{2028}", "\\t", "\\u{9}", "\u3000")


@st.composite
def comments(draw: st.DrawFn) -> str:
    return "#" + draw(st.sampled_from(("", " c", " note: a, b; {x}", "#", ' "q"', "\tt", " M  ")))


@st.composite
def qnames(draw: st.DrawFn) -> str:
    return ".".join(draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3)))


@st.composite
def strings(draw: st.DrawFn) -> str:
    out = []
    for ch in draw(st.lists(st.sampled_from(STRING_CHARS), max_size=8)):
        forms = [f"\\u{{{ord(ch):x}}}", f"\\u{{{ord(ch):04X}}}"]
        if ch not in '"\\\n':
            forms.append(ch)
        forms += {'"': ['\\"'], "\\": ["\\\\"], "\n": ["\\n"], "\t": ["\\t"]}.get(ch, [])
        out.append(draw(st.sampled_from(forms)))
    return '"' + "".join(out) + '"'


@st.composite
def text_lines(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(st.sampled_from(TEXT_PIECES), max_size=6)))


@st.composite
def text_blocks(draw: st.DrawFn, indent: str) -> str:
    layout = draw(st.sampled_from(("inline", "block", "hanging")))
    if layout == "inline":
        return '"""' + draw(text_lines()) + '"""'
    lines = draw(st.lists(text_lines(), min_size=1, max_size=4))
    body = [draw(st.sampled_from(("", " ", "  ", "\t", "    "))) + line if line.strip()
            else draw(st.sampled_from(("", " ", "\t"))) for line in lines]
    close = draw(st.sampled_from(("\n" + indent, "\n" + indent + "  ", "")))
    if layout == "block":
        return '"""' + draw(st.sampled_from(("", "", "  "))) + "\n" + "\n".join(body) + close + '"""'
    return '"""' + "\n".join(body) + close + '"""'


@st.composite
def atoms(draw: st.DrawFn, indent: str) -> str:
    kind = draw(st.sampled_from(("name", "number", "duration", "date", "string", "plus", "text")))
    if kind == "name":
        return draw(qnames())
    if kind == "number":
        return draw(st.sampled_from(("0", "1", "2", "007", "30")))
    if kind == "duration":
        return draw(st.sampled_from(("1", "2", "01", "12"))) + " " + draw(st.sampled_from(UNITS))
    if kind == "date":
        return "2024-06-01"
    if kind == "string":
        return draw(strings())
    if kind == "plus":
        return "+"
    return draw(text_blocks(indent))


@st.composite
def fields(draw: st.DrawFn, indent: str) -> str:
    items = [" ".join(draw(st.lists(atoms(indent), min_size=1, max_size=3))) for _ in range(draw(st.integers(1, 6)))]
    out = draw(st.sampled_from(FIELDS)) + " " + items[0]
    for item in items[1:]:
        out += draw(st.sampled_from((", ", ",", ",\n" + indent * 2, ",  " + draw(comments()) + "\n" + indent,
                                     ",\n" + indent + draw(comments()) + "\n\n" + indent * 2))) + item
    return out


@st.composite
def bodies(draw: st.DrawFn, statements: st.SearchStrategy[str], indent: str) -> str:
    parts = draw(st.lists(statements, max_size=4))
    if not parts:
        return draw(st.sampled_from(("", " ", "\n", "\n" + indent + draw(comments()) + "\n",
                                     " " + draw(comments()) + "\n")))
    out = draw(st.sampled_from((" ", "\n" + indent, " " + draw(comments()) + "\n" + indent, " ;\n" + indent,
                                "\n\n" + indent + draw(comments()) + "\n" + indent)))
    for index, part in enumerate(parts):
        if index:
            out += draw(st.sampled_from(("\n" + indent, "; ", ";", "\n\n\n" + indent, ";\n" + indent,
                                         "  " + draw(comments()) + "\n" + indent,
                                         "\n" + indent + draw(comments()) + "\n\n" + indent)))
        out += part
    return out + draw(st.sampled_from((" ", "\n", "  " + draw(comments()) + "\n",
                                       "\n" + indent + draw(comments()) + "\n", "\n\n")))


@st.composite
def decls(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(INDENTS))
    header = [draw(st.sampled_from(KINDS))]
    if draw(st.booleans()):
        header.append(draw(qnames()))
    if draw(st.booleans()):
        header.append(draw(strings()))
    return " ".join(header) + " {" + draw(bodies(fields(indent), indent)) + "}"


@st.composite
def values(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("string", "date", "number", "duration", "name", "glob")))
    if kind == "string":
        return draw(strings())
    if kind == "date":
        return "2023-01-31"
    if kind == "number":
        return draw(st.sampled_from(("2", "10")))
    if kind == "duration":
        return draw(st.sampled_from(("1", "2"))) + " " + draw(st.sampled_from(UNITS))
    return draw(qnames()) + (".*" if kind == "glob" else "")


@st.composite
def value_lists(draw: st.DrawFn) -> str:
    out = []
    for index, value in enumerate(draw(st.lists(values(), max_size=6))):
        if index:
            out.append(draw(st.sampled_from((", ", ",", ",\n      ", ",  " + draw(comments()) + "\n    ",
                                             ",\n    " + draw(comments()) + "\n    "))))
        out.append(value)
    return "[" + "".join(out) + "]"


@st.composite
def terms(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("truthy", "compare", "in", "not in", "matches")))
    path = draw(qnames())
    if kind == "truthy":
        return path
    if kind == "compare":
        return f"{path} {draw(st.sampled_from(('=', '!=', '<', '<=', '>', '>=')))} {draw(values())}"
    if kind in ("in", "not in"):
        return f"{path} {kind} {draw(value_lists())}"
    return f"{path} {draw(values())}"


EXPRS = st.recursive(
    terms(),
    lambda inner: st.one_of(
        st.builds("not {}".format, inner),
        st.builds("({})".format, inner),
        st.builds("{} and {}".format, inner, inner),
        st.builds("{} or {}".format, inner, inner),
    ),
    max_leaves=5,
)


@st.composite
def clauses(draw: st.DrawFn) -> str:
    out = draw(st.sampled_from(("forbid", "require"))) + " " + draw(st.sampled_from(("recipient", "purpose")))
    if draw(st.booleans()):
        out += " where " + draw(EXPRS)
    if draw(st.booleans()):
        out += " has " + draw(EXPRS)
    return out


@st.composite
def assertions(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(INDENTS))
    header = "assert " + draw(st.sampled_from(("no_sale", "x")))
    if draw(st.booleans()):
        header += " " + draw(strings())
    return header + " {" + draw(bodies(clauses(), indent)) + "}"


@st.composite
def uses(draw: st.DrawFn) -> str:
    return "use " + (draw(qnames()) if draw(st.booleans()) else draw(strings()))


@st.composite
def policies(draw: st.DrawFn) -> str:
    out = draw(st.sampled_from(("", "\n", "\n\n", draw(comments()) + "\n", draw(comments()) + "\n\n")))
    for item in draw(st.lists(st.one_of(uses(), decls(), assertions()), max_size=5)):
        out += item + draw(st.sampled_from((
            "\n", "\n\n", "\n" + draw(comments()) + "\n", "  " + draw(comments()) + "\n",
            "\n\n" + draw(comments()) + "\n\n", "\n" + draw(comments()) + "\n" + draw(comments()) + "\n")))
    if draw(st.booleans()):
        out += draw(comments())
    return out.replace("\n", "\r\n") if draw(st.booleans()) else out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies(), st.integers(8, 120))
def test_random_policies_keep_their_meaning_and_reach_a_fixed_point(text: str, width: int) -> None:
    assert not syntax_errors(text), text
    once = fmt(text, width=width)  # raises FormatError if the tree or the comments differ
    same_tree(text, once, units=True)
    assert fmt(once, width=width) == once


# --- the command line ------------------------------------------------------------------------



UGLY = 'data x "X" { includes "a",   "b"; category contact }\n'
PRETTY = 'data x "X" {\n  includes "a", "b"\n  category contact\n}\n'
BROKEN = 'data x {\n  includes "a\n}\n'


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def test_cli_rewrites_in_place_only_what_changes(tmp_path: Path) -> None:
    ugly = write(tmp_path, "ugly.policy", UGLY)
    pretty = write(tmp_path, "pretty.policy", PRETTY)
    os.utime(pretty, ns=(1_000_000_000, 1_000_000_000))
    result = run_cli("fmt", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"reformatted {ugly}\n"
    assert ugly.read_text(encoding="utf-8") == PRETTY
    assert pretty.stat().st_mtime_ns == 1_000_000_000  # not written at all
    again = run_cli("fmt", str(ugly))
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def test_cli_check(tmp_path: Path) -> None:
    ugly = write(tmp_path, "a/ugly.policy", UGLY)
    write(tmp_path, "b/pretty.policy", PRETTY)
    result = run_cli("fmt", "--check", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"would reformat {ugly}\n"
    assert ugly.read_text(encoding="utf-8") == UGLY
    ok = run_cli("fmt", "--check", str(tmp_path / "b"))
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")


def test_cli_diff(tmp_path: Path) -> None:
    ugly = write(tmp_path, "ugly.policy", UGLY)
    result = run_cli("fmt", "--diff", str(ugly))
    assert result.returncode == 1
    assert result.stdout == unified_diff(str(ugly), UGLY, PRETTY)
    assert f"--- {ugly}\n+++ {ugly}\n" in result.stdout and '+  includes "a", "b"\n' in result.stdout
    assert ugly.read_text(encoding="utf-8") == UGLY
    pretty = write(tmp_path, "pretty.policy", PRETTY)
    ok = run_cli("fmt", "--diff", str(pretty))
    assert (ok.returncode, ok.stdout) == (0, "")


def test_cli_refuses_a_file_with_syntax_errors_and_formats_the_others(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.policy", BROKEN)
    ugly = write(tmp_path, "ugly.policy", UGLY)
    result = run_cli("fmt", str(tmp_path))
    assert result.returncode == 1
    assert "error[S002]" in result.stderr and f"{broken}:2:12" in result.stderr
    assert broken.read_bytes() == BROKEN.encode()
    assert ugly.read_text(encoding="utf-8") == PRETTY
    check = run_cli("fmt", "--check", str(broken))
    assert check.returncode == 1 and "error[S002]" in check.stderr
    assert broken.read_bytes() == BROKEN.encode()


def test_cli_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    latin = tmp_path / "latin.policy"
    latin.write_bytes(b'data x "Caf\xe9" {}\n')
    result = run_cli("fmt", str(latin))
    assert result.returncode == 1 and "S005" in result.stderr
    assert latin.read_bytes() == b'data x "Caf\xe9" {}\n'


def test_cli_usage_and_io_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("fmt", str(tmp_path / "missing.policy")).returncode == 2
    assert run_cli("fmt", str(tmp_path)).returncode == 2  # a folder with no policies
    assert run_cli("fmt").returncode == 2


def test_cli_internal_error_leaves_the_file_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import policyc.fmt as fmt_module
    from policyc.cli import main

    ugly = write(tmp_path, "ugly.policy", UGLY)
    real = fmt_module.format_module
    monkeypatch.setattr(fmt_module, "format_module", lambda *a, **k: real(*a, **k).replace("contact", "other"))
    assert main(["fmt", str(ugly)]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and str(ugly) in err
    assert ugly.read_text(encoding="utf-8") == UGLY


def test_cli_formats_the_examples_without_changing_them_on_disk(tmp_path: Path) -> None:
    for source in REPO.glob("examples/*/privacy.policy"):
        write(tmp_path, f"{source.parent.name}.policy", source.read_text(encoding="utf-8"))
    assert run_cli("fmt", str(tmp_path)).returncode == 0
    assert run_cli("fmt", "--check", str(tmp_path)).returncode == 0
