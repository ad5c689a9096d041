"""`policyc.patterns.regex`: a pattern's compiled program is kept in the cache folder and gives the
same pattern as `re.compile` in the next runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyc import patterns
from policyc.patterns import lazy, regex

SAMPLES = [
    (r"(?P<name>[A-Za-z_]+)\s*=\s*(?P<value>\d+)", 0),
    (r"https?://[^\s<>\"]+", re.IGNORECASE),
    (r"(?x) ^ \d{4} - \d{2}  # a year and a month", 0),
    (r"[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]", 0),
    (r"(?<=[^.]\.)\.(?=$|[\s)”\"'])", 0),
    (r"(a)|(b)|(?P<c>c)", re.S | re.M),
    (r"", 0),
]


@pytest.mark.parametrize(("pattern", "flags"), SAMPLES)
def test_a_kept_program_makes_the_pattern_re_makes(pattern: str, flags: int) -> None:
    fresh = re.compile(pattern, flags)
    program = patterns._program(pattern, flags, fresh)
    assert program is not None
    again = patterns._sre.compile(pattern, *program)
    # Equal patterns have the same flags, text and program; the groups are checked as well.
    assert again == fresh
    assert (again.flags, again.groups, dict(again.groupindex)) == (fresh.flags, fresh.groups, dict(fresh.groupindex))


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[a-z]{0,3}(\((\?P<[a-z]{1,4}>)?[a-z.+*?|]{0,4}\))?[a-z\d\\s.]{0,4}", fullmatch=True),
       st.sampled_from([0, re.I, re.M | re.S, re.X]), st.text(max_size=20))
def test_kept_patterns_match_as_re_does(pattern: str, flags: int, text: str) -> None:
    try:
        fresh = re.compile(pattern, flags)
    except re.error:
        return
    program = patterns._program(pattern, flags, fresh)
    assert program is not None
    again = patterns._sre.compile(pattern, *program)
    assert again == fresh
    found, expected = again.search(text), fresh.search(text)
    assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))


def test_lazy_patterns_compile_on_first_use() -> None:
    pattern = lazy(r"\bkept\b", re.I)
    assert pattern._compiled is None
    assert pattern.search("Kept here") is not None
    assert pattern._compiled == re.compile(r"\bkept\b", re.I)


PROBE = """
import json, re, sys
import re._compiler
made = []
real = re._compiler.compile
samples = json.loads(sys.argv[1])
def counting(pattern, flags=0):
    if [pattern, flags] in samples:
        made.append(pattern)
    return real(pattern, flags)
re._compiler.compile = counting
from policyc.patterns import regex
patterns = [regex(pattern, flags) for pattern, flags in samples]
same = all(p == real(pattern, flags) for p, (pattern, flags) in zip(patterns, samples))
import policyc.cli
print(json.dumps({"compiled": len(made), "same": same}))
"""


def _run(cache: Path, **extra: str) -> dict[str, Any]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), **extra}
    if "POLICYC_NO_CACHE" not in extra:
        env.pop("POLICYC_NO_CACHE", None)
    samples = json.dumps([(pattern, int(flags)) for pattern, flags in SAMPLES])
    done = subprocess.run([sys.executable, "-c", PROBE, samples], capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_patterns_are_compiled_once_then_read_from_the_cache_folder(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first == {"compiled": first["compiled"], "same": True} and first["compiled"] >= len(SAMPLES)
    (kept,) = (tmp_path / "policyc").glob("patterns-*.marshal")
    assert _run(tmp_path) == {"compiled": 0, "same": True}
    kept.write_bytes(b"\x00not marshal data")  # a damaged file is only a cache miss
    assert _run(tmp_path) == first
    assert _run(tmp_path) == {"compiled": 0, "same": True}


def test_no_patterns_file_with_the_cache_off(tmp_path: Path) -> None:
    assert _run(tmp_path, POLICYC_NO_CACHE="1")["same"]
    assert not list(tmp_path.glob("policyc/patterns-*"))


def test_an_entry_the_engine_refuses_is_compiled_again(monkeypatch: pytest.MonkeyPatch) -> None:
    key = (r"refused\d", 0)
    patterns._KEPT.get(key)  # loads the kept entries, if any
    assert patterns._KEPT._entries is not None
    monkeypatch.setitem(patterns._KEPT._entries, key, (0, [-1], 0, {}, (None,)))  # not a valid program
    assert regex(*key) == re.compile(*key)
    assert patterns._KEPT._entries[key] != (0, [-1], 0, {}, (None,))  # replaced by the right one


# A library that compiles patterns when it is imported, and one more when it is first used.
LIBRARY = '''
import re
WORD = re.compile(r"(?P<word>[a-z]+)\\d*", re.I)
BLANK = re.compile(r"\\n\\s*\\n")
def later():
    return re.compile(r"later: (\\w+)")
'''

IMPORTING = """
import json, re, sys
import re._compiler
from policyc.patterns import compiled_by
real = re._compiler.compile
compiled = []
def counting(pattern, flags=0):
    compiled.append(pattern)
    return real(pattern, flags)
