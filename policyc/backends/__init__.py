"""Backends: each turns one resolved model into one output file's text.

A backend is a module with `render(model: Model, context: BuildContext) -> str`. Backends read only
the model (never the AST), and their output is deterministic: the same model gives the same bytes,
whatever the hash seed or the clock.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policyc.model import Model


@dataclass(frozen=True)
class BuildContext:
    """What a backend may need beyond the model."""

    stem: str  # the output file name without suffix, such as `privacy`
    source: str  # the policy file, as shown to the user
    templates: Path | None = None  # a folder of templates overriding the defaults (Markdown, HTML)
    extra: dict[str, str] = field(default_factory=dict)
    history: dict[str, Any] | None = None  # "What changed in this version" (policyc.diff.history_view), if asked


@dataclass(frozen=True)
class Backend:
    name: str  # as given to --format
    suffix: str  # appended to the stem
    module: str

    def render(self, model: Model, context: BuildContext) -> str:
        function: Callable[[Model, BuildContext], str] = importlib.import_module(self.module).render
        return function(model, context)


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("md", ".md", "policyc.backends.markdown"),
        Backend("html", ".html", "policyc.backends.html"),
        Backend("json", ".json", "policyc.backends.json_model"),
        Backend("dpv", ".jsonld", "policyc.backends.dpv"),
        Backend("fides", ".fides.yml", "policyc.backends.fides"),
        Backend("consent", ".consent.js", "policyc.backends.consent"),
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
