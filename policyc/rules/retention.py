"""P050–P051: how long data is kept (Art 13(2)(a), WP260)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule

# "As long as necessary" says nothing a reader can check (WP260 para 25-26 on retention): the need, the
# requirement or the reasonableness is the controller's own judgement, not a period or an event.
_NEED = r"(necessary|needed|need|needs|required|appropriate|reasonable|relevant|useful)"
VAGUE_RETENTION = re.compile(
    r"\b(as long as|so long as|no longer than|while|whilst|for the (period|time|duration)|"
    r"for (such|a|an) (period|time))"
    rf"\b.{{0,40}}\b{_NEED}\b"
    r"|\bas (is )?(reasonably |strictly )?(necessary|required|appropriate|needed)\b"
    rf"|\buntil\b.{{0,30}}\bno longer\b.{{0,20}}\b{_NEED}\b"
    r"|\b(a|an|such) (reasonable|appropriate|suitable|limited) (period|time|amount of time)\b"
    r"|\bindefinitely\b",
    re.IGNORECASE,
)


# Criteria that give a period ("six years from ...") are checkable, whatever else they say.
STATES_PERIOD = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty)"
    r"[\s-]+(days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)


@rule("P050")
def retention_missing(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        if purpose.retention is None and not purpose.has_field("retain"):
            yield finding("P050", f"purpose `{purpose.key}` does not say how long data is kept", purpose.span,
                          label="needs `retain`",
                          help="add `retain 6 years after contract_end`, `retain 26 months`, "
                          "`retain until account_closed` or `retain criteria \"...\"`")


@rule("P051")
def retention_vague(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        retention = purpose.retention
        if retention is None or retention.concrete:
            continue
        criteria = retention.criteria
        if not criteria.strip() or (VAGUE_RETENTION.search(criteria) and not STATES_PERIOD.search(criteria)):
            yield finding("P051", f"the retention of `{purpose.key}` is only \"{retention.criteria.strip()}\"",
                          retention.span, label="no period, event or checkable criteria",
                          help="give a period (`retain 2 years`), an event (`retain until account_closed`), or "
                          "criteria a reader can check")
