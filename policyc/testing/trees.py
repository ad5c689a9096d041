"""Building, printing, parsing and comparing syntax trees in tests.

Generated trees have no source, so every node carries the same placeholder span, `NOWHERE`.
`strip_spans` gives a parsed tree the same placeholder everywhere, so that a tree read back from
text compares equal (`==`) to the tree it was printed from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from policyc import ast, records
from policyc.diagnostics.model import Diagnostic, Span
from policyc.fmt import format_module
from policyc.parser import parse_text

GENERATED = "<generated>"
NOWHERE = Span(GENERATED, 0, 0, 1, 1, 1, 1)

Node = TypeVar("Node")


# --- building ---------------------------------------------------------------------------------


def name(dotted: str) -> ast.Name:
    return ast.Name(tuple(dotted.split(".")), NOWHERE)


def string(value: str, *, text: bool = False) -> ast.Str:
    """A string literal; `text=True` for a triple-quoted block."""
    return ast.Str(value, NOWHERE, text)


def number(value: int) -> ast.Number:
    return ast.Number(value, NOWHERE)


def date(value: str) -> ast.DateLit:
    return ast.DateLit(value, NOWHERE)


def plus() -> ast.Plus:
    return ast.Plus(NOWHERE)


def item(*atoms: ast.Atom) -> ast.Item:
    """One value of a field: `item(number(6), name("years"), name("after"), name("contract_end"))`."""
    return ast.Item(tuple(atoms), NOWHERE)


def word_item(word: str) -> ast.Item:
    """A one-word value: a reference, a yes/no or a word of a fixed set."""
    return item(name(word))


def field(field_name: str, *items: ast.Item) -> ast.Field:
    return ast.Field(field_name, NOWHERE, tuple(items), NOWHERE)


def decl(kind: str, key: str | None, title: str | None, fields: Iterable[ast.Field], doc: str = "") -> ast.Decl:
    return ast.Decl(kind, NOWHERE, name(key) if key else None, string(title) if title is not None else None,
                    tuple(fields), NOWHERE, doc)


def use(target: str) -> ast.Use:
    return ast.Use(name(target), NOWHERE)


def module(items: Iterable[ast.TopLevel], path: str = GENERATED) -> ast.Module:
    return ast.Module(path, tuple(items), (), NOWHERE)


# --- printing and parsing -----------------------------------------------------------------------


def print_module(tree: ast.Module) -> str:
    """The text of a tree, in the formatter's canonical layout (see `policyc.fmt.format_module`)."""
    return format_module(tree)


def parse_module(text: str, path: str = GENERATED) -> tuple[ast.Module, list[Diagnostic]]:
    """Parse text into a tree with every span replaced by `NOWHERE` (and the diagnostics)."""
    tree, diagnostics = parse_text(text, path)
    return strip_spans(tree), diagnostics


# --- comparing ----------------------------------------------------------------------------------


def strip_spans(node: Node, *, docs: bool = True) -> Node:
    """A copy of a tree (or any node) with every span set to `NOWHERE` and no comments.

    The module's path becomes `GENERATED`. With `docs=False`, doc comments are dropped too, for
    comparing a text that has comments with a tree that has none.
    """
    return _strip(node, docs)  # type: ignore[no-any-return]


def _strip(value: Any, docs: bool) -> Any:
    if isinstance(value, Span):
        return NOWHERE
    if isinstance(value, tuple):
        return tuple(_strip(v, docs) for v in value)
    if isinstance(value, ast.Module):
        return ast.Module(GENERATED, _strip(value.items, docs), (), NOWHERE)
    if records.is_record(value) and not isinstance(value, type):
        changes = {f.name: _strip(getattr(value, f.name), docs) for f in records.fields(value)}
        if not docs and "doc" in changes:
            changes["doc"] = ""
        return records.replace(value, **changes)
    return value


def same_tree(a: ast.Module, b: ast.Module, *, docs: bool = True) -> bool:
    """Do two trees say the same thing, spans and comments aside (and doc comments, with `docs=False`)?"""
    return bool(strip_spans(a, docs=docs) == strip_spans(b, docs=docs))


# --- finding and replacing ----------------------------------------------------------------------


def find_decl(tree: ast.Module, kind: str, key: str | None = None) -> ast.Decl | None:
    """The first declaration of `kind` (named `key`, when given)."""
    return next((d for d in tree.decls if d.kind == kind and (key is None or d.key == key)), None)


def decls_of(tree: ast.Module, kind: str) -> tuple[ast.Decl, ...]:
    return tuple(d for d in tree.decls if d.kind == kind)


def get_field(declaration: ast.Decl, field_name: str) -> ast.Field | None:
    return next((f for f in declaration.fields if f.name == field_name), None)


def field_words(declaration: ast.Decl, field_name: str) -> tuple[str, ...]:
    """The leading names of a field's values: `uses a, b` gives ("a", "b")."""
    found = get_field(declaration, field_name)
    if found is None:
        return ()
    return tuple(i.atoms[0].dotted for i in found.items if i.atoms and isinstance(i.atoms[0], ast.Name))


def without_field(declaration: ast.Decl, field_name: str) -> ast.Decl:
    return records.replace(declaration, fields=tuple(f for f in declaration.fields if f.name != field_name))


def with_field(declaration: ast.Decl, new: ast.Field) -> ast.Decl:
    """The declaration with `new` in place of its field of that name, or added at the end."""
    if get_field(declaration, new.name) is None:
        return records.replace(declaration, fields=(*declaration.fields, new))
    return records.replace(declaration, fields=tuple(new if f.name == new.name else f for f in declaration.fields))


def replace_decl(tree: ast.Module, old: ast.Decl, new: ast.Decl) -> ast.Module:
    return records.replace(tree, items=tuple(new if i is old else i for i in tree.items))


def insert_decl(tree: ast.Module, new: ast.Decl, *, before_kind: str | None = None) -> ast.Module:
    """The tree with `new` added before the first declaration of `before_kind`, else at the end."""
    items = list(tree.items)
    index = next((i for i, it in enumerate(items) if isinstance(it, ast.Decl) and it.kind == before_kind),
                 len(items))
    items.insert(index, new)
    return records.replace(tree, items=tuple(items))
