"""P040–P047: international transfers and their safeguards (Art 13(1)(f), 44–49)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.fixes import add_after_field, add_field
from policyc.diagnostics.model import Diagnostic, Edit, Fix
from policyc.model import INTERNATIONAL, UNNAMED, Recipient, Safeguard, Transfer
from policyc.rules import Context, finding, rule

_NAMES = {"uk_gdpr": "the UK GDPR", "gdpr": "the EU GDPR"}
_AREAS = {"uk_gdpr": "UK", "gdpr": "EEA"}


def _covered(transfer: Transfer) -> bool:
    return transfer.adequacy is not None or bool(transfer.safeguards)


def _where(transfer: Transfer) -> str:
    return "outside the UK" if transfer.law == "uk_gdpr" else "outside the EEA"


def _to(transfer: Transfer) -> str:
    """Where the data goes, as it reads after "receives data"."""
    if transfer.country == UNNAMED:
        return f"in countries it does not name, {_where(transfer)}"
    if transfer.country == INTERNATIONAL:
        return "as an international organisation"
    return f"in `{transfer.country}`, {_where(transfer)}"


def _mechanisms(transfer: Transfer) -> list[Safeguard]:
    """The recipient's safeguards other than reliance on adequacy."""
    return [s for s in transfer.recipient.safeguards if not s.adequacy]


def _unresolved(transfer: Transfer) -> bool:
    """A safeguard name did not resolve (already an N001): say nothing more about it."""
    return transfer.recipient.written("safeguard") > len(transfer.recipient.safeguards)


# The standard contracts P040's fix adds, by the laws that see the transfer: the EU SCCs, the UK's
# IDTA, or, for both, the EU SCCs with the UK Addendum (one contract for both). Each name is offered
# only when the model has it as a mechanism of those laws in force on the policy's date. Choosing a
# safeguard is the author's decision: the fix is never safe to apply without asking.
_CONTRACTS = {
    frozenset({"gdpr"}): ("eu_scc",),
    frozenset({"uk_gdpr"}): ("idta",),
    frozenset({"gdpr", "uk_gdpr"}): ("eu_scc", "uk_addendum"),
}


def _contracts(ctx: Context, laws: frozenset[str]) -> tuple[str, ...]:
    names = _CONTRACTS.get(laws, ())
    policy = ctx.model.policy
    on = policy.effective if policy else None
    safeguards = [ctx.model.all_safeguards.get(name) for name in names]
    found = [s for s in safeguards if s is not None and s.in_force(on) and not (s.adequacy or s.derogation)]
    if len(found) != len(names) or not all(any(law in s.laws for s in found) for law in laws):
        return ()
    return names


def _safeguard_fix(ctx: Context, recipient: Recipient, laws: frozenset[str]) -> tuple[Fix, ...]:
    words = ", ".join(_contracts(ctx, laws))
    text = ctx.text_of(recipient)
    if not words or text is None:
        return ()
    existing = [f for f in recipient.decl.fields if f.name == "safeguard"]
    country = next((f for f in recipient.decl.fields if f.name == "country"), None)
    edit: Edit | None
    if existing:
        end = existing[-1].span.end
        edit = Edit(existing[-1].span.file, end, end, f", {words}")
    elif country is not None:
        edit = add_after_field(text, country, f"safeguard {words}")
    else:
        edit = add_field(text, recipient.decl, f"safeguard {words}")
    return (Fix(f"Add `safeguard {words}` to `{recipient.key}`", (edit,)),) if edit is not None else ()


def _unsafeguarded(transfer: Transfer) -> bool:
    """A transfer with no safeguard at all (mechanisms that are not valid under its law are P044)."""
    return not (_covered(transfer) or _mechanisms(transfer) or _unresolved(transfer))


@rule("P040")
def transfer_without_safeguard(ctx: Context) -> Iterator[Diagnostic]:
    laws: dict[str, set[str]] = {}  # the laws that see each recipient's unsafeguarded transfers
    for transfer in ctx.model.transfers:
        if _unsafeguarded(transfer):
            laws.setdefault(transfer.recipient.key, set()).add(transfer.law)
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if not _unsafeguarded(transfer):
            continue
        fixes = _safeguard_fix(ctx, recipient, frozenset(laws[recipient.key]))
        help = "add `safeguard ...`: " + ("`idta`, or `eu_scc, uk_addendum`" if transfer.law == "uk_gdpr"
                                          else "`eu_scc`") + " or `bcr`"
        if recipient.safeguards:  # it relies on adequacy, and no decision covers the country
            policy = ctx.model.policy
            on = f" on {policy.effective.isoformat()}" if policy and policy.effective else ""
            law = _NAMES.get(transfer.law, transfer.law)
            if transfer.country == UNNAMED:
                message = (f"an adequacy decision covers only the countries it names, and `{recipient.key}` sends "
                           f"data to countries not named, with no other safeguard under {law}")
            elif transfer.country == INTERNATIONAL:
                message = (f"no adequacy decision under {law} covers the international organisation "
                           f"`{recipient.key}`{on}, and it has no other safeguard")
            else:
                message = (f"no adequacy decision under {law} covers `{transfer.country}`{on}, and "
                           f"`{recipient.key}` has no other safeguard")
            yield finding("P040", message, recipient.field_span("safeguard"), label="not adequate", help=help,
                          fixes=fixes)
            continue
        yield finding(
            "P040", f"`{recipient.key}` receives data {_to(transfer)}, with no transfer safeguard",
            recipient.field_span(transfer.field), label="an international transfer",
            help=help + ", or `adequacy` where a decision covers it", fixes=fixes)


