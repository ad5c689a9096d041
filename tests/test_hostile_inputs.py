"""Inputs made to exhaust the checker: 8 MiB files (the largest read) of the shapes that cost the most.
Each command runs in a subprocess that reports its own peak memory; all must stay under 256 MiB and
finish in seconds, with diagnostics, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.memory import HOSTILE, measured_run

PEAK_MIB = 256
SECONDS = 20  # each takes one or two; the bound is for a loaded CI machine


def run(*args: str) -> tuple[int, float, str]:
    code, peak, _, err = measured_run(list(args), timeout=SECONDS)
    return code, peak, err


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_is_bounded(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name.replace(' ', '_').replace(',', '')}.policy"
    path.write_text(HOSTILE[name], encoding="utf-8")
    code, peak, err = run("check", "--statistics", str(path))
    assert code in (0, 1) and "internal error" not in err, err[-2000:]
    assert peak < PEAK_MIB, f"{name}: {peak} MiB"


@pytest.mark.parametrize("command", [("fmt", "--check"), ("diff",)])
def test_fmt_and_diff_are_bounded(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "tokens.policy"
    path.write_text(HOSTILE["one declaration of small tokens"], encoding="utf-8")
    paths = [str(path), str(path)] if command == ("diff",) else [str(path)]
    code, peak, err = run(*command, *paths)
    assert code in (0, 1, 2) and "internal error" not in err, err[-2000:]
    assert peak < PEAK_MIB, f"{command}: {peak} MiB"
