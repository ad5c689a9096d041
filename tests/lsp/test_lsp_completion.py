"""Completion over a real stdio connection: the exact kinds of names offered in each place."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import PolicyClient
from lsp_helpers import position_of, text_in
from lsp_policies import BASE
from lsprotocol import types

from policyc.resolver import stdlib_names
from policyc.schema import KINDS

pytestmark = pytest.mark.asyncio(loop_scope="module")

_names = itertools.count()

# A second data category and a recipient, so that each reference field has names of several kinds nearby.
MORE = BASE + '''
data visits "Visits" { includes "pages seen"; source observed; required_for optional }
source broker "A data broker" { public no }
recipient courier "Courier" { role processor; country GB }
'''


async def _complete(client: PolicyClient, project: Path,
                    text_with_cursor: str) -> tuple[str, list[types.CompletionItem]]:
    """Open the text (with `|` marking the cursor) and complete at the cursor."""
    offset = text_with_cursor.index("|")
    text = text_with_cursor[:offset] + text_with_cursor[offset + 1:]
    uri = client.open(project / f"complete{next(_names)}.policy", text)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, offset)))
    assert isinstance(result, types.CompletionList)
    return text, list(result.items)


def _in_purpose(line: str) -> str:
    return MORE.replace("  basis contract\n", f"  basis contract\n  {line}\n")


async def test_top_level_offers_the_kinds(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE + "\n|")
    assert {i.label for i in items} == set(KINDS) | {"use", "assert"}


async def test_top_level_partial_word(client: PolicyClient, project: Path) -> None:
    text, items = await _complete(client, project, MORE + "\npurp|")
    assert "purpose" in {i.label for i in items}
    edit = items[0].text_edit
    assert isinstance(edit, types.TextEdit) and text_in(text, edit.range) == "purp"


async def test_use_offers_stdlib_modules(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, "use |\n" + MORE)
    assert {i.label for i in items} == set(stdlib_names())


async def test_fields_of_the_enclosing_kind(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, _in_purpose("|"))
    assert [i.label for i in sorted(items, key=lambda i: i.sort_text or "")] == [
        f.name for f in KINDS["purpose"].fields]
    _, items = await _complete(client, project, MORE.replace("{ public no }", "{ public no\n  | }"))
    assert {i.label for i in items} == {f.name for f in KINDS["source"].fields}


async def test_fields_after_a_semicolon_on_a_one_line_block(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE.replace("{ role processor; country GB }",
                                                             "{ role processor; sa| country GB }"))
    assert {i.label for i in items} == {f.name for f in KINDS["recipient"].fields}


async def test_basis_offers_only_bases(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, _in_purpose("basis |"))
    assert {i.detail for i in items} == {"basis"}
    assert {"consent", "contract", "legal_obligation", "vital_interests", "public_task",
            "legitimate_interests"} <= {i.label for i in items}


async def test_uses_offers_only_data(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, _in_purpose("uses orders, |"))
    assert {i.detail for i in items} == {"data"}
    assert {i.label for i in items} == {"orders", "visits"}


async def test_country_offers_countries_and_regions(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE.replace("country GB }", "country | }"))
    assert {i.detail for i in items} == {"country", "region", "word"}
    labels = {i.label for i in items}
    assert {"GB", "US", "IN", "EEA", "EU"} <= labels
    assert {i.label for i in items if i.detail == "word"} == {"outside"}  # countries the notice does not name


async def test_source_offers_sources_and_its_words(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE.replace("source observed;", "source |;"))
    assert {(i.label, i.detail) for i in items} == {
        ("broker", "source"), ("subject", "word"), ("observed", "word"), ("derived", "word")}


async def test_shares_with_offers_only_recipients(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, _in_purpose("shares_with |"))
    assert {(i.label, i.detail) for i in items} == {("courier", "recipient"), ("none", "word")}


async def test_enum_field_offers_its_words(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE.replace("required_for optional", "required_for |"))
    assert {i.label for i in items} == {"statutory", "contract", "optional"}


async def test_retention_event_offers_only_events(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE.replace("retain 6 years after contract_end",
                                                             "retain 6 years after con|"))
    assert {i.detail for i in items} == {"event"}
    assert "contract_end" in {i.label for i in items}


async def test_retention_unit_and_keywords(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE.replace("retain 6 years after contract_end", "retain 6 |"))
    assert {i.label for i in items} == {"day", "days", "week", "weeks", "month", "months", "year", "years"}
    _, items = await _complete(client, project, MORE.replace("retain 6 years after contract_end", "retain |"))
    assert {i.label for i in items} == {"until", "criteria", "session"}


async def test_category_offers_dotted_taxonomy_names(client: PolicyClient, project: Path) -> None:
    text, items = await _complete(client, project, MORE.replace('data visits "Visits" {',
                                                                'data visits "Visits" { category identity.n|\n'))
    assert {i.detail for i in items} == {"category"}
    assert "identity.name" in {i.label for i in items}
    edit = items[0].text_edit
    assert isinstance(edit, types.TextEdit) and text_in(text, edit.range) == "identity.n"


async def test_no_completion_inside_strings_and_comments(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, MORE.replace('"Order details"', '"Order |details"'))
    assert items == []
    _, items = await _complete(client, project, MORE.replace("# Who we are.", "# Who we |are."))
    assert items == []


async def test_completion_in_an_unfinished_document(client: PolicyClient, project: Path) -> None:
    _, items = await _complete(client, project, 'use uk_gdpr\npurpose p "P" {\n  basis |')
    assert {i.detail for i in items} == {"basis"}
