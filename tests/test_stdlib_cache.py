"""The on-disk snapshot of the standard library: a check with it is the same as a check without it,
and a stale, corrupt or unwritable cache only costs time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from policyc import driver, records, resolver, resources, stdlib_cache
from policyc.schema import KINDS

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "examples" / "infotek" / "privacy.policy"


def _forget() -> None:
    stdlib_cache.reset()
    resolver._stdlib_module.cache_clear()
    driver._STDLIB_TYPED.clear()


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYC_NO_CACHE", raising=False)
    _forget()
    yield tmp_path / "cache" / "policyc"
    _forget()


def _deep(value: object) -> object:
    """Every field of a model, recursively, as plain data (entities print only their names)."""
    if records.is_record(value) and not isinstance(value, type):
        return (type(value).__name__,
                *((f.name, _deep(getattr(value, f.name))) for f in records.fields(value) if f.repr))
    if isinstance(value, (list, tuple)):
        return tuple(_deep(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(repr(_deep(v)) for v in value))
    if isinstance(value, dict):
        return tuple((repr(k), _deep(v)) for k, v in value.items())
    return repr(value)


def _summary(result: driver.CheckResult) -> tuple[object, ...]:
    return (
        [(d.code, d.message, d.span, d.severity) for d in result.diagnostics],
        {path: _deep(model) for path, model in result.models.items()},
    )


def _check_fresh() -> tuple[object, ...]:
    _forget()
    return _summary(driver.check_files([POLICY]))


def test_a_check_with_the_snapshot_equals_one_without(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYC_NO_CACHE", "1")
    without = _check_fresh()
    assert not list(cache_home.glob("stdlib-*"))
    monkeypatch.delenv("POLICYC_NO_CACHE")
    built = _check_fresh()  # builds and stores the snapshot
    assert len(list(cache_home.glob("stdlib-*.pickle"))) == 1
    loaded = _check_fresh()  # reads it back
    assert stdlib_cache.snapshot() is not None
    assert without == built == loaded


def test_kinds_are_the_schemas_own_objects(cache_home: Path) -> None:
    stdlib_cache.store(stdlib_cache.cache_file("k"), stdlib_cache.build())
    snap = stdlib_cache.load(stdlib_cache.cache_file("k"))
    assert snap is not None
    specs = [t.spec for decls in snap.typed.values() for t in decls if t.spec is not None]
    assert specs and all(spec is KINDS[spec.name] for spec in specs)
    # the typed declarations point at the very declarations of the modules
    core = snap.modules["core"]
    assert {id(t.decl) for t in snap.typed["core"]} <= {id(d) for d in core.tree.decls}
    assert all(t.module is snap.modules[name] for name, decls in snap.typed.items() for t in decls)


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01.", b"\x80\x05\x95garbage"])
def test_a_corrupt_file_is_rebuilt(cache_home: Path, content: bytes) -> None:
    expected = _check_fresh()
    digest = stdlib_cache.key()
    assert digest is not None
    path = stdlib_cache.cache_file(digest)
    path.write_bytes(content)
    assert stdlib_cache.load(path) is None
    assert _check_fresh() == expected
    assert stdlib_cache.load(path) is not None  # replaced by a good one


def test_a_stale_file_is_never_read(cache_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _check_fresh()
    before = stdlib_cache.key()
    library = tmp_path / "stdlib"
    library.mkdir()
    for path in resolver.stdlib_dir().glob("*.policy"):
        (library / path.name).write_bytes(path.read_bytes())
    core = library / "core.policy"
    core.write_text(core.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(resources, "stdlib_dir", lambda: library)
    monkeypatch.setattr(resolver, "stdlib_dir", lambda: library)
    assert stdlib_cache.key() != before
    _forget()
    snap = stdlib_cache.snapshot()
    assert snap is not None and snap.modules["core"].source.text.endswith("# edited\n")
    assert len(list(cache_home.glob("stdlib-*.pickle"))) == 2


def test_an_unwritable_cache_still_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # policyc/ cannot be made under a file
    monkeypatch.setenv("POLICYC_NO_CACHE", "1")
    expected = _check_fresh()
    monkeypatch.delenv("POLICYC_NO_CACHE")
    try:
        assert _check_fresh() == expected
        assert stdlib_cache.snapshot() is not None  # built in memory, used, not stored
        assert not stdlib_cache.store(stdlib_cache.cache_file("x"), stdlib_cache.build())
    finally:
        _forget()


def test_the_command_writes_and_reuses_the_cache(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("POLICYC_NO_CACHE", None)
    runs = [subprocess.run([sys.executable, "-m", "policyc", "check", str(POLICY)], env=env, capture_output=True,
                           text=True, check=False) for _ in range(2)]
    off = subprocess.run([sys.executable, "-m", "policyc", "check", str(POLICY)],
                         env={**env, "POLICYC_NO_CACHE": "1"}, capture_output=True, text=True, check=False)
    assert len(list((tmp_path / "policyc").glob("stdlib-*.pickle"))) == 1
    assert [(r.returncode, r.stdout, r.stderr) for r in runs] == [(off.returncode, off.stdout, off.stderr)] * 2
    assert not list((tmp_path / "policyc").glob(".stdlib-*"))  # no temporary file left behind


def test_the_key_covers_every_module_that_builds_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every policyc module a fresh process imports to parse, link and type the library (and so every
    class pickled) is part of the key: a change to any of them names another file."""
    script = ("import sys; from policyc import stdlib_cache; stdlib_cache.build(); "
              "print('\\n'.join(m.__file__ for n, m in list(sys.modules.items()) "
              "if n.startswith('policyc') and getattr(m, '__file__', None)))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POLICYC_NO_CACHE": "1"}
    used = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    imported = {Path(line).resolve() for line in used.stdout.splitlines() if line}
    assert len(imported) > 10
    read: list[Path] = []
    original = Path.read_bytes

    def recording(path: Path) -> bytes:
        read.append(path.resolve())
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    assert stdlib_cache.key() is not None
    assert imported <= set(read), sorted(map(str, imported - set(read)))
    assert {p.resolve() for p in resolver.stdlib_dir().glob("*.policy")} <= set(read)


