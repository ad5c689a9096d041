"""Source files: reading bytes as text, and turning offsets into lines and columns."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import MutableSequence

from policyc.diagnostics.model import Span
from policyc.records import field, record

# A privacy notice is tens of kilobytes; anything this big is not a policy.
MAX_FILE_BYTES = 8 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be read at all (missing, a directory, too large): a one-line error."""


@record(slots=True)
class Source:
    """The text of one file and a table of where its lines start."""

    path: str
    text: str
    # An array of machine integers, not a list of int objects: a file of millions of empty lines
    # would otherwise take 36 bytes a line.
    line_starts: MutableSequence[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.line_starts:
            starts = array("q", [0])
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self.line_starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self.path, start, end, line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        text = self.text[start:end]
        return text[:-1] if text.endswith("\r") else text  # one `\r`: a line of a million is not stripped each time


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode a file's bytes as UTF-8. Returns the text and, if it is not UTF-8 text, why."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", "the file is UTF-16 encoded; save it as UTF-8"
    nul = data.find(b"\x00")
    if nul != -1:
        return "", f"the file holds a NUL byte at offset {nul}: it is binary, not a policy"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return "", f"the file is not valid UTF-8 (byte {err.start} is {data[err.start]:#04x}); save it as UTF-8"


def read_source(path: str, display: str | None = None) -> tuple[Source, str | None]:
    """Read a file. Raises SourceError for files that cannot be read; returns the decoding problem."""
    import os
    import stat

    shown = display or path
    if "\x00" in path:
        raise SourceError(f"{shown!r}: a path cannot hold a NUL character")
    too_large = (f"{shown}: the file is larger than {MAX_FILE_BYTES // 1048576} MiB; policies are limited to "
                 f"{MAX_FILE_BYTES // 1048576} MiB")
    try:
        # Opened without blocking: opening a named pipe would otherwise wait for a writer forever.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise SourceError(f"{shown}: is a directory, not a .policy file")
            if not stat.S_ISREG(info.st_mode):
                # A pipe or a device (`/dev/zero`) could block or never end.
                raise SourceError(f"{shown}: not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                raise SourceError(too_large)
            data = handle.read(MAX_FILE_BYTES + 1)  # the file may have grown since fstat
    except IsADirectoryError:
        raise SourceError(f"{shown}: is a directory, not a .policy file") from None
    except OSError as err:
        raise SourceError(f"{shown}: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(too_large)
    text, problem = decode(data)
    return Source(shown, text), problem
