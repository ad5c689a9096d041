"""P040–P044: international transfers and their safeguards (Art 13(1)(f), 44–49)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.model import Safeguard, Transfer
from policyc.rules import Context, finding, rule

_NAMES = {"uk_gdpr": "the UK GDPR", "gdpr": "the EU GDPR"}
_AREAS = {"uk_gdpr": "UK", "gdpr": "EEA"}


def _covered(transfer: Transfer) -> bool:
    return transfer.adequacy is not None or bool(transfer.safeguards)


def _where(transfer: Transfer) -> str:
    return "outside the UK" if transfer.law == "uk_gdpr" else "outside the EEA"


def _mechanisms(transfer: Transfer) -> list[Safeguard]:
    """The recipient's safeguards other than reliance on adequacy."""
    return [s for s in transfer.recipient.safeguards if not s.adequacy]


def _unresolved(transfer: Transfer) -> bool:
    """A safeguard name did not resolve (already an N001): say nothing more about it."""
    return transfer.recipient.written("safeguard") > len(transfer.recipient.safeguards)


@rule("P040")
def transfer_without_safeguard(ctx: Context) -> Iterator[Diagnostic]:
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if _covered(transfer) or _mechanisms(transfer) or _unresolved(transfer):
            continue  # mechanisms that are not valid under this law are P044
        help = "add `safeguard ...`: " + ("`idta`, or `eu_scc, uk_addendum`" if transfer.law == "uk_gdpr"
                                          else "`eu_scc`") + " or `bcr`"
        if recipient.safeguards:  # it relies on adequacy, and no decision covers the country
            policy = ctx.model.policy
            on = f" on {policy.effective.isoformat()}" if policy and policy.effective else ""
            yield finding("P040", f"no adequacy decision under {_NAMES.get(transfer.law, transfer.law)} covers "
                          f"`{transfer.country}`{on}, and `{recipient.key}` has no other safeguard",
                          recipient.field_span("safeguard"), label="not adequate", help=help)
            continue
        yield finding(
            "P040", f"`{recipient.key}` receives data in `{transfer.country}`, {_where(transfer)}, with no transfer "
            f"safeguard", recipient.field_span("country"), label="an international transfer",
            help=help + ", or `adequacy` where a decision covers it")


@rule("P044")
def safeguard_wrong_law(ctx: Context) -> Iterator[Diagnostic]:
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        mechanisms = _mechanisms(transfer)
        if _covered(transfer) or not mechanisms or _unresolved(transfer):
            continue
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
