"""The formatter: one canonical layout for `.policy` files, keeping every comment.

`format_text` parses a file, refuses it if it has syntax errors (the S diagnostics are returned and
nothing is formatted), prints the syntax tree back in the canonical layout (`format_module`), then
parses its own output and compares the two trees, ignoring spans. A difference is a bug in the
formatter and raises `FormatError`: the formatter never rewrites a file into one that means
something else. The layout is described in docs/formatting.md.

Comments are not nodes of the tree: the parser keeps them in `Module.comments`, each with its span.
The printer gives each comment a place from its position: a comment after code on the same line is
a *trailing* comment of the last node that ends on that line before it (a field, one value of a
list, a clause, the `{` line of a block, its `}`, a `use`); a comment on a line of its own goes
before the next node of the innermost block or list that holds it, or at the end of that block.
"""

from __future__ import annotations

import bisect
import difflib
import os
from collections.abc import Iterator, Sequence

from policyc import ast
from policyc.diagnostics.model import Diagnostic, Span
from policyc.parser import parse_source, parse_text
from policyc.records import record
from policyc.schema import DURATION_UNITS, KINDS, VT
from policyc.source import Source, read_source

WIDTH = 100  # the longest line a list is filled to, in characters (Unicode code points)
INDENT = "  "
_TIME_FIELDS = (VT.DURATION, VT.EXPIRY, VT.RETENTION)  # fields where `1 months` means `1 month`
_SINGULAR = {"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
             "months": "month", "year": "year", "years": "year"}
assert set(_SINGULAR) == set(DURATION_UNITS)


class FormatError(Exception):
    """The formatted text would not mean what the original meant: a bug in the formatter.

    Raised instead of returning the text, so that a file is never silently rewritten into another
    policy. The message says what differs.
    """


@record(frozen=True, slots=True)
class FormatResult:
    """What `format_text` made of one file.

    `text` is the formatted text, or None when the file was refused because of its syntax errors,
    which are then in `diagnostics` (render them with `policyc.diagnostics.render.render_text`
    and `{result.source.path: result.source}`).
    """

    source: Source
    text: str | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def refused(self) -> bool:
        return self.text is None

    @property
    def changed(self) -> bool:
        """Would writing `text` change the file?"""
        return self.text is not None and self.text != self.source.text


# --- the library API ------------------------------------------------------------------------


def format_text(text: str, path: str = "<text>", *, width: int = WIDTH) -> FormatResult:
    """Format a policy held in memory; see the module docstring. Raises FormatError on a formatter bug."""
    return format_source(Source(path, text), width=width)


def format_source(source: Source, *, width: int = WIDTH) -> FormatResult:
    """Format a `Source` (a file's text, already read); see `format_text`."""
    module, diagnostics = parse_source(source)
    # Every problem found while reading the text: syntax errors, and literals the tree cannot hold
    # (an out-of-range number), which printing the tree would change.
    syntax = tuple(diagnostics)
    if syntax:
        return FormatResult(source, None, syntax)
    text = source.text
    if "\r" in text:
        # Line endings become `\n`. Parsed again so that text blocks and comments hold no `\r`:
        # this normalised tree is the one the output must match.
        text = text.replace("\r\n", "\n")
        module, diagnostics = parse_source(Source(source.path, text))
        syntax = tuple(d for d in diagnostics if d.code.startswith("S"))
        if syntax:  # pragma: no cover - a lone `\r` is already an S003 in the original
            return FormatResult(source, None, syntax)
    formatted = format_module(module, text, width=width)
    expected = _Meaning.of(module, text)
    del module  # the original tree is not kept while the output is parsed: peak memory is one tree
    expected.verify(formatted)
    return FormatResult(source, formatted)


def format_file(path: str | os.PathLike[str], *, width: int = WIDTH) -> FormatResult:
    """Read and format one file (nothing is written). Raises SourceError if it cannot be read.

    A file that is not UTF-8 text is refused with its S005 diagnostic, like a syntax error.
    """
    source, problem = read_source(str(path), str(path))
    if problem:
        return FormatResult(source, None, (
            Diagnostic.of("S005", problem, source.span(0, 0), help="policies are UTF-8 text"),))
    return format_source(source, width=width)


