"""The registry of diagnostic codes: one row per code, never reused.

Every code has a slug, a family, a default severity, the article or reference it rests on, and a
one-line summary. `docs/rules/<CODE>.md` explains each one; `policyc rules` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from policyc.diagnostics.model import Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    slug: str
    severity: Severity
    summary: str
    article: str = ""

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]


FAMILIES = {
    "S": "syntax",
    "N": "names and modules",
    "T": "kinds, fields and value types",
    "P": "GDPR / UK GDPR notice rules",
    "C": "CCPA / CPRA notice rules",
    "A": "user assertions",
    "Q": "quality of the text",
    "D": "material changes",
}

_ROWS = (
    # syntax
    Code("S001", "unexpected-token", E, "a token that cannot come at this point"),
    Code("S002", "unterminated-string", E, "a string that is not closed before the end of the line"),
    Code("S003", "invalid-character", E, "a character that is not part of the language"),
    Code("S004", "unclosed-block", E, "a `{` without its matching `}`"),
    Code("S005", "unreadable-file", E, "a file that is not UTF-8 text"),
    Code("S006", "field-assignment", E, "`=` or `:` between a field and its value"),
    Code("S007", "single-quoted-string", E, "a string in single quotes"),
    Code("S008", "unmatched-brace", E, "a `}` with no `{` to close"),
    Code("S009", "too-deeply-nested", E, "brackets nested deeper than the language allows"),
    Code("S010", "too-many-errors", E, "so many syntax errors that checking stopped"),
    # names and modules
    Code("N001", "unknown-name", E, "a reference to a name that is not declared"),
    Code("N002", "duplicate-declaration", E, "two declarations of the same kind with the same name"),
    Code("N003", "import-not-found", E, "a `use` of a module or file that does not exist"),
    Code("N004", "import-cycle", E, "files that import each other"),
    Code("N005", "import-outside-root", E, "a `use` of a file outside the project root"),
    Code("N006", "ambiguous-name", E, "a name that two imported modules define"),
    # kinds, fields and value types
    Code("T001", "unknown-field", E, "a field that the kind does not have, or an unknown kind"),
    Code("T002", "missing-field", E, "a required field that is not given"),
    Code("T003", "wrong-value-type", E, "a value of the wrong type for its field"),
    Code("T004", "wrong-kind", E, "a reference to a declaration of the wrong kind"),
    Code("T005", "field-repeated", E, "a field given more than once"),
    Code("T006", "invalid-literal", E, "an invalid date, e-mail address, URL or number"),
    Code("T007", "singleton-repeated", E, "more than one `policy`, `rights` or `security` in a file"),
    Code("T008", "missing-name", E, "a declaration without the name its kind needs"),
)

CODES: dict[str, Code] = {row.code: row for row in _ROWS}


def severity_of(code: str) -> Severity:
    return CODES[code].severity


def markdown_table() -> str:
    """The list of codes, as published in docs/diagnostics.md."""
    lines = [
        "# Diagnostic codes",
        "",
        "Generated from `policyc/diagnostics/codes.py` (a test keeps this page in step with it).",
        "Every diagnostic has a stable code, a slug, a default severity (E error, W warning) and a span.",
        "",
    ]
    for prefix, family in FAMILIES.items():
        rows = [c for c in CODES.values() if c.code.startswith(prefix)]
        if not rows:
            continue
        lines += [f"## {prefix}: {family}", "", "| code | slug | severity | what it reports |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {c.code} | `{c.slug}` | {c.severity.letter} | {c.summary} |" for c in rows]
        lines.append("")
    return "\n".join(lines)
