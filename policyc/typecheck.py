"""Type-check stage: each declaration against the schema table, each value against its type.

Produces a `TypedDecl` per declaration (field name -> typed values, references bound to their
declarations by the resolve stage, see `policyc.binder`) and the T diagnostics. Later
stages (the legal rules, the model) read the typed values, never raw atoms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from policyc import ast, values
from policyc.diagnostics.fixes import closest, did_you_mean
from policyc.diagnostics.model import Diagnostic, Label, Span
from policyc.patterns import regex
from policyc.records import field, record
from policyc.resolver import Bindings, Found, Module, Program
from policyc.schema import DURATION_UNITS, KINDS, VT, FieldSpec, KindSpec
from policyc.values import UNIT_DAYS

# --- typed values ---------------------------------------------------------------------------


@record(slots=True, unsafe_hash=True)
class Ref:
    """A field value naming a declaration, with the declaration it resolves to."""

    name: str
    target: Found
    span: Span
    note: str | None = None  # `basis legitimate_interests "the interest"`


@record(slots=True, unsafe_hash=True)
class Word:
    """A word from a fixed set (`processor`, `analytics`, `yes`)."""

    value: str
    span: Span


@record(slots=True, unsafe_hash=True)
class Text:
    """A text field value (a string, or a text block read as Markdown)."""

    value: str
    span: Span
    markdown: bool = False


@record(slots=True, unsafe_hash=True)
class Int:
    """A whole-number field value."""

    value: int
    span: Span


@record(slots=True, unsafe_hash=True)
class Bool:
    """A yes/no field value."""

    value: bool
    span: Span


@record(slots=True, unsafe_hash=True)
class Date:
    """A date field value."""

    value: dt.date
    span: Span


@record(frozen=True, slots=True)
class Duration(values.Duration):
    """A duration as written, with where: the value (`iso`, `days`) is `policyc.values.Duration`'s."""

    span: Span = field(compare=False)

    @property
    def value(self) -> values.Duration:
        """The value alone, without its place in the source."""
        return values.Duration(self.amount, self.unit)


MAX_DURATION_DAYS = 365 * 1000  # no period of a policy is longer than a thousand years


@record(slots=True, unsafe_hash=True)
class Retention:
    """`retain ...`: a period and/or an event, a reason, criteria, or `session`."""

    span: Span
    period: Duration | None = None
    after: Ref | None = None  # `6 years after contract_end`
    until: Ref | None = None  # `until account_closed [+ 30 days]`
    unless: Ref | None = None  # `unless legal_claim`
    unless_reason: str | None = None
    criteria: str | None = None
    session: bool = False
    reason: str | None = None


Value = Ref | Word | Text | Int | Bool | Date | Duration | Retention


@record(slots=True)
class TypedDecl:
    """A declaration with its kind's spec and its fields' values, checked against the schema."""

    decl: ast.Decl
    module: Module
    spec: KindSpec | None
    values: dict[str, list[Value]] = field(default_factory=dict)

    def get(self, name: str) -> list[Value]:
        return self.values.get(name, [])

    def first(self, name: str) -> Value | None:
        values = self.values.get(name)
        return values[0] if values else None


# --- the checker ----------------------------------------------------------------------------

