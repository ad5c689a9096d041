"""The grammar compiled to plain tables: the lexer's one regular expression, the LALR(1) action table,
and how each rule's children become a call to the tree builder.

Lark reads the grammar and builds its LALR tables; this module copies what a parse needs out of
Lark's objects into tuples, dictionaries and strings, and keeps them in the user's cache folder
(`grammar-<digest>.tables`, in `marshal` form). A check then loads a few kilobytes and never imports
Lark, whose import alone took four times as long as starting Python. The digest covers the grammar,
the layout of the tables and the Python version (marshal's format is Python's), so a changed grammar
is always compiled again. When the cache is off or its folder cannot be written, the tables are built
in each process, as Lark itself would build its parser. (Lark numbers the states differently from one
build to the next; every build parses the same.)

The parse itself runs in `policyc.parser.lalr`; a test compares its results and errors with Lark's
own parser on generated token streams.
"""

from __future__ import annotations

import marshal
import sys
from functools import cache

from policyc import TYPE_CHECKING
from policyc.records import record
from policyc.resources import grammar_path

if TYPE_CHECKING:
    from typing import Any

FORMAT = 1  # bump when the layout of the stored tables changes
START_SYMBOLS = ("start", "chunk")


@record(frozen=True, slots=True)
class Rule:
    """A grammar rule as the tree builder sees it.

    `origin` is the rule's nonterminal (the table's goto key after a reduction), `size` the number of
    symbols it pops. `callback` is the builder's method (the rule's alias or name); a name that starts
    with `_` is inlined: its children are spliced into its parent's. `keep` lists the positions of the
    children passed on (punctuation written as a literal in the grammar is dropped), each with whether
    it is an inlined rule to splice; None passes every child as it is. `expand1` (a `?rule`) passes a
    single child up instead of calling the builder."""

    origin: str
    size: int
    callback: str
    keep: tuple[tuple[int, bool], ...] | None
    expand1: bool


@record(frozen=True, slots=True)
class Tables:
    """Everything a parse needs, as plain data.

    In `actions`, a row per parser state maps a terminal or nonterminal name to an action: a number
    >= 0 shifts to that state, a negative number `-1 - i` reduces by `rules[i]`."""

    pattern: str  # the terminals as named groups, in the order of Lark's preference
    flags: int
    keywords: dict[str, dict[str, str]]  # regex terminal -> {keyword text: keyword terminal}
    actions: tuple[dict[str, int], ...]
    start_states: dict[str, int]
    end_states: dict[str, int]
    rules: tuple[Rule, ...]

    def dump(self) -> bytes:
        rules = tuple((r.origin, r.size, r.callback, r.keep, r.expand1) for r in self.rules)
        return marshal.dumps((FORMAT, self.pattern, self.flags, self.keywords, self.actions, self.start_states,
                              self.end_states, rules))

    @classmethod
    def load(cls, data: bytes) -> Tables | None:
        """The tables in `data`; None if it is not a table file of this layout."""
        try:
            value = marshal.loads(data)
            layout, pattern, flags, keywords, actions, start_states, end_states, rules = value
            if layout != FORMAT or not isinstance(pattern, str) or not isinstance(actions, tuple):
                return None
            return cls(pattern, flags, keywords, actions, start_states, end_states,
                       tuple(Rule(*rule) for rule in rules))
        except (ValueError, TypeError, EOFError):
            return None


def build_tables(grammar: str) -> Tables:
    """Compile the grammar with Lark and copy out its lexer and LALR tables."""
    import re

    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="basic", start=list(START_SYMBOLS), propagate_positions=False,
                maybe_placeholders=False)
    table = lark.parser.parser.parser.parse_table
    rule_index: dict[Any, int] = {}
    rules: list[Rule] = []
    actions: list[dict[str, int]] = []
    states = sorted(table.states)
    if states != list(range(len(states))):  # pragma: no cover - Lark numbers its states from 0
        raise ValueError("LALR states are not numbered 0..n-1")
    for state in states:
        row: dict[str, int] = {}
        for symbol, (action, argument) in table.states[state].items():
            if action is Shift:
                row[str(symbol)] = int(argument)
                continue
            if argument not in rule_index:
                rule_index[argument] = len(rules)
                rules.append(_rule(argument))
            row[str(symbol)] = -1 - rule_index[argument]
        actions.append(row)

    conf = lark.lexer_conf
    terminals = sorted(conf.terminals,
                       key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
    keywords: dict[str, dict[str, str]] = {}
    embedded: set[str] = set()
    strings = [t for t in terminals if t.pattern.type == "str"]
    for regex in (t for t in terminals if t.pattern.type == "re"):
        compiled = re.compile(regex.pattern.to_regexp(), conf.g_regex_flags)
        for string in strings:
            word = string.pattern.value
            if string.priority == regex.priority and compiled.fullmatch(word):
                keywords.setdefault(str(regex.name), {})[str(word)] = str(string.name)
                if set(string.pattern.flags) <= set(regex.pattern.flags):
                    embedded.add(string.name)
    pattern = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals if t.name not in embedded)
    return Tables(pattern, int(conf.g_regex_flags), keywords, tuple(actions),
                  {str(k): int(v) for k, v in table.start_states.items()},
                  {str(k): int(v) for k, v in table.end_states.items()}, tuple(rules))


def _rule(rule: Any) -> Rule:
    """Lark's rule, with the child filtering its tree builder applies (`maybe_placeholders` off)."""
    keep_all = bool(rule.options.keep_all_tokens)
    keep = tuple((index, not symbol.is_term and symbol.name.startswith("_"))
                 for index, symbol in enumerate(rule.expansion)
                 if keep_all or not (symbol.is_term and symbol.filter_out))
    filtered = len(keep) < len(rule.expansion) or any(expand for _, expand in keep)
    return Rule(str(rule.origin.name), len(rule.expansion), str(rule.alias or rule.origin.name),
                keep if filtered else None, bool(rule.options.expand1 and not rule.alias))


def _digest(grammar: str) -> str:
    from policyc.stdlib_cache import Checksum

    return Checksum(f"{FORMAT}\n{sys.version_info[:2]}\n{grammar}".encode()).hexdigest()


@cache
def tables() -> Tables:
    """This grammar's tables: from the cache folder, else built (and stored when the cache is on)."""
    from policyc import cachedir

    grammar = grammar_path().read_text(encoding="utf-8")
    if not cachedir.enabled():
        return build_tables(grammar)
    path = cachedir.cache_folder() / f"grammar-{_digest(grammar)}.tables"
    try:
        with open(path, "rb") as handle:
            loaded = Tables.load(handle.read())
    except OSError:
        loaded = None
    if loaded is not None:
        cachedir.mark_used(path)
        return loaded
    built = build_tables(grammar)
    cachedir.write_atomic(path, built.dump())
    return built

