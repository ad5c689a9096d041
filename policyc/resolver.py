"""Modules and names: load modules (`use` of the standard library and of relative files) for the load
stage; check each scope for duplicates and look names up for the resolve stage.

Names live in one namespace per kind: a reference field says which kinds it expects, and the lookup
considers only declarations of those kinds, so `data contact { category contact }` is fine. A name
is looked for in the file itself, then in the modules it `use`s, then in the prelude (the standard
library modules every file sees: core, categories, purposes, places, events, measures). A dotted
name is first taken whole (`contact.email`) and then as `module.name` (`uk_gdpr.ico`).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

from policyc import ast
from policyc.diagnostics.fixes import add_use_fix, closest, did_you_mean, replacement
from policyc.diagnostics.model import Diagnostic, Label, Span
from policyc.parser import parse_source
from policyc.patterns import regex
from policyc.profile import stage
from policyc.records import field, record
from policyc.resources import stdlib_dir
from policyc.schema import KINDS
from policyc.source import Source, SourceError, read_source

_COUNTRY_CODE = regex(r"^[A-Z]{2}$")
PRELUDE = ("core", "categories", "purposes", "places", "events", "measures", "cookies")


@record(eq=False)
class Module:
    """A loaded file: its AST, where it came from, what it imports, and its declarations by name."""

    name: str  # the stdlib module name, or the file's path as shown to the user
    source: Source
    tree: ast.Module
    stdlib: bool
    imports: list[Module] = field(default_factory=list)
    by_name: dict[str, list[ast.Decl]] = field(default_factory=dict)

    def index(self) -> None:
        for decl in self.tree.decls:
            if decl.name is not None:
                self.by_name.setdefault(decl.name.dotted, []).append(decl)


@record(slots=True, unsafe_hash=True)
class Found:
    """A declaration that a name resolved to, and the module it is declared in."""

    decl: ast.Decl
    module: Module


@record(slots=True, unsafe_hash=True)
class Lookup:
    """The result of looking a name up: what was found, or the diagnostic saying why not."""

    found: Found | None
    diagnostic: Diagnostic | None = None


Bindings = dict[ast.Name, Lookup]  # every reference of the user's files -> what it names (the resolve stage)


def _a(word: str) -> str:
    """The indefinite article for a kind's name (`an adequacy`, `a safeguard`)."""
    return "an" if word[:1] in "aeiou" else "a"


def _diag(code: str, message: str, span: Span, **kw: object) -> Diagnostic:
    return Diagnostic.of(code, message, span, **kw)  # type: ignore[arg-type]


@cache
def _stdlib_module(name: str) -> Module | None:
    """Parse a standard-library module once per process (or take it from the cached snapshot)."""
    from policyc import stdlib_cache

    cached = stdlib_cache.module(name)
    if cached is not None:
        return cached
    path = stdlib_dir() / f"{name}.policy"
    if not path.is_file():
        return None
    with stage("read"):
        source = Source(f"<stdlib>/{name}.policy", path.read_text(encoding="utf-8"))
    with stage("parse"):
        tree, _ = parse_source(source)
    module = Module(name, source, tree, stdlib=True)
    module.index()
    return module


@cache
def stdlib_names() -> list[str]:
    return sorted(p.stem for p in stdlib_dir().glob("*.policy"))


def project_root(entry: Path) -> Path:
    """The folder holding policyc.toml or pyproject.toml above the entry file, else its folder."""
    folder = entry.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / "policyc.toml").is_file() or (candidate / "pyproject.toml").is_file():
            return candidate
    return folder


Reader = Callable[[str, str], tuple[Source, "str | None"]]
Parser = Callable[[Source], tuple[ast.Module, list[Diagnostic]]]


