"""The Pygments lexer: found by name through its entry point, and it lexes every real file without errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments import lex
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from policyc.highlight import PolicyLexer

REPO = Path(__file__).resolve().parent.parent
FILES = sorted(p for pattern in ("examples/*/*.policy", "stdlib/*.policy", "tests/policies/*.policy")
               for p in REPO.glob(pattern))


def test_registered_through_the_entry_point() -> None:
    assert isinstance(get_lexer_by_name("policy"), PolicyLexer)
    assert isinstance(get_lexer_for_filename("notice.policy"), PolicyLexer)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_real_files_lex_without_errors(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tokens = list(lex(text, PolicyLexer()))
    assert [v for t, v in tokens if t in Error] == []
    assert "".join(v for _, v in tokens) == text if text.endswith("\n") else text + "\n"


def test_token_kinds() -> None:
    text = ('use uk_gdpr\n# a comment\npurpose news "Newsletter" {\n  uses contact; basis consent\n'
            '  retain 2 years after contract_end "reason \\"quoted\\""\n  direct_marketing yes\n'
            '  description """Some *Markdown*."""\n}\nassert a { require purpose where direct_marketing has '
            'retain <= 2 years }\ncontroller c { effective 2024-06-01 }\n')
    tokens = [(t, v) for t, v in lex(text, PolicyLexer()) if v.strip()]
    kinds: dict[str, object] = {}
    for token, value in tokens:
        kinds.setdefault(value, token)  # the first occurrence of each text
    assert kinds["use"] in Keyword and kinds["uk_gdpr"] in Name.Namespace
    assert kinds["# a comment"] in Comment
    assert kinds["purpose"] in Keyword.Declaration and kinds["news"] in Name.Class
    assert kinds["uses"] in Name.Attribute and kinds["basis"] in Name.Attribute
    assert kinds["consent"] in Name.Variable
    assert kinds["years"] in Keyword.Type and kinds["2024-06-01"] in Number
    assert kinds['\\"'] in String.Escape
    assert kinds["yes"] in Keyword.Constant
    assert kinds["Some *Markdown*."] in String.Doc
    assert kinds["require"] in Keyword and kinds["where"] in Operator.Word and kinds["<="] in Operator
