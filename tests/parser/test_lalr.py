"""policyc's LALR parse against Lark's: the same tables must give the same trees and the same errors.

A check runs the grammar's tables without Lark (`policyc.parser.tables`, `policyc.parser.lalr`). Here
Lark parses the same texts with the same tree builder, and the two must agree: on whole files and
chunks that parse, the syntax trees are equal; on texts that do not, both stop at the same token and
expect the same terminals.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import UnexpectedInput
from lark.exceptions import UnexpectedToken as LarkUnexpectedToken
from lark.lexer import Lexer

from policyc.parser import lex
from policyc.parser.lalr import Parser, UnexpectedToken
from policyc.parser.tables import FORMAT, START_SYMBOLS, Tables, build_tables, tables
from policyc.parser.tree import _Builder
from policyc.resources import grammar_path

REPO = Path(__file__).resolve().parents[2]
FILES = sorted([*REPO.glob("examples/*/privacy.policy"), *REPO.glob("stdlib/*.policy"),
                *REPO.glob("tests/policies/*.policy")])
SKIPPED = frozenset({"WS", "COMMENT"})  # what Lark's lexer ignores (%ignore)


class _Tokens(Lexer):
    """policyc's tokens for Lark's parser (the tree builder reads them; tests/test_performance.py
    compares them with Lark's own lexer)."""

    def __init__(self, conf: object) -> None:
        pass

    def lex(self, text: str) -> Any:  # type: ignore[override]
        return lex(text, SKIPPED)


# Lark's own LALR parser of the grammar, calling the same tree builder.
BUILDER = _Builder()
LARK = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer=_Tokens, start=list(START_SYMBOLS),
            maybe_placeholders=False, transformer=BUILDER)


def ours(text: str, start: str) -> tuple[str, Any]:
    try:
        return "tree", Parser(tables(), _Builder()).parse(list(lex(text, SKIPPED)), start)
    except UnexpectedToken as err:
        return "error", (err.token.type, err.token.start_pos, err.expected)


def larks(text: str, start: str) -> tuple[str, Any]:
    BUILDER.diagnostics.clear()
    try:
        return "tree", LARK.parse(text, start=start)
    except LarkUnexpectedToken as err:
        return "error", (err.token.type, err.token.start_pos, frozenset(err.expected))
    except UnexpectedInput as err:  # pragma: no cover - the lexer is total
        raise AssertionError(f"Lark could not lex the text: {err}") from err


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_whole_files_give_larks_trees(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    mine = ours(text, "start")
    assert mine[0] == "tree"
    assert mine == larks(text, "start")


_SNIPPETS = ["data", "purpose", "policy", "x", "a.b", '"Title"', '"""text"""', "{", "}", "\n", ",", ";", "use",
             "assert", "forbid", "require", "where", "has", "and", "or", "not", "in", "[", "]", "(", ")", "=",
             "<=", ".", ".*", "2024-01-01", "12", "+", "'s'", '"open', "@", "# c\n", "uk_gdpr", "includes"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SNIPPETS), max_size=30), st.sampled_from(["start", "chunk"]))
def test_any_token_stream_gives_larks_tree_or_larks_error(words: list[str], start: str) -> None:
    text = " ".join(words)
    assert ours(text, start) == larks(text, start)


_DECLARATIONS = [
    'data d "D" {\n  includes "a", "b"\n  special no\n}\n',
    'purpose p "P" { basis consent; uses d\n}\n',
    "use uk_gdpr\n",
    'assert a "A" {\n  forbid purpose where basis = consent and not (x.y in [a, b.*, 3 years])\n}\n',
    'assert b {\n  require data where special has retention <= 2024-01-01 or "x"\n}\n',
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_DECLARATIONS), min_size=1, max_size=5), st.integers(0, 400),
       st.sampled_from(["", "}", "{", ",", "\n", "where", "=", "]"]))
def test_damaged_declarations_give_larks_errors(parts: list[str], cut: int, inserted: str) -> None:
    text = "".join(parts)
    cut %= len(text) + 1
    text = text[:cut] + inserted + text[cut:]
    assert ours(text, "start") == larks(text, "start")


def test_every_rule_the_builder_sees_has_a_method() -> None:
    Parser(tables(), _Builder())  # raises LookupError for a rule without one


def test_tables_survive_their_file_form() -> None:
    built = build_tables(grammar_path().read_text(encoding="utf-8"))
    assert Tables.load(built.dump()) == built
    assert Tables.load(b"not marshal") is None
    assert Tables.load(marshal.dumps((FORMAT + 1, "", 0, {}, (), {}, {}, ()))) is None
    assert Tables.load(marshal.dumps((FORMAT,))) is None


def test_a_check_never_imports_lark_nor_typing_nor_dataclasses(tmp_path: Path) -> None:
    # Start-up: Lark compiles the grammar once; `typing`, `dataclasses` and `inspect` (which
    # dataclasses imports) are for type checkers and the records' first compilation only. (A project
    # with a policyc.toml also loads tomllib, which imports typing: this policy is outside the repository.)
    policy = tmp_path / "notice" / "privacy.policy"
    policy.parent.mkdir()
    policy.write_text((REPO / "examples" / "infisim" / "privacy.policy").read_text(encoding="utf-8"), encoding="utf-8")
    probe = ("import sys\nfrom policyc.cli import main\nmain(['check', sys.argv[1]])\n"
             "print(sorted({'lark', 'typing', 'dataclasses', 'inspect'} & set(sys.modules)), file=sys.stderr)\n")
    environment = {**{k: v for k, v in os.environ.items() if k != "POLICYC_NO_CACHE"}, "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", probe, str(policy)], capture_output=True, text=True,
                           env=environment, cwd=tmp_path, check=False)
    assert "'lark'" in first.stderr.strip().splitlines()[-1]  # the first run compiles the grammar with Lark
    assert list(tmp_path.glob("policyc/grammar-*.tables"))
    again = subprocess.run([sys.executable, "-c", probe, str(policy)], capture_output=True, text=True,
                           env=environment, cwd=tmp_path, check=False)
    assert again.stderr.strip().splitlines()[-1] == "[]", again.stderr
    assert again.stdout == first.stdout


def test_a_damaged_table_file_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policyc.parser import tables as module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("POLICYC_NO_CACHE", raising=False)
    path = tmp_path / "policyc" / f"grammar-{module._digest(grammar_path().read_text(encoding='utf-8'))}.tables"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00half a file")
    module.tables.cache_clear()
    try:
        text = (REPO / "examples" / "infisim" / "privacy.policy").read_text(encoding="utf-8")
        assert ours(text, "start") == larks(text, "start")  # parsed with tables built again
        assert Tables.load(path.read_bytes()) == module.tables()  # and written again, whole
    finally:
        module.tables.cache_clear()
