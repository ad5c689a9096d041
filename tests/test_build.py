"""`policyc build`: nothing written on errors, atomic and deterministic outputs, folder builds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from policyc.backends import BACKENDS
from policyc.build import build
from tests.conftest import REPO, run_cli

EXAMPLES = REPO / "examples"
ALL = [name for name, backend in BACKENDS.items() if backend.default]  # what `build` writes by default


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_folder_build_writes_every_format_and_an_index(tmp_path: Path) -> None:
    result = run_cli("build", str(EXAMPLES), "-o", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    files = listing(tmp_path / "site")
    for name in ("infisim", "infotek", "xeosol"):
        for backend in BACKENDS.values():
            # ropa, tilt and consent are built only when asked for
            assert (f"{name}/privacy{backend.suffix}" in files) == backend.default
    assert "index.html" in files
    assert "wrote 16 files" in result.stderr
    assert not [n for n in files if n.endswith(".tmp") or "/." in "/" + n]


def test_single_file_build_uses_the_stem(tmp_path: Path) -> None:
    result = run_cli("build", str(REPO / "tests" / "policies" / "uk_gdpr_complete.policy"), "-o", str(tmp_path),
                     "--format", "json,dpv")
    assert result.returncode == 0, result.stderr
    assert sorted(listing(tmp_path)) == ["uk_gdpr_complete.json", "uk_gdpr_complete.jsonld"]


def test_nothing_is_written_when_the_check_has_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.policy"
    bad.write_text('policy "P" {\n  controller nobody\n  jurisdictions uk_gdpr\n}\n')
    out = tmp_path / "out"
    result = run_cli("build", str(bad), "-o", str(out))
    assert result.returncode == 1
    assert "nothing written" in result.stderr
    assert not out.exists()


def test_strict_build_stops_on_warnings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--strict", str(EXAMPLES / "infotek"), "-o", str(out))
    assert result.returncode == 1 and not out.exists()


def test_a_failed_render_leaves_previous_outputs_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = REPO / "tests" / "policies" / "uk_gdpr_complete.policy"
    build([str(source)], tmp_path, ["json", "dpv"])
    before = listing(tmp_path)

    def broken(*_args: object) -> str:
        raise RuntimeError("renderer failed")

    import policyc.backends.dpv as dpv

    monkeypatch.setattr(dpv, "render", broken)
    with pytest.raises(RuntimeError):
        build([str(source)], tmp_path, ["json", "dpv"])
    assert listing(tmp_path) == before


@pytest.mark.parametrize("seed", ["0", "1", "12345"])
def test_outputs_are_identical_across_runs_and_hash_seeds(tmp_path: Path, seed: str) -> None:
    reference = tmp_path / "reference"
    build([str(EXAMPLES)], reference, ALL)
    again = tmp_path / f"seed-{seed}"
    subprocess.run([sys.executable, "-m", "policyc", "build", str(EXAMPLES), "-o", str(again),
                    "--format", ",".join(ALL)], check=True,
                   capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}, cwd=REPO)
    assert listing(again) == listing(reference)


def test_unknown_format_and_clashing_outputs_exit_two(tmp_path: Path) -> None:
    result = run_cli("build", str(EXAMPLES), "-o", str(tmp_path), "--format", "pdf")
    assert result.returncode == 2 and "unknown format `pdf`" in result.stderr
    result = run_cli("build", str(EXAMPLES / "infisim" / "privacy.policy"),
                     str(EXAMPLES / "infotek" / "privacy.policy"), "-o", str(tmp_path / "clash"))
    assert result.returncode == 2 and "both write" in result.stderr
    assert not (tmp_path / "clash").exists()


def test_gpc_file_where_the_ccpa_applies_from_the_effective_date(tmp_path: Path) -> None:
    """A site under the CCPA says it honours Global Privacy Control; the date is the policy's, not the clock's."""
    folder = tmp_path / "src"
    folder.mkdir()
    text = (REPO / "tests" / "policies" / "gdpr_ccpa_complete.policy").read_text(encoding="utf-8")
    (folder / "privacy.policy").write_text(text, encoding="utf-8")
    assert run_cli("build", str(folder), "-o", str(tmp_path / "site"), "--format", "html").returncode == 0
    gpc = json.loads((tmp_path / "site" / ".well-known" / "gpc.json").read_text(encoding="utf-8"))
    assert gpc == {"gpc": True, "lastUpdate": "2026-03-01"}
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="privacy-policy" href="https://tessellate.example/legal/privacy">' in index
    notice = (tmp_path / "site" / "privacy.html").read_text(encoding="utf-8")
    assert '<link rel="privacy-policy" href="https://tessellate.example/legal/privacy">' in notice


def test_no_gpc_file_without_the_ccpa_and_links_to_the_built_page(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    text = (REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8")
    (folder / "privacy.policy").write_text(re.sub(r'\n\s*url "[^"]*"', "", text, count=1), encoding="utf-8")
    assert run_cli("build", str(folder), "-o", str(tmp_path / "site"), "--format", "html,consent").returncode == 0
    assert not (tmp_path / "site" / ".well-known").exists()
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="privacy-policy" href="privacy.html">' in index
    assert (tmp_path / "site" / "privacy.consent.js").is_file()
