"""The language server's pieces without a connection: positions in each encoding, applying changes,
the completion context, minimal formatting edits, and the stdin reader."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from lsp_helpers import apply_edits
from lsprotocol import types

from policyc.lsp import actions, completion, hover, navigation
from policyc.lsp.analysis import Analysis, check_document
from policyc.lsp.completion import _pieces, context_at
from policyc.lsp.diagnostics import publishable
from policyc.lsp.formatting import minimal_edit
from policyc.lsp.positions import UTF8, UTF16, UTF32, LineIndex, apply_change, units
from policyc.lsp.transport import ChunkedReader

TEXT = 'data d "😀 é" { category contact }\r\nsecond\rthird\u2028 still third\n'


def _pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def test_units_per_encoding() -> None:
    assert units("a😀é", UTF16) == 4
    assert units("a😀é", UTF8) == 7
    assert units("a😀é", UTF32) == 3


@pytest.mark.parametrize(("encoding", "column"), [(UTF16, 14), (UTF8, 17), (UTF32, 13)])
def test_position_after_astral_and_accented_characters(encoding: str, column: int) -> None:
    index = LineIndex(TEXT, encoding)
    offset = TEXT.index("{")
    assert index.position(offset) == _pos(0, column)
    assert index.offset(_pos(0, column)) == offset


def test_lines_end_at_crlf_cr_and_lf_only() -> None:
    index = LineIndex(TEXT)
    assert index.line_count == 4
    assert index.line_text(1) == "second"
    assert index.line_text(2) == "third\u2028 still third"  # U+2028 is not a line break for LSP
    assert index.position(TEXT.index("second")) == _pos(1, 0)
    assert index.position(TEXT.index("still")) == _pos(2, 7)
    assert index.position(len(TEXT)) == _pos(3, 0)


def test_offsets_are_clamped() -> None:
    index = LineIndex(TEXT)
    assert index.offset(_pos(1, 99)) == TEXT.index("\rthird")  # past the end of a line: its end
    assert index.offset(_pos(99, 0)) == len(TEXT)
    assert index.offset(_pos(0, 3)) == 3
    # Inside a surrogate pair: the character starting there is not split.
    assert index.offset(_pos(0, 9)) == TEXT.index("😀")
    assert index.position(-5) == _pos(0, 0)


def test_range_round_trip_on_every_character() -> None:
    for encoding in (UTF8, UTF16, UTF32):
        index = LineIndex(TEXT, encoding)
        for offset in range(len(TEXT) + 1):
            if TEXT[offset - 1:offset + 1] == "\r\n":
                continue  # between \r and \n is no position
            assert index.offset(index.position(offset)) == offset


def test_apply_changes() -> None:
    text = "ab😀cd\nef"
    partial = types.TextDocumentContentChangePartial(range=types.Range(start=_pos(0, 2), end=_pos(0, 4)), text="X")
    assert apply_change(text, partial) == "abXcd\nef"
    whole = types.TextDocumentContentChangeWholeDocument(text="new")
    assert apply_change(text, whole) == "new"
    at_end = types.TextDocumentContentChangePartial(range=types.Range(start=_pos(1, 2), end=_pos(1, 2)), text="!")
    assert apply_change(text, at_end) == "ab😀cd\nef!"


@pytest.mark.parametrize(("before", "place", "kind", "field", "item"), [
    ("", "top", None, None, []),
    ("purpose p {\n  ", "field", "purpose", None, []),
    ("purpose p {\n  basis ", "value", "purpose", "basis", []),
    ("purpose p {\n  uses a, b,\n    ", "value", "purpose", "uses", []),
    ("purpose p {\n  retain 6 years after ", "value", "purpose", "retain", ["6", "years", "after"]),
    ("purpose p { uses a; ", "field", "purpose", None, []),
    ("purpose p { uses a }\n", "top", None, None, []),
    ("use ", "use", None, None, []),
    ('purpose p "a { b" {\n  ', "field", "purpose", None, []),
    ('purpose p {\n  description """x\n\n  ', "none", None, None, []),
    ("purpose p {\n  # basis ", "none", None, None, []),
    ("purpose p {\n  uses a\ndata d {\n  ", "field", "data", None, []),
    ("assert a {\n  forbid ", "clause_kind", None, None, []),
])
def test_completion_context(before: str, place: str, kind: str | None, field: str | None,
                            item: list[str]) -> None:
    context = context_at(before, len(before))
    assert (context.place, context.kind, context.field_name, context.item) == (place, kind, field, item)


def test_completion_reads_the_parsers_tokens() -> None:
    # completion has no tokenizer of its own: its words are runs of the parser's tokens
    text = "purpose p {\r  retain 6 years after contract.end, 2024-01-01 # note\r\n  basis 'x y'"
    pieces = [(p.kind, p.text) for p in _pieces(text) if p.kind not in ("ws",)]
    assert pieces == [
        ("word", "purpose"), ("word", "p"), ("lbrace", "{"), ("nl", "\r"), ("word", "retain"), ("word", "6"),
        ("word", "years"), ("word", "after"), ("word", "contract.end"), ("comma", ","), ("word", "2024-01-01"),
        ("comment", "# note"), ("nl", "\r\n"), ("word", "basis"), ("word", "'x"), ("word", "y'"),
    ]


