"""The LALR(1) parse: a shift-reduce loop over the tables of `policyc.parser.tables`.

Each reduction hands the rule's kept children to the tree builder's method of the rule's name, so the
parse builds the syntax tree directly; a syntax error raises `UnexpectedToken` with the terminals the
parser would have accepted in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain

from policyc import TYPE_CHECKING
from policyc.parser.lexer import Token
from policyc.parser.tables import Rule, Tables

if TYPE_CHECKING:
    from typing import Any


class UnexpectedToken(Exception):
    """The parser met a token no action of its state accepts."""

    def __init__(self, token: Token, expected: frozenset[str]) -> None:
        super().__init__(f"unexpected {token.type} {str(token)!r}")
        self.token = token
        self.expected = expected


class _Spliced(list[object]):
    """The children of an inlined rule (`_name`), spliced into its parent's."""

    __slots__ = ()


if TYPE_CHECKING:
    Reducer = Callable[[list[Any]], Any]


def reducers(tables: Tables, builder: object) -> tuple[Reducer, ...]:
    """For each rule, the function from its popped values to the value it leaves on the stack."""
    return tuple(_reducer(rule, builder) for rule in tables.rules)


def _reducer(rule: Rule, builder: object) -> Reducer:
    build: Reducer
    if rule.callback.startswith("_"):
        build = _Spliced
    else:
        method = getattr(builder, rule.callback, None)
        kept = rule.size if rule.keep is None else len(rule.keep)
        if method is None and not (rule.expand1 and kept == 1):
            # (a `?rule` of one child passes it up: the builder never sees the rule)
            raise LookupError(f"the tree builder has no method for the rule `{rule.callback}`")
        build = method or _never
    if rule.expand1:
        inner = build

        def build(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else inner(children)

    keep = rule.keep
    if keep is None:
        return build

    def filtered(children: list[Any]) -> Any:
        kept: list[Any] = []
        for index, splice in keep:
            if splice:
                kept.extend(children[index])
            else:
                kept.append(children[index])
        return build(kept)

    return filtered


def _never(children: list[Any]) -> Any:  # pragma: no cover - guarded by _reducer
    raise AssertionError("a rule of one child was asked to build a node")


class Parser:
    """One builder's parser: the tables and the reductions that call that builder."""

    __slots__ = ("actions", "end_states", "reduce", "rules", "start_states")

    def __init__(self, tables: Tables, builder: object) -> None:
        self.actions = tables.actions
        self.start_states = tables.start_states
        self.end_states = tables.end_states
        self.rules = tuple((rule.size, rule.origin) for rule in tables.rules)
        self.reduce = reducers(tables, builder)

    def parse(self, tokens: Sequence[Token], start: str) -> Any:
        """The value the builder makes of `tokens` as the start symbol `start`, or UnexpectedToken."""
        actions = self.actions
        rules = self.rules
        reduce = self.reduce
        states = [self.start_states[start]]
        values: list[Any] = []
        end_state = self.end_states[start]
        end = Token.new_borrow_pos("$END", "", tokens[-1]) if tokens else Token("$END", "", 0, 1, 1)
        for token in chain(tokens, (end,)):
            kind = token.type
            while True:
                row = actions[states[-1]]
                action = row.get(kind)
                if action is None or (action >= 0 and token is end):
                    raise UnexpectedToken(token, _expected(row))
                if action >= 0:
                    states.append(action)
                    values.append(token)
                    break
                index = -1 - action
                size, origin = rules[index]
                if size:
                    popped = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    popped = []
                values.append(reduce[index](popped))
                states.append(actions[states[-1]][origin])
                if token is end and states[-1] == end_state:
                    return values[-1]
        raise AssertionError("the end token either completes the parse or is unexpected")  # pragma: no cover


def _expected(row: dict[str, int]) -> frozenset[str]:
    """The terminals a state has an action for (terminal names are upper case, rules' lower case)."""
    return frozenset(symbol for symbol in row if symbol.isupper())
