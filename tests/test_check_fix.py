"""`policyc check --fix`: the safe fixes are written to the files, the rest is reported."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parent / "lsp"))
from lsp_policies import BASE, TRANSFER

TYPOS = BASE.replace("basis contract", "basis contrct").replace("retain 6", "retian 6")


def _write(tmp_path: Path, text: str, name: str = "privacy.policy") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_fix_rewrites_the_file_and_is_idempotent(tmp_path: Path) -> None:
    path = _write(tmp_path, TYPOS)
    done = run_cli("check", "--fix", "privacy.policy", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "fixed 2 problems in privacy.policy" in done.stderr
    assert path.read_text(encoding="utf-8") == BASE
    again = run_cli("check", "--fix", "privacy.policy", cwd=tmp_path)
    assert again.returncode == 0 and "fixed" not in again.stderr
    assert path.read_text(encoding="utf-8") == BASE


def test_unsafe_fixes_are_reported_not_applied(tmp_path: Path) -> None:
    text = TRANSFER.replace("use uk_gdpr", "use uk_gdrp", 1)
    path = _write(tmp_path, text)
    done = run_cli("check", "--fix", "privacy.policy", cwd=tmp_path)
    assert "fixed 1 problem in privacy.policy" in done.stderr
    fixed = path.read_text(encoding="utf-8")
    assert fixed == TRANSFER  # the module's name; no safeguard is chosen for the author
    assert done.returncode == 1 and "P040" in done.stdout  # what is left, with check's exit code
    unsafe = run_cli("check", "--fix", "--unsafe-fixes", "privacy.policy", cwd=tmp_path)
    assert "fixed 1 problem" in unsafe.stderr
    assert "  safeguard idta\n" in path.read_text(encoding="utf-8")
    assert "P040" not in unsafe.stdout


def test_a_byte_order_mark_and_line_ends_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "privacy.policy"
    path.write_bytes(b"\xef\xbb\xbf" + TYPOS.replace("\n", "\r\n").encode("utf-8"))
    done = run_cli("check", "--fix", "privacy.policy", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert path.read_bytes() == b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode("utf-8")


def test_fix_with_json_prints_what_is_left_and_its_fixes(tmp_path: Path) -> None:
    _write(tmp_path, TYPOS.replace("  basis contrct\n", ""))
    done = run_cli("check", "--fix", "--format", "json", "privacy.policy", cwd=tmp_path)
    assert done.returncode == 1
    assert "fixed 1 problem in privacy.policy" in done.stderr
    (left,) = json.loads(done.stdout)["diagnostics"]
    assert left["code"] == "P010"
    assert [f["safe"] for f in left["fixes"]] == [False] * 4


def test_fix_is_refused_for_stdin_git_and_watch(tmp_path: Path) -> None:
    for args, reason in (
        (["-"], "cannot fix standard input"),
        (["git:HEAD:privacy.policy"], "cannot fix a version from git"),
        (["--watch", "privacy.policy"], "--fix cannot be used with --watch"),
    ):
        done = run_cli("check", "--fix", *args, cwd=tmp_path)
        assert done.returncode == 2 and reason in done.stderr, done.stderr
    done = run_cli("check", "--unsafe-fixes", "privacy.policy", cwd=tmp_path)
    assert done.returncode == 2 and "only applies with --fix" in done.stderr


def test_a_folder_is_fixed_file_by_file(tmp_path: Path) -> None:
    first = _write(tmp_path, TYPOS, "a.policy")
    second = _write(tmp_path, BASE, "b.policy")
    done = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert first.read_text(encoding="utf-8") == BASE and second.read_text(encoding="utf-8") == BASE
    assert done.stderr.count("fixed") == 1


def test_an_imported_file_is_fixed_only_when_named(tmp_path: Path) -> None:
    data = BASE[BASE.index("data orders"):BASE.index("purpose delivery")]
    main = _write(tmp_path, BASE.replace(data, "").replace("use uk_gdpr\n", 'use uk_gdpr\nuse "./shared.policy"\n'))
    shared = _write(tmp_path, data.replace("source subject", "sourse subject"), "shared.policy")
    done = run_cli("check", "--fix", "privacy.policy", cwd=tmp_path)
    assert done.returncode == 1 and "T001" in done.stdout and "fixed" not in done.stderr
    assert "sourse" in shared.read_text(encoding="utf-8")
    done = run_cli("check", "--fix", "privacy.policy", "shared.policy", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fixed 1 problem in" in done.stderr and "shared.policy" in done.stderr
    assert shared.read_text(encoding="utf-8") == data
    assert main.read_text(encoding="utf-8").startswith('use uk_gdpr\nuse "./shared.policy"\n')
