"""The folder where policyc keeps what it can make again (`~/.cache/policyc`), and how a file gets there.

Every file in it is a cache: named by what it was made from, written atomically, and ignored (then
made again) when it cannot be read. `POLICYC_NO_CACHE=1` turns all of them off.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Hashable
from pathlib import Path


def enabled() -> bool:
    """False when `POLICYC_NO_CACHE` asks for no cache files."""
    return os.environ.get("POLICYC_NO_CACHE", "").strip() not in ("1", "true", "yes")


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policyc"


DAY = 24 * 60 * 60


def mark_used(path: Path | str) -> None:
    """Record that a cache file was used (at most once a day: one system call); the files no run has
    used for a month are removed (`policyc.stdlib_cache.prune`)."""
    import time

    try:
        if time.time() - os.stat(path).st_mtime > DAY:
            os.utime(path)
    except OSError:
        pass


def write_atomic(path: Path, data: bytes) -> bool:
    """Write a cache file atomically (a temporary file renamed over the name), so that a process never
    reads half a file; False if it could not be written."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name.split('-')[0]}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return False
    return True


class KeptValues:
    """Values made from keys, kept in one file of the cache folder (`<name>-<python version>.marshal`)
    for the next runs: the records' compiled methods, the rules' compiled patterns.

    What is kept is made by this exact Python version and read only by it (`marshal`'s format and what
    the values mean can change from one version to the next). A value is looked up by the exact key it
    was made from, so an entry can be stale but never wrong; a file that cannot be read is ignored, and
    `valid` refuses a value of the wrong shape. New values are written back when the program ends."""

    LIMIT = 4000  # entries; past it, only those this process used are written back

    def __init__(self, name: str, valid: Callable[[object], bool]) -> None:
        self.name = name
        self.valid = valid
        self._entries: dict[Hashable, object] | None = None
        self._used: set[Hashable] = set()
        self._added = False

    def get(self, key: Hashable) -> object | None:
        if self._entries is None:
            self._entries = self._load()
        self._used.add(key)
        value = self._entries.get(key)
        return value if value is not None and self.valid(value) else None

    def put(self, key: Hashable, value: object) -> None:
        if self._entries is None:
            self._entries = self._load()
        self._used.add(key)
        self._entries[key] = value
        if not self._added:
            self._added = True
            import atexit

            atexit.register(self.store)

    def keeps(self) -> bool:
        """Whether what is put is written to the cache folder (False with `POLICYC_NO_CACHE`)."""
        return enabled()

    def path(self) -> Path | None:
        if not enabled():
            return None
        return cache_folder() / f"{self.name}-{sys.implementation.cache_tag}-{sys.hexversion:08x}.marshal"

    def _load(self) -> dict[Hashable, object]:
        path = self.path()
        if path is None:
            return {}
        try:
            with open(path, "rb") as handle:
                loaded = marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        mark_used(path)
        return loaded if isinstance(loaded, dict) else {}

    def store(self) -> None:
        """Write the entries back (atomically), when this process made new ones."""
        path = self.path()
        if path is None or self._entries is None or not self._added:
            return
        kept = self._entries
        if len(kept) > self.LIMIT:
            kept = {key: value for key, value in kept.items() if key in self._used}
        try:
            data = marshal.dumps(kept)
        except ValueError:  # a value marshal cannot write: nothing is kept rather than a broken file
            return
        write_atomic(path, data)
        self._added = False