def format_module(module: ast.Module, text: str | None = None, *, width: int = WIDTH) -> str:
    """Print a syntax tree (and its comments) in the canonical layout.

    `text` is the source the module was parsed from. It is only consulted for one thing the tree
    does not keep, whether a text block's first line follows its opening quotes; without it, every
    multi-line text block is printed in the block layout (which means the same).
    The output is not checked here: `format_text` checks it.
    """
    return _Printer(module, text, width).print()


def verify(module: ast.Module, text: str, formatted: str) -> None:
    """Raise FormatError unless `formatted` parses, without syntax errors, to the same tree as `module`.

    Spans are ignored; durations compare by their unit (`1 months` is `1 month`); comment texts
    must come out all, in the same order. A doc comment is the own-line comments directly above a
    declaration (see `_own_line_docs`).
    """
    _Meaning.of(module, text).verify(formatted)


@record(slots=True)
class _Meaning:
    """What a module means, without its spans: what `verify` compares a formatted text with."""

    path: str
    items: list[tuple[object, ...]]
    lines: list[int]  # the line of each item, to say where a difference is
    end_line: int
    comments: list[str]

    @classmethod
    def of(cls, module: ast.Module, text: str) -> _Meaning:
        docs = _own_line_docs(module, text)
        return cls(module.path, [_item_key(item, docs) for item in module.items],
                   [item.span.line for item in module.items], module.span.end_line,
                   [_comment_text(c) for c in module.comments])

    def verify(self, formatted: str) -> None:
        after, diagnostics = parse_text(formatted, self.path)
        syntax = [d for d in diagnostics if d.code.startswith("S")]
        if syntax:
            first = syntax[0]
            raise FormatError(f"the formatted text has a syntax error at line {first.span.line}: {first.message}")
        after_docs = {id(item): getattr(item, "doc", "") for item in after.items}
        after_items = [_item_key(item, after_docs) for item in after.items]
        if self.items != after_items:
            index = next((i for i, (b, a) in enumerate(zip(self.items, after_items, strict=False)) if b != a),
                         min(len(self.items), len(after_items)))
            line = self.lines[index] if index < len(self.lines) else self.end_line
            raise FormatError(f"the formatted text means something else (the declaration at line {line} differs)")
        after_comments = [_comment_text(c) for c in after.comments]
        if self.comments != after_comments:
            lost = [c for c in self.comments if c not in after_comments]
            detail = f"`#{lost[0]}` is lost" if lost else "they are out of order"
            raise FormatError(f"the formatted text does not keep the comments: {detail}")


def tree_key(module: ast.Module, text: str | None = None) -> tuple[object, ...]:
    """A comparable form of a module: no spans, durations by their unit, comment texts in order.

    With `text`, doc comments are taken from own-line comments only (as `verify` does for the
    original); without it, from `Decl.doc` as the parser set it.
    """
    docs = _own_line_docs(module, text) if text is not None else {
        id(item): getattr(item, "doc", "") for item in module.items}
    return (tuple(_item_key(item, docs) for item in module.items),
            tuple(_comment_text(c) for c in module.comments))


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of a file's formatting, with `path` on both header lines (`patch -p0` applies it)."""
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=path, tofile=path)
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# --- the comparison ---------------------------------------------------------------------------


def _comment_text(comment: ast.Comment) -> str:
    return comment.text.rstrip()


