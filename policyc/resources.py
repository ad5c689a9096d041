"""Where the grammar and the standard library live: package data when installed, else the repo."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`grammar` or `stdlib`: shipped inside the wheel under `policyc/_data/`, else at the repo top."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"policyc installation is missing its {name}/ folder")


def grammar_path() -> Path:
    return data_dir("grammar") / "policy.lark"


def stdlib_dir() -> Path:
    return data_dir("stdlib")