class Program:
    """Every module reachable from the entry files, and the diagnostics met while loading them.

    Imported files are read with `read` (path, display name) and parsed with `parse`: a `Workspace`
    passes its own, which see the editor's unsaved text and reuse the chunks parsed last time."""

    def __init__(self, read: Reader = read_source, parse: Parser = parse_source) -> None:
        self._read = read
        self._parse = parse
        self.modules: dict[str, Module] = {}  # by resolved path (user files) or stdlib name
        self.diagnostics: list[Diagnostic] = []
        self.prelude: list[Module] = []
        self._linked_stdlib: set[str] = set()

    # -- loading ---------------------------------------------------------------------------
    def load_prelude(self) -> None:
        for name in PRELUDE:
            module = self.stdlib(name)
            if module is not None:
                self.prelude.append(module)

    def stdlib(self, name: str) -> Module | None:
        module = _stdlib_module(name)
        if module is not None and name not in self._linked_stdlib:
            self._linked_stdlib.add(name)
            self.modules[name] = module
            self._link(module, root=None, chain=[])
        return module

    def add_source(self, source: Source, tree: ast.Module, path: Path | None, parse_diagnostics: list[Diagnostic],
                   root: Path | None = None) -> Module:
        """Register an entry file that has been read and parsed; load what it imports."""
        module = Module(source.path, source, tree, stdlib=False)
        module.index()
        key = str(path.resolve()) if path is not None else source.path
        self.modules[key] = module
        self.diagnostics.extend(parse_diagnostics)
        if path is not None:
            self._link(module, root=root or project_root(path), chain=[path.resolve()])
        else:
            self._link(module, root=None, chain=[])
        return module

    def _link(self, module: Module, root: Path | None, chain: list[Path]) -> None:
        self._link_jurisdictions(module)
        for use in module.tree.uses:
            target = use.target
            if isinstance(target, ast.Name):
                imported = self.stdlib(target.dotted) if len(target.parts) == 1 else None
                if imported is None:
                    known = stdlib_names()
                    close = closest(target.dotted, known)
                    self.diagnostics.append(_diag(
                        "N003", f"no standard-library module `{target.dotted}`", target.span,
                        label="not found",
                        help=(f"did you mean `{close[0]}`?" if close else
                              "the standard-library modules are " + ", ".join(f"`{n}`" for n in known)),
                        fixes=did_you_mean(target.span, target.dotted, close[0], known) if close else (),
                    ))
                    continue
                if imported is not module and imported not in module.imports:
                    module.imports.append(imported)
                continue
            if module.stdlib or not chain:
                self.diagnostics.append(_diag("N003", "file imports are only possible from a file on disk",
                                              target.span))
                continue
            here = chain[-1]
            refused = _bad_path(target.value)
            if refused:  # checked before the path reaches the OS, which would refuse it with an exception
                self.diagnostics.append(_diag("N003", f"cannot import this path: {refused}", target.span,
                                              label="not a file path",
                                              help='write the relative path of a file: `use "./shared.policy"`'))
                continue
            file = (here.parent / target.value).resolve()
            if root is not None and not file.is_relative_to(root.resolve()):
                self.diagnostics.append(_diag(
                    "N005", f"`{target.value}` is outside the project root", target.span,
                    label="outside the project", help=f"the project root is `{root}`; move the file inside it",
                ))
                continue
            if file in chain:
                cycle = " -> ".join(_short(p) for p in [*chain[chain.index(file):], file])
                self.diagnostics.append(_diag("N004", f"import cycle: {cycle}", target.span,
                                              label="this import closes the cycle",
                                              help="move what both files need into a third file that both import"))
                continue
            key = str(file)
            existing = self.modules.get(key)
            if existing is None:
                try:
                    with stage("read"):
                        source, problem = self._read(str(file), _display(file))
                except SourceError as err:
                    self.diagnostics.append(_diag("N003", f"cannot import `{target.value}`: {err}", target.span,
                                                  label="not found"))
                    continue
                if problem:
                    self.diagnostics.append(_diag("S005", problem, source.span(0, 0)))
                    tree = ast.Module(source.path, (), (), source.span(0, 0))
                    diagnostics: list[Diagnostic] = []
                else:
                    with stage("parse"):
                        tree, diagnostics = self._parse(source)
                existing = Module(source.path, source, tree, stdlib=False)
                existing.index()
                self.modules[key] = existing
                self.diagnostics.extend(diagnostics)
                self._link(existing, root, [*chain, file])
            if existing not in module.imports:
                module.imports.append(existing)

    def _link_jurisdictions(self, module: Module) -> None:
        """`jurisdictions uk_gdpr` in a policy implies `use uk_gdpr`: the law's module is in scope."""
        for decl in module.tree.decls:
            if decl.kind != "policy":
                continue
            for fld in decl.fields:
                if fld.name != "jurisdictions":
                    continue
                for item in fld.items:
                    atom = item.atoms[0] if len(item.atoms) == 1 else None
                    if isinstance(atom, ast.Name) and len(atom.parts) == 1 and atom.dotted in stdlib_names():
                        imported = self.stdlib(atom.dotted)
                        if imported is not None and imported is not module and imported not in module.imports:
                            module.imports.append(imported)

    def check_duplicates(self, module: Module) -> None:
        """Report a name declared twice in one file's scope (N002) and a second singleton (T007)."""
        first: dict[tuple[str, str], ast.Decl] = {}
        singletons: dict[str, ast.Decl] = {}
        for decl in module.tree.decls:
            spec = KINDS.get(decl.kind)
            if spec is not None and spec.singleton:
                earlier = singletons.get(decl.kind)
                if earlier is not None:
                    self.diagnostics.append(_diag(
                        "T007", f"a file has at most one `{decl.kind}`", decl.header_span,
                        label=f"a second `{decl.kind}`",
                        labels=(Label(earlier.header_span, f"the first `{decl.kind}` is here"),),
                        help="merge the two declarations",
                    ))
                else:
                    singletons[decl.kind] = decl
                continue
            if decl.name is None:
                continue
            key = (decl.kind, decl.name.dotted)
            earlier = first.get(key)
            if earlier is not None:
                self.diagnostics.append(_diag(
                    "N002", f"`{decl.kind} {decl.name.dotted}` is declared twice", decl.name.span,
                    label="declared again here",
                    labels=(Label(earlier.header_span, "first declared here"),),
                    help="rename one of them, or merge them",
                ))
            else:
                first[key] = decl

    # -- lookup ----------------------------------------------------------------------------
    def bind(self, module: Module, name: ast.Name, kinds: Sequence[str], country: bool = False) -> Lookup:
        """Look a reference up; a country that is not found is told as a bad country code (T006)."""
        found = self.lookup(module, name, kinds)
        if country and found.found is None and found.diagnostic is not None and found.diagnostic.code == "N001":
            if _COUNTRY_CODE.match(name.dotted) or name.dotted.upper() != name.dotted:
                hint = name.dotted.upper()
                diagnostic = _diag(
                    "T006", f"`{name.dotted}` is not an ISO 3166 country code or a known region", name.span,
                    label="unknown country code",
                    help=f"did you mean `{hint}`?" if hint != name.dotted else
                    "countries are written as ISO 3166-1 alpha-2 codes, such as `GB`, `US` or `IE`",
                    fixes=(replacement(name.span, hint, f"Change `{name.dotted}` to `{hint}`", safe=self.lookup(
                        module, ast.Name((hint,), name.span), kinds).found is not None),)
                    if hint != name.dotted and name.span.end > name.span.start else (),
                )
                return Lookup(None, diagnostic)
        return found

    def lookup(self, module: Module, name: ast.Name, kinds: Sequence[str]) -> Lookup:
        """Find the declaration of one of `kinds` that `name` refers to from `module`."""
        dotted = name.dotted
        layers: list[list[Module]] = [[module], list(module.imports), self.prelude]
        for layer in layers:
            hits = self._hits(layer, dotted, kinds)
            if len(hits) == 1:
                return Lookup(hits[0])
            if len(hits) > 1:
                where = ", ".join(f"`{h.module.name}`" for h in hits)
                return Lookup(hits[0], _diag(
                    "N006", f"`{dotted}` is ambiguous: {where} each declare it", name.span,
                    label="ambiguous", help=f"qualify it, as in `{_qualifier(hits[0].module)}.{dotted}`",
                ))
        if len(name.parts) > 1:
            qualifier, rest = name.parts[0], ".".join(name.parts[1:])
            target = self._module_named(module, qualifier)
            if target is not None:
                hits = self._hits([target], rest, kinds)
                if hits:
                    return Lookup(hits[0])
        return Lookup(None, self._not_found(module, name, kinds, layers))

    def _module_named(self, module: Module, qualifier: str) -> Module | None:
        for candidate in [*module.imports, *self.prelude]:
            if _qualifier(candidate) == qualifier:
                return candidate
        return None

    @staticmethod
    def _hits(layer: Iterable[Module], dotted: str, kinds: Sequence[str]) -> list[Found]:
        hits: list[Found] = []
        for candidate in layer:
            for decl in candidate.by_name.get(dotted, ()):
                if decl.kind in kinds:
                    hits.append(Found(decl, candidate))
                    break
        return hits

    def _not_found(self, module: Module, name: ast.Name, kinds: Sequence[str],
                   layers: list[list[Module]]) -> Diagnostic:
        dotted = name.dotted
        expected = " or ".join(f"`{k}`" for k in kinds)
        for layer in layers:
            for candidate in layer:
                other = candidate.by_name.get(dotted)
                if other:
                    found = other[0].kind
                    help_text = ("an adequacy decision is relied on with `safeguard adequacy`: the decision that "
                                 "covers the recipient's country at the policy's `effective` date is found from it"
                                 if found == "adequacy" and "safeguard" in kinds else "")
                    return _diag(
                        "T004", f"expected {_a(kinds[0])} {expected}, found {found} `{dotted}`", name.span,
                        label=f"this is {_a(found)} `{found}`", help=help_text,
                        labels=(Label(other[0].header_span, "declared here"),) if not candidate.stdlib else (),
                    )
        visible: set[str] = set()
        for layer in layers:
            for candidate in layer:
                visible.update(n for n, decls in candidate.by_name.items() if any(d.kind in kinds for d in decls))
        close = closest(dotted, sorted(visible))
        help_text = f"did you mean `{close[0]}`?" if close else ""
        fixes = did_you_mean(name.span, dotted, close[0], visible) if close else ()
        provider = self._stdlib_provider(dotted, kinds)
        if provider and provider not in [m.name for m in module.imports]:
            help_text = f"`{dotted}` is in the standard-library module `{provider}`: add `use {provider}`"
            fixes = (add_use_fix(module.source.text, name.span.file, module.tree.uses, provider),)
        what = kinds[0] if len(kinds) == 1 else "name"
        return _diag("N001", f"unknown {what} `{dotted}`", name.span, label="not declared", help=help_text,
                     fixes=fixes)

    @staticmethod
    def _stdlib_provider(dotted: str, kinds: Sequence[str]) -> str | None:
        for stdlib_name in stdlib_names():
            if stdlib_name in PRELUDE:
                continue
            module = _stdlib_module(stdlib_name)
            if module is not None and any(d.kind in kinds for d in module.by_name.get(dotted, ())):
                return stdlib_name
        return None


def _qualifier(module: Module) -> str:
    """How a module is named in a qualified reference: its stdlib name, or its file's stem."""
    return module.name if module.stdlib else Path(module.name).stem


MAX_PATH_CHARS = 1024


def _bad_path(path: str) -> str:
    """Why a `use` path cannot name a file (a control character, an empty or overlong path), or ""."""
    if not path.strip():
        return "it is empty"
    if len(path) > MAX_PATH_CHARS:
        return f"it is {len(path):,} characters long; paths are at most {MAX_PATH_CHARS}"
    for char in path:
        if unicodedata.category(char) in ("Cc", "Cs"):  # a control character, a lone surrogate
            return f"it holds the character U+{ord(char):04X}"
    return ""


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _short(path: Path) -> str:
    return _display(path)
