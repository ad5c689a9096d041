"""A001–A002: user assertions, checked over the resolved model.

`forbid KIND where P` fails for each declaration of KIND that satisfies P; `require KIND where P has Q`
fails for each one that satisfies P but not Q. A path names a field of the kind (`country`,
`direct_marketing`) or follows references (`uses.category`, `receives.category`). Values compare by
name; `health.*` matches `health` and everything under it; durations compare by length.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence

from policyc import ast
from policyc.diagnostics.fixes import closest, did_you_mean
from policyc.diagnostics.model import Diagnostic, Fix, Label, Span
from policyc.model import UNNAMED, Cookie, Data, Decision, Entity, Model, Purpose, Recipient, Source
from policyc.records import record
from policyc.rules import Context, finding, rule
from policyc.schema import DURATION_UNITS
from policyc.values import Duration, Expiry

Scalar = str | bool | float | dt.date
Value = Scalar | Entity
Getter = Callable[[Entity, Model], Sequence[Value]]


def _expiry(expires: Expiry | None) -> list[Value]:
    """A cookie's expiry as `session` or its length in days; nothing when not stated."""
    if expires is None:
        return []
    return ["session"] if expires.period is None else [expires.period.days]


def _receives(recipient: Entity, model: Model) -> list[Value]:
    return [d for p in model.purposes if any(r.key == recipient.key for r in p.recipients) for d in p.uses]


# kind -> field -> how to read it. A getter returns names (str), yes/no (bool), lengths in days
# (float), dates, or entities (followed by the next part of a dotted path).
FIELDS: dict[str, dict[str, Getter]] = {
    "purpose": {
        "uses": lambda e, m: e.uses,  # type: ignore[attr-defined]
        "basis": lambda e, m: [u.basis.key for u in e.bases],  # type: ignore[attr-defined]
        "condition": lambda e, m: [u.basis.key for u in e.conditions],  # type: ignore[attr-defined]
        "kind": lambda e, m: [k.key for k in e.kinds],  # type: ignore[attr-defined]
        "retain": lambda e, m: [e.retention.period_days] if e.retention and e.retention.period_days else [],  # type: ignore[attr-defined]
        "shares_with": lambda e, m: e.recipients,  # type: ignore[attr-defined]
        "direct_marketing": lambda e, m: [e.direct_marketing],  # type: ignore[attr-defined]
        "automated_decisions": lambda e, m: e.decisions,  # type: ignore[attr-defined]
        "role": lambda e, m: [e.role],  # type: ignore[attr-defined]
    },
    "data": {
        "category": lambda e, m: [c.key for c in (*e.categories, *e.special)],  # type: ignore[attr-defined]
        "special": lambda e, m: [e.is_special],  # type: ignore[attr-defined]
        "criminal": lambda e, m: [e.is_criminal],  # type: ignore[attr-defined]
        "source": lambda e, m: list(e.sources),  # type: ignore[attr-defined]
        "required_for": lambda e, m: [e.required_for] if e.required_for else [],  # type: ignore[attr-defined]
    },
    "recipient": {
        "country": lambda e, m: [*e.countries, *([UNNAMED] if e.countries_unnamed else [])],  # type: ignore[attr-defined]
        "sells": lambda e, m: [bool(e.sells)],  # type: ignore[attr-defined]
        "shares": lambda e, m: [bool(e.shares)],  # type: ignore[attr-defined]
        "role": lambda e, m: [e.role] if e.role else [],  # type: ignore[attr-defined]
        "safeguard": lambda e, m: [s.key for s in e.safeguards],  # type: ignore[attr-defined]
        "receives": _receives,
    },
    "cookie": {
        "kind": lambda e, m: [e.kind] if e.kind else [],  # type: ignore[attr-defined]
        "expires": lambda e, m: _expiry(e.expires),  # type: ignore[attr-defined]
        "provider": lambda e, m: [e.provider] if e.provider else ["first_party"],  # type: ignore[attr-defined]
        "purpose": lambda e, m: e.purposes,  # type: ignore[attr-defined]
        "technology": lambda e, m: [e.technology],  # type: ignore[attr-defined]
    },
    "source": {
        "public": lambda e, m: [e.public] if e.public is not None else [],  # type: ignore[attr-defined]
    },
    "decision": {
        "uses": lambda e, m: e.uses,  # type: ignore[attr-defined]
        "solely_automated": lambda e, m: [bool(e.solely_automated)],  # type: ignore[attr-defined]
        "legal_effect": lambda e, m: [bool(e.legal_effect)],  # type: ignore[attr-defined]
    },
}
ENTITY_KIND: dict[type, str] = {Purpose: "purpose", Data: "data", Recipient: "recipient", Cookie: "cookie",
                                Source: "source", Decision: "decision"}
