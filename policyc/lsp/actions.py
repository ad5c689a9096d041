"""Quick fixes for diagnostics with an obvious fix.

- a "did you mean `x`?" suggestion (unknown names, kinds, fields, words, countries, units, modules):
  replace the misspelt word;
- a name from a standard-library module that is not in scope ("add `use gdpr`"): add the `use`;
- P010, a purpose without a lawful basis: add a `basis` line to the purpose (consent, contract,
  legal obligation or legitimate interests);
- P040, an international transfer without a safeguard: add `safeguard idta` (UK GDPR), `safeguard
  eu_scc` (EU GDPR), or `safeguard eu_scc, uk_addendum` when both laws see the transfer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lsprotocol import types

from policyc import ast
from policyc.diagnostics.model import Diagnostic
from policyc.lsp.analysis import Analysis
from policyc.lsp.diagnostics import to_lsp
from policyc.resolver import Module

_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")
_ADD_USE = re.compile(r"add `use ([A-Za-z_][A-Za-z0-9_]*)`")
_BASES = (
    ("consent", True),
    ("contract", False),
    ("legal_obligation", False),
    ('legitimate_interests "the interest"', False),
)


def _enclosing(module_decls: tuple[ast.Decl, ...], kind: str, diagnostic: Diagnostic) -> ast.Decl | None:
    for decl in module_decls:
        if decl.kind == kind and decl.span.start <= diagnostic.span.start <= decl.span.end:
            return decl
    return None


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    begin = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    ends = [i for i in (text.find("\n", offset), text.find("\r", offset)) if i != -1]
    return begin, min(ends) if ends else len(text)


def _indent_of_fields(text: str, decl: ast.Decl) -> str:
    for fld in decl.fields:
        begin, _ = _line_bounds(text, fld.name_span.start)
        before = text[begin:fld.name_span.start]
        if not before.strip():
            return before
    return "  "


def add_field(text: str, decl: ast.Decl, statement: str) -> tuple[int, int, str] | None:
    """An edit (start, end, new text) that adds a statement as the declaration's last field."""
    close = decl.span.end - 1
    if close < 0 or close >= len(text) or text[close] != "}":
        return None  # the block is not closed (S004): no safe place
    begin, _ = _line_bounds(text, close)
    if not text[begin:close].strip() and begin > decl.span.start:
        return begin, begin, f"{_indent_of_fields(text, decl)}{statement}\n"
    opening = text.rfind("{", decl.span.start, close)
    if opening == -1:
        return None
    if not text[opening + 1:close].strip():
        return opening + 1, close, f" {statement} "
    last = len(text[:close].rstrip())
    return last, last, f"; {statement}"


def add_use(text: str, module: Module, name: str) -> tuple[int, int, str]:
    """An edit that adds `use NAME` after the file's last `use`, else at its top (not between a
    declaration and its doc comment)."""
    uses = module.tree.uses
    if uses:
        _, end = _line_bounds(text, uses[-1].span.end)
        return end, end, f"\nuse {name}"
    return 0, 0, f"use {name}\n\n"


def add_after_field(text: str, fld: ast.Field, statement: str) -> tuple[int, int, str]:
    """An edit that adds a statement after a field: on the next line when the field ends its line (a
    trailing comment stays where it is), else after a `;`."""
    _, end = _line_bounds(text, fld.span.end)
    rest = text[fld.span.end:end].strip()
    if not rest or rest.startswith("#"):
        line_begin, _ = _line_bounds(text, fld.span.start)
        line = text[line_begin:end]
        indent = line[: len(line) - len(line.lstrip())]
        newline = "\r\n" if text[end:end + 2] == "\r\n" else "\n"
        return end, end, f"{newline}{indent}{statement}"
    return fld.span.end, fld.span.end, f"; {statement}"


def _action(analysis: Analysis, title: str, diagnostic: Diagnostic, edit: tuple[int, int, str],
            preferred: bool) -> types.CodeAction:
    start, end, new_text = edit
    text_edit = types.TextEdit(range=analysis.range_of_offsets(start, end), new_text=new_text)
    return types.CodeAction(
        title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[to_lsp(analysis, diagnostic)],
        is_preferred=preferred, edit=types.WorkspaceEdit(changes={analysis.uri: [text_edit]}),
    )


def _fixes(analysis: Analysis, diagnostic: Diagnostic) -> Iterator[types.CodeAction]:
    module = analysis.module
    if module is None:
        return
    text = analysis.text
    span = diagnostic.span
    suggestion = _DID_YOU_MEAN.search(diagnostic.help)
    if suggestion and span.end > span.start:
        word = suggestion.group(1)
        yield _action(analysis, f"Change `{text[span.start:span.end]}` to `{word}`", diagnostic,
                      (span.start, span.end, word), True)
    missing_use = _ADD_USE.search(diagnostic.help)
    if missing_use:
        module_name = missing_use.group(1)
        yield _action(analysis, f"Add `use {module_name}`", diagnostic, add_use(text, module, module_name), True)
    if diagnostic.code == "P010":
        purpose = _enclosing(module.tree.decls, "purpose", diagnostic)
        if purpose is not None:
            for basis, preferred in _BASES:
                edit = add_field(text, purpose, f"basis {basis}")
                if edit is not None:
                    name = basis.split()[0]
                    yield _action(analysis, f"Add `basis {name}` to `{purpose.key}`", diagnostic, edit, preferred)
    if diagnostic.code == "P040":
        recipient = _enclosing(module.tree.decls, "recipient", diagnostic)
        if recipient is not None:
            yield from _safeguard(analysis, recipient, diagnostic)


def _safeguard(analysis: Analysis, recipient: ast.Decl, diagnostic: Diagnostic) -> Iterator[types.CodeAction]:
    laws: set[str] = set()
    for other in analysis.diagnostics:
        if other.code == "P040" and recipient.span.start <= other.span.start <= recipient.span.end:
            laws.add("uk" if "`idta`" in other.help or "outside the UK" in other.message else "eu")
    words = {"uk": "idta", "eu": "eu_scc"}[laws.pop()] if len(laws) == 1 else "eu_scc, uk_addendum"
    text = analysis.text
    existing = [f for f in recipient.fields if f.name == "safeguard"]
    if existing:
        end = existing[-1].span.end
        edit = (end, end, f", {words}")
    else:
        country = next((f for f in recipient.fields if f.name == "country"), None)
        found = add_after_field(text, country, f"safeguard {words}") if country is not None else add_field(
            text, recipient, f"safeguard {words}")
        if found is None:
            return
        edit = found
    yield _action(analysis, f"Add `safeguard {words}` to `{recipient.key}`", diagnostic, edit, True)


def code_actions(analysis: Analysis, params: types.CodeActionParams) -> list[types.CodeAction]:
    only = params.context.only
    if only and not any(types.CodeActionKind.QuickFix.value.startswith(kind) for kind in only):
        return []
    start = analysis.offset(params.range.start)
    end = analysis.offset(params.range.end)
    actions: list[types.CodeAction] = []
    for diagnostic in analysis.diagnostics:
        if diagnostic.span.start <= end and start <= diagnostic.span.end:
            actions.extend(_fixes(analysis, diagnostic))
    return actions