_EMAIL = regex(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


class _Invalid(Exception):
    """A value of the wrong shape: carries the diagnostic to report (None: reported by an earlier stage)."""

    def __init__(self, diagnostic: Diagnostic | None) -> None:
        super().__init__(diagnostic.message if diagnostic is not None else "")
        self.diagnostic = diagnostic


def _diag(code: str, message: str, span: Span, **kw: object) -> Diagnostic:
    return Diagnostic.of(code, message, span, **kw)  # type: ignore[arg-type]


def _describe(atom: ast.Atom) -> str:
    if isinstance(atom, ast.Str):
        return "a text block" if atom.text else "a string"
    if isinstance(atom, ast.DateLit):
        return "a date"
    if isinstance(atom, ast.Number):
        return "a number"
    if isinstance(atom, ast.Name):
        return f"`{atom.dotted}`"
    return "`+`"


def _describe_item(item: ast.Item) -> str:
    if len(item.atoms) == 1:
        return _describe(item.atoms[0])
    if len(item.atoms) == 2 and isinstance(item.atoms[0], ast.Number) and isinstance(item.atoms[1], ast.Name):
        return "a duration"
    return "`" + " ".join(_atom_text(a) for a in item.atoms) + "`"


def _atom_text(atom: ast.Atom) -> str:
    if isinstance(atom, ast.Str):
        return '"..."'
    if isinstance(atom, ast.Name):
        return atom.dotted
    if isinstance(atom, (ast.DateLit, ast.Number)):
        return str(atom.value)
    return "+"


class TypeChecker:
    """Checks declarations; with `bindings` (the resolve stage's) it takes each reference's declaration
    from them and reports no name diagnostics, else it looks references up itself (the standard library)."""

    def __init__(self, program: Program, bindings: Bindings | None = None) -> None:
        self.program = program
        self.bindings = bindings
        self.diagnostics: list[Diagnostic] = []

    def check_module(self, module: Module) -> list[TypedDecl]:
        return [self.check_decl(module, decl) for decl in module.tree.decls]

    def check_decl(self, module: Module, decl: ast.Decl) -> TypedDecl:
        spec = KINDS.get(decl.kind)
        typed = TypedDecl(decl, module, spec)
        if spec is None:
            close = closest(decl.kind, sorted(KINDS))
            self.report(_diag(
                "T001", f"unknown kind `{decl.kind}`", decl.kind_span, label="not a kind of declaration",
                help=f"did you mean `{close[0]}`?" if close else "see the kinds in `docs/language.md`",
                fixes=did_you_mean(decl.kind_span, decl.kind, close[0], KINDS) if close else (),
            ))
            return typed
        if decl.name is None and not spec.singleton:
            self.report(_diag("T008", f"a `{decl.kind}` needs a name", decl.kind_span,
                              label="name missing", help=f'write `{decl.kind} some_name "Title" {{ ... }}`'))
        seen: set[str] = set()
        for fld, fspec, items in self.fields_read(decl, spec):
            seen.add(fld.name)
            values = typed.values.setdefault(fld.name, [])
            for item in items:
                try:
                    values.append(self.value(module, fspec, item))
                except _Invalid as err:
                    if err.diagnostic is not None:
                        self.report(err.diagnostic)
        for fspec in spec.fields:
            if fspec.required and fspec.name not in seen and fspec.name not in decl.broken:
                self.report(_diag(
                    "T002", f"`{decl.kind}` needs a `{fspec.name}` field", decl.header_span,
                    label=f"no `{fspec.name}`", help=f"add `{fspec.name} ...`: {fspec.doc}",
                ))
        if decl.kind == "purpose":
            self._purpose_role(typed)
        return typed

    def fields_read(self, decl: ast.Decl, spec: KindSpec) -> Iterator[tuple[ast.Field, FieldSpec, list[ast.Item]]]:
        """The fields of a declaration that are read, each with its spec and the items read. An unknown
        field (T001) and a second copy of a field given once (T005) are reported and skipped; the extra
        values of a field of one value are reported (T003) and not read; a value with a syntax error is
        left out (it was reported as one)."""
        seen: dict[str, ast.Field] = {}
        for fld in decl.fields:
            fspec = spec.field(fld.name)
            if fspec is None:
                close = closest(fld.name, [f.name for f in spec.fields])
                self.report(_diag(
                    "T001", f"`{decl.kind}` has no field `{fld.name}`", fld.name_span, label="unknown field",
                    help=(f"did you mean `{close[0]}`?" if close else
                          "its fields are " + ", ".join(f"`{f.name}`" for f in spec.fields)),
                    fixes=did_you_mean(fld.name_span, fld.name, close[0], [f.name for f in spec.fields])
                    if close else (),
                ))
                continue
            earlier = seen.get(fld.name)
            if earlier is not None and not fspec.repeatable:
                self.report(_diag(
                    "T005", f"`{fld.name}` is given twice", fld.name_span, label="given again",
                    labels=(Label(earlier.name_span, "first given here"),),
                    help="give all its values on one line, separated by commas" if fspec.many else
                    "keep one of them",
                ))
                continue
            seen[fld.name] = fld
            if len(fld.items) > 1 and not fspec.many:
                self.report(_diag("T003", f"`{fld.name}` takes one value, found {len(fld.items)}",
                                  fld.items[1].span, label="a second value"))
            yield fld, fspec, [item for item in (fld.items if fspec.many else fld.items[:1])
                               if not any(isinstance(a, ast.BadAtom) for a in item.atoms)]

    def _purpose_role(self, typed: TypedDecl) -> None:
        role = typed.first("role")
        if isinstance(role, Word) and role.value == "processor" and "on_behalf_of" not in typed.values:
            self.report(_diag(
                "T002", "a purpose with `role processor` needs an `on_behalf_of` field", typed.decl.header_span,
                label="whom do we act for?", help='add `on_behalf_of "our customers, who are the controllers"`',
            ))

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    # -- values ----------------------------------------------------------------------------
    def wrong(self, fspec: FieldSpec, item: ast.Item, expected: str = "") -> _Invalid:
        want = expected or fspec.vt.value
        return _Invalid(_diag(
            "T003", f"`{fspec.name}` expects {want}, found {_describe_item(item)}", item.span,
            label=f"expected {want}", help=f"`{fspec.name}`: {fspec.doc}",
        ))

    def value(self, module: Module, fspec: FieldSpec, item: ast.Item) -> Value:
        atoms = item.atoms
        vt = fspec.vt
        single = atoms[0] if len(atoms) == 1 else None
        if vt in (VT.STRING, VT.TEXT):
            if isinstance(single, ast.Str) and (vt is VT.TEXT or not single.text):
                return Text(single.value, single.span, markdown=single.text)
            raise self.wrong(fspec, item)
        if vt is VT.EMAIL:
            if isinstance(single, ast.Str):
                if not _EMAIL.match(single.value):
                    raise _Invalid(_diag("T006", f"`{single.value}` is not a valid e-mail address", single.span,
                                         label="invalid e-mail address",
                                         help="write the whole address, such as \"privacy@example.com\""))
                return Text(single.value, single.span)
            raise self.wrong(fspec, item)
        if vt is VT.URL:
            if isinstance(single, ast.Str):
                self.check_url(single)
                return Text(single.value, single.span)
            raise self.wrong(fspec, item)
        if vt is VT.DATE:
            if isinstance(single, ast.DateLit):
                return Date(self.date(single), single.span)
            raise self.wrong(fspec, item)
        if vt is VT.INT:
            if isinstance(single, ast.Number):
                return Int(single.value, single.span)
            raise self.wrong(fspec, item)
        if vt is VT.BOOL:
            if isinstance(single, ast.Name) and single.dotted in ("yes", "no"):
                return Bool(single.dotted == "yes", single.span)
            raise self.wrong(fspec, item)
        if vt is VT.DURATION:
            return self.duration(fspec, item, atoms)
        if vt is VT.EXPIRY:
            if isinstance(single, ast.Name) and single.dotted == "session":
                return Word("session", single.span)
            return self.duration(fspec, item, atoms)
        if vt is VT.ENUM:
            if isinstance(single, ast.Name) and single.dotted in fspec.choices:
                return Word(single.dotted, single.span)
            if isinstance(single, ast.Name):
                close = closest(single.dotted, fspec.choices)
                raise _Invalid(_diag(
                    "T003", f"`{single.dotted}` is not a valid `{fspec.name}`", single.span,
                    label="not one of the choices",
                    help=(f"did you mean `{close[0]}`? " if close else "") + "the choices are "
                    + ", ".join(f"`{c}`" for c in fspec.choices),
                    fixes=did_you_mean(single.span, single.dotted, close[0], fspec.choices) if close else (),
                ))
            raise self.wrong(fspec, item, "one of " + ", ".join(f"`{c}`" for c in fspec.choices))
        if vt is VT.COUNTRY:
            if isinstance(single, ast.Name) and single.dotted in fspec.choices:
                return Word(single.dotted, single.span)
            if isinstance(single, ast.Name):
                return self.reference(module, fspec, single, country=True)
            raise self.wrong(fspec, item)
        if vt is VT.REF:
            if isinstance(single, ast.Name):
                if single.dotted in fspec.choices:
                    return Word(single.dotted, single.span)
                return self.reference(module, fspec, single)
            raise self.wrong(fspec, item, f"the name of a `{'` or `'.join(fspec.kinds)}`")
        if vt in (VT.REF_NOTE, VT.REF_TEXT):
            first = atoms[0]
            note = atoms[1] if len(atoms) == 2 else None
            if isinstance(first, ast.Name) and len(atoms) <= 2 and (note is None or isinstance(note, ast.Str)):
                if vt is VT.REF_TEXT and note is None:
                    raise self.wrong(fspec, item, f"a `{fspec.kinds[0]}` followed by a string")
                ref = self.reference(module, fspec, first)
                assert isinstance(ref, Ref)
                return Ref(ref.name, ref.target, ref.span, note.value if isinstance(note, ast.Str) else None)
            raise self.wrong(fspec, item)
        if vt is VT.CHANNEL:
            if isinstance(single, ast.Str):
                return Text(single.value, single.span)
            if isinstance(single, ast.Name):
                return self.reference(module, fspec, single)
            raise self.wrong(fspec, item)
        if vt is VT.PROVIDER:
            if isinstance(single, ast.Name) and single.dotted == "first_party":
                return Word("first_party", single.span)
            if isinstance(single, ast.Name):
                return self.reference(module, fspec, single)
            raise self.wrong(fspec, item)
        if vt is VT.RETENTION:
            return self.retention(module, fspec, item)
        raise AssertionError(f"value type {vt} has no checker")  # pragma: no cover

    def reference(self, module: Module, fspec: FieldSpec, name: ast.Name, country: bool = False) -> Value:
        bound = self.bindings.get(name) if self.bindings is not None else None
        if bound is not None:  # bound by the resolve stage, which reported its diagnostic
            if bound.found is None:
                raise _Invalid(None)
            return Ref(name.dotted, bound.found, name.span)
        found = self.program.bind(module, name, fspec.kinds, country)
        if found.diagnostic is not None:
            if found.found is None:
                raise _Invalid(found.diagnostic)
            self.report(found.diagnostic)
        assert found.found is not None
        return Ref(name.dotted, found.found, name.span)

    def date(self, atom: ast.DateLit) -> dt.date:
        try:
            return dt.date.fromisoformat(atom.value)
        except ValueError:
            raise _Invalid(_diag("T006", f"`{atom.value}` is not a valid date", atom.span,
                                 label="no such date", help="dates are written YYYY-MM-DD")) from None

    def check_url(self, atom: ast.Str) -> None:
        parts = urlsplit(atom.value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in atom.value:
            raise _Invalid(_diag("T006", f"`{atom.value}` is not a valid http(s) URL", atom.span,
                                 label="invalid URL", help="write the full address, starting with https://"))

    def duration(self, fspec: FieldSpec, item: ast.Item, atoms: Sequence[ast.Atom]) -> Duration:
        if len(atoms) == 2 and isinstance(atoms[0], ast.Number) and isinstance(atoms[1], ast.Name):
            return self.make_duration(atoms[0], atoms[1])
        raise self.wrong(fspec, item)

    def make_duration(self, amount: ast.Number, unit: ast.Name) -> Duration:
        code = DURATION_UNITS.get(unit.dotted)
        if code is None:
            close = closest(unit.dotted, list(DURATION_UNITS))
            raise _Invalid(_diag(
                "T006", f"`{unit.dotted}` is not a unit of time", unit.span, label="unknown unit",
                help=f"did you mean `{close[0]}`?" if close else "use days, weeks, months or years",
                fixes=did_you_mean(unit.span, unit.dotted, close[0], DURATION_UNITS) if close else (),
            ))
        if amount.value * UNIT_DAYS[code] > MAX_DURATION_DAYS:
            raise _Invalid(_diag(
                "T006", f"`{amount.value} {unit.dotted}` is longer than {MAX_DURATION_DAYS // 365} years",
                amount.span.cover(unit.span), label="out of range",
                help="a period this long is not a retention period: describe it with `criteria \"...\"`",
            ))
        return Duration(amount.value, code, amount.span.cover(unit.span))

    def retention(self, module: Module, fspec: FieldSpec, item: ast.Item) -> Retention:
        atoms = list(item.atoms)
        expected = ("a retention expression such as `6 years after contract_end`, `until account_closed`, "
                    "`criteria \"...\"` or `session`")
        event_spec = FieldSpec("event", VT.REF, "a retention event", kinds=("event",))

        def word(index: int, *words: str) -> bool:
            atom = atoms[index] if index < len(atoms) else None
            return isinstance(atom, ast.Name) and atom.dotted in words

        def event(index: int) -> Ref:
            atom = atoms[index] if index < len(atoms) else None
            if not isinstance(atom, ast.Name):
                raise self.wrong(fspec, item, "the name of an `event` such as `contract_end`")
            ref = self.reference(module, event_spec, atom)
            assert isinstance(ref, Ref)
            return ref

        reason: str | None = None
        last = atoms[-1] if atoms else None
        if isinstance(last, ast.Str) and not word(0, "criteria"):
            reason = last.value
            atoms.pop()
        if word(0, "session") and len(atoms) == 1:
            return Retention(item.span, session=True, reason=reason)
        if word(0, "criteria"):
            if len(atoms) == 2 and isinstance(atoms[1], ast.Str):
                return Retention(item.span, criteria=atoms[1].value)
            # `criteria "..." unless EVENT ["reason"]`: kept by the criteria, or longer while EVENT lasts
            if len(atoms) in (4, 5) and isinstance(atoms[1], ast.Str) and word(2, "unless") \
                    and (len(atoms) == 4 or isinstance(atoms[4], ast.Str)):
                unless_reason = atoms[4].value if len(atoms) == 5 and isinstance(atoms[4], ast.Str) else None
                return Retention(item.span, criteria=atoms[1].value, unless=event(3), unless_reason=unless_reason)
            raise self.wrong(fspec, item, 'criteria in a string: `criteria "..."`, optionally followed by '
                             '`unless EVENT "reason"`')
        if word(0, "until"):
            until = event(1)
            period = None
            if len(atoms) == 5 and isinstance(atoms[2], ast.Plus) and isinstance(atoms[3], ast.Number) \
                    and isinstance(atoms[4], ast.Name):
                period = self.make_duration(atoms[3], atoms[4])
            elif len(atoms) != 2:
                raise self.wrong(fspec, item, expected)
            return Retention(item.span, period=period, until=until, reason=reason)
        if len(atoms) >= 2 and isinstance(atoms[0], ast.Number) and isinstance(atoms[1], ast.Name):
            period = self.make_duration(atoms[0], atoms[1])
            rest = atoms[2:]
            after = unless = None
            unless_reason = None
            if rest and word(2, "after"):
                after = event(3)
                rest = rest[2:]
            if rest and isinstance(rest[0], ast.Name) and rest[0].dotted == "unless":
                index = len(atoms) - len(rest)
                unless = event(index + 1)
                unless_reason, reason = reason, None
                rest = rest[2:]
            if rest:
                raise self.wrong(fspec, item, expected)
            return Retention(item.span, period=period, after=after, unless=unless,
                             unless_reason=unless_reason, reason=reason)
        raise self.wrong(fspec, item, expected)
