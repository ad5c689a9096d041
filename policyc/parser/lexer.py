"""The parser's lexer: the grammar's terminals as one regular expression, the limits of a parse, and
plain words for tokens. Lexing never fails (catch-all terminals take whatever the grammar does not),
and completion in the language server reads the same tokens as the parser. The terminals come from
the grammar's compiled tables (`policyc.parser.tables`); a test compares the tokens with Lark's own
lexer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache

from policyc import TYPE_CHECKING
from policyc.patterns import regex
from policyc.records import record

if TYPE_CHECKING:
    from typing import Any

    from lark import Lark

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
_LINE_COMMENT = regex(r"#[^\n]*")
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



@cache
def _lark() -> Lark:
    """Lark's own parser for the grammar, with no tree builder (for tests and benchmarks: a check never
    imports Lark, see `policyc.parser.tables`)."""
    from lark import Lark

    from policyc.parser.tables import START_SYMBOLS
    from policyc.resources import grammar_path

    return Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="basic",
                start=list(START_SYMBOLS), propagate_positions=False, maybe_placeholders=False)


class Token(str):
    """A token: its text, with its terminal's name (`type`) and its place in the file (offsets from 0,
    lines and columns from 1; the end is exclusive). The attributes are those of Lark's tokens."""

    # The text is the string itself (`value` reads it): a token holds no second copy of its text, and
    # the string the lexer matched is freed as soon as the token is made.
    __slots__ = ("column", "end_column", "end_line", "end_pos", "line", "start_pos", "type")

    type: str
    start_pos: int | None
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    end_pos: int | None

    def __new__(cls, type: str, value: str, start_pos: int | None = None, line: int | None = None,
                column: int | None = None, end_line: int | None = None, end_column: int | None = None,
                end_pos: int | None = None) -> Token:
        token = str.__new__(cls, value)
        token.type = type
        token.start_pos = start_pos
        token.line = line
        token.column = column
        token.end_line = end_line
        token.end_column = end_column
        token.end_pos = end_pos
        return token

    @property
    def value(self) -> str:
        """The token's text (as Lark's tokens have it)."""
        return str(self)

    @classmethod
    def new_borrow_pos(cls, type: str, value: str, borrow: Token) -> Token:
        """A token of another kind at the place of `borrow`."""
        return cls(type, value, borrow.start_pos, borrow.line, borrow.column, borrow.end_line, borrow.end_column,
                   borrow.end_pos)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Token, (self.type, self.value, self.start_pos, self.line, self.column, self.end_line,
                        self.end_column, self.end_pos))

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


@record(frozen=True, slots=True)
class _Scanner:
    """The grammar's terminals as one regular expression (in Lark's order of preference), and the
    keywords Lark's lexer gives their own type when NAME matches them whole."""

    pattern: re.Pattern[str]
    keywords: dict[str, dict[str, str]]  # regex terminal -> {keyword text: keyword terminal}


@cache
def _scanner() -> _Scanner:
    from policyc.parser.tables import tables

    compiled = tables()
    return _Scanner(regex(compiled.pattern, compiled.flags), compiled.keywords)


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
                yield Token(kind, value, start, first_line, column, line, end - line_start + 1, end)
            continue
        if kind in skip:
            continue
        if kind in keywords:
            kind = keywords[kind].get(value, kind)
        column = start - line_start + 1
        yield Token(kind, value, start, line, column, line, column + end - start, end)


