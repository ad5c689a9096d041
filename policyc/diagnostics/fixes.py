"""Fixes that stages and rules attach to their diagnostics, and applying them to a file's text.

A stage that finds a problem knows where it is and, often, what would resolve it: the name the
author probably meant, the module that declares a name, the field a declaration lacks. It attaches
that knowledge as `Fix` values made of `Edit`s (offsets into the file's source text). The language
server offers every fix as a quick fix; `policyc check --fix` applies only the *safe* ones:

- a "did you mean" replacement is safe when the suggestion is the one close match (a similarity of
  at least `SAFE_SIMILARITY`, and no other candidate as close), or only changes the case of a
  country code to a known one;
- adding the `use` of the standard-library module that declares a name is safe (the name is the
  author's; the `use` only brings its declaration into scope);
- a punctuation fix the parser is sure of (`retain: 6 years`, 'single quotes') is safe;
- a fix that chooses a lawful basis, a safeguard, or which of two values to keep is never safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from policyc import ast
from policyc.diagnostics.model import Diagnostic, Edit, Fix, Span

# How alike a misspelt word and its suggestion must be (difflib's ratio) for the fix to be applied
# without asking: `contrct` and `contract` are 0.93, `purpse` and `purpose` 0.92, `ex` and `eu` 0.5.
SAFE_SIMILARITY = 0.8


# difflib is imported only where a name is wrong: a clean check never needs it.


def closest(word: str, choices: Iterable[str]) -> list[str]:
    """The choice most like `word` (in a list, empty when none is alike enough): `did you mean ...?`."""
    from difflib import get_close_matches

    return get_close_matches(word, list(choices), n=1)


def similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


def _close(word: str, choices: Iterable[str]) -> Iterator[str]:
    """The choices at least SAFE_SIMILARITY alike to `word` (the cheap upper bounds first, as difflib does)."""
    from difflib import SequenceMatcher

    matcher = SequenceMatcher()
    matcher.set_seq2(word)
    for choice in choices:
        matcher.set_seq1(choice)
        if (matcher.real_quick_ratio() >= SAFE_SIMILARITY and matcher.quick_ratio() >= SAFE_SIMILARITY
                and matcher.ratio() >= SAFE_SIMILARITY):
            yield choice


def replacement(span: Span, new_text: str, title: str, *, safe: bool = False) -> Fix:
    """A fix that replaces the text of a span."""
    return Fix(title, (Edit(span.file, span.start, span.end, new_text),), safe)


def did_you_mean(span: Span, wrong: str, suggestion: str, choices: Iterable[str] = ()) -> tuple[Fix, ...]:
    """The fix for a "did you mean `suggestion`?": replace the misspelt word at `span`. It is safe when
    the suggestion is close (SAFE_SIMILARITY) and no other of the `choices` is as close."""
    if span.end <= span.start or not suggestion or suggestion == wrong:
        return ()
    safe = similarity(wrong, suggestion) >= SAFE_SIMILARITY and not any(
        choice != suggestion for choice in _close(wrong, choices))
    return (replacement(span, suggestion, f"Change `{wrong}` to `{suggestion}`", safe=safe),)


def remove_assignment(text: str, span: Span) -> tuple[Fix, ...]:
    """S006: `retain: 6 years` or `retain = 6 years` becomes `retain 6 years` (one space is kept)."""
    before = text[span.start - 1:span.start] if span.start > 0 else ""
    after = text[span.end:span.end + 1]
    if span.end <= span.start or span.end > len(text):
        return ()
    spaced_before, spaced_after = before in (" ", "\t"), after in (" ", "\t")
    if spaced_before and spaced_after:
        edit = Edit(span.file, span.start, span.end + 1, "")
    else:
        edit = Edit(span.file, span.start, span.end, "" if spaced_before or spaced_after else " ")
    return (Fix(f"Remove `{text[span.start:span.end]}`", (edit,), safe=True),)


def double_quotes(text: str, span: Span) -> tuple[Fix, ...]:
    """S007: 'text' becomes "text" (when the string holds no `"` or backslash, which would need escapes)."""
    quoted = text[span.start:span.end]
    inner = quoted[1:-1]
    if len(quoted) < 2 or not quoted.endswith("'") or '"' in inner or "\\" in inner:
        return ()
    return (replacement(span, f'"{inner}"', "Use double quotes", safe=True),)


# --- edits that add text ----------------------------------------------------------------------


def line_bounds(text: str, offset: int) -> tuple[int, int]:
    """The offsets where the line holding `offset` begins and ends (before its line break)."""
    begin = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    ends = [i for i in (text.find("\n", offset), text.find("\r", offset)) if i != -1]
    return begin, min(ends) if ends else len(text)


def _indent_of_fields(text: str, decl: ast.Decl) -> str:
    for fld in decl.fields:
        begin, _ = line_bounds(text, fld.name_span.start)
        before = text[begin:fld.name_span.start]
        if not before.strip():
            return before
    return "  "


def add_field(text: str, decl: ast.Decl, statement: str) -> Edit | None:
    """An edit that adds a statement as the declaration's last field; None when the block is not
    closed (S004), where there is no sure place for it."""
    file = decl.span.file
    close = decl.span.end - 1
    if close < 0 or close >= len(text) or text[close] != "}":
        return None
    begin, _ = line_bounds(text, close)
    if not text[begin:close].strip() and begin > decl.span.start:
        return Edit(file, begin, begin, f"{_indent_of_fields(text, decl)}{statement}\n")
    opening = text.rfind("{", decl.span.start, close)
    if opening == -1:
        return None
    if not text[opening + 1:close].strip():
        return Edit(file, opening + 1, close, f" {statement} ")
    last = len(text[:close].rstrip())
    return Edit(file, last, last, f"; {statement}")


def add_after_field(text: str, fld: ast.Field, statement: str) -> Edit:
    """An edit that adds a statement after a field: on the next line when the field ends its line (a
    trailing comment stays where it is), else after a `;`."""
    file = fld.span.file
    _, end = line_bounds(text, fld.span.end)
    rest = text[fld.span.end:end].strip()
    if not rest or rest.startswith("#"):
        line_begin, _ = line_bounds(text, fld.span.start)
        line = text[line_begin:end]
        indent = line[: len(line) - len(line.lstrip())]
        newline = "\r\n" if text[end:end + 2] == "\r\n" else "\n"
        return Edit(file, end, end, f"{newline}{indent}{statement}")
    return Edit(file, fld.span.end, fld.span.end, f"; {statement}")


def add_use(text: str, file: str, uses: Sequence[ast.Use], name: str) -> Edit:
    """An edit that adds `use NAME` after the file's last `use`, else at its top (not between a
    declaration and its doc comment)."""
    if uses:
        _, end = line_bounds(text, uses[-1].span.end)
        return Edit(file, end, end, f"\nuse {name}")
    return Edit(file, 0, 0, f"use {name}\n\n")


def add_use_fix(text: str, file: str, uses: Sequence[ast.Use], name: str) -> Fix:
    return Fix(f"Add `use {name}`", (add_use(text, file, uses, name),), safe=True)


# --- applying ---------------------------------------------------------------------------------


def chosen_fixes(diagnostics: Iterable[Diagnostic], file: str, *, unsafe: bool = False) -> list[Fix]:
    """The fixes `policyc check --fix` applies to `file`, in the diagnostics' order: each diagnostic's
    first safe fix whose edits are all in the file; with `unsafe`, else its first fix of any kind."""
    chosen: list[Fix] = []
    for diagnostic in diagnostics:
        usable = [fix for fix in diagnostic.fixes if fix.edits and all(e.file == file for e in fix.edits)]
        fix = next((f for f in usable if f.safe), usable[0] if unsafe and usable else None)
        if fix is not None:
            chosen.append(fix)
    return chosen


def apply_fixes(text: str, fixes: Sequence[Fix]) -> tuple[str, int]:
    """Apply fixes to a file's text, in order; a fix whose edits overlap those of a fix already taken
    is left for the next run, and one that repeats an edit already made counts as done. Returns the
    new text and how many fixes it applied."""
    taken: list[Edit] = []
    applied = 0
    for fix in fixes:
        edits = list(fix.edits)
        if all(edit in taken for edit in edits):
            applied += 1  # the same edit, attached to several diagnostics: made once, fixes both
            continue
        if any(edit.end > len(text) or edit.start > edit.end for edit in edits):
            continue
        if any(_overlap(edit, other) for edit in edits for other in taken):
            continue
        taken.extend(edits)
        applied += 1
    for edit in sorted(taken, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.new_text + text[edit.end:]
    return text, applied


def _overlap(a: Edit, b: Edit) -> bool:
    """Two edits touch the same text, or insert at the same place (their order would be a guess)."""
    if a.start == a.end or b.start == b.end:
        return a.start == b.start or (b.start < a.start < b.end) or (a.start < b.start < a.end)
    return a.start < b.end and b.start < a.end
