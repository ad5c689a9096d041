"""docs/ci.md stays copy-pasteable: its YAML parses, its pipelines have the jobs the page describes,
and every `policyc` command in its YAML and shell blocks is one the command line accepts."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from policyc.cli import _arguments
from tests.conftest import REPO
from tests.test_precommit import BAD

CI_PAGE = REPO / "docs" / "ci.md"
_FENCE = re.compile(r"^( *)```(\w+)\n(.*?)^\1```$", re.DOTALL | re.MULTILINE)
# Shell words after which a new command starts.
_COMMAND_START = {"&&", "||", ";", "|", "(", "then", "else", "do", "!"}
# Words that end a command's arguments: control operators and redirections.
_ARGUMENTS_END = {"&&", "||", ";", "|", ")", ">", ">>", "<", "&", "2>", "2>&1"}
_SCRIPT_KEYS = {"run", "script", "before_script", "after_script"}


def _blocks(language: str) -> list[str]:
    fences = _FENCE.findall(CI_PAGE.read_text(encoding="utf-8"))
    return [textwrap.dedent(body) for _, lang, body in fences if lang == language]


def _documents() -> list[Any]:
    return [yaml.safe_load(block) for block in _blocks("yaml")]


def _scripts(node: object, key: str = "") -> Iterator[str]:
    """The shell scripts in a pipeline: GitHub's `run` steps, GitLab's `script` and `before_script`."""
    if isinstance(node, str) and key in _SCRIPT_KEYS:
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _scripts(item, key)
    elif isinstance(node, dict):
        for name, value in node.items():
            yield from _scripts(value, str(name))


def _policyc_commands(script: str) -> Iterator[list[str]]:
    """The arguments of every `policyc` command in a shell script (a GitHub `${{ ... }}` expression
    stands for one word)."""
    script = re.sub(r"\$\{\{.*?\}\}", "EXPR", script)
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = list(lexer)
        for position, word in enumerate(words):
            if word == "policyc" and (position == 0 or words[position - 1] in _COMMAND_START):
                arguments: list[str] = []
                for argument in words[position + 1:]:
                    if argument in _ARGUMENTS_END:
                        break
                    arguments.append(argument)
                yield arguments


def _all_commands() -> list[list[str]]:
    commands = [c for doc in _documents() for text in _scripts(doc) for c in _policyc_commands(text)]
    commands += [c for block in _blocks("sh") for c in _policyc_commands(block)]
    # pre-commit runs a hook's entry, then its args, then (unless told not to) the staged files.
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entries = {hook["id"]: shlex.split(hook["entry"]) for hook in manifest}
    for config in (doc for doc in _documents() if "repos" in doc):
        for hook in (hook for repo in config["repos"] for hook in repo["hooks"]):
            files = ["privacy/privacy.policy"] if hook.get("pass_filenames", True) else []
            commands.append([*entries[hook["id"]][1:], *hook.get("args", []), *files])
    return commands


def test_yaml_snippets_parse() -> None:
    documents = _documents()
    assert len(documents) >= 4
    assert all(isinstance(doc, dict) for doc in documents)


def test_github_workflow_has_every_job() -> None:
    workflow = next(doc for doc in _documents() if "jobs" in doc and "runs-on" in str(doc))
    jobs = workflow["jobs"]
    assert set(jobs) == {"check", "build", "deploy", "changes"}
    uses = {step.get("uses", "").split("@")[0]: job for job, spec in jobs.items() for step in spec.get("steps", [])}
    assert uses["github/codeql-action/upload-sarif"] == "check"
    assert jobs["check"]["permissions"]["security-events"] == "write"
    assert uses["actions/upload-pages-artifact"] == "build"
    assert uses["actions/deploy-pages"] == "deploy"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["changes"]["permissions"]["pull-requests"] == "write"
    assert jobs["changes"]["if"] == "github.event_name == 'pull_request'"
    scripts = {job: "\n".join(step.get("run", "") for step in spec.get("steps", [])) for job, spec in jobs.items()}
    assert "policyc check --format github" in scripts["check"]
    assert "policyc check --format sarif" in scripts["check"]
    assert "policyc build" in scripts["build"]
    assert "policyc diff --format md --fail-on-material git:${{ github.event.pull_request.base.sha }}:" in (
        scripts["changes"])
    assert "gh pr comment" in scripts["changes"]


def test_gitlab_pipeline_has_every_job() -> None:
    pipeline = next(doc for doc in _documents() if "stages" in doc)
    assert {"policy:check", "policy:build", "pages", "policy:changes"} <= set(pipeline)
    assert pipeline["pages"]["artifacts"]["paths"] == ["public"]
    changes = "\n".join(pipeline["policy:changes"]["script"])
    assert "policyc diff" in changes and "$CI_MERGE_REQUEST_DIFF_BASE_SHA" in changes


def test_pre_commit_configs_name_the_shipped_hooks() -> None:
    shipped = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    configs = [doc for doc in _documents() if "repos" in doc]
    assert configs
    for config in configs:
        ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
        assert ids == shipped


def test_commands_are_found() -> None:
    commands = _all_commands()
    assert len(commands) >= 10
    assert {c[0] for c in commands} >= {"check", "build", "diff", "fmt"}


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(c, id=" ".join(c))
        for c in _all_commands()
    ],
)
def test_command_is_accepted(arguments: list[str]) -> None:
    try:
        namespace = _arguments().parse_args(arguments)
    except SystemExit as exit:
        pytest.fail(f"policyc rejects `policyc {' '.join(arguments)}` (exit {exit.code})")
    assert namespace.command == arguments[0]


def test_annotation_example_is_what_policyc_prints(tmp_path: Path) -> None:
    """The `::error` line on the page is the real output for a purpose without a basis."""
    example = next(line for block in _blocks("text") for line in block.splitlines() if line.startswith("::error"))
    (tmp_path / "privacy").mkdir()
    (tmp_path / "privacy" / "privacy.policy").write_text(BAD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "policyc", "check", "--format", "github", "privacy/"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout == example + "\n"
