"""The one writer behind fmt, build and import: atomic, all or nothing, ordinary permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from policyc.cli import main
from policyc.writer import write_all, write_file

COMPLETE = Path(__file__).resolve().parent / "policies" / "uk_gdpr_complete.policy"


def test_an_existing_file_keeps_its_mode_and_a_link_is_followed(tmp_path: Path) -> None:
    target = tmp_path / "a.policy"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.policy"
    link.symlink_to(target)
    write_file(link, "new\r\n")
    assert link.is_symlink() and target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.policy", "link.policy"]


def test_a_new_file_gets_the_ordinary_mode_not_the_temporary_files(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_file(tmp_path / "site" / "index.html", "<p>x</p>\n")
        write_file(tmp_path / "site" / "record.xlsx", b"PK\x03\x04")
        os.umask(0o027)
        write_file(tmp_path / "site" / "private.json", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "site" / "index.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "site" / "record.xlsx").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "site" / "private.json").stat().st_mode) == 0o640


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.policy"
    target.write_text("old\n", encoding="utf-8")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_file(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.policy"]


def test_a_set_is_written_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("old a\n", encoding="utf-8")
    (tmp_path / "blocker").write_text("a file where a folder should be\n", encoding="utf-8")
    with pytest.raises(OSError):
        write_all([(tmp_path / "a.md", "new a\n"), (tmp_path / "blocker" / "b.md", "new b\n")])
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "old a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "blocker"]


def test_a_set_that_fails_removes_the_folders_it_made(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be\n", encoding="utf-8")
    with pytest.raises(OSError):
        write_all([(tmp_path / "new" / "deep" / "a.md", "a\n"), (tmp_path / "blocker" / "b.md", "b\n")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_built_and_formatted_files_are_readable_by_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "notice.policy"
    source.write_text(COMPLETE.read_text(encoding="utf-8") + "\n\n\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert main(["build", str(source), "-o", str(tmp_path / "site")]) == 0
        assert main(["fmt", str(source)]) == 0
    finally:
        os.umask(old)
    capsys.readouterr()
    built = [p for p in (tmp_path / "site").rglob("*") if p.is_file()]
    assert built and {stat.S_IMODE(p.stat().st_mode) for p in built} == {0o644}
    assert stat.S_IMODE(source.stat().st_mode) == 0o644
