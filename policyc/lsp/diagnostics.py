"""policyc diagnostics as LSP diagnostics."""

from __future__ import annotations

from functools import cache

from lsprotocol import types

from policyc.diagnostics.model import Diagnostic, Severity
from policyc.lsp.analysis import Analysis
from policyc.lsp.documents import path_to_uri
from policyc.resources import rule_doc

SOURCE = "policyc"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}


@cache
def rule_href(code: str) -> str | None:
    """The rule's page (docs/rules/CODE.md, shipped with policyc) as a `file:` URI."""
    try:
        page = rule_doc(code)
    except FileNotFoundError:
        return None
    return path_to_uri(page.resolve()) if page.is_file() else None


def message_of(diagnostic: Diagnostic) -> str:
    lines = [diagnostic.message]
    if diagnostic.help:
        lines.append(f"help: {diagnostic.help}")
    lines.extend(f"note: {note}" for note in diagnostic.notes)
    return "\n".join(lines)


def to_lsp(analysis: Analysis, diagnostic: Diagnostic) -> types.Diagnostic:
    related: list[types.DiagnosticRelatedInformation] = []
    for label in diagnostic.labels:
        module = analysis.module_of_file(label.span.file)
        if module is not None:
            related.append(types.DiagnosticRelatedInformation(analysis.location(module, label.span), label.text))
    href = rule_href(diagnostic.code)
    return types.Diagnostic(
        range=analysis.range(diagnostic.span),
        message=message_of(diagnostic),
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        related_information=related or None,
        data={"name": diagnostic.name, "help": diagnostic.help} if diagnostic.help else {"name": diagnostic.name},
    )


def publishable(analysis: Analysis) -> list[types.Diagnostic]:
    out = [to_lsp(analysis, d) for d in analysis.diagnostics]
    if analysis.config_problem:
        start = types.Position(line=0, character=0)
        out.insert(0, types.Diagnostic(
            range=types.Range(start=start, end=start),
            message=f"the project's configuration cannot be read, so the defaults apply: {analysis.config_problem}",
            severity=types.DiagnosticSeverity.Warning,
            source=SOURCE,
        ))
    return out
