"""P050–P051: how long data is kept (Art 13(2)(a), WP260)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.patterns import lazy
from policyc.rules import Context, finding, rule

# "As long as necessary" says nothing a reader can check (WP260 para 25-26 on retention): the need, the
# requirement or the reasonableness is the controller's own judgement, not a period or an event.
_NEED = r"(necessary|needed|need|needs|required|appropriate|reasonable|relevant|useful)"
VAGUE_RETENTION = lazy(
    r"\b(as long as|so long as|no longer than|while|whilst|for the (period|time|duration)|"
    r"for (such|a|an) (period|time))"
    rf"\b.{{0,40}}\b{_NEED}\b"
    r"|\bas (is )?(reasonably |strictly )?(necessary|required|appropriate|needed)\b"
    rf"|\buntil\b.{{0,30}}\bno longer\b.{{0,20}}\b{_NEED}\b"
    r"|\b(a|an|such) (reasonable|appropriate|suitable|limited) (period|time|amount of time)\b"
    r"|\bindefinitely\b",
    re.IGNORECASE,
)


# Retention that rests on nothing but the controller's say-so is no criterion either (Art 13(2)(a), Art
# 5(1)(e)): a reader can check neither an unpublished internal policy, nor "permanently", nor "until we
# decide to delete it".
_ENDING = r"(delet|eras|remov|destroy|dispos|discard|anonymi[sz]|purg|clos|cancel|deactivat|leav|unsubscrib)\w*"
# "Permanently" and "forever" of keeping, not of deleting ("we then delete it permanently").
_PERMANENT = lazy(r"\b(permanent(ly)?|for ?ever|in perpetuity|perpetual(ly)?|without (any )?(time )?limit)\b",
                        re.IGNORECASE)
_PERMANENT_ENDING = lazy(
    rf"\b{_ENDING}\b(\s+\w+){{0,3}}?\s+(permanently|for ?ever)\b|\b(permanently|for ?ever)\s+{_ENDING}\b",
    re.IGNORECASE,
)
# "In line with our internal data retention policy", "as our records management schedule sets out": a
# policy the reader cannot see. A published one, linked from the criteria, is one they can check.
_INTERNAL_POLICY = lazy(
    r"\b(our|its|the\s+company's|internal|in-house|corporate)"
    r"(\s+(own|internal|in-house|company|corporate|group|current|standard|applicable|relevant|global))*"
    r"\s+((data|records?|document|information)\s+)?(retention|records?|document|data|information)"
    r"(\s+(retention|management|handling|governance|protection|destruction|disposal))?"
    r"\s+(polic(y|ies)|schedules?|procedures?|guidelines?|standards?|rules|practices?)\b",
    re.IGNORECASE,
)
_LINK = lazy(r"https?://|\bwww\.", re.IGNORECASE)
DISCRETION = lazy(
    # "until we decide to delete it", "as long as we choose", "as we see fit": the decision is about keeping
    # the data, not another event ("until we decide your claim" names one)
    r"\b(until|unless|as long as|so long as|while|whilst|when|as|for whatever time)\s+(\w+\s+){0,2}?"
    r"we\s+(decide|choose|elect|determine|deem|see|think|wish|want|like|please)\b"
    r"(?=\s*($|[.,;:)]|(it\s+)?(fit|appropriate|necessary|suitable|proper|best|otherwise)\b|to\s+(delete|erase|"
    r"remove|destroy|dispose|discard|anonymi[sz]e|purge|keep|retain|hold|store|no\s+longer)\b))"
    # "as determined by us", "at our discretion"
    r"|\b(determined|decided|chosen|set|fixed|judged|deemed\s+\w+)\s+by\s+(us|ourselves|the\s+company|"
    r"(our|the\s+company's)\s+(\w+\s+)?(management|team|staff|board))\b"
    r"|\b(at|in)\s+(our|its|the\s+company's|the\s+controller's)\s+((sole|absolute|own|reasonable|full)\s+)*"
    r"discretion\b",
    re.IGNORECASE,
)


def own_judgement(criteria: str) -> bool:
    """The criteria rest on the controller's own say-so: no end, its discretion, or its internal policy."""
    if _PERMANENT.search(_PERMANENT_ENDING.sub(" ", criteria)) or DISCRETION.search(criteria):
        return True
    return bool(_INTERNAL_POLICY.search(criteria)) and not _LINK.search(criteria)


# Criteria that give a period ("six years from ...") are checkable, whatever else they say.
STATES_PERIOD = lazy(
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
        vague = VAGUE_RETENTION.search(criteria) or own_judgement(criteria)
        if not criteria.strip() or (vague and not STATES_PERIOD.search(criteria)):
            yield finding("P051", f"the retention of `{purpose.key}` is only \"{retention.criteria.strip()}\"",
                          retention.span, label="no period, event or checkable criteria",
                          help="give a period (`retain 2 years`), an event (`retain until account_closed`), or "
                          "criteria a reader can check")
