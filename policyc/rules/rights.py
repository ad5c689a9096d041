"""P060–P066: the rights people have and how to use them (Art 7(3), 13(2)(b)–(d), 15–22, 77)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic, Span
from policyc.model import Authority, Law, Purpose, RightsInfo
from policyc.patterns import LazyPattern, lazy
from policyc.rules import GDPR_LAWS, Context, finding, rule

# Rights that depend on the basis: promising them where no basis grants them misleads (Art 17(3), 20(1)).
CONDITIONAL_RIGHTS = ("erasure", "portability", "object")
_REASONS = {"universal": "every lawful basis", "direct marketing": "direct marketing",
            "automated decisions": "automated decision-making", "also": "your `also`"}
COMPLAINTS_TO_CONTROLLER_FROM = dt.date(2026, 6, 19)  # Data (Use and Access) Act 2025 s103 in force

# How a person can act on a `withdraw` or `object` text (Art 7(3), 12(2), 21(4)). A channel of its own:
# an e-mail address, a web address, a telephone number or a postal address.
_OWN_CHANNEL = lazy(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://|\bwww\.|\b[\w-]+\.(com|org|net|example|co\.uk|uk|eu|ie|io|app)/"
    r"|\+?\d[\d ().-]{6,}\d|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\b(write|writing|post|posting) to\b|\bby post\b",
)
# An action a person takes in the product, which is a route by itself: unsubscribing, replying STOP,
# clicking, tapping, switching something off.
_DOING = lazy(
    r"\b(unsubscrib\w*|opt[- ]?out|reply(ing)? stop|text(ing)? stop|send(ing)? stop|stop to|click\w*|tap\w*|"
    r"toggl\w*|switch\w* off|turn\w* off|untick\w*|uncheck\w*)\b",
    re.IGNORECASE,
)
# The controls and places of the product. A noun alone is not a route ("withdrawing does not affect your
# account", "as explained in the terms of use of our app"): a control counts where the text says to act on it
# ("use the form", "change your settings") or where ("in your account settings", "via the link"); a place (the
# app, the account) only where ("in the app", "through your account").
_CONTROLS = (r"settings?|preferences?|preference cent(re|er)s?|dashboard|privacy cent(re|er)|cookie banner|banner|"
             r"forms?|links?|buttons?")
_GENERAL_CONTROLS = r"settings?|preferences?|preference cent(re|er)s?|dashboard|privacy cent(re|er)|forms?"
_PLACES = r"app|account"
# Verbs that act on a control, and the prepositions that say where or with what.
_GO = r"(go|head|(log|sign)(ged|ging)? ?(in|on)) ?(in)?to"
_ACT_ON = (r"use|using|follow\w*|press\w*|select\w*|fill\w* (in|out)|complet\w*|submit\w*|open\w*|visit\w*|"
           r"chang\w*|updat\w*|manag\w*|adjust\w*|edit\w*|review\w*|" + _GO)
_WHERE = r"in|into|inside|within|via|through|from|on|at|with|under|by"
# The words between the verb or preposition and the noun: a determiner ("any of") and modifiers, but no word
# that starts another phrase ("in the terms of use of our app").
_MODIFIERS = (r"(?:(any|each|all|one|some) of\s+)?"
              r"(?:(?!(of|to|for|and|or|in|into|on|at|by|from|with|via|through|about|if|when|that|which|not|is|are|"
              r"does|do|will|can|may)\b)[\w'\u2019-]+\s+){0,4}")
_HEAD = r"\b(?!['\u2019]s\b)"  # the noun heads its phrase: "the app's terms" is not the app
# Where the text only refers to where information is ("as explained in our app"), or says what does not
# happen ("does not change your settings"), it gives no route.
_NOT_A_ROUTE = lazy(r"\b(explained|described|set out|detailed|outlined|mentioned|stated|listed|shown|"
                          r"specified|defined|found|see|read|more|not|n't|never|cannot)\s*$", re.IGNORECASE)


def _phrase(lead: str, nouns: str) -> LazyPattern:
    """`lead` (a verb or a preposition), then a noun phrase headed by one of `nouns`."""
    return lazy(rf"\b(?:{lead})\s+{_MODIFIERS}(?:{nouns}){_HEAD}", re.IGNORECASE)


_CONTROL_ACTED_ON = _phrase(_ACT_ON, _CONTROLS)
_GENERAL_CONTROL_ACTED_ON = _phrase(_ACT_ON, _GENERAL_CONTROLS)
_CONTROL_PLACED = _phrase(_WHERE, _CONTROLS)
_GENERAL_CONTROL_PLACED = _phrase(_WHERE, f"{_GENERAL_CONTROLS}|account")
_PLACE = _phrase(f"{_WHERE}|{_GO}", _PLACES)


def _said(pattern: LazyPattern, text: str) -> bool:
    """A phrase of `pattern` that says what to do or where, not where something is explained or what does not
    happen."""
    # The word that undoes a phrase stands right before it: look only there, so that a long text with
    # many phrases is read in linear time.
    return any(not _NOT_A_ROUTE.search(text, max(0, m.start() - 40), m.start()) for m in pattern.finditer(text))


def _acts_in_product(text: str) -> bool:
    return bool(_DOING.search(text)) or any(_said(p, text) for p in (_CONTROL_ACTED_ON, _CONTROL_PLACED, _PLACE))


def _general_route(text: str) -> bool:
    """A route in the product that is not tied to one kind of consent: the account, its settings or
    preferences, a dashboard or privacy centre, a form (not the unsubscribe link or the cookie banner)."""
    return any(_said(p, text) for p in (_GENERAL_CONTROL_ACTED_ON, _GENERAL_CONTROL_PLACED))


# A reference to the notice's contact channels ("contact us"): a way only when the notice gives them.
_ASK_US = lazy(
    r"\b(contact\w*|email\w*|e-mail\w*|writ\w*|call\w*|phon\w*|tell\w*|ask\w*|let)( to)? (us|our|the)\b"
    r"|\btell your\b|\bspeak to\b",
    re.IGNORECASE,
)
# Channels that reach only one kind of consent: marketing messages, or cookies.
_MARKETING_ONLY = lazy(r"\b(unsubscrib\w*|opt[- ]?out link|(reply(ing)?|text(ing)?|send(ing)?) stop|stop to)\b",
                             re.IGNORECASE)
_COOKIES_ONLY = lazy(r"\bcookie (settings|banner|preferences|choices|consent (tool|manager))\b|"
                           r"\bmanage cookies\b", re.IGNORECASE)


def _has_channels(ctx: Context) -> bool:
    info = ctx.model.rights_info
    return bool(info is not None and info.contact) or any(c.channels for c in ctx.model.controllers)


def gives_a_way(text: str, *, has_channels: bool) -> bool:
    """The text says how to act: a channel, an action in the product, or `contact us` where the notice
    gives contact details."""
    return bool(_OWN_CHANNEL.search(text) or (has_channels and _ASK_US.search(text))) or _acts_in_product(text)


def _general_way(text: str, *, has_channels: bool) -> bool:
    """The text gives a route that is not tied to one kind of processing: a channel, the account or a general
    control in it, or `contact us` where the notice gives contact details."""
    return bool(_OWN_CHANNEL.search(text) or (has_channels and _ASK_US.search(text))) or _general_route(text)


def _rights_span(ctx: Context) -> Span:
    info = ctx.model.rights_info
    if info is not None:
        return info.span
    assert ctx.model.policy is not None
    return ctx.model.policy.span


@rule("P060")
def right_withheld(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    for offered in ctx.model.rights:
        if offered.right.laws and not set(offered.right.laws) & set(GDPR_LAWS):
            continue  # a CCPA right: C008
        if offered.excluded and info is not None:
            grounds = ", ".join(_REASONS.get(b, b) for b in offered.because)
            yield finding("P060", f"the right `{offered.right.key}` is withheld, but {grounds} grants it",
                          info.field_span("exclude"), label="excluded here",
                          help="remove the `exclude`, or change the basis of the purposes that grant it")


@rule("P061")
def right_not_applicable(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    if info is None:
        return
    promised = [*info.also, *(key for key, _ in info.describe)]
    for key in dict.fromkeys(promised):
        offered = ctx.model.offered(key)
        if key == "automated_decision" and key in info.also and offered is not None and offered.because == ("also",):
            # `describe` alone is P067: the description of a right not offered is not shown
            yield finding("P061", "the Art 22 rights about automated decisions are promised, but no purpose makes an "
                          "automated decision", info.field_span("also"),
                          label="nothing to apply to",
                          help="declare the `decision` and list it in the purpose's `automated_decisions`, or "
                          "remove the right")
        elif key in CONDITIONAL_RIGHTS and (offered is None or offered.because == ("also",)):
            yield finding("P061", f"the right `{key}` is promised, but no purpose's basis grants it",
                          info.field_span("also" if key in info.also else "describe"),
                          label="not granted by any basis",
                          help="say when the right applies, or remove it; a promise the law does not require "
                          "still binds you")
        elif key in CONDITIONAL_RIGHTS and key in info.also and offered is not None and offered.purposes:
            # `also` offers it for all the data, where some purposes' bases grant it and others' do not.
            beyond = [p for p in ctx.model.controller_purposes if p.bases and p not in offered.purposes]
            if beyond:
                named = ", ".join(f"`{p.key}`" for p in beyond[:3]) + (f" and {len(beyond) - 3} more"
                                                                         if len(beyond) > 3 else "")
                yield finding("P061", f"the right `{key}` is promised for all your data, but the bases of {named} "
                              "do not grant it", info.field_span("also"), label="promised beyond what the law gives",
                              help=f"remove `also {key}`: the notice then says which data the right applies to; "
                              "or keep the promise, which binds you, and silence this warning")


@rule("P067", laws=())
def described_right_not_offered(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    if info is None:
        return
    gdpr = bool(ctx.laws & set(GDPR_LAWS))
    for key, _ in info.describe:
        if ctx.model.offered(key) is not None or (gdpr and key in CONDITIONAL_RIGHTS):
            continue  # offered, or P061 reports it
        right = ctx.model.all_rights.get(key)
        if right is None:
            continue  # did not resolve (N001)
        laws = ", ".join(f"`{law}`" for law in right.laws)
        yield finding("P067", f"the notice does not offer the right `{key}`, so its description is not shown",
                      info.field_span("describe"), label="described, not offered",
                      help=(f"it is a right under {laws}, which the policy does not answer to; " if laws and not
                            ctx.laws & set(right.laws) else "no purpose's basis grants it; ")
                      + f"remove the `describe`, or offer it with `also {key}`")


@rule("P062")
def objection_missing(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    if info is not None and info.object:
        objectable = [p for p in ctx.model.controller_purposes
                      if p.is_direct_marketing or any("object" in u.basis.grants for u in p.bases)]
        has_channels = _has_channels(ctx)
        if objectable and not gives_a_way(info.object, has_channels=has_channels):
            yield finding("P062", "the `object` text does not say how to object", info.field_span("object"),
                          label="no e-mail, address, link or setting",
                          help="say where or how: an e-mail or postal address, a web page, a telephone number, "
                          "or an action such as the unsubscribe link or a setting in the account")
            return
        if not _MARKETING_ONLY.search(info.object) or _general_way(_MARKETING_ONLY.sub(" ", info.object),
                                                                    has_channels=has_channels):
            return
        # The only routes stop marketing messages: an objection on grounds relating to one's situation
        # (Art 21(1)), to processing that is not direct marketing, has none.
        for purpose in objectable:
            grants = [u for u in purpose.bases if "object" in u.basis.grants]
            if purpose.is_direct_marketing or not grants:
                continue
            basis = grants[0].basis.title or grants[0].basis.key
            yield finding("P062", f"the `object` text only says how to stop direct marketing, but purpose "
                          f"`{purpose.key}` rests on {basis}, to which people may object too",
                          info.field_span("object"), label="only marketing messages",
                          help="add a route for objecting to the rest, such as an e-mail address or a form: "
                          "unsubscribing stops the marketing only (Art 21(1), 21(4))")
            return
        return
    for purpose in ctx.model.controller_purposes:
        if purpose.is_direct_marketing:
            continue  # P063
        grants = [u for u in purpose.bases if "object" in u.basis.grants]
        if grants:
            yield finding("P062", f"purpose `{purpose.key}` rests on {grants[0].basis.title or grants[0].basis.key}, "
                          "but the notice does not say how to object", grants[0].span,
                          label="people may object to this",
                          help="add `object \"...\"` to `rights`: how to object, shown separately (Art 21(4))")
            return


@rule("P063")
def marketing_objection(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    marketing = [p for p in ctx.model.controller_purposes if p.is_direct_marketing]
    if not marketing:
        return
    excluded = info is not None and any(k in ("object", "object_direct_marketing") for k, _ in info.exclude)
    if info is not None and info.object and not excluded:
        return
    purpose = marketing[0]
    if excluded and info is not None:
        yield finding("P063", f"purpose `{purpose.key}` is direct marketing, so the right to object to it cannot be "
                      "withheld", info.field_span("exclude"), label="excluded here",
                      help="the objection to direct marketing is absolute (Art 21(3)): remove the `exclude`")
        return
    span = purpose.field_span("direct_marketing" if purpose.direct_marketing else "kind")
    yield finding("P063", f"purpose `{purpose.key}` is direct marketing, but the notice does not say how to stop it",
                  span, label="the right to object is absolute here",
                  help='add `object "Use the unsubscribe link in any email, or write to ..."` to `rights`')


@rule("P064")
def consent_withdrawal(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    excluded = info is not None and any(k == "withdraw_consent" for k, _ in info.exclude)
    if info is not None and info.withdraw and not excluded:
        if _consent_purposes(ctx) and not gives_a_way(info.withdraw, has_channels=_has_channels(ctx)):
            yield finding("P064", "the `withdraw` text does not say how to withdraw consent",
                          info.field_span("withdraw"), label="no e-mail, address, link or setting",
                          help="say where or how: an e-mail address, a web page, a setting in the account or the "
                          "cookie banner, the unsubscribe link; withdrawing must be as easy as consenting (Art 7(3))")
        return
    for purpose in ctx.model.controller_purposes:
        for use in (*purpose.bases, *purpose.conditions):
            if "withdrawal" in use.basis.requires and excluded and info is not None:
                yield finding("P064", f"purpose `{purpose.key}` rests on {use.basis.title or use.basis.key}, so the "
                              "right to withdraw consent cannot be withheld", info.field_span("exclude"),
                              label="excluded here", help="consent can always be withdrawn (Art 7(3))")
                return
            if "withdrawal" in use.basis.requires:
                yield finding("P064", f"purpose `{purpose.key}` rests on {use.basis.title or use.basis.key}, but the "
                              "notice does not say how to withdraw it", use.span, label="consent can be withdrawn",
                              help='add `withdraw "..."` to `rights`: how to withdraw consent at any time (the '
                              "notice adds that withdrawal does not affect earlier processing)")
                return


@rule("P065")
def complaint_authority(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.model.rights and any(r.right.key == "complain" and r.excluded for r in ctx.model.rights):
        info = ctx.model.rights_info
        yield finding("P065", "the right to complain to a supervisory authority cannot be withheld",
                      info.field_span("exclude") if info else _rights_span(ctx), label="`complain` is excluded")
    if any(c.has_field("authority") and c.written("authority") > len(c.authorities) for c in ctx.model.controllers):
        return  # an authority name did not resolve (N001): no follow-on finding
    named = [a for c in ctx.model.controllers for a in c.authorities]
    public = any(c.public_body for c in ctx.model.controllers)
    for law in ctx.model.laws:
        if law.key not in GDPR_LAWS or not law.authorities:
            continue
        local = [a for a in named if _in_area(ctx, a, law)]
        if any(a.supervises_body(public) for a in local):
            continue
        target = ctx.model.controller.field_span("authority") if ctx.model.controller else _rights_span(ctx)
        hint = (f"`authority {law.authorities[0]}`" if len(law.authorities) == 1
                else "`authority ...` (your lead authority)")
        if local:
            body = "public" if public else "private"
            yield finding("P065", f"`{local[0].key}` does not supervise {body} bodies, so it is not the authority "
                          f"people can complain to under the {law.title or law.key}", target,
                          label=f"supervises {' and '.join(s.replace('_', ' ') for s in local[0].supervises)} only",
                          help=f"name the authority that supervises {body} bodies where you are established"
                          + ("" if public else ", or add `public_body yes` to the controller if it is a public body"))
            continue
        yield finding("P065", f"the notice does not name the supervisory authority people can complain to under "
                      f"the {law.title or law.key}", target, label="no authority",
                      help=f"add {hint} to the controller")


def _in_area(ctx: Context, authority: Authority, law: Law) -> bool:
    """An authority of the law: one it lists, or one (a Land's, a region's) in a country of its area."""
    if authority.key in law.authorities:
        return True
    if not authority.country or not law.area:
        return False
    members = ctx.model.regions.get(authority.country, frozenset({authority.country}))
    return members <= law.area


@rule("P066", laws=("uk_gdpr",))
def complaint_to_controller(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.effective is None or policy.effective < COMPLAINTS_TO_CONTROLLER_FROM:
        return
    info = ctx.model.rights_info
    if info is None or not info.complaints:
        yield finding("P066", "the notice does not say how to complain to the controller", _rights_span(ctx),
                      label="no `complaints`",
                      help='from 19 June 2026 UK controllers must offer a complaints route: add `complaints "..."` '
                      "to `rights`")


def _consent_purposes(ctx: Context) -> list[Purpose]:
    return [p for p in ctx.model.controller_purposes
            if any("withdrawal" in u.basis.requires for u in (*p.bases, *p.conditions))]


@rule("P068")
def withdrawal_partial(ctx: Context) -> Iterator[Diagnostic]:
    """A `withdraw` text whose only routes reach one kind of consent (the unsubscribe link, reply STOP; the
    cookie settings) leaves the other consents without a way to withdraw them."""
    info = ctx.model.rights_info
    if info is None or not info.withdraw:
        return
    text = info.withdraw
    marketing_only = bool(_MARKETING_ONLY.search(text))
    cookies_only = bool(_COOKIES_ONLY.search(text))
    if not (marketing_only or cookies_only):
        return
    if _general_way(_COOKIES_ONLY.sub(" ", _MARKETING_ONLY.sub(" ", text)), has_channels=_has_channels(ctx)):
        return  # a general route as well
    with_cookies = {p.key for c in ctx.model.cookies for p in c.purposes}
    for purpose in _consent_purposes(ctx):
        if marketing_only and purpose.is_direct_marketing:
            continue
        if cookies_only and (purpose.key in with_cookies or _observed_online(purpose)):
            continue
        route = " and ".join(r for r, on in (("marketing messages", marketing_only), ("cookies", cookies_only)) if on)
        yield finding("P068", f"the `withdraw` text only reaches consent to {route}, but purpose `{purpose.key}` "
                      "also rests on consent", info.field_span("withdraw"), label=f"only {route}",
                      help="add a route that works for every consent, such as an e-mail address or a setting in "
                      "the account, or say how to withdraw each one")
        return


def _observed_online(purpose: Purpose) -> bool:
    """The purpose uses only data observed while people browse, which is what cookie settings control."""
    return bool(purpose.uses) and all(
        "observed" in d.sources or any(c.key == "online" or c.key.startswith("online.") for c in d.categories)
        for d in purpose.uses)


# Art 12(3): one month from receipt, extendable by two further months for complex or numerous requests, if
# the person is told of the extension within the first month. A calendar month is at most 31 days.
ONE_MONTH_DAYS = 31.0
THREE_MONTHS_DAYS = 92.0
_EXTENSION = lazy(r"\b(extend\w*|extension|further (two )?months|two (further|more|additional) months|"
                        r"complex|numerous)\b", re.IGNORECASE)


def _slow_response(ctx: Context) -> tuple[RightsInfo, bool] | None:
    """The `rights` whose `respond_within` is beyond one month, and whether that is only the Art 12(3) extension
    (at most three months, with the text speaking of extending the time for complex requests)."""
    info = ctx.model.rights_info
    if info is None or not info.respond_within:
        return None
    days = info.respond_within.days
    if days <= ONE_MONTH_DAYS:
        return None
    said = " ".join((info.text, info.verify, info.fee))
    return info, days <= THREE_MONTHS_DAYS and bool(_EXTENSION.search(said))


@rule("P071")
def response_too_slow(ctx: Context) -> Iterator[Diagnostic]:
    slow = _slow_response(ctx)
    if slow is not None and not slow[1]:
        yield finding("P071", "requests must be answered within one month, but `respond_within` is longer",
                      slow[0].field_span("respond_within"), label="beyond one month",
                      help="write `respond_within 1 month`; the time may be extended by two further months only "
                      "for complex or numerous requests, telling the person within the first month (Art 12(3))")


@rule("P073")
def response_extension_as_rule(ctx: Context) -> Iterator[Diagnostic]:
    slow = _slow_response(ctx)
    if slow is not None and slow[1]:
        yield finding("P073", "`respond_within` gives the time extended for complex requests as the time to answer "
                      "every request", slow[0].field_span("respond_within"), label="beyond one month",
                      help="write `respond_within 1 month`, and keep the extension for complex or numerous "
                      "requests in the text, with the promise to tell the person within the first month "
                      "(Art 12(3))")


# Art 12(5): rights are exercised free of charge; a fee only for manifestly unfounded or excessive requests
# (or, for access, further copies, Art 15(3)). Each statement of a charge needs its own ground: "requests are
# free" elsewhere in the text does not make a charge for the copy of the data lawful.
_CHARGE = lazy(r"[£$€]\s?\d|\b\d+(\.\d+)?\s?(gbp|eur|euros?|pounds?|dollars?|usd)\b|"
                     r"\b(charg\w*|fees?|payment|pay)\b", re.IGNORECASE)
# The text's clauses: sentences, and the parts a contrast or an exception sets apart.
_CLAUSE_BREAK = lazy(r"[.!?;](?:\s|$)|,?\s(?:but|however|although|though|whereas|except|apart from)\b",
                           re.IGNORECASE)
# A clause that charges nothing ("we do not charge a fee", "free of charge", "you won't have to pay").
_NO_CHARGE = lazy(r"\b(no|not|never|without|free of|nothing|none)\b|n't\b", re.IGNORECASE)
# The cases in which a fee is allowed.
_FEE_ALLOWED = lazy(r"\b(unfounded|excessive|repetitive|repeated|"
                          r"(further|additional|subsequent|extra|more|second) cop(y|ies)|"
                          r"cop(y|ies) (after|beyond) the first)\b", re.IGNORECASE)
# Where the text makes the first copy free, a charge for copies is one for further copies.
_FIRST_COPY_FREE = lazy(r"\bfirst cop(y|ies)\b[^.;]*\bfree\b", re.IGNORECASE)
_COPIES = lazy(r"\bcop(y|ies)\b", re.IGNORECASE)


def charges_for_requests(text: str) -> bool:
    """Some clause of the `fee` text charges, and neither says it charges nothing nor names a case in which
    a fee is allowed."""
    text = text.replace("\u2019", "'")
    first_copy_free = bool(_FIRST_COPY_FREE.search(text))
    return any(_CHARGE.search(clause) and not _NO_CHARGE.search(clause) and not _FEE_ALLOWED.search(clause)
               and not (first_copy_free and _COPIES.search(clause))
               for clause in _CLAUSE_BREAK.split(text) if clause)


@rule("P072")
def fee_charged(ctx: Context) -> Iterator[Diagnostic]:
    info = ctx.model.rights_info
    if info is None or not info.fee:
        return
    if charges_for_requests(info.fee):
        yield finding("P072", "the `fee` text charges for requests, which must be free", info.field_span("fee"),
                      label="a fee for ordinary requests",
                      help="requests are free (Art 12(5)): a reasonable fee is allowed only for manifestly unfounded "
                      "or excessive requests, or for further copies of the data (Art 15(3)); say so, such as \"We "
                      "do not charge a fee, except for manifestly unfounded or excessive requests\"")
