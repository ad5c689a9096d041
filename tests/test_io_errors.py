"""I/O problems are the user's to fix: one line naming the file and what went wrong, exit 2, never
"internal error", and a failed build or fmt leaves every earlier file as it was."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from policyc.cli import main
from tests.conftest import REPO

CLEAN = REPO / "tests" / "policies" / "uk_gdpr_complete.policy"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def one_line_error(err: str, *fragments: str) -> None:
    assert "internal error" not in err and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("policyc:")]
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], err


def test_build_into_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").write_text("not a folder")
    code, err = run(capsys, "build", str(CLEAN), "-o", str(tmp_path / "out"), "--format", "json")
    assert code == 2
    one_line_error(err, "out")
    code, err = run(capsys, "build", str(CLEAN), "-o", str(tmp_path / "out" / "site"), "--format", "json")
    assert code == 2
    one_line_error(err, "Not a directory")


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"),
                                     PermissionError(errno.EACCES, "Permission denied")])
def test_build_that_cannot_write_leaves_the_old_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch, failure: OSError) -> None:
    out = tmp_path / "site"
    assert main(["build", str(CLEAN), "-o", str(out), "--format", "md,json"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    real = os.fdopen
    calls = []

    def failing_fdopen(fd: int, *args: object, **kwargs: object) -> object:
        calls.append(fd)
        if len(calls) == 2:  # the second output: the first is already written to its temporary file
            os.close(fd)
            raise failure
        return real(fd, *args, **kwargs)  # type: ignore[call-overload]

    (tmp_path / "edited.policy").write_text(CLEAN.read_text().replace("Example", "Changed"))
    shutil.copy(tmp_path / "edited.policy", tmp_path / "uk_gdpr_complete.policy")
    monkeypatch.setattr(os, "fdopen", failing_fdopen)
    code, err = run(capsys, "build", str(tmp_path / "uk_gdpr_complete.policy"), "-o", str(out), "--format", "md,json")
    monkeypatch.undo()
    assert code == 2
    one_line_error(err, failure.strerror or "")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary file, nothing replaced


def test_fmt_on_a_full_disk(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.policy"
    text = "controller acme   \"Acme\" {\n  legal_name   \"Acme\"\n}\n"
    path.write_text(text)

    def full(fd: int, *args: object, **kwargs: object) -> None:
        os.close(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", full)
    code, err = run(capsys, "fmt", str(path))
    monkeypatch.undo()
    assert code == 2
    one_line_error(err, "No space left on device")
    assert path.read_text() == text
    assert [p.name for p in tmp_path.iterdir()] == ["p.policy"]


@pytest.mark.parametrize("command", [("check",), ("fmt", "--check"), ("build", "-o", "OUT")])
def test_missing_and_unreadable_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    code, err = run(capsys, *args[:1], str(tmp_path / "missing.policy"), *args[1:])
    assert code == 2
    one_line_error(err, "missing.policy")
    path = tmp_path / "locked.policy"
    path.write_text("controller acme \"Acme\" {\n}\n")
    real_open = os.open

    def refuse(name: object, *rest: object, **kwargs: object) -> int:
        if str(name).endswith("locked.policy"):
            raise PermissionError(errno.EACCES, "Permission denied", str(name))
        return real_open(name, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    code, err = run(capsys, *args[:1], str(path), *args[1:])
    assert code == 2
    one_line_error(err, "locked.policy", "Permission denied")


def test_diff_of_a_missing_version_and_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "diff", str(tmp_path / "old.policy"), str(CLEAN))
    assert code == 2
    one_line_error(err, "old.policy")
    code, err = run(capsys, "diff", str(tmp_path), str(CLEAN))
    assert code == 2
    assert "internal error" not in err


def test_a_pipe_is_refused_not_waited_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    fifo = tmp_path / "pipe.policy"
    os.mkfifo(fifo)
    code, err = run(capsys, "check", str(fifo))
    assert code == 2
    one_line_error(err, "not a regular file")
