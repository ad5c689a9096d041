"""A client that prefers UTF-8 positions gets them (LSP 3.17 `general.positionEncodings`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from conftest import REPO, SERVER_COMMAND, PolicyClient, make_client
from lsp_policies import BASE
from lsprotocol import types
from pytest_lsp import ClientServerConfig

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = BASE.replace('data orders "Order details" {', 'data orders "Bestellungen 🛒 café" {').replace(
    "  uses orders", '  description "Zustellung 🚚"; uses orders')


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client),
                    scope="module")
async def utf8_client(lsp_client: PolicyClient) -> AsyncIterator[None]:
    capabilities = types.ClientCapabilities(general=types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]))
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities,
                                                                        root_uri=REPO.as_uri()))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    yield
    await lsp_client.shutdown_session()


def _utf8_position(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=len(text[start:offset].encode("utf-8")))


async def test_positions_in_utf8(utf8_client: PolicyClient, tmp_path: Path) -> None:
    uri = utf8_client.open(tmp_path / "utf8.policy", TEXT.replace("; uses orders", "; uses ordres"))
    text = TEXT.replace("; uses orders", "; uses ordres")
    diagnostics = await utf8_client.diagnostics_for(uri, 1)
    (n001,) = [d for d in diagnostics if d.code == "N001"]
    start = text.index("ordres")
    assert n001.range.start == _utf8_position(text, start)
    assert n001.range.end == _utf8_position(text, start + len("ordres"))
    version = utf8_client.replace_all(uri, TEXT)
    assert await utf8_client.diagnostics_for(uri, version) == []
    hover = await utf8_client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_utf8_position(TEXT, TEXT.index("; uses o") + 8)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**data** `orders` — Bestellungen 🛒 café" in hover.contents.value
