"""Regular expressions compiled when they are first used.

The rule families read free text with some forty regular expressions (vague purposes, retention
criteria, routes to exercise a right, ...). Compiling one is slow in Python (its parser and compiler
are written in Python) and no compiled pattern is kept between processes: compiled all at import,
they took longer than the rest of a check's rules. Most run only when a policy holds the text they
read, so a `LazyPattern` compiles its expression on the first match and keeps it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator

from policyc import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled on first use; the methods are those of `re.Pattern`."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled.findall(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled.sub(repl, string, count)

    def subn(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> tuple[str, int]:
        return self.compiled.subn(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled.split(string, maxsplit)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    """A regular expression compiled when first used (see the module's docstring)."""
    return LazyPattern(pattern, flags)
