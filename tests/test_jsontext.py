"""`policyc.jsontext.dumps` writes what `json.dumps(value, indent=2, ensure_ascii=False)` writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyc.jsontext import dumps

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
_KEYS = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=30)


@settings(max_examples=500)
@given(_VALUES, st.booleans())
def test_the_text_is_json_dumps_text(value: Any, sort_keys: bool) -> None:
    assert dumps(value, sort_keys=sort_keys) == json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys)


@given(st.dictionaries(_KEYS, _SCALARS, max_size=5))
def test_keys_that_are_not_strings(value: dict[Any, Any]) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_what_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        dumps({"when": object()})
    with pytest.raises(TypeError):
        dumps({(1, 2): "a tuple key"})
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular"):
        dumps(looped)
    shared = ["twice"]
    assert dumps([shared, shared]) == json.dumps([shared, shared], indent=2)  # shared is not circular
