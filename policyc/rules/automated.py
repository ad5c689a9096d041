"""P080–P084: automated decision-making and profiling (Art 13(2)(f), 22)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.model import Model
from policyc.patterns import lazy
from policyc.rules import Context, finding, rule

SPECIAL_DATA_CONDITIONS = ("explicit_consent", "substantial_public_interest")
ART_22_3_SAFEGUARDS = ("human_review", "express_view", "contest")


@rule("P080")
def automated_decision_undisclosed(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for purpose in ctx.model.controller_purposes:
        for decision in purpose.decisions:
            if decision.key in seen or decision.solely_automated is False or decision.legal_effect is False:
                continue  # Art 22 covers solely automated decisions with legal or similarly significant effects
            seen.add(decision.key)
            missing = [name for name, value in (("logic", decision.logic), ("significance", decision.significance),
                                                ("consequences", decision.consequences)) if not value]
            if not decision.safeguards:
                missing.append("safeguards")
            else:  # Art 22(3) (UK: 22C(2)) asks for all three, "at least"
                missing += [f"safeguards {name}" for name in ART_22_3_SAFEGUARDS if name not in decision.safeguards]
            if missing:
                yield finding("P080", f"automated decision `{decision.key}` does not give its "
                              + ", ".join(f"`{m}`" for m in missing), decision.span, label="incomplete",
                              help="Art 13(2)(f): give meaningful information about the logic, the significance and "
                              "the consequences, and the Art 22(3) safeguards (human review, contest)")


@rule("P081")
def automated_decision_special_data(ctx: Context) -> Iterator[Diagnostic]:
    for purpose in ctx.model.controller_purposes:
        for decision in purpose.decisions:
            if decision.solely_automated is False or decision.legal_effect is False:
                continue  # outside Art 22
            data = decision.uses or purpose.uses
            if not any(d.is_special for d in data):
                continue
            keys = {u.basis.key for u in (*purpose.bases, *purpose.conditions)}
            if not keys & set(SPECIAL_DATA_CONDITIONS):
                yield finding("P081", f"automated decision `{decision.key}` uses special-category data without "
                              "explicit consent or substantial public interest", decision.span,
                              label="Art 22(4)", help="add `condition explicit_consent` (or "
                              "`substantial_public_interest \"...\"`) to the purpose, or stop using special data")


# WP248 rev.01 (endorsed by the EDPB) lists nine criteria; processing that meets two or more usually needs a
# DPIA. The model can see seven of them; "large scale" and "innovative technology" are the author's to judge.
VULNERABLE_AUDIENCES = ("children", "employees", "job_applicants", "patients", "students")
SCORING_KINDS = ("marketing.targeted_advertising", "personalisation.recommendations", "hr.performance")
DENIES = lazy(r"\b(refus\w*|den(y|ies|ied|ial)|declin\w*|reject\w*|block\w*|cancel\w*|suspend\w*|stop\w*|"
                    r"not (be )?(able|allowed|eligible)|cannot|ineligible|withh[eo]ld\w*)\b", re.IGNORECASE)


def dpia_criteria(model: Model) -> list[str]:
    """The WP248 criteria that the policy's facts show, in WP248's order."""
    purposes = model.controller_purposes
    decisions = [d for p in purposes for d in p.decisions]
    used = [d for p in purposes for d in (*p.uses, *(u for x in p.decisions for u in x.uses))]
    policy = model.policy
    met: list[str] = []
    if decisions or any(k.key in SCORING_KINDS for p in purposes for k in p.kinds):
        met.append("evaluation or scoring (profiling)")
    significant = [d for d in decisions if d.legal_effect and d.solely_automated is not False]
    if significant:
        met.append(f"automated decisions with legal or similarly significant effect (`{significant[0].key}`)")
    tracking = [c for c in model.cookies if c.technology == "fingerprint" or c.kind == "advertising"]
    located = [d for d in used if "observed" in d.sources and any(c.key == "location.precise" for c in d.categories)]
    if tracking or located:
        what = f"`{tracking[0].key}`" if tracking else f"precise location `{located[0].key}`"
        met.append(f"systematic monitoring ({what})")
    sensitive = [d for d in used if d.is_special or d.is_criminal]
    if sensitive:
        met.append(f"special-category or criminal-offence data (`{sensitive[0].key}`)")
    for purpose in purposes:
        bought = [d for d in purpose.uses if d.from_elsewhere]
        own = [d for d in purpose.uses if not d.from_elsewhere]
        if bought and own:
            met.append(f"matching or combining datasets (`{purpose.key}` combines `{bought[0].key}` from "
                       f"`{bought[0].named_sources[0].key}` with `{own[0].key}`)")
            break
    if policy is not None:
        vulnerable = [a for a in policy.audience if a in VULNERABLE_AUDIENCES]
        if vulnerable or (policy.minimum_age is not None and policy.minimum_age < 18):
            who = vulnerable[0].replace("_", " ") if vulnerable else f"from age {policy.minimum_age}"
            met.append(f"vulnerable data subjects ({who})")
    denying = [d for d in significant if DENIES.search(f"{d.consequences} {d.significance}")]
    if denying:
        met.append(f"preventing people from using a service or a right (`{denying[0].key}`)")
    return met


@rule("P082")
def dpia_screening(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.dpia is not None or policy.has_field("dpia"):
        return
    met = dpia_criteria(ctx.model)
    if len(met) >= 2:
        yield finding("P082", f"the processing meets {len(met)} of the criteria that call for a data protection "
                      "impact assessment", policy.span, label="DPIA likely required",
                      notes=[f"criterion met: {m}" for m in met],
                      help="carry out a DPIA before the processing starts (Art 35; WP248 rev.01), and record it "
                      "with `dpia DATE` on the policy")


# Data (Use and Access) Act 2025 s 80 replaced Art 22 of the UK GDPR with Arts 22A-22D, in force from
# 5 February 2026 (SI 2026/82, reg 2): a significant decision based solely on automated processing may
# not rest on recognised legitimate interests (Art 6(1)(ea)).
UK_AUTOMATED_DECISIONS_FROM = dt.date(2026, 2, 5)


@rule("P083", laws=("uk_gdpr",))
def automated_decision_recognised_interests(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if (policy.effective or dt.date.today()) < UK_AUTOMATED_DECISIONS_FROM:
        return
    for purpose in ctx.model.controller_purposes:
        if not purpose.bases or any(u.basis.article != "6(1)(ea)" for u in purpose.bases):
            continue  # another basis carries the purpose
        for decision in purpose.decisions:
            if decision.solely_automated is False or decision.legal_effect is False:
                continue  # not a significant decision based solely on automated processing
            yield finding("P083", f"automated decision `{decision.key}` rests only on recognised legitimate "
                          "interests, which cannot support a significant decision taken solely by automated means",
                          purpose.bases[0].span, label="Art 6(1)(ea)",
                          help="UK GDPR Art 22B (Data (Use and Access) Act 2025 s 80): rest the decision on another "
                          "basis, such as contract or legitimate interests, or have a person take it")


# Art 22(2) of the EU GDPR (and of the UK GDPR until Arts 22A-22D replaced it): a decision based solely
# on automated processing with legal or similarly significant effects is allowed only when it is
# necessary for a contract with the person (6(1)(b)), authorised by law (here: a legal obligation or a
# public task, 6(1)(c) and (e)), or based on the person's explicit consent (6(1)(a), which the author
# must make explicit). Legitimate interests (6(1)(f)) and vital interests (6(1)(d)) are none of these.
ART_22_2_BASES = frozenset({"6(1)(a)", "6(1)(b)", "6(1)(c)", "6(1)(e)"})


@rule("P084")
def automated_decision_without_art22_ground(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    on = policy.effective or dt.date.today()
    laws = [law for law in ("gdpr", "uk_gdpr") if law in ctx.laws
            and (law == "gdpr" or on < UK_AUTOMATED_DECISIONS_FROM)]
    if not laws:
        return  # the UK's Arts 22A-22D allow other bases (P083 checks the one they exclude)
    seen: set[str] = set()
    for purpose in ctx.model.controller_purposes:
        if not purpose.bases or any(u.basis.article in ART_22_2_BASES for u in purpose.bases):
            continue  # no basis yet (P010), or one that can carry an Art 22(2) ground
        for decision in purpose.decisions:
            if decision.key in seen or decision.solely_automated is False or decision.legal_effect is False:
                continue  # outside Art 22(1)
            seen.add(decision.key)
            law = " and ".join({"gdpr": "the EU GDPR", "uk_gdpr": "the UK GDPR"}[k] for k in laws)
            basis = purpose.bases[0].basis
            yield finding("P084", f"automated decision `{decision.key}` rests on {basis.title or basis.key}, which "
                          f"is not a ground {law} {'allow' if len(laws) > 1 else 'allows'} for a decision taken "
                          "solely by automated means", purpose.bases[0].span, label="Art 22(2)",
                          help="Art 22(2): rest the purpose on a contract with the person, a law that authorises the "
                          "decision, or the person's explicit consent; or have a person take the decision")
