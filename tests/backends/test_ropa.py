"""The ropa backend: the Art 30 record of processing as CSV and XLSX, read back with openpyxl and
converted by LibreOffice, deterministic, and with every gap left empty and told."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from policyc.backends import BuildContext
from policyc.backends.ropa import (
    CONTROLLER_COLUMNS,
    CONTROLLER_SHEET,
    PROCESSOR_COLUMNS,
    PROCESSOR_SHEET,
    outputs,
)
from policyc.build import build
from policyc.driver import check_text
from tests.conftest import REPO, require_tool, run_cli

POLICIES = [REPO / "tests" / "policies" / "gdpr_ccpa_complete.policy",
            REPO / "tests" / "policies" / "uk_gdpr_complete.policy"]


def _build(path: Path, folder: Path) -> dict[str, Path]:
    result = build([str(path)], folder, ["ropa"])
    assert result.check.errors == 0
    return {p.name.removeprefix(path.stem): p for p in result.written}


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def _sheet(path: Path, name: str) -> list[list[str]]:
    workbook = load_workbook(path, read_only=True)
    return [["" if v is None else str(v) for v in row] for row in workbook[name].iter_rows(values_only=True)]


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_xlsx_and_csv_hold_the_same_records(path: Path, tmp_path: Path) -> None:
    files = _build(path, tmp_path)
    model = check_text(path.read_text(encoding="utf-8"), str(path)).models[str(path)]
    assert set(files) >= {".ropa.xlsx", ".ropa.csv"}
    assert load_workbook(files[".ropa.xlsx"]).sheetnames == [CONTROLLER_SHEET, PROCESSOR_SHEET]
    controller = _sheet(files[".ropa.xlsx"], CONTROLLER_SHEET)
    assert controller[0] == list(CONTROLLER_COLUMNS)
    assert [row[4].split(":")[0] for row in controller[1:]] == [p.title for p in model.controller_purposes]
    assert _csv(files[".ropa.csv"]) == controller
    processor = _sheet(files[".ropa.xlsx"], PROCESSOR_SHEET)
    assert processor[0] == list(PROCESSOR_COLUMNS)
    assert len(processor) - 1 == sum(p.as_processor for p in model.purposes)
    if len(processor) > 1:
        assert _csv(files[".ropa-processor.csv"]) == processor
    else:
        assert ".ropa-processor.csv" not in files


def test_the_controller_record_answers_art_30_1(tmp_path: Path) -> None:
    files = _build(POLICIES[0], tmp_path)
    header, *rows = _csv(files[".ropa.csv"])
    row = dict(zip(header, rows[0], strict=True))
    assert row["Name and contact details of controller"].startswith("Tessellate Software Limited\n")
    assert "dpo@tessellate.example" in row["Name and contact details of data protection officer"]
    assert row["Article 6 lawful basis for processing personal data"] == "Contract (Art 6(1)(b))"
    assert row["Retention schedule (if possible)"] == "until account closed + 30 days"
    assert "Right of access" in row["Rights available to individuals"]
    assert row["Business function"] == ""  # the policy has no such fact: left empty, never guessed
    transfers = [r for r in rows if r[10]]
    assert transfers and all(r[11] for r in transfers)  # a transfer always says what covers it
    processor = _csv(files[".ropa-processor.csv"])
    assert processor[1][3] == "the business customer that owns the workspace"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = _build(POLICIES[1], tmp_path / "a")
    second = _build(POLICIES[1], tmp_path / "b")
    for suffix, path in first.items():
        assert path.read_bytes() == second[suffix].read_bytes(), suffix
    with zipfile.ZipFile(first[".ropa.xlsx"]) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


GAPPY = """
policy "Notice" {
  controller acme
  jurisdictions gdpr
}

controller acme "Acme" {
  email "privacy@acme.example"
}

data contact_details "Contact details" {
  category contact
}

purpose newsletter "Newsletter" {
  uses contact_details
  basis consent
}

purpose hosting_for_clients "Hosting for clients" {
  uses contact_details
  role processor
}
"""


def test_what_the_policy_lacks_is_left_empty_and_noted() -> None:
    model = check_text(GAPPY, "gappy.policy").models["gappy.policy"]
    context = BuildContext(stem="gappy", source="gappy.policy")
    files = outputs(model, context)
    header, row = list(csv.reader(io.StringIO(str(files[".ropa.csv"]))))
    record = dict(zip(header, row, strict=True))
    assert record["Retention schedule (if possible)"] == ""
    assert record["Link to record of consent"] == ""
    notes = "\n".join(context.notes)
    assert "retention schedule" in notes and "`newsletter`" in notes
    assert "record of consent" in notes
    assert "security measures" in notes
    assert "names no controller" in notes  # the processor purpose without `on_behalf_of`
    processor = list(csv.reader(io.StringIO(str(files[".ropa-processor.csv"]))))
    assert processor[1][3] == ""


def test_the_cli_prints_the_notes(tmp_path: Path) -> None:
    done = run_cli("build", "--format", "ropa", "-o", str(tmp_path), str(POLICIES[1]))
    assert done.returncode == 0, done.stderr
    assert "note: " in done.stderr and "business function" in done.stderr
    assert "legitimate interests assessment for purpose `fraud_checks`" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uk_gdpr_complete.ropa.csv", "uk_gdpr_complete.ropa.xlsx"]


def test_libreoffice_reads_the_workbook(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require_tool(soffice is not None, "LibreOffice (soffice, Debian's libreoffice-calc-nogui)")
    assert soffice is not None
    files = _build(POLICIES[0], tmp_path)
    out = tmp_path / "converted"
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out),
         str(files[".ropa.xlsx"])],
        capture_output=True, text=True, timeout=180, env=env,
    )
    converted = out / files[".ropa.xlsx"].with_suffix(".csv").name
    assert converted.is_file(), done.stdout + done.stderr
    # LibreOffice writes the first sheet, the controller's record: the same cells as our CSV.
    assert _csv(converted) == _csv(files[".ropa.csv"])
