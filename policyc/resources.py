"""Where the grammar and the standard library live: package data when installed, else the repo."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


# Where each folder of package data lives in the repository.
_IN_REPO = {"grammar": "grammar", "stdlib": "stdlib", "rules": "docs/rules"}


@cache
def data_dir(name: str) -> Path:
    """`grammar`, `stdlib` or `rules`: inside the wheel under `policyc/_data/`, else in the repository."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / _IN_REPO[name]):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"policyc installation is missing its {name}/ folder")


def grammar_path() -> Path:
    return data_dir("grammar") / "policy.lark"


def stdlib_dir() -> Path:
    return data_dir("stdlib")


def rule_doc(code: str) -> Path:
    return data_dir("rules") / f"{code}.md"
