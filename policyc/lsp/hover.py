"""Hover: what a name refers to, what a field or kind means, and what a diagnostic's rule checks."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lsprotocol import types

from policyc import ast
from policyc.diagnostics.codes import CODES
from policyc.lsp.analysis import Analysis, Hit
from policyc.resolver import Module
from policyc.resources import rule_doc, stdlib_dir
from policyc.schema import KINDS, FieldSpec, KindSpec, type_words


def field_text(decl: ast.Decl, name: str) -> str:
    """The first string written for a field (`article`, `summary`), or ''."""
    for fld in decl.fields:
        if fld.name == name:
            for item in fld.items:
                for atom in item.atoms:
                    if isinstance(atom, ast.Str):
                        return atom.value
    return ""


def _unindent(text: str) -> str:
    """Prose whose continuation lines are indented: without the indentation, which Markdown would
    otherwise take for code."""
    return "\n".join(line.strip() for line in text.splitlines())


def where(module: Module) -> str:
    if module.stdlib:
        return f"standard library, module `{module.name}`"
    return f"`{Path(module.source.path).name}`"


def describe_decl(decl: ast.Decl, module: Module) -> str:
    name = f" `{decl.key}`" if decl.name else ""
    title = f" — {decl.title.value}" if decl.title else ""
    parts = [f"**{decl.kind}**{name}{title}"]
    spec = KINDS.get(decl.kind)
    if spec is not None:
        parts[0] += f"  \n*{spec.doc}* · {where(module)}"
    if decl.doc:
        parts.append(decl.doc)
    article = field_text(decl, "article")
    if article:
        parts.append(f"**Article** {article}")
    summary = field_text(decl, "summary")
    if summary:
        parts.append(_unindent(summary))
    return "\n\n".join(parts)


def describe_field(spec: FieldSpec, kind: str) -> str:
    flags = [flag for flag, on in (("required", spec.required), ("repeatable", spec.repeatable)) if on]
    extra = f" ({', '.join(flags)})" if flags else ""
    return f"**`{spec.name}`** — field of `{kind}`{extra}\n\n{spec.doc}\n\n*Value:* {type_words(spec)}"


def describe_kind(spec: KindSpec) -> str:
    extra = " One per file; the name is optional." if spec.singleton else ""
    fields = ", ".join(f"`{f.name}`" for f in spec.fields)
    return f"**`{spec.name}`** — a kind of declaration: {spec.doc}.{extra}\n\n*Fields:* {fields}"


def module_doc(module: Module) -> str:
    """The comment block at the top of a module's file."""
    return header_comment(module.source.text)


@cache
def stdlib_module_doc(name: str) -> str:
    path = stdlib_dir() / f"{name}.policy"
    return header_comment(path.read_text(encoding="utf-8")) if path.is_file() else ""


def header_comment(text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return " ".join(lines)


@cache
def rule_explanation(code: str) -> str:
    """The first section of the rule's page (what it checks), with its code, slug and article."""
    entry = CODES.get(code)
    if entry is None:
        return ""
    heading = f"**{code}** `{entry.slug}` ({entry.severity.value})"
    if entry.article:
        heading += f" · Article {entry.article}"
    try:
        page = rule_doc(code).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return f"{heading}\n\n{entry.summary}"
    section: list[str] = []
    inside = False
    for line in page.splitlines():
        if line.startswith("## "):
            if inside:
                break
            inside = True
            continue
        if inside:
            section.append(line)
    body = "\n".join(section).strip() or entry.summary
    return f"{heading}\n\n{body}\n\n`policyc explain {code}` shows the whole page."


def describe(analysis: Analysis, hit: Hit) -> str:
    if hit.what in ("ref", "decl") and hit.decl is not None and hit.target is not None:
        return describe_decl(hit.decl, hit.target)
    if hit.what == "field" and hit.decl is not None and hit.fld is not None:
        spec = KINDS.get(hit.decl.kind)
        fspec = spec.field(hit.fld.name) if spec else None
        return describe_field(fspec, hit.decl.kind) if fspec else ""
    if hit.what == "kind" and hit.decl is not None:
        kind = KINDS.get(hit.decl.kind)
        return describe_kind(kind) if kind else ""
    if hit.what == "use" and hit.use is not None:
        imported = analysis.imported_module(hit.use)
        if imported is None:
            return ""
        if imported.stdlib:
            return f"**use** standard-library module `{imported.name}`\n\n{module_doc(imported)}".strip()
        return f"**use** `{imported.source.path}`"
    return ""


def hover(analysis: Analysis, position: types.Position) -> types.Hover | None:
    offset = analysis.offset(position)
    parts: list[str] = []
    hover_range: types.Range | None = None
    hit = analysis.hit(offset)
    if hit is not None:
        text = describe(analysis, hit)
        if text:
            parts.append(text)
            hover_range = analysis.range(hit.span)
    codes: list[str] = []
    for diagnostic in analysis.diagnostics:
        span = diagnostic.span
        if span.start <= offset <= max(span.end, span.start + 1) and diagnostic.code not in codes:
            codes.append(diagnostic.code)
    parts.extend(text for text in (rule_explanation(code) for code in codes) if text)
    if not parts:
        return None
    content = types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts))
    return types.Hover(contents=content, range=hover_range)
