"""Renderers for diagnostics: human text (rustc-style), JSON, SARIF 2.1.0 and GitHub workflow commands.

Every renderer is pure: it takes diagnostics (and, for text, the sources they point into) and returns
the whole output as a string ending with a newline (or the empty string when there is nothing to say);
only `render_summary`, one line, has no newline.
Diagnostics are rendered in the order given; sorting them is the driver's job.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path, PurePath
from urllib.parse import quote

from policyc import TYPE_CHECKING
from policyc.diagnostics.codes import CODES
from policyc.diagnostics.model import Diagnostic, Edit, Fix, Label, Severity, Span
from policyc.patterns import regex
from policyc.resources import rule_doc
from policyc.source import Source

__all__ = ["render_github", "render_json", "render_sarif", "render_summary", "render_text", "use_color"]

JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SARIF_FINGERPRINT = "policycResultHash/v1"
# Where policyc's documentation site is published (docs/ built by mkdocs.yml, ending in "/"). When
# set, a SARIF rule's `helpUri` is `<DOCS_URL>rules/<CODE>/` (the rule's page, as mkdocs lays out
# docs/rules/<CODE>.md) and the tool's `informationUri` is DOCS_URL. SARIF wants both as absolute
# URIs, and the project has no published site yet, so both are left out until it has one
# (docs/cli.md, "SARIF").
DOCS_URL = ""
SRCROOT = "%SRCROOT%"

# Tabs in a snippet are expanded to the next multiple of this many cells, in the source line and under it.
TAB_WIDTH = 4

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_BLUE = "\x1b[1;34m"
_SEVERITY_STYLE = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m"}

# Characters never echoed raw into a terminal: they could move the cursor, start escape sequences or
# reorder the line (bidirectional controls, "trojan source"). Shown as U+FFFD instead.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REPLACEMENT = "\ufffd"


# --------------------------------------------------------------------------------------------------
# colour


if TYPE_CHECKING:
    from typing import Protocol

    class _TTYLike(Protocol):
        def isatty(self) -> bool: ...


def use_color(stream: _TTYLike, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour output written to `stream`.

    NO_COLOR (non-empty, https://no-color.org) turns colour off whatever else is set; otherwise a
    non-empty FORCE_COLOR turns it on; otherwise colour needs a terminal whose TERM is not `dumb`.
    """
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    if env.get("TERM", "") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color and text else text


# --------------------------------------------------------------------------------------------------
# text


MAX_SHOWN = 100  # display cells of a source line shown before it is cut to a window around the span
CONTEXT = 20  # cells shown before the span in such a window
MAX_LAID_OUT = 2000  # characters of a longer line laid out around the span (a window of them is shown)


def _visible(char: str) -> str:
    if char in _BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and char != "\t"):
        return _REPLACEMENT
    return char


def _cells(char: str) -> int:
    """Terminal cells taken by one (visible, non-tab) character."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _layout(line: str) -> tuple[str, list[int]]:
    """A source line as shown, and the display cell at which each character index (0..len) starts."""
    if line.isascii() and line.isprintable():  # no tab and no control character: one cell each
        return line, list(range(len(line) + 1))
    return _layout_cells(line)


def _layout_cells(line: str) -> tuple[str, list[int]]:
    """`_layout`, character by character: tabs, control characters, wide and zero-width ones."""
    shown: list[str] = []
    starts: list[int] = []
    cell = 0
    for char in line:
        starts.append(cell)
        if char == "\t":
            width = TAB_WIDTH - cell % TAB_WIDTH
            shown.append(" " * width)
        else:
            char = _visible(char)
            width = _cells(char)
            shown.append(char)
        cell += width
    starts.append(cell)
    return "".join(shown), starts


_SCHEME = regex(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(location: str) -> bool:
    """A diagnostic's `file` that is a web address (`policyc audit` reports on pages, not files)."""
    return _SCHEME.match(location) is not None


def _location(span: Span) -> str:
    if is_url(span.file):
        return span.file  # a page has no lines to point into
    return f"{span.file}:{span.line}:{span.column}"


