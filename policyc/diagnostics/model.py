"""The diagnostic model shared by every stage and every renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def letter(self) -> str:
        return "E" if self is Severity.ERROR else "W"


@dataclass(slots=True, unsafe_hash=True)
class Span:
    """A range of a source file: 1-based lines and columns (in characters), 0-based offsets."""

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def cover(self, other: Span) -> Span:
        """The smallest span holding both spans (same file)."""
        first, last = (self, other) if self.start <= other.start else (other, self)
        end = last if last.end >= first.end else first
        return Span(self.file, first.start, end.end, first.line, first.column, end.end_line, end.end_column)


@dataclass(slots=True, unsafe_hash=True)
class Label:
    """A secondary span with a short text, such as `first declared here`."""

    span: Span
    text: str


@dataclass(slots=True, unsafe_hash=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    severity: Severity = Severity.ERROR
    label: str = ""  # text under the primary caret
    labels: tuple[Label, ...] = ()
    help: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        from policyc.diagnostics.codes import CODES

        entry = CODES.get(self.code)
        return entry.slug if entry else ""

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.start, self.span.end, self.code)
