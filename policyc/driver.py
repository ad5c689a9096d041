"""The pipeline driver: files -> parse -> resolve -> type check, with every stage's diagnostics."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from policyc import ast, config, stdlib_cache
from policyc.diagnostics.model import Diagnostic, Severity
from policyc.model import Model, build_model
from policyc.parser import ChunkCache, parse_source
from policyc.profile import stage
from policyc.resolver import Module, Program
from policyc.source import Source, SourceError, read_source
from policyc.typecheck import TypeChecker, TypedDecl


@dataclass
class CheckResult:
    program: Program
    diagnostics: list[Diagnostic]
    sources: dict[str, Source]
    files: list[str]
    typed: list[TypedDecl] = field(default_factory=list)
    models: dict[str, Model] = field(default_factory=dict)  # by file: files named and files that declare a policy

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)


def discover(paths: list[str]) -> list[Path]:
    """The .policy files named or under the folders named, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.policy") if p.is_file()))
        elif path.exists():
            found.append(path)
        else:
            raise SourceError(f"{raw}: no such file or folder")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def check_files(files: list[Path]) -> CheckResult:
    """Parse, resolve and type-check the files (and everything they import)."""
    return Workspace().check_files(files)


def check_text(text: str, path: str = "<text>") -> CheckResult:
    """Check a policy held in memory (imports of files are not possible)."""
    return Workspace().check_text(text, path)


class Workspace:
    """Checks the same policies again and again as they change: for the language server and
    `policyc check --watch`.

    It keeps, per file, the top-level chunks parsed last time (by their text), so a check after an
    edit parses only the declarations the edit touched, then resolves and checks everything again; the
    result is the same as a fresh check's. Files the editor has open are read from their unsaved text
    (`overlays`, by resolved path), here and wherever another file imports them.
    """

    def __init__(self) -> None:
        self.overlays: dict[Path, str] = {}
        self._caches: dict[str, ChunkCache] = {}

    # -- reading and parsing, through the overlays and the chunk caches ------------------------------
    def read(self, path: str, display: str | None = None) -> tuple[Source, str | None]:
        text = self.overlays.get(Path(path).resolve()) if self.overlays else None
        if text is not None:
            return Source(display or path, text), None
        return read_source(path, display)

    def parse(self, source: Source) -> tuple[ast.Module, list[Diagnostic]]:
        cache = self._caches.get(source.path)
        if cache is None:
            cache = self._caches[source.path] = ChunkCache()
        return parse_source(source, cache)

    def forget(self, path: str) -> None:
        """Drop what is kept of a file (closed in the editor, deleted)."""
        self._caches.pop(path, None)

    @property
    def chunk_stats(self) -> tuple[int, int]:
        """Chunks reused and chunks parsed, over every check so far."""
        return (sum(c.hits for c in self._caches.values()), sum(c.misses for c in self._caches.values()))

    # -- checking --------------------------------------------------------------------------------------
    def check_files(self, files: list[Path]) -> CheckResult:
        """Parse, resolve and type-check the files (and everything they import)."""
        with collector_paused():
            return self._check_files(files)

    def _check_files(self, files: list[Path]) -> CheckResult:
        program = Program(self.read, self.parse)
        with stage("resolve"):
            program.load_prelude()
        entry_names: list[str] = []
        for path in files:
            with stage("read"):
                source, problem = self.read(str(path), str(path))
            entry_names.append(source.path)
            if str(path.resolve()) in program.modules:
                continue  # already loaded as another file's import
            if problem:
                empty = ast.Module(source.path, (), (), source.span(0, 0))
                with stage("resolve"):
                    program.add_source(source, empty, path, [_unreadable(source, problem)])
            else:
                with stage("parse"):
                    tree, diagnostics = self.parse(source)
                with stage("resolve"):
                    program.add_source(source, tree, path, diagnostics)
        return _finish(program, entry_names)

    def check_text(self, text: str, name: str = "<text>", path: Path | None = None, *,
                   configured: bool = True) -> CheckResult:
        """Check a text held in memory, as the file at `path` (whose folder its imports and
        configuration are found from); without a path, file imports are not possible.

        With `configured=False` the project's policyc.toml is not applied (every finding is kept)."""
        with collector_paused():
            return self._check_text(text, name, path, configured=configured)

    def _check_text(self, text: str, name: str, path: Path | None, *, configured: bool) -> CheckResult:
        program = Program(self.read, self.parse)
        with stage("resolve"):
            program.load_prelude()
        source = Source(name, text)
        with stage("parse"):
            tree, diagnostics = self.parse(source)
        with stage("resolve"):
            program.add_source(source, tree, path, diagnostics)
        return _finish(program, [name], configured=configured)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a check runs.

    A check makes hundreds of thousands of small objects that stay alive until it ends; each pass of
    the cyclic collector walks all of them, so with it running a check grows faster than the policy
    (16x the time for 10x the lines, measured) and is a third slower. Reference counting still frees
    everything that is not in a cycle, and the collector runs again as soon as the check is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unreadable(source: Source, problem: str) -> Diagnostic:
    from policyc.diagnostics.codes import severity_of

    return Diagnostic("S005", problem, source.span(0, 0), severity_of("S005"), help="policies are UTF-8 text")


