"""Parse stage: source text to a `Module` of frozen dataclasses, with every syntax error reported.

The file is lexed once with Lark's lexer (made total by catch-all terminals, so lexing never
fails), then split into top-level chunks (one declaration, `use` or `assert` each). Each chunk is
parsed by Lark's LALR parser with an inline Transformer that builds the AST directly. On a syntax
error the offending statement is reported and dropped and the chunk is parsed again, so every error
in a file is found, and one broken declaration never hides the others.
"""

from __future__ import annotations

import re
import textwrap
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken

from policyc import ast
from policyc.diagnostics.fixes import double_quotes, remove_assignment
from policyc.diagnostics.model import Diagnostic, Edit, Fix, Label, Severity, Span
from policyc.resources import grammar_path
from policyc.schema import KINDS
from policyc.source import Source

MAX_ERRORS = 100
# Tokens read from one file before the parser gives up (S012). A 100,000-line policy has under 300,000;
# the limit keeps the memory of a check bounded whatever the file holds (every token becomes nodes).
MAX_TOKENS = 400_000
MAX_PARSE_WORK = 4 * MAX_TOKENS
MAX_NESTING = 32
MAX_DIGITS = 15  # digits of a number: every count and period fits, and a float holds it exactly
_CURLY_QUOTES = frozenset("“”„‟‘’‚‛«»")
_CHARACTER_HELP = {
    "@": "e-mail addresses and URLs are strings: put them in double quotes",
    "/": "URLs and paths are strings: put them in double quotes",
    "–": "an en dash: use `-` in dates, or put the text in a string",
    "—": "an em dash: put the text in a string",
}
_LINE_COMMENT = re.compile(r"#[^\n]*")
_BAD_TOKENS = frozenset({"OPEN_STRING", "SQ_STRING", "BAD_CHAR"})
_WHITESPACE = frozenset({"WS"})

# Plain words for what the parser expected, in the order they are listed.
_EXPECTED_WORDS: dict[str, str] = {
    "NAME": "a name",
    "STRING": "a string",
    "TEXT": "a text block",
    "DATE": "a date",
    "NUMBER": "a number",
    "PLUS": "`+`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COMMA": "`,`",
    "SEMICOLON": "`;`",
    "_NL": "a new line",
    "DOT": "`.`",
    "GLOB_STAR": "`.*`",
    "CMP": "a comparison such as `=` or `<=`",
    "QUANTIFIER": "`forbid` or `require`",
    "WHERE": "`where`",
    "HAS": "`has`",
    "AND": "`and`",
    "OR": "`or`",
    "NOT": "`not`",
    "IN": "`in`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "USE": "`use`",
    "ASSERT": "`assert`",
    "$END": "the end of the file",
}
_WORD_ORDER = {name: index for index, name in enumerate(_EXPECTED_WORDS)}


def expected_in_words(expected: Sequence[str] | set[str] | frozenset[str]) -> str:
    """`a name, a string or `{`` from a set of terminal names; never an internal name."""
    words: list[str] = []
    for name in sorted(expected, key=lambda n: _WORD_ORDER.get(n, 999)):
        word = _EXPECTED_WORDS.get(name)
        if word and word not in words:
            words.append(word)
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def describe_token(token: Token) -> str:
    kind = token.type
    if kind == "$END":
        return "end of file"
    if kind == "_NL":
        return "end of line"
    text = str(token)
    if len(text) > 24:
        text = text[:21] + "..."
    if kind == "NAME":
        return f"name `{text}`"
    if kind in ("STRING", "TEXT", "OPEN_STRING"):
        return f"string `{text}`"
    if kind == "NUMBER":
        return f"number `{text}`"
    if kind == "DATE":
        return f"date `{text}`"
    return f"`{text}`"


def _cache_file(grammar: str) -> str | bool:
    """Where the built parser is cached (built once per grammar and Lark version), or False."""
    import hashlib
    import os

    import lark

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "policyc")
    digest = hashlib.sha256(f"{lark.__version__}\n{grammar}".encode()).hexdigest()[:16]
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    path = os.path.join(folder, f"grammar-{digest}.lark-cache")
    return path if os.access(folder, os.W_OK) or os.path.exists(path) else False


@cache
def _lark() -> Lark:
    # The grammar is proven conflict- and collision-free with strict=True by the test suite
    # (tests/parser/test_grammar.py); at run time the built parser is loaded from a cache.
    grammar = grammar_path().read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="basic",
        start=["start", "chunk"],
        propagate_positions=False,
        maybe_placeholders=False,
        transformer=_BUILDER,
        cache=_cache_file(grammar),
    )


