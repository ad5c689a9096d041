"""The diagnostic renderers: text (rustc-style), JSON, SARIF 2.1.0 and GitHub workflow commands."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyc.diagnostics.codes import CODES
from policyc.diagnostics.model import Diagnostic, Edit, Fix, Label, Severity, Span
from policyc.diagnostics.render import (
    _layout,
    _layout_cells,
    render_github,
    render_json,
    render_sarif,
    render_summary,
    render_text,
    use_color,
)
from policyc.source import Source

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "sarif-schema-2.1.0.json"
ESC = "\x1b"


def span_of(source: Source, needle: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = source.text.index(needle, start + 1)
    return source.span(start, start + len(needle))


def diag(code: str, message: str, span: Span, **extra: Any) -> Diagnostic:
    return Diagnostic(code, message, span, severity=CODES[code].severity, **extra)


def snippet_and_carets(output: str, line_number: int) -> tuple[str, str]:
    """The text of a snippet line (after `N | `) and the mark line under it (after `  | `)."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(f"{line_number} ") and "|" in line:
            gutter = line.index("|") + 2
            return line[gutter:], lines[index + 1][gutter:]
    raise AssertionError(f"no snippet for line {line_number} in:\n{output}")


# --------------------------------------------------------------------------------------------------
# text


POLICY = """\
policy {
  controller acme
}

purpose analytics "Measuring how our website is used" {
  data usage
}
"""


def test_text_layout_matches_rustc() -> None:
    source = Source("examples/acme/privacy.policy", POLICY)
    diagnostic = diag(
        "N001",
        "unknown name `acme`",
        span_of(source, "acme"),
        label="not declared",
        help="declare it with `controller acme { ... }`",
        notes=("names are case-sensitive",),
    )
    output = render_text([diagnostic], {source.path: source}, color=False)
    assert output == (
        "error[N001]: unknown name `acme`\n"
        " --> examples/acme/privacy.policy:2:14\n"
        "  |\n"
        "2 |   controller acme\n"
        "  |              ^^^^ not declared\n"
        "  |\n"
        "  = help: declare it with `controller acme { ... }`\n"
        "  = note: names are case-sensitive\n"
        "\n"
    )


def test_gutter_widens_with_line_numbers_and_secondary_labels() -> None:
    text = "policy {}\n" + "\n" * 40 + 'purpose analytics "x" {\n}\n'
    source = Source("p.policy", text)
    first = span_of(source, "policy")
    diagnostic = diag(
        "T003",
        "wrong value",
        span_of(source, "analytics"),
        label="here",
        labels=(Label(first, "declared here"),),
    )
    output = render_text([diagnostic], {"p.policy": source}, color=False)
    assert output == (
        "error[T003]: wrong value\n"
        "  --> p.policy:42:9\n"
        "   |\n"
        '42 | purpose analytics "x" {\n'
        "   |         ^^^^^^^^^ here\n"
        "   |\n"
        "  ::: p.policy:1:1\n"
        "   |\n"
        "1  | policy {}\n"
        "   | ------ declared here\n"
        "\n"
    )


@pytest.mark.parametrize(
    ("line", "target", "expected_shown", "expected_pad"),
    [
        ("\tname bogus", "bogus", "    name bogus", 9),
        ("  \t  x bogus", "bogus", "      x bogus", 8),  # a tab goes to the next stop, not 4 more cells
        ('name "café" bogus', "bogus", 'name "café" bogus', 12),
        ('name "cafe\u0301" bogus', "bogus", 'name "cafe\u0301" bogus', 12),  # combining accent: no cell
        ('name "日本" bogus', "bogus", 'name "日本" bogus', 12),  # wide characters: two cells each
        ('\tname "café"\t bogus', "bogus", '    name "café"  bogus', 17),
    ],
)
def test_carets_align_under_tabs_and_non_ascii(line: str, target: str, expected_shown: str, expected_pad: int) -> None:
    source = Source("t.policy", f"policy {{\n{line}\n}}\n")
    diagnostic = diag("S001", "unexpected token", span_of(source, target), label="here")
    shown, marks = snippet_and_carets(render_text([diagnostic], {"t.policy": source}, color=False), 2)
    assert shown == expected_shown
    assert "\t" not in shown and "\t" not in marks
    assert marks == " " * expected_pad + "^" * len(target) + " here"


