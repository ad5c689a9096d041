"""Positions: policyc's code-point offsets to LSP line/character positions, and back.

policyc spans count characters (Unicode code points) from the start of the file. LSP positions are
a 0-based line and a column counted in the negotiated encoding's code units: UTF-16 unless the
client offers UTF-8 or UTF-32 (`general.positionEncodings`). A character outside the Basic
Multilingual Plane, such as an emoji, is one code point, two UTF-16 units and four UTF-8 bytes.

Lines end at `\\n`, `\\r\\n` or a lone `\\r`, as the LSP specification says (not at the other breaks that
Python's `str.splitlines` knows, such as U+2028, which editors keep inside a line).
"""

from __future__ import annotations

import bisect

from lsprotocol import types

from policyc.patterns import regex
from policyc.records import field, record

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

_LINE_BREAK = regex(r"\r\n|\r|\n")


def units(text: str, encoding: str = UTF16) -> int:
    """How many code units `text` takes in the encoding."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _chars_for_units(text: str, wanted: int, encoding: str) -> int:
    """How many characters of `text` fit in `wanted` code units (a position inside a character rounds down)."""
    if encoding == UTF32 or text.isascii():
        return min(wanted, len(text))
    used = 0
    for index, char in enumerate(text):
        code = ord(char)
        if encoding == UTF8:
            width = 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        else:
            width = 2 if code > 0xFFFF else 1
        if used + width > wanted:
            return index
        used += width
    return len(text)


@record(slots=True)
class LineIndex:
    """Where each line of a text starts, to convert offsets and positions in one encoding."""

    text: str
    encoding: str = UTF16
    starts: list[int] = field(default_factory=list)  # offset of each line's first character
    ends: list[int] = field(default_factory=list)  # offset just past each line's last character

    def __post_init__(self) -> None:
        starts = [0]
        ends: list[int] = []
        for match in _LINE_BREAK.finditer(self.text):
            ends.append(match.start())
            starts.append(match.end())
        ends.append(len(self.text))
        self.starts = starts
        self.ends = ends

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The 0-based line holding an offset (a line break belongs to the line it ends)."""
        offset = max(0, min(offset, len(self.text)))
        return bisect.bisect_right(self.starts, offset) - 1

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line]:self.ends[line]]

    def position(self, offset: int) -> types.Position:
        """The LSP position of a code-point offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = self.line_of(offset)
        start = self.starts[line]
        column = min(offset, self.ends[line]) - start
        return types.Position(line=line, character=units(self.text[start:start + column], self.encoding))

    def offset(self, position: types.Position) -> int:
        """The code-point offset of an LSP position. A column past the end of its line means the line's
        end; a line past the end of the text means the end of the text."""
        if position.line < 0:
            return 0
        if position.line >= self.line_count:
            return len(self.text)
        start, end = self.starts[position.line], self.ends[position.line]
        return start + _chars_for_units(self.text[start:end], max(0, position.character), self.encoding)

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))


def apply_change(text: str, change: types.TextDocumentContentChangeEvent, encoding: str = UTF16) -> str:
    """The text after one `didChange` content change (a whole-text or a ranged one)."""
    if isinstance(change, types.TextDocumentContentChangePartial):
        index = LineIndex(text, encoding)
        start = index.offset(change.range.start)
        end = max(start, index.offset(change.range.end))
        return text[:start] + change.text + text[end:]
    return change.text