@dataclass(frozen=True, slots=True)
class _Scanner:
    """Lark's basic lexer as one regular expression: the grammar's terminals in Lark's order of
    preference, and the keywords Lark's lexer gives their own type when NAME matches them whole."""

    pattern: re.Pattern[str]
    keywords: dict[str, dict[str, str]]  # regex terminal -> {keyword text: keyword terminal}


@cache
def _scanner() -> _Scanner:
    conf = _lark().lexer_conf
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
                keywords.setdefault(regex.name, {})[word] = string.name
                if set(string.pattern.flags) <= set(regex.pattern.flags):
                    embedded.add(string.name)
    alternatives = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals if t.name not in embedded)
    return _Scanner(re.compile(alternatives, conf.g_regex_flags), keywords)


_new_str = str.__new__


def _token(kind: str, value: str, start: int, line: int, column: int, end_line: int, end_column: int,
           end: int) -> Token:
    """A Lark Token, made without the checks of its constructor (a third of the cost)."""
    token: Token = _new_str(Token, value)
    token.type = kind
    token.value = value
    token.start_pos = start
    token.line = line
    token.column = column
    token.end_line = end_line
    token.end_column = end_column
    token.end_pos = end
    return token


def lex(text: str, skip: frozenset[str] = frozenset()) -> Iterator[Token]:
    """The tokens of a text, whitespace and comments included (less the kinds in `skip`): the same
    tokens as Lark's basic lexer for the grammar (a test compares them), made in one pass of one
    regular expression."""
    scanner = _scanner()
    keywords = scanner.keywords
    line = 1
    line_start = 0
    for match in scanner.pattern.finditer(text):
        kind = match.lastgroup or ""
        value = match.group()
        start, end = match.span()
        if "\n" in value:
            first_line = line
            column = start - line_start + 1
            line += value.count("\n")
            line_start = start + value.rindex("\n") + 1
            if kind not in skip:
                yield _token(kind, value, start, first_line, column, line, end - line_start + 1, end)
            continue
        if kind in skip:
            continue
        if kind in keywords:
            kind = keywords[kind].get(value, kind)
        column = start - line_start + 1
        yield _token(kind, value, start, line, column, line, column + end - start, end)


def build_lark(*, transformer: bool = True) -> Lark:
    """A fresh Lark parser for the grammar (for tests and benchmarks); strict, positions on."""
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="basic",
        start=["start", "chunk"],
        strict=True,
        propagate_positions=True,
        maybe_placeholders=False,
        **({"transformer": _BUILDER} if transformer else {}),
    )


class _TokenFeed:
    """Stands in for Lark's lexer thread: hands the parser a chunk's ready-made tokens."""

    __slots__ = ("tokens",)

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens

    def lex(self, _state: Any) -> Iterator[Token]:
        return iter(self.tokens)


_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|.)", re.S)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class _EscapesStopped(Exception):
    """Raised inside an escape substitution once the file has too many errors to report more."""


