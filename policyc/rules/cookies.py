"""P120–P125: cookies and similar technologies (PECR reg 6, ePrivacy Art 5(3), GDPR Art 4(11))."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.rules import Context, finding, rule


@rule("P120")
def cookie_without_consent(ctx: Context) -> Iterator[Diagnostic]:
    for cookie in ctx.model.cookies:
        if cookie.essential or not cookie.purposes:
            continue
        on_consent = any("withdrawal" in u.basis.requires for p in cookie.purposes for u in (*p.bases, *p.conditions))
        if not on_consent:
            yield finding("P120", f"cookie `{cookie.key}` is not strictly necessary, so it needs consent, but its "
                          "purpose does not rest on consent", cookie.field_span("purpose"),
                          label=f"{cookie.kind or 'a non-essential'} cookie",
                          help="give its purpose `basis consent`, or mark it `kind strictly_necessary` if it is")


@rule("P121")
def implied_cookie_consent(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    if policy.cookie_consent in ("implied", "none") and any(not c.essential for c in ctx.model.cookies):
        how = ("taken from continued browsing, which is not consent" if policy.cookie_consent == "implied"
               else "not asked for at all")
        yield finding("P121", f"consent to non-essential cookies is {how}",
                      policy.field_span("cookie_consent"), label=f"`cookie_consent {policy.cookie_consent}`",
                      help="ask for consent before setting non-essential cookies: `cookie_consent opt_in_banner` "
                      "(Planet49, C-673/17)")


@rule("P122")
def cookie_duration_missing(ctx: Context) -> Iterator[Diagnostic]:
    for cookie in ctx.model.cookies:
        if cookie.essential:
            continue  # exempt from reg 6(1)-(2) by reg 6(4): duration is good practice, not a requirement
        if not cookie.expires and not cookie.has_field("expires"):
            yield finding("P122", f"cookie `{cookie.key}` does not say how long it lasts", cookie.span,
                          label="no `expires`", help="add `expires 2 years`, `expires 30 days` or `expires session`")


@rule("P123")
def cookie_provider_unstated(ctx: Context) -> Iterator[Diagnostic]:
    for cookie in ctx.model.cookies:
        if not cookie.has_field("provider"):
            yield finding("P123", f"cookie `{cookie.key}` does not say who sets it", cookie.span, label="no `provider`",
                          help="add `provider first_party` for a cookie we set, or `provider RECIPIENT` for one a "
                          "third party sets")


@rule("P124")
def cookie_wall(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    assert policy is not None
    optional = [c for c in ctx.model.cookies if not c.essential]
    if policy.cookie_wall and optional:
        yield finding("P124", "the site can be used only by accepting cookies that are not strictly necessary "
                      f"(`{optional[0].key}`)", policy.field_span("cookie_wall"), label="a cookie wall",
                      help="let people use the site when they refuse non-essential cookies, then say "
                      "`cookie_wall no`",
                      notes=("consent that is the price of access is not freely given (Art 4(11), 7(4); EDPB "
                             "Guidelines 05/2020 paras 39-41; the ICO's guidance on cookies)",))


@rule("P125")
def known_cookie_called_necessary(ctx: Context) -> Iterator[Diagnostic]:
    for cookie in ctx.model.cookies:
        if not cookie.essential:
            continue
        for name in (*cookie.names, cookie.key):
            known = next((k for k in ctx.model.known_cookies if k.kind != "strictly_necessary" and k.matches(name)),
                         None)
            if known is not None:
                yield finding("P125", f"cookie `{cookie.key}` is labelled strictly necessary, but `{name}` is "
                              f"{'an' if known.kind[:1] in 'aeiou' else 'a'} {known.kind} cookie of "
                              f"{known.provider or known.title or known.key}",
                              cookie.field_span("kind"), label="not strictly necessary",
                              help=f"mark it `kind {known.kind}` and base its purpose on consent: the exemption of "
                              "PECR reg 6(4) and ePrivacy Art 5(3) covers only what the service the user asked for "
                              "cannot work without")
                break
