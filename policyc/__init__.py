"""policyc: a compiler for privacy policies written as code."""

__version__ = "0.1.0"

# `typing.TYPE_CHECKING` without importing typing (a fifth of a bare Python start): the modules a check
# loads import typing's names under it, for type checkers only, which read any `TYPE_CHECKING` as True.
TYPE_CHECKING = False