re._compiler.compile = counting
with compiled_by("fakelib"):
    import fakelib
    if sys.argv[1] == "later":
        fakelib.later()
same = fakelib.WORD == real(r"(?P<word>[a-z]+)\\d*", re.I) and fakelib.BLANK == real(r"\\n\\s*\\n", 0)
print(json.dumps({"compiled": sorted(p for p in compiled if isinstance(p, str)), "same": same}))
"""


def _import_library(tmp_path: Path, then: str = "", **extra: str) -> dict[str, Any]:
    library = tmp_path / "lib"
    library.mkdir(exist_ok=True)
    (library / "fakelib.py").write_text(LIBRARY, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(library),
           "PYTHONDONTWRITEBYTECODE": "1", **extra}
    if "POLICYC_NO_CACHE" not in extra:
        env.pop("POLICYC_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", IMPORTING, then], capture_output=True, text=True, env=env,
                          check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_library_gets_the_patterns_it_compiled_last_time(tmp_path: Path) -> None:
    first = _import_library(tmp_path)
    assert first["same"] and {r"(?P<word>[a-z]+)\d*", r"\n\s*\n"} <= set(first["compiled"])
    (kept,) = (tmp_path / "cache" / "policyc").glob("library-patterns-*.marshal")
    again = _import_library(tmp_path)
    assert again == {"compiled": [], "same": True}  # both came from the cache folder, equal to re's own
    kept.write_bytes(b"\x00not marshal data")  # a damaged file is only a cache miss
    assert _import_library(tmp_path) == first


def test_patterns_compiled_for_the_first_time_are_added(tmp_path: Path) -> None:
    _import_library(tmp_path)
    assert _import_library(tmp_path, "later")["compiled"] == [r"later: (\w+)"]
    assert _import_library(tmp_path, "later") == {"compiled": [], "same": True}


def test_no_library_patterns_with_the_cache_off(tmp_path: Path) -> None:
    first = _import_library(tmp_path, POLICYC_NO_CACHE="1")
    assert first["same"] and r"\n\s*\n" in first["compiled"]
    assert _import_library(tmp_path, POLICYC_NO_CACHE="1") == first
    assert not (tmp_path / "cache" / "policyc").exists() or not list(
        (tmp_path / "cache" / "policyc").glob("library-patterns-*"))


BUILDING = """
import json, os, re, sys
import re._compiler
real = re._compiler.compile
compiled = []
def counting(pattern, flags=0):
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == os.path.dirname(re.__file__):
        frame = frame.f_back  # re.compile, re.sub...: the caller is the code that wants the pattern
    where = frame.f_code.co_filename.split(os.sep) if frame is not None else []
    if "yaml" in where or "jinja2" in where:
        compiled.append(pattern)
    return real(pattern, flags)
re._compiler.compile = counting
from policyc.cli import main
code = main(["build", sys.argv[1], "-o", sys.argv[2]])
print(json.dumps({"code": code, "compiled": len(compiled)}))
"""


def test_a_build_compiles_its_libraries_patterns_once(tmp_path: Path) -> None:
    """The backends load PyYAML and Jinja through `compiled_by`: the next build compiles none of the
    patterns of their code, and writes the same files."""
    policy = Path(__file__).resolve().parent.parent / "examples" / "infotek" / "privacy.policy"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("POLICYC_NO_CACHE", None)
    runs = []
    for out in ("first", "second"):
        done = subprocess.run([sys.executable, "-c", BUILDING, str(policy), str(tmp_path / out)],
                              capture_output=True, text=True, env=env, check=True)
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    assert runs[0]["code"] == runs[1]["code"] == 0
    assert runs[0]["compiled"] >= 10 and runs[1]["compiled"] == 0  # PyYAML and Jinja compile some thirty
    first = {p.relative_to(tmp_path / "first"): p.read_bytes() for p in (tmp_path / "first").rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "second"): p.read_bytes() for p in (tmp_path / "second").rglob("*")
              if p.is_file()}
    assert first and first == second
