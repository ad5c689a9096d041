"""The standard library, parsed and type-checked, kept on disk between runs.

Every check needs the standard library (`stdlib/*.policy`, about 3,000 lines): parsing and type
checking it took about a third of a `policyc check` process. The first run stores the parsed modules
and their typed declarations in one pickle in the user's cache folder (`$XDG_CACHE_HOME/policyc`,
else `~/.cache/policyc`); later runs load it.

The file's name is a digest of everything the result depends on: the policyc version, the Python
version, the grammar, the standard library's files and the source of the modules that parse, resolve
and type-check it or whose classes are pickled (every module of the package's top folder and of
`diagnostics/` and `parser/`). A change to any of them gives another name, so a stale file is never read. A file
that cannot be read, does not unpickle or holds something else is ignored and rebuilt; a folder that
cannot be written only means the standard library is parsed in each process, as without the cache.
`POLICYC_NO_CACHE=1` turns the cache off.

Files are not left to pile up: a file read is marked as used (its modification time, at most once a
day), and writing a new snapshot removes the cache files (snapshots, parser tables, the records' methods
and the compiled patterns) that no run has used for `KEEP_UNUSED_DAYS` days, such as those of an earlier
policyc version. (Compiled templates, kept by Jinja beside them, are pruned the same way.)
"""

from __future__ import annotations

import gc
import io
import pickle
import sys
import zlib
from pathlib import Path

from policyc import TYPE_CHECKING
from policyc.cachedir import DAY, cache_folder, enabled, mark_used, write_atomic
from policyc.records import record

if TYPE_CHECKING:
    from typing import Any

    from policyc.resolver import Module
    from policyc.typecheck import TypedDecl

KEEP_UNUSED_DAYS = 30
# Every file policyc keeps in the folder: snapshots, parser tables, compiled methods, patterns and templates.
_PATTERNS = ("stdlib-*.pickle", "grammar-*.tables", "records-*.marshal", "patterns-*.marshal",
             "library-patterns-*.marshal", "templates-*/__jinja2_*.cache")

FORMAT = 1  # bump when the layout of the pickled `Snapshot` changes

# The folders whose modules decide what a parsed and typed standard library looks like, or define the
# classes pickled: every module in them is part of the key (the parser, resolver, type checker, the
# syntax tree, the values and the schema, wherever they live in these folders).
_SOURCE_FOLDERS = ("", "diagnostics", "parser")


@record
class Snapshot:
    """Every standard-library module (by name, linked to the modules it uses) and its typed declarations."""

    modules: dict[str, Module]
    typed: dict[str, list[TypedDecl]]


class _State:
    snapshot: Snapshot | None = None
    done = False
    busy = False


_state = _State()


def snapshot() -> Snapshot | None:
    """The standard library of this process: loaded from the cache, or built (and stored) once.

    None while it is being built (the build parses through the ordinary path) and when the cache is
    off, in which case each module is parsed when first used."""
    if _state.done or _state.busy:
        return _state.snapshot
    _state.busy = True
    try:
        _state.snapshot = _load_or_build() if enabled() else None
    finally:
        _state.busy = False
        _state.done = True
    return _state.snapshot


def module(name: str) -> Module | None:
    """A standard-library module from the snapshot; None when there is no snapshot or no such module."""
    snap = snapshot()
    return snap.modules.get(name) if snap is not None else None


def typed(name: str) -> list[TypedDecl] | None:
    """The typed declarations of a standard-library module, if the snapshot holds them."""
    snap = _state.snapshot
    return snap.typed.get(name) if snap is not None else None


def reset() -> None:
    """Forget this process's snapshot (tests)."""
    _state.snapshot, _state.done, _state.busy = None, False, False
    gc.unfreeze()


