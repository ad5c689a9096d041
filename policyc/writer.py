"""The one way policyc writes a file: `fmt`, `build` and `import` all come through here.

Every file is first written in full to a temporary file beside its target and then renamed over it,
so no reader (a web server, an editor) ever sees half a file. `write_all` stages a whole set first
and renames only when every file is staged: an I/O error part-way (a full disk, a read-only folder,
a file where a folder should be) removes the temporary files and the folders made for them, and
leaves every previous output as it was.

Permissions are those of an ordinary file, not the temporary file's 0600: a file that exists keeps
its mode; a new one gets `0666 & ~umask` (0644 under the usual umask), so a web server running as
another user can read a published site.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

Content = str | bytes


def write_file(target: str | os.PathLike[str], content: Content) -> Path:
    """Replace one file atomically. A symbolic link is followed (the file it points to is replaced).
    Text is written as UTF-8 with its line ends as they are; bytes as they are. Raises OSError."""
    return write_all([(Path(target), content)])[0]


def write_all(outputs: Sequence[tuple[Path, Content]]) -> list[Path]:
    """Write every output, all or nothing (see the module's docstring). Returns the targets, in order.
    Raises OSError."""
    staged: list[tuple[str, Path]] = []
    folders: set[Path] = set()  # made (or found) already in this call
    made: list[Path] = []  # the folders made, removed again if the set cannot be written
    new_mode = 0o666 & ~_umask()
    try:
        for target, content in outputs:
            real = Path(os.path.realpath(target))
            if real.parent not in folders:
                made += _make_folder(real.parent)
                folders.add(real.parent)
            staged.append((_stage(real, content, new_mode), real))
    except BaseException:
        for temporary, _ in staged:
            _remove(temporary)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                continue
        raise
    for index, (temporary, real) in enumerate(staged):
        try:
            os.replace(temporary, real)
        except BaseException:
            for left, _ in staged[index:]:
                _remove(left)
            raise
    return [Path(target) for target, _ in outputs]


def _make_folder(folder: Path) -> list[Path]:
    """Make a folder and any missing parents; the folders made, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and folder.parent != folder:  # a file in the way: mkdir says so below
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            if not each.is_dir():
                raise
            continue  # made meanwhile by another process: not this call's to remove
        made.append(each)
    return made


def _stage(target: Path, content: Content, new_mode: int) -> str:
    """A temporary file beside `target` holding `content`, with the mode `target` has (or `new_mode`)."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = new_mode
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content if isinstance(content, bytes) else content.encode("utf-8"))
            os.fchmod(stream.fileno(), mode)
    except BaseException:
        _remove(temporary)
        raise
    return temporary


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