class _Builder(Transformer[Token, Any]):
    """Lark Transformer from parse-tree callbacks to `policyc.ast` nodes (run inline by LALR)."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.path = ""
        self.diagnostics: list[Diagnostic] = []

    # -- helpers ---------------------------------------------------------------------------
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
            body = textwrap.dedent(body.lstrip("\n").rstrip()) if "\n" in body else body.strip()
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
        parts = tuple(str(t) for t in children if t.type == "NAME")
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
        return ast.Field(str(name), name_span, items, name_span.cover(items[-1].span))

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
        return ast.Decl(str(kind), kind_span, name, title, fields, kind_span.cover(self.span(children[-1])))

    def assert_decl(self, children: list[Any]) -> ast.Assert:
        keyword, name_token = children[0], children[1]
        title = self.string(children[2]) if isinstance(children[2], Token) and children[2].type == "STRING" else None
        clauses = tuple(c for c in children if isinstance(c, ast.Clause))
        name = ast.Name((str(name_token),), self.span(name_token))
        return ast.Assert(name, title, clauses, self.span(keyword).cover(self.span(children[-1])))

    def clause(self, children: list[Any]) -> ast.Clause:
        quantifier, kind = children[0], children[1]
        where = next((c[1] for c in children[2:] if c[0] == "where"), None)
        has = next((c[1] for c in children[2:] if c[0] == "has"), None)
        end = children[-1][1].span if len(children) > 2 else self.span(kind)
        return ast.Clause(str(quantifier), str(kind), self.span(kind), where, has, self.span(quantifier).cover(end))

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
        return ast.Compare(path, str(op), value, path.span.cover(value.span))

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
        unit = ast.Name((str(children[1]),), self.span(children[1])) if len(children) > 1 else None
        return ast.Duration(number, unit, number.span.cover(unit.span) if unit else number.span)

    def glob(self, children: list[Any]) -> ast.Glob:
        prefix: ast.Name = children[0]
        return ast.Glob(prefix, prefix.span.cover(self.span(children[1])))


_BUILDER = _Builder()


@dataclass(slots=True)
class _Chunk:
    tokens: list[Token]
    open_brace: Token | None = None


def _synthetic(kind: str, value: str, after: Token) -> Token:
    return Token.new_borrow_pos(kind, value, after)


class _Parse:
    """The state of one file's parse: tokens, chunks, diagnostics."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.path = source.path
        self.diagnostics: list[Diagnostic] = []
        self.comments: list[ast.Comment] = []
        self.stopped = False
        self._lines: set[int] = set()
        self._lines_seen = 0
        self.work = 0  # tokens fed to the LALR parser, counting each parse again after a recovery
        self._top: tuple[array[int], array[int]] | None = None  # see _top_level_table

    def error_lines(self) -> set[int]:
        """The lines that already have a diagnostic of this file."""
        for diagnostic in self.diagnostics[self._lines_seen:]:
            if diagnostic.span.file == self.path:
                self._lines.add(diagnostic.span.line)
        self._lines_seen = len(self.diagnostics)
        return self._lines

    def span(self, token: Token) -> Span:
        return _span_of(self.path, token)

    def stop(self, token: Token, message: str = f"more than {MAX_ERRORS} syntax errors; stopping here") -> None:
        self.stopped = True
        self.diagnostics.append(
            Diagnostic.of("S010", message, self.span(token), help="fix the errors above and check again")
        )

    def too_large(self, token: Token) -> None:
        self.stopped = True
        self.diagnostics.append(
            Diagnostic.of("S012", f"the file has more than {MAX_TOKENS:,} tokens; stopping here", self.span(token),
                          help="a policy this large is not read; split it into files joined by `use`")
        )

    def report(self, code: str, message: str, token: Token, *, label: str = "", help: str = "",
               labels: tuple[Label, ...] = (), fixes: tuple[Fix, ...] = ()) -> None:
        if self.stopped:
            return
        if len(self.diagnostics) >= MAX_ERRORS:
            self.stop(token)
            return
        self.diagnostics.append(
            Diagnostic.of(code, message, self.span(token), label=label, labels=labels, help=help, fixes=fixes)
        )

    # -- lexing ----------------------------------------------------------------------------
    def tokens(self) -> list[Token]:
        kept: list[Token] = []
        append = kept.append
        for token in lex(self.source.text, _WHITESPACE):
            if self.stopped:
                break  # past the error limit nothing more is reported: read no further
            if len(kept) + len(self.comments) >= MAX_TOKENS:
                self.too_large(token)
                break
            kind = token.type
            if kind == "WS":
                continue
            if kind == "COMMENT":
                self.comments.append(ast.Comment(str(token)[1:], self.span(token)))
                continue
            if kind == "_NL":
                if "#" in token:
                    self.line_comments(token, MAX_TOKENS - len(kept))
                    if self.stopped:
                        break
                if not kept or kept[-1].type == "_NL":
                    continue
            elif kind == "BAD_CHAR" and str(token) == ":" and self._after_field_name(kept):
                self.report("S006", f"write a space between `{kept[-1]}` and its value, not `:`", token,
                            label="remove this", help=f"write `{kept[-1]} value`",
                            fixes=remove_assignment(self.source.text, self.span(token)))
                continue
            elif kind in _BAD_TOKENS:
                self.report_bad_token(token)
                text = str(token)
                if kind == "OPEN_STRING" and text.rstrip().endswith("{"):
                    # `data x "title {`: the string swallowed the block's brace; give it back.
                    append(token)
                    cut = len(text.rstrip()) - 1
                    brace = Token("LBRACE", "{", (token.start_pos or 0) + cut, token.line, (token.column or 1) + cut,
                                  token.line, (token.column or 1) + cut + 1, (token.start_pos or 0) + cut + 1)
                    append(brace)
                    continue
            append(token)
        if kept and kept[-1].type != "_NL":
            append(_synthetic("_NL", "\n", kept[-1]))
        return kept

    @staticmethod
    def _after_field_name(kept: list[Token]) -> bool:
        """Is the last token a name that starts a statement?"""
        if not kept or kept[-1].type != "NAME":
            return False
        return len(kept) == 1 or kept[-2].type in ("_NL", "LBRACE", "SEMICOLON")

    def line_comments(self, token: Token, budget: int) -> None:
        """Collect the comment-only lines that a newline token swallowed (while the token budget lasts:
        the next token then stops the parse with S012)."""
        base = token.start_pos or 0
        text = str(token)
        for match in _LINE_COMMENT.finditer(text):
            if len(self.comments) >= budget:
                start = base + match.start()
                line, column = self.source.position(start)
                size = match.end() - match.start()
                self.too_large(Token("COMMENT", match.group(), start, line, column, line, column + size, start + size))
                return
            start = base + match.start()
            self.comments.append(ast.Comment(match.group()[1:], self.source.span(start, base + match.end())))

    def report_bad_token(self, token: Token) -> None:
        text = str(token)
        if token.type == "OPEN_STRING":
            self.report("S002", "unterminated string", token, label="this string has no closing `\"`",
                        help='close the string on the same line, or use """...""" for text over several lines')
        elif token.type == "SQ_STRING":
            self.report("S007", "strings are written in double quotes", token, label="single-quoted",
                        help=f'write "{text.strip(chr(39))}" instead',
                        fixes=double_quotes(self.source.text, self.span(token)))
        elif text in _CURLY_QUOTES:
            if any(d.code == "S003" and d.span.line == token.line for d in self.diagnostics[-1:]):
                return  # the closing quote of the same string
            self.report("S003", f"curly quote `{text}`: strings use straight double quotes", token,
                        label="a typographic quote", help='write "..." with straight quotes (U+0022)')
        else:
            shown = text if text.isprintable() and not text.isspace() else f"U+{ord(text):04X}"
            self.report("S003", f"invalid character `{shown}`", token, label="not part of the language",
                        help=_CHARACTER_HELP.get(text, ""))

    # -- chunking --------------------------------------------------------------------------
    def chunks(self, tokens: list[Token]) -> list[_Chunk]:
        chunks: list[_Chunk] = []
        current = _Chunk([])
        depth = 0
        nesting = 0
        line_start = True
        skip_to_line_end = False
        discarding = False  # the rest of this declaration is dropped (after S009)
        count = len(tokens)
        for index, token in enumerate(tokens):
            kind = token.type
            if skip_to_line_end:
                if kind == "_NL":
                    skip_to_line_end = False
                    line_start = True
                continue
            if line_start and depth > 0 and self._opens_declaration(tokens, index):
                self._close_unclosed(current, token)
                chunks.append(current)
                current = _Chunk([])
                depth = 0
            line_start = False
            if kind == "LBRACE":
                if depth == 0:
                    current.open_brace = token
                depth += 1
            elif kind == "RBRACE":
                if depth == 0:
                    self.report("S008", "this `}` closes nothing", token, label="no `{` is open here",
                                help="remove it, or add the declaration it was meant to close")
                    continue
                depth -= 1
            elif kind in ("LPAR", "LSQB"):
                nesting += 1
                if nesting > MAX_NESTING:
                    self.report("S009", f"brackets nested more than {MAX_NESTING} deep", token,
                                help=f"brackets may nest at most {MAX_NESTING} deep; split the expression")
                    discarding = True
                    nesting = 0
                    skip_to_line_end = True
                    continue
            elif kind in ("RPAR", "RSQB"):
                nesting = max(0, nesting - 1)
            elif kind == "_NL":
                line_start = True
                if not current.tokens:
                    continue
                current.tokens.append(token)
                if depth == 0:
                    if not discarding:
                        chunks.append(current)
                    current = _Chunk([])
                    nesting = 0
                    discarding = False
                continue
            current.tokens.append(token)
        if current.tokens and not discarding:
            if depth > 0:
                self._close_unclosed(current, tokens[count - 1] if count else None)
            chunks.append(current)
        return chunks

    def _top_level_table(self, tokens: list[Token]) -> tuple[array[int], array[int]]:
        """For each token index, where the next unindented line that starts with a name, `use` or
        `assert` begins (or the end), and the brace depth before each index: made once, in one pass,
        so that asking whether an indented line opens a declaration does not scan the rest of the file
        for every such line."""
        if self._top is None:
            count = len(tokens)
            depth = array("q", bytes(8 * (count + 1)))
            level = 0
            for position, token in enumerate(tokens):
                depth[position] = level
                level += 1 if token.type == "LBRACE" else -1 if token.type == "RBRACE" else 0
            depth[count] = level
            next_top = array("q", bytes(8 * count))
            following = count
            for position in range(count - 1, -1, -1):
                next_top[position] = following
                token = tokens[position]
                if (position > 0 and token.column == 1 and token.type in ("NAME", "USE", "ASSERT")
                        and tokens[position - 1].type == "_NL"):
                    following = position
            self._top = (next_top, depth)
        return self._top

    def _opens_declaration(self, tokens: list[Token], index: int) -> bool:
        """Does the line starting at `index` look like a new top-level declaration?"""
        first = tokens[index].type
        if first == "USE" or first == "ASSERT":
            return True
        if first != "NAME":
            return False
        if tokens[index].column != 1:
            # An indented line opens a declaration only if it starts with a kind, and the braces from
            # here to the next unindented line do not close the enclosing block (then it is nested).
            if str(tokens[index]) not in KINDS:
                return False
            next_top, depth = self._top_level_table(tokens)
            if depth[next_top[index]] - depth[index] < 0:
                return False
        for later in range(index + 1, len(tokens)):  # indices, not a slice: a slice copies the rest of the file
            kind = tokens[later].type
            if kind == "LBRACE":
                return True
            if kind == "_NL" or kind == "RBRACE":
                return False
        return False

    def _close_unclosed(self, chunk: _Chunk, at: Token | None) -> None:
        opener = chunk.open_brace
        last = chunk.tokens[-1] if chunk.tokens else at
        if opener is not None:
            where = "the end of the file" if at is None or at is last else f"line {at.line}"
            self.report("S004", "missing `}`: this block is never closed", opener,
                        label="this `{` is not closed", help=f"add `}}` before {where}")
        if last is None:
            return
        if chunk.tokens and chunk.tokens[-1].type != "_NL":
            chunk.tokens.append(_synthetic("_NL", "\n", last))
        chunk.tokens.append(_synthetic("RBRACE", "}", last))
        chunk.tokens.append(_synthetic("_NL", "\n", last))

    # -- parsing ---------------------------------------------------------------------------
    def parse_chunk(self, chunk: _Chunk) -> Any | None:
        parser = _lark().parser.parser  # the LALR parser behind the front end
        tokens = chunk.tokens
        while tokens and not self.stopped:
            self.work += len(tokens)
            try:
                return parser.parse(_TokenFeed(tokens), "chunk")
            except UnexpectedToken as err:
                if self.work > MAX_PARSE_WORK:
                    # Each recovery parses the chunk again: a declaration of many broken statements
                    # (some not reported, being on a line with an error already) would take quadratic time.
                    self.stop(err.token if err.token.type != "$END" else tokens[-1],
                              "too many syntax errors to recover from; stopping here")
                    return None
                shorter = self.recover(tokens, err)
                if len(shorter) >= len(tokens):  # recovery must always make progress
                    shorter = [t for t in tokens if t is not err.token][: len(tokens) - 1]
                tokens = shorter
            except UnexpectedInput:  # pragma: no cover - the lexer is total, tokens are fed
                return None
        return None

    def recover(self, tokens: list[Token], err: UnexpectedToken) -> list[Token]:
        """Report the error and return the chunk's tokens with the bad statement removed."""
        bad = err.token
        index = next((i for i, t in enumerate(tokens) if t is bad), len(tokens))
        if bad.type == "$END":
            bad = tokens[-1]
            index = len(tokens) - 1
        start = index
        while start > 0 and not self._boundary(tokens, start - 1):
            start -= 1
        end = index
        while end < len(tokens) and not self._boundary(tokens, end):
            end += 1
        expected = set(err.expected)
        if bad.type in _BAD_TOKENS:
            return tokens[:index] + tokens[index + 1:]  # reported when lexed
        if (bad.type == "CMP" and str(bad) == "=") or (bad.type == "BAD_CHAR" and str(bad) == ":"):
            if index == start + 1 and tokens[start].type == "NAME":
                self.report("S006", f"write a space between `{tokens[start]}` and its value, not `{bad}`", bad,
                            label="remove this", help=f"write `{tokens[start]} value`",
                            fixes=remove_assignment(self.source.text, self.span(bad)))
                return tokens[:index] + tokens[index + 1:]
        opener = next((i for i, t in enumerate(tokens) if t.type in ("LBRACE",)), len(tokens))
        comma = index - 2 if index >= 2 and tokens[index - 1].type == "_NL" else index - 1
        if bad.line in self.error_lines():
            pass  # one error per line: what follows an unterminated string or a bad character is noise
        elif comma >= 0 and tokens[comma].type == "COMMA" and bad.type in ("RBRACE", "_NL", "SEMICOLON"):
            self.report("S001", "a list cannot end with a comma", tokens[comma], label="nothing follows this comma",
                        help="remove the comma, or add the missing value after it")
        elif bad.type == "LBRACE" and index > opener:
            self.report("S001", "unexpected `{`: declarations do not nest", bad,
                        label="a block cannot start here",
                        help="declare it at the top level and refer to it by name")
        else:
            self.report("S001", f"unexpected {describe_token(bad)}; expected {expected_in_words(expected)}", bad,
                        label=f"expected {expected_in_words(expected)}")
        if index <= opener:  # the declaration's header is broken: skip the declaration
            return []
        if bad.type == "LBRACE":  # a nested block: drop it through its matching `}`
            depth = 0
            for position in range(index, len(tokens)):
                kind = tokens[position].type
                depth += 1 if kind == "LBRACE" else -1 if kind == "RBRACE" else 0
                if depth == 0:
                    end = position
                    while end < len(tokens) and not self._boundary(tokens, end):
                        end += 1
                    break
        keep = self._unmatched_braces(tokens[start:end + 1], bad)
        if end < len(tokens) and tokens[end].type == "_NL" and keep:
            keep.append(tokens[end])
        return tokens[:start] + keep + tokens[end + 1:]

    @staticmethod
    def _unmatched_braces(segment: list[Token], bad: Token) -> list[Token]:
        """The braces of a dropped statement that open or close something outside it."""
        opened: list[Token] = []
        kept: list[Token] = []
        for token in segment:
            if token.type == "LBRACE":
                opened.append(token)
            elif token.type == "RBRACE":
                if opened:
                    opened.pop()
                else:
                    kept.append(token)
        return kept + [t for t in opened if t is not bad]

    @staticmethod
    def _boundary(tokens: list[Token], index: int) -> bool:
        kind = tokens[index].type
        if kind not in ("_NL", "SEMICOLON"):
            return False
        return index == 0 or tokens[index - 1].type != "COMMA"


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
    from dataclasses import replace

    return replace(item, doc=doc)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A chunk's parse: the item (None if nothing survived recovery) and its syntax errors, placed
    where the chunk started (`offset`, `line`)."""

    item: Any
    diagnostics: tuple[Diagnostic, ...]
    offset: int
    line: int


@dataclass(slots=True)
class _Layout:
    """A clean parse of a whole file: where each declaration starts (offset, line), its item before
    doc comments are attached, and the comments."""

    text: str
    starts: list[int]
    lines: list[int]
    items: list[Any]
    comments: list[ast.Comment]
    spans: list[list[Span] | None] = field(default_factory=list)  # each item's spans, once collected

    def __post_init__(self) -> None:
        if not self.spans:
            self.spans = [None] * len(self.items)


class ChunkCache:
    """Parsed top-level chunks of one file, by their text, for parsing the file again after an edit.

    A chunk's parse depends only on its tokens (given as the chunk's text, where each token starts and
    the first one's column) and on which of its lines already have a lexical error; reused at another
    place in the file, its spans are moved there. The cache keeps the chunks of the latest parse only.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple[object, ...], _Parsed] = {}
        self.layout: _Layout | None = None  # the last parse, when it was clean
        self.hits = 0
        self.misses = 0


