"""The language server against a hostile client, over a real pipe: raw JSON-RPC frames written to
`python -m policyc lsp`. It answers every request (with an error where one is due), survives malformed
frames, bounds its memory on huge documents and floods of edits, and stays responsive."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
URI = "file:///tmp/hostile.policy"
SMALL = 'controller acme "Acme" {\n  legal_name "Acme"\n}\n'


class RawClient:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "policyc", "lsp"], cwd=REPO, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            assert length is not None
            self.messages.put(json.loads(stream.read(length)))

    def raw(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.raw(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def request(self, id: int, method: str, params: Any) -> None:
        self.send({"id": id, "method": method, "params": params})

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait(self, predicate: Any, seconds: float = 20) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            try:
                message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError("no answer in time") from None
            if predicate(message):
                return message

    def response(self, id: int, seconds: float = 20) -> dict[str, Any]:
        return self.wait(lambda m: m.get("id") == id and "method" not in m, seconds)

    def diagnostics(self, seconds: float = 30) -> dict[str, Any]:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", seconds)

    def peak_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))

    def close(self) -> None:
        try:
            self.request(9999, "shutdown", None)
            self.response(9999, 10)
            self.notify("exit", None)
            self.process.wait(10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def client() -> Iterator[RawClient]:
    raw = RawClient()
    try:
        yield raw
    finally:
        raw.close()


def initialize(client: RawClient) -> None:
    client.request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    assert "result" in client.response(1)
    client.notify("initialized", {})


def test_requests_before_initialize_and_malformed_frames_are_answered(client: RawClient) -> None:
    client.request(2, "textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}})
    assert "error" in client.response(2)  # no document is open before initialize
    client.raw(b"{this is not json")
    parse_error = client.wait(lambda m: "error" in m)
    assert parse_error["error"]["code"] == -32700 and "id" in parse_error and parse_error["id"] is None
    client.raw(b'{"jsonrpc": "2.0", "id": 3, "method": 7}')
    assert "error" in client.response(3)
    client.raw(b"[]")
    assert client.wait(lambda m: "error" in m)["error"]["code"] == -32600
    client.raw(b"\xff\xfe not utf-8")
    assert client.wait(lambda m: "error" in m)["error"]["code"] == -32700
    initialize(client)
    client.request(4, "textDocument/hover", {"nonsense": True})  # invalid params: an error response
    assert "error" in client.response(4)
    client.request(5, "no/such/method", {})
    assert client.response(5)["error"]["code"] == -32601


def test_out_of_range_positions_and_unknown_documents(client: RawClient) -> None:
    initialize(client)
    client.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "policy", "version": 1,
                                                            "text": SMALL}})
    client.diagnostics()
    positions = [(0, 10**9), (10**9, 0), (-1, -1), (2**31 - 1, 2**31 - 1)]
    for index, (line, character) in enumerate(positions, start=10):
        for offset, method in enumerate(("textDocument/hover", "textDocument/definition", "textDocument/completion",
                                         "textDocument/references")):
            id = index * 10 + offset
            params: dict[str, Any] = {"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}
            if method == "textDocument/references":
                params["context"] = {"includeDeclaration": True}
            client.request(id, method, params)
            client.response(id)  # an answer, error or result; the server is still alive
    client.request(200, "textDocument/hover", {"textDocument": {"uri": "file:///nowhere.policy"},
                                               "position": {"line": 0, "character": 0}})
    client.response(200)
    client.request(201, "textDocument/formatting", {"textDocument": {"uri": URI},
                                                    "options": {"tabSize": 2, "insertSpaces": True}})
    client.response(201)


def test_a_huge_document_and_a_flood_of_edits(client: RawClient) -> None:
    initialize(client)
    huge = 'controller c "' + "A" * (8 * 1024 * 1024 - 32) + "\n"
    started = time.monotonic()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "policy", "version": 1,
                                                            "text": huge}})
    published = client.diagnostics(60)
    assert any(d["code"] == "S002" for d in published["params"]["diagnostics"])
    assert time.monotonic() - started < 30
    for version in range(2, 402):
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": URI, "version": version},
            "contentChanges": [{"text": SMALL + "#" * version + "\n"}]})
    client.request(300, "textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 1}})
    client.response(300, 30)
    assert client.peak_kib() < 512 * 1024, f"peak {client.peak_kib() // 1024} MiB"


def test_a_body_larger_than_the_limit_is_dropped_not_held(client: RawClient) -> None:
    from policyc.lsp.transport import MAX_BODY

    initialize(client)
    assert client.process.stdin is not None
    size = MAX_BODY + (1 << 20)
    client.process.stdin.write(b"Content-Length: %d\r\n\r\n" % size)
    chunk = b" " * (1 << 20)
    for _ in range(size // len(chunk)):
        client.process.stdin.write(chunk)
    client.process.stdin.flush()
    answer = client.wait(lambda m: "error" in m)
    assert answer["id"] is None and answer["error"]["code"] == -32700
    assert "larger than the limit" in answer["error"]["message"]
    client.process.stdin.write(b"X" * (1 << 20) + b"\r\n")  # a header line of a mebibyte
    client.request(7, "textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}})
    assert "error" in client.response(7)  # still answering: the document is not open
    assert client.peak_kib() < (MAX_BODY >> 10), f"peak {client.peak_kib() // 1024} MiB"