@given(st.text(st.characters(max_codepoint=0x7F)) | st.text())
def test_a_plain_ascii_line_is_laid_out_as_character_by_character(line: str) -> None:
    """`_layout` skips the per-character work for printable ASCII; the result must not change."""
    assert _layout(line) == _layout_cells(line)


def test_caret_width_counts_cells_of_wide_text() -> None:
    source = Source("t.policy", 'purpose 分析 "x" {}\n')
    diagnostic = diag("S001", "unexpected token", span_of(source, "分析"))
    _, marks = snippet_and_carets(render_text([diagnostic], {"t.policy": source}, color=False), 1)
    assert marks == " " * 8 + "^^^^"


def test_multi_line_span_underlines_to_end_of_first_line() -> None:
    source = Source("m.policy", 'purpose x "y" {\n  data usage\n}\n')
    start = source.text.index("x")
    diagnostic = diag("T002", "missing field `basis`", source.span(start, len(source.text) - 1))
    shown, marks = snippet_and_carets(render_text([diagnostic], {"m.policy": source}, color=False), 1)
    assert shown == 'purpose x "y" {'
    assert marks == " " * 8 + "^" * len('x "y" {')


@pytest.mark.parametrize("where", ["empty", "end-of-line", "end-of-file"])
def test_empty_and_end_spans_get_one_caret(where: str) -> None:
    text = "policy {\n"
    source = Source("e.policy", text)
    if where == "empty":
        span = source.span(2, 2)
        line, pad = 1, 2
    elif where == "end-of-line":
        span = source.span(8, 9)  # the newline itself
        line, pad = 1, 8
    else:
        span = source.span(len(text), len(text))
        line, pad = 2, 0
    diagnostic = diag("S004", "unclosed block", span)
    output = render_text([diagnostic], {"e.policy": source}, color=False)
    _, marks = snippet_and_carets(output, line)
    assert marks == " " * pad + "^"


def test_missing_source_still_shows_header_and_location() -> None:
    span = Span("gone.policy", 100, 104, 12, 3, 12, 7)
    diagnostic = diag("N003", "cannot find `./shared.policy`", span, help="check the path")
    output = render_text([diagnostic], {}, color=False)
    assert output == (
        "error[N003]: cannot find `./shared.policy`\n"
        "  --> gone.policy:12:3\n"
        "   = help: check the path\n"
        "\n"
    )


def test_line_past_the_end_of_the_source_shows_no_snippet() -> None:
    source = Source("short.policy", "policy {}\n")
    diagnostic = diag("S001", "unexpected token", Span("short.policy", 0, 1, 9, 1, 9, 2))
    assert render_text([diagnostic], {"short.policy": source}, color=False) == (
        "error[S001]: unexpected token\n --> short.policy:9:1\n\n"
    )


def test_secondary_label_in_a_file_without_source() -> None:
    source = Source("a.policy", "use b\n")
    other = Span("b.policy", 0, 3, 1, 1, 1, 4)
    diagnostic = diag("N004", "import cycle", span_of(source, "b"), labels=(Label(other, "imports `a` back"),))
    output = render_text([diagnostic], {"a.policy": source}, color=False)
    assert output.endswith("  |\n ::: b.policy:1:1\n\n")


def test_multi_line_help_is_indented() -> None:
    source = Source("h.policy", "policy {}\n")
    diagnostic = diag("S001", "unexpected token", span_of(source, "policy"), help="first\nsecond")
    output = render_text([diagnostic], {"h.policy": source}, color=False)
    assert "  = help: first\n          second\n" in output


def test_control_characters_in_the_source_are_not_echoed() -> None:
    source = Source("c.policy", "policy \x1b[2J\u202e {}\n")
    diagnostic = diag("S003", "invalid character", source.span(7, 8))
    output = render_text([diagnostic], {"c.policy": source}, color=False)
    assert ESC not in output and "\u202e" not in output
    shown, marks = snippet_and_carets(output, 1)
    assert shown == "policy \ufffd[2J\ufffd {}"
    assert marks == " " * 7 + "^"