def _chunk_key(state: _Parse, chunk: _Chunk) -> tuple[object, ...] | None:
    tokens = chunk.tokens
    if not tokens:
        return None
    first, last = tokens[0], tokens[-1]
    base = first.start_pos or 0
    base_line = first.line or 1
    end_line = last.end_line or base_line
    lines = state.error_lines()
    return (
        state.path,
        state.source.text[base:last.end_pos or base],
        first.column,
        tuple((t.start_pos or 0) - base for t in tokens),
        tuple(sorted(line - base_line for line in lines if base_line <= line <= end_line)) if lines else (),
    )


def _shift(value: Any, offset: int, lines: int) -> Any:
    """A syntax-tree node or diagnostic moved `offset` characters and `lines` lines on (the columns stay:
    chunks start at the start of a line or keep their column)."""
    kind = value.__class__
    if kind is Span:
        return Span(value.file, value.start + offset, value.end + offset, value.line + lines, value.column,
                    value.end_line + lines, value.end_column)
    if kind is Edit:
        return Edit(value.file, value.start + offset, value.end + offset, value.new_text)
    if kind is tuple:
        return tuple([v if v.__class__ in _ATOMS else _shift(v, offset, lines) for v in value])
    if kind in _ATOMS:
        return value
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(value))
    values = [getattr(value, name) for name in names]
    return kind(*[v if v.__class__ in _ATOMS else _shift(v, offset, lines) for v in values])


