"""The TextMate grammar: scope assertions with vscode-tmgrammar-test over a file covering every token kind,
and the VS Code extension ships the same grammar."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_tool as require

REPO = Path(__file__).resolve().parent.parent
GRAMMAR = REPO / "grammar" / "policy.tmLanguage.json"
TOOL = REPO / "node_modules" / ".bin" / "vscode-tmgrammar-test"




def test_scope_assertions_pass() -> None:
    require(shutil.which("node") is not None, "Node.js (`node`)")
    require(TOOL.is_file(), "node_modules/.bin/vscode-tmgrammar-test (`npm ci`)")
    run = subprocess.run([str(TOOL), "-g", str(GRAMMAR), str(REPO / "tests" / "grammar" / "syntax.test.policy")],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "successfuly" in run.stdout or "successfully" in run.stdout


def test_vscode_extension_ships_the_same_grammar() -> None:
    copy = REPO / "editors" / "vscode" / "syntaxes" / "policy.tmLanguage.json"
    assert copy.read_bytes() == GRAMMAR.read_bytes()
    manifest = json.loads((REPO / "editors" / "vscode" / "package.json").read_text())
    (language,) = manifest["contributes"]["languages"]
    assert language["extensions"] == [".policy"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar["scopeName"] == json.loads(GRAMMAR.read_text())["scopeName"] == "source.policy"


def test_grammar_names_every_kind() -> None:
    from policyc.schema import KINDS

    text = GRAMMAR.read_text()
    assert all(kind in text for kind in KINDS)
