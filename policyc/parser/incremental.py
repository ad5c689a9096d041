"""Whole-file parsing, and parsing again after an edit: the chunks of the last parse are kept by
their text and reused (moved to where they now are), and an edit inside one declaration of a clean
file parses only that declaration.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from policyc import TYPE_CHECKING, ast
from policyc.diagnostics.model import Diagnostic, Edit, Severity, Span
from policyc.parser.lexer import MAX_ERRORS
from policyc.parser.recovery import _Chunk, _Parse
from policyc.parser.tree import attach_docs
from policyc.records import field, fields, record
from policyc.source import Source

if TYPE_CHECKING:
    from typing import Any


@record(frozen=True, slots=True)
class _Parsed:
    """A chunk's parse: the item (None if nothing survived recovery) and its syntax errors, placed
    where the chunk started (`offset`, `line`)."""

    item: Any
    diagnostics: tuple[Diagnostic, ...]
    offset: int
    line: int


@record(slots=True)
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
_DONE = _Chunk([])  # in place of a chunk already parsed


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
    chunks = state.chunks(state.tokens())
    items: list[Any] = []
    fresh: dict[tuple[object, ...], _Parsed] = {}
    starts: list[int] = []
    lines: list[int] = []
    plain = True  # every chunk starts at column 1 and gives one item
    for index, chunk in enumerate(chunks):
        # Each chunk's tokens are let go once it is parsed: the syntax tree then takes the memory they
        # held, and a large file never holds all its tokens and its whole tree at once.
        chunks[index] = _DONE
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

