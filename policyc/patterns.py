"""Regular expressions: compiled once, kept between runs, and compiled when they are first used.

The rule families read free text with some forty regular expressions (vague purposes, retention
criteria, routes to exercise a right, ...), and the lexer and the backends have more. Compiling one
is slow in Python: the `re` module's parser and compiler are written in Python, and no compiled
pattern is kept between processes. Compiled all at import, the rules' patterns took longer than the
rest of a check's rules, and a tenth of a whole `policyc check` was spent compiling patterns.

So `regex(pattern, flags)` keeps what the compiler makes of a pattern (the program of the regular
expression engine, its flags and its groups) in the cache folder (`patterns-<python version>.marshal`,
`policyc.cachedir.KeptValues`): a later run gives the engine that program without parsing the
pattern again. An entry is kept only when the pattern it makes equals (`==`, which compares the
programs) the one `re.compile` makes, and is read only by the Python version that wrote it. And
most rules' patterns run only when a policy holds the text they read, so a `LazyPattern` compiles its
expression on the first match.

Libraries compile their own patterns with `re.compile` when they are imported: PyYAML and Jinja, which
the backends load, compile thirty (PyYAML's reader one with every printable character in a class), a
sixth of what loading the backends takes. `compiled_by(name)` keeps those too: the first time, it notes
which patterns the code inside it compiled (the keys it added to `re`'s own cache of compiled patterns)
and keeps their programs; later, it puts the patterns made from the kept programs in `re`'s cache
before the code runs, so `re.compile` finds them there. `re` stays as it is: only its cache is filled
ahead, with entries equal to those it would make, and only when the cache is the mapping this version
of `re` reads (`re._cache`, keyed by the pattern's type, the pattern and the flags).
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the engine `re` compiles for (already loaded by `re`)
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from policyc import TYPE_CHECKING
from policyc.cachedir import KeptValues

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
            self._compiled = regex(self.pattern, self.flags)
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


def _valid(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 5


_KEPT = KeptValues("patterns", _valid)  # (pattern, flags) -> what _sre.compile takes besides the pattern


def regex(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, from the program kept in the cache folder when there is one (see the
    module's docstring)."""
    key = (pattern, int(flags))
    kept = _KEPT.get(key)
    if isinstance(kept, tuple):
        try:
            made: re.Pattern[str] = _sre.compile(pattern, *kept)
            return made
        except (TypeError, ValueError, OverflowError, RuntimeError):
            pass  # not a program this engine takes: compile it again below
    fresh = re.compile(pattern, flags)
    if _KEPT.keeps():  # with the cache off, working the program out again would only be thrown away
        program = _program(pattern, int(flags), fresh)
        if program is not None:
            _KEPT.put(key, program)
    return fresh


def _valid_keys(value: object) -> bool:
    return isinstance(value, tuple) and all(
        isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int)
        for key in value)


_LIBRARIES = KeptValues("library-patterns", _valid_keys)  # a name -> the (pattern, flags) its code compiled


@contextmanager
def compiled_by(name: str) -> Iterator[None]:
    """Give the code inside the block the patterns it compiled last time (code named `name`, such as a
    library's import), from the programs kept in the cache folder (see the module's docstring)."""
    cache = getattr(re, "_cache", None)
    if not isinstance(cache, dict) or not _KEPT.keeps():
        yield
        return
    kept = _LIBRARIES.get(name)
    known: tuple[tuple[str, int], ...] = kept if isinstance(kept, tuple) else ()
    for pattern, flags in known:
        key = (str, pattern, flags)
        if key not in cache:
            cache[key] = regex(pattern, flags)
    before = set(cache)
    yield
    # Patterns compiled for the first time (all of them on a first run; those of a library another
    # block loaded last time, when this one loads it first) are kept for the next runs.
    added = tuple((key[1], key[2]) for key in list(cache) if key not in before and _is_plain(key))
    if added or kept is None:
        for pattern, flags in added:
            regex(pattern, flags)  # keeps its program
        _LIBRARIES.put(name, known + added)


def _is_plain(key: object) -> bool:
    """A key of `re`'s cache for a text pattern compiled with integer flags."""
    return (isinstance(key, tuple) and len(key) == 3 and key[0] is str and isinstance(key[1], str)
            and type(key[2]) is int)


def _program(pattern: str, flags: int, fresh: re.Pattern[str]) -> tuple[object, ...] | None:
    """What `_sre.compile` takes to make `fresh` again (its flags, program, groups and group names), or
    None when what it makes differs from `fresh` in any way."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        code = [int(op) for op in _compiler._code(_parser.parse(pattern, flags), flags)]  # opcodes are int subclasses
        names: list[str | None] = [None] * (fresh.groups + 1)
        for name, index in fresh.groupindex.items():
            names[index] = name
        program = (int(fresh.flags), code, fresh.groups, dict(fresh.groupindex), tuple(names))
        again = _sre.compile(pattern, *program)
    except (ImportError, AttributeError, TypeError, ValueError, RuntimeError, re.error):
        # the compiler's internals are not what this version of policyc knows
        return None
    return program if again == fresh else None
