"""The editor's loop, as an editor sees it: `policyc lsp` in its own process, spoken to over its
standard input and output (JSON-RPC with Content-Length headers), and the time from sending a
`textDocument/didChange` to reading the `textDocument/publishDiagnostics` of that version.

    python -m benchmarks.editor          # prints the median latency of a one-character change
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent


class Client:
    """A minimal LSP client over a subprocess's pipes: enough to open a document, change it and read
    its diagnostics."""

    def __init__(self, command: list[str] | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(command or [sys.executable, "-m", "policyc", "lsp"], cwd=REPO, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in: IO[bytes] = self.process.stdin
        self._out: IO[bytes] = self.process.stdout
        self._next_id = 0

    def send(self, method: str, params: dict[str, Any], *, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        ident = None
        if request:
            self._next_id += 1
            ident = message["id"] = self._next_id
        body = json.dumps(message).encode()
        self._in.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._in.flush()
        return ident

    def receive(self) -> dict[str, Any]:
        length = 0
        while True:
            line = self._out.readline()
            if not line:
                raise EOFError("the language server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        message: dict[str, Any] = json.loads(self._out.read(length))
        return message

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ident = self.send(method, params, request=True)
        while True:
            message = self.receive()
            if message.get("id") == ident and "method" not in message:
                return message

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        """Read messages until the diagnostics of `version` of the document arrive."""
        while True:
            message = self.receive()
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] == uri and params.get("version") == version:
                found: list[dict[str, Any]] = params["diagnostics"]
                return found

    def start(self) -> None:
        self.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        self.send("initialized", {})

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.send("exit", {})
            self._in.close()
            self.process.wait(timeout=10)
        except (OSError, EOFError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def change_latencies(text: str, edits: list[tuple[int, int, str]], rounds: int = 1,
                     each: Callable[[float], object] | None = None) -> list[float]:
    """Open `text` in a fresh server, then apply each edit (line, character, inserted text) and undo it;
    the seconds from each didChange that makes an edit to the diagnostics of that version. `each` is
    given each time as it is measured (before the edit is undone)."""
    client = Client()
    try:
        client.start()
        uri = "file:///benchmark/editor.policy"
        client.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "policy", "version": 1, "text": text}})
        client.diagnostics(uri, 1)
        version = 1
        times: list[float] = []
        for _ in range(rounds):
            for line, character, inserted in edits:
                for start, end, new_text in ((character, character, inserted),
                                             (character, character + len(inserted), "")):
                    version += 1
                    began = time.perf_counter()
                    client.send("textDocument/didChange", {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"range": {"start": {"line": line, "character": start},
                                                      "end": {"line": line, "character": end}},
                                            "text": new_text}]})
                    client.diagnostics(uri, version)
                    if new_text:
                        times.append(time.perf_counter() - began)
                        if each is not None:
                            each(times[-1])
        return times
    finally:
        client.close()


def title_edits(text: str, count: int) -> list[tuple[int, int, str]]:
    """One-character insertions at the end of purposes' titles (`"Purpose number N` + `!`)."""
    edits: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.splitlines()):
        marker = '"Purpose number '
        at = line.find(marker)
        if at != -1:
            close = line.find('"', at + 1)
            edits.append((number, close, "!"))
            if len(edits) == count:
                break
    return edits


def main() -> int:
    from benchmarks.generate import policy_text

    text = policy_text(1000)
    times = change_latencies(text, title_edits(text, 7), rounds=2)
    print(f"{text.count(chr(10))} lines: didChange -> publishDiagnostics, median of {len(times)}: "
          f"{statistics.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
