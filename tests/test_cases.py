"""The case corpus: `.policy` files under tests/cases, each with its expected diagnostics in a header.

A case file starts with a block of `# expect:` lines, one per diagnostic of the S, N and T families:

    # expect: S004 3:18 missing `}`
    # expect: N004 _shared.policy:3:5
    # expect: nothing

Each line gives the code, the line and column of the primary span (in the real file, header
included), and optionally a fragment that the message must contain. A diagnostic in another file
(a multi-file case's helper module) names that file relative to the case's folder. Files whose name
starts with `_` are helper modules imported by cases, not cases. Each case is checked from disk with
`check_files([path])`, so imports, cycles and project roots behave as they do for a user.

`pytest --update-cases` rewrites each header from what the checker reports (keeping the message
fragments that still match).
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

from policyc.diagnostics.codes import CODES
from policyc.diagnostics.model import Diagnostic
from policyc.driver import check_files

CASES = Path(__file__).resolve().parent / "cases"
FAMILIES = ("S", "N", "T")  # what syntax/, names/, types/ and ok/ cases compare
ALL_FAMILIES = ("S", "N", "T", "P", "C", "A", "Q")  # rules/ cases compare every finding
MALFORMED_FOLDERS = {"syntax": 20, "names": 10, "types": 15}
MIN_OK_CASES = 5
MIN_MALFORMED_CASES = 40
TIME_LIMIT = 10.0  # seconds per case; each takes a fraction of a second, a hang must not stall the suite


_EXPECT_LINE = re.compile(r"^#\s*expect:(?P<rest>.*)$")
_ENTRY = re.compile(
    r"^(?P<code>[A-Z]\d{3})\s+(?:(?P<file>[^\s:]+):)?(?P<line>\d+):(?P<column>\d+)(?:\s+(?P<fragment>.*))?$"
)
_FRAGMENT_WIDTH = 40


@dataclass(frozen=True, slots=True)
class Key:
    """Where a diagnostic is: its code, the file ("" for the case file itself), line and column."""

    code: str
    file: str
    line: int
    column: int

    def show(self) -> str:
        where = f"{self.file}:" if self.file else ""
        return f"{self.code} {where}{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Expectation:
    key: Key
    fragment: str


@dataclass(frozen=True, slots=True)
class Header:
    """The parsed `# expect:` block of a case file."""

    expectations: tuple[Expectation, ...]
    nothing: bool  # `# expect: nothing`
    size: int  # how many lines the block takes


@dataclass(frozen=True, slots=True)
class Actual:
    key: Key
    message: str


# --- reading the corpus -----------------------------------------------------------------------


def case_files() -> list[Path]:
    """Every case: `*.policy` under tests/cases, except helper modules named `_*`."""
    return sorted(p for p in CASES.rglob("*.policy") if p.is_file() and not p.name.startswith("_"))


def case_id(path: Path) -> str:
    return path.relative_to(CASES).as_posix()


def read_lines(path: Path) -> list[str]:
    """The file's lines without line endings (undecodable bytes replaced: some cases are not UTF-8)."""
    return path.read_bytes().decode("utf-8", errors="replace").splitlines()


def parse_header(path: Path) -> Header:
    expectations: list[Expectation] = []
    nothing = False
    size = 0
    for line in read_lines(path):
        match = _EXPECT_LINE.match(line)
        if match is None:
            break
        size += 1
        rest = match.group("rest").strip()
        if rest == "nothing":
            nothing = True
            continue
        entry = _ENTRY.match(rest)
        if entry is None:
            raise ValueError(f"{case_id(path)}:{size}: cannot read `# expect:` line {line!r}")
        key = Key(entry.group("code"), entry.group("file") or "", int(entry.group("line")),
                  int(entry.group("column")))
        expectations.append(Expectation(key, (entry.group("fragment") or "").strip()))
    if size == 0:
        raise ValueError(f"{case_id(path)}: no `# expect:` header (write `# expect: nothing` for a valid file)")
    if nothing and expectations:
        raise ValueError(f"{case_id(path)}: `# expect: nothing` together with expected diagnostics")
    return Header(tuple(expectations), nothing, size)


