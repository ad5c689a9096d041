"""Printing and parsing agree: parse(print(tree)) == tree, and formatting is a fixed point.

The trees come from `policyc.testing.policies()`; the texts from `policies_with_text()`, which writes
the same tree with drawn layout (white space, `;`, one-line blocks, broken lists, comments).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings

from policyc import ast
from policyc.fmt import format_text
from policyc.testing import parse_module, policies, policies_with_text, print_module, same_tree, strip_spans

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/privacy.policy"))


def _syntax(diagnostics: list[object]) -> list[str]:
    return [f"{d.code} {d.message}" for d in diagnostics if d.code.startswith("S")]  # type: ignore[attr-defined]


@settings(max_examples=120, deadline=None)
@given(policies())
def test_parse_of_print_is_the_tree(tree: ast.Module) -> None:
    text = print_module(tree)
    parsed, diagnostics = parse_module(text)
    assert not _syntax(diagnostics), text
    assert parsed == strip_spans(tree), text


@settings(max_examples=40, deadline=None)
@given(policies(hostile=True))
def test_parse_of_print_is_the_tree_with_hostile_text(tree: ast.Module) -> None:
    text = print_module(tree)
    parsed, diagnostics = parse_module(text)
    assert not _syntax(diagnostics), text
    assert parsed == strip_spans(tree), text


@settings(max_examples=100, deadline=None)
@given(policies_with_text(layout="varied"))
def test_any_layout_parses_to_the_tree_and_formats_to_a_fixed_point(pair: tuple[ast.Module, str]) -> None:
    tree, text = pair
    parsed, diagnostics = parse_module(text)
    assert not _syntax(diagnostics), text
    assert same_tree(parsed, tree, docs=False), text
    once = format_text(text).text
    assert once is not None
    assert format_text(once).text == once, once
    # Formatting a layout gives the canonical print of the tree, but for the comments and the blank
    # lines between fields that it keeps (an author's grouping of fields is theirs).
    if "#" not in text:
        assert _without_blank_lines(once) == _without_blank_lines(print_module(tree))
        assert once.count("\n\n") >= print_module(tree).count("\n\n")


def _without_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


@settings(max_examples=30, deadline=None)
@given(policies_with_text(layout="varied", hostile=True))
def test_hostile_text_in_any_layout_formats_to_a_fixed_point(pair: tuple[ast.Module, str]) -> None:
    tree, text = pair
    parsed, diagnostics = parse_module(text)
    assert not _syntax(diagnostics), text
    assert same_tree(parsed, tree, docs=False), text
    once = format_text(text).text
    assert once is not None and format_text(once).text == once


def test_the_examples_format_to_a_fixed_point_that_means_the_same() -> None:
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        once = format_text(text, str(path)).text
        assert once is not None, path
        assert format_text(once, str(path)).text == once, path
        before, _ = parse_module(text)
        after, _ = parse_module(once)
        assert same_tree(before, after, docs=False), path
