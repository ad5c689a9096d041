"""One check of one open document, and the questions the features ask of it.

A document is checked as `policyc check` would check the file: parse, resolve (imports are read from
the editor's unsaved text when the imported file is open, else from disk), type check, and the legal
rules. The result (a `CheckResult`) is kept with the document's version; every feature reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

from lsprotocol import types

from policyc import ast, config
from policyc.diagnostics.model import Diagnostic, Span
from policyc.driver import CheckResult, Workspace, stdlib_typed
from policyc.lsp.documents import canonical, path_to_uri
from policyc.lsp.positions import UTF16, LineIndex
from policyc.records import field, record
from policyc.resolver import Found, Module
from policyc.resources import stdlib_dir
from policyc.typecheck import Ref, Retention, TypedDecl


def check_document(text: str, name: str, path: Path | None, overlays: dict[Path, str] | None = None,
                   workspace: Workspace | None = None) -> tuple[CheckResult, str | None]:
    """Check a document's text as the file at `path` (None for an unsaved, untitled document); imports
    of open files read their unsaved text (`overlays`). A `workspace` kept from check to check parses
    only the declarations that changed since.

    Returns the result and, when the project's configuration cannot be read, why (the document is then
    checked with the default configuration)."""
    workspace = workspace or Workspace()
    config.config_for_folder.cache_clear()  # policyc.toml may have changed since the last check
    try:
        return workspace.check_text(text, name, path, overlays=overlays), None
    except config.ConfigError as err:
        return workspace.check_text(text, name, path, configured=False, overlays=overlays), str(err)


@cache
def stdlib_uri(name: str) -> str:
    return path_to_uri((stdlib_dir() / f"{name}.policy").resolve())


@record(frozen=True, slots=True)
class DeclKey:
    """A declaration, the same across checks: its file (canonical URI), kind and name."""

    uri: str
    kind: str
    name: str


@record(frozen=True, slots=True)
class RefSite:
    """A reference written in some module, bound by the type checker to a declaration."""

    module: Module
    ref: Ref


def refs_of(typed: TypedDecl) -> Iterator[Ref]:
    for values in typed.values.values():
        for value in values:
            if isinstance(value, Ref):
                yield value
            elif isinstance(value, Retention):
                yield from (r for r in (value.after, value.until, value.unless) if r is not None)


@record(frozen=True, slots=True)
class Hit:
    """What is under the cursor."""

    what: str  # "ref", "decl", "field", "kind", "use"
    span: Span
    module: Module  # where the thing is written
    decl: ast.Decl | None = None  # the declaration referred to (ref, decl) or the enclosing one (field, kind)
    target: Module | None = None  # the module declaring `decl` (ref, decl)
    fld: ast.Field | None = None
    use: ast.Use | None = None
    ref: Ref | None = None


def _contains(span: Span, offset: int) -> bool:
    return span.start <= offset <= span.end


@record
class Analysis:
    """One check of an open document, with what the server needs to answer requests about it."""

    uri: str  # as the client spells it
    version: int | None
    text: str
    name: str  # the path the document's spans carry
    result: CheckResult
    path: Path | None = None  # the file on disk, for a `file:` document
    config_problem: str | None = None
    encoding: str = UTF16
    module: Module | None = None
    _uris: dict[int, str] = field(default_factory=dict)
    _by_source: dict[str, Module] = field(default_factory=dict)
    _indexes: dict[int, LineIndex] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, module in self.result.program.modules.items():
            self._by_source[module.source.path] = module
            if module.stdlib:
                self._uris[id(module)] = stdlib_uri(module.name)
            elif module.source.path == self.name:
                self.module = module
                self._uris[id(module)] = self.uri
            else:
                self._uris[id(module)] = path_to_uri(Path(key))

    # -- places --------------------------------------------------------------------------------
    @property
    def index(self) -> LineIndex:
        return self.index_of_text(self.text)

    def index_of_text(self, text: str) -> LineIndex:
        key = id(text)
        found = self._indexes.get(key)
        if found is None or found.text is not text:
            found = self._indexes[key] = LineIndex(text, self.encoding)
        return found

    def uri_of(self, module: Module) -> str:
        known = self._uris.get(id(module))
        if known is not None:
            return known
        if module.stdlib:
            return stdlib_uri(module.name)
        return path_to_uri(Path(module.source.path).resolve())

    def module_of_file(self, file: str) -> Module | None:
        """The module whose spans carry this path."""
        return self._by_source.get(file)

    def range_in(self, module: Module, span: Span) -> types.Range:
        return self.index_of_text(module.source.text).range(span.start, span.end)

    def location(self, module: Module, span: Span) -> types.Location:
        return types.Location(uri=self.uri_of(module), range=self.range_in(module, span))

    def range(self, span: Span) -> types.Range:
        return self.index.range(span.start, span.end)

    def range_of_offsets(self, start: int, end: int) -> types.Range:
        return self.index.range(start, end)

    def offset(self, position: types.Position) -> int:
        return self.index.offset(position)

    # -- contents ------------------------------------------------------------------------------
    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The document's own diagnostics."""
        return [d for d in self.result.diagnostics if d.span.file == self.name]

    def key_of(self, decl: ast.Decl, module: Module) -> DeclKey:
        return DeclKey(canonical(self.uri_of(module)), decl.kind, decl.key)

    def typed_in(self, module: Module) -> list[TypedDecl]:
        return [t for t in self.result.typed if t.module is module]

    def ref_sites(self, *, stdlib: bool = False) -> Iterator[RefSite]:
        """Every bound reference in the document and the user files it imports (and the standard
        library's own references, with `stdlib`)."""
        for typed in self.result.typed:
            for ref in refs_of(typed):
                yield RefSite(typed.module, ref)
        if stdlib:
            for typed in stdlib_typed(self.result.program):
                for ref in refs_of(typed):
                    yield RefSite(typed.module, ref)

    def hit(self, offset: int) -> Hit | None:
        """The reference, declaration name, field name, kind or `use` under the cursor."""
        module = self.module
        if module is None:
            return None
        for typed in self.typed_in(module):
            if not _contains(typed.decl.span, offset):
                continue
            for ref in refs_of(typed):
                if _contains(ref.span, offset):
                    return Hit("ref", ref.span, module, ref.target.decl, ref.target.module, ref=ref)
        for item in module.tree.items:
            if isinstance(item, ast.Use) and _contains(item.span, offset):
                return Hit("use", item.target.span, module, use=item)
            if not isinstance(item, ast.Decl) or not _contains(item.span, offset):
                continue
            if item.name is not None and _contains(item.name.span, offset):
                return Hit("decl", item.name.span, module, item, module)
            if _contains(item.kind_span, offset):
                return Hit("kind", item.kind_span, module, item)
            for fld in item.fields:
                if _contains(fld.name_span, offset):
                    return Hit("field", fld.name_span, module, item, fld=fld)
        return None

    def imported_module(self, use: ast.Use) -> Module | None:
        """The module a `use` loads, if it loaded."""
        modules = self.result.program.modules
        target = use.target
        if isinstance(target, ast.Name):
            found = modules.get(target.dotted)
            return found if found is not None and found.stdlib else None
        if self.path is None:
            return None
        try:
            return modules.get(str((self.path.parent / target.value).resolve()))
        except (OSError, RuntimeError, ValueError):
            return None

    def visible(self, kinds: tuple[str, ...]) -> list[tuple[str, Found]]:
        """The names of declarations of these kinds that a reference in the document can use, as it
        would write them: the nearest layer wins, and a name two modules of one layer declare is
        offered qualified."""
        module = self.module
        if module is None:
            return []
        program = self.result.program
        layers = [[module], list(module.imports), list(program.prelude)]
        seen: set[str] = set()
        out: list[tuple[str, Found]] = []
        for layer in layers:
            by_name: dict[str, list[Found]] = {}
            for candidate in layer:
                for name, decls in candidate.by_name.items():
                    decl = next((d for d in decls if d.kind in kinds), None)
                    if decl is not None:
                        by_name.setdefault(name, []).append(Found(decl, candidate))
            for name, founds in by_name.items():
                if name in seen:
                    continue
                seen.add(name)
                if len(founds) == 1:
                    out.append((name, founds[0]))
                else:
                    for found in founds:
                        qualifier = found.module.name if found.module.stdlib else Path(found.module.name).stem
                        out.append((f"{qualifier}.{name}", found))
        return out

