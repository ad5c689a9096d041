"""Hostile and broken input: each gets a diagnostic or a one-line error (exit 2), never a traceback or a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


def check(path: Path, *extra: str) -> tuple[int, str, str]:
    result = run_cli("check", "--format", "json", *extra, str(path), timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout
    return result.returncode, result.stdout, result.stderr


def codes_of(stdout: str) -> list[str]:
    return [d["code"] for d in json.loads(stdout)["diagnostics"]]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.policy"
    path.write_bytes(b"")
    status, out, _ = check(path)
    assert status == 0
    assert json.loads(out)["summary"] == {"errors": 0, "warnings": 0, "files": 1}


def test_only_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.policy"
    path.write_text("\n\n# nothing here\n   \n\t\n")
    assert check(path)[0] == 0


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.policy"
    path.write_bytes(bytes(range(256)) * 64)
    status, out, _ = check(path)
    assert status == 1
    assert codes_of(out) == ["S005"]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("latin1", "data d { includes \"caf\xe9\" }\n".encode("latin-1"), "not valid UTF-8"),
        ("utf16", "data d {}\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_unknown_encodings(tmp_path: Path, name: str, data: bytes, fragment: str) -> None:
    path = tmp_path / f"{name}.policy"
    path.write_bytes(data)
    status, out, _ = check(path)
    assert status == 1
    (diagnostic,) = json.loads(out)["diagnostics"]
    assert diagnostic["code"] == "S005" and fragment in diagnostic["message"]


def test_utf8_with_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.policy"
    path.write_bytes(b"\xef\xbb\xbfdata d \"D\" {\n  includes \"a\"\n}\n")
    _, out, _ = check(path)
    assert [c for c in codes_of(out) if c[0] in "SNT"] == []


def test_twenty_megabyte_file_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.policy"
    path.write_bytes(b'data d { includes "x" }\n' * (20 * 1024 * 1024 // 24 + 1))
    result = run_cli("check", str(path), timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "MiB" in lines[0]


@pytest.mark.parametrize(
    "body",
    [
        "{" * 10_000,
        "}" * 10_000,
        "data d {\n  includes " + '"a", ' * 10_000 + '"b"\n}\n',
        "assert a {\n  forbid purpose where " + "(" * 10_000 + "x\n}\n",
        "assert a {\n  forbid purpose where " + "not " * 10_000 + "x\n}\n",
        "data " * 10_000 + "\n",
        "[" * 10_000,
    ],
    ids=["open-braces", "close-braces", "long-list", "parens", "nots", "repeated-words", "brackets"],
)
def test_ten_thousand_nested_or_repeated_tokens(tmp_path: Path, body: str) -> None:
    path = tmp_path / "deep.policy"
    path.write_text(body)
    status, out, _ = check(path)
    assert status in (0, 1)
    json.loads(out)


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "looks_like.policy"
    folder.mkdir()
    result = run_cli("check", str(folder))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_path(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope.policy"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"policyc: {tmp_path / 'nope.policy'}: no such file or folder"


def test_unreadable_file(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        # root reads everything; a FIFO-free stand-in: a dangling symlink is unreadable for anyone
        path = tmp_path / "dangling.policy"
        path.symlink_to(tmp_path / "gone")
        result = run_cli("check", str(tmp_path))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
    else:
        path = tmp_path / "secret.policy"
        path.write_text("data d {}\n")
        path.chmod(0)
        result = run_cli("check", str(path))
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
