"""Quick fixes: the fixes the checker attached to each diagnostic, as code actions.

The stage or rule that reports a problem attaches its fixes (see `policyc.diagnostics.fixes`): a
"did you mean" replacement, a missing `use`, a `basis` for a purpose (P010), a safeguard for a
transfer (P040), and others. Here they are only translated: one code action per fix, the first fix
of a diagnostic preferred. A fix with an edit in a file the editor cannot change (the standard
library) is not offered.
"""

from __future__ import annotations

from collections.abc import Iterator

from lsprotocol import types

from policyc.diagnostics.model import Diagnostic, Fix
from policyc.lsp.analysis import Analysis
from policyc.lsp.diagnostics import to_lsp


def _workspace_edit(analysis: Analysis, fix: Fix) -> types.WorkspaceEdit | None:
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in fix.edits:
        module = analysis.module_of_file(edit.file)
        if module is None or module.stdlib:
            return None
        text = module.source.text
        if not 0 <= edit.start <= edit.end <= len(text):
            return None
        where = analysis.index_of_text(text).range(edit.start, edit.end)
        changes.setdefault(analysis.uri_of(module), []).append(types.TextEdit(range=where, new_text=edit.new_text))
    return types.WorkspaceEdit(changes=changes) if changes else None


def _actions(analysis: Analysis, diagnostic: Diagnostic) -> Iterator[types.CodeAction]:
    preferred = True
    for fix in diagnostic.fixes:
        edit = _workspace_edit(analysis, fix)
        if edit is None:
            continue
        yield types.CodeAction(
            title=fix.title, kind=types.CodeActionKind.QuickFix, diagnostics=[to_lsp(analysis, diagnostic)],
            is_preferred=preferred, edit=edit,
        )
        preferred = False


def code_actions(analysis: Analysis, params: types.CodeActionParams) -> list[types.CodeAction]:
    only = params.context.only
    if only and not any(types.CodeActionKind.QuickFix.value.startswith(kind) for kind in only):
        return []
    start = analysis.offset(params.range.start)
    end = analysis.offset(params.range.end)
    actions: list[types.CodeAction] = []
    for diagnostic in analysis.diagnostics:
        if diagnostic.span.start <= end and start <= diagnostic.span.end:
            actions.extend(_actions(analysis, diagnostic))
    return actions
