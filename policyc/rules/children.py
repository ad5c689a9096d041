"""P100: children and the age of digital consent (Art 8)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.patterns import lazy
from policyc.rules import Context, finding, rule

# Someone with parental responsibility (Art 8(1)): "a parent", "their parent or guardian", "a parent or
# carer", "the person with parental responsibility".
_PARENT = (r"(parents?|parent's|parents'|(legal\s+)?guardians?|guardian's|guardians'|carers?|"
           r"(person|someone|adult)\s+with\s+parental\s+responsibility)"
           r"(\s+(or|and|/)\s+(a\s+|their\s+|your\s+)?(legal\s+)?(parents?|guardians?|carers?)('s?)?)?")
# What a parent does for consent: gives, authorises or approves it, or switches the processing on.
_AGREES = (r"(consent\w*|permission|permit\w*|authori[sz]\w*|approv\w*|agree\w*|allow\w*|opt\w*\s+in|"
           r"turn\w*\s+on|switch\w*\s+on|enabl\w*|sign\w*\s+up|set\w*\s+up|register\w*)")
# Words that say the child, not the parent, acts: "if you are a parent and believe your child has
# consented" is about the child.
_NOT_THE_CHILD = r"(?!(child|children|child's|son|daughter|kids?|minors?|they|he|she|you)\b)"
# The notice explains how a parent consents (Art 8(1)): "parental consent", "with the consent of a
# parent", "a parent or guardian must agree", "we ask a parent to turn on ...".
PARENTAL_CONSENT = lazy(
    r"\bparental\s+(consent|permission|authori[sz]ation|approval|agreement|verification)\b"
    r"|\b(consent|permission|authori[sz]ation|approval|agreement|say-so)\s+(of|from|by)\s+(\w+\s+){0,3}?"
    + _PARENT + r"\b"
    r"|\b" + _PARENT + r"\s+(" + _NOT_THE_CHILD + r"[\w']+\s+){0,4}?" + _AGREES + r"\b",
    re.IGNORECASE,
)
# Or how it checks that a parent consents (Art 8(2)): "we verify that the adult who consents is the
# child's parent". Checking who a parent is when they ask for a deletion is not that, so the sentence
# must also speak of consent.
_CHECKS_PARENT = lazy(rf"\b(verif|confirm|check)\w*\b[^.;!?]{{0,80}}?\b{_PARENT}\b"
                            rf"|\b{_PARENT}\b[^.;!?]{{0,80}}?\b(verif|confirm|check)\w*", re.IGNORECASE)
_CONSENT = lazy(r"\b(consent\w*|permission|authori[sz]\w*|approv\w*|agree\w*)", re.IGNORECASE)
# "Has given us data without your consent": a consent that was not given is no account of how one is.
_WITHOUT = lazy(r"\bwithout\s+(\w+\s+){0,3}?(consent|permission|knowledge|approval|agreement)\b",
                      re.IGNORECASE)
_SENTENCE = lazy(r"[^.;!?]+")


def explains_parental_consent(text: str) -> bool:
    """The children text says how a person with parental responsibility consents below the age.

    A mention of a parent alone ("if you are a parent and believe your child has given us data,
    contact us") does not.
    """
    for sentence in _SENTENCE.findall(_WITHOUT.sub(" ", text)):
        if PARENTAL_CONSENT.search(sentence) or (_CHECKS_PARENT.search(sentence) and _CONSENT.search(sentence)):
            return True
    return False


@rule("P100")
def child_consent_age(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    for_children = "children" in policy.audience or (policy.minimum_age is not None and policy.minimum_age < 18)
    if not for_children:
        return
    on_consent = [p for p in ctx.model.controller_purposes
                  if any("withdrawal" in u.basis.requires for u in (*p.bases, *p.conditions))]
    if not on_consent:
        return
    ages = {law.key: law.child_consent_age for law in ctx.model.laws if law.child_consent_age}
    below = [key for key, age in ages.items() if policy.minimum_age is None or policy.minimum_age < (age or 0)]
    if below and not explains_parental_consent(policy.children):
        stated = ", ".join(f"{ctx.law_names(k)} {ages[k]}" for k in below)
        yield finding("P100", "a service for children that relies on consent must state the age of digital consent "
                      f"({stated}) and how parents consent below it", policy.field_span("children"),
                      label="children and consent",
                      help='add `children "Under 13 we ask a parent or guardian to consent ..."` and `minimum_age`')
