"""Completion: kinds at the top level, a kind's fields inside its block, and for a field's value
what the schema allows there (for a reference field, only names of the kinds it expects).

The context is read from the parser's tokens of the text before the cursor (not from its syntax tree,
because the text being typed is usually not valid yet); the names come from the document's latest check.
"""

from __future__ import annotations

from collections.abc import Iterator

from lsprotocol import types

from policyc.lsp.analysis import Analysis
from policyc.lsp.hover import describe_decl, describe_field, describe_kind, stdlib_module_doc
from policyc.lsp.positions import LineIndex
from policyc.parser import lex
from policyc.patterns import regex
from policyc.records import field, record
from policyc.resolver import PRELUDE, Found, stdlib_names
from policyc.schema import DURATION_UNITS, KINDS, VT, FieldSpec, type_words

# The parser's token kinds as completion reads them; every other kind is part of a word.
_PIECES = {"LBRACE": "lbrace", "RBRACE": "rbrace", "SEMICOLON": "semi", "COMMA": "comma", "WS": "ws",
           "COMMENT": "comment", "STRING": "string", "OPEN_STRING": "string", "TEXT": "text"}
_IN_NEWLINE = regex(r"(?P<nl>\r?\n)|(?P<ws>[\t \f]+)|(?P<comment>#[^\r\n]*)|(?P<cr>\r)")
_LONE_CR = regex(r"\r(?!\n)")


@record(frozen=True, slots=True)
class _Piece:
    """A word, string, comment or punctuation of a document, as completion reads it."""

    kind: str  # "word", "string", "text", "comment", "nl", "ws", "lbrace", "rbrace", "semi" or "comma"
    start: int
    end: int
    text: str


def _pieces(text: str) -> Iterator[_Piece]:
    """The parser's tokens of `text`, as completion reads them: a word is a run of tokens with no space,
    brace, semicolon, comma, string or comment between them (`contact.email`, `30`, `2024-01-01`); a
    newline token is split into its line breaks, indentation and comments; a text block never closed
    runs to the end. A lone `\r` ends a line, as for the editor, and a `'` is a letter of a word (single
    quotes make no strings: they are lexed as another character that is not a token of the grammar)."""
    lexed = _LONE_CR.sub("\n", text) if "\r" in text else text  # the same length: offsets stay
    lexed = lexed.replace("'", "@")
    word = -1  # where the word being read started
    word_end = 0
    cr = -1  # where a comment's `\r` is, which belongs to the line break after it
    for token in lex(lexed):
        kind, start, end = token.type, token.start_pos or 0, token.end_pos or 0
        piece = _PIECES.get(kind)
        if kind == "BAD_CHAR" and token.value.isspace():  # other white space than the grammar's
            piece = "ws" if token.value == "\v" else ""
        if piece is None and kind != "_NL":
            if word < 0:
                word = start
            word_end = end
            continue
        if word >= 0:
            yield _Piece("word", word, word_end, text[word:word_end])
            word = -1
        if kind == "STRING" and token.value == '""' and text.startswith('"', end):
            yield _Piece("text", start, len(text), text[start:])  # `"""` never closed
            return
        if kind == "_NL":  # a line break, with the indentation and comment lines after it
            for match in _IN_NEWLINE.finditer(text, start, end):
                name = match.lastgroup or ""
                begin = cr if name == "nl" and cr == match.start() - 1 else match.start()
                yield _Piece("nl" if name == "cr" else name, begin, match.end(), text[begin:match.end()])
            continue
        if kind == "COMMENT" and token.value.endswith("\r"):
            cr = end - 1
            yield _Piece("comment", start, cr, text[start:cr])
        elif piece:
            yield _Piece(piece, start, end, text[start:end])
    if word >= 0:
        yield _Piece("word", word, word_end, text[word:word_end])


_NUMBER = regex(r"\d+")
_TOP_WORDS = ("use", "assert")
CIK = types.CompletionItemKind
_ITEM_KINDS: dict[str, types.CompletionItemKind] = {
    "data": CIK.Struct, "purpose": CIK.Function, "recipient": CIK.Class, "contact": CIK.Interface,
    "controller": CIK.Class, "source": CIK.Module, "decision": CIK.Operator, "law": CIK.Module,
    "basis": CIK.Constant, "condition": CIK.Constant, "right": CIK.Property, "safeguard": CIK.Interface,
    "authority": CIK.Class, "category": CIK.Enum, "purpose_kind": CIK.EnumMember, "country": CIK.Constant,
    "region": CIK.Constant, "event": CIK.Event, "measure": CIK.TypeParameter, "cookie": CIK.Variable,
    "ccpa_category": CIK.Enum, "provision": CIK.Text,
}


