"""The documents the editor has open, and the mapping between URIs and files on disk."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from lsprotocol import types

from policyc.lsp.positions import UTF16, LineIndex, apply_change
from policyc.records import record


def uri_to_path(uri: str) -> Path | None:
    """The file a `file:` URI names (None for other schemes, such as `untitled:`)."""
    parts = urlsplit(uri)
    if parts.scheme != "file":
        return None
    path = unquote(parts.path)
    if os.name == "nt":  # pragma: no cover - file:///c:/x -> c:/x, and UNC shares keep their host
        path = path[1:] if len(path) > 2 and path[0] == "/" and path[2] == ":" else path
        if parts.netloc:
            path = f"//{parts.netloc}{path}"
    return Path(path)


def path_to_uri(path: Path) -> str:
    """A `file:` URI for an absolute path."""
    absolute = path if path.is_absolute() else path.resolve()
    if os.name == "nt":  # pragma: no cover
        return absolute.as_uri()
    return "file://" + quote(str(absolute), safe="/:@!$&'()*+,;=-._~")


def canonical(uri: str) -> str:
    """One spelling per file: `file:` URIs of the resolved path; other URIs unchanged."""
    path = uri_to_path(uri)
    if path is None:
        return uri
    try:
        return path_to_uri(path.resolve())
    except (OSError, RuntimeError):
        return uri


@record(slots=True)
class Document:
    """An open document: its URI, its current text and version, and its line index."""

    uri: str
    text: str
    version: int | None
    language_id: str = "policy"
    _index: LineIndex | None = None
    _index_encoding: str = UTF16

    @property
    def path(self) -> Path | None:
        return uri_to_path(self.uri)

    def index(self, encoding: str) -> LineIndex:
        if self._index is None or self._index.text is not self.text or self._index_encoding != encoding:
            self._index = LineIndex(self.text, encoding)
            self._index_encoding = encoding
        return self._index


class Documents:
    """The open documents, kept here (not in pygls's workspace) so that edits are applied with LSP's
    own line breaks and the negotiated position encoding."""

    def __init__(self) -> None:
        self.by_uri: dict[str, Document] = {}
        self.encoding = UTF16

    def open(self, item: types.TextDocumentItem) -> Document:
        document = Document(item.uri, item.text, item.version, item.language_id)
        self.by_uri[item.uri] = document
        return document

    def change(self, params: types.DidChangeTextDocumentParams) -> Document | None:
        document = self.by_uri.get(params.text_document.uri)
        if document is None:
            return None
        text = document.text
        for change in params.content_changes:
            text = apply_change(text, change, self.encoding)
        document.text = text
        document.version = params.text_document.version
        return document

    def close(self, uri: str) -> None:
        self.by_uri.pop(uri, None)

    def get(self, uri: str) -> Document | None:
        return self.by_uri.get(uri)

    def by_canonical(self) -> dict[str, Document]:
        return {canonical(uri): doc for uri, doc in self.by_uri.items()}

    def overlays(self) -> dict[Path, str]:
        """The unsaved text of every open file, by resolved path: imports read these, not the disk."""
        out: dict[Path, str] = {}
        for document in self.by_uri.values():
            path = document.path
            if path is not None:
                try:
                    out[path.resolve()] = document.text
                except (OSError, RuntimeError):
                    continue
        return out
