"""Reading the client's messages from standard input.

pygls reads stdin with one thread hop per header line and per body (four or so per message), which
costs a few milliseconds a message on a small machine: an editor that sends a change per keystroke,
or a test that types a file, then waits on the transport. This reader does one blocking `read1` per
chunk of whatever bytes have arrived (often several messages) and serves lines and bodies from its
buffer; pygls's own message loop (`pygls.io_.run_async`) does the rest.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

CHUNK = 1 << 16
# The largest message body kept: a document at the 8 MiB file limit, escaped as JSON, fits several
# times over. A larger body is read and dropped as it arrives, never held.
MAX_BODY = 64 << 20
MAX_LINE = 1 << 16  # a header line longer than this is no header: it is dropped as it arrives


class ChunkedReader:
    """An asynchronous reader (`readline`, `readexactly`) over a blocking binary stream."""

    def __init__(self, stream: BinaryIO, executor: ThreadPoolExecutor | None = None) -> None:
        self.stream = stream
        self.executor = executor
        self.buffer = bytearray()
        self.eof = False
        self.dropped = 0  # the size of the last body dropped for being too large (0: none since asked)

    def _read_some(self) -> bytes:
        read1 = getattr(self.stream, "read1", None)
        data = read1(CHUNK) if read1 is not None else self.stream.readline()
        return bytes(data)

    async def _fill(self) -> None:
        data = await asyncio.get_running_loop().run_in_executor(self.executor, self._read_some)
        if data:
            self.buffer += data
        else:
            self.eof = True

    async def readline(self) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end != -1:
                line = bytes(self.buffer[: end + 1])
                del self.buffer[: end + 1]
                return line
            if len(self.buffer) > MAX_LINE:  # not a header: keep its last byte so that it reads as a line
                del self.buffer[:-1]
                return b"-"
            if self.eof:
                rest = bytes(self.buffer)
                self.buffer.clear()
                return rest
            await self._fill()

    async def readexactly(self, size: int) -> bytes:
        if size > MAX_BODY:
            left = size
            while left and not (self.eof and not self.buffer):
                if not self.buffer:
                    await self._fill()
                taken = min(left, len(self.buffer))
                del self.buffer[:taken]
                left -= taken
            self.dropped = size
            return b" "  # not JSON: the message is answered as a parse error and the server goes on
        while len(self.buffer) < size and not self.eof:
            await self._fill()
        body = bytes(self.buffer[:size])
        del self.buffer[:size]
        return body
