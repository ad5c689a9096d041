"""Metamorphic properties: a one-fact change to a generated policy brings exactly the finding it must.

Removing a purpose's basis always yields P010 on that purpose; adding a recipient in a country
without adequacy, and with no safeguard, always yields P040 on it; adding special-category data
to a purpose without an Art 9 condition always yields P090 on that purpose. The changes are the
mutation helpers of `policyc.testing`, which also say what they added and changed.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from policyc import ast
from policyc.diagnostics.model import Diagnostic
from policyc.driver import check_text
from policyc.testing import (
    Mutation,
    basis_removals,
    find_decl,
    jurisdiction_sets,
    policies,
    print_module,
    special_data_additions,
    unsafe_transfers,
)


@st.composite
def mutated(draw: st.DrawFn, make: Callable[[ast.Module], st.SearchStrategy[Mutation]]) -> Mutation:
    laws = draw(jurisdiction_sets(require_transfer_law=True))
    return draw(make(draw(policies(laws, special_conditions=True))))


def diagnostics(tree: ast.Module) -> list[Diagnostic]:
    found = check_text(print_module(tree), "mutated.policy").diagnostics
    language = [f"{d.code} {d.message}" for d in found if d.code[0] in "SNT"]
    assert not language, language
    return found


def about(found: list[Diagnostic], code: str, key: str) -> list[Diagnostic]:
    return [d for d in found if d.code == code and f"`{key}`" in d.message]


def check(mutation: Mutation) -> None:
    assert mutation.expects, f"{mutation.description}: the strategy drew a change with no expected finding"
    before, after = diagnostics(mutation.before), diagnostics(mutation.after)
    for code, key in mutation.expects:
        assert not about(before, code, key), f"{code} on `{key}` before the change"
        assert about(after, code, key), (f"{mutation.description}: no {code} on `{key}`; found "
                                         f"{sorted({d.code for d in after})}\n{print_module(mutation.after)}")


@settings(max_examples=100, deadline=None)
@given(mutated(basis_removals))
def test_removing_a_basis_yields_p010_on_that_purpose(mutation: Mutation) -> None:
    check(mutation)
    ((kind, key, fld),) = mutation.changed
    changed = find_decl(mutation.after, kind, key)
    assert changed is not None and all(f.name != fld for f in changed.fields)


@settings(max_examples=100, deadline=None)
@given(mutated(unsafe_transfers))
def test_a_recipient_in_a_country_without_adequacy_and_no_safeguard_yields_p040(mutation: Mutation) -> None:
    check(mutation)
    assert [k for k, _ in mutation.added] == ["recipient"]


@settings(max_examples=100, deadline=None)
@given(mutated(special_data_additions))
def test_special_category_data_without_a_condition_yields_p090(mutation: Mutation) -> None:
    check(mutation)
    assert [k for k, _ in mutation.added] == ["data"]