@rule("P044")
def safeguard_wrong_law(ctx: Context) -> Iterator[Diagnostic]:
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        mechanisms = _mechanisms(transfer)
        if _covered(transfer) or not mechanisms or _unresolved(transfer):
            continue
        if any(transfer.law in s.laws for s in mechanisms):
            continue  # a mechanism of this law, but not in force on the notice's date: P047
        names = ", ".join(f"`{s.key}`" for s in mechanisms)
        law = _NAMES.get(transfer.law, transfer.law)
        verb = "is" if len(mechanisms) == 1 else "are"
        message = f"{names} {verb} not a transfer mechanism under {law}"
        yield finding(
            "P044", message, recipient.field_span("safeguard"), label=f"not valid for a transfer {_where(transfer)}",
            help=("for a UK transfer use `idta`, or the EU SCCs with the UK Addendum: `safeguard eu_scc, uk_addendum`"
                  if transfer.law == "uk_gdpr" else "for an EU transfer use `eu_scc` or `bcr`"))


@rule("P041")
def safeguard_copy_missing(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if transfer.adequacy is not None or recipient.safeguard_copy or recipient.key in seen:
            continue
        needing = [s for s in transfer.safeguards if s.copy_required]
        if needing:
            seen.add(recipient.key)
            yield finding("P041", f"the notice does not say how to get a copy of the safeguards for `{recipient.key}`",
                          recipient.field_span("safeguard"), label=", ".join(f"`{s.key}`" for s in needing),
                          help='add `safeguard_copy "Email privacy@... for a copy of the contract clauses."`')


@rule("P042")
def derogation_for_routine_transfer(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if transfer.adequacy is not None or not transfer.safeguards or recipient.key in seen:
            continue
        if all(s.derogation for s in transfer.safeguards) and recipient.role == "processor":
            seen.add(recipient.key)
            yield finding("P042", f"`{recipient.key}` is a processor, a routine transfer, but relies only on an "
                          "Art 49 derogation", recipient.field_span("safeguard"), label="a derogation",
                          help="derogations are for occasional transfers (EDPB Guidelines 2/2018); use standard "
                          "contractual clauses, the IDTA or BCRs")


@rule("P043")
def safeguard_without_transfer(ctx: Context) -> Iterator[Diagnostic]:
    transferring = {t.recipient.key for t in ctx.model.transfers}
    for recipient in ctx.model.recipients:
        mechanisms = [s for s in recipient.safeguards if not s.adequacy]
        if mechanisms and recipient.countries and recipient.key not in transferring:
            names = ", ".join(f"`{s.key}`" for s in mechanisms)
            yield finding("P043", f"`{recipient.key}` has {names}, but its data does not leave the "
                          f"{' or '.join(_AREAS.get(k, k) for k in ctx.laws if k in _AREAS)}",
                          recipient.field_span("safeguard"), label="no transfer to safeguard",
                          help="remove the safeguard, or correct the recipient's `country`")


@rule("P045")
def transfer_countries_unstated(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if transfer.country != UNNAMED or recipient.key in seen:
            continue
        seen.add(recipient.key)
        yield finding("P045", f"`{recipient.key}` receives data {_where(transfer)}, but the notice does not name "
                      "the countries", recipient.field_span("country"), label="countries not named",
                      help="name the third countries in `country`, such as `country US, IN` (WP260 rev.01 "
                      "para 48); keep `outside` only beside them, for destinations that cannot be known")
    for recipient in ctx.model.recipients:
        if recipient.safeguards and not recipient.countries and not recipient.countries_unnamed \
                and not recipient.international_organisation \
                and not recipient.has_field("country"):
            yield finding("P045", f"`{recipient.key}` has a transfer safeguard, but the notice does not say which "
                          "country its data goes to", recipient.field_span("safeguard"), label="where to?",
                          help="add `country ...` to the recipient: without it the notice cannot say that the data "
                          "leaves the area, nor which safeguard covers it")


@rule("P046")
def derogation_unspecified(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if transfer.adequacy is not None or recipient.key in seen:
            continue
        vague = [s for s in transfer.safeguards if s.derogation and s.unspecified]
        if vague and not any(not s.unspecified for s in transfer.safeguards):
            seen.add(recipient.key)
            yield finding("P046", f"`{recipient.key}` relies on an Art 49 derogation without saying which one",
                          recipient.field_span("safeguard"), label=", ".join(f"`{s.key}`" for s in vague),
                          help="name the derogation, such as `derogation_explicit_consent` (49(1)(a)) or "
                          "`derogation_contract` (49(1)(b))")


@rule("P047")
def safeguard_not_in_force(ctx: Context) -> Iterator[Diagnostic]:
    policy = ctx.model.policy
    on = policy.effective if policy is not None else None
    seen: set[tuple[str, str]] = set()
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if transfer.adequacy is not None:
            continue
        for safeguard in _mechanisms(transfer):
            if transfer.law not in safeguard.laws or safeguard.in_force(on) or (recipient.key, safeguard.key) in seen:
                continue
            seen.add((recipient.key, safeguard.key))
            when = f"on {on.isoformat()}, the notice's effective date" if on else "today (the notice has no date)"
            if on is not None and safeguard.since is not None and on < safeguard.since:
                why = f"it took effect only on {safeguard.since.isoformat()}"
            else:
                assert safeguard.until is not None
                why = f"it could no longer be relied on from {safeguard.until.isoformat()}"
            current = [f"`{s.key}`" for s in ctx.model.all_safeguards.values()
                       if transfer.law in s.laws and not (s.adequacy or s.derogation) and s.in_force(on)]
            yield finding("P047", f"`{safeguard.key}` cannot protect a transfer {when}: {why}",
                          recipient.field_span("safeguard"), label="not in force",
                          help=(f"under {_NAMES.get(transfer.law, transfer.law)} on that date: "
                                f"{', '.join(current)}; " if current else "") + "or correct `effective`")
