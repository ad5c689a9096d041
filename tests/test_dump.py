"""`policyc dump --stage ...`: each stage's output as JSON, and the stage table it comes from."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policyc.driver import STAGE_NAMES, STAGES, Entries, Workspace, check_files, run_stages
from policyc.dump import DUMPS, DumpRefused, dump, render
from tests.conftest import run_cli

POLICY = Path(__file__).parent / "policies" / "uk_gdpr_complete.policy"
SPAN = r"^.+:\d+:\d+-\d+:\d+$"


def test_the_stages_are_one_table_in_order() -> None:
    assert STAGE_NAMES == ("load", "resolve", "typecheck", "model", "rules", "config")
    assert [s.name for s in STAGES] == list(STAGE_NAMES)
    assert {stage for stage, _ in DUMPS.values()} <= set(STAGE_NAMES)


def test_the_architecture_page_draws_every_stage() -> None:
    page = (Path(__file__).parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.findall(r"^ ([a-z]+) +\S", page.split("```text", 1)[1].split("```", 1)[0], re.M)
    assert [name for name in drawn if name != "stage"] == list(STAGE_NAMES)


def test_running_the_stages_gives_the_checks_result() -> None:
    workspace = Workspace()
    run = run_stages(Entries(workspace.reader(None), workspace.parse, files=[POLICY]))
    assert list(run.outputs) == list(STAGE_NAMES)
    assert [(d.code, d.span) for d in run.result.diagnostics] == \
        [(d.code, d.span) for d in check_files([POLICY]).diagnostics]
    early = run_stages(Entries(workspace.reader(None), workspace.parse, files=[POLICY]), until="resolve")
    assert list(early.outputs) == ["load", "resolve"]


@pytest.mark.parametrize(("stage", "keys"), [
    ("ast", {"stage", "file", "module"}),
    ("resolved", {"stage", "file", "prelude", "modules", "bindings"}),
    ("model", {"stage", "file", "model"}),
    ("notice", {"stage", "file", "title", "sections"}),
])
def test_each_stage_dumps_json_of_its_shape(stage: str, keys: set[str]) -> None:
    run = run_cli("dump", "--stage", stage, str(POLICY))
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == keys
    assert data["stage"] == stage
    assert data["file"] == str(POLICY)
    assert run.stdout == render(data)  # keys sorted, the same text every time


def test_the_dumps_hold_what_each_stage_made() -> None:
    tree = dump(POLICY, "ast")["module"]
    assert tree["type"] == "Module"
    assert {item["type"] for item in tree["items"]} >= {"Decl"}
    assert tree["items"][0]["span"].startswith(f"{POLICY}:")

    resolved = dump(POLICY, "resolved")
    assert "core" in resolved["prelude"]
    mine = [m for m in resolved["modules"] if not m["stdlib"]]
    assert len(mine) == 1 and {"name", "imports", "declarations"} <= set(mine[0])
    assert resolved["bindings"] and all(b["target"] is not None for b in resolved["bindings"])
    assert {"controller", "data", "purpose"} <= {b["target"]["kind"] for b in resolved["bindings"]}

    model = dump(POLICY, "model")["model"]
    assert model["type"] == "Model"
    assert model["purposes"] and model["purposes"][0]["type"] == "Purpose"
    uses = model["purposes"][0]["uses"]
    assert uses and all(set(u) == {"entity", "key"} for u in uses)  # named, not repeated

    notice = dump(POLICY, "notice")
    statements = [s for section in notice["sections"] for s in section["statements"]]
    assert statements
    assert {s["kind"] for s in statements} <= {"fact", "derived", "law", "guide"}
    assert all(s["backing"] for s in statements)
    assert all(b["span"].count(":") >= 3 for s in statements for b in s["backing"])


def test_a_dump_is_refused_with_the_errors_before_its_stage(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text('data d "D" {\n  category contactt\n}\n', encoding="utf-8")
    assert dump(policy, "ast")["module"]["items"]  # the name error comes after the syntax tree
    with pytest.raises(DumpRefused) as refused:
        dump(policy, "resolved")
    assert [d.code for d in refused.value.diagnostics] == ["N001"]
    run = run_cli("dump", "--stage", "model", "--color", "never", str(policy))
    assert run.returncode == 2
    assert run.stdout == ""
    assert "error[N001]" in run.stderr and "no `model` dump" in run.stderr


def test_a_syntax_error_refuses_every_dump(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text('data d "D" {\n  category contact contact,\n', encoding="utf-8")
    for stage in DUMPS:
        with pytest.raises(DumpRefused):
            dump(policy, stage)


def test_a_notice_needs_a_policy(tmp_path: Path) -> None:
    policy = tmp_path / "shared.policy"
    policy.write_text('data d "D" {\n  category contact\n}\n', encoding="utf-8")
    assert dump(policy, "model")["model"]["policy"] is None
    run = run_cli("dump", "--stage", "notice", str(policy))
    assert run.returncode == 2
    assert "declares no policy" in run.stderr


def test_dump_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("dump", "--stage", "ast", str(tmp_path / "nope.policy"))
    assert run.returncode == 2
    assert "no such file" in run.stderr
