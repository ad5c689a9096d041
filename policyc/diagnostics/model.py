"""The diagnostic model shared by every stage and every renderer."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from policyc.records import field, record


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def letter(self) -> str:
        return "E" if self is Severity.ERROR else "W"


@record(slots=True, unsafe_hash=True)
class Span:
    """A range of a source file: 1-based lines and columns (in characters), 0-based offsets."""

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def __reduce__(self) -> tuple[type[Span], tuple[str, int, int, int, int, int, int]]:
        # Pickled as a call with the fields (the standard library's cache holds thousands of spans):
        # a third smaller and faster to load than slots restored one by one.
        return (Span, (self.file, self.start, self.end, self.line, self.column, self.end_line, self.end_column))

    def cover(self, other: Span) -> Span:
        """The smallest span holding both spans (same file); one of them, when it holds the other (an
        item of one value shares its value's span: the standard library's snapshot holds a sixth fewer
        objects)."""
        first, last = (self, other) if self.start <= other.start else (other, self)
        end = last if last.end >= first.end else first
        if end is first:
            return first
        if first.start == last.start and end is last:
            return last
        return Span(self.file, first.start, end.end, first.line, first.column, end.end_line, end.end_column)


@record(slots=True, unsafe_hash=True)
class Label:
    """A secondary span with a short text, such as `first declared here`."""

    span: Span
    text: str


@record(frozen=True, slots=True)
class Edit:
    """Replace the text between two offsets of a file (0-based, into its source text) with new text."""

    file: str
    start: int
    end: int
    new_text: str


@record(frozen=True, slots=True)
class Fix:
    """A change that resolves a diagnostic: a title for a menu, its edits, and whether `policyc check
    --fix` may apply it without asking (it cannot change what the policy means beyond the obvious
    correction; a fix that chooses a lawful basis or a safeguard never is)."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool = False


@record(slots=True, unsafe_hash=True)
class Diagnostic:
    """A finding: its code, message, span, severity, labels, help, notes and fixes."""

    code: str
    message: str
    span: Span
    severity: Severity = Severity.ERROR
    label: str = ""  # text under the primary caret
    labels: tuple[Label, ...] = ()
    help: str = ""
    notes: tuple[str, ...] = field(default=())
    fixes: tuple[Fix, ...] = ()  # the first is the one an editor prefers

    @classmethod
    def of(cls, code: str, message: str, span: Span, *, label: str = "", labels: Iterable[Label] = (),
           help: str = "", notes: Iterable[str] = (), fixes: Iterable[Fix] = ()) -> Diagnostic:
        """A diagnostic with the severity the registry gives its code: the one way stages make them."""
        from policyc.diagnostics.codes import severity_of

        return cls(code, message, span, severity_of(code), label=label, labels=tuple(labels), help=help,
                   notes=tuple(notes), fixes=tuple(fixes))

    @property
    def name(self) -> str:
        from policyc.diagnostics.codes import CODES

        entry = CODES.get(self.code)
        return entry.slug if entry else ""

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.start, self.span.end, self.code)
