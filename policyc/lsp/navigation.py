"""Go to definition, find references, rename, and the document outline.

References are the type checker's bound references (`Ref` values of the typed declarations), so a
name is found only where it means that declaration: `data contact` and `category contact` are two
different things. A declaration is identified across checks by its file, kind and name.
"""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types

from policyc import ast
from policyc.lsp.analysis import Analysis, DeclKey, Hit
from policyc.lsp.documents import canonical
from policyc.patterns import regex
from policyc.records import record
from policyc.resolver import Module
from policyc.schema import KINDS, RESERVED_WORDS

NAME = regex(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
REQUEST_FAILED = -32803  # LSP's RequestFailed error code


class NavigationError(Exception):
    """A request that cannot be carried out, with the reason shown to the user."""


@record(frozen=True, slots=True)
class Target:
    """The declaration a request is about."""

    decl: ast.Decl
    module: Module
    key: DeclKey
    analysis: Analysis


def target_at(analysis: Analysis, position: types.Position) -> tuple[Target, Hit] | None:
    hit = analysis.hit(analysis.offset(position))
    if hit is None or hit.what not in ("ref", "decl") or hit.decl is None or hit.target is None:
        return None
    return Target(hit.decl, hit.target, analysis.key_of(hit.decl, hit.target), analysis), hit


def definition(analysis: Analysis, position: types.Position) -> list[types.Location] | None:
    hit = analysis.hit(analysis.offset(position))
    if hit is None:
        return None
    if hit.what in ("ref", "decl") and hit.decl is not None and hit.target is not None:
        return [analysis.location(hit.target, hit.decl.header_span)]
    if hit.what == "use" and hit.use is not None:
        imported = analysis.imported_module(hit.use)
        if imported is not None:
            start = types.Position(line=0, character=0)
            return [types.Location(uri=analysis.uri_of(imported), range=types.Range(start=start, end=start))]
    return None


def _key(location: types.Location) -> tuple[str, int, int, int, int]:
    start, end = location.range.start, location.range.end
    return (canonical(location.uri), start.line, start.character, end.line, end.character)


def references(target: Target, analyses: Iterable[Analysis], include_declaration: bool) -> list[types.Location]:
    """Every place, in the analysed documents and the files they import, that refers to the target."""
    found: dict[tuple[str, int, int, int, int], types.Location] = {}
    if include_declaration and target.decl.name is not None:
        location = target.analysis.location(target.module, target.decl.name.span)
        found[_key(location)] = location
    for analysis in analyses:
        for site in analysis.ref_sites(stdlib=target.module.stdlib):
            ref = site.ref
            if ref.target.decl.kind != target.key.kind or ref.target.decl.key != target.key.name:
                continue
            if analysis.key_of(ref.target.decl, ref.target.module) != target.key:
                continue
            location = analysis.location(site.module, ref.span)
            found.setdefault(_key(location), location)
    return sorted(found.values(), key=_key)


def _name_range_in(analysis: Analysis, module: Module, span_start: int, span_end: int,
                   old: str) -> types.Range | None:
    """The part of a written reference that is the declaration's own name: all of `foo`, or the `foo`
    of a qualified `common.foo`."""
    text = module.source.text[span_start:span_end]
    if text == old:
        return analysis.index_of_text(module.source.text).range(span_start, span_end)
    if text.endswith("." + old):
        return analysis.index_of_text(module.source.text).range(span_end - len(old), span_end)
    return None


def prepare_rename(analysis: Analysis, position: types.Position) -> types.PrepareRenamePlaceholder:
    found = target_at(analysis, position)
    if found is None:
        raise NavigationError("put the cursor on the name of a declaration or on a reference to one")
    target, hit = found
    if target.module.stdlib:
        raise NavigationError(f"`{target.key.name}` is declared by the standard library and cannot be renamed")
    span = hit.span
    name_range = _name_range_in(analysis, hit.module, span.start, span.end, target.key.name)
    if name_range is None:
        raise NavigationError(f"`{target.key.name}` cannot be renamed here")
    return types.PrepareRenamePlaceholder(range=name_range, placeholder=target.key.name)


def check_new_name(target: Target, new_name: str) -> None:
    if not NAME.fullmatch(new_name):
        raise NavigationError(f"`{new_name}` is not a name: names are snake_case words such as `order_details`")
    reserved = [part for part in new_name.split(".") if part in RESERVED_WORDS]
    if reserved:
        raise NavigationError(f"`{reserved[0]}` is a reserved word and cannot be a name")
    for decl in target.module.by_name.get(new_name, ()):
        if decl.kind == target.decl.kind and decl is not target.decl:
            raise NavigationError(f"`{target.module.name}` already declares a `{decl.kind}` named `{new_name}`")


def rename(target: Target, analyses: Iterable[Analysis], new_name: str) -> dict[str, list[types.TextEdit]]:
    """The edits, by URI, that rename the declaration and every reference to it."""
    if target.module.stdlib:
        raise NavigationError(f"`{target.key.name}` is declared by the standard library and cannot be renamed")
    check_new_name(target, new_name)
    old = target.key.name
    edits: dict[str, dict[tuple[int, int, int, int], types.TextEdit]] = {}

    def add(uri: str, edit_range: types.Range) -> None:
        start, end = edit_range.start, edit_range.end
        edits.setdefault(uri, {})[(start.line, start.character, end.line, end.character)] = types.TextEdit(
            range=edit_range, new_text=new_name)

    if target.decl.name is not None:
        name = target.decl.name.span
        add(target.analysis.uri_of(target.module), target.analysis.range_in(target.module, name))
    for analysis in analyses:
        for site in analysis.ref_sites():
            ref = site.ref
            if ref.target.decl.kind != target.key.kind or ref.target.decl.key != old:
                continue
            if analysis.key_of(ref.target.decl, ref.target.module) != target.key:
                continue
            edit_range = _name_range_in(analysis, site.module, ref.span.start, ref.span.end, old)
            if edit_range is not None:
                add(analysis.uri_of(site.module), edit_range)
    return {uri: [found[k] for k in sorted(found)] for uri, found in edits.items()}


# --- outline ------------------------------------------------------------------------------------

SK = types.SymbolKind
SYMBOL_KINDS: dict[str, types.SymbolKind] = {
    "policy": SK.Namespace, "controller": SK.Class, "contact": SK.Interface, "data": SK.Struct,
    "purpose": SK.Function, "recipient": SK.Object, "source": SK.Package, "decision": SK.Operator,
    "cookie": SK.Key, "security": SK.Module, "section": SK.String, "rights": SK.Module, "law": SK.Namespace,
    "basis": SK.Constant, "condition": SK.Constant, "right": SK.Property, "safeguard": SK.Interface,
    "authority": SK.Class, "category": SK.Enum, "purpose_kind": SK.EnumMember, "country": SK.Constant,
    "region": SK.Array, "adequacy": SK.Boolean, "event": SK.Event, "measure": SK.TypeParameter,
    "ccpa_category": SK.Enum, "provision": SK.String,
}


def _shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def document_symbols(analysis: Analysis) -> list[types.DocumentSymbol]:
    module = analysis.module
    if module is None:
        return []
    text = module.source.text
    out: list[types.DocumentSymbol] = []
    for item in module.tree.items:
        if isinstance(item, ast.Decl):
            children = [
                types.DocumentSymbol(
                    name=fld.name, kind=SK.Field, range=analysis.range(fld.span),
                    selection_range=analysis.range(fld.name_span),
                    detail=_shorten(text[fld.name_span.end:fld.span.end]) or None,
                )
                for fld in item.fields
            ]
            name = item.key or item.kind
            detail = item.kind if item.name is not None else ""
            if item.title is not None:
                detail = f"{detail} · {item.title.value}" if detail else item.title.value
            out.append(types.DocumentSymbol(
                name=name, kind=SYMBOL_KINDS.get(item.kind, SK.Variable) if item.kind in KINDS else SK.Variable,
                range=analysis.range(item.span), selection_range=analysis.range(item.header_span),
                detail=detail or None, children=children,
            ))
        elif isinstance(item, ast.Assert):
            out.append(types.DocumentSymbol(
                name=item.name.dotted, kind=SK.Boolean, range=analysis.range(item.span),
                selection_range=analysis.range(item.name.span),
                detail="assert" + (f" · {item.title.value}" if item.title else ""),
            ))
    return out
