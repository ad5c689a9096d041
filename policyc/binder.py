"""Name binding for the resolve stage: every reference of the user's files, bound to its declaration.

Which atoms of a field are references depends on the field's value type and on the shape of the
value (`6 years after contract_end` refers to `contract_end`; a value that is wrong before it reaches
a name refers to nothing), so the binder walks the declarations the way the type checker does and
keeps only what the lookups find: the bindings, and the N001, N006, T004 (and T006 for an unknown
country) diagnostics. The type checker then reads the bindings and reports only type errors.
"""

from __future__ import annotations

from policyc import ast
from policyc.diagnostics.model import Diagnostic
from policyc.resolver import Bindings, Module, Program
from policyc.schema import KINDS, VT, FieldSpec
from policyc.typecheck import Ref, TypeChecker, TypedDecl, Value, Word, _Invalid

REFERRING = frozenset({VT.REF, VT.REF_NOTE, VT.REF_TEXT, VT.COUNTRY, VT.CHANNEL, VT.PROVIDER, VT.RETENTION})
"""The value types whose values may name a declaration; the others are never looked up."""


class Binder(TypeChecker):
    """Walks declarations as the type checker does, binding references and reporting only name errors."""

    def __init__(self, program: Program) -> None:
        super().__init__(program)
        self.bound: Bindings = {}
        self.names: list[Diagnostic] = []

    def report(self, diagnostic: Diagnostic) -> None:
        """Type errors are the type checker's to report; they still stop the walk of a value as there."""

    def check_module(self, module: Module) -> list[TypedDecl]:
        for decl in module.tree.decls:
            self.bind_decl(module, decl)
        return []

    def bind_decl(self, module: Module, decl: ast.Decl) -> None:
        """Bind the references of one declaration: of the values the type checker reads
        (`fields_read`), those of the fields whose type may name a declaration."""
        spec = KINDS.get(decl.kind)
        if spec is None:
            return
        for _, fspec, items in self.fields_read(decl, spec):
            if fspec.vt not in REFERRING:
                continue
            for item in items:
                try:
                    self.value(module, fspec, item)
                except _Invalid:
                    pass  # a type error: the type checker reports it

    def value(self, module: Module, fspec: FieldSpec, item: ast.Item) -> Value:
        if fspec.vt not in REFERRING:
            return Word("", item.span)  # holds no name; its type is checked by the type checker
        return super().value(module, fspec, item)

    def reference(self, module: Module, fspec: FieldSpec, name: ast.Name, country: bool = False) -> Value:
        found = self.program.bind(module, name, fspec.kinds, country)
        self.bound[name] = found
        if found.diagnostic is not None:
            self.names.append(found.diagnostic)
        if found.found is None:
            raise _Invalid(None)
        return Ref(name.dotted, found.found, name.span)


def bind_names(program: Program) -> tuple[Bindings, list[Diagnostic]]:
    """Bind every reference of the program's user modules (the standard library's are bound when it
    is type-checked, once per process)."""
    binder = Binder(program)
    for module in program.modules.values():
        if not module.stdlib:
            binder.check_module(module)
    return binder.bound, binder.names