def test_unused_cache_files_are_removed_when_a_new_snapshot_is_written(cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    old = time.time() - (stdlib_cache.KEEP_UNUSED_DAYS + 1) * 24 * 3600
    stale = [cache_home / "stdlib-000000000000000000000000.pickle", cache_home / "grammar-0000000000000000.tables",
             cache_home / "records-cpython-310.marshal", cache_home / "patterns-cpython-310-030a00f0.marshal",
             cache_home / "templates-0000000000000000" / "__jinja2_0000.cache"]
    stale[-1].parent.mkdir(parents=True)
    recent = cache_home / "stdlib-111111111111111111111111.pickle"
    other = cache_home / "notes.txt"  # not policyc's: never touched
    for path in [*stale, recent, other]:
        path.write_bytes(b"x")
    for path in [*stale, other]:
        os.utime(path, (old, old))
    assert stdlib_cache.snapshot() is not None  # builds and stores this version's snapshot
    assert not any(path.exists() for path in stale)
    assert recent.exists() and other.exists()
    assert len(list(cache_home.glob("stdlib-*.pickle"))) == 2


def test_a_snapshot_read_is_marked_as_used(cache_home: Path) -> None:
    assert stdlib_cache.snapshot() is not None
    [path] = cache_home.glob("stdlib-*.pickle")
    long_ago = time.time() - 10 * 24 * 3600
    os.utime(path, (long_ago, long_ago))
    _forget()
    assert stdlib_cache.snapshot() is not None  # read, not rebuilt
    assert time.time() - path.stat().st_mtime < 3600
    assert stdlib_cache.prune(cache_home) == []


def test_compiled_templates_are_kept_and_give_the_same_notice(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    env.pop("POLICYC_NO_CACHE", None)
    outputs = []
    for run in range(2):
        out = tmp_path / f"out{run}"
        subprocess.run([sys.executable, "-m", "policyc", "build", str(POLICY), "-o", str(out), "--format", "md,html"],
                       env=env, capture_output=True, check=True)
        outputs.append(sorted((p.name, p.read_bytes()) for p in out.iterdir()))
    assert outputs[0] == outputs[1]
    compiled = list((tmp_path / "cache" / "policyc").glob("templates-*/__jinja2_*.cache"))
    assert len({p.parent for p in compiled}) == 2  # one folder per backend
    off = tmp_path / "off"
    subprocess.run([sys.executable, "-m", "policyc", "build", str(POLICY), "-o", str(tmp_path / "out-off"),
                    "--format", "md,html"], env={**env, "XDG_CACHE_HOME": str(off), "POLICYC_NO_CACHE": "1"},
                   capture_output=True, check=True)
    assert not list(off.glob("policyc/templates-*"))