def _own_line_docs(module: ast.Module, text: str | None) -> dict[int, str]:
    """The doc comment of each declaration, from the own-line comments directly above it.

    The parser's `attach_docs` also takes a trailing comment (`use gdpr  # the EU law`, `}  # end`)
    on the line above a declaration as (part of) its doc; the formatter separates declarations by a
    blank line, so it compares docs the way they were meant: own-line comments only.
    """
    lines = Source("", text).line_starts if text is not None else None
    own: dict[int, str] = {}
    for comment in module.comments:
        if lines is not None and text is not None:
            start = lines[comment.span.line - 1]
            if text[start:comment.span.start].strip(" \t\f\r"):
                continue
        own[comment.span.line] = comment.text.strip()
    docs: dict[int, str] = {}
    for item in module.items:
        if isinstance(item, (ast.Decl, ast.Assert)):
            found: list[str] = []
            line = item.span.line - 1
            while line in own:
                found.append(own[line])
                line -= 1
            docs[id(item)] = "\n".join(reversed(found))
    return docs


def _item_key(item: ast.TopLevel, docs: dict[int, str]) -> tuple[object, ...]:
    if isinstance(item, ast.Use):
        return ("use", _atom_key(item.target))
    if isinstance(item, ast.Decl):
        spec = KINDS.get(item.kind)
        fields = []
        for fld in item.fields:
            fspec = spec.field(fld.name) if spec else None
            timed = fspec is not None and fspec.vt in _TIME_FIELDS
            fields.append((fld.name, tuple(_atoms_key(i.atoms, timed) for i in fld.items)))
        return ("decl", item.kind, item.name.parts if item.name else None,
                _atom_key(item.title) if item.title else None, docs.get(id(item), ""), tuple(fields))
    return ("assert", item.name.parts, _atom_key(item.title) if item.title else None, docs.get(id(item), ""),
            tuple((c.quantifier, c.kind, _expr_key(c.where), _expr_key(c.has)) for c in item.clauses))


def _atoms_key(atoms: Sequence[ast.Atom], timed: bool) -> tuple[object, ...]:
    keys = [_atom_key(a) for a in atoms]
    if timed:
        for index in range(1, len(atoms)):
            unit = atoms[index]
            if isinstance(atoms[index - 1], ast.Number) and isinstance(unit, ast.Name) \
                    and unit.dotted in DURATION_UNITS:
                keys[index] = ("unit", DURATION_UNITS[unit.dotted])
    return tuple(keys)


def _atom_key(atom: ast.Atom | ast.Value) -> tuple[object, ...]:
    if isinstance(atom, ast.Str):
        return ("str", atom.value, atom.text)
    if isinstance(atom, ast.DateLit):
        return ("date", atom.value)
    if isinstance(atom, ast.Number):
        return ("number", atom.value)
    if isinstance(atom, ast.Name):
        return ("name", atom.parts)
    if isinstance(atom, ast.Plus):
        return ("plus",)
    if isinstance(atom, ast.BadAtom):
        return ("bad", atom.raw)
    if isinstance(atom, ast.Duration):
        unit = atom.unit.dotted if atom.unit else None
        return ("duration", atom.amount.value, DURATION_UNITS.get(unit, unit) if unit else None)
    return ("glob", atom.prefix.parts)


def _expr_key(expr: ast.Expr | None) -> tuple[object, ...] | None:
    if expr is None:
        return None
    if isinstance(expr, ast.Truthy):
        return ("truthy", expr.path.parts)
    if isinstance(expr, ast.Compare):
        return ("compare", expr.path.parts, expr.op, _atom_key(expr.value))
    if isinstance(expr, ast.Member):
        return ("member", expr.path.parts, tuple(_atom_key(v) for v in expr.values), expr.negated)
    if isinstance(expr, ast.Matches):
        return ("matches", expr.path.parts, _atom_key(expr.value))
    if isinstance(expr, ast.Not):
        return ("not", _expr_key(expr.operand))
    return ("bool", expr.op, tuple(_expr_key(e) for e in expr.operands))


# --- strings --------------------------------------------------------------------------------


def _escape_char(ch: str) -> str:
    if ch.isprintable() or 0xD800 <= ord(ch) <= 0xDFFF:
        return ch
    return f"\\u{{{ord(ch):x}}}"


def header_words(item: ast.Decl) -> list[str]:
    """A declaration's header as words: its kind, its name and its title, as written in a policy."""
    words = [item.kind]
    if item.name is not None:
        words.append(item.name.dotted)
    if item.title is not None:
        words.append(quote(item.title.value))
    return words


