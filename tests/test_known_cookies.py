"""A known cookie's patterns are shell-style, as `fnmatch.fnmatchcase` reads them: the compiled form a
check uses must match exactly the same names."""

from __future__ import annotations

import fnmatch

from hypothesis import given, settings
from hypothesis import strategies as st

from policyc.model import KnownCookie

_PATTERN = st.one_of(
    st.text(alphabet="_ab*?[]!-.", max_size=8),
    st.text(alphabet="_abAB.-", max_size=6),  # an exact name
    st.text(alphabet="_abAB.-", max_size=6).map(lambda prefix: prefix + "*"),  # a prefix
)
_NAME = st.text(alphabet="_abAB.-[]", max_size=8)


def _known(*patterns: str) -> KnownCookie:
    """A known cookie with only its patterns set (the method reads nothing else)."""
    known = KnownCookie.__new__(KnownCookie)
    known.patterns = patterns
    return known


@settings(max_examples=500, deadline=None)
@given(st.lists(_PATTERN, max_size=4), _NAME)
def test_matches_as_fnmatchcase_does(patterns: list[str], name: str) -> None:
    assert _known(*patterns).matches(name) == any(fnmatch.fnmatchcase(name, p) for p in patterns)


def test_no_pattern_matches_nothing() -> None:
    assert not _known().matches("")
    assert _known("_ga_*").matches("_ga_ABC123")
    assert not _known("_ga_*").matches("_GA_ABC123")
    assert _known("_ga").matches("_ga") and not _known("_ga").matches("_ga_1")
    assert _known("mp_*_mixpanel").matches("mp_abc_mixpanel") and not _known("mp_*_mixpanel").matches("mp_abc")
    assert _known("*").matches("") and _known("").matches("") and not _known("").matches("a")
