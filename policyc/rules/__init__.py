"""Legal rules: one module per rule family, each rule a function from the model to findings.

A rule is registered with `@rule(CODE, laws=...)` and runs only when the policy answers to one of
those laws (its `jurisdictions`). Rules read facts from the standard library through the model
(what a basis grants and requires, where a safeguard is valid, adequacy at the effective date), not
from tables in Python. They must never raise on a partly broken policy: the model holds whatever
resolved, and a rule skips what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from policyc.diagnostics.model import Diagnostic, Fix, Label, Span
from policyc.model import Entity, Model
from policyc.records import field, record

GDPR_LAWS = ("uk_gdpr", "gdpr")


@record(frozen=True, slots=True)
class Context:
    """What a rule reads: the policy's model, the laws in force, and the source texts of its files."""

    model: Model
    laws: frozenset[str]
    _texts: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # by file, filled once

    def law_names(self, *keys: str) -> str:
        names = {"uk_gdpr": "UK GDPR", "gdpr": "EU GDPR", "ccpa": "CCPA"}
        return " and ".join(names.get(k, k) for k in keys if k in self.laws)

    def text_of(self, entity: Entity) -> str | None:
        """The source text of the file that declares an entity of the policy (for a fix's edits)."""
        if not self._texts:
            for typed in self.model.typed:
                self._texts.setdefault(typed.module.source.path, typed.module.source.text)
        return self._texts.get(entity.decl.span.file)


RuleFunction = Callable[[Context], Iterable[Diagnostic]]


@record(frozen=True, slots=True)
class Rule:
    """A registered rule: its code, the laws under which it runs, and the function that checks."""

    code: str
    laws: tuple[str, ...]
    check: RuleFunction


REGISTRY: dict[str, Rule] = {}


def rule(code: str, *, laws: tuple[str, ...] = GDPR_LAWS) -> Callable[[RuleFunction], RuleFunction]:
    def register(function: RuleFunction) -> RuleFunction:
        assert code not in REGISTRY, f"{code} registered twice"
        REGISTRY[code] = Rule(code, laws, function)
        return function

    return register


def finding(code: str, message: str, span: Span, *, label: str = "", help: str = "",
            labels: Iterable[Label] = (), notes: Iterable[str] = (), fixes: Iterable[Fix] = ()) -> Diagnostic:
    return Diagnostic.of(code, message, span, label=label, labels=labels, help=help, notes=notes, fixes=fixes)


FAMILIES = (
    "identity", "purposes", "collection", "recipients", "transfers", "retention", "rights", "automated",
    "special", "children", "unused", "denials", "cookies", "ccpa", "assertions", "quality",
)


def _load_families() -> None:
    """Import every family module; importing one registers its rules."""
    import importlib

    for family in FAMILIES:
        importlib.import_module(f"policyc.rules.{family}")


def run_rules(model: Model) -> Iterator[Diagnostic]:
    """Every finding of every active rule on one policy's model."""
    if not REGISTRY:
        _load_families()
    if model.policy is None:
        return
    laws = frozenset(model.policy.jurisdictions)
    context = Context(model, laws)
    for code in sorted(REGISTRY):
        entry = REGISTRY[code]
        if entry.laws and not laws & set(entry.laws):
            continue
        yield from entry.check(context)
