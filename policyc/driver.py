"""The pipeline driver: files -> parse -> resolve -> type check, with every stage's diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policyc import ast
from policyc.diagnostics.model import Diagnostic, Severity
from policyc.parser import parse_source
from policyc.resolver import Program
from policyc.source import Source, SourceError, read_source
from policyc.typecheck import TypeChecker, TypedDecl


@dataclass
class CheckResult:
    program: Program
    diagnostics: list[Diagnostic]
    sources: dict[str, Source]
    files: list[str]
    typed: list[TypedDecl] = field(default_factory=list)

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
    program = Program()
    program.load_prelude()
    entry_names: list[str] = []
    for path in files:
        source, problem = read_source(str(path), str(path))
        entry_names.append(source.path)
        if str(path.resolve()) in program.modules:
            continue  # already loaded as another file's import
        if problem:
            empty = ast.Module(source.path, (), (), source.span(0, 0))
            program.add_source(source, empty, path, [_unreadable(source, problem)])
        else:
            tree, diagnostics = parse_source(source)
            program.add_source(source, tree, path, diagnostics)
    return _finish(program, entry_names)


def check_text(text: str, path: str = "<text>") -> CheckResult:
    """Check a policy held in memory (imports of files are not possible)."""
    program = Program()
    program.load_prelude()
    source = Source(path, text)
    tree, diagnostics = parse_source(source)
    program.add_source(source, tree, None, diagnostics)
    return _finish(program, [path])


def _unreadable(source: Source, problem: str) -> Diagnostic:
    from policyc.diagnostics.codes import severity_of

    return Diagnostic("S005", problem, source.span(0, 0), severity_of("S005"), help="policies are UTF-8 text")


def _finish(program: Program, entry_names: list[str]) -> CheckResult:
    checker = TypeChecker(program)
    typed: list[TypedDecl] = []
    sources: dict[str, Source] = {}
    for module in program.modules.values():
        sources[module.source.path] = module.source
        if not module.stdlib:
            typed.extend(checker.check_module(module))
    unique = {(d.code, d.span, d.message): d for d in [*program.diagnostics, *checker.diagnostics]}
    diagnostics = sorted(unique.values(), key=Diagnostic.sort_key)
    return CheckResult(program, diagnostics, sources, entry_names, typed)
