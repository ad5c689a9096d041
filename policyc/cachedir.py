"""The folder where policyc keeps what it can make again (`~/.cache/policyc`), and how a file gets there.

Every file in it is a cache: named by what it was made from, written atomically, and ignored (then
made again) when it cannot be read. `POLICYC_NO_CACHE=1` turns all of them off.
"""

from __future__ import annotations

import os
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