class _Block:
    """The lines of one diagnostic, with the gutter width shared by all of its snippets."""

    def __init__(self, width: int, color: bool) -> None:
        self.width = width
        self.color = color
        self.lines: list[str] = []
        self.after_snippet = False

    def gutter(self, number: str = "") -> str:
        return _paint(f"{number.ljust(self.width)} |", _BLUE, self.color)

    def separator(self) -> None:
        if self.after_snippet:
            self.lines.append(self.gutter())
            self.after_snippet = False

    def arrow(self, arrow: str, span: Span) -> None:
        self.lines.append(f"{' ' * self.width}{_paint(arrow, _BLUE, self.color)} {_location(span)}")
        self.after_snippet = False

    def snippet(self, source: Source | None, span: Span, mark: str, text: str, style: str) -> None:
        if source is None or not 1 <= span.line <= len(source.line_starts):
            return
        line = source.line_text(span.line)
        first = min(max(span.column - 1, 0), len(line))
        last = min(max(span.end_column - 1, first), len(line)) if span.end_line == span.line else len(line)
        cut_before = cut_after = False
        if len(line) > MAX_LAID_OUT:
            # Lay out only the characters around the span: a line of megabytes (one unterminated
            # string, a minified file) must not cost a list entry per character for each diagnostic.
            begin = max(0, first - MAX_LAID_OUT // 2)
            stop = min(len(line), begin + MAX_LAID_OUT)
            cut_before, cut_after = begin > 0, stop < len(line)
            line = line[begin:stop]
            first, last = first - begin, min(last - begin, len(line))
        shown, starts = _layout(line)
        pad = starts[first]
        width = max(starts[last] - pad, 1)
        if len(shown) > MAX_SHOWN or cut_before or cut_after:  # a long line: show a window around the span
            width = min(width, MAX_SHOWN - 2 * CONTEXT)
            start = max(0, pad - CONTEXT)
            end = min(len(shown), start + MAX_SHOWN)
            prefix = "..." if start > 0 or cut_before else ""
            suffix = "..." if end < len(shown) or cut_after else ""
            shown = prefix + shown[start:end] + suffix
            pad = pad - start + len(prefix)
        under = _paint(mark * width + (f" {text}" if text else ""), style, self.color)
        self.lines.append(self.gutter())
        self.lines.append(self.gutter(str(span.line)) + (f" {shown}" if shown else ""))
        self.lines.append(f"{self.gutter()} {' ' * pad}{under}")
        self.after_snippet = True

    def note(self, kind: str, text: str) -> None:
        lead = f"{' ' * self.width} {_paint('=', _BLUE, self.color)} "
        indent = " " * (self.width + 3 + len(kind) + 2)
        first, *rest = text.split("\n")
        self.lines.append(f"{lead}{_paint(kind, _BOLD, self.color)}: {first}")
        self.lines.extend(f"{indent}{more}" if more else "" for more in rest)


def _render_one(diagnostic: Diagnostic, sources: Mapping[str, Source], color: bool) -> str:
    spans = [diagnostic.span, *(label.span for label in diagnostic.labels)]
    block = _Block(max(len(str(span.line)) for span in spans), color)
    style = _SEVERITY_STYLE[diagnostic.severity]

    title = _paint(f"{diagnostic.severity.value}[{diagnostic.code}]", style, color)
    block.lines.append(title + _paint(f": {diagnostic.message}", _BOLD, color))
    block.arrow("-->", diagnostic.span)
    block.snippet(sources.get(diagnostic.span.file), diagnostic.span, "^", diagnostic.label, style)

    for label in diagnostic.labels:
        block.separator()
        block.arrow(":::", label.span)
        block.snippet(sources.get(label.span.file), label.span, "-", label.text, _BLUE)

    if diagnostic.help or diagnostic.notes:
        block.separator()
        if diagnostic.help:
            block.note("help", diagnostic.help)
        for note in diagnostic.notes:
            block.note("note", note)
    return "\n".join(block.lines) + "\n"


def render_text(diagnostics: Sequence[Diagnostic], sources: Mapping[str, Source], *, color: bool) -> str:
    """Diagnostics as rustc renders them, each followed by an empty line.

    `sources` maps a span's `file` to its Source; a file without one gets its header and location
    but no snippet. Columns are characters; tabs are expanded and wide characters take two cells, so
    the carets line up under the text a terminal shows.
    """
    return "".join(_render_one(diagnostic, sources, color) + "\n" for diagnostic in diagnostics)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def render_statistics(diagnostics: Sequence[Diagnostic], color: bool = False) -> str:
    """One line per code, most frequent first: `  412  P051  retention-vague  warning` (like ruff's --statistics)."""
    counts: dict[str, int] = {}
    severities: dict[str, Severity] = {}
    for diagnostic in diagnostics:
        counts[diagnostic.code] = counts.get(diagnostic.code, 0) + 1
        severities.setdefault(diagnostic.code, diagnostic.severity)
    if not counts:
        return ""
    width = len(str(max(counts.values())))
    lines = []
    for code in sorted(counts, key=lambda c: (-counts[c], c)):
        entry = CODES.get(code)
        slug = entry.slug if entry else ""
        severity = severities[code]
        lines.append(f"{counts[code]:>{width}}  {code}  {slug:<32}  "
                     f"{_paint(severity.value, _SEVERITY_STYLE[severity], color)}")
    return "\n".join(lines) + "\n"


def render_summary(errors: int, warnings: int, files: int, color: bool = False) -> str:
    """The closing line, such as `2 errors, 1 warning in 3 files`, without a newline (made for `print`)."""
    parts: list[str] = []
    if errors:
        parts.append(_paint(_plural(errors, "error"), _SEVERITY_STYLE[Severity.ERROR], color))
    if warnings:
        parts.append(_paint(_plural(warnings, "warning"), _SEVERITY_STYLE[Severity.WARNING], color))
    found = ", ".join(parts) if parts else "no errors or warnings"
    return f"{found} in {_plural(files, 'file')}"


# --------------------------------------------------------------------------------------------------
# json


def _span_fields(span: Span) -> dict[str, object]:
    return {
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def _label_json(label: Label) -> dict[str, object]:
    return {**_span_fields(label.span), "message": label.text}


def _count(diagnostics: Sequence[Diagnostic], severity: Severity) -> int:
    return sum(1 for diagnostic in diagnostics if diagnostic.severity is severity)


def _fix_json(fix: Fix) -> dict[str, object]:
    return {
        "title": fix.title,
        "safe": fix.safe,
        "edits": [{"file": e.file, "start": e.start, "end": e.end, "new_text": e.new_text} for e in fix.edits],
    }


def _diagnostic_json(diagnostic: Diagnostic) -> dict[str, object]:
    entry: dict[str, object] = {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        **_span_fields(diagnostic.span),
        "help": diagnostic.help,
        "labels": [_label_json(label) for label in diagnostic.labels],
        "notes": list(diagnostic.notes),
    }
    if diagnostic.fixes:
        entry["fixes"] = [_fix_json(fix) for fix in diagnostic.fixes]
    return entry


def render_json(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """The `--format json` object of ARCHITECTURE.md, with `labels` and `notes` added to each diagnostic,
    and `fixes` to those that have some (edits as 0-based character offsets into the file's text)."""
    document = {
        "version": JSON_VERSION,
        "diagnostics": [_diagnostic_json(diagnostic) for diagnostic in diagnostics],
        "summary": {
            "errors": _count(diagnostics, Severity.ERROR),
            "warnings": _count(diagnostics, Severity.WARNING),
            "files": files,
        },
    }
    import json  # here, not at the top: the text report (the usual one) needs no JSON

    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------------
# paths for CI


def _relative(path: str, root: str) -> str | None:
    """`path` relative to `root` with forward slashes, or None when it is not inside `root`."""
    try:
        relative = os.path.relpath(path, root or ".")
    except ValueError:  # another drive (Windows)
        return None
    posix = PurePath(relative).as_posix()
    if posix in (".", "..") or posix.startswith("../"):
        return None
    return posix


def _absolute(path: str) -> str:
    return PurePath(os.path.abspath(path)).as_posix()


# --------------------------------------------------------------------------------------------------
# sarif


def _pascal(slug: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in slug.replace("_", "-").split("-"))


def _artifact(path: str, root: str) -> tuple[dict[str, object], str]:
    """The SARIF artifactLocation of a file, and the path used for its fingerprint."""
    if is_url(path):
        return {"uri": path}, path
    relative = _relative(path, root)
    if relative is None:
        absolute = _absolute(path)
        return {"uri": Path(absolute).as_uri()}, absolute
    return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}, relative


def _physical(span: Span, root: str) -> dict[str, object]:
    artifact, _ = _artifact(span.file, root)
    region = {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


_MARKDOWN_LINK = regex(r"\[([^\]]+)\]\([^)]*\)")


@cache
def _what_it_checks(code: str) -> str:
    """The first paragraph of "What it checks" on the rule's page (docs/rules/<CODE>.md), as Markdown
    on one line with its links reduced to their text (they are relative to docs/), or "" without it."""
    try:
        page = rule_doc(code).read_text(encoding="utf-8")
    except OSError:
        return ""
    _, found, rest = page.partition("\n## What it checks\n")
    if not found:
        return ""
    paragraph: list[str] = []
    for line in rest.lstrip("\n").splitlines():
        if not line.strip() or line.startswith("#"):
            break
        paragraph.append(line.strip())
    return _MARKDOWN_LINK.sub(r"\1", " ".join(paragraph))


def _rule(code: str, severity: Severity, docs_url: str) -> dict[str, object]:
    entry = CODES.get(code)
    if entry is None:  # not in the registry: still a valid, if bare, rule
        return {
            "id": code,
            "shortDescription": {"text": code},
            "fullDescription": {"text": code},
            "defaultConfiguration": {"level": severity.value},
        }
    properties: dict[str, object] = {"family": entry.family}
    if entry.article:
        properties["article"] = entry.article
    # GitHub shows fullDescription with the alert and requires it (the multitool's GH2012), and
    # renders help.markdown as the rule's help.
    full = _what_it_checks(code) or entry.summary
    explain = f"Run `policyc explain {code}` for what the rule checks and how to fix it."
    rule: dict[str, object] = {
        "id": code,
        "name": _pascal(entry.slug),
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": full.replace("`", ""), "markdown": full},
        "help": {"text": explain, "markdown": f"{full}\n\n{explain}"},
    }
    if docs_url:
        rule["helpUri"] = f"{docs_url}rules/{code}/"
    rule["defaultConfiguration"] = {"level": entry.severity.value}
    rule["properties"] = properties
    return rule


def _sarif_fix(fix: Fix, root: str) -> dict[str, object]:
    """A SARIF `fix`: its edits as replacements, by file (regions by character offset, which count code
    points as `run.columnKind` says)."""
    by_file: dict[str, list[Edit]] = {}
    for edit in fix.edits:
        by_file.setdefault(edit.file, []).append(edit)
    changes = [
        {
            "artifactLocation": _artifact(file, root)[0],
            "replacements": [
                {
                    "deletedRegion": {"charOffset": edit.start, "charLength": edit.end - edit.start},
                    **({"insertedContent": {"text": edit.new_text}} if edit.new_text else {}),
                }
                for edit in edits
            ],
        }
        for file, edits in by_file.items()
    ]
    return {"description": {"text": fix.title}, "artifactChanges": changes, "properties": {"safe": fix.safe}}


def _full_message(diagnostic: Diagnostic) -> str:
    lines = [diagnostic.message]
    if diagnostic.help:
        lines.append(f"help: {diagnostic.help}")
    lines.extend(f"note: {note}" for note in diagnostic.notes)
    return "\n".join(lines)


def render_sarif(diagnostics: Sequence[Diagnostic], *, tool_version: str, root: str,
                 docs_url: str | None = None) -> str:
    """A SARIF 2.1.0 log of one run, for GitHub code scanning.

    `docs_url` is where the documentation site lives (DOCS_URL unless given; "" for none): it gives
    each rule its `helpUri` and the tool its `informationUri`.

    Paths are relative to `root` (under the `%SRCROOT%` base); columns are Unicode code points, as
    `run.columnKind` says. Each result has a fingerprint made of its code, path and message (and its
    rank among identical ones), so code scanning can follow it when lines move.
    """
    first_severity: dict[str, Severity] = {}
    for diagnostic in diagnostics:
        first_severity.setdefault(diagnostic.code, diagnostic.severity)
    codes = sorted(first_severity)
    index = {code: position for position, code in enumerate(codes)}

    import hashlib

    seen: dict[str, int] = {}
    results: list[dict[str, object]] = []
    for diagnostic in diagnostics:
        _, shown_path = _artifact(diagnostic.span.file, root)
        digest = hashlib.sha256(
            "\0".join((diagnostic.code, shown_path, diagnostic.message)).encode("utf-8")
        ).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        result: dict[str, object] = {
            "ruleId": diagnostic.code,
            "ruleIndex": index[diagnostic.code],
            "level": diagnostic.severity.value,
            "message": {"text": _full_message(diagnostic)},
            "locations": [_physical(diagnostic.span, root)],
            "partialFingerprints": {SARIF_FINGERPRINT: f"{digest}:{seen[digest]}"},
        }
        if diagnostic.labels:
            result["relatedLocations"] = [
                {"id": number, **_physical(label.span, root), "message": {"text": label.text}}
                for number, label in enumerate(diagnostic.labels, start=1)
            ]
        if diagnostic.fixes:
            result["fixes"] = [_sarif_fix(fix, root) for fix in diagnostic.fixes]
        results.append(result)

    docs = DOCS_URL if docs_url is None else docs_url
    driver: dict[str, object] = {"name": "policyc", "version": tool_version}
    if docs:
        driver["informationUri"] = docs
    driver["rules"] = [_rule(code, first_severity[code], docs) for code in codes]
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": Path(_absolute(root or ".")).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    import json

    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------------
# github


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], root: str) -> str:
    """One GitHub Actions workflow command (`::error ...::message`) per diagnostic.

    Columns are given only for a span on one line: GitHub ignores them on a span across lines.
    """
    commands: list[str] = []
    for diagnostic in diagnostics:
        span = diagnostic.span
        path = span.file if is_url(span.file) else (_relative(span.file, root) or _absolute(span.file))
        properties = [("file", path), ("line", str(span.line))]
        if span.end_line == span.line:
            properties.append(("col", str(span.column)))
        properties.append(("endLine", str(span.end_line)))
        if span.end_line == span.line:
            properties.append(("endColumn", str(span.end_column)))
        properties.append(("title", f"{diagnostic.code} {diagnostic.name}".rstrip()))
        joined = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
        commands.append(f"::{diagnostic.severity.value} {joined}::{_escape_data(_full_message(diagnostic))}\n")
    return "".join(commands)
