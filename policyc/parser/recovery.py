"""The parse of one file: its tokens split into top-level chunks, each chunk parsed by the LALR
parser, and on a syntax error the bad statement reported and dropped and the chunk parsed again.
"""

from __future__ import annotations

from array import array

from policyc import TYPE_CHECKING, ast
from policyc.diagnostics.fixes import double_quotes, remove_assignment
from policyc.diagnostics.model import Diagnostic, Fix, Label, Span
from policyc.parser.lalr import UnexpectedToken
from policyc.parser.lexer import (
    _BAD_TOKENS,
    _CHARACTER_HELP,
    _CURLY_QUOTES,
    _LINE_COMMENT,
    _WHITESPACE,
    MAX_ERRORS,
    MAX_NESTING,
    MAX_PARSE_WORK,
    MAX_TOKENS,
    Token,
    describe_token,
    expected_in_words,
    lex,
)
from policyc.parser.tree import _Builder, _span_of, lalr_parser
from policyc.records import record, replace
from policyc.schema import KINDS
from policyc.source import Source

if TYPE_CHECKING:
    from typing import Any


@record(slots=True)
class _Chunk:
    """One top-level item's tokens, and the `{` that opens its block."""

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
        self.parser = lalr_parser(_Builder(self.path, self.diagnostics))  # this parse's own AST builder

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
                if depth == 0 and self._brace_forgotten(current.tokens, tokens, index):
                    header = current.tokens
                    self.report("S001", f"missing `{{` after `{' '.join(str(t) for t in header)}`", header[-1],
                                label="expected `{` here",
                                help="add `{` at the end of this line to open the declaration's block")
                    brace = _synthetic("LBRACE", "{", header[-1])
                    current.tokens.append(brace)
                    current.open_brace = brace
                    depth = 1
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

    @staticmethod
    def _brace_forgotten(line: list[Token], tokens: list[Token], end: int) -> bool:
        """A declaration's header line (`purpose x "Title"` at the start of a line) without its `{`, followed
        by indented lines: the `{` was forgotten. It is reported once, and the block parsed as if it were
        there, instead of each of its lines being reported as a broken declaration."""
        first = line[0]
        if first.type != "NAME" or first.column != 1 or str(first) not in KINDS:
            return False
        if any(t.type in ("LBRACE", "RBRACE", "SEMICOLON") for t in line) or len(line) > 3:
            return False
        following = tokens[end + 1] if end + 1 < len(tokens) else None
        return following is not None and following.type == "NAME" and (following.column or 1) > 1

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
        parser = self.parser
        tokens = chunk.tokens
        self._dropped: list[str] = []  # the fields of the statements recovery drops from this chunk
        while tokens and not self.stopped:
            self.work += len(tokens)
            try:
                result = parser.parse(tokens, "chunk")
                if self._dropped and isinstance(result, ast.Decl):
                    result = replace(result, broken=tuple(dict.fromkeys(self._dropped)))
                return result
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
        first = next((t for t in tokens[max(start, opener + 1):end] if t.type != "_NL"), None)
        if first is not None and first.type == "NAME":
            self._dropped.append(str(first))
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


