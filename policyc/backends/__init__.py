"""Backends: each turns one resolved model into output files.

A backend is a module with `render(model: Model, context: BuildContext) -> str | bytes`: text for the
text formats, bytes for a binary one (the XLSX record of processing). A backend that writes more than
one file also defines `outputs(model, context) -> dict[str, str | bytes]`, from the suffix appended to
the stem to the file's content; the build calls it instead of `render`. Backends read only the model
(never the AST), and their output is deterministic: the same model gives the same bytes, whatever the
hash seed or the clock. What a format needs and the policy lacks is left empty and told with
`context.note(...)`, which the build prints; it is never invented.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from policyc.model import Model
from policyc.records import field, record

if TYPE_CHECKING:
    from policyc.notice.statements import Notice


class BackendError(Exception):
    """An output that cannot be made (a format's required item the policy lacks, a missing optional
    dependency): one line naming what is missing; `policyc build` reports it and writes nothing."""


@record(frozen=True)
class BuildContext:
    """What a backend may need beyond the model."""

    stem: str  # the output file name without suffix, such as `privacy`
    source: str  # the policy file, as shown to the user
    templates: Path | None = None  # a folder of templates overriding the defaults (Markdown, HTML)
    extra: dict[str, str] = field(default_factory=dict)
    history: dict[str, Any] | None = None  # "What changed in this version" (policyc.diff.history_view), if asked
    notes: list[str] = field(default_factory=list)  # what an output lacks because the policy does not say it
    # What is made from a model once and read by several outputs of the same build (the notice the
    # Markdown and HTML notices and the trace read, the JSON-LD the HTML page embeds): (what, model id)
    # -> (model, what was made).
    _kept: dict[tuple[str, int], tuple[Model, Any]] = field(default_factory=dict, repr=False, compare=False)

    def composed(self, model: Model) -> Notice:
        """The notice of `model` for this context (composed once, then shared)."""
        from policyc.notice.compose import compose

        notice: Notice = self.kept("notice", model, lambda: compose(model, self.source, self.stem, self.history))
        return notice

    def kept(self, what: str, model: Model, make: Callable[[], Any]) -> Any:
        """`make()` the first time `what` is asked for `model` in this context, then what it made."""
        key = (what, id(model))
        kept = self._kept.get(key)
        if kept is not None and kept[0] is model:
            return kept[1]
        made = make()
        self._kept[key] = (model, made)
        return made

    def note(self, text: str) -> None:
        """Tell the author about a gap in an output (printed by `policyc build` as `note:`), once."""
        if text not in self.notes:
            self.notes.append(text)


Output = str | bytes  # a file's content: text (written as UTF-8) or bytes


@record(frozen=True)
class Backend:
    """An output format: its `--format` name, its file suffix, the module that renders it, and whether it is built
    by default."""

    name: str  # as given to --format
    suffix: str  # appended to the stem (of the main file, when the backend writes several)
    module: str
    default: bool = True  # built when --format is not given

    def load(self) -> ModuleType:
        """The backend's module, imported the first time (with the patterns its libraries compile then
        given from the cache folder: `policyc.patterns.compiled_by`)."""
        module = sys.modules.get(self.module)
        if module is None:
            from policyc.patterns import compiled_by

            with compiled_by(self.module):
                module = importlib.import_module(self.module)
        return module

    def render(self, model: Model, context: BuildContext) -> Output:
        function: Callable[[Model, BuildContext], Output] = self.load().render
        return function(model, context)

    def outputs(self, model: Model, context: BuildContext) -> dict[str, Output]:
        """Every file this backend writes for one policy: suffix -> content."""
        module = self.load()
        several: Callable[[Model, BuildContext], dict[str, Output]] | None = getattr(module, "outputs", None)
        if several is not None:
            return several(model, context)
        return {self.suffix: self.render(model, context)}


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("md", ".md", "policyc.backends.markdown"),
        Backend("html", ".html", "policyc.backends.html"),
        Backend("json", ".json", "policyc.backends.json_model"),
        Backend("dpv", ".jsonld", "policyc.backends.dpv"),
        Backend("fides", ".fides.yml", "policyc.backends.fides"),
        Backend("ropa", ".ropa.xlsx", "policyc.backends.ropa", default=False),
        Backend("tilt", ".tilt.json", "policyc.backends.tilt", default=False),
        Backend("consent", ".consent.js", "policyc.backends.consent", default=False),
    )
}

# DPV CURIE prefixes used in the standard library, and the IRIs they stand for.
DPV_PREFIXES = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "loc": "https://w3id.org/dpv/loc#",
}


def expand_iri(curie: str) -> str:
    """`dpv:Marketing` -> `https://w3id.org/dpv#Marketing`; an empty string stays empty."""
    if not curie:
        return ""
    prefix, _, local = curie.partition(":")
    base = DPV_PREFIXES.get(prefix)
    return base + local if base else curie