def quote(value: str) -> str:
    """A string literal in its shortest safe form: `\\"`, `\\\\`, `\\n`, `\\t`; `\\u{..}` for the invisible."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    # Plain runs are copied as slices: a list entry per character would cost tens of bytes each for a
    # string of millions.
    out = ['"']
    run = 0
    for index, ch in enumerate(value):
        if ch == '"':
            escaped = '\\"'
        elif ch == "\\":
            escaped = "\\\\"
        elif ch == "\n":
            escaped = "\\n"
        elif ch == "\t":
            escaped = "\\t"
        else:
            escaped = _escape_char(ch)
            if escaped is ch:
                continue
        out.append(value[run:index])
        out.append(escaped)
        run = index + 1
    out.append(value[run:])
    out.append('"')
    return "".join(out)


def _text_body(value: str, closed: bool) -> str:
    """The inside of a text block: backslashes and every third quote in a row escaped.

    `closed`: the closing quotes follow directly, so a quote at the very end is escaped too.
    Line breaks and tabs stay as they are; other invisible characters become `\\u{..}`.
    """
    out: list[str] = []
    quotes = 0
    for ch in value:
        if ch == '"':
            if quotes == 2:
                out.append('\\"')
                quotes = 0
            else:
                out.append('"')
                quotes += 1
            continue
        quotes = 0
        if ch == "\\":
            out.append("\\\\")
        elif ch in "\n\t":
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    if closed:
        index = len(out) - 1
        while index >= 0 and out[index] == '"':
            out[index] = '\\"'
            index -= 1
    return "".join(out)


def _is_hanging(value: str) -> bool:
    """Do the value's later lines all start with a space or tab (kept by the parser's dedent)?"""
    lines = value.split("\n")
    rest = [line for line in lines[1:] if line]
    return bool(lines[0]) and lines[0][0] not in " \t" and bool(rest) and all(line[0] in " \t" for line in rest)


def text_block(value: str, indent: str, *, inline: bool = False, hanging: bool = False) -> str:
    """A triple-quoted text block whose value is `value`, its lines indented for a field at `indent`.

    Layouts: `inline` (`\"\"\"one line\"\"\"`, for a one-line value written on one line); `hanging`
    (the first line after the opening quotes and the others exactly as they are, for a value whose
    later lines are indented, as the parser keeps them); otherwise the block layout: the opening
    quotes end the line, each line of the value is indented one step deeper than the field, and the
    closing quotes stand on their own line at the field's indentation.
    """
    if not value or (inline and "\n" not in value and value == value.strip()):
        # (The parser strips a one-line block of all white space, `\u{a0}` too; a value that
        # starts with such a character keeps it only in the block layout.)
        return '"""' + _text_body(value, closed=True) + '"""'
    if hanging and _is_hanging(value):
        return '"""' + _text_body(value, closed=True) + '"""'
    lines = _text_body(value, closed=False).split("\n")
    # The parser drops the line breaks right after the opening quotes; a value that starts with an
    # empty line keeps it by a blank (written `\u{20}`) there, which its dedent turns into "".
    opening = '"""\\u{20}' if lines[0] == "" else '"""'
    body = [indent + INDENT + line if line else "" for line in (lines[1:] if lines[0] == "" else lines)]
    return "\n".join([opening, *body, indent + '"""'])


def _duration_unit(amount: int, unit: str) -> str:
    singular = _SINGULAR.get(unit)
    if singular is None:
        return unit
    return singular if amount == 1 else singular + "s"


# --- the printer ----------------------------------------------------------------------------

_Key = tuple[str, int]


@record(frozen=True, slots=True)
class _Ender:
    """Something that can end a line, and so carry a trailing comment."""

    end: int
    level: int  # the outermost wins a tie: a field over its last value
    key: _Key


def _node(node: object) -> _Key:
    return ("node", id(node))


def _header(node: object) -> _Key:
    return ("header", id(node))


