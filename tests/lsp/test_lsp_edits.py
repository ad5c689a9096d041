"""Rename and quick fixes over a real stdio connection; each edit, applied, is checked again."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import PolicyClient
from lsp_helpers import apply_edits, find, text_in
from lsp_policies import BASE, TRANSFER, TRANSFER_BOTH, TRANSFER_EU
from lsprotocol import types
from pygls.exceptions import JsonRpcException

pytestmark = pytest.mark.asyncio(loop_scope="module")

_names = itertools.count()

# `contact` is both a data category of this file and a taxonomy entry of the standard library.
CONTACT = BASE.replace("purpose delivery", '''data contact "Contact details" {
  includes "e-mail address"; category contact; source subject; required_for contract
  if_not_provided "We cannot reach you."
}

purpose delivery''').replace("  uses orders\n", "  uses orders, contact\n")


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def _open(client: PolicyClient, project: Path, text: str) -> str:
    uri = client.open(project / f"edit{next(_names)}.policy", text)
    await client.diagnostics_for(uri, 1)
    return uri


async def _apply(client: PolicyClient, uri: str, text: str, edit: types.WorkspaceEdit | None) -> tuple[
        str, list[types.Diagnostic]]:
    assert edit is not None and edit.changes is not None
    new = apply_edits(text, list(edit.changes[uri]))
    version = client.replace_all(uri, new)
    return new, await client.diagnostics_for(uri, version)


# --- rename -----------------------------------------------------------------------------------------


async def test_rename_a_declaration_and_its_references(client: PolicyClient, project: Path) -> None:
    uri = await _open(client, project, CONTACT)
    assert await client.diagnostics_for(uri) == []
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=_doc(uri), position=find(CONTACT, "orders, contact", delta=10)))
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "contact"
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=_doc(uri), position=find(CONTACT, "orders, contact", delta=10), new_name="reach"))
    new, diagnostics = await _apply(client, uri, CONTACT, edit)
    assert diagnostics == []
    assert 'data reach "Contact details"' in new
    assert "uses orders, reach" in new
    assert "category contact;" in new  # the taxonomy entry of the same name is another declaration


async def test_rename_across_an_import(client: PolicyClient, project: Path) -> None:
    common = 'data orders "Order details" {\n  includes "items"; source subject; required_for contract\n' \
             '  if_not_provided "We cannot deliver your order."\n}\n'
    (project / "common.policy").write_text(common, encoding="utf-8")
    main = BASE.replace("use uk_gdpr\n", 'use uk_gdpr\nuse "./common.policy"\n').replace(
        BASE[BASE.index("# Orders placed"):BASE.index("purpose delivery")], "").replace(
        "uses orders", "uses orders, common.orders")
    path = project / "main.policy"
    path.write_text(main, encoding="utf-8")
    uri = client.open(path)
    assert await client.diagnostics_for(uri, 1) == []
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=_doc(uri), position=find(main, "common.orders", delta=9), new_name="purchases"))
    assert edit is not None and edit.changes is not None
    common_uri = (project / "common.policy").resolve().as_uri()
    assert set(edit.changes) == {uri, common_uri}
    assert apply_edits(common, list(edit.changes[common_uri])).startswith('data purchases "Order details"')
    assert "uses purchases, common.purchases" in apply_edits(main, list(edit.changes[uri]))


async def test_rename_refuses_stdlib_names_bad_names_and_clashes(client: PolicyClient, project: Path) -> None:
    uri = await _open(client, project, CONTACT)
    with pytest.raises(JsonRpcException, match="standard library"):
        await client.text_document_prepare_rename_async(types.PrepareRenameParams(
            text_document=_doc(uri), position=find(CONTACT, "basis contract", delta=7)))
    with pytest.raises(JsonRpcException, match="standard library"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=_doc(uri), position=find(CONTACT, "basis contract", delta=7), new_name="deal"))
    with pytest.raises(JsonRpcException, match="not a name"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=_doc(uri), position=find(CONTACT, "uses orders", delta=6), new_name="two words"))
    with pytest.raises(JsonRpcException, match="reserved word"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=_doc(uri), position=find(CONTACT, "uses orders", delta=6), new_name="where"))
    with pytest.raises(JsonRpcException, match="already declares a `data` named `contact`"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=_doc(uri), position=find(CONTACT, "uses orders", delta=6), new_name="contact"))


# --- quick fixes --------------------------------------------------------------------------------------


async def _fixes(client: PolicyClient, uri: str, text: str, at: types.Position) -> list[types.CodeAction]:
    diagnostics = list(client.diagnostics.get(uri, []))
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=_doc(uri), range=types.Range(start=at, end=at),
        context=types.CodeActionContext(diagnostics=diagnostics)))
    actions = [a for a in result or [] if isinstance(a, types.CodeAction)]
    for action in actions:
        assert action.kind == types.CodeActionKind.QuickFix
        assert action.diagnostics
    return actions


@pytest.mark.parametrize(("wrong", "right", "code"), [
    ("basis contrct", "basis contract", "N001"),
    ("retian 6 years", "retain 6 years", "T001"),
    ("required_for contrct", "required_for contract", "T003"),
    ("purpse delivery", "purpose delivery", "T001"),
])
async def test_did_you_mean_fix(client: PolicyClient, project: Path, wrong: str, right: str, code: str) -> None:
    text = BASE.replace(right, wrong)
    uri = await _open(client, project, text)
    assert code in {d.code for d in client.diagnostics[uri]}
    typo = wrong.split()[0] if wrong.split()[0] != right.split()[0] else wrong.split()[1]
    (action,) = await _fixes(client, uri, text, find(text, wrong, delta=wrong.index(typo) + 1))
    assert action.is_preferred
    new, diagnostics = await _apply(client, uri, text, action.edit)
    assert new == BASE
    assert diagnostics == []


async def test_missing_basis_fix_on_a_block(client: PolicyClient, project: Path) -> None:
    text = BASE.replace("  basis contract\n", "")
    uri = await _open(client, project, text)
    assert [d.code for d in client.diagnostics[uri]] == ["P010"]
    actions = await _fixes(client, uri, text, find(text, "purpose delivery", delta=10))
    assert [a.title for a in actions] == [
        "Add `basis consent` to `delivery`", "Add `basis contract` to `delivery`",
        "Add `basis legal_obligation` to `delivery`", "Add `basis legitimate_interests` to `delivery`"]
    assert [a.is_preferred for a in actions] == [True, False, False, False]
    new, diagnostics = await _apply(client, uri, text, actions[0].edit)
    assert "  retain 6 years after contract_end\n  basis consent\n}" in new
    assert "P010" not in {d.code for d in diagnostics}


async def test_missing_basis_fix_on_one_line(client: PolicyClient, project: Path) -> None:
    text = BASE.replace('purpose delivery "Delivering your orders" {\n  uses orders\n  basis contract\n'
                        '  retain 6 years after contract_end\n}',
                        'purpose delivery "Delivering your orders" { uses orders; retain 6 years after contract_end }')
    uri = await _open(client, project, text)
    assert [d.code for d in client.diagnostics[uri]] == ["P010"]
    actions = await _fixes(client, uri, text, find(text, "purpose delivery", delta=10))
    new, diagnostics = await _apply(client, uri, text, actions[1].edit)
    assert "{ uses orders; retain 6 years after contract_end; basis contract }" in new
    assert diagnostics == []


@pytest.mark.parametrize(("policy", "added"), [
    (TRANSFER, "safeguard idta"),
    (TRANSFER_EU, "safeguard eu_scc"),
    (TRANSFER_BOTH, "safeguard eu_scc, uk_addendum"),
])
async def test_missing_safeguard_fix(client: PolicyClient, project: Path, policy: str, added: str) -> None:
    uri = await _open(client, project, policy)
    assert "P040" in {d.code for d in client.diagnostics[uri]}
    actions = await _fixes(client, uri, policy, find(policy, "country IN", delta=2))
    assert [a.title for a in actions] == [f"Add `{added}` to `helpdesk`"] * len(actions)
    new, diagnostics = await _apply(client, uri, policy, actions[0].edit)
    assert f"  country IN  # Bangalore\n  {added}\n" in new
    assert "P040" not in {d.code for d in diagnostics}
    assert {d.code for d in diagnostics} <= {"P041"}  # now it must say how to get a copy of the clauses


async def test_missing_safeguard_fix_next_to_a_claimed_adequacy(client: PolicyClient, project: Path) -> None:
    policy = TRANSFER.replace("country IN  # Bangalore", "country IN; safeguard adequacy")
    uri = await _open(client, project, policy)
    (p040,) = [d for d in client.diagnostics[uri] if d.code == "P040"]
    actions = await _fixes(client, uri, policy, p040.range.start)
    assert text_in(policy, p040.range) == "safeguard adequacy"
    new, diagnostics = await _apply(client, uri, policy, actions[0].edit)
    assert "country IN; safeguard adequacy, idta\n" in new
    assert "P040" not in {d.code for d in diagnostics}


async def test_no_fixes_where_there_is_no_diagnostic(client: PolicyClient, project: Path) -> None:
    uri = await _open(client, project, BASE)
    assert await _fixes(client, uri, BASE, find(BASE, "uses orders")) == []


async def test_add_use_for_a_name_from_a_module_not_in_scope(client: PolicyClient, project: Path) -> None:
    policy = TRANSFER.replace("country IN  # Bangalore", "country IN; safeguard eu_scc")
    uri = await _open(client, project, policy)
    (n001,) = [d for d in client.diagnostics[uri] if d.code == "N001"]
    assert text_in(policy, n001.range) == "eu_scc"
    (action,) = await _fixes(client, uri, policy, n001.range.start)
    assert action.title == "Add `use gdpr`"
    new, diagnostics = await _apply(client, uri, policy, action.edit)
    assert new.startswith("use uk_gdpr\nuse gdpr\n")
    assert "N001" not in {d.code for d in diagnostics}
