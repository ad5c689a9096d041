"""A deterministic fuzzer for the checker: arbitrary text and byte-level mutations of the examples.

Input `i` of a run with seed `s` is made from `random.Random(f"{s}:{i}")` alone, so any input can be
made again on its own:

    python -m tests.properties.fuzz --seed 1 --index 4711 > input.policy

`run(seed, start, count)` checks inputs `start .. start+count-1` and returns the failures; the slow
test spreads the inputs over worker processes.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import traceback
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policyc.driver import CheckResult

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/privacy.policy"))
# Bytes that mean something to the lexer or the decoder, spliced into the inputs.
TOKENS = (
    b'"', b'"""', b"{", b"}", b"\n", b"\r\n", b"\r", b";", b",", b"#", b"=", b":", b"'", b"\\", b"\\u{",
    b"\\u{110000}", b"\\u{d800}", b"+", b".*", b"(", b")", b"[", b"]", b"use ", b"assert a {", b"forbid ",
    b"require ", b" where ", b" has ", b" not ", b" in ", b"policy", b"purpose p {", b"data d {", b"\t",
    b"2024-02-30", b"99999999999999999999", b"\xff", b"\xc3", b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"\x00",
    b"\xf0\x9f\x98\x80", b"yes", b"session", b"6 years after", b"until", b"criteria", b"basis consent",
)
TEXT_ALPHABET = "abcxyz_ ABC019\n\t{}\"';,.=#:+*()[]<>\\-é€😀\u00a0\u2028\r"


@dataclass(frozen=True)
class Failure:
    index: int
    data: bytes
    error: str


@cache
def seeds() -> tuple[bytes, ...]:
    """The examples, whole and as windows: their header (uses and `policy`) and a run of declarations."""
    out: list[bytes] = []
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        out.append(text.encode())
        chunks = re.split(r"\n(?=[a-z])", text)
        head = next((i for i, c in enumerate(chunks) if c.startswith("policy")), 0) + 1
        for start in range(head, len(chunks), 2):
            for size in (1, 3):
                out.append("\n".join(chunks[:head] + chunks[start:start + size]).encode())
    return tuple(out)


def make_input(seed: int, index: int) -> bytes:
    rng = random.Random(f"{seed}:{index}")
    if index % 3 == 0:  # arbitrary text
        size = rng.randrange(0, 400)
        return "".join(rng.choice(TEXT_ALPHABET) for _ in range(size)).encode("utf-8", "surrogatepass")
    pool = seeds()
    # Mostly windows (cheap to check); now and then a whole example.
    data = bytearray(pool[0 if rng.random() < 0.02 else rng.randrange(len(pool))])
    for _ in range(rng.randrange(1, 9)):
        mutate(rng, data, pool)
    return bytes(data)


def mutate(rng: random.Random, data: bytearray, pool: tuple[bytes, ...]) -> None:
    at = rng.randrange(len(data) + 1)
    operation = rng.randrange(8)
    if operation == 0 and data:  # flip a bit
        at = min(at, len(data) - 1)
        data[at] ^= 1 << rng.randrange(8)
    elif operation == 1:  # a random byte
        data[at:at] = bytes([rng.randrange(256)])
    elif operation == 2:  # a token
        data[at:at] = rng.choice(TOKENS)
    elif operation == 3:  # delete a range
        del data[at:at + rng.randrange(1, 64)]
    elif operation == 4:  # duplicate a range
        data[at:at] = data[at:at + rng.randrange(1, 200)]
    elif operation == 5:  # splice in part of another seed
        other = rng.choice(pool)
        start = rng.randrange(len(other))
        data[at:at] = other[start:start + rng.randrange(1, 300)]
    elif operation == 6:  # truncate
        del data[at:]
    else:  # swap two lines
        lines = bytes(data).split(b"\n")
        if len(lines) > 1:
            i = rng.randrange(len(lines) - 1)
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
            data[:] = b"\n".join(lines)


def check_input(data: bytes, format_too: bool) -> CheckResult | None:
    """What `policyc check` (and, with `format_too`, `policyc fmt`) does with a file's bytes; raises only
    on a bug. The check's result, or None when the bytes are not a policy's text."""
    from policyc.driver import check_text
    from policyc.fmt import format_text
    from policyc.source import decode

    text, problem = decode(data)
    if problem:
        assert problem.strip()
        return None
    result = check_text(text, "fuzz.policy")
    for diagnostic in result.diagnostics:
        assert diagnostic.message and diagnostic.span.line >= 1 and diagnostic.span.column >= 1, diagnostic
        if diagnostic.span.file == "fuzz.policy":  # not a file the input names in `use`
            assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(text), diagnostic
    if format_too:
        formatted = format_text(text, "fuzz.policy")  # raises FormatError unless the output means the same
        if formatted.text is not None:
            assert format_text(formatted.text, "fuzz.policy").text == formatted.text, "formatting is not stable"
    return result


def run(seed: int, start: int, count: int) -> list[Failure]:
    failures: list[Failure] = []
    for index in range(start, start + count):
        data = make_input(seed, index)
        try:
            check_input(data, format_too=index % 4 == 0)
        except Exception:  # noqa: BLE001 - every exception is a finding, reported with its input
            failures.append(Failure(index, data, traceback.format_exc(limit=8)))
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--index", type=int, required=True)
    args = parser.parse_args()
    sys.stdout.buffer.write(make_input(args.seed, args.index))


if __name__ == "__main__":
    main()