FOLLOWS: dict[tuple[str, str], str] = {
    ("purpose", "uses"): "data", ("purpose", "shares_with"): "recipient",
    ("purpose", "automated_decisions"): "decision", ("recipient", "receives"): "data",
    ("cookie", "provider"): "recipient", ("cookie", "purpose"): "purpose", ("decision", "uses"): "data",
}


class AssertionTypeError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _type_error(code: str, message: str, span: Span, help: str = "", fixes: tuple[Fix, ...] = ()) -> AssertionTypeError:
    return AssertionTypeError(Diagnostic.of(code, message, span, help=help, fixes=fixes))


@record(frozen=True, slots=True)
class _Glob:
    """A glob in an assertion (`contact.*`): matches the prefix and every key under it."""

    prefix: str


Literal = Scalar | _Glob


def _items(model: Model, kind: str) -> Sequence[Entity]:
    items: dict[str, Sequence[Entity]] = {
        "purpose": model.purposes, "data": model.data, "recipient": model.recipients, "cookie": model.cookies,
        "source": model.sources, "decision": model.decisions}
    return items[kind]


class _Evaluator:
    def __init__(self, model: Model) -> None:
        self.model = model

    def check_path(self, kind: str, path: ast.Name) -> str:
        """Type-check a dotted path from `kind`; return the kind (or "value") it ends on."""
        current = kind
        for part in path.parts:
            fields = FIELDS.get(current)
            if fields is None:
                raise _type_error("T003", f"`{path.dotted}` goes past a value: `{current}` has no fields", path.span)
            if part not in fields:
                close = closest(part, list(fields))
                raise _type_error(
                    "T001", f"assertions cannot read `{part}` of a `{current}`", path.span,
                    help=(f"did you mean `{close[0]}`? " if close else "")
                    + "readable fields: " + ", ".join(f"`{f}`" for f in fields),
                    fixes=did_you_mean(path.span, part, close[0], fields) if close and len(path.parts) == 1 else ())
            current = FOLLOWS.get((current, part), "value")
        return current

    def read(self, entity: Entity, path: ast.Name) -> list[Value]:
        values: list[Value] = [entity]
        for part in path.parts:
            nxt: list[Value] = []
            for value in values:
                if isinstance(value, Entity):
                    kind = ENTITY_KIND.get(type(value))
                    if kind is not None:
                        nxt.extend(FIELDS[kind][part](value, self.model))
            values = nxt
        return values

    def literal(self, value: ast.Value) -> Literal:
        if isinstance(value, ast.Str):
            return value.value
        if isinstance(value, ast.DateLit):
            try:
                return dt.date.fromisoformat(value.value)
            except ValueError:
                raise _type_error("T006", f"`{value.value}` is not a valid date", value.span) from None
        if isinstance(value, ast.Duration):
            unit = value.unit.dotted if value.unit else ""
            code = DURATION_UNITS.get(unit)
            if code is None:
                raise _type_error("T003", "a number in an assertion needs a unit, such as `2 years`", value.span)
            return Duration(value.amount.value, code).days
        if isinstance(value, ast.Glob):
            return _Glob(value.prefix.dotted)
        if value.dotted in ("yes", "no"):
            return value.dotted == "yes"
        return value.dotted

    @staticmethod
    def matches(value: Value, literal: Literal) -> bool:
        if isinstance(value, Entity):
            value = value.key
        if isinstance(literal, _Glob):
            return isinstance(value, str) and (value == literal.prefix or value.startswith(literal.prefix + "."))
        return value == literal

    def holds(self, expr: ast.Expr, entity: Entity) -> bool:
        if isinstance(expr, ast.BoolOp):
            results = (self.holds(operand, entity) for operand in expr.operands)
            return all(results) if expr.op == "and" else any(results)
        if isinstance(expr, ast.Not):
            return not self.holds(expr.operand, entity)
        values = self.read(entity, expr.path)
        if isinstance(expr, ast.Truthy):
            return any(v is not False and v != "" for v in values)
        if isinstance(expr, ast.Matches):
            literal = self.literal(expr.value)
            return any(self.matches(v, literal) for v in values)
        if isinstance(expr, ast.Member):
            literals = [self.literal(v) for v in expr.values]
            inside = bool(values) and all(any(self.matches(v, lit) for lit in literals) for v in values)
            return not inside if expr.negated else inside
        literal = self.literal(expr.value)
        if expr.op == "=":
            return any(self.matches(v, literal) for v in values)
        if expr.op == "!=":
            return not any(self.matches(v, literal) for v in values)
        compare = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[expr.op]
        return any(type(v) is type(literal) and compare(v, literal) for v in values)

    def check_expr(self, kind: str, expr: ast.Expr) -> None:
        """Type errors in an expression, before it is evaluated."""
        if isinstance(expr, ast.BoolOp):
            for operand in expr.operands:
                self.check_expr(kind, operand)
            return
        if isinstance(expr, ast.Not):
            self.check_expr(kind, expr.operand)
            return
        self.check_path(kind, expr.path)
        if isinstance(expr, ast.Compare) and expr.op in ("<", "<=", ">", ">="):
            literal = self.literal(expr.value)
            if not isinstance(literal, (float, dt.date)):
                raise _type_error("T003", f"`{expr.op}` compares durations or dates, not a name or text",
                                  expr.value.span, help="write a duration such as `2 years`, or a date")
        elif isinstance(expr, ast.Compare):
            self.literal(expr.value)
        elif isinstance(expr, ast.Member):
            for value in expr.values:
                self.literal(value)
        elif isinstance(expr, ast.Matches):
            self.literal(expr.value)