@record(slots=True)
class Context:
    """Where the cursor is, as far as completion cares."""

    place: str  # "top", "use", "field", "value", "clause", "clause_kind" or "none"
    prefix_start: int
    kind: str | None = None  # the enclosing block's kind
    field_name: str | None = None
    item: list[str] = field(default_factory=list)  # the words of the current list item before the cursor


def _closed(kind: str, token: str) -> bool:
    if kind == "text":
        return len(token) >= 6 and token.endswith('"""')
    return len(token) >= 2 and token.endswith('"')


def context_at(text: str, offset: int) -> Context:
    depth = 0
    block: str | None = None
    stmt: list[str] = []
    last = ""  # the kind of the last significant token
    line_start = True
    prefix_start = offset
    for piece in _pieces(text):
        kind = piece.kind
        start, end = piece.start, piece.end
        if start >= offset:
            break
        token = piece.text
        if end > offset or (end == offset and kind in ("word", "comment", "string", "text")):
            if kind == "word":
                prefix_start = start
                break
            if kind == "comment" or (kind in ("string", "text") and (end > offset or not _closed(kind, token))):
                return Context("none", offset)
            if end > offset:
                break
        if kind in ("ws", "comment"):
            continue
        if kind == "nl":
            line_start = True
            if depth == 0 or last != "comma":
                stmt = []
            continue
        if kind == "semi":
            stmt = []
        elif kind == "lbrace":
            if depth == 0:
                block = stmt[0] if stmt else None
            depth += 1
            stmt = []
        elif kind == "rbrace":
            depth = max(0, depth - 1)
            stmt = []
            if depth == 0:
                block = None
        elif kind == "comma":
            stmt.append(",")
        else:
            if line_start and depth > 0 and kind == "word" and _opens_declaration(text, piece):
                depth, block, stmt = 0, None, []  # as the parser does: a new declaration ends an unclosed block
            stmt.append(token if kind == "word" else '"')
        line_start = False
        last = kind
    if depth == 0:
        if not stmt:
            return Context("top", prefix_start)
        if stmt == ["use"]:
            return Context("use", prefix_start)
        return Context("none", prefix_start)
    if block == "assert":
        if not stmt:
            return Context("clause", prefix_start)
        if len(stmt) == 1 and stmt[0] in ("forbid", "require"):
            return Context("clause_kind", prefix_start)
        return Context("none", prefix_start)
    if block not in KINDS:
        return Context("none", prefix_start)
    if not stmt:
        return Context("field", prefix_start, kind=block)
    values = stmt[1:]
    cut = len(values) - values[::-1].index(",") if "," in values else 0
    return Context("value", prefix_start, kind=block, field_name=stmt[0], item=values[cut:])


def _opens_declaration(text: str, piece: _Piece) -> bool:
    """A line that starts, unindented, with a kind and opens a block starts a new declaration."""
    word = piece.text
    line_begin = max(text.rfind("\n", 0, piece.start), text.rfind("\r", 0, piece.start)) + 1
    if piece.start != line_begin or (word not in KINDS and word not in _TOP_WORDS):
        return False
    line_end = len(text)
    for brk in ("\n", "\r"):
        found = text.find(brk, piece.end)
        if found != -1:
            line_end = min(line_end, found)
    return "{" in text[piece.end:line_end] or word == "use"


# --- items ----------------------------------------------------------------------------------------


def _markdown(value: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=value)


def _word_items(words: tuple[str, ...] | list[str], detail: str, kind: types.CompletionItemKind,
                edit: types.Range) -> list[types.CompletionItem]:
    return [types.CompletionItem(label=w, kind=kind, detail=detail, text_edit=types.TextEdit(range=edit, new_text=w),
                                 sort_text=f"0{w}")
            for w in words]


def _name_items(analysis: Analysis, kinds: tuple[str, ...], edit: types.Range) -> list[types.CompletionItem]:
    module = analysis.module
    out: list[types.CompletionItem] = []
    for name, found in analysis.visible(kinds):
        layer = 0 if found.module is module else 2 if found.module.stdlib and found.module.name in PRELUDE else 1
        out.append(_name_item(name, found, layer, edit))
    return out


