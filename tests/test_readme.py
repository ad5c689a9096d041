"""The README's five-minute tour is a real policy: it checks clean, and its error example is what policyc prints."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def tour() -> str:
    """The README's `policy` blocks, in order, as one file."""
    blocks = re.findall(r"```policy\n(.*?)```", README, re.S)
    assert len(blocks) >= 2
    return "\n".join(blocks)


def test_the_tour_checks_clean(tmp_path: Path) -> None:
    (tmp_path / "notice.policy").write_text(tour(), encoding="utf-8")
    run = run_cli("check", "notice.policy", "--color", "never", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no errors or warnings in 1 file" in run.stdout + run.stderr


def test_the_error_example_is_what_policyc_prints(tmp_path: Path) -> None:
    shown = re.search(r"```text\n(error\[T004\].*?)```", README, re.S)
    assert shown is not None
    mistake = re.search(r"^\d+ \|\s+(shares_with \w+)$", shown.group(1), re.M)
    assert mistake is not None
    text = re.sub(r"shares_with \w+", mistake.group(1), tour(), count=1)
    (tmp_path / "notice.policy").write_text(text, encoding="utf-8")
    run = run_cli("check", "notice.policy", "--color", "never", cwd=tmp_path)
    assert run.returncode == 1
    printed = run.stdout[run.stdout.index("error[T004]"):]
    for line in shown.group(1).strip("\n").splitlines():
        assert line.rstrip() in printed, line
