"""The language server over a real stdio connection: diagnostics, hover, definition, references,
outline, formatting, and UTF-16 positions."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import PolicyClient
from lsp_helpers import apply_edits, find, position_of, text_in, valid_range
from lsp_policies import BASE, TRANSFER
from lsprotocol import types

from policyc.resources import stdlib_dir

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def _hover_text(result: types.Hover | None) -> str:
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.Markdown
    return result.contents.value


# --- diagnostics ----------------------------------------------------------------------------------


async def test_open_publishes_diagnostics_with_version(client: PolicyClient, project: Path) -> None:
    path = project / "transfer.policy"
    path.write_text(TRANSFER, encoding="utf-8")
    uri = client.open(path)
    diagnostics = await client.diagnostics_for(uri, 1)
    (p040,) = [d for d in diagnostics if d.code == "P040"]
    assert p040.source == "policyc"
    assert p040.severity == types.DiagnosticSeverity.Error
    assert text_in(TRANSFER, p040.range) == "country IN"
    assert "outside the UK" in p040.message and "help: add `safeguard" in p040.message
    assert p040.code_description is not None and p040.code_description.href.endswith("/P040.md")
    assert Path(p040.code_description.href.removeprefix("file://")).is_file()


async def test_change_republishes_and_related_information_points_at_labels(client: PolicyClient,
                                                                          project: Path) -> None:
    path = project / "base.policy"
    path.write_text(BASE, encoding="utf-8")
    uri = client.open(path)
    assert await client.diagnostics_for(uri, 1) == []
    # Declare `orders` a second time: N002, with a label at the first declaration.
    duplicate = BASE + '\ndata orders "Again" { includes "x"; source subject; required_for optional }\n'
    version = client.replace_all(uri, duplicate)
    diagnostics = await client.diagnostics_for(uri, version)
    (n002,) = [d for d in diagnostics if d.code == "N002"]
    assert n002.related_information is not None
    (related,) = n002.related_information
    assert related.location.uri == uri
    assert related.message == "first declared here"
    assert text_in(duplicate, related.location.range) == "orders"
    # An incremental change that fixes it: delete the appended declaration.
    start = position_of(duplicate, len(BASE))
    end = position_of(duplicate, len(duplicate))
    version = client.change(uri, types.TextDocumentContentChangePartial(
        range=types.Range(start=start, end=end), text=""))
    assert await client.diagnostics_for(uri, version) == []


async def test_syntax_errors_do_not_hide_legal_rules(client: PolicyClient, project: Path) -> None:
    broken = TRANSFER.replace('data enquiries "Your enquiries" {', 'data enquiries "Your enquiries" { = oops\n')
    uri = client.open(project / "broken.policy", broken)
    codes = {d.code for d in await client.diagnostics_for(uri, 1)}
    assert "S001" in codes or "S006" in codes
    assert "P040" in codes


async def test_untitled_document_is_checked(client: PolicyClient) -> None:
    uri = "untitled:Untitled-1"
    client.open_uri(uri, 'data x "X" { includes "a"; source subjekt }\n')
    diagnostics = await client.diagnostics_for(uri, 1)
    assert any(d.code == "T003" or d.code == "N001" for d in diagnostics)
    client.close(uri)


async def test_close_clears_diagnostics(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "closing.policy", TRANSFER)
    assert await client.diagnostics_for(uri, 1)
    client.close(uri)
    cleared = await client.wait_for_publish(lambda p: p.uri == uri and p.version is None)
    assert list(cleared.diagnostics) == []


# --- hover ----------------------------------------------------------------------------------------


async def test_hover_on_stdlib_name_shows_article_and_summary(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "hover.policy", BASE)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=find(BASE, "basis contract", delta=8)))
    text = _hover_text(result)
    assert "**basis** `contract`" in text
    assert "**Article** 6(1)(b)" in text
    assert "contract" in text.split("**Article**")[1]  # the plain-English summary follows
    assert result is not None and result.range is not None
    assert text_in(BASE, result.range) == "contract"


async def test_hover_on_own_declaration_shows_title_and_doc_comment(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "hover2.policy", BASE)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=find(BASE, "uses orders", delta=6)))
    text = _hover_text(result)
    assert "**data** `orders` — Order details" in text
    assert "Orders placed in the shop.\nKept for the limitation period." in text


async def test_hover_on_field_shows_schema_doc(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "hover3.policy", BASE)
    text = _hover_text(await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=find(BASE, "retain 6 years", delta=2))))
    assert "**`retain`** — field of `purpose`" in text
    assert "how long the data is kept" in text


async def test_hover_on_kind_and_use(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "hover4.policy", BASE)
    text = _hover_text(await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=find(BASE, "purpose delivery", delta=1))))
    assert "**`purpose`** — a kind of declaration: why data is processed" in text
    text = _hover_text(await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=find(BASE, "uk_gdpr", delta=1))))
    assert "standard-library module `uk_gdpr`" in text


async def test_hover_on_diagnostic_explains_the_rule(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "hover5.policy", TRANSFER)
    await client.diagnostics_for(uri, 1)
    text = _hover_text(await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=find(TRANSFER, "country IN", delta=9))))
    assert "**P040** `transfer-without-safeguard` (error) · Article 13(1)(f), 44-49" in text
    assert "Each country in a recipient's `country` list" in text  # the rule page's first section
    assert "## Why" not in text


async def test_hover_on_nothing_is_null(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "hover6.policy", BASE)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=find(BASE, "Who we are")))
    assert result is None


# --- definition and references --------------------------------------------------------------------


async def test_definition_into_the_stdlib_file_on_disk(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "def.policy", BASE)
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=_doc(uri), position=find(BASE, "after contract_end", delta=8)))
    assert isinstance(result, list)
    (location,) = result
    assert isinstance(location, types.Location)
    events = (stdlib_dir() / "events.policy").resolve()
    assert location.uri == events.as_uri()
    on_disk = events.read_text(encoding="utf-8")
    assert text_in(on_disk, location.range) == "contract_end"
    assert on_disk.splitlines()[location.range.start.line].startswith("event contract_end")


async def test_definition_of_use_opens_the_module(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "def2.policy", BASE)
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=_doc(uri), position=find(BASE, "uk_gdpr", delta=2)))
    assert isinstance(result, list)
    assert result[0].uri == (stdlib_dir() / "uk_gdpr.policy").resolve().as_uri()


def _split_project(project: Path) -> tuple[Path, Path, str, str]:
    common = ('# Shared declarations.\ndata orders "Order details" {\n'
              '  includes "items ordered"; source subject; required_for contract\n'
              '  if_not_provided "We cannot deliver your order."\n}\n')
    main = BASE.replace(common.split("\n", 1)[1], "").replace(
        "use uk_gdpr\n", 'use uk_gdpr\nuse "./common.policy"\n')
    main = main.replace('# Orders placed in the shop.\n# Kept for the limitation period.\n'
                        'data orders "Order details" {\n'
                        '  includes "items ordered", "delivery address"; source subject; required_for contract\n'
                        '  if_not_provided "We cannot deliver your order."\n}\n', "")
    main += ('purpose billing "Billing" {\n  uses common.orders\n  basis contract\n'
             '  retain 6 years after contract_end\n}\n')
    (project / "common.policy").write_text(common, encoding="utf-8")
    (project / "main.policy").write_text(main, encoding="utf-8")
    return project / "main.policy", project / "common.policy", main, common


async def test_definition_and_references_across_imports(client: PolicyClient, project: Path) -> None:
    main_path, common_path, main, common = _split_project(project)
    uri = client.open(main_path)
    assert await client.diagnostics_for(uri, 1) == []
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=_doc(uri), position=find(main, "uses orders", delta=6)))
    assert isinstance(result, list)
    assert result[0].uri == common_path.resolve().as_uri()
    assert text_in(common, result[0].range) == "orders"
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=_doc(uri), position=find(main, "uses orders", delta=6),
        context=types.ReferenceContext(include_declaration=True)))
    assert refs is not None
    found = sorted((r.uri.rsplit("/", 1)[1], text_in(main if r.uri == uri else common, r.range)) for r in refs)
    assert found == [("common.policy", "orders"), ("main.policy", "common.orders"), ("main.policy", "orders")]
    without = await client.text_document_references_async(types.ReferenceParams(
        text_document=_doc(uri), position=find(main, "uses orders", delta=6),
        context=types.ReferenceContext(include_declaration=False)))
    assert without is not None and len(without) == 2


async def test_references_of_a_stdlib_name_include_other_open_documents(client: PolicyClient,
                                                                       project: Path) -> None:
    first = client.open(project / "a.policy", BASE)
    second = client.open(project / "b.policy", BASE.replace("purpose delivery", "purpose shipping"))
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=_doc(first), position=find(BASE, "basis contract", delta=7),
        context=types.ReferenceContext(include_declaration=True)))
    assert refs is not None
    uris = {r.uri for r in refs}
    assert {first, second} <= uris
    core = (stdlib_dir() / "core.policy").resolve().as_uri()
    assert core in uris  # the declaration itself


# --- outline ----------------------------------------------------------------------------------------


async def test_document_symbols(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "outline.policy", BASE)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=_doc(uri)))
    assert symbols is not None
    outline = [(s.name, s.kind, s.detail) for s in symbols if isinstance(s, types.DocumentSymbol)]
    assert outline == [
        ("policy", types.SymbolKind.Namespace, None),
        ("acme", types.SymbolKind.Class, "controller · Acme Ltd"),
        ("orders", types.SymbolKind.Struct, "data · Order details"),
        ("delivery", types.SymbolKind.Function, "purpose · Delivering your orders"),
    ]
    delivery = symbols[-1]
    assert isinstance(delivery, types.DocumentSymbol) and delivery.children is not None
    assert [c.name for c in delivery.children] == ["uses", "basis", "retain"]
    assert text_in(BASE, delivery.selection_range) == "delivery"


# --- formatting ---------------------------------------------------------------------------------------


async def test_formatting_uses_policyc_fmt(client: PolicyClient, project: Path) -> None:
    assert importlib.util.find_spec("policyc.fmt") is not None, "policyc.fmt (the formatter) is not there yet"
    from policyc.fmt import format_text  # type: ignore[import-not-found,unused-ignore]

    messy = BASE.replace("  uses orders", "      uses    orders").replace("  basis contract", "basis contract")
    path = project / "messy.policy"
    uri = client.open(path, messy)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=_doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    expected = format_text(messy, str(path.resolve()))
    expected = expected if isinstance(expected, str) else expected.text
    assert expected is not None and expected != messy
    assert apply_edits(messy, list(edits or [])) == expected


async def test_formatting_a_file_with_syntax_errors_changes_nothing(client: PolicyClient, project: Path) -> None:
    assert importlib.util.find_spec("policyc.fmt") is not None, "policyc.fmt (the formatter) is not there yet"
    broken = BASE.replace("uses orders", "uses = orders {")
    uri = client.open(project / "broken-fmt.policy", broken)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=_doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert not edits


# --- UTF-16 -----------------------------------------------------------------------------------------


EMOJI = BASE.replace('data orders "Order details" {', 'data orders "Bestellungen 🛒 𝄞 café" {  # 👩‍💻').replace(
    "  uses orders", '  description "Zustellung 🚚 — schnell"; uses orders')


async def test_positions_are_utf16_after_astral_characters(client: PolicyClient, project: Path) -> None:
    uri = client.open(project / "emoji.policy", EMOJI)
    position = find(EMOJI, "; uses orders", delta=7)  # after two astral characters on the same line
    assert position.character == len('  description "Zustellung 🚚 — schnell"; uses '.encode("utf-16-le")) // 2
    text = _hover_text(await client.text_document_hover_async(types.HoverParams(
        text_document=_doc(uri), position=position)))
    assert "**data** `orders` — Bestellungen 🛒 𝄞 café" in text
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=_doc(uri), position=position))
    assert isinstance(result, list)
    assert text_in(EMOJI, result[0].range) == "orders"
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=_doc(uri)))
    assert symbols is not None
    for symbol in symbols:
        assert isinstance(symbol, types.DocumentSymbol)
        assert valid_range(EMOJI, symbol.range)


async def test_diagnostic_ranges_after_astral_characters(client: PolicyClient, project: Path) -> None:
    text = EMOJI.replace("; uses orders", "; uses ordres")
    uri = client.open(project / "emoji2.policy", text)
    diagnostics = await client.diagnostics_for(uri, 1)
    (n001,) = [d for d in diagnostics if d.code == "N001"]
    assert text_in(text, n001.range) == "ordres"
    assert n001.range.start == find(text, "ordres")


# --- imports of open files, saving, configuration ------------------------------------------------------


async def test_imports_see_unsaved_text_and_a_save_rechecks_importers(client: PolicyClient, project: Path) -> None:
    main_path, common_path, _, common = _split_project(project)
    unsaved = common.replace("data orders", "data purchases")
    common_uri = client.open(common_path, unsaved)
    main_uri = client.open(main_path)
    diagnostics = await client.diagnostics_for(main_uri, 1)
    assert "N001" in {d.code for d in diagnostics}  # `orders` is gone from the editor's common.policy
    before = len([p for p in client.published if p.uri == main_uri])
    client.replace_all(common_uri, common)
    common_path.write_text(common, encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=_doc(common_uri)))
    again = await client.wait_for_publish(
        lambda p: p.uri == main_uri and len([q for q in client.published if q.uri == main_uri]) > before)
    assert list(again.diagnostics) == []


async def test_a_broken_configuration_is_reported_and_the_defaults_apply(client: PolicyClient,
                                                                        tmp_path: Path) -> None:
    (tmp_path / "policyc.toml").write_text("bogus = 1\n", encoding="utf-8")
    uri = client.open(tmp_path / "configured.policy", TRANSFER)
    diagnostics = await client.diagnostics_for(uri, 1)
    first = diagnostics[0]
    assert first.severity == types.DiagnosticSeverity.Warning and first.code is None
    assert "configuration cannot be read" in first.message and "bogus" in first.message
    assert "P040" in {d.code for d in diagnostics}
