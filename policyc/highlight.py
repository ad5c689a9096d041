"""A Pygments lexer for `.policy` files, registered as the `policy` lexer through an entry point, so
Sphinx, MkDocs and any Pygments user highlight ```` ```policy ```` blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from pygments.lexer import RegexLexer, include, words
from pygments.lexer import bygroups as _bygroups
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

from policyc.schema import KINDS

bygroups: Callable[..., object] = _bygroups  # untyped in Pygments' stubs

_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"


class PolicyLexer(RegexLexer):
    """Lexer for the `.policy` privacy-policy language."""

    name = "Policy"
    aliases: ClassVar[list[str]] = ["policy", "policyc"]
    filenames: ClassVar[list[str]] = ["*.policy"]
    mimetypes: ClassVar[list[str]] = ["text/x-policy"]
    url = "https://pypi.org/project/policyc/"

    tokens: ClassVar[dict[str, list[object]]] = {
        "common": [
            (r"#[^\n]*", Comment.Single),
            (r'"""', String.Doc, "text"),
            (r'"', String.Double, "string"),
            (r"\d{4}-\d{2}-\d{2}\b", Number.Other),
            (r"(\d+)(\s+)(days?|weeks?|months?|years?)\b", bygroups(Number.Integer, Whitespace, Keyword.Type)),
            (r"\d+", Number.Integer),
            (words(("yes", "no"), suffix=r"\b"), Keyword.Constant),
            (words(("where", "has", "and", "or", "not", "in"), suffix=r"\b"), Operator.Word),
            (r"<=|>=|!=|=|<|>|\+|\.\*", Operator),
            (r"[,;()\[\]]", Punctuation),
            (r"[ \t\f]+", Whitespace),
        ],
        "root": [
            (r"\n", Whitespace),
            (r"(use)(\s+)", bygroups(Keyword.Namespace, Whitespace), "use"),
            (r"(assert)(\s+)(" + _NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (words(tuple(KINDS), prefix=r"^", suffix=r"\b"), Keyword.Declaration, "header"),
            (r"\{", Punctuation, "block"),
            include("common"),
            (_NAME, Name),
        ],
        "use": [
            (r'"[^"\n]*"', String.Double, "#pop"),
            (_NAME, Name.Namespace, "#pop"),
            (r"\s+", Whitespace),
        ],
        "header": [
            (r"\{", Punctuation, ("#pop", "block")),
            (r'"', String.Double, "string"),
            (_NAME, Name.Class),
            (r"[ \t]+", Whitespace),
            (r"\n", Whitespace, "#pop"),
        ],
        "block": [
            (r"\}", Punctuation, "#pop"),
            (r"(^|(?<=[{;]))(\s*)(forbid|require)\b", bygroups(Whitespace, Whitespace, Keyword.Reserved)),
            (r"(^|(?<=[{;]))(\s*)(" + _NAME + ")", bygroups(Whitespace, Whitespace, Name.Attribute)),
            (r"\n", Whitespace),
            include("common"),
            (_NAME + r"\.\*", Name.Variable),
            (_NAME, Name.Variable),
        ],
        "string": [
            (r'\\(u\{[0-9A-Fa-f]+\}|.)', String.Escape),
            (r'"', String.Double, "#pop"),
            (r'[^"\\\n]+', String.Double),
            (r"\n", Text, "#pop"),
        ],
        "text": [
            (r'"""', String.Doc, "#pop"),
            (r'\\.', String.Escape),
            (r'[^"\\]+', String.Doc),
            (r'"', String.Doc),
        ],
    }
