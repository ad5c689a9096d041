"""The parser: AST shape, spans, comments, and recovery from syntax errors."""

from __future__ import annotations

from policyc import ast
from policyc.parser import parse_text


def codes(text: str) -> list[tuple[str, int, int]]:
    _, diagnostics = parse_text(text)
    return [(d.code, d.span.line, d.span.column) for d in diagnostics]


def test_declaration_fields_and_spans() -> None:
    module, diagnostics = parse_text('data contact "Contact details" {\n  includes "name", "email"\n}\n', "f.policy")
    assert diagnostics == []
    (decl,) = module.decls
    assert (decl.kind, decl.key, decl.title and decl.title.value) == ("data", "contact", "Contact details")
    (field,) = decl.fields
    assert field.name == "includes"
    assert [item.atoms[0].value for item in field.items] == ["name", "email"]  # type: ignore[union-attr]
    assert (field.name_span.line, field.name_span.column) == (2, 3)
    assert decl.span.end_line == 3


def test_strings_escapes_and_text_blocks() -> None:
    text = 'section s {\n  title "a \\"b\\" \\u{e9}"\n  text """\n    First line\n      indented\n  """\n}\n'
    module, diagnostics = parse_text(text)
    assert diagnostics == []
    title, body = (f.items[0].atoms[0] for f in module.decls[0].fields)
    assert isinstance(title, ast.Str) and title.value == 'a "b" é'
    assert isinstance(body, ast.Str) and body.text and body.value == "First line\n  indented"


def test_comments_are_kept_and_doc_comments_attach() -> None:
    module, _ = parse_text("# About the data\n# second line\ndata d {\n  includes \"x\" # trailing\n}\n")
    assert [c.text.strip() for c in module.comments] == ["About the data", "second line", "trailing"]
    assert module.decls[0].doc == "About the data\nsecond line"


def test_list_continues_after_comma_on_next_line() -> None:
    module, diagnostics = parse_text('data d {\n  includes "a",\n    "b",\n    "c"\n}\n')
    assert diagnostics == []
    assert len(module.decls[0].fields[0].items) == 3


def test_semicolons_separate_statements_on_one_line() -> None:
    module, diagnostics = parse_text("law l { area GB; child_consent_age 13 }\n")
    assert diagnostics == []
    assert [f.name for f in module.decls[0].fields] == ["area", "child_consent_age"]


def test_every_error_is_reported_and_good_declarations_survive() -> None:
    text = (
        'data a {\n  includes = "x"\n}\n'          # S006 at 2:12
        "data b {\n  includes 'y'\n}\n"            # S007 at 5:12
        'data c {\n  includes "z\n}\n'             # S002 at 8:12
        'data d {\n  includes "fine"\n}\n'
    )
    module, diagnostics = parse_text(text)
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [
        ("S006", 2, 12), ("S007", 5, 12), ("S002", 8, 12)]
    assert [d.key for d in module.decls] == ["a", "b", "c", "d"]


def test_missing_closing_brace_before_next_declaration() -> None:
    text = 'purpose a {\n  uses x\n\npurpose b {\n  uses y\n}\n'
    module, diagnostics = parse_text(text)
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("S004", 1, 11)]
    assert "line 4" in diagnostics[0].help
    assert [d.key for d in module.decls] == ["a", "b"]


def test_missing_closing_brace_at_end_of_file() -> None:
    assert codes('purpose a {\n  uses x\n') == [("S004", 1, 11)]


def test_unexpected_token_lists_what_could_come_next_in_words() -> None:
    _, diagnostics = parse_text('policy "P" "Q" {\n}\n')
    (diagnostic,) = diagnostics
    assert diagnostic.code == "S001"
    assert diagnostic.message == "unexpected string `\"Q\"`; expected `{`"


def test_stray_closing_brace_and_invalid_character() -> None:
    assert codes('}\ndata d {\n  includes "a" @\n}\n') == [("S008", 1, 1), ("S003", 3, 16)]


def test_nested_block_is_reported_once() -> None:
    module, diagnostics = parse_text('data d {\n  includes { "a" }\n  category contact\n}\n')
    assert [(d.code, d.span.line) for d in diagnostics] == [("S001", 2)]
    assert "do not nest" in diagnostics[0].message
    assert [f.name for f in module.decls[0].fields] == ["category"]


def test_assertion_syntax() -> None:
    module, diagnostics = parse_text(
        'assert uk_only "Data stays in the UK" {\n'
        "  forbid recipient where country not in [GB, IE] and not sells\n"
        "  require purpose where uses.category health.* has condition explicit_consent or retain <= 2 years\n"
        "}\n"
    )
    assert diagnostics == []
    (assertion,) = module.items
    assert isinstance(assertion, ast.Assert)
    first, second = assertion.clauses
    assert first.quantifier == "forbid" and first.kind == "recipient"
    assert isinstance(first.where, ast.BoolOp) and first.where.op == "and"
    member = first.where.operands[0]
    assert isinstance(member, ast.Member) and member.negated
    assert [v.dotted for v in member.values] == ["GB", "IE"]  # type: ignore[union-attr]
    assert isinstance(second.where, ast.Matches) and isinstance(second.where.value, ast.Glob)
    assert isinstance(second.has, ast.BoolOp) and second.has.op == "or"
    compare = second.has.operands[1]
    assert isinstance(compare, ast.Compare) and compare.op == "<="
    assert isinstance(compare.value, ast.Duration) and compare.value.amount.value == 2


def test_deep_nesting_is_refused_not_recursed() -> None:
    text = "assert a {\n  forbid purpose where " + "(" * 5000 + "x" + ")" * 5000 + "\n}\n"
    _, diagnostics = parse_text(text)
    assert "S009" in {d.code for d in diagnostics}


def test_error_count_is_capped() -> None:
    _, diagnostics = parse_text("data d {\n" + "  x @\n" * 500 + "}\n")
    assert len(diagnostics) == 101
    assert diagnostics[-1].code == "S010"