def relative_file(span_file: str, case: Path) -> str:
    """"" for the case file itself, else the file relative to the case's folder (`<stdlib>/x` as is)."""
    if span_file.startswith("<"):
        return span_file
    resolved = Path(span_file).resolve()
    if resolved == case.resolve():
        return ""
    return Path(os.path.relpath(resolved, case.resolve().parent)).as_posix()


class CheckerTimeout(BaseException):
    """The checker ran past TIME_LIMIT (a BaseException, so no `except Exception` in the checker eats it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (where SIGALRM exists and we are on the main thread)."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise CheckerTimeout(f"the checker did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def actual_diagnostics(case: Path) -> list[Actual]:
    """The S, N and T diagnostics the checker reports for the case, in any file."""
    try:
        with time_limit(TIME_LIMIT):
            diagnostics = check_files([case]).diagnostics
    except CheckerTimeout as err:
        diagnostics = None
        hang = str(err)
    if diagnostics is None:
        pytest.fail(f"{case_id(case)}: {hang} (an endless loop?)", pytrace=False)
    families = ALL_FAMILIES if case_id(case).startswith("rules/") else FAMILIES
    return [_actual(d, case) for d in diagnostics if d.code.startswith(families)]


def _actual(diagnostic: Diagnostic, case: Path) -> Actual:
    span = diagnostic.span
    return Actual(Key(diagnostic.code, relative_file(span.file, case), span.line, span.column), diagnostic.message)


# --- comparing --------------------------------------------------------------------------------


def compare(header: Header, actual: Sequence[Actual]) -> list[str]:
    """The differences between the header and the checker's diagnostics, in words (none: they agree)."""
    expected_keys = {e.key for e in header.expectations}
    actual_keys = {a.key for a in actual}
    problems: list[str] = []
    for key in sorted(expected_keys - actual_keys, key=_order):
        problems.append(f"expected but not reported: {key.show()}")
    for key in sorted(actual_keys - expected_keys, key=_order):
        messages = "; ".join(a.message for a in actual if a.key == key)
        problems.append(f"reported but not expected: {key.show()} {messages}")
    for expectation in header.expectations:
        if not expectation.fragment or expectation.key not in actual_keys:
            continue
        messages = [a.message for a in actual if a.key == expectation.key]
        if not any(expectation.fragment in message for message in messages):
            problems.append(
                f"{expectation.key.show()}: no message contains {expectation.fragment!r}: " + "; ".join(messages)
            )
    return problems


def _order(key: Key) -> tuple[str, int, int, str]:
    return (key.file, key.line, key.column, key.code)


# --- rewriting headers (--update-cases) -------------------------------------------------------


def updated_header(path: Path, header: Header, actual: Iterable[Actual]) -> list[str]:
    """The header lines that describe `actual`, with line numbers fitted to the new header's size.

    Positions in the case file itself move when the header grows or shrinks; positions inside the
    old header (only a whole-file diagnostic at 1:1 lands there) and in other files stay put.
    """
    by_key: dict[Key, list[str]] = {}
    for item in actual:
        by_key.setdefault(item.key, []).append(item.message)
    new_size = max(1, len(by_key))
    shift = new_size - header.size

    def moved(key: Key) -> Key:
        if key.file or key.line <= header.size:
            return key
        return Key(key.code, key.file, key.line + shift, key.column)

    fragments = {e.key: e.fragment for e in header.expectations if e.fragment}
    lines: list[str] = []
    for key in sorted(by_key, key=_order):
        messages = by_key[key]
        kept = fragments.get(key, "")
        if not kept or not any(kept in m for m in messages):
            kept = messages[0][:_FRAGMENT_WIDTH].strip()
        lines.append(f"# expect: {moved(key).show()} {kept}".rstrip())
    return lines or ["# expect: nothing"]