_ATOMS = frozenset({str, int, bool, float, type(None), Severity})


def _spans_in(value: Any) -> list[Span]:
    """Every Span object in a syntax-tree node, each once (a span may be shared by several nodes)."""
    found: dict[int, Span] = {}
    stack = [value]
    while stack:
        node = stack.pop()
        kind = node.__class__
        if kind is Span:
            found[id(node)] = node
        elif kind is tuple or kind is list:
            stack.extend(v for v in node if v.__class__ not in _ATOMS)
        elif kind not in _ATOMS:
            names = _FIELDS.get(kind)
            if names is None:
                names = _FIELDS[kind] = tuple(f.name for f in fields(node))
            for name in names:
                child = getattr(node, name)
                if child.__class__ not in _ATOMS:
                    stack.append(child)
    return list(found.values())


def _move(spans: Sequence[Span], offset: int, lines: int) -> None:
    """Shift spans in place (a clean re-parse of a file reuses the nodes after an edit)."""
    for span in spans:
        span.start += offset
        span.end += offset
        span.line += lines
        span.end_line += lines


_FIELDS: dict[type, tuple[str, ...]] = {}


def parse_source(source: Source, cache: ChunkCache | None = None) -> tuple[ast.Module, list[Diagnostic]]:
    """Parse one file. Never raises on bad input: every problem is a diagnostic.

    With a `cache`, chunks whose text was parsed before are not parsed again, and an edit inside one
    declaration of a file that parsed cleanly lexes and parses only that declaration (the result is the
    same as a fresh parse's)."""
    if cache is not None and cache.layout is not None:
        edited = _parse_edit(source, cache, cache.layout)
        if edited is not None:
            return edited
    items, comments, diagnostics, layout = _parse_chunks(source, cache)
    if cache is not None:
        cache.layout = layout if layout is not None and not diagnostics else None
    module = ast.Module(source.path, tuple(attach_docs(items, comments)), tuple(comments),
                        source.span(0, len(source.text)))
    return module, diagnostics


