"""ropa backend: the record of processing activities (GDPR and UK GDPR Art 30) kept by the controller.

Two records, with the columns of the ICO's documentation templates:

- Art 30(1), the controller's record: one row per purpose the organisation decides (`role controller`,
  the default), with who the controller, its data protection officer and representative are, the
  categories of individuals, of personal data and of recipients, transfers and their safeguards,
  retention, security, the lawful bases and the rights the purpose gives;
- Art 30(2), the processor's record: one row per purpose with `role processor`, naming the controller
  it is done for (`on_behalf_of`).

Files: `<stem>.ropa.xlsx` holds both records as two sheets; `<stem>.ropa.csv` is the controller's
record and `<stem>.ropa-processor.csv` the processor's (written only when some purpose has
`role processor`). The CSV files are RFC 4180 (comma, CRLF, quotes where needed, UTF-8).

A column the policy does not answer is left empty and told as a note (`context.note`), never filled
with a guess. Columns that apply only sometimes ("if applicable") are noted only when they apply: the
link to the consent record for a purpose on consent, the legitimate interests assessment for one on
legitimate interests, the contract with a processor for a purpose that shares data with one.

The XLSX is deterministic: the document properties carry a fixed date and the zip entries a fixed time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence

from policyc.backends import BackendError, BuildContext, Output
from policyc.backends.dpv import retention_words
from policyc.model import Contact, Model, Purpose, Transfer

# The columns of the ICO's documentation template for controllers (Art 30(1)), with the controller's
# own details, which the template keeps above its table, as the first columns of every row.
CONTROLLER_COLUMNS = (
    "Name and contact details of controller",
    "Name and contact details of data protection officer",
    "Name and contact details of representative",
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations "
    "(if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 basis for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Link to record of consent",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "Source of personal data (if applicable)",
    "Location of personal data",
)

# The ICO's documentation template for processors (Art 30(2)).
PROCESSOR_COLUMNS = (
    "Name and contact details of processor",
    "Name and contact details of data protection officer",
    "Name and contact details of representative",
    "Name and contact details of controller",
    "Name and contact details of controller's representative (if applicable)",
    "Categories of processing",
    "Categories of personal data",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations "
    "(if applicable)",
    "General description of technical and organisational security measures (if possible)",
)

CONTROLLER_SHEET = "Controller (Art 30(1))"
PROCESSOR_SHEET = "Processor (Art 30(2))"

# Every XLSX says it was made at this moment, so that two builds give the same bytes.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_SOURCES = {"subject": "the individual", "observed": "observed from the individual's use of the service",
            "derived": "derived from other data we hold"}


def _lines(values: Iterable[str]) -> str:
    """Several values in one cell, one a line, without repeats."""
    return "\n".join(dict.fromkeys(v for v in values if v))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _contact(contact: Contact | None) -> str:
    if contact is None:
        return ""
    name = contact.legal_name or contact.title or contact.key
    return _lines((name, *(_one_line(c) for c in contact.channels)))


def _country(model: Model, code: str) -> str:
    return model.lexicon.country(code).label


def _transfers(model: Model, purpose: Purpose) -> list[Transfer]:
    return [t for t in model.transfers if t.recipient in purpose.recipients]


def _safeguards(transfers: Sequence[Transfer]) -> str:
    out = []
    for t in transfers:
        who = t.recipient.legal_name or t.recipient.title or t.recipient.key
        covers = [t.adequacy.title or t.adequacy.key] if t.adequacy is not None else []
        covers += [s.title or s.key for s in t.safeguards]
        out.append(f"{who} ({t.country}): {'; '.join(covers) if covers else 'none stated'}")
    return _lines(out)


def _rights(model: Model, purpose: Purpose) -> str:
    """The rights offered for this purpose: the universal ones and those its bases and conditions give."""
    own = {f"basis {b.basis.key}" for b in purpose.bases} | {f"condition {c.basis.key}" for c in purpose.conditions}
    if purpose.is_direct_marketing:
        own.add("direct marketing")
    if purpose.decisions:
        own.add("automated decisions")
    return _lines(r.right.title or r.right.key for r in model.rights
                  if not r.excluded and ({"universal", "also"} | own) & set(r.because))


def _bases(uses: Iterable[object]) -> str:
    out = []
    for use in uses:
        basis = use.basis  # type: ignore[attr-defined]
        name = basis.title or basis.key
        out.append(f"{name} (Art {basis.article})" if basis.article else name)
    return _lines(out)


def _individuals(model: Model, purpose: Purpose) -> str:
    written = [*purpose.subjects, *(s for d in purpose.uses for s in d.subjects)]
    if not written and model.policy is not None:
        written = [a.replace("_", " ") for a in model.policy.audience]
    return _lines(written)


def _sources(model: Model, purpose: Purpose) -> str:
    out = []
    for data in purpose.uses:
        named = {s.key: s for s in data.named_sources}
        for key in data.sources:
            source = named.get(key)
            out.append(_SOURCES.get(key, "") if source is None else (source.legal_name or source.title or key))
    return _lines(out)


def _security(model: Model) -> str:
    security = model.security
    if security is None:
        return ""
    measures = [model.lexicon.title("measure", m) or m.replace("_", " ") for m in security.measures]
    return _lines((*measures, *security.certifications, _one_line(security.text)))


def _location(model: Model) -> str:
    hosting = model.security.hosting if model.security else ()
    return _lines(_country(model, c) for c in hosting)


def _purpose_text(purpose: Purpose) -> str:
    title = purpose.title or purpose.key
    return f"{title}: {_one_line(purpose.description)}" if purpose.description else title


def controller_rows(model: Model, context: BuildContext) -> list[list[str]]:
    """The Art 30(1) record: a row per controller purpose, in CONTROLLER_COLUMNS order."""
    controller = model.controller
    joint = _lines(_contact(c) for c in model.controllers[1:])
    security = _security(model)
    location = _location(model)
    gaps: dict[str, list[str]] = {}
    rows = []
    for purpose in model.controller_purposes:
        transfers = _transfers(model, purpose)
        interests = [b.note for b in purpose.bases if b.basis.article == "6(1)(f)"]
        row = {
            "Name and contact details of controller": _contact(controller),
            "Name and contact details of data protection officer": _contact(controller.dpo if controller else None),
            "Name and contact details of representative":
                _contact(controller.representative if controller else None),
            "Business function": "",
            "Purpose of processing": _purpose_text(purpose),
            "Name and contact details of joint controller (if applicable)": joint,
            "Categories of individuals": _individuals(model, purpose),
            "Categories of personal data": _lines(
                (d.title or d.key) + (" (special category)" if d.is_special else "")
                + (" (criminal offence data)" if d.is_criminal else "") for d in purpose.uses),
            "Categories of recipients": _lines(
                (r.legal_name or r.title or r.key) + (f" ({r.role})" if r.role else "") for r in purpose.recipients),
            "Link to contract with processor": "",
            CONTROLLER_COLUMNS[10]: _lines(_country(model, t.country) for t in transfers),
            CONTROLLER_COLUMNS[11]: _safeguards(transfers),
            "Retention schedule (if possible)":
                _one_line(retention_words(purpose.retention)) if purpose.retention else "",
            CONTROLLER_COLUMNS[13]: security,
            "Article 6 lawful basis for processing personal data": _bases(purpose.bases),
            "Article 9 basis for processing special category data": _bases(purpose.conditions),
            "Legitimate interests for the processing (if applicable)": _lines(_one_line(i) for i in interests),
            "Link to record of legitimate interests assessment (if applicable)": "",
            "Link to record of consent": "",
            "Rights available to individuals": _rights(model, purpose),
            CONTROLLER_COLUMNS[20]: _lines(d.title or d.key for d in purpose.decisions)
                or ("No" if purpose.automated_decisions_none or (model.policy and model.policy.automated_decisions_none)
                    else ""),
            "Source of personal data (if applicable)": _sources(model, purpose),
            "Location of personal data": location,
        }
        for gap in _gaps(purpose, row, interests):
            gaps.setdefault(gap, []).append(purpose.key)
        rows.append([row[c] for c in CONTROLLER_COLUMNS])
    if rows:
        context.note("record of processing: the policy records no business function (column left empty)")
    for gap, keys in gaps.items():
        context.note(f"record of processing: the policy does not give {gap} for {_purposes(keys)}; left empty")
    return rows


def _purposes(keys: list[str]) -> str:
    return ("purpose " if len(keys) == 1 else "purposes ") + ", ".join(f"`{k}`" for k in keys)


def _gaps(purpose: Purpose, row: dict[str, str], interests: list[str]) -> list[str]:
    """What the record needs for this purpose and the policy does not say (each a column left empty)."""
    always = ("Name and contact details of controller", "Categories of individuals", "Categories of personal data",
              "Retention schedule (if possible)", CONTROLLER_COLUMNS[13],
              "Article 6 lawful basis for processing personal data")
    gaps = [f"the {_short(column)} (column \"{column}\")" for column in always if not row[column]]
    if any(b.basis.article == "6(1)(a)" for b in purpose.bases):
        gaps.append("the link to the record of consent (the purpose rests on consent)")
    if interests:
        gaps.append("the link to the legitimate interests assessment")
    if any(r.role == "processor" for r in purpose.recipients):
        gaps.append("the link to the contract with the processor it shares data with")
    return gaps


def _short(column: str) -> str:
    return column.split(" (")[0].removeprefix("Name and contact details of ").lower()


def processor_rows(model: Model, context: BuildContext) -> list[list[str]]:
    """The Art 30(2) record: a row per purpose with `role processor`, in PROCESSOR_COLUMNS order."""
    controller = model.controller
    security = _security(model)
    rows = []
    for purpose in model.purposes:
        if not purpose.as_processor:
            continue
        transfers = _transfers(model, purpose)
        row = [
            _contact(controller),
            _contact(controller.dpo if controller else None),
            _contact(controller.representative if controller else None),
            _one_line(purpose.on_behalf_of),
            "",
            _purpose_text(purpose),
            _lines(d.title or d.key for d in purpose.uses),
            _lines(_country(model, t.country) for t in transfers),
            _safeguards(transfers),
            security,
        ]
        if not purpose.on_behalf_of:
            context.note(f"record of processing: purpose `{purpose.key}` is done as a processor but names no "
                         "controller (`on_behalf_of`); left empty")
        rows.append(row)
    return rows


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[str]]]]) -> bytes:
    """A workbook with one sheet per (name, columns, rows), byte for byte the same for the same rows."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.writer.excel import ExcelWriter
    except ImportError as err:
        raise BackendError("the XLSX record needs openpyxl: pip install 'policyc[ropa]'") from err
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, columns, rows in sheets:
        sheet = workbook.create_sheet(name)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        for line in sheet.iter_rows():
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[1]:
            sheet.column_dimensions[cell.column_letter].width = 30
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "policyc"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()  # not save_workbook, which stamps the time of saving
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated FIXED (zip entries otherwise carry the time of writing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def outputs(model: Model, context: BuildContext) -> dict[str, Output]:
    controller = controller_rows(model, context)
    processor = processor_rows(model, context)
    files: dict[str, Output] = {
        ".ropa.xlsx": to_xlsx([(CONTROLLER_SHEET, CONTROLLER_COLUMNS, controller),
                               (PROCESSOR_SHEET, PROCESSOR_COLUMNS, processor)]),
        ".ropa.csv": to_csv(CONTROLLER_COLUMNS, controller),
    }
    if processor:
        files[".ropa-processor.csv"] = to_csv(PROCESSOR_COLUMNS, processor)
    return files


def render(model: Model, context: BuildContext) -> str:
    """The controller's record as CSV (the build writes every file of `outputs`)."""
    return to_csv(CONTROLLER_COLUMNS, controller_rows(model, context))
