"""P040–P044: international transfers and their safeguards (Art 13(1)(f), 44–49)."""

from __future__ import annotations

from collections.abc import Iterator

from policyc.diagnostics.model import Diagnostic
from policyc.model import Transfer
from policyc.rules import Context, finding, rule

_NAMES = {"uk_gdpr": "the UK GDPR", "gdpr": "the EU GDPR"}


def _covered(transfer: Transfer) -> bool:
    return transfer.adequacy is not None or bool(transfer.safeguards)


def _where(transfer: Transfer) -> str:
    return "outside the UK" if transfer.law == "uk_gdpr" else "outside the EEA"


@rule("P040")
def transfer_without_safeguard(ctx: Context) -> Iterator[Diagnostic]:
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if _covered(transfer) or recipient.safeguards:
            continue  # safeguards that are not valid under this law are P044
        yield finding(
            "P040", f"`{recipient.key}` receives data in `{transfer.country}`, {_where(transfer)}, with no transfer "
            f"safeguard", recipient.field_span("country"), label="an international transfer",
            help="add `safeguard ...`: " + ("`idta`, or `eu_scc, uk_addendum`" if transfer.law == "uk_gdpr"
                                            else "`eu_scc`") + ", `bcr`, or `adequacy` where a decision covers it")


@rule("P044")
def safeguard_wrong_law(ctx: Context) -> Iterator[Diagnostic]:
    for transfer in ctx.model.transfers:
        recipient = transfer.recipient
        if _covered(transfer) or not recipient.safeguards:
            continue
        names = ", ".join(f"`{s.key}`" for s in recipient.safeguards)
        law = _NAMES.get(transfer.law, transfer.law)
        if any(s.adequacy for s in recipient.safeguards):
            message = f"no adequacy decision under {law} covers `{transfer.country}`"
            if ctx.model.policy and ctx.model.policy.effective:
                message += f" on {ctx.model.policy.effective.isoformat()}"
        else:
            verb = "is" if len(recipient.safeguards) == 1 else "are"
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
