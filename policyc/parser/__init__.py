"""Parse stage: source text to a `Module` of frozen dataclasses, with every syntax error reported.

The file is lexed once with Lark's lexer (made total by catch-all terminals, so lexing never
fails), then split into top-level chunks (one declaration, `use` or `assert` each). Each chunk is
parsed by Lark's LALR parser with an inline Transformer that builds the AST directly. On a syntax
error the offending statement is reported and dropped and the chunk is parsed again, so every error
in a file is found, and one broken declaration never hides the others.

The package is split along the stages of a parse: `lexer` (tokens), `tree` (AST building),
`recovery` (chunks and syntax errors) and `incremental` (whole files, and files again after an edit).
"""

from policyc.parser.incremental import ChunkCache, parse_source, parse_text
from policyc.parser.lexer import (
    _EXPECTED_WORDS,
    MAX_DIGITS,
    MAX_ERRORS,
    MAX_NESTING,
    MAX_PARSE_WORK,
    MAX_TOKENS,
    _lark,
    describe_token,
    expected_in_words,
    lex,
)
from policyc.parser.tree import attach_docs, build_lark

__all__ = [
    "MAX_DIGITS", "MAX_ERRORS", "MAX_NESTING", "MAX_PARSE_WORK", "MAX_TOKENS", "_EXPECTED_WORDS", "ChunkCache",
    "_lark", "attach_docs", "build_lark", "describe_token", "expected_in_words", "lex", "parse_source",
    "parse_text",
]
