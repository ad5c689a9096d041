"""The semantic diff, property-tested: diff(a, mutate(a)) reports exactly the mutation.

Each mutation of `policyc.testing` says which declarations it added and which fields of which
declarations it changed; the diff must report those and nothing else, each classified as the D
code it calls for. The only other changes allowed are rights that come or go with a purpose's
basis, and those must name their cause. A policy against itself, against a reformatted copy of
itself, and against a copy whose names are all changed (each title kept) has no visible change.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from policyc import ast
from policyc.diff import Change, DiffResult, diff_models
from policyc.driver import check_text
from policyc.model import Model
from policyc.parser import lex
from policyc.testing import (
    Mutation,
    basis_removals,
    find_decl,
    jurisdiction_sets,
    policies,
    policies_with_text,
    print_module,
    special_data_additions,
    unsafe_transfers,
)
from policyc.testing.mutations import is_controller_purpose

# The language's field names, as the diff (which reads the JSON model) names them.
ASPECTS = {"basis": "bases", "shares_with": "recipients", "uses": "uses"}
# The D code each kind of mutated fact calls for.
CODES = {("purpose", "bases"): "D001", ("purpose", "recipients"): "D002", ("purpose", "uses"): "D004",
         ("recipient", ""): "D002", ("data", ""): "D004"}


def model_of(tree_or_text: ast.Module | str, name: str) -> Model:
    text = tree_or_text if isinstance(tree_or_text, str) else print_module(tree_or_text)
    result = check_text(text, name)
    language = [f"{d.code} {d.message}" for d in result.diagnostics if d.code[0] in "SNT"]
    assert not language, language
    return result.models[name]


def diff(old: ast.Module | str, new: ast.Module | str) -> DiffResult:
    return diff_models(model_of(old, "old.policy"), model_of(new, "new.policy"))


@st.composite
def mutated(draw: st.DrawFn, make: Callable[[ast.Module], st.SearchStrategy[Mutation]]) -> Mutation:
    laws = draw(jurisdiction_sets(require_transfer_law=True))
    return draw(make(draw(policies(laws, special_conditions=True))))


def reported(result: DiffResult) -> set[tuple[str, str, str, str | None]]:
    """(entity, key, aspect, code) of each change that is not a right following a purpose."""
    return {(c.entity, c.key, c.aspect if c.action == "changed" else "", c.code)
            for c in result.changes if not (c.entity == "right" and c.cause)}


def expected(mutation: Mutation) -> set[tuple[str, str, str, str | None]]:
    out: set[tuple[str, str, str, str | None]] = set()
    for kind, key in mutation.added:
        out.add((kind, key, "", CODES[(kind, "")]))
    for kind, key, name in mutation.changed:
        aspect = ASPECTS[name]
        purpose = find_decl(mutation.before, kind, key)
        # what a processor does is its customers' to announce: editorial
        code = CODES[(kind, aspect)] if purpose is None or is_controller_purpose(purpose) else None
        out.add((kind, key, aspect, code))
    return out


def check(mutation: Mutation) -> None:
    result = diff(mutation.before, mutation.after)
    assert reported(result) == expected(mutation), (mutation.description, [c.text for c in result.changes])
    for change in result.changes:
        if change.entity == "right":
            assert change.cause, change.text  # a right changed only because the purpose's basis did
            assert mutation.name == "remove_basis"
    assert all(c.span is not None for c in result.changes)


@settings(max_examples=60, deadline=None)
@given(mutated(basis_removals))
def test_diff_reports_a_removed_basis(mutation: Mutation) -> None:
    check(mutation)


@settings(max_examples=60, deadline=None)
@given(mutated(unsafe_transfers))
def test_diff_reports_an_added_recipient(mutation: Mutation) -> None:
    check(mutation)


@settings(max_examples=60, deadline=None)
@given(mutated(special_data_additions))
def test_diff_reports_added_special_data(mutation: Mutation) -> None:
    check(mutation)


@settings(max_examples=40, deadline=None)
@given(policies_with_text(layout="varied"))
def test_layout_and_order_are_not_changes(pair: tuple[ast.Module, str]) -> None:
    tree, varied = pair
    assert diff(tree, varied).changes == []
    assert diff(tree, tree).changes == []


def rename(text: str, names: set[str]) -> str:
    """The text with every name token in `names` given the suffix `_v2` (strings and comments untouched)."""
    out: list[str] = []
    position = 0
    for token in lex(text):
        if token.type == "NAME" and str(token) in names:
            start = token.start_pos or 0
            out += [text[position:start], f"{token}_v2"]
            position = token.end_pos or start
    return "".join(out) + text[position:]


@settings(max_examples=40, deadline=None)
@given(policies())
def test_renaming_declarations_is_invisible(tree: ast.Module) -> None:
    kinds = ("data", "purpose", "recipient", "cookie")
    others = {d.key for d in tree.decls if d.kind not in kinds}
    renamable = [d for d in tree.decls if d.kind in kinds and d.key and d.key not in others]
    text = print_module(tree)
    renamed = rename(text, {d.key for d in renamable})
    blocked = [d for d in check_text(renamed, "new.policy").diagnostics if d.code[0] in "SNT"]
    assume(not blocked)  # a name that is also a word of the language or of the standard library
    changes: list[Change] = diff(text, renamed).changes
    assert all(c.action == "renamed" and c.internal and not c.material for c in changes), [c.text for c in changes]
    assert len(changes) == len(renamable)