def test_completion_context_prefix() -> None:
    text = "purpose p {\n  basis legit"
    context = context_at(text, len(text))
    assert text[context.prefix_start:] == "legit"
    assert context.place == "value"


@pytest.mark.parametrize(("old", "new"), [
    ("a b c\n", "a  b c\n"),
    ("same", "same"),
    ("x\r\ny\r\n", "x\ny\n"),
    ("😀 a\n", "😀 b\n"),
    ("", "new\n"),
    ("gone\n", ""),
])
def test_minimal_edit_rebuilds_the_new_text(old: str, new: str) -> None:
    edits = minimal_edit(old, new, UTF16)
    assert apply_edits(old, edits) == new
    assert (edits == []) == (old == new)


def test_chunked_reader_serves_lines_and_bodies() -> None:
    body = b'{"jsonrpc": "2.0"}'
    data = b"Content-Length: 18\r\n\r\n" + body + b"Content-Length: 2\r\n\r\n{}"

    async def read() -> list[bytes]:
        reader = ChunkedReader(io.BufferedReader(io.BytesIO(data)))  # type: ignore[arg-type]
        return [await reader.readline(), await reader.readline(), await reader.readexactly(18),
                await reader.readline(), await reader.readline(), await reader.readexactly(2),
                await reader.readline()]

    assert asyncio.run(read()) == [b"Content-Length: 18\r\n", b"\r\n", body, b"Content-Length: 2\r\n", b"\r\n",
                                   b"{}", b""]


# --- every feature at every position of awkward documents -------------------------------------------

AWKWARD = [
    'use uk_gdpr\nuse "./missing.policy"\npolicy { controller acme; jurisdictions uk_gdpr }\n'
    'controller acme "Acme 😀" { email "x@y.z"; authority ico }\n'
    'data d "D" { includes "a"; source subjekt; category contact, identity.nam }\n'
    'purpose p "P" {\n  uses d, nothing\n  retain 6 yeers after contract_end\n  basis = consent\n',
    'purpose p {\n  description """never closed\n\n  uses d\n}\n',
    'data "no name" { includes \'single\' }\n}\n{\n"\n',
    'assert a "A" {\n  forbid recipient where sells\n'
    '  require purpose where direct_marketing has retain <= 2 years\n}\n',
    "\r\ndata d { includes \"a\" }\r\npurpose p { uses d\r\n",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_every_feature_at_every_position(text: str, tmp_path: Path) -> None:
    path = tmp_path / "awkward.policy"
    result, _ = check_document(text, str(path), path)
    analysis = Analysis(path.as_uri(), 1, text, str(path), result, path=path)
    index = analysis.index
    for diagnostic in publishable(analysis):
        assert diagnostic.range.start.line < index.line_count
    navigation.document_symbols(analysis)
    for offset in range(len(text) + 1):
        position = index.position(offset)
        hover.hover(analysis, position)
        navigation.definition(analysis, position)
        completion.completion(analysis, position)
        found = navigation.target_at(analysis, position)
        if found is not None:
            navigation.references(found[0], [analysis], True)
            try:
                navigation.prepare_rename(analysis, position)
                navigation.rename(found[0], [analysis], "renamed")
            except navigation.NavigationError:
                pass
        span = types.Range(start=position, end=position)
        actions.code_actions(analysis, types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=analysis.uri), range=span,
            context=types.CodeActionContext(diagnostics=[])))


def test_code_actions_are_the_diagnostics_fixes(tmp_path: Path) -> None:
    """The server only translates: a fix no help text mentions is offered as it is, the first of a
    diagnostic preferred, and a fix editing a file the editor does not hold (the standard library) is not."""
    from policyc.diagnostics.model import Diagnostic, Edit, Fix

    path = tmp_path / "fixes.policy"
    text = 'data d "D" { includes "a"; source subject; category contact }\n'
    result, _ = check_document(text, str(path), path)
    span = result.sources[str(path)].span(text.index("contact"), text.index("contact") + 7)
    stdlib = next(m for m in result.program.modules.values() if m.stdlib)
    fixes = (Fix("Say hello", (Edit(str(path), 0, 4, "hello"), Edit(str(path), span.end, span.end, "!"))),
             Fix("Edit the library", (Edit(stdlib.source.path, 0, 0, "x"),), safe=True),
             Fix("Second choice", (Edit(str(path), span.start, span.end, "identity"),)))
    result.diagnostics = [Diagnostic.of("Q001", "a finding", span, help="no suggestion here", fixes=fixes)]
    analysis = Analysis(path.as_uri(), 1, text, str(path), result, path=path)
    found = actions.code_actions(analysis, types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=analysis.uri),
        range=types.Range(start=analysis.index.position(span.start), end=analysis.index.position(span.start)),
        context=types.CodeActionContext(diagnostics=[])))
    assert [(a.title, a.is_preferred, a.kind) for a in found] == [
        ("Say hello", True, types.CodeActionKind.QuickFix), ("Second choice", False, types.CodeActionKind.QuickFix)]
    edit = found[0].edit
    assert edit is not None and edit.changes is not None
    fixed = apply_edits(text, edit.changes[analysis.uri])
    assert fixed == 'hello d "D" { includes "a"; source subject; category contact! }\n'
    assert found[0].diagnostics is not None and found[0].diagnostics[0].code == "Q001"
