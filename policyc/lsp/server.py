"""The policyc language server (LSP over standard input and output), built on pygls.

Each open document is checked (parse, resolve, type check, legal rules) as soon as the server has
handled the messages that have arrived, and its diagnostics are published with the document's
version. There is no pause to wait out: a check starts at once after a change, and changes that
arrive together, or while a check runs, are checked once, in their latest version (messages are
handled one at a time, so a check never sees a text older than the last change handled and a
result is never stale when it is published). The server's `Workspace` keeps each document's parsed
declarations, so a check after an edit parses only the declarations the edit touched. A request
about a document whose text has changed since its last check checks it first. The standard library
is loaded once per process, on `initialized` (from the cache, see `policyc.stdlib_cache`, or parsed
and type-checked).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
from collections.abc import Iterable
from typing import BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter, run_async
from pygls.lsp.server import LanguageServer

from policyc import __version__
from policyc.driver import Workspace
from policyc.lsp import actions, completion, formatting, hover, navigation
from policyc.lsp.analysis import Analysis, check_document
from policyc.lsp.diagnostics import publishable
from policyc.lsp.documents import Documents, canonical
from policyc.lsp.positions import UTF16
from policyc.lsp.transport import MAX_BODY, ChunkedReader

logger = logging.getLogger("policyc.lsp")



class _Answered(Exception):
    """A broken request that has had its error response."""


class PolicyServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("policyc", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents = Documents()
        self.checker = Workspace()  # chunks parsed at the last check of each document, kept for the next
        self.analyses: dict[str, Analysis] = {}
        self.published: dict[str, int | None] = {}  # uri -> the version whose diagnostics were published
        self.pending: dict[str, asyncio.Handle] = {}  # uri -> its check, due once the arrived messages are handled

    # -- checking --------------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return self.documents.encoding

    def analysis(self, uri: str) -> Analysis | None:
        """The document's check, for its current text (checked now if it changed since)."""
        document = self.documents.get(uri)
        if document is None:
            return None
        cached = self.analyses.get(uri)
        if cached is not None and cached.text is document.text and cached.encoding == self.encoding:
            return cached
        path = document.path
        name = str(path) if path is not None else f"<{uri}>"
        overlays = {p: text for p, text in self.documents.overlays().items() if path is None or p != path.resolve()}
        result, problem = check_document(document.text, name, path, overlays, self.checker)
        analysis = Analysis(uri, document.version, document.text, name, result, path=path, config_problem=problem,
                            encoding=self.encoding)
        self.analyses[uri] = analysis
        if self.published.get(uri, object()) != document.version:
            self.publish(analysis)
        return analysis

    def publish(self, analysis: Analysis) -> None:
        due = self.pending.pop(analysis.uri, None)
        if due is not None:  # a request has just checked the current text; the due check would repeat it
            due.cancel()
        self.published[analysis.uri] = analysis.version
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=analysis.uri, diagnostics=publishable(analysis), version=analysis.version))

    def check_and_publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        try:
            analysis = self.analysis(uri)
            if analysis is not None and self.published.get(uri, object()) != analysis.version:
                self.publish(analysis)
        except Exception:  # a bug must not stop the server; it is logged for the user
            logger.exception("policyc: checking %s failed", uri)
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"policyc: checking {uri} failed; see the server's log"))

    def schedule(self, uri: str) -> None:
        """Check the document once the messages already read are handled (the reader serves every
        message of a chunk without yielding to the loop, and a check holds the loop, so the changes
        that arrive together or during a check wait for one check of the latest text)."""
        if uri not in self.pending:
            self.pending[uri] = asyncio.get_running_loop().call_soon(self.check_and_publish, uri)

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio as pygls does, with a reader that reads in chunks (see transport.py)."""
        self._stop_event = threading.Event()
        reader = ChunkedReader(stdin or sys.stdin.buffer, self.thread_pool)
        self._reader = reader
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        self._answer_unreadable_requests()
        try:
            asyncio.run(run_async(stop_event=self._stop_event, reader=reader, protocol=self.protocol, logger=logger,
                                  error_handler=self.bad_message))
        except BrokenPipeError:
            logger.error("the connection to the client is lost; stopping")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]  # pygls leaves it unannotated

    # -- hostile and broken messages ---------------------------------------------------------------
    def _answer_unreadable_requests(self) -> None:
        """A request whose params do not fit its method (or whose method is not a string) gets an error
        response with its id; pygls would only show a message, and the client would wait forever."""
        structure = self.protocol.structure_message

        def structure_or_answer(data: dict[str, object]) -> object:
            try:
                return structure(data)
            except JsonRpcException as error:
                if isinstance(data, dict) and "jsonrpc" in data and "method" in data and "id" in data:
                    request = data["id"]
                    self.answer_error(request if isinstance(request, (int, str)) else None, error.code,
                                      error.message or "invalid request")
                    raise _Answered from error
                raise

        self.protocol.structure_message = structure_or_answer  # type: ignore[method-assign]

    def answer_error(self, request: int | str | None, code: int, message: str) -> None:
        # A plain mapping, so that an unknown id is sent as `"id": null`, as JSON-RPC 2.0 asks.
        self.protocol._send_data({"jsonrpc": "2.0", "id": request, "error": {"code": code, "message": message}})

    def bad_message(self, error: Exception, _kind: object = None) -> None:
        """A message that is not JSON-RPC at all: a parse error or an invalid request, answered with id
        null as JSON-RPC asks; the server goes on with the next message."""
        if isinstance(error, _Answered):
            return
        reader = getattr(self, "_reader", None)
        if reader is not None and reader.dropped:
            size, reader.dropped = reader.dropped, 0
            self.answer_error(None, -32700, f"parse error: a message of {size:,} bytes is larger than the limit "
                                            f"of {MAX_BODY:,}; it was skipped")
        elif isinstance(error, ValueError) and not isinstance(error, JsonRpcException):  # not JSON (or not UTF-8)
            self.answer_error(None, -32700, f"parse error: {error}")
        else:
            self.answer_error(None, -32600, f"invalid request: {error}")

    def require(self, uri: str) -> Analysis:
        analysis = self.analysis(uri)
        if analysis is None:
            raise JsonRpcException(f"{uri} is not open", code=navigation.REQUEST_FAILED)
        return analysis

    def all_analyses(self, first: Analysis) -> list[Analysis]:
        """The given document's check and every other open document's."""
        out = [first]
        for uri in list(self.documents.by_uri):
            if uri != first.uri:
                other = self.analysis(uri)
                if other is not None:
                    out.append(other)
        return out

    def client_uri(self, uri: str) -> str:
        """The URI the client uses for a file it has open (which may be spelt differently)."""
        opened = self.documents.by_canonical().get(canonical(uri))
        return opened.uri if opened is not None else uri

    def client_locations(self, locations: Iterable[types.Location]) -> list[types.Location]:
        opened = {key: doc.uri for key, doc in self.documents.by_canonical().items()}
        return [types.Location(uri=opened.get(canonical(loc.uri), loc.uri), range=loc.range) for loc in locations]


server = PolicyServer()


def _failed(err: Exception) -> JsonRpcException:
    return JsonRpcException(str(err), code=navigation.REQUEST_FAILED)


# -- lifecycle and synchronisation -----------------------------------------------------------------


@server.feature(types.INITIALIZE)
def initialize(ls: PolicyServer, params: types.InitializeParams) -> None:
    """pygls has chosen the position encoding (UTF-16 unless the client prefers UTF-8 or UTF-32)."""
    encoding = ls.workspace.position_encoding
    ls.documents.encoding = str(getattr(encoding, "value", encoding) or UTF16)


@server.feature(types.INITIALIZED)
def initialized(ls: PolicyServer, params: types.InitializedParams) -> None:
    check_document("", "<warm-up>", None)  # load (or parse and type-check) the standard library once, now
    # What exists now (the standard library, the modules' classes and tables) lives as long as the
    # server: keep it out of the cyclic collector's passes, which run between checks.
    gc.collect()
    gc.freeze()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PolicyServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.documents.open(params.text_document)
    ls.published.pop(params.text_document.uri, None)
    ls.check_and_publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PolicyServer, params: types.DidChangeTextDocumentParams) -> None:
    if ls.documents.change(params) is not None:
        ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PolicyServer, params: types.DidSaveTextDocumentParams) -> None:
    """Other open documents may import the saved one: check them again."""
    saved = canonical(params.text_document.uri)
    for uri, analysis in list(ls.analyses.items()):
        if uri == params.text_document.uri:
            continue
        if any(canonical(analysis.uri_of(module)) == saved for module in analysis.result.program.modules.values()):
            ls.analyses.pop(uri, None)
            ls.published.pop(uri, None)
            ls.schedule(uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PolicyServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    due = ls.pending.pop(uri, None)
    if due is not None:
        due.cancel()
    document = ls.documents.get(uri)
    if document is not None:
        ls.checker.forget(str(document.path) if document.path is not None else f"<{uri}>")
    ls.documents.close(uri)
    ls.analyses.pop(uri, None)
    ls.published.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


# -- features --------------------------------------------------------------------------------------


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: PolicyServer, params: types.HoverParams) -> types.Hover | None:
    return hover.hover(ls.require(params.text_document.uri), params.position)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: PolicyServer, params: types.DefinitionParams) -> list[types.Location] | None:
    found = navigation.definition(ls.require(params.text_document.uri), params.position)
    return ls.client_locations(found) if found else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: PolicyServer, params: types.ReferenceParams) -> list[types.Location] | None:
    analysis = ls.require(params.text_document.uri)
    found = navigation.target_at(analysis, params.position)
    if found is None:
        return None
    target, _ = found
    locations = navigation.references(target, ls.all_analyses(analysis), params.context.include_declaration)
    return ls.client_locations(locations)


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def on_prepare_rename(ls: PolicyServer, params: types.PrepareRenameParams) -> types.PrepareRenamePlaceholder:
    try:
        return navigation.prepare_rename(ls.require(params.text_document.uri), params.position)
    except navigation.NavigationError as err:
        raise _failed(err) from None


@server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
def on_rename(ls: PolicyServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    analysis = ls.require(params.text_document.uri)
    found = navigation.target_at(analysis, params.position)
    if found is None:
        raise _failed(navigation.NavigationError("put the cursor on the name of a declaration or a reference to one"))
    target, _ = found
    try:
        edits = navigation.rename(target, ls.all_analyses(analysis), params.new_name)
    except navigation.NavigationError as err:
        raise _failed(err) from None
    changes: dict[str, list[types.TextEdit]] = {}
    for uri, file_edits in edits.items():
        changes.setdefault(ls.client_uri(uri), []).extend(file_edits)
    return types.WorkspaceEdit(changes=changes)


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["."]))
def on_completion(ls: PolicyServer, params: types.CompletionParams) -> types.CompletionList:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    latest = ls.analyses.get(uri)
    if document is None or latest is None or latest.module is None or latest.encoding != ls.encoding:
        return completion.completion(ls.require(uri), params.position)
    # The names of the last check (a keystroke ago, at most a pause ago) with the current text.
    return completion.completion(latest, params.position, document.index(ls.encoding))


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_document_symbol(ls: PolicyServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    return navigation.document_symbols(ls.require(params.text_document.uri))


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: PolicyServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    path = document.path
    try:
        return formatting.format_document(document.text, str(path) if path else params.text_document.uri,
                                          ls.encoding)
    except formatting.Refused as err:
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=f"policyc: {err}"))
        return None
    except formatting.FormattingError as err:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=str(err)))
        return None


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def on_code_action(ls: PolicyServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    return actions.code_actions(ls.require(params.text_document.uri), params)


class _RefusalFilter(logging.Filter):
    """pygls logs every error response with a traceback; a refused request (such as renaming a
    standard-library name) is an answer to the user, not a fault of the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (isinstance(error, JsonRpcException) and error.code == navigation.REQUEST_FAILED)


def serve() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="policyc lsp: %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RefusalFilter())
    server.start_io()
    return 0


if __name__ == "__main__":
    raise SystemExit(serve())