def _parse_chunks(source: Source, cache: ChunkCache | None
                  ) -> tuple[list[Any], list[ast.Comment], list[Diagnostic], _Layout | None]:
    """The items (before doc comments are attached), comments and syntax errors of a file, and its
    layout when every declaration starts a line and parsed to one item."""
    state = _Parse(source)
    _BUILDER.path = source.path
    _BUILDER.diagnostics = state.diagnostics
    tokens = state.tokens()
    items: list[Any] = []
    fresh: dict[tuple[object, ...], _Parsed] = {}
    starts: list[int] = []
    lines: list[int] = []
    plain = True  # every chunk starts at column 1 and gives one item
    for chunk in state.chunks(tokens):
        if state.stopped:
            break
        key = _chunk_key(state, chunk) if cache is not None else None
        known = cache.entries.get(key) if cache is not None and key is not None else None
        if known is not None and len(state.diagnostics) + len(known.diagnostics) < MAX_ERRORS:
            assert cache is not None and key is not None
            cache.hits += 1
            first = chunk.tokens[0]
            offset, moved = (first.start_pos or 0) - known.offset, (first.line or 1) - known.line
            if offset or moved:
                known = _Parsed(_shift(known.item, offset, moved), _shift(known.diagnostics, offset, moved),
                                first.start_pos or 0, first.line or 1)
            state.diagnostics.extend(known.diagnostics)
            result = known.item
            fresh[key] = known
        else:
            before = len(state.diagnostics)
            result = state.parse_chunk(chunk)
            if cache is not None and key is not None:
                cache.misses += 1
                if not state.stopped and len(state.diagnostics) < MAX_ERRORS:
                    first = chunk.tokens[0]
                    fresh[key] = _Parsed(result, tuple(state.diagnostics[before:]), first.start_pos or 0,
                                         first.line or 1)
        if result is not None:
            items.append(result)
        if chunk.tokens:
            first = chunk.tokens[0]
            plain = plain and result is not None and first.column == 1
            starts.append(first.start_pos or 0)
            lines.append(first.line or 1)
    if cache is not None:
        cache.entries = fresh
    diagnostics = sorted(state.diagnostics, key=Diagnostic.sort_key)
    layout = _Layout(source.text, starts, lines, items, state.comments) if plain and starts else None
    return items, state.comments, diagnostics, layout


