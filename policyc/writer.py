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

from policyc.records import field, record

Content = str | bytes


def write_file(target: str | os.PathLike[str], content: Content) -> Path:
    """Replace one file atomically. A symbolic link is followed (the file it points to is replaced).
    Text is written as UTF-8 with its line ends as they are; bytes as they are. Raises OSError."""
    return write_all([(Path(target), content)])[0]


def write_all(outputs: Sequence[tuple[Path, Content]]) -> list[Path]:
    """Write every output, all or nothing (see the module's docstring). Returns the targets, in order.
    Raises OSError."""
    commit([stage_all(outputs)])
    return [Path(target) for target, _ in outputs]


@record
class Staged:
    """Files written in full beside their targets and not yet in place (`stage_all`): `commit` renames
    them over their targets, `discard` removes them and the folders made for them. A build in several
    processes stages each process's files there and commits them all in the parent."""

    files: list[tuple[str, Path]] = field(default_factory=list)  # (temporary file, the file it replaces)
    folders: list[Path] = field(default_factory=list)  # made for them, outermost first


def stage_all(outputs: Sequence[tuple[Path, Content]]) -> Staged:
    """Write every output to a temporary file beside its target, making the folders it needs. After an
    I/O error nothing staged is left: the temporary files and the folders made are removed. Raises OSError."""
    staged = Staged()
    folders: set[Path] = set()  # made (or found) already in this call
    new_mode = 0o666 & ~_umask()
    try:
        for target, content in outputs:
            real = Path(os.path.realpath(target))
            if real.parent not in folders:
                staged.folders += _make_folder(real.parent)
                folders.add(real.parent)
            staged.files.append((_stage(real, content, new_mode), real))
    except BaseException:
        discard([staged])
        raise
    return staged


def commit(sets: Sequence[Staged]) -> None:
    """Rename the staged files over their targets, in order. If one cannot be, the files not yet renamed
    are removed and the error raised (those renamed stay: each is a whole file). Raises OSError."""
    files = [file for staged in sets for file in staged.files]
    for index, (temporary, real) in enumerate(files):
        try:
            os.replace(temporary, real)
        except BaseException:
            for left, _ in files[index:]:
                _remove(left)
            raise


def discard(sets: Sequence[Staged]) -> None:
    """Remove the staged files, then the folders made for them that are empty again (every set's files
    first: one set's folder may hold another's files)."""
    for staged in sets:
        for temporary, _ in staged.files:
            _remove(temporary)
    for staged in reversed(sets):
        for folder in reversed(staged.folders):
            try:
                folder.rmdir()
            except OSError:
                continue


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
