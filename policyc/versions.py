"""Versions of a policy to compare: a file on disk, or `git:REV:PATH`, a file as it was in git history.

A version from git is checked as it was: every `.policy` file and every `policyc.toml` and
`pyproject.toml` of that revision are extracted into a temporary folder (so the file's imports and
configuration are those of the revision too), and the file is checked there.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

from policyc.diagnostics.model import Diagnostic, Fix, Severity, Span
from policyc.driver import CheckResult, check_files
from policyc.model import Model
from policyc.records import field, record, replace

GIT_PREFIX = "git:"
# Families whose errors leave no model worth comparing (syntax, names, types).
_BLOCKING = ("S", "N", "T")


class VersionError(Exception):
    """A version that cannot be read or checked well enough to compare; `diagnostics` say why."""

    def __init__(self, message: str, result: CheckResult | None = None, missing: bool = False) -> None:
        super().__init__(message)
        self.result = result
        self.missing = missing  # the file did not exist in that revision


@record
class Version:
    """A version of a policy to compare: its label, its model, and the file names to show."""

    label: str  # as the user wrote it
    model: Model  # only the model is kept: the syntax trees are freed before the other version is read
    files: dict[str, str] = field(default_factory=dict)  # file names to show instead (versions from git)


def is_git(spec: str) -> bool:
    return spec.startswith(GIT_PREFIX)


def split_git(spec: str) -> tuple[str, str]:
    """`git:REV:PATH` -> (REV, PATH); `git:REV` -> (REV, "")."""
    rest = spec[len(GIT_PREFIX):]
    rev, _, path = rest.partition(":")
    if not rev:
        raise VersionError(f"`{spec}`: expected git:REV:PATH, such as git:main:privacy.policy")
    return rev, path


def load(spec: str, default_path: str | None = None) -> Version:
    """Check the version `spec` names and return its model (a VersionError if it has none)."""
    if not is_git(spec):
        path = Path(spec)
        if not path.is_file():
            raise VersionError(f"{spec}: no such file")
        return _model_of(spec, check_files([path]), str(path))
    rev, path_text = split_git(spec)
    path_text = path_text or (default_path or "")
    if not path_text:
        raise VersionError(f"`{spec}`: name the file too, as git:{rev}:PATH")
    with tempfile.TemporaryDirectory(prefix="policyc-") as folder:
        root_relative = _extract(rev, path_text, Path(folder))
        checked = Path(folder) / root_relative
        if not checked.is_file():
            raise VersionError(f"{path_text}: not in git revision {rev}", missing=True)
        result = check_files([checked])
        files = _relabel(result, Path(folder), f"{GIT_PREFIX}{rev}:", Path(root_relative), Path(path_text))
        version = _model_of(f"{GIT_PREFIX}{rev}:{path_text}", result, str(checked))
        version.files = files
        return version


def _model_of(label: str, result: CheckResult, path: str) -> Version:
    blocking = blocking_diagnostics(result)
    if blocking:
        raise VersionError(f"{label}: cannot be compared, it has {len(blocking)} "
                           f"error{'' if len(blocking) == 1 else 's'}", result)
    model = result.models.get(path)
    if model is None:
        raise VersionError(f"{label}: nothing to compare")
    return Version(label, model)


def _relabel(result: CheckResult, folder: Path, prefix: str, root_relative: Path, given: Path) -> dict[str, str]:
    """Show positions in a git version as `git:REV:PATH`, not in the temporary folder they were read from.

    The compared file is shown as the user named it; the files it imports, from the repository root.
    Diagnostics and sources are rewritten; the mapping is returned for the spans of the model.
    """
    files: dict[str, str] = {}
    for name in list(result.sources):
        path = Path(name)
        if path.is_relative_to(folder):
            inside = path.relative_to(folder)
            files[name] = f"{prefix}{(given if inside == root_relative else inside).as_posix()}"
    result.sources = {files.get(name, name): source for name, source in result.sources.items()}
    result.diagnostics = [_moved(d, files) for d in result.diagnostics]
    return files


def _moved(diagnostic: Diagnostic, files: dict[str, str]) -> Diagnostic:
    def span(value: Span) -> Span:
        return replace(value, file=files[value.file]) if value.file in files else value

    def fix(value: Fix) -> Fix:
        return replace(value, edits=tuple(replace(e, file=files.get(e.file, e.file)) for e in value.edits))

    return replace(diagnostic, span=span(diagnostic.span),
                   labels=tuple(replace(label, span=span(label.span)) for label in diagnostic.labels),
                   fixes=tuple(fix(f) for f in diagnostic.fixes))


def _git(args: list[str], cwd: Path | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as err:
        raise VersionError("git is not installed, so `git:` versions cannot be read") from err
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise VersionError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def _extract(rev: str, path_text: str, folder: Path) -> str:
    """Extract the revision's policies and configuration; return the file's path from the repository root."""
    top = Path(_git(["rev-parse", "--show-toplevel"]).decode().strip())
    given = Path(path_text)
    absolute = given if given.is_absolute() else Path.cwd() / given
    try:
        relative = Path(os.path.normpath(absolute.resolve() if absolute.exists() else absolute)).relative_to(
            top.resolve())
    except ValueError as err:
        raise VersionError(f"{path_text}: not inside the git repository at {top}") from err
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=top).decode().strip()
    except VersionError as err:
        raise VersionError(f"git:{rev}: no such revision in the repository at {top} (a branch, tag or commit "
                           "such as `main`, `v1.2` or `HEAD~1`)") from err
    names = [n for n in _git(["ls-tree", "-r", "-z", "--name-only", commit], cwd=top).decode().split("\0")
             if n.endswith(".policy") or n.rsplit("/", 1)[-1] in ("policyc.toml", "pyproject.toml")]
    if names:
        archive = _git(["archive", "--format=tar", commit, "--", *names], cwd=top)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    return relative.as_posix()


def blocking_diagnostics(result: CheckResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity is Severity.ERROR and d.code.startswith(_BLOCKING)]