def _name_item(name: str, found: Found, layer: int, edit: types.Range) -> types.CompletionItem:
    decl = found.decl
    return types.CompletionItem(
        label=name,
        kind=_ITEM_KINDS.get(decl.kind, CIK.Reference),
        detail=decl.kind,
        label_details=types.CompletionItemLabelDetails(description=decl.title.value) if decl.title else None,
        documentation=_markdown(describe_decl(decl, found.module)),
        text_edit=types.TextEdit(range=edit, new_text=name),
        sort_text=f"{layer}{name}",
    )


def _value_items(analysis: Analysis, spec: FieldSpec, item: list[str],
                 edit: types.Range) -> list[types.CompletionItem]:
    vt = spec.vt
    if vt is VT.RETENTION:
        return _retention_items(analysis, item, edit)
    if item:
        if vt in (VT.DURATION, VT.EXPIRY) and len(item) == 1 and _NUMBER.fullmatch(item[0]):
            return _word_items(list(DURATION_UNITS), "unit of time", CIK.Unit, edit)
        return []
    if vt in (VT.REF, VT.REF_NOTE, VT.REF_TEXT, VT.COUNTRY, VT.CHANNEL, VT.PROVIDER):
        out = _name_items(analysis, spec.kinds, edit)
        if spec.choices:
            out += _word_items(spec.choices, "word", CIK.EnumMember, edit)
        if vt is VT.PROVIDER:
            out += _word_items(("first_party",), "word", CIK.EnumMember, edit)
        return out
    if vt is VT.ENUM:
        return _word_items(spec.choices, "word", CIK.EnumMember, edit)
    if vt is VT.BOOL:
        return _word_items(("yes", "no"), "word", CIK.Value, edit)
    if vt is VT.EXPIRY:
        return _word_items(("session",), "word", CIK.Keyword, edit)
    return []


def _retention_items(analysis: Analysis, item: list[str], edit: types.Range) -> list[types.CompletionItem]:
    if not item:
        return _word_items(("until", "criteria", "session"), "retention", CIK.Keyword, edit)
    if item[-1] in ("until", "after", "unless"):
        return _name_items(analysis, ("event",), edit)
    if _NUMBER.fullmatch(item[0]):
        if len(item) == 1:
            return _word_items(list(DURATION_UNITS), "unit of time", CIK.Unit, edit)
        if len(item) == 2:
            return _word_items(("after", "unless"), "retention", CIK.Keyword, edit)
    return []


def completion(analysis: Analysis, position: types.Position, index: LineIndex | None = None) -> types.CompletionList:
    """Complete at a position of the text `index` holds (default: the analysed text). The names come
    from the analysis, which may be of a slightly older text: the server does not make the user wait
    for a check of every keystroke before offering names."""
    index = index or analysis.index
    text = index.text
    offset = index.offset(position)
    context = context_at(text, offset)
    edit = index.range(context.prefix_start, offset)
    items: list[types.CompletionItem] = []
    if context.place == "top":
        for kind in KINDS.values():
            items.append(types.CompletionItem(
                label=kind.name, kind=CIK.Keyword, detail=kind.doc, documentation=_markdown(describe_kind(kind)),
                text_edit=types.TextEdit(range=edit, new_text=kind.name), sort_text=f"{int(kind.stdlib)}{kind.name}",
            ))
        items += _word_items(_TOP_WORDS, "keyword", CIK.Keyword, edit)
    elif context.place == "use":
        for name in stdlib_names():
            items.append(types.CompletionItem(
                label=name, kind=CIK.Module, detail="standard-library module",
                documentation=_markdown(stdlib_module_doc(name)),
                text_edit=types.TextEdit(range=edit, new_text=name),
            ))
    elif context.place == "clause":
        items += _word_items(("forbid", "require"), "clause", CIK.Keyword, edit)
    elif context.place == "clause_kind":
        items += _word_items(list(KINDS), "kind", CIK.Class, edit)
    elif context.place == "field" and context.kind is not None:
        for number, spec in enumerate(KINDS[context.kind].fields):
            items.append(types.CompletionItem(
                label=spec.name, kind=CIK.Field, detail=type_words(spec),
                documentation=_markdown(describe_field(spec, context.kind)),
                text_edit=types.TextEdit(range=edit, new_text=spec.name),
                sort_text=f"{0 if spec.required else 1}{number:03d}",
            ))
    elif context.place == "value" and context.kind is not None and context.field_name is not None:
        fspec = KINDS[context.kind].field(context.field_name)
        if fspec is not None:
            items = _value_items(analysis, fspec, context.item, edit)
    return types.CompletionList(is_incomplete=False, items=items)