def _common_prefix(a: str, b: str, limit: int) -> int:
    """The length of the longest common prefix of a and b, at most `limit` (slices compare in C)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    size_a, size_b = len(a), len(b)
    while low < high:
        middle = (low + high + 1) // 2
        if a[size_a - middle:size_a - low] == b[size_b - middle:size_b - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _parse_edit(source: Source, cache: ChunkCache, layout: _Layout) -> tuple[ast.Module, list[Diagnostic]] | None:
    """Parse a file whose last parse was clean after an edit inside one declaration: lex and parse that
    declaration alone, move the others. None when the edit is not of that kind (then parse it all).

    A declaration of a clean file starts at the start of a line and runs to the start of the next one
    (its last newline token takes the blank and comment lines after it), so lexing it alone gives the
    tokens a lex of the whole file gives there."""
    old, new = layout.text, source.text
    if old == new:
        module = ast.Module(source.path, tuple(attach_docs(layout.items, layout.comments)), tuple(layout.comments),
                            source.span(0, len(new)))
        cache.hits += len(layout.starts)
        return module, []
    limit = min(len(old), len(new))
    prefix = _common_prefix(old, new, limit)
    suffix = _common_suffix(old, new, limit - prefix)
    delta = len(new) - len(old)
    index = bisect_right(layout.starts, prefix) - 1
    if index < 0:
        return None  # the edit is before the first declaration
    start = layout.starts[index]
    last = index + 1 == len(layout.starts)
    end = len(old) if last else layout.starts[index + 1]
    if len(old) - suffix > end:
        return None  # the edit reaches into the next declaration
    new_end = end + delta
    piece = new[start:new_end]
    if not piece or piece[0] in " \t\r\n#\ufeff" or (not last and piece[-1] != "\n"):
        return None
    items, comments, diagnostics, sub = _parse_chunks(Source(source.path, piece), None)
    if diagnostics or sub is None:
        return None
    line = layout.lines[index] - 1
    moved_lines = piece.count("\n") - old.count("\n", start, end)
    # The declarations after the edit move in place: their spans are shifted, not copied (a copy of
    # every node after the edit would cost most of the parse this saves). Parses of those chunks kept
    # by text would now be at the wrong place, so that cache starts again.
    spans = layout.spans
    after_comments = [c for c in layout.comments if c.span.start >= end]
    if delta or moved_lines:
        cache.entries = {}
        for position in range(index + 1, len(layout.items)):
            found = spans[position]
            if found is None:
                found = spans[position] = _spans_in(layout.items[position])
            _move(found, delta, moved_lines)
        _move([c.span for c in after_comments], delta, moved_lines)
    fresh_spans = [_spans_in(item) for item in items]
    for found in fresh_spans:
        _move(found, start, line)
    _move([c.span for c in comments], start, line)
    items = [*layout.items[:index], *items, *layout.items[index + 1:]]
    comments = [*(c for c in layout.comments if c.span.start < start), *comments, *after_comments]
    cache.hits += len(layout.starts) - 1
    cache.misses += len(sub.starts)
    cache.layout = _Layout(
        new,
        [*layout.starts[:index], *(start + s for s in sub.starts), *(s + delta for s in layout.starts[index + 1:])],
        [*layout.lines[:index], *(line + n for n in sub.lines), *(n + moved_lines for n in layout.lines[index + 1:])],
        items, comments, [*spans[:index], *fresh_spans, *spans[index + 1:]])
    module = ast.Module(source.path, tuple(attach_docs(items, comments)), tuple(comments),
                        source.span(0, len(new)))
    return module, []


def parse_text(text: str, path: str = "<text>") -> tuple[ast.Module, list[Diagnostic]]:
    return parse_source(Source(path, text))

