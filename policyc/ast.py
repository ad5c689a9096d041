"""The syntax tree: records (`policyc.records`), each node with its source span.

The parser builds these from Lark's parse; no later stage sees a `lark.Tree`. Field values stay as
sequences of atoms here: their meaning (a duration, a reference, a retention expression) comes from
the schema table and is worked out by the type checker.
"""

from __future__ import annotations

from policyc.diagnostics.model import Span
from policyc.records import record


@record(slots=True, unsafe_hash=True)
class Str:
    """A string literal; `text` is True for a triple-quoted block."""

    value: str
    span: Span
    text: bool = False


@record(slots=True, unsafe_hash=True)
class DateLit:
    """A date as written (`2025-01-31`); the type checker reads and validates it."""

    value: str  # as written, YYYY-MM-DD; validated by the type checker
    span: Span


@record(slots=True, unsafe_hash=True)
class Number:
    """A whole number."""

    value: int
    span: Span


@record(slots=True, unsafe_hash=True)
class Name:
    """A possibly qualified name: `consent`, `uk_gdpr.ico`, `contact.email`."""

    parts: tuple[str, ...]
    span: Span

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@record(slots=True, unsafe_hash=True)
class Plus:
    """The `+` of a period after an event in a retention (`until account_closed + 30 days`)."""

    span: Span


@record(slots=True, unsafe_hash=True)
class BadAtom:
    """A malformed token (already reported as a syntax error); later stages skip it."""

    raw: str
    span: Span


Atom = Str | DateLit | Number | Name | Plus | BadAtom


@record(slots=True, unsafe_hash=True)
class Item:
    """One comma-separated value of a field: a sequence of atoms such as `6 years after contract_end`."""

    atoms: tuple[Atom, ...]
    span: Span


@record(slots=True, unsafe_hash=True)
class Field:
    """A statement in a declaration's block: the field's name and its comma-separated items."""

    name: str
    name_span: Span
    items: tuple[Item, ...]
    span: Span


@record(slots=True, unsafe_hash=True)
class Comment:
    """A `#` comment (its text without the `#`)."""

    text: str  # without the leading `#`
    span: Span


@record(slots=True, unsafe_hash=True)
class Decl:
    """`KIND name "Title" { field value ... }`."""

    kind: str
    kind_span: Span
    name: Name | None
    title: Str | None
    fields: tuple[Field, ...]
    span: Span
    doc: str = ""  # the comment lines directly above
    # Fields whose statement was dropped for a syntax error: written, but with no value the checker can
    # read. Later stages treat them as given (no "missing field" on top of the syntax error).
    broken: tuple[str, ...] = ()

    @property
    def header_span(self) -> Span:
        """The span to point at for the whole declaration: its name, else its kind."""
        return self.name.span if self.name else self.kind_span

    @property
    def key(self) -> str:
        return self.name.dotted if self.name else ""


@record(slots=True, unsafe_hash=True)
class Use:
    """`use uk_gdpr` or `use "./common.policy"`."""

    target: Name | Str
    span: Span


# --- assertions -------------------------------------------------------------------------


@record(slots=True, unsafe_hash=True)
class Glob:
    """`health.*`: a taxonomy entry and everything under it."""

    prefix: Name
    span: Span


@record(slots=True, unsafe_hash=True)
class Duration:
    """A number with an optional unit in an assertion (`3 years`)."""

    amount: Number
    unit: Name | None
    span: Span


Value = Str | DateLit | Duration | Name | Glob


@record(slots=True, unsafe_hash=True)
class Truthy:
    """An assertion's path standing alone: true when the field is set and not false or empty."""

    path: Name
    span: Span


@record(slots=True, unsafe_hash=True)
class Compare:
    """An assertion's comparison of a path with a value (`retention <= 6 years`)."""

    path: Name
    op: str
    value: Value
    span: Span


@record(slots=True, unsafe_hash=True)
class Member:
    """An assertion's `path in [...]` (or `not in`)."""

    path: Name
    values: tuple[Value, ...]
    negated: bool
    span: Span


@record(slots=True, unsafe_hash=True)
class Matches:
    """An assertion's path followed by a value: the field holds that value."""

    path: Name
    value: Value
    span: Span


@record(slots=True, unsafe_hash=True)
class Not:
    """An assertion's `not` of an expression."""

    operand: Expr
    span: Span


@record(slots=True, unsafe_hash=True)
class BoolOp:
    """An assertion's `and` or `or` of two or more expressions."""

    op: str  # "and" | "or"
    operands: tuple[Expr, ...]
    span: Span


Expr = Truthy | Compare | Member | Matches | Not | BoolOp


@record(slots=True, unsafe_hash=True)
class Clause:
    """`forbid KIND where EXPR` or `require KIND where EXPR has EXPR`."""

    quantifier: str
    kind: str
    kind_span: Span
    where: Expr | None
    has: Expr | None
    span: Span


@record(slots=True, unsafe_hash=True)
class Assert:
    """A user assertion: its name, title, clauses and doc comment."""

    name: Name
    title: Str | None
    clauses: tuple[Clause, ...]
    span: Span
    doc: str = ""


TopLevel = Use | Decl | Assert


@record(slots=True, unsafe_hash=True)
class Module:
    """One parsed file."""

    path: str
    items: tuple[TopLevel, ...]
    comments: tuple[Comment, ...]
    span: Span

    @property
    def decls(self) -> tuple[Decl, ...]:
        return tuple(item for item in self.items if isinstance(item, Decl))

    @property
    def uses(self) -> tuple[Use, ...]:
        return tuple(item for item in self.items if isinstance(item, Use))
