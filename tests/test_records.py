"""`policyc.records` makes the classes `dataclasses` would make, and compiles their methods once."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policyc import records

OPTIONS = [
    {},
    {"slots": True},
    {"frozen": True},
    {"frozen": True, "slots": True},
    {"slots": True, "unsafe_hash": True},
    {"slots": True, "eq": False, "repr": False},
    {"eq": False},
]


def _pair(options: dict[str, bool]) -> tuple[type, type]:
    """The same class made by `dataclasses.dataclass` and by `records.record`, with the same options."""
    made = []
    for decorate, make_field in ((dataclasses.dataclass, dataclasses.field), (records.record, records.field)):
        class Point:
            """A test class."""

            name: str
            x: int = 0
            tags: list[str] = make_field(default_factory=list)
            note: str = make_field(default="", repr=False, compare=False)

        made.append(decorate(**options)(Point))  # type: ignore[call-overload]
    return made[0], made[1]


def _hashes(cls: type) -> str:
    if cls.__hash__ is None:  # type: ignore[comparison-overlap]
        return "unhashable"
    return "identity" if cls.__hash__ is object.__hash__ else "by value"


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_a_record_behaves_as_the_dataclass_with_the_same_options(options: dict[str, bool]) -> None:
    expected_class, actual_class = _pair(options)
    expected, actual = expected_class("a", 2, ["t"], "n"), actual_class("a", 2, ["t"], "n")
    assert [(f.name, f.repr, f.compare) for f in dataclasses.fields(expected)] == [
        (f.name, f.repr, f.compare) for f in records.fields(actual)]
    if options.get("repr", True):
        assert repr(actual).replace("test_a_record_behaves_as_the_dataclass_with_the_same_options.<locals>.", "") \
            == repr(expected).replace("test_a_record_behaves_as_the_dataclass_with_the_same_options.<locals>.", "")
        assert "note=" not in repr(actual)
    assert _hashes(actual_class) == _hashes(expected_class)
    same = (expected == expected_class("a", 2, ["t"], "other"), actual == actual_class("a", 2, ["t"], "other"))
    assert same[0] == same[1]
    assert (actual == actual_class("b")) is False
    assert actual.__eq__(object()) is NotImplemented or not options.get("eq", True)
    if _hashes(actual_class) == "by value":
        assert hash(actual_class("a", 2, ("t",), "n")) == hash(actual_class("a", 2, ("t",), "other note"))
        assert hash(actual_class("a", 2, ("t",))) != hash(actual_class("a", 3, ("t",)))
    assert actual_class("a").tags == [] and actual_class("a").tags is not actual_class("a").tags
    assert hasattr(actual, "__dict__") == hasattr(expected, "__dict__")
    assert getattr(actual_class, "__slots__", None) == getattr(expected_class, "__slots__", None)
    assert actual_class.__match_args__ == expected_class.__match_args__
    if options.get("frozen"):
        with pytest.raises(records.FrozenInstanceError):
            actual.x = 3
        with pytest.raises(records.FrozenInstanceError):
            del actual.x
    else:
        actual.x = 3
        assert actual.x == 3
    # Copying and replace keep every field (pickling: `test_records_pickle`).
    for again in (copy.copy(actual), copy.deepcopy(actual)):
        assert records.fields(again) == records.fields(actual)
        assert [getattr(again, f.name) for f in records.fields(again)] == [
            getattr(actual, f.name) for f in records.fields(actual)]
    changed = records.replace(actual, x=9)
    assert (changed.name, changed.x, changed.tags, changed.note) == (actual.name, 9, actual.tags, actual.note)


def test_inheritance_defaults_post_init_and_refusals() -> None:
    @records.record(slots=True, eq=False, repr=False)
    class Base:
        """A base."""

        key: str
        title: str = ""

    @records.record(slots=True, eq=False, repr=False)
    class Child(Base):
        """A child, with one more field and a check after its fields are set."""

        extra: int = 1
        seen: list[str] = records.field(default_factory=list)

        def __post_init__(self) -> None:
            self.seen.append(self.key)

    child = Child("k", "T", 5)
    assert [f.name for f in records.fields(child)] == ["key", "title", "extra", "seen"]
    assert (child.key, child.title, child.extra, child.seen) == ("k", "T", 5, ["k"])
    assert Child.__slots__ == ("extra", "seen") and not hasattr(child, "__dict__")
    assert child != Child("k", "T", 5) and hash(child) == object.__hash__(child)
    assert records.is_record(child) and records.is_record(Child) and not records.is_record(object())
    with pytest.raises(TypeError, match="fields"):
        records.fields(object())
    with pytest.raises(TypeError, match="non-default argument 'late'"):
        @records.record
        class Late:
            """Refused."""

            early: int = 0
            late: int
    with pytest.raises(ValueError, match="mutable default"):
        @records.record
        class Shared:
            """Refused."""

            items: list[int] = []  # noqa: RUF012
    with pytest.raises(TypeError, match="__hash__"):
        @records.record(unsafe_hash=True)
        class Hashed:
            """Refused."""

            value: int

            def __hash__(self) -> int:
                return 0


@records.record(frozen=True, slots=True)
class FrozenPoint:
    """A frozen, slotted record at module level (so that pickle finds it by name)."""

    x: int
    tags: tuple[str, ...] = ()


@records.record(slots=True)
class Point:
    """A slotted record at module level."""

    x: int
    tags: list[str] = records.field(default_factory=list)


@records.record(slots=True)
class CountedPoint(Point):
    """A record whose constructor does more than set its fields: it must not run again on unpickling."""

    def __post_init__(self) -> None:
        self.tags.append("made")


def test_pickling_calls_the_constructor_only_where_that_makes_the_same_record() -> None:
    assert Point(2, ["b"]).__reduce__() == (Point, (2, ["b"]))
    again = pickle.loads(pickle.dumps(CountedPoint(3)))
    assert type(again) is CountedPoint and again.tags == ["made"]
    assert copy.deepcopy(CountedPoint(4)).tags == ["made"]


def test_records_pickle() -> None:
    for value in (FrozenPoint(1, ("a",)), Point(2, ["b"])):
        again = pickle.loads(pickle.dumps(value))
        assert type(again) is type(value) and again == value


def test_the_packages_records_pickle_and_compare_as_before() -> None:
    from policyc.diagnostics.model import Fix, Span
    from policyc.values import Duration

    span = Span("a.policy", 0, 4, 1, 1, 1, 5)
    assert pickle.loads(pickle.dumps(span)) == span and hash(span) == hash(Span("a.policy", 0, 4, 1, 1, 1, 5))
    assert pickle.loads(pickle.dumps(Duration(6, "Y"))) == Duration(6, "Y")
    with pytest.raises(ValueError, match="unit"):
        Duration(6, "X")  # its __post_init__ still runs
    fix = Fix("add a basis", ())
    with pytest.raises(records.FrozenInstanceError):
        fix.title = "other"  # type: ignore[misc]


def _run(code: str, cache: Path) -> dict[str, Any]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("POLICYC_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


PROBE = """
import builtins, json, sys
compiled = []
real = builtins.compile
def counting(source, *args, **kwargs):
    if args and args[0] == "<policyc record>":
        compiled.append(source)
    return real(source, *args, **kwargs)
