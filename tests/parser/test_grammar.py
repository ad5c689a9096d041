"""The grammar itself: LALR(1) without conflicts or terminal collisions, and readable errors."""

from __future__ import annotations

from lark import Lark

from policyc.parser import _EXPECTED_WORDS, build_lark, expected_in_words, parse_text
from policyc.resources import grammar_path


def test_grammar_builds_with_strict_mode() -> None:
    # strict=True makes Lark refuse any shift/reduce conflict and any regex collision between
    # terminals of the same priority.
    parser = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="basic",
                  start=["start", "chunk"], strict=True, propagate_positions=True)
    assert parser.parse('policy "x" {\n  version "1"\n}\n', start="start")


def test_every_terminal_the_parser_can_expect_has_plain_words() -> None:
    parser = build_lark(transformer=False)
    ignored = {"WS", "COMMENT", "OPEN_STRING", "SQ_STRING", "BAD_CHAR"}
    missing = {t.name for t in parser.terminals} - set(_EXPECTED_WORDS) - ignored
    assert not missing, f"terminals without a plain-words description: {missing}"


def test_expected_words_never_show_internal_names() -> None:
    words = expected_in_words({"NAME", "STRING", "__ANON_0", "_NL"})
    assert words == "a name, a string or a new line"
    assert "__" not in expected_in_words({"__ANON_3"})


def test_whole_file_and_chunked_parse_agree_on_shape() -> None:
    text = 'use uk_gdpr\n\npolicy "P" {\n  controller acme\n}\n\ndata d "D" { includes "a", "b" }\n'
    bare = build_lark(transformer=False).parse(text, start="start")
    module, diagnostics = parse_text(text)
    assert not diagnostics
    assert len(bare.children) == len(module.items) == 3
