"""P021, P022 and P070: where data comes from (Arts 13, 14(2)(f)) and whether people must provide it (Art 13(2)(e))."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule


@rule("P021")
def source_missing(ctx: Context) -> Iterator[Diagnostic]:
    reported: set[str] = set()
    for data in ctx.model.data:
        for source in data.named_sources:
            if source.key in reported:
                continue
            reported.add(source.key)
            if source.public is None and not source.has_field("public"):
                yield finding("P021", f"source `{source.key}` of `{data.key}` does not say whether it is publicly "
                              "accessible", source.span, label="add `public yes` or `public no`",
                              help="Art 14(2)(f): say where data not collected from the person comes from, and "
                              "whether the source is publicly accessible")


@rule("P022")
def source_unstated(ctx: Context) -> Iterator[Diagnostic]:
    for data in ctx.model.data:
        if not data.has_field("source"):
            yield finding("P022", f"`{data.key}` does not say where it comes from", data.span, label="no `source`",
                          help="add `source subject` (people give it to us), `source observed` (we collect it as they "
                          "use the service), `source derived` (we work it out) or a named `source`")


@rule("P070")
def requirement_undisclosed(ctx: Context) -> Iterator[Diagnostic]:
    used = {d.key for p in ctx.model.controller_purposes for d in p.uses}
    for data in ctx.model.data:
        if data.key not in used or not data.from_subject or data.from_elsewhere:
            continue
        if data.written("source") > len(data.sources):
            continue  # a source did not resolve (N001): where the data comes from is unknown
        if not data.required_for and not data.has_field("required_for"):
            yield finding("P070", f"`{data.key}` does not say whether people must provide it", data.span,
                          label="add `required_for`",
                          help="add `required_for statutory`, `required_for contract` or `required_for optional`, "
                          "and `if_not_provided \"...\"` when it is required")
        elif data.required_for != "optional" and not data.if_not_provided:
            yield finding("P070", f"`{data.key}` is required ({data.required_for}) but the notice does not say what "
                          "happens if it is not provided", data.field_span("required_for"),
                          label="add `if_not_provided`",
                          help='add `if_not_provided "We cannot ... without it."`')