def _members(expr: ast.Expr | None) -> Iterator[ast.Member]:
    if expr is None:
        return
    if isinstance(expr, ast.Member):
        yield expr
    elif isinstance(expr, ast.Not):
        yield from _members(expr.operand)
    elif isinstance(expr, ast.BoolOp):
        for operand in expr.operands:
            yield from _members(operand)


def _clause_members(clause: ast.Clause) -> list[ast.Member]:
    return [*_members(clause.where), *_members(clause.has)]


def _header_span(item: ast.Decl | ast.Assert) -> Span:
    """The span of the last word before a block's `{`."""
    if item.title is not None:
        return item.title.span
    if isinstance(item, ast.Assert):
        return item.name.span
    return item.name.span if item.name is not None else item.kind_span


def _first_after(nodes: Sequence[ast.Item | ast.Field | ast.Clause | ast.Value], offset: int) -> int | None:
    """The index of the first node that starts after `offset`."""
    return next((i for i, n in enumerate(nodes) if n.span.start > offset), None)


def _inside(span_start: int, span_end: int, offset: int) -> bool:
    return span_start < offset < span_end


class _Comments:
    """Where each comment goes: trailing a node, before a node, or at the end of a block."""

    def __init__(self, module: ast.Module) -> None:
        self.trailing: dict[_Key, ast.Comment] = {}
        self.leading: dict[int, list[ast.Comment]] = {}
        self.dangling: dict[int, list[ast.Comment]] = {}  # at the end of a block, before its `}`
        self.at_end: list[ast.Comment] = []  # after the last top-level item
        self.emitted: set[int] = set()
        enders: dict[int, list[_Ender]] = {}

        def ender(span_end: int, line: int, level: int, key: _Key) -> None:
            enders.setdefault(line, []).append(_Ender(span_end, level, key))

        for item in module.items:
            if isinstance(item, ast.Use):
                ender(item.span.end, item.span.end_line, 0, _node(item))
                continue
            ender(item.span.end, item.span.end_line, 0, _node(item))  # the closing `}`
            header = _header_span(item)
            ender(header.end, header.end_line, 1, _header(item))
            if isinstance(item, ast.Decl):
                for fld in item.fields:
                    ender(fld.span.end, fld.span.end_line, 1, _node(fld))
                    for part in fld.items:
                        ender(part.span.end, part.span.end_line, 2, _node(part))
            else:
                for clause in item.clauses:
                    ender(clause.span.end, clause.span.end_line, 1, _node(clause))
                    for member in _clause_members(clause):
                        for value in member.values:
                            ender(value.span.end, value.span.end_line, 3, _node(value))

        self.starts = [item.span.start for item in module.items]
        for comment in sorted(module.comments, key=lambda c: c.span.start):
            found = [e for e in enders.get(comment.span.line, ()) if e.end <= comment.span.start]
            if found:
                best = max(found, key=lambda e: (e.end, -e.level))
                if best.key in self.trailing:  # pragma: no cover - one comment per line
                    raise FormatError(f"two comments end line {comment.span.line}")
                self.trailing[best.key] = comment
            else:
                self.place_own_line(module, comment)

    def place_own_line(self, module: ast.Module, comment: ast.Comment) -> None:
        offset = comment.span.start
        items = module.items
        index = bisect.bisect_left(self.starts, offset)  # the first item that starts after the comment
        if index and _inside(items[index - 1].span.start, items[index - 1].span.end, offset):
            item = items[index - 1]
            if isinstance(item, ast.Decl):
                for fld in item.fields:
                    if _inside(fld.span.start, fld.span.end, offset):
                        self.before(fld.items, offset, comment, fld)
                        return
                self.before(item.fields, offset, comment, item)
                return
            if isinstance(item, ast.Assert):
                for clause in item.clauses:
                    if _inside(clause.span.start, clause.span.end, offset):
                        for member in _clause_members(clause):
                            if _inside(member.span.start, member.span.end, offset):
                                self.before(member.values, offset, comment, member)
                                return
                        raise FormatError(f"no place for the comment at line {comment.span.line}")
                self.before(item.clauses, offset, comment, item)
                return
        if index == len(items):
            self.at_end.append(comment)
        else:
            self.leading.setdefault(id(items[index]), []).append(comment)

    def before(self, nodes: Sequence[ast.Item | ast.Field | ast.Clause | ast.Value], offset: int,
               comment: ast.Comment, container: object) -> None:
        index = _first_after(nodes, offset)
        if index is None:
            self.dangling.setdefault(id(container), []).append(comment)
        else:
            self.leading.setdefault(id(nodes[index]), []).append(comment)

    def take_trailing(self, key: _Key) -> str:
        comment = self.trailing.get(key)
        if comment is None:
            return ""
        self.emitted.add(id(comment))
        return "  " + self.show(comment)

    def take_leading(self, node: object) -> list[ast.Comment]:
        found = self.leading.get(id(node), [])
        self.emitted.update(id(c) for c in found)
        return found

    def take_dangling(self, node: object) -> list[ast.Comment]:
        found = self.dangling.get(id(node), [])
        self.emitted.update(id(c) for c in found)
        return found

    @staticmethod
    def show(comment: ast.Comment) -> str:
        return "#" + comment.text.rstrip()


