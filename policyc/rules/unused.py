"""P110: declarations that nothing uses (likely a mistake, or a purpose left out)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule


@rule("P110", laws=())
def unused_declaration(ctx: Context) -> Iterator[Diagnostic]:
    model = ctx.model
    used_data = {d.key for p in model.purposes for d in p.uses} | {d.key for x in model.decisions for d in x.uses}
    used_recipients = {r.key for p in model.purposes for r in p.recipients}
    used_recipients |= {c.provider.key for c in model.cookies if c.provider is not None}
    used_sources = {s.key for d in model.data for s in d.named_sources}
    used_decisions = {x.key for p in model.purposes for x in p.decisions}
    for kind, entities, used, verb in (
        ("data", model.data, used_data, "no purpose uses it"),
        ("recipient", model.recipients, used_recipients, "no purpose shares data with it"),
        ("source", model.sources, used_sources, "no data comes from it"),
        ("decision", model.decisions, used_decisions, "no purpose makes it"),
    ):
        for entity in entities:
            if entity.key not in used:
                yield finding("P110", f"{kind} `{entity.key}` is declared but {verb}", entity.span, label="unused",
                              help="use it from a purpose, or remove it")
