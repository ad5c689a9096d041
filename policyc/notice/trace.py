"""Provenance: where each published statement of a notice comes from (`policyc build --trace`).

`<stem>.trace.json` lists every statement of the notice in reading order: the section it is in, its
kind, its text, and each model fact that backs it with the source span that says it. Law text points
at its standard-library declaration (files under `<stdlib>/`).
"""

from __future__ import annotations

from typing import Any

from policyc import __version__, jsontext
from policyc.notice.statements import Notice

TRACE_VERSION = 1


def trace_data(notice: Notice) -> dict[str, Any]:
    statements: list[dict[str, Any]] = []
    for section, statement in notice.statements():
        statements.append({
            "section": section,
            "kind": statement.kind,
            "label": statement.label or None,
            "text": statement.text,
            "backing": [
                {"fact": b.fact, "file": b.span.file, "line": b.span.line, "column": b.span.column,
                 "end_line": b.span.end_line, "end_column": b.span.end_column}
                for b in statement.backing
            ],
        })
    return {"trace_version": TRACE_VERSION, "generator": f"policyc {__version__}", "source": notice.source,
            "title": notice.title, "statements": statements}


def render_trace(notice: Notice) -> str:
    return jsontext.dumps(trace_data(notice)) + "\n"
