"""Test-side position arithmetic, written independently of policyc.lsp.positions: LSP positions in
UTF-16 code units, lines ending at \\n, \\r\\n or \\r."""

from __future__ import annotations

import re

from lsprotocol import types


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset of the line, the line without its break) for each line."""
    out: list[tuple[int, str]] = []
    start = 0
    for match in re.finditer(r"\r\n|\r|\n", text):
        out.append((start, text[start:match.start()]))
        start = match.end()
    out.append((start, text[start:]))
    return out


def position_of(text: str, offset: int) -> types.Position:
    for number, (start, line) in reversed(list(enumerate(_lines(text)))):
        if start <= offset:
            column = len(line[: offset - start].encode("utf-16-le")) // 2
            return types.Position(line=number, character=column)
    raise AssertionError("unreachable")


def offset_of(text: str, position: types.Position) -> int:
    lines = _lines(text)
    start, line = lines[position.line]
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(line)


def find(text: str, needle: str, nth: int = 0, delta: int = 0) -> types.Position:
    """The position `delta` characters into the nth occurrence of `needle`."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    return position_of(text, index + delta)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(((offset_of(text, e.range.start), offset_of(text, e.range.end), e.new_text) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def text_in(text: str, range_: types.Range) -> str:
    return text[offset_of(text, range_.start):offset_of(text, range_.end)]


def valid_range(text: str, range_: types.Range) -> bool:
    """The range lies within the text: existing lines, columns within them, start before end."""
    lines = _lines(text)

    def ok(position: types.Position) -> bool:
        if not 0 <= position.line < len(lines):
            return False
        return 0 <= position.character <= len(lines[position.line][1].encode("utf-16-le")) // 2

    start, end = range_.start, range_.end
    return ok(start) and ok(end) and (start.line, start.character) <= (end.line, end.character)