def rewrite_header(path: Path, header: Header, new_lines: list[str]) -> bool:
    """Replace the header block of the file; keep the rest byte for byte. True if it changed."""
    data = path.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    rest = data
    for _ in range(header.size):
        cut = rest.find(b"\n")
        rest = b"" if cut == -1 else rest[cut + 1:]
    new = newline.join(line.encode("utf-8") for line in new_lines) + newline + rest
    if new == data:
        return False
    path.write_bytes(new)
    return True


# --- the tests --------------------------------------------------------------------------------


def _params() -> list[object]:
    params: list[object] = []
    for path in case_files():
        ident = case_id(path)
        params.append(pytest.param(path, id=ident))
    return params


@pytest.mark.parametrize("case", _params())
def test_case(case: Path, request: pytest.FixtureRequest) -> None:
    header = parse_header(case)
    actual = actual_diagnostics(case)
    if request.config.getoption("--update-cases"):
        rewrite_header(case, header, updated_header(case, header, actual))
        header = parse_header(case)
        actual = actual_diagnostics(case)
    problems = compare(header, actual)
    assert not problems, f"{case_id(case)}:\n  " + "\n  ".join(problems)



def test_corpus_is_large_enough() -> None:
    counts: dict[str, int] = {}
    malformed = 0
    for path in case_files():
        folder = case_id(path).split("/")[0]
        counts[folder] = counts.get(folder, 0) + 1
        if parse_header(path).expectations:
            malformed += 1
    assert malformed >= MIN_MALFORMED_CASES, f"only {malformed} malformed cases"
    for folder, minimum in MALFORMED_FOLDERS.items():
        assert counts.get(folder, 0) >= minimum, f"{folder}/ has {counts.get(folder, 0)} cases, wants {minimum}"
    assert counts.get("ok", 0) >= MIN_OK_CASES, f"ok/ has {counts.get('ok', 0)} cases, wants {MIN_OK_CASES}"


def test_folders_hold_their_family() -> None:
    """ok/ cases expect nothing; a case in syntax/, names/ or types/ expects a code of that family."""
    letters = {"syntax": "S", "names": "N", "types": "T"}
    wrong: list[str] = []
    for path in case_files():
        ident = case_id(path)
        folder = ident.split("/")[0]
        header = parse_header(path)
        if folder == "ok":
            if not header.nothing:
                wrong.append(f"{ident}: an ok/ case must say `# expect: nothing`")
        elif folder == "rules":
            code = ident.split("/")[1]
            if code not in CODES:
                wrong.append(f"{ident}: rules/{code}/ is not a code")
        elif folder in letters:
            if not any(e.key.code.startswith(letters[folder]) for e in header.expectations):
                wrong.append(f"{ident}: expects no {letters[folder]} code")
        else:
            wrong.append(f"{ident}: not in syntax/, names/, types/, rules/ or ok/")
    assert wrong == []


def test_every_language_code_is_expected_by_a_case() -> None:
    expected = {e.key.code for path in case_files() for e in parse_header(path).expectations}
    language = {code for code in CODES if code.startswith(FAMILIES)}
    assert sorted(language - expected) == []


def test_every_rule_has_a_triggering_case_and_a_near_miss() -> None:
    """rules/CODE/ holds a case that reports CODE and one that must not (a near miss)."""
    missing: list[str] = []
    for code in sorted(c for c in CODES if c.startswith(("P", "C", "A", "Q"))):
        cases = [p for p in case_files() if case_id(p).startswith(f"rules/{code}/")]
        expecting = [p for p in cases if any(e.key.code == code for e in parse_header(p).expectations)]
        if not expecting:
            missing.append(f"{code}: no case reports it")
        if len(expecting) == len(cases):
            missing.append(f"{code}: no near-miss case (one that must not report it)")
    assert missing == []