# -- the file ------------------------------------------------------------------------------------------
class Checksum:
    """A checksum of a stream of bytes naming a cache file: CRC-32 and Adler-32 of the bytes, and
    their count (24 hex digits). It tells versions of the cache's inputs apart as a cryptographic
    digest would, and needs no OpenSSL: importing `hashlib` cost a third of a bare Python start."""

    __slots__ = ("adler", "crc", "size")

    def __init__(self, data: bytes = b"") -> None:
        self.crc, self.adler, self.size = 0, 1, 0
        self.update(data)

    def update(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.adler = zlib.adler32(data, self.adler)
        self.size += len(data)

    def hexdigest(self) -> str:
        return f"{self.crc:08x}{self.adler:08x}{self.size & 0xFFFFFFFF:08x}"


def key() -> str | None:
    """The digest naming the cache file, or None when a file it depends on cannot be read."""
    from policyc import __version__
    from policyc.resources import grammar_path, stdlib_dir

    digest = Checksum(f"{FORMAT}\n{__version__}\n{sys.version}\n".encode())
    package = Path(__file__).resolve().parent
    try:
        files = [grammar_path(), *sorted(stdlib_dir().glob("*.policy")),
                 *(path for folder in _SOURCE_FOLDERS for path in sorted((package / folder).glob("*.py")))]
        if len(files) < 3:
            return None  # no source beside the package (a zip, a frozen build): no reliable key
        for path in files:
            data = path.read_bytes()
            digest.update(f"{path.name}\n{len(data)}\n".encode())
            digest.update(data)
    except OSError:
        return None
    return digest.hexdigest()


def cache_file(digest: str) -> Path:
    return cache_folder() / f"stdlib-{digest}.pickle"


def _load_or_build() -> Snapshot | None:
    digest = key()
    if digest is None:
        return None
    path = cache_file(digest)
    loaded = load(path)
    if loaded is not None:
        mark_used(path)
        # The snapshot's objects live as long as the process: out of the collector's generations, no
        # later collection walks them again (in the language server, every collection would).
        gc.freeze()
        return loaded
    built = build()
    if store(path, built):
        prune(path.parent)
    return built


def prune(folder: Path) -> list[Path]:
    """Remove the cache files in `folder` that no run has used for `KEEP_UNUSED_DAYS` days; returns them."""
    import time

    limit = time.time() - KEEP_UNUSED_DAYS * DAY
    removed: list[Path] = []
    for pattern in _PATTERNS:
        for path in folder.glob(pattern):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed


def load(path: Path) -> Snapshot | None:
    """The snapshot in `path`; None if it is missing, unreadable or not a snapshot."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    enabled_gc = gc.isenabled()
    gc.disable()  # tens of thousands of objects that live as long as the process
    try:
        value = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - a corrupt or foreign file is only a missed cache
        return None
    finally:
        if enabled_gc:
            gc.enable()
    return value if isinstance(value, Snapshot) else None


def store(path: Path, snap: Snapshot) -> bool:
    """Write the snapshot atomically; False if it could not be."""
    try:
        data = _dumps(snap)
    except (pickle.PicklingError, RecursionError):
        return False
    return write_atomic(path, data)


def build() -> Snapshot:
    """Parse, link and type-check every standard-library module, as a check would."""
    from policyc.resolver import Program, stdlib_names
    from policyc.typecheck import TypeChecker

    program = Program()
    program.load_prelude()
    for name in stdlib_names():
        program.stdlib(name)
    modules = {name: m for name, m in program.modules.items() if m.stdlib}
    checker = TypeChecker(program)
    return Snapshot(modules, {name: checker.check_module(m) for name, m in modules.items()})


# -- pickling: the kinds of declarations are the schema's own objects, not copies -------------------------
def _dumps(snap: Snapshot) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(snap)
    return out.getvalue()


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        from policyc.schema import KINDS, KindSpec

        if isinstance(obj, KindSpec) and KINDS.get(obj.name) is obj:
            return ("kind", obj.name)
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        from policyc.schema import KINDS

        if isinstance(pid, tuple) and len(pid) == 2 and pid[0] == "kind" and pid[1] in KINDS:
            return KINDS[pid[1]]
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
