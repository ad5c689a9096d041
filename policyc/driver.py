"""The pipeline driver: the stages of a check (load, resolve, typecheck, model, rules, config) in one
table, `STAGES`, run in order, each with its diagnostics."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from policyc import TYPE_CHECKING, ast, config, stdlib_cache
from policyc.binder import bind_names
from policyc.diagnostics.model import Diagnostic, Severity, Span
from policyc.model import Model, build_model
from policyc.parser import ChunkCache, parse_source
from policyc.profile import stage
from policyc.records import field, record
from policyc.resolver import Bindings, Module, Parser, Program, Reader
from policyc.source import Source, SourceError, read_source
from policyc.typecheck import TypeChecker, TypedDecl

if TYPE_CHECKING:
    from typing import Any


@record
class CheckResult:
    """Everything one check made: the program, diagnostics, sources, typed declarations and models."""

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
    return Workspace(keep_chunks=False).check_files(files)


def check_text(text: str, path: str = "<text>") -> CheckResult:
    """Check a policy held in memory (imports of files are not possible)."""
    return Workspace(keep_chunks=False).check_text(text, path)


class Workspace:
    """Checks the same policies again and again as they change: for the language server and
    `policyc check --watch`.

    It keeps, per file, the top-level chunks parsed last time (by their text), so a check after an
    edit parses only the declarations the edit touched, then resolves and checks everything again; the
    result is the same as a fresh check's. Files the editor has open are read from their unsaved text
    (`overlays`, by resolved path, given to each check), here and wherever another file imports them.

    A workspace belongs to one thread at a time (the language server checks on its event loop); the
    parser keeps no state between parses, so separate workspaces can check in separate threads.
    """

    def __init__(self, *, keep_chunks: bool = True) -> None:
        """`keep_chunks=False` for a check made once (`check_files`, `check_text`): nothing is kept for a
        next check, which saves keying every chunk."""
        self._caches: dict[str, ChunkCache] = {}
        self._keep_chunks = keep_chunks

    # -- reading and parsing, through the overlays and the chunk caches ------------------------------
    @staticmethod
    def reader(overlays: Mapping[Path, str] | None) -> Callable[[str, str | None], tuple[Source, str | None]]:
        """Read a file, or the unsaved text of a file open in the editor."""
        if not overlays:
            return read_source

        def read(path: str, display: str | None = None) -> tuple[Source, str | None]:
            text = overlays.get(Path(path).resolve())
            if text is not None:
                return Source(display or path, text), None
            return read_source(path, display)

        return read

    def parse(self, source: Source) -> tuple[ast.Module, list[Diagnostic]]:
        if not self._keep_chunks:
            return parse_source(source)
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
    def check_files(self, files: list[Path], overlays: Mapping[Path, str] | None = None) -> CheckResult:
        """Parse, resolve and type-check the files (and everything they import)."""
        with collector_paused():
            return self._check_files(files, overlays)

    def _check_files(self, files: list[Path], overlays: Mapping[Path, str] | None = None) -> CheckResult:
        return run_stages(Entries(self.reader(overlays), self.parse, files=list(files))).result

    def check_text(self, text: str, name: str = "<text>", path: Path | None = None, *,
                   configured: bool = True, overlays: Mapping[Path, str] | None = None) -> CheckResult:
        """Check a text held in memory, as the file at `path` (whose folder its imports and
        configuration are found from); without a path, file imports are not possible.

        With `configured=False` the project's policyc.toml is not applied (every finding is kept)."""
        with collector_paused():
            return self._check_text(text, name, path, configured=configured, overlays=overlays)

    def _check_text(self, text: str, name: str, path: Path | None, *, configured: bool,
                    overlays: Mapping[Path, str] | None = None) -> CheckResult:
        entries = Entries(self.reader(overlays), self.parse, text=Source(name, text), text_path=path,
                          configured=configured)
        return run_stages(entries).result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a check runs.

    A check makes hundreds of thousands of small objects that stay alive until it ends; each pass of
    the cyclic collector walks all of them, so with it running a check grows faster than the policy
    (16x the time for 10x the lines, measured) and is a third slower. Reference counting still frees
    everything that is not in a cycle, and the collector is back as it was as soon as the check is done
    (on in the language server and `--watch`; the one-shot program runs without it, `policyc.cli.run`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unreadable(source: Source, problem: str) -> Diagnostic:
    return Diagnostic.of("S005", problem, source.span(0, 0), help="policies are UTF-8 text")


# -- the stages ----------------------------------------------------------------------------------------
#
# A check is the stages of `STAGES`, run in order: each is a function from the previous stage's output
# to its own output and the diagnostics it found. Every stage runs even after errors (a policy with a
# syntax error still gets its names and types checked); `policyc dump` stops where its stage is reached.


@record
class Entries:
    """What a check starts from: the files named (or one text held in memory), and how to read and parse."""

    read: Reader
    parse: Parser
    files: list[Path] = field(default_factory=list)
    text: Source | None = None  # a text held in memory, checked as the file at `text_path` (if any)
    text_path: Path | None = None
    configured: bool = True  # apply the project's policyc.toml and inline ignores


@record
class Loaded:
    """The load stage's output: every module reachable from the entries, read, parsed and linked."""

    program: Program
    entries: list[str]  # the entry files, as shown to the user
    configured: bool = True


@record
class Resolved:
    """The resolve stage's output: the loaded program and what each reference of a user file names."""

    loaded: Loaded
    bindings: Bindings


@record
class Typed:
    """The typecheck stage's output: the typed declarations, of each user module and of the library."""

    resolved: Resolved
    typed: list[TypedDecl]
    by_module: dict[int, list[TypedDecl]]
    library: list[TypedDecl]


@record
class Modelled:
    """The model stage's output: the model of each file named and of each file declaring a policy."""

    typed: Typed
    models: dict[str, Model]


def load(entries: Entries) -> tuple[Loaded, list[Diagnostic]]:
    """Read and parse the entry files and every file they `use`, and link the modules."""
    program = Program(entries.read, entries.parse)
    program.load_prelude()
    names: list[str] = []
    if entries.text is not None:
        with stage("parse"):
            tree, diagnostics = entries.parse(entries.text)
        program.add_source(entries.text, tree, entries.text_path, diagnostics)
        names.append(entries.text.path)
    for path in entries.files:
        with stage("read"):
            source, problem = entries.read(str(path), str(path))
        names.append(source.path)
        if str(path.resolve()) in program.modules:
            continue  # already loaded as another file's import
        if problem:
            empty = ast.Module(source.path, (), (), source.span(0, 0))
            program.add_source(source, empty, path, [_unreadable(source, problem)])
        else:
            with stage("parse"):
                tree, diagnostics = entries.parse(source)
            program.add_source(source, tree, path, diagnostics)
    return Loaded(program, names, entries.configured), list(program.diagnostics)


def resolve(loaded: Loaded) -> tuple[Resolved, list[Diagnostic]]:
    """Check each user file's scope for names declared twice, then bind every reference."""
    program = loaded.program
    before = len(program.diagnostics)
    for module in program.modules.values():
        if not module.stdlib:
            program.check_duplicates(module)
    bindings, names = bind_names(program)
    return Resolved(loaded, bindings), [*program.diagnostics[before:], *names]


def typecheck(resolved: Resolved) -> tuple[Typed, list[Diagnostic]]:
    """Type-check every user declaration (the standard library's are checked once per process)."""
    program = resolved.loaded.program
    checker = TypeChecker(program, resolved.bindings)
    typed: list[TypedDecl] = []
    by_module: dict[int, list[TypedDecl]] = {}
    for module in program.modules.values():
        if not module.stdlib:
            by_module[id(module)] = checker.check_module(module)
            typed.extend(by_module[id(module)])
    library = stdlib_typed(program)
    return Typed(resolved, typed, by_module, library), checker.diagnostics


def model(typed: Typed) -> tuple[Modelled, list[Diagnostic]]:
    """Build the model of each file named and of each file that declares a policy."""
    loaded = typed.resolved.loaded
    models: dict[str, Model] = {}
    for module in loaded.program.modules.values():
        declares_policy = any(d.kind == "policy" for d in module.tree.decls)
        if module.stdlib or not (declares_policy or module.source.path in loaded.entries):
            continue
        modules = _with_user_imports(module)
        own = [t for m in modules for t in typed.by_module.get(id(m), [])]
        assertions = [item for m in modules for item in m.tree.items if isinstance(item, ast.Assert)]
        models[module.source.path] = build_model(own, typed.library, assertions)
    return Modelled(typed, models), []


def rules(modelled: Modelled) -> tuple[Modelled, list[Diagnostic]]:
    """Run the legal rules on each policy's model (a file of shared declarations is not a notice)."""
    from policyc.rules import run_rules

    found: list[Diagnostic] = []
    program = modelled.typed.resolved.loaded.program
    damaged = [d.span for m in program.modules.values() if not m.stdlib for d in m.tree.decls if d.broken]
    for module in program.modules.values():
        model = modelled.models.get(module.source.path)
        if model is not None and not module.stdlib and any(d.kind == "policy" for d in module.tree.decls):
            found.extend(d for d in run_rules(model) if not _inside_any(d.span, damaged))
    return modelled, found


def _inside_any(span: Span, declarations: list[Span]) -> bool:
    """The finding points into a declaration with a statement dropped for a syntax error: what a rule says
    about it is guesswork until the statement parses (the syntax error is reported)."""
    return any(d.file == span.file and d.start <= span.start and span.end <= d.end for d in declarations)


def configure(reported: tuple[Modelled, list[Diagnostic]]) -> tuple[CheckResult, list[Diagnostic]]:
    """Apply the project's configuration and inline ignores to every diagnostic so far, and order them."""
    modelled, diagnostics = reported
    loaded = modelled.typed.resolved.loaded
    program = loaded.program
    unique = list({(d.code, d.span, d.message): d for d in diagnostics}.values())
    user = [m for m in program.modules.values() if not m.stdlib]
    kept = config.apply(
        unique,
        {m.source.path: m.tree.comments for m in user},
        {m.source.path: Path(m.source.path).resolve().parent for m in user if not m.source.path.startswith("<")},
    ) if loaded.configured else unique
    ordered = sorted(kept, key=Diagnostic.sort_key)
    sources = {module.source.path: module.source for module in program.modules.values()}
    result = CheckResult(program, ordered, sources, loaded.entries, modelled.typed.typed, modelled.models)
    return result, ordered


@record(frozen=True)
class Stage:
    """One stage of a check: its name (also its name in `--profile` and `policyc dump`), the function
    from its input to its output and diagnostics, and whether it replaces the diagnostics so far
    (the config stage filters them) rather than adding to them."""

    name: str
    run: Callable[[Any], tuple[Any, list[Diagnostic]]]
    filters: bool = False


STAGES: tuple[Stage, ...] = (
    Stage("load", load),
    Stage("resolve", resolve),
    Stage("typecheck", typecheck),
    Stage("model", model),
    Stage("rules", rules),
    Stage("config", configure, filters=True),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


@record
class Run:
    """What `run_stages` did: each stage's output and diagnostics, by stage name, in order."""

    outputs: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)

    @property
    def result(self) -> CheckResult:
        result = self.outputs["config"]
        assert isinstance(result, CheckResult)
        return result


def run_stages(entries: Entries, until: str = STAGE_NAMES[-1]) -> Run:
    """Run the stages of `STAGES` in order, through the stage named `until`."""
    run = Run()
    value: Any = entries
    so_far: list[Diagnostic] = []
    for step in STAGES:
        with stage(step.name):
            value, found = step.run((value, so_far) if step.filters else value)
        so_far = found if step.filters else [*so_far, *found]
        run.outputs[step.name] = value
        run.diagnostics[step.name] = found
        if step.name == until:
            break
    return run


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
