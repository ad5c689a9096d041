"""Tree building: the parser's reductions to `policyc.ast` nodes, and doc comments attached to
declarations. A builder belongs to one parse (its file's path, its list of diagnostics), so parses
may run at the same time in several threads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policyc import TYPE_CHECKING, ast
from policyc.diagnostics.model import Diagnostic, Span
from policyc.parser.lalr import Parser
from policyc.parser.lexer import MAX_DIGITS, MAX_ERRORS, Token
from policyc.parser.tables import START_SYMBOLS, tables
from policyc.patterns import regex

if TYPE_CHECKING:
    from typing import Any

    from lark import Lark


def build_lark(*, transformer: bool = True) -> Lark:
    """A fresh Lark parser for the grammar (for tests and benchmarks); strict, positions on. With
    `transformer`, Lark's parse calls the same tree builder as policyc's own parser."""
    from lark import Lark

    from policyc.resources import grammar_path

    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="basic",
        start=list(START_SYMBOLS),
        strict=True,
        propagate_positions=True,
        maybe_placeholders=False,
        **({"transformer": _Builder()} if transformer else {}),
    )



_ESCAPE = regex(r"\\(u\{[0-9A-Fa-f]{1,6}\}|.)", re.S)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class _EscapesStopped(Exception):
    """Raised inside an escape substitution once the file has too many errors to report more."""


class _Builder:
    """The parser's reductions to `policyc.ast` nodes: one method per rule (or alias) of the grammar,
    called with the rule's children as the parse reduces it."""

    def __init__(self, path: str = "", diagnostics: list[Diagnostic] | None = None) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = diagnostics if diagnostics is not None else []
        self._texts: dict[str, str] = {}
        self._words: dict[str, tuple[str]] = {}

    # -- helpers ---------------------------------------------------------------------------
    def text(self, token: Token) -> str:
        """A word's text as a plain string, the same string for every occurrence in the parse: names,
        field names and kinds recur on every line, and one string each keeps the tree smaller (the
        benchmark's 100,000-line policy has 15,000 distinct words among 130,000 occurrences)."""
        found = self._texts.get(token)
        if found is None:
            found = str(token)
            self._texts[found] = found
        return found

    def word(self, token: Token) -> tuple[str]:
        """The parts of a one-word name: the same tuple for every occurrence of the word in the parse."""
        found = self._words.get(token)
        if found is None:
            text = self.text(token)
            found = self._words[text] = (text,)
        return found

    def span(self, token: Token) -> Span:
        return _span_of(self.path, token)

    def unescape(self, raw: str, token: Token) -> str:
        if "\\" not in raw:
            return raw

        def replace(match: re.Match[str]) -> str:
            body = match.group(1)
            if len(self.diagnostics) >= MAX_ERRORS:
                raise _EscapesStopped  # the parse reports S010 and stops; no more escapes are read
            if body in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[body]
            if body.startswith("u{"):
                code = int(body[2:-1], 16)
                if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    return chr(code)
            self.diagnostics.append(
                Diagnostic.of(
                    "S011",
                    f"unknown escape `\\{body}` in a string",
                    self.escape_span(token, raw, match.start()),
                    label="not an escape",
                    help='the escapes are `\\"`, `\\\\`, `\\n`, `\\t` and `\\u{hex}`; '
                    "write `\\\\` for a backslash",
                )
            )
            return match.group(0)

        try:
            return _ESCAPE.sub(replace, raw)
        except _EscapesStopped:
            return raw

    def escape_span(self, token: Token, raw: str, index: int) -> Span:
        """The span of an escape at `index` of a string's body (the whole token if it spans lines)."""
        prefix = 3 if token.type == "TEXT" else 1
        if "\n" in raw[:index]:
            return self.span(token)
        start = (token.start_pos or 0) + prefix + index
        column = (token.column or 1) + prefix + index
        width = 2 if raw[index + 1:index + 2] != "u" else len(raw[index:].split("}", 1)[0]) + 1
        return Span(self.path, start, start + width, token.line or 1, column, token.line or 1, column + width)

    def string(self, token: Token) -> ast.Str:
        if token.type == "TEXT":
            body = self.unescape(str(token)[3:-3], token)
            if "\n" in body:
                import textwrap  # only for a text block over several lines

                body = textwrap.dedent(body.lstrip("\n").rstrip())
            else:
                body = body.strip()
            return ast.Str(body, self.span(token), text=True)
        return ast.Str(self.unescape(str(token)[1:-1], token), self.span(token))

    def atom(self, child: Any) -> ast.Atom:
        if not isinstance(child, Token):
            return child  # type: ignore[no-any-return]
        kind = child.type
        if kind in ("STRING", "TEXT"):
            return self.string(child)
        if kind == "DATE":
            return ast.DateLit(str(child), self.span(child))
        if kind == "NUMBER":
            if len(child) > MAX_DIGITS:
                self.too_long_number(child)
                return ast.BadAtom(str(child), self.span(child))
            return ast.Number(int(child), self.span(child))
        return ast.Plus(self.span(child))

    def number(self, token: Token) -> ast.Number:
        """A number in an assertion: an out-of-range one is reported and stands as 0."""
        if len(token) > MAX_DIGITS:
            self.too_long_number(token)
            return ast.Number(0, self.span(token))
        return ast.Number(int(token), self.span(token))

    def too_long_number(self, token: Token) -> None:
        """A number of more digits than any count or period needs (Python would refuse to convert one of
        thousands, and a float could not hold one of hundreds)."""
        if len(self.diagnostics) >= MAX_ERRORS:
            return
        shown = f"{token[:12]}...{token[-4:]}"
        self.diagnostics.append(Diagnostic.of(
            "T006", f"the number `{shown}` has {len(token):,} digits; at most {MAX_DIGITS} are allowed",
            self.span(token), label="out of range",
            help="write a period in a larger unit (`7 years`, not `2557 days`), or the value as a string"))

    # -- rules -----------------------------------------------------------------------------
    def chunk(self, children: list[Any]) -> Any:
        return children[0]

    def start(self, children: list[Any]) -> list[Any]:
        return children

    def qname(self, children: list[Token]) -> ast.Name:
        if len(children) == 1 and children[0].type == "NAME":  # most names are one word
            return ast.Name(self.word(children[0]), self.span(children[0]))
        parts = tuple(self.text(t) for t in children if t.type == "NAME")
        return ast.Name(parts, self.span(children[0]).cover(self.span(children[-1])))

    def bad_atom(self, children: list[Token]) -> ast.BadAtom:
        return ast.BadAtom(str(children[0]), self.span(children[0]))

    def item(self, children: list[Any]) -> ast.Item:
        atoms = tuple(self.atom(child) for child in children)
        return ast.Item(atoms, atoms[0].span.cover(atoms[-1].span))

    def stmt(self, children: list[Any]) -> ast.Field:
        name: Token = children[0]
        items = tuple(children[1:])
        name_span = self.span(name)
        return ast.Field(self.text(name), name_span, items, name_span.cover(items[-1].span))

    def use_decl(self, children: list[Any]) -> ast.Use:
        keyword, target = children
        target = self.string(target) if isinstance(target, Token) else target
        return ast.Use(target, self.span(keyword).cover(target.span))

    def decl(self, children: list[Any]) -> ast.Decl:
        kind: Token = children[0]
        name = next((c for c in children[1:3] if isinstance(c, ast.Name)), None)
        title_token = next((c for c in children[1:3] if isinstance(c, Token) and c.type == "STRING"), None)
        title = self.string(title_token) if title_token is not None else None
        fields = tuple(c for c in children if isinstance(c, ast.Field))
        kind_span = self.span(kind)
        return ast.Decl(self.text(kind), kind_span, name, title, fields, kind_span.cover(self.span(children[-1])))

    def assert_decl(self, children: list[Any]) -> ast.Assert:
        keyword, name_token = children[0], children[1]
        title = self.string(children[2]) if isinstance(children[2], Token) and children[2].type == "STRING" else None
        clauses = tuple(c for c in children if isinstance(c, ast.Clause))
        name = ast.Name(self.word(name_token), self.span(name_token))
        return ast.Assert(name, title, clauses, self.span(keyword).cover(self.span(children[-1])))

    def clause(self, children: list[Any]) -> ast.Clause:
        quantifier, kind = children[0], children[1]
        where = next((c[1] for c in children[2:] if c[0] == "where"), None)
        has = next((c[1] for c in children[2:] if c[0] == "has"), None)
        end = children[-1][1].span if len(children) > 2 else self.span(kind)
        return ast.Clause(self.text(quantifier), self.text(kind), self.span(kind), where, has,
                          self.span(quantifier).cover(end))

    def where(self, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("where", children[0])

    def has(self, children: list[Any]) -> tuple[str, ast.Expr]:
        return ("has", children[0])

    def or_expr(self, children: list[Any]) -> ast.BoolOp:
        return self._bool("or", children)

    def and_expr(self, children: list[Any]) -> ast.BoolOp:
        return self._bool("and", children)

    def _bool(self, op: str, children: list[Any]) -> ast.BoolOp:
        left, right = children
        operands = (*left.operands, right) if isinstance(left, ast.BoolOp) and left.op == op else (left, right)
        return ast.BoolOp(op, operands, left.span.cover(right.span))

    def not_expr(self, children: list[Any]) -> ast.Not:
        return ast.Not(children[0], children[0].span)

    def truthy(self, children: list[Any]) -> ast.Truthy:
        return ast.Truthy(children[0], children[0].span)

    def compare(self, children: list[Any]) -> ast.Compare:
        path, op, value = children
        return ast.Compare(path, self.text(op), value, path.span.cover(value.span))

    def member(self, children: list[Any]) -> ast.Member:
        path, values = children
        end = values[-1].span if values else path.span
        return ast.Member(path, tuple(values), False, path.span.cover(end))

    def not_member(self, children: list[Any]) -> ast.Member:
        member = self.member(children)
        return ast.Member(member.path, member.values, True, member.span)

    def matches(self, children: list[Any]) -> ast.Matches:
        path, value = children
        return ast.Matches(path, value, path.span.cover(value.span))

    def value_list(self, children: list[Any]) -> list[Any]:
        return children

    def value_string(self, children: list[Token]) -> ast.Str:
        return self.string(children[0])

    def value_date(self, children: list[Token]) -> ast.DateLit:
        return ast.DateLit(str(children[0]), self.span(children[0]))

    def value_duration(self, children: list[Token]) -> ast.Duration:
        number = self.number(children[0])
        unit = ast.Name(self.word(children[1]), self.span(children[1])) if len(children) > 1 else None
        return ast.Duration(number, unit, number.span.cover(unit.span) if unit else number.span)

    def glob(self, children: list[Any]) -> ast.Glob:
        prefix: ast.Name = children[0]
        return ast.Glob(prefix, prefix.span.cover(self.span(children[1])))



def lalr_parser(builder: _Builder) -> Parser:
    """The grammar's LALR parser, building the AST through `builder` (one per parse)."""
    return Parser(tables(), builder)


def _span_of(path: str, token: Token) -> Span:
    return Span(path, token.start_pos or 0, token.end_pos or 0, token.line or 1, token.column or 1,
                token.end_line or 1, token.end_column or 1)


def attach_docs(items: list[Any], comments: Sequence[ast.Comment]) -> list[Any]:
    """Give each declaration the comment lines directly above it as its doc comment."""
    by_line = {c.span.line: c for c in comments}
    out = []
    for item in items:
        if isinstance(item, (ast.Decl, ast.Assert)):
            lines = []
            line = item.span.line - 1
            while line in by_line:
                lines.append(by_line[line].text.strip())
                line -= 1
            if lines:
                item = _replace_doc(item, "\n".join(reversed(lines)))
        out.append(item)
    return out


def _replace_doc(item: Any, doc: str) -> Any:
    from policyc.records import replace

    return replace(item, doc=doc)


