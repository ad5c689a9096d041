"""A pytest-lsp client talking to a real `policyc lsp` process over stdio.

`SERVER_COMMAND` is the one place that says how the server is started: `python -m policyc.lsp`
(the package's own entry point). Once `policyc lsp` is wired into the CLI, it can be
`[sys.executable, "-m", "policyc", "lsp"]`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "policyc", "lsp"]
REPO = Path(__file__).resolve().parents[2]


class PolicyClient(LanguageClient):
    """The test client, which also keeps every publishDiagnostics notification with its version."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.arrived = asyncio.Event()
        self.versions: dict[str, int] = {}

    # -- documents ---------------------------------------------------------------------------------
    def open(self, path: Path, text: str | None = None) -> str:
        """Open a file (its text on disk unless given) and return its URI."""
        uri = path.resolve().as_uri()
        self.open_uri(uri, path.read_text(encoding="utf-8") if text is None else text)
        return uri

    def open_uri(self, uri: str, text: str) -> None:
        self.versions[uri] = 1
        self.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="policy", version=1, text=text)))

    def change(self, uri: str, *changes: types.TextDocumentContentChangeEvent) -> int:
        self.versions[uri] += 1
        self.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=list(changes)))
        return self.versions[uri]

    def replace_all(self, uri: str, text: str) -> int:
        return self.change(uri, types.TextDocumentContentChangeWholeDocument(text=text))

    def close(self, uri: str) -> None:
        self.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))

    async def diagnostics_for(self, uri: str, version: int | None = None,
                              timeout: float = 20) -> list[types.Diagnostic]:
        """The diagnostics published for the document's version (default: its latest)."""
        wanted = self.versions.get(uri) if version is None else version
        params = await self.wait_for_publish(lambda p: p.uri == uri and p.version == wanted, timeout)
        return list(params.diagnostics)

    async def wait_for_publish(self, predicate: Callable[[types.PublishDiagnosticsParams], bool],
                               timeout: float = 20) -> types.PublishDiagnosticsParams:
        """The latest publishDiagnostics notification that satisfies the predicate, once it has come."""
        deadline = time.monotonic() + timeout
        while True:
            self.arrived.clear()
            for params in reversed(self.published):
                if predicate(params):
                    return params
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("the expected diagnostics were not published")
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except TimeoutError:
                continue


def _record_diagnostics(client: PolicyClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)
    client.arrived.set()


def make_client() -> PolicyClient:
    client = PolicyClient()
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_diagnostics
    register_lsp_features(client, features)
    return client


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client),
                    scope="module")
async def client(lsp_client: PolicyClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=REPO.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=REPO.as_uri(), name="policyc")],
    ))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder (it holds a policyc.toml, so it is the project root)."""
    (tmp_path / "policyc.toml").write_text("", encoding="utf-8")
    return tmp_path