def evaluate(model: Model, assertion: ast.Assert) -> Iterator[Diagnostic]:
    evaluator = _Evaluator(model)
    for clause in assertion.clauses:
        if clause.kind not in FIELDS:
            close = closest(clause.kind, list(FIELDS))
            yield Diagnostic.of("T001", f"assertions cannot quantify over `{clause.kind}`", clause.kind_span,
                                help=(f"did you mean `{close[0]}`? " if close else "")
                                + "choose one of " + ", ".join(f"`{k}`" for k in FIELDS),
                                fixes=did_you_mean(clause.kind_span, clause.kind, close[0], FIELDS) if close else ())
            continue
        try:
            for expr in (clause.where, clause.has):
                if expr is not None:
                    evaluator.check_expr(clause.kind, expr)
        except AssertionTypeError as err:
            yield err.diagnostic
            continue
        items = _items(model, clause.kind)
        selected = [e for e in items if clause.where is None or evaluator.holds(clause.where, e)]
        if clause.quantifier == "require" and clause.where is not None and not selected:
            # (for `forbid`, matching nothing is what passing looks like)
            yield finding("A002", f"assertion `{assertion.name.dotted}` can never fail: no {clause.kind} matches its "
                          "`where`", clause.where.span, label="matches nothing",
                          help="check the names in the condition; an assertion that matches nothing checks nothing")
            continue
        if clause.quantifier == "forbid":
            failing = selected
        else:
            failing = [e for e in selected if clause.has is not None and not evaluator.holds(clause.has, e)]
        if failing:
            title = f" ({assertion.title.value})" if assertion.title else ""
            names = ", ".join(f"`{e.key}`" for e in failing[:5]) + (" and more" if len(failing) > 5 else "")
            yield finding(
                "A001", f"assertion `{assertion.name.dotted}` does not hold{title}: {clause.kind} {names}",
                clause.span, label="fails for " + ("this" if len(failing) == 1 else f"these {len(failing)}"),
                labels=[Label(e.span, f"{clause.kind} `{e.key}` " + ("is forbidden" if clause.quantifier == "forbid"
                                                                        else "does not satisfy `has`"))
                        for e in failing],
            )


@rule("A001", laws=())
def assertion_failed(ctx: Context) -> Iterator[Diagnostic]:
    for assertion in ctx.model.assertions:
        yield from (d for d in evaluate(ctx.model, assertion) if d.code != "A002")


@rule("A002", laws=())
def assertion_vacuous(ctx: Context) -> Iterator[Diagnostic]:
    for assertion in ctx.model.assertions:
        yield from (d for d in evaluate(ctx.model, assertion) if d.code == "A002")
