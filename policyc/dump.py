"""`policyc dump --stage ast|resolved|model|notice FILE`: one stage's output as JSON.

For looking inside the compiler: what the parser built, what each name is bound to, the model the
backends read, and the notice's statements with their kinds and provenance. The JSON is stable: keys
sorted, spans written `file:line:column-end_line:end_column`, nothing that depends on the run.

A dump is refused (`DumpRefused`) when the file has errors in a stage that the dumped output depends
on: a dump of a half-built stage would show what the compiler guessed, not what the policy says.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path
from typing import Any

from policyc import records
from policyc.diagnostics.model import Diagnostic, Severity, Span
from policyc.driver import CheckResult, Entries, Resolved, Run, Workspace, run_stages
from policyc.model import Entity, Model

# What each dump shows: the stage whose output it is, and the stages whose errors refuse it.
DUMPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ast": ("load", ("load",)),
    "resolved": ("resolve", ("load", "resolve")),
    "model": ("model", ("load", "resolve", "typecheck", "model")),
    "notice": ("model", ("load", "resolve", "typecheck", "model")),
}


class DumpRefused(Exception):
    """The file has errors before the stage asked for; `diagnostics` are those errors."""

    def __init__(self, message: str, result: CheckResult, diagnostics: list[Diagnostic]) -> None:
        super().__init__(message)
        self.result = result
        self.diagnostics = diagnostics


def span_text(span: Span) -> str:
    return f"{span.file}:{span.line}:{span.column}-{span.end_line}:{span.end_column}"


def to_json(value: Any, depth: int = 0) -> Any:
    """A syntax-tree node, model or other value as JSON data: records become objects with their
    class as `type`; fields not shown in a repr (back-references such as an entity's declaration) are
    left out. An entity is written whole in the collections of the value dumped (`model.purposes`) and
    named by its kind and key anywhere deeper (a purpose's data), so that nothing is repeated."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Span):
        return span_text(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Entity) and depth > 2:
        return {"entity": type(value).__name__, "key": value.key}
    if records.is_record(value) and not isinstance(value, type):
        out: dict[str, Any] = {"type": type(value).__name__}
        for fld in records.fields(value):
            if fld.repr:
                out[fld.name] = to_json(getattr(value, fld.name), depth + 1)
        return out
    if isinstance(value, dict):
        return {str(k): to_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(to_json(v, depth + 1) for v in value)
    if isinstance(value, (list, tuple)):
        return [to_json(v, depth + 1) for v in value]
    return str(value)


def _ast(run: Run, path: str) -> dict[str, Any]:
    module = _module(run, path)
    return {"stage": "ast", "file": path, "module": to_json(module.tree)}


def _resolved(run: Run, path: str) -> dict[str, Any]:
    resolved = run.outputs["resolve"]
    assert isinstance(resolved, Resolved)
    program = resolved.loaded.program
    modules = []
    for module in program.modules.values():
        entry: dict[str, Any] = {"name": module.name, "stdlib": module.stdlib,
                                 "imports": [m.name for m in module.imports]}
        if not module.stdlib:
            entry["declarations"] = [
                {"kind": d.kind, "name": d.name.dotted if d.name else None, "span": span_text(d.header_span)}
                for d in module.tree.decls
            ]
        modules.append(entry)
    bindings = []
    for name, lookup in sorted(resolved.bindings.items(), key=lambda kv: (kv[0].span.file, kv[0].span.start)):
        found = lookup.found
        bindings.append({
            "name": name.dotted,
            "span": span_text(name.span),
            "target": None if found is None else {
                "kind": found.decl.kind, "name": found.decl.name.dotted if found.decl.name else None,
                "module": found.module.name, "span": span_text(found.decl.header_span)},
            "diagnostic": lookup.diagnostic.code if lookup.diagnostic is not None else None,
        })
    return {"stage": "resolved", "file": path, "prelude": [m.name for m in program.prelude],
            "modules": modules, "bindings": bindings}


def _the_model(run: Run, path: str) -> Model:
    result = run.result
    model = result.models.get(path)
    if model is None or model.policy is None:
        raise DumpRefused(f"{path} declares no policy: there is no notice to dump", result, [])
    return model


def _model(run: Run, path: str) -> dict[str, Any]:
    model = run.result.models.get(path)
    assert model is not None  # every file named gets a model
    return {"stage": "model", "file": path, "model": to_json(model)}


def _notice(run: Run, path: str) -> dict[str, Any]:
    from policyc.notice.compose import compose

    notice = compose(_the_model(run, path), path, Path(path).stem)
    sections: dict[str, dict[str, Any]] = {"top": {"id": "top", "title": notice.title, "statements": []}}
    for section in notice.sections:
        sections[section.id] = {"id": section.id, "title": section.title, "statements": []}
    for section_id, statement in notice.statements():
        sections[section_id]["statements"].append({
            "kind": statement.kind,
            "label": statement.label or None,
            "text": statement.text,
            "backing": [{"fact": b.fact, "span": span_text(b.span)} for b in statement.backing],
        })
    return {"stage": "notice", "file": path, "title": notice.title, "sections": list(sections.values())}


_BUILDERS = {"ast": _ast, "resolved": _resolved, "model": _model, "notice": _notice}


def _module(run: Run, path: str) -> Any:
    for module in run.result.program.modules.values():
        if module.source.path == path and not module.stdlib:
            return module
    raise AssertionError(f"{path} was not loaded")  # pragma: no cover - the entry is always loaded


def dump(path: Path, stage: str) -> dict[str, Any]:
    """The JSON data of one stage's output for the policy file at `path`; raises `DumpRefused` when the
    file has errors before that stage (the configured severities and inline ignores apply)."""
    _, blocking = DUMPS[stage]
    workspace = Workspace()
    run = run_stages(Entries(workspace.reader(None), workspace.parse, files=[path]))
    result = run.result
    early = {(d.code, d.span, d.message) for name in blocking for d in run.diagnostics[name]}
    errors = [d for d in result.diagnostics
              if d.severity is Severity.ERROR and (d.code, d.span, d.message) in early]
    if errors:
        raise DumpRefused(f"{path}: no `{stage}` dump, the file has errors in the stages it needs "
                          f"({', '.join(blocking)})", result, errors)
    return _BUILDERS[stage](run, result.files[0])


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
