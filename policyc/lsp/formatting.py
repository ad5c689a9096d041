"""Formatting: the document as `policyc fmt` (policyc.fmt.format_text) would write it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from lsprotocol import types

from policyc.lsp.positions import UTF16, LineIndex


class FormattingError(Exception):
    """The formatter is missing or failed; the message says why."""


class Refused(Exception):
    """The formatter refused the text because of its syntax errors (which the diagnostics show)."""


def _formatter() -> Callable[[str, str], object]:
    try:
        module = importlib.import_module("policyc.fmt")
    except ImportError as err:
        raise FormattingError("this policyc has no formatter (policyc.fmt)") from err
    function = getattr(module, "format_text", None)
    if not callable(function):
        raise FormattingError("policyc.fmt has no format_text")
    return cast(Callable[[str, str], object], function)


def _not_inside_crlf(text: str, offset: int) -> int:
    return offset - 1 if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n" else offset


def minimal_edit(old: str, new: str, encoding: str = UTF16) -> list[types.TextEdit]:
    """One edit replacing only the part of `old` that differs from `new` (none when they are equal)."""
    if old == new:
        return []
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    start = _not_inside_crlf(old, prefix)
    end = len(old) - suffix
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        end += 1
    new_start = start
    new_end = len(new) - (len(old) - end)
    edit_range = LineIndex(old, encoding).range(start, end)
    return [types.TextEdit(range=edit_range, new_text=new[new_start:new_end])]


def format_document(text: str, path: str, encoding: str = UTF16) -> list[types.TextEdit]:
    """The edits that format the text. `policyc.fmt.format_text` returns a result whose `text` is None
    when it refuses a file with syntax errors (a plain string is accepted too)."""
    formatter = _formatter()
    try:
        result = formatter(text, path)
    except Exception as err:  # a formatter bug (FormatError) becomes a message, not a crash
        raise FormattingError(f"policyc fmt: {err}") from err
    formatted = result if isinstance(result, str) else getattr(result, "text", None)
    if formatted is None:
        raise Refused("the file has syntax errors, so it is not formatted")
    if not isinstance(formatted, str):
        raise FormattingError("policyc fmt returned no text")
    return minimal_edit(text, formatted, encoding)