def _finish(program: Program, entry_names: list[str], *, configured: bool = True) -> CheckResult:
    from policyc.rules import run_rules

    checker = TypeChecker(program)
    typed: list[TypedDecl] = []
    by_module: dict[int, list[TypedDecl]] = {}
    sources: dict[str, Source] = {}
    with stage("typecheck"):
        for module in program.modules.values():
            sources[module.source.path] = module.source
            if not module.stdlib:
                by_module[id(module)] = checker.check_module(module)
                typed.extend(by_module[id(module)])
        library = stdlib_typed(program)
    diagnostics = [*program.diagnostics, *checker.diagnostics]
    models: dict[str, Model] = {}
    for module in program.modules.values():
        declares_policy = any(d.kind == "policy" for d in module.tree.decls)
        if module.stdlib or not (declares_policy or module.source.path in entry_names):
            continue
        modules = _with_user_imports(module)
        own = [t for m in modules for t in by_module.get(id(m), [])]
        assertions = [item for m in modules for item in m.tree.items if isinstance(item, ast.Assert)]
        with stage("model"):
            model = build_model(own, library, assertions)
        models[module.source.path] = model
        if declares_policy:  # the legal rules read a notice; a file of shared declarations is not one
            with stage("rules"):
                diagnostics.extend(run_rules(model))
    with stage("config"):
        unique = list({(d.code, d.span, d.message): d for d in diagnostics}.values())
        user = [m for m in program.modules.values() if not m.stdlib]
        kept = config.apply(
            unique,
            {m.source.path: m.tree.comments for m in user},
            {m.source.path: Path(m.source.path).resolve().parent for m in user if not m.source.path.startswith("<")},
        ) if configured else unique
        ordered = sorted(kept, key=Diagnostic.sort_key)
    return CheckResult(program, ordered, sources, entry_names, typed, models)


def _with_user_imports(module: Module) -> list[Module]:
    """The module and the user files it imports, directly or through other user files."""
    seen: dict[int, Module] = {id(module): module}
    stack = [module]
    while stack:
        for imported in stack.pop().imports:
            if not imported.stdlib and id(imported) not in seen:
                seen[id(imported)] = imported
                stack.append(imported)
    return list(seen.values())


_STDLIB_TYPED: dict[str, list[TypedDecl]] = {}


def stdlib_typed(program: Program) -> list[TypedDecl]:
    """The standard library's typed declarations (checked once per process; they never change)."""
    out: list[TypedDecl] = []
    checker = TypeChecker(program)
    for name, module in program.modules.items():
        if not module.stdlib:
            continue
        if name not in _STDLIB_TYPED:
            cached = stdlib_cache.typed(name)
            _STDLIB_TYPED[name] = checker.check_module(module) if cached is None else cached
        out.extend(_STDLIB_TYPED[name])
    return out