def _gap(before_line: int, after_line: int) -> bool:
    """Is there a blank line (or a line of only `;`) between these two lines?"""
    return after_line - before_line > 1


class _Printer:
    def __init__(self, module: ast.Module, text: str | None, width: int) -> None:
        self.tree = module
        self.text = text
        self.width = width
        self.comments = _Comments(module)
        self.out: list[str] = []

    # -- the file ----------------------------------------------------------------------------
    def print(self) -> str:
        items = self.tree.items
        previous: ast.TopLevel | None = None
        for item in items:
            self.gap(previous, item, self.comments.take_leading(item))
            if isinstance(item, ast.Use):
                self.use(item)
            elif isinstance(item, ast.Decl):
                self.decl(item)
            else:
                self.assertion(item)
            previous = item
        self.comments.emitted.update(id(c) for c in self.comments.at_end)
        self.gap(previous, None, self.comments.at_end)
        all_comments = {id(c) for c in self.tree.comments}
        if all_comments - self.comments.emitted:
            missing = next(c for c in self.tree.comments if id(c) not in self.comments.emitted)
            raise FormatError(f"the comment at line {missing.span.line} found no place")
        lines = [line.rstrip() if not line.strip() else line for line in self.out]
        return "\n".join(lines) + "\n" if lines else ""

    def gap(self, previous: ast.TopLevel | None, item: ast.TopLevel | None, comments: list[ast.Comment]) -> None:
        """The own-line comments between two top-level items, and the blank lines around them."""
        lines = [c.span.line for c in comments] + ([item.span.line] if item is not None else [])
        start = previous.span.end_line if previous is not None else 0
        blanks = []  # blanks[i]: a blank line before the i-th of (comments..., item)
        for line in lines:
            blanks.append(_gap(start, line))
            start = line
        if not blanks:
            return
        if previous is None:
            blanks[0] = False  # nothing before the first line of the file
        elif isinstance(previous, ast.Use) and isinstance(item, ast.Use):
            blanks = [False] * len(blanks)  # the `use` lines are one group
        elif not isinstance(previous, ast.Use):
            blanks[0] = True  # one blank line after a declaration
        elif item is not None and not any(blanks):
            blanks[0] = True  # one blank line after the `use` group
        for comment, blank in zip(comments, blanks, strict=False):
            if blank:
                self.out.append("")
            self.out.append(self.comments.show(comment))
        if item is not None and blanks[-1]:
            self.out.append("")

    def use(self, item: ast.Use) -> None:
        target = item.target.dotted if isinstance(item.target, ast.Name) else quote(item.target.value)
        self.out.append(f"use {target}" + self.comments.take_trailing(_node(item)))

    # -- blocks ------------------------------------------------------------------------------
    def block(self, header: str, item: ast.Decl | ast.Assert,
              entries: Sequence[ast.Field | ast.Clause]) -> None:
        head_comment = self.comments.take_trailing(_header(item))
        dangling = self.comments.take_dangling(item)
        close = "}" + self.comments.take_trailing(_node(item))
        if not entries and not dangling and not head_comment:
            self.out.append(header + " {" + close)
            return
        self.out.append(header + " {" + head_comment)
        kind = item.kind if isinstance(item, ast.Decl) else "assert"
        previous_line = item.span.line
        first = True
        for entry in entries:
            for comment in self.comments.take_leading(entry):
                if not first and _gap(previous_line, comment.span.line):
                    self.out.append("")
                self.out.append(INDENT + self.comments.show(comment))
                previous_line = comment.span.line
                first = False
            if not first and _gap(previous_line, entry.span.line):
                self.out.append("")
            if isinstance(entry, ast.Field):
                self.field(entry, kind)
            else:
                self.clause(entry)
            previous_line = entry.span.end_line
            first = False
        for comment in dangling:
            if not first and _gap(previous_line, comment.span.line):
                self.out.append("")
            self.out.append(INDENT + self.comments.show(comment))
            previous_line = comment.span.line
            first = False
        self.out.append(close)

    def decl(self, item: ast.Decl) -> None:
        self.block(" ".join(header_words(item)), item, item.fields)

    def assertion(self, item: ast.Assert) -> None:
        parts = ["assert", item.name.dotted]
        if item.title is not None:
            parts.append(quote(item.title.value))
        self.block(" ".join(parts), item, item.clauses)

    # -- fields ------------------------------------------------------------------------------
    def field(self, fld: ast.Field, kind: str) -> None:
        spec = KINDS.get(kind)
        fspec = spec.field(fld.name) if spec else None
        timed = fspec is not None and fspec.vt in _TIME_FIELDS
        pad = INDENT
        cont = pad + INDENT
        items = fld.items
        count = len(items)
        line = f"{pad}{fld.name} {self.item(items[0], pad, timed)}"
        indent = pad  # of the line being filled: a text block's lines are indented from it
        for index in range(1, count):
            value = items[index]
            after = self.comments.take_trailing(_node(items[index - 1]))
            before = self.comments.take_leading(value)
            if after or before:
                self.out.extend((line + "," + after).split("\n"))
                self.out.extend(cont + self.comments.show(c) for c in before)
                line, indent = cont + self.item(value, cont, timed), cont
                continue
            rendered = self.item(value, indent, timed)
            comma = 1 if index < count - 1 else 0
            if len(_last_line(line)) + 2 + len(_first_line(rendered)) + comma <= self.width:
                line += ", " + rendered
            else:
                self.out.extend((line + ",").split("\n"))
                line, indent = cont + self.item(value, cont, timed), cont
        self.out.extend((line + self.comments.take_trailing(_node(fld))).split("\n"))
        # A trailing comment after the last value (the field's, when both end together).
        last = self.comments.take_trailing(_node(items[-1]))
        if last:
            self.out[-1] += last

    def item(self, item: ast.Item, indent: str, timed: bool) -> str:
        words: list[str] = []
        atoms = item.atoms
        for index, atom in enumerate(atoms):
            if isinstance(atom, ast.Str):
                words.append(self.string(atom, indent))
            elif isinstance(atom, ast.Name):
                unit = atom.dotted
                previous = atoms[index - 1] if index else None
                if timed and isinstance(previous, ast.Number) and unit in DURATION_UNITS:
                    unit = _duration_unit(previous.value, unit)
                words.append(unit)
            elif isinstance(atom, ast.Number):
                words.append(str(atom.value))
            elif isinstance(atom, ast.DateLit):
                words.append(atom.value)
            elif isinstance(atom, ast.Plus):
                words.append("+")
            else:  # pragma: no cover - a bad atom is a syntax error, and such files are refused
                words.append(atom.raw)
        return " ".join(words)

    def string(self, atom: ast.Str, indent: str) -> str:
        if not atom.text:
            return quote(atom.value)
        inline = atom.span.line == atom.span.end_line
        hanging = False
        if self.text is not None and not inline:
            rest = self.text[atom.span.start + 3:atom.span.end]
            hanging = rest.split("\n", 1)[0].strip() != ""
        return text_block(atom.value, indent, inline=inline, hanging=hanging)

    # -- assertions --------------------------------------------------------------------------
    def clause(self, clause: ast.Clause) -> None:
        line = _Line(INDENT, self.width)
        line.text(f"{clause.quantifier} {clause.kind}")
        if clause.where is not None:
            line.text(" where ")
            self.expr(line, clause.where)
        if clause.has is not None:
            line.text(" has ")
            self.expr(line, clause.has)
        line.text(self.comments.take_trailing(_node(clause)))
        self.out.extend(line.done())

    def expr(self, line: _Line, expr: ast.Expr) -> None:
        if isinstance(expr, ast.BoolOp):
            for index, operand in enumerate(expr.operands):
                if index:
                    line.text(f" {expr.op} ")
                wrap = isinstance(operand, ast.BoolOp) and (operand.op == expr.op or operand.op == "or")
                self.wrapped(line, operand, wrap)
        elif isinstance(expr, ast.Not):
            line.text("not ")
            # `not (role = processor)`: brackets for all but a bare path and another `not`.
            self.wrapped(line, expr.operand, not isinstance(expr.operand, (ast.Truthy, ast.Not)))
        elif isinstance(expr, ast.Truthy):
            line.text(expr.path.dotted)
        elif isinstance(expr, ast.Compare):
            line.text(f"{expr.path.dotted} {expr.op} {_value(expr.value)}")
        elif isinstance(expr, ast.Matches):
            line.text(f"{expr.path.dotted} {_value(expr.value)}")
        else:
            line.text(f"{expr.path.dotted} {'not in' if expr.negated else 'in'} [")
            self.values(line, expr)
            line.text("]")

    def wrapped(self, line: _Line, expr: ast.Expr, wrap: bool) -> None:
        if wrap:
            line.text("(")
        self.expr(line, expr)
        if wrap:
            line.text(")")

    def values(self, line: _Line, member: ast.Member) -> None:
        values = member.values
        for index, value in enumerate(values):
            shown = _value(value)
            if index == 0:
                line.text(shown)
                continue
            after = self.comments.take_trailing(_node(values[index - 1]))
            before = self.comments.take_leading(value)
            if after or before:
                line.text("," + after)
                line.newline()
                for comment in before:
                    line.text(self.comments.show(comment))
                    line.newline()
                line.text(shown)
            elif line.fits(2 + len(shown) + 1):
                line.text(", " + shown)
            else:
                line.text(",")
                line.newline()
                line.text(shown)
        if values:
            last = self.comments.take_trailing(_node(values[-1]))
            if last:  # pragma: no cover - a comment after `]` trails the clause
                raise FormatError(f"a comment inside `[...]` at line {values[-1].span.line}")


class _Line:
    """A line being built, with continuation lines one step deeper."""

    def __init__(self, indent: str, width: int) -> None:
        self.lines: list[str] = []
        self.current = indent
        self.cont = indent + INDENT
        self.width = width

    def text(self, text: str) -> None:
        self.current += text

    def fits(self, extra: int) -> bool:
        return len(self.current) + extra <= self.width

    def newline(self) -> None:
        self.lines.append(self.current)
        self.current = self.cont

    def done(self) -> list[str]:
        return [*self.lines, self.current]


def _value(value: ast.Value) -> str:
    if isinstance(value, ast.Str):
        return quote(value.value)
    if isinstance(value, ast.DateLit):
        return value.value
    if isinstance(value, ast.Duration):
        if value.unit is None:
            return str(value.amount.value)
        return f"{value.amount.value} {_duration_unit(value.amount.value, value.unit.dotted)}"
    if isinstance(value, ast.Glob):
        return value.prefix.dotted + ".*"
    return value.dotted


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _last_line(text: str) -> str:
    return text.rsplit("\n", 1)[-1]
