"""`policyc build -j N`: worker processes check and render, the parent writes; the files written, the
notes and the diagnostics are those of a build in one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyc.backends import BACKENDS
from policyc.build import BuildError, BuildResult, build
from policyc.parallel import RUNS_PER_JOB, _runs
from tests.conftest import REPO, run_cli

POLICIES = REPO / "tests" / "policies"
FORMATS = [name for name, backend in BACKENDS.items() if backend.default] + ["consent"]


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Notices (one under the CCPA, one importing a shared file, one in a subfolder), a shared file a
    notice imports, and a file of declarations nothing imports."""
    folder = tmp_path / "src"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(POLICIES / "gdpr_ccpa_complete.policy", folder / "a.policy")
    complete = (POLICIES / "uk_gdpr_complete.policy").read_text(encoding="utf-8")
    (folder / "b.policy").write_text('use "./shared.policy"\n' + complete, encoding="utf-8")
    (folder / "sub" / "c.policy").write_text(complete, encoding="utf-8")
    for name, number in (("shared", 0), ("lonely", 1)):
        (folder / f"{name}.policy").write_text(
            f'data extra_{number} "Extra data {number}" {{\n'
            f'  includes "item {number}"; category contact; source subject; required_for optional\n}}\n',
            encoding="utf-8")
    return folder


def _summary(result: BuildResult, out: Path) -> tuple[object, ...]:
    return ([(d.code, d.message, d.span) for d in result.check.diagnostics], result.check.errors,
            result.check.warnings, result.check.files, [p.relative_to(out) for p in result.written],
            result.skipped, result.notes)


@pytest.mark.parametrize("jobs", [2, 3, 0])
def test_jobs_write_the_same_files_as_one_process(site: Path, tmp_path: Path, jobs: int) -> None:
    one, many = tmp_path / "one", tmp_path / "many"
    alone = build([str(site)], one, FORMATS, trace=True)
    together = build([str(site)], many, FORMATS, trace=True, jobs=jobs)
    assert alone.written and listing(one) == listing(many)
    assert ".well-known/gpc.json" in listing(many) and "index.html" in listing(many)
    assert _summary(alone, one) == _summary(together, many)
    assert [p.name for p in together.skipped] == ["lonely.policy"]  # shared.policy is imported by b.policy


def test_jobs_write_nothing_when_a_file_has_errors(site: Path, tmp_path: Path) -> None:
    (site / "sub" / "bad.policy").write_text('policy "P" {\n  controller nobody\n  jurisdictions uk_gdpr\n}\n',
                                             encoding="utf-8")
    alone = build([str(site)], tmp_path / "one", FORMATS)
    together = build([str(site)], tmp_path / "many", FORMATS, jobs=2)
    assert together.check.errors and not together.written and not (tmp_path / "many").exists()
    assert _summary(alone, tmp_path / "one") == _summary(together, tmp_path / "many")
    assert set(together.check.sources) >= {d.span.file for d in together.check.diagnostics}


def test_jobs_stop_on_warnings_with_strict(site: Path, tmp_path: Path) -> None:
    together = build([str(site)], tmp_path / "many", FORMATS, strict=True, jobs=2)
    assert together.check.warnings and not together.written and not (tmp_path / "many").exists()


def test_jobs_refuse_two_notices_writing_one_file(tmp_path: Path) -> None:
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        shutil.copy(POLICIES / "uk_gdpr_complete.policy", tmp_path / folder / "privacy.policy")
    files = [str(tmp_path / folder / "privacy.policy") for folder in ("x", "y")]
    with pytest.raises(BuildError, match="both write"):
        build(files, tmp_path / "out", ["json"], jobs=2)
    assert not (tmp_path / "out").exists()


def test_runs_keep_the_files_in_order_and_cover_them_all() -> None:
    files = [Path(f"{n}.policy") for n in range(23)]
    for jobs in (1, 2, 5, 64):
        runs = _runs(files, jobs)
        assert [f for run in runs for f in run] == [str(f) for f in files]
        assert all(runs) and len(runs) <= max(1, jobs * RUNS_PER_JOB)


def test_the_command_takes_jobs(site: Path, tmp_path: Path) -> None:
    one = run_cli("build", str(site), "-o", str(tmp_path / "one"))
    many = run_cli("build", "-j", "2", str(site), "-o", str(tmp_path / "many"))
    assert one.returncode == many.returncode == 0, many.stderr
    assert one.stderr.replace(str(tmp_path / "one"), "OUT") == many.stderr.replace(str(tmp_path / "many"), "OUT")
    assert listing(tmp_path / "one") == listing(tmp_path / "many")
    for bad in ("-1", "two"):
        refused = run_cli("build", "--jobs", bad, str(site), "-o", str(tmp_path / "x"))
        assert refused.returncode == 2 and "--jobs" in refused.stderr


def test_jobs_that_cannot_write_leave_no_trace(site: Path, tmp_path: Path) -> None:
    # One notice's files cannot be written (a file where the folder `sub` should be): the build fails
    # with the I/O error, and the folder holds what it held, with no temporary file and no folder the
    # build made for the others (.well-known).
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.md").write_text("old\n", encoding="utf-8")
    (out / "sub").write_text("a file where a folder should be\n", encoding="utf-8")
    before = listing(out)
    with pytest.raises(OSError):
        build([str(site)], out, FORMATS, jobs=2)
    assert listing(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "sub"]


def test_a_worker_that_fails_leaves_no_staged_file(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The workers are forked from this process, so they render with the patched function: the one that
    # renders sub/c.policy fails, after the others have staged their files beside their targets.
    import policyc.parallel

    render = policyc.parallel.render_notices

    def failing(files: list[Path], *args: object, **kwargs: object) -> object:
        if any(f.name == "c.policy" for f in files):
            raise RuntimeError("a bug in a backend")
        return render(files, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(policyc.parallel, "render_notices", failing)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="a bug"):
        build([str(site)], out, FORMATS, jobs=2)
    assert not out.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_notice_named_like_the_folders_index_is_refused(site: Path, tmp_path: Path, jobs: int) -> None:
    shutil.copy(POLICIES / "uk_gdpr_complete.policy", site / "index.policy")
    with pytest.raises(BuildError, match=r"index\.html"):
        build([str(site)], tmp_path / "out", FORMATS, jobs=jobs)
    assert not (tmp_path / "out").exists()