builtins.compile = counting
import policyc.driver
print(json.dumps({"compiled": len(compiled), "dataclasses": "dataclasses" in sys.modules}))
"""


def test_methods_are_compiled_once_then_read_from_the_cache_folder(tmp_path: Path) -> None:
    first = _run(PROBE, tmp_path)
    assert first["compiled"] > 50  # every record of a check, the first time
    assert not first["dataclasses"]  # nor `inspect` and the rest that dataclasses imports
    (cached,) = (tmp_path / "policyc").glob("records-*.marshal")
    assert _run(PROBE, tmp_path)["compiled"] == 0
    cached.write_bytes(b"\x00not marshal data")  # a damaged file is only a cache miss
    assert _run(PROBE, tmp_path)["compiled"] == first["compiled"]
    assert _run(PROBE, tmp_path)["compiled"] == 0


def test_no_cache_file_with_the_cache_off(tmp_path: Path) -> None:
    code = "import os\nos.environ['POLICYC_NO_CACHE'] = '1'\n" + PROBE
    assert _run(code, tmp_path)["compiled"] > 50
    assert not list(tmp_path.glob("policyc/records-*"))


def test_a_cached_entry_is_found_by_its_whole_source(tmp_path: Path) -> None:
    # Two records with the same fields and options share their compiled methods; the defaults are
    # arguments, not part of the source, so each keeps its own.
    made: list[Callable[[], Any]] = []
    for default in (1, 2):
        @records.record(slots=True)
        class Same:
            """A test class."""

            value: int = default

        made.append(Same)
    assert made[0]().value == 1 and made[1]().value == 2


def test_a_record_inside_its_own_repr_is_shown_as_dataclasses_shows_it() -> None:
    made = []
    for decorate, make_field in ((dataclasses.dataclass, dataclasses.field), (records.record, records.field)):
        class Node:
            """A node that can hold itself."""

            name: str
            children: list[Any] = make_field(default_factory=list)

        made.append(decorate(Node))
    expected, actual = made[0]("a"), made[1]("a")
    expected.children.append(expected)
    actual.children.append(actual)
    assert repr(actual) == repr(expected) == (
        "test_a_record_inside_its_own_repr_is_shown_as_dataclasses_shows_it.<locals>.Node(name='a', children=[...])")
    assert made[1].__repr__.__module__ == __name__ and made[1].__init__.__qualname__.endswith("Node.__init__")
