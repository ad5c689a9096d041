"""Single-fact changes to a policy tree, each described by what it changed and what it must cause.

A `Mutation` holds the tree before and after, the declarations it added, removed or changed (by
kind and name, with the fields touched), and the diagnostics the change must bring. Metamorphic
tests check the diagnostics; a semantic diff can be checked against `added`, `removed` and
`changed`. The functions build one mutation on a given target; the strategies draw a target in a
generated policy.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import strategies as st

from policyc import ast
from policyc.records import record
from policyc.testing.strategies import data_flags, identifiers, phrases
from policyc.testing.trees import (
    decl,
    decls_of,
    field,
    field_words,
    find_decl,
    get_field,
    insert_decl,
    replace_decl,
    with_field,
    without_field,
    word_item,
)
from policyc.testing.vocabulary import Vocabulary, vocabulary

DeclKey = tuple[str, str]  # (kind, name)


@record(frozen=True)
class Mutation:
    """One change to a policy and what must follow from it.

    `added` / `removed`: declarations, as (kind, name). `changed`: (kind, name, field) for each field
    of a kept declaration whose value changed. `expects`: (code, name) for each diagnostic the change
    must bring, where `name` is the declaration the diagnostic is about (its message quotes it).
    """

    name: str
    description: str
    before: ast.Module
    after: ast.Module
    added: tuple[DeclKey, ...] = ()
    removed: tuple[DeclKey, ...] = ()
    changed: tuple[tuple[str, str, str], ...] = ()
    expects: tuple[tuple[str, str], ...] = ()


# --- reading a policy ---------------------------------------------------------------------------


def policy_laws(tree: ast.Module) -> tuple[str, ...]:
    policy = find_decl(tree, "policy")
    return field_words(policy, "jurisdictions") if policy else ()


def policy_effective(tree: ast.Module) -> dt.date | None:
    policy = find_decl(tree, "policy")
    found = get_field(policy, "effective") if policy else None
    atom = found.items[0].atoms[0] if found and found.items and found.items[0].atoms else None
    if isinstance(atom, ast.DateLit) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", atom.value):
        try:
            return dt.date.fromisoformat(atom.value)
        except ValueError:
            return None
    return None


def is_controller_purpose(purpose: ast.Decl) -> bool:
    return "processor" not in field_words(purpose, "role")


def has_art9_condition(purpose: ast.Decl, vocab: Vocabulary | None = None) -> bool:
    vocab = vocab or vocabulary()
    return any(c in vocab.conditions and not vocab.conditions[c].criminal for c in field_words(purpose, "condition"))


# --- the mutations ------------------------------------------------------------------------------


def remove_basis(tree: ast.Module, purpose_key: str) -> Mutation:
    """Remove the `basis` field of a purpose: a controller purpose must then get P010."""
    purpose = find_decl(tree, "purpose", purpose_key)
    if purpose is None or get_field(purpose, "basis") is None:
        raise ValueError(f"no purpose `{purpose_key}` with a basis")
    after = replace_decl(tree, purpose, without_field(purpose, "basis"))
    expects = (("P010", purpose_key),) if is_controller_purpose(purpose) and policy_laws(tree) else ()
    return Mutation("remove_basis", f"remove the basis of purpose `{purpose_key}`", tree, after,
                    changed=(("purpose", purpose_key, "basis"),), expects=expects)


def add_recipient(tree: ast.Module, key: str, country: str, *, title: str = "Added recipient",
                  shared_by: str | None = None, vocab: Vocabulary | None = None) -> Mutation:
    """Add `recipient KEY { country COUNTRY }` with no safeguard (and to `shared_by`'s `shares_with`).

    Where the country needs a safeguard under one of the policy's transfer laws at its `effective`
    date, the change must bring P040 on the new recipient.
    """
    vocab = vocab or vocabulary()
    if find_decl(tree, "recipient", key) is not None:
        raise ValueError(f"recipient `{key}` exists")
    new = decl("recipient", key, title, [field("country", word_item(country))])
    after = insert_decl(tree, new, before_kind="purpose")
    changed: tuple[tuple[str, str, str], ...] = ()
    if shared_by is not None:
        purpose = find_decl(after, "purpose", shared_by)
        if purpose is None:
            raise ValueError(f"no purpose `{shared_by}`")
        existing = get_field(purpose, "shares_with")
        items = (*(existing.items if existing else ()), word_item(key))
        after = replace_decl(after, purpose, with_field(purpose, field("shares_with", *items)))
        changed = (("purpose", shared_by, "shares_with"),)
    on = policy_effective(tree)
    unsafe = any(not vocab.covered(law, country, on) for law in vocab.transfer_laws(policy_laws(tree)))
    return Mutation("add_recipient", f"add recipient `{key}` in `{country}` with no safeguard", tree, after,
                    added=(("recipient", key),), changed=changed, expects=(("P040", key),) if unsafe else ())


def add_special_data(tree: ast.Module, key: str, category: str, purpose_key: str, *,
                     title: str = "Added special-category data", vocab: Vocabulary | None = None) -> Mutation:
    """Add `data KEY { special CATEGORY }` and make a purpose use it.

    When the purpose is a controller purpose with no Art 9 condition, the change must bring P090
    on that purpose.
    """
    vocab = vocab or vocabulary()
    if find_decl(tree, "data", key) is not None:
        raise ValueError(f"data `{key}` exists")
    purpose = find_decl(tree, "purpose", purpose_key)
    if purpose is None:
        raise ValueError(f"no purpose `{purpose_key}`")
    new = decl("data", key, title, [field("special", word_item(category))])
    existing = get_field(purpose, "uses")
    items = (*(existing.items if existing else ()), word_item(key))
    after = replace_decl(tree, purpose, with_field(purpose, field("uses", *items)))
    after = insert_decl(after, new, before_kind="purpose")
    bites = is_controller_purpose(purpose) and not has_art9_condition(purpose, vocab) and bool(policy_laws(tree))
    return Mutation("add_special_data", f"add special-category data `{key}` ({category}) to purpose `{purpose_key}`",
                    tree, after, added=(("data", key),), changed=(("purpose", purpose_key, "uses"),),
                    expects=(("P090", purpose_key),) if bites else ())


# --- strategies: a mutation of a given policy ---------------------------------------------------


def basis_removals(tree: ast.Module) -> st.SearchStrategy[Mutation]:
    """Removing the basis of one of the tree's controller purposes (nothing to draw if there is none)."""
    targets = [p.key for p in decls_of(tree, "purpose") if is_controller_purpose(p) and get_field(p, "basis")]
    if not targets:
        return st.nothing()
    return st.sampled_from(targets).map(lambda key: remove_basis(tree, key))


@st.composite
def unsafe_transfers(draw: st.DrawFn, tree: ast.Module, *, vocab: Vocabulary | None = None) -> Mutation:
    """Adding a recipient in a country that needs a safeguard under one of the policy's laws, without one."""
    vocab = vocab or vocabulary()
    laws = vocab.transfer_laws(policy_laws(tree))
    if not laws:
        return draw(st.nothing())
    law = draw(st.sampled_from(laws))
    country = draw(st.sampled_from(vocab.unprotected_countries(law, policy_effective(tree))))
    taken = {d.key for d in decls_of(tree, "recipient")}
    key = draw(identifiers().filter(lambda k: k not in taken))
    purposes = [p.key for p in decls_of(tree, "purpose")]
    shared_by = draw(st.sampled_from([None, *purposes]))
    return add_recipient(tree, key, country, title=draw(phrases(max_words=4)), shared_by=shared_by, vocab=vocab)


@st.composite
def special_data_additions(draw: st.DrawFn, tree: ast.Module, *, vocab: Vocabulary | None = None) -> Mutation:
    """Adding special-category data to a controller purpose that has no Art 9 condition and used no
    special-category data before (so the P090 it must get is due to the change)."""
    vocab = vocab or vocabulary()
    special = {d.key for d in decls_of(tree, "data") if data_flags(d, vocab)[0]}
    targets = [p.key for p in decls_of(tree, "purpose") if is_controller_purpose(p)
               and not has_art9_condition(p, vocab) and not special & set(field_words(p, "uses"))]
    if not targets or not policy_laws(tree):
        return draw(st.nothing())
    taken = {d.key for d in decls_of(tree, "data")}
    key = draw(identifiers().filter(lambda k: k not in taken))
    category = draw(st.sampled_from(vocab.special_categories()))
    return add_special_data(tree, key, category, draw(st.sampled_from(targets)), title=draw(phrases(max_words=4)),
                            vocab=vocab)


__all__ = [
    "Mutation",
    "add_recipient",
    "add_special_data",
    "basis_removals",
    "has_art9_condition",
    "is_controller_purpose",
    "policy_effective",
    "policy_laws",
    "remove_basis",
    "special_data_additions",
    "unsafe_transfers",
]