def test_several_diagnostics_are_separated_by_a_blank_line() -> None:
    source = Source("s.policy", "a b\n")
    first = diag("S001", "one", span_of(source, "a"))
    second = diag("S001", "two", span_of(source, "b"))
    output = render_text([first, second], {"s.policy": source}, color=False)
    assert output.count("\n\nerror[S001]: two") == 1
    assert output.endswith("\n\n")
    assert render_text([], {}, color=False) == ""


def test_no_ansi_codes_without_colour() -> None:
    source = Source("p.policy", POLICY)
    diagnostics = [
        diag("N001", "unknown name", span_of(source, "acme"), help="h", labels=(Label(span_of(source, "policy"), ""),)),
        Diagnostic("N001", "a warning", span_of(source, "usage"), severity=Severity.WARNING),
    ]
    output = render_text(diagnostics, {"p.policy": source}, color=False)
    assert ESC not in output
    assert ESC not in render_summary(2, 1, 3, False)


def test_ansi_codes_with_colour() -> None:
    source = Source("p.policy", POLICY)
    error = diag("N001", "unknown name", span_of(source, "acme"), labels=(Label(span_of(source, "policy"), "x"),))
    warning = Diagnostic("N001", "a warning", span_of(source, "usage"), severity=Severity.WARNING)
    output = render_text([error, warning], {"p.policy": source}, color=True)
    assert "\x1b[1;31merror[N001]\x1b[0m" in output  # bold red
    assert "\x1b[1;33mwarning[N001]\x1b[0m" in output  # bold yellow
    assert "\x1b[1;34m" in output  # blue gutter
    summary = render_summary(2, 1, 3, True)
    assert "\x1b[1;31m2 errors\x1b[0m" in summary and "\x1b[1;33m1 warning\x1b[0m" in summary
    # without the escapes, the coloured text is the plain text
    plain = render_text([error, warning], {"p.policy": source}, color=False)
    stripped = output
    for code in ("\x1b[1;31m", "\x1b[1;33m", "\x1b[1;34m", "\x1b[1m", "\x1b[0m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain


@pytest.mark.parametrize(
    ("errors", "warnings", "files", "expected"),
    [
        (2, 1, 3, "2 errors, 1 warning in 3 files"),
        (1, 0, 1, "1 error in 1 file"),
        (0, 2, 1, "2 warnings in 1 file"),
        (0, 0, 4, "no errors or warnings in 4 files"),
    ],
)
def test_summary(errors: int, warnings: int, files: int, expected: str) -> None:
    assert render_summary(errors, warnings, files, False) == expected
    assert render_summary(errors, warnings, files, color=False) == expected


# --------------------------------------------------------------------------------------------------
# use_color


class FakeStream:
    def __init__(self, tty: bool, closed: bool = False) -> None:
        self.tty = tty
        self.closed = closed

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return self.tty


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    return monkeypatch


def test_colour_on_a_terminal_only(clean_env: pytest.MonkeyPatch) -> None:
    assert use_color(FakeStream(tty=True)) is True
    assert use_color(FakeStream(tty=False)) is False
    assert use_color(FakeStream(tty=True, closed=True)) is False


@pytest.mark.parametrize(("value", "expected"), [("1", False), ("0", False), ("anything", False), ("", True)])
def test_no_color(clean_env: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    clean_env.setenv("NO_COLOR", value)
    assert use_color(FakeStream(tty=True)) is expected


def test_dumb_terminal(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TERM", "dumb")
    assert use_color(FakeStream(tty=True)) is False


def test_force_color(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORCE_COLOR", "1")
    assert use_color(FakeStream(tty=False)) is True
    clean_env.setenv("TERM", "dumb")
    assert use_color(FakeStream(tty=False)) is True
    clean_env.setenv("FORCE_COLOR", "")
    assert use_color(FakeStream(tty=True)) is False  # empty means unset; TERM is still dumb


def test_no_color_beats_force_color(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORCE_COLOR", "1")
    clean_env.setenv("NO_COLOR", "1")
    assert use_color(FakeStream(tty=True)) is False


def test_use_color_with_an_explicit_environment() -> None:
    assert use_color(FakeStream(tty=False), {"FORCE_COLOR": "1"}) is True
    assert use_color(FakeStream(tty=True), {"NO_COLOR": "x"}) is False
    assert use_color(FakeStream(tty=True), {}) is True


# --------------------------------------------------------------------------------------------------
# json


def sample() -> tuple[Source, list[Diagnostic]]:
    source = Source("examples/café/privacy.policy", POLICY)
    error = diag(
        "N001",
        "unknown name `acme`",
        span_of(source, "acme"),
        help="declare `acme`",
        labels=(Label(span_of(source, "policy"), "in this policy"),),
        notes=("a note",),
    )
    warning = Diagnostic("T003", "odd value “usage”", span_of(source, "usage"), severity=Severity.WARNING)
    return source, [error, warning]


def test_json_shape_and_values() -> None:
    _, diagnostics = sample()
    output = render_json(diagnostics, files=2)
    assert output.endswith("}\n")
    assert "“usage”" in output and "café" in output  # not \u-escaped
    document = json.loads(output)
    assert list(document) == ["version", "diagnostics", "summary"]
    assert document["version"] == 1
    assert document["summary"] == {"errors": 1, "warnings": 1, "files": 2}
    first, second = document["diagnostics"]
    assert list(first)[:10] == [
        "code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "help",
    ]
    assert list(first)[10] == "labels"
    assert first == {
        "code": "N001",
        "name": "unknown-name",
        "severity": "error",
        "message": "unknown name `acme`",
        "file": "examples/café/privacy.policy",
        "line": 2,
        "column": 14,
        "end_line": 2,
        "end_column": 18,
        "help": "declare `acme`",
        "labels": [
            {
                "file": "examples/café/privacy.policy",
                "line": 1,
                "column": 1,
                "end_line": 1,
                "end_column": 7,
                "message": "in this policy",
            }
        ],
        "notes": ["a note"],
    }
    assert second["severity"] == "warning"
    assert second["name"] == "wrong-value-type"
    assert second["help"] == "" and second["labels"] == []


def test_json_is_deterministic_and_empty_case() -> None:
    _, diagnostics = sample()
    assert render_json(diagnostics, 2) == render_json(list(diagnostics), 2)
    assert json.loads(render_json([], 0)) == {
        "version": 1,
        "diagnostics": [],
        "summary": {"errors": 0, "warnings": 0, "files": 0},
    }


# --------------------------------------------------------------------------------------------------
# github


def test_github_workflow_commands(tmp_path: Path) -> None:
    source = Source(str(tmp_path / "docs" / "privacy.policy"), POLICY)
    error = diag("N001", "unknown name `acme`", span_of(source, "acme"), help="declare it")
    warning = Diagnostic("T003", "odd value", span_of(source, "usage"), severity=Severity.WARNING)
    output = render_github([error, warning], str(tmp_path))
    assert output == (
        "::error file=docs/privacy.policy,line=2,col=14,endLine=2,endColumn=18,title=N001 unknown-name"
        "::unknown name `acme`%0Ahelp: declare it\n"
        "::warning file=docs/privacy.policy,line=6,col=8,endLine=6,endColumn=13,title=T003 wrong-value-type"
        "::odd value\n"
    )


def test_github_escaping(tmp_path: Path) -> None:
    path = tmp_path / "a,b:c%d.policy"
    span = Span(str(path), 0, 1, 1, 1, 1, 2)
    diagnostic = diag("S001", "100% wrong: a, b\r\nnext::line", span, help="x%0Ay")
    output = render_github([diagnostic], str(tmp_path))
    assert output == (
        "::error file=a%2Cb%3Ac%25d.policy,line=1,col=1,endLine=1,endColumn=2,title=S001 unexpected-token"
        "::100%25 wrong: a, b%0D%0Anext::line%0Ahelp: x%250Ay\n"
    )
    assert output.count("\n") == 1


def test_github_multi_line_span_has_no_columns(tmp_path: Path) -> None:
    span = Span(str(tmp_path / "m.policy"), 0, 30, 3, 5, 7, 2)
    output = render_github([diag("T002", "missing field", span)], str(tmp_path))
    assert output.startswith("::error file=m.policy,line=3,endLine=7,title=T002 missing-field::")


def test_github_file_outside_root_keeps_its_absolute_path(tmp_path: Path) -> None:
    span = Span(str(tmp_path / "outside.policy"), 0, 1, 1, 1, 1, 2)
    output = render_github([diag("S001", "x", span)], str(tmp_path / "repo"))
    assert f"file={tmp_path.as_posix()}/outside.policy,".replace(":", "%3A") in output


# --------------------------------------------------------------------------------------------------
# sarif


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the SARIF schema check tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def schema_errors(schema: dict[str, Any], document: object) -> list[str]:
    """Errors from the validator the schema declares (draft-04) and from Draft 7; both must agree."""
    declared = jsonschema.validators.validator_for(schema)
    messages: list[str] = []
    for validator_class in (declared, jsonschema.Draft7Validator):
        validator_class.check_schema(schema)
        validator = validator_class(schema)
        messages += [
            f"{validator_class.__name__}: {error.json_path}: {error.message}"
            for error in validator.iter_errors(document)
        ]
    return messages


def sarif_sample(root: Path) -> tuple[str, list[Diagnostic]]:
    source = Source(str(root / "examples" / "my policy" / "privacy.policy"), POLICY)
    other = Source(str(root / "examples" / "shared.policy"), "policy {}\n")
    error = diag(
        "N002",
        "duplicate declaration `policy`",
        span_of(source, "policy"),
        help="remove one",
        labels=(Label(span_of(other, "policy"), "first declared here"),),
    )
    warning = Diagnostic("T003", "odd value", span_of(source, "usage"), severity=Severity.WARNING)
    again = diag("N002", "duplicate declaration `policy`", span_of(source, "policy"))
    return render_sarif([error, warning, again], tool_version="0.1.0", root=str(root)), [error, warning, again]


def test_schema_file_is_the_oasis_sarif_2_1_0_schema(sarif_schema: dict[str, Any]) -> None:
    assert sarif_schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert sarif_schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert sarif_schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_sarif_is_valid_against_the_official_schema(
    tmp_path: Path, sarif_schema: dict[str, Any], no_network: None
) -> None:
    output, _ = sarif_sample(tmp_path)
    assert schema_errors(sarif_schema, json.loads(output)) == []
    empty = render_sarif([], tool_version="0.1.0", root=str(tmp_path))
    assert schema_errors(sarif_schema, json.loads(empty)) == []


def test_schema_check_is_not_vacuous(tmp_path: Path, sarif_schema: dict[str, Any], no_network: None) -> None:
    output, _ = sarif_sample(tmp_path)
    broken = json.loads(output)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"]
    messages = schema_errors(sarif_schema, broken)
    assert any("'fatal' is not one of" in message for message in messages)
    assert any("$.runs[0].results[1].locations[0].physicalLocation.region" in message for message in messages)


def test_sarif_carries_fixes_and_stays_valid(tmp_path: Path, sarif_schema: dict[str, Any], no_network: None) -> None:
    source = Source(str(tmp_path / "privacy.policy"), "purpse p { basis: consent }\n")
    span = span_of(source, "purpse")
    colon = span_of(source, ":")
    fixes = (Fix("Change `purpse` to `purpose`", (Edit(span.file, span.start, span.end, "purpose"),), safe=True),
             Fix("Remove `:`", (Edit(colon.file, colon.start, colon.end, ""),), safe=False))
    diagnostic = Diagnostic.of("T001", "unknown kind `purpse`", span, fixes=fixes)
    log = json.loads(render_sarif([diagnostic], tool_version="0.1.0", root=str(tmp_path)))
    assert schema_errors(sarif_schema, log) == []
    replace, remove = log["runs"][0]["results"][0]["fixes"]
    assert replace == {
        "description": {"text": "Change `purpse` to `purpose`"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "privacy.policy", "uriBaseId": "%SRCROOT%"},
            "replacements": [{"deletedRegion": {"charOffset": 0, "charLength": 6},
                              "insertedContent": {"text": "purpose"}}],
        }],
        "properties": {"safe": True},
    }
    assert remove["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"charOffset": source.text.index(":"), "charLength": 1}}]
    assert remove["properties"] == {"safe": False}


def test_sarif_content(tmp_path: Path) -> None:
    output, _ = sarif_sample(tmp_path)
    assert output.endswith("}\n")
    log = json.loads(output)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    driver = run["tool"]["driver"]
    assert driver["name"] == "policyc" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    assert [rule["id"] for rule in driver["rules"]] == ["N002", "T003"]
    n002 = driver["rules"][0]
    assert n002["name"] == "DuplicateDeclaration"
    assert n002["shortDescription"] == {"text": CODES["N002"].summary}
    assert n002["defaultConfiguration"] == {"level": "error"}
    assert n002["properties"]["family"] == "names and modules"
    assert "helpUri" not in n002
    assert n002["fullDescription"]["text"].startswith("Within one file, two declarations of the same kind")
    with_site = json.loads(render_sarif(sarif_sample(tmp_path)[1], tool_version="1", root=str(tmp_path),
                                        docs_url="https://d.example/"))
    site_driver = with_site["runs"][0]["tool"]["driver"]
    assert site_driver["informationUri"] == "https://d.example/"
    assert [rule["helpUri"] for rule in site_driver["rules"]] == ["https://d.example/rules/N002/",
                                                                  "https://d.example/rules/T003/"]

    first, second, _ = run["results"]
    assert (first["ruleId"], first["ruleIndex"], first["level"]) == ("N002", 0, "error")
    assert (second["ruleId"], second["ruleIndex"], second["level"]) == ("T003", 1, "warning")
    assert first["message"]["text"] == "duplicate declaration `policy`\nhelp: remove one"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "examples/my%20policy/privacy.policy", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 7}
    assert second["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 6, "startColumn": 8, "endLine": 6, "endColumn": 13,
    }
    (related,) = first["relatedLocations"]
    assert related["id"] == 1
    assert related["message"] == {"text": "first declared here"}
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "examples/shared.policy"
    assert "relatedLocations" not in second

    prints = [result["partialFingerprints"]["policycResultHash/v1"] for result in run["results"]]
    assert len(set(prints)) == 3
    assert prints[0].split(":")[0] == prints[2].split(":")[0]  # same code, path and message
    assert (prints[0].split(":")[1], prints[2].split(":")[1]) == ("1", "2")


def test_sarif_fingerprints_survive_moves_and_other_roots(tmp_path: Path) -> None:
    output, _ = sarif_sample(tmp_path / "one")
    moved_source = Source(str(tmp_path / "two" / "examples" / "my policy" / "privacy.policy"), "\n\n" + POLICY)
    moved = diag("N002", "duplicate declaration `policy`", span_of(moved_source, "policy"))
    moved_output = render_sarif([moved], tool_version="9", root=str(tmp_path / "two"))
    before = json.loads(output)["runs"][0]["results"][0]["partialFingerprints"]
    after = json.loads(moved_output)["runs"][0]["results"][0]["partialFingerprints"]
    assert before == after
    assert output == sarif_sample(tmp_path / "one")[0]  # deterministic


def test_sarif_columns_are_code_points(tmp_path: Path) -> None:
    source = Source(str(tmp_path / "u.policy"), 'name "😀 café" bogus\n')
    output = render_sarif([diag("S001", "x", span_of(source, "bogus"))], tool_version="1", root=str(tmp_path))
    region = json.loads(output)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (15, 20)  # not UTF-16 units (16, 21)


def test_sarif_file_outside_root(tmp_path: Path, sarif_schema: dict[str, Any]) -> None:
    span = Span(str(tmp_path / "elsewhere" / "x.policy"), 0, 1, 1, 1, 1, 2)
    output = render_sarif([diag("S001", "x", span)], tool_version="1", root=str(tmp_path / "repo"))
    artifact = json.loads(output)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (tmp_path / "elsewhere" / "x.policy").as_uri()}
    assert schema_errors(sarif_schema, json.loads(output)) == []


def test_sarif_relative_paths_from_a_relative_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    span = Span("policies/a.policy", 0, 1, 1, 1, 1, 2)
    output = render_sarif([diag("S001", "x", span)], tool_version="1", root=".")
    run = json.loads(output)["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "policies/a.policy"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
