"""Parse stage: source text to a `Module` of syntax-tree records, with every syntax error reported.

The file is lexed once (one regular expression of the grammar's terminals, made total by catch-all
terminals, so lexing never fails), then split into top-level chunks (one declaration, `use` or
`assert` each). Each chunk is parsed by an LALR(1) parser whose reductions build the AST directly.
The grammar is Lark's (`grammar/policy.lark`); Lark compiles it to tables once, and a check runs them
without importing Lark. On a syntax error the offending statement is reported and dropped and the
chunk is parsed again, so every error in a file is found, and one broken declaration never hides the
others.

The package is split along the stages of a parse: `tables` (the compiled grammar), `lexer` (tokens),
`lalr` (the shift-reduce loop), `tree` (AST building), `recovery` (chunks and syntax errors) and
`incremental` (whole files, and files again after an edit).
"""

from policyc.parser.incremental import ChunkCache, parse_source, parse_text
from policyc.parser.lexer import (
    _EXPECTED_WORDS,
    MAX_DIGITS,
    MAX_ERRORS,
    MAX_NESTING,
    MAX_PARSE_WORK,
    MAX_TOKENS,
    Token,
    _lark,
    describe_token,
    expected_in_words,
    lex,
)
from policyc.parser.tree import attach_docs, build_lark

__all__ = [
    "MAX_DIGITS", "MAX_ERRORS", "MAX_NESTING", "MAX_PARSE_WORK", "MAX_TOKENS", "_EXPECTED_WORDS", "ChunkCache",
    "Token", "_lark", "attach_docs", "build_lark", "describe_token", "expected_in_words", "lex", "parse_source",
    "parse_text",
]
