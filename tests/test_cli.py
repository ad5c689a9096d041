"""`policyc check` as a user runs it: formats, exit codes, folders, colour."""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policyc.cli import _COMMANDS, _arguments, main
from tests.conftest import run_cli

GOOD = '''policy "Notice" {
  controller acme
  jurisdictions uk_gdpr
  shares_with none
}

controller acme "Acme Ltd" {
  email "privacy@acme.example"
  authority ico
}

data contact "Contact details" {
  includes "name", "email address"
  category contact
  source subject
  required_for contract
  if_not_provided "We cannot deliver your order."
}

purpose orders "Delivering orders" {
  uses contact
  basis contract
  retain 6 years after contract_end
}

rights {
  contact "privacy@acme.example"
}
'''

BAD = GOOD.replace("  basis contract\n", "  basis contrakt\n").replace("uses contact\n", "uses contact\n  colour red\n")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def language_codes(stdout: str) -> list[str]:
    return [d["code"] for d in json.loads(stdout)["diagnostics"] if d["code"][0] in "SNT"]


def test_clean_policy_exits_zero(tmp_path: Path) -> None:
    result = run_cli("check", "--format", "json", str(write(tmp_path, "good.policy", GOOD)))
    assert json.loads(result.stdout)["diagnostics"] == []
    assert result.returncode == 0


def test_errors_exit_one_with_json_shape(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.policy", BAD)
    result = run_cli("check", "--format", "json", str(path))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["version"] == 1
    first = report["diagnostics"][0]
    assert set(first) >= {"code", "name", "severity", "message", "file", "line", "column", "end_line",
                          "end_column", "help"}
    by_code = {d["code"]: d for d in report["diagnostics"]}
    assert by_code["T001"]["line"] == 22 and by_code["T001"]["name"] == "unknown-field"
    assert by_code["N001"]["help"] == "did you mean `contract`?"
    assert report["summary"] == {"errors": 2, "warnings": 0, "files": 1}


def test_text_output_shows_snippet_and_caret(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.policy", BAD)
    result = run_cli("check", str(path), env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1
    assert "error[N001]: unknown basis `contrakt`" in result.stdout
    assert "  basis contrakt" in result.stdout
    assert "        ^^^^^^^^" in result.stdout
    assert "\x1b[" not in result.stdout
    assert "2 errors" in result.stderr


def test_color_always_uses_ansi(tmp_path: Path) -> None:
    result = run_cli("check", "--color", "always", str(write(tmp_path, "bad.policy", BAD)))
    assert "\x1b[" in result.stdout


def test_folder_argument_checks_every_policy_under_it(tmp_path: Path) -> None:
    write(tmp_path, "a/one.policy", GOOD)
    write(tmp_path, "a/b/two.policy", BAD)
    write(tmp_path, "a/notes.txt", "not a policy {")
    result = run_cli("check", "--format", "json", str(tmp_path / "a"))
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 2
    assert {Path(d["file"]).name for d in report["diagnostics"] if d["code"][0] in "SNT"} == {"two.policy"}


def test_sarif_and_github_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.policy", BAD)
    sarif = json.loads(run_cli("check", "--format", "sarif", str(path), cwd=tmp_path).stdout)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"N001", "T001"}
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "bad.policy"
    github = run_cli("check", "--format", "github", str(path), cwd=tmp_path).stdout.splitlines()
    assert any(line.startswith("::error file=bad.policy,line=22,") for line in github)


def test_usage_errors_exit_two() -> None:
    assert run_cli().returncode == 2
    assert run_cli("check").returncode == 2
    assert run_cli("check", "--format", "xml", "x.policy").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_each_command_parses_the_same_with_only_its_own_options(capsys: pytest.CaptureFixture[str]) -> None:
    # `main` builds only the options of the command named first; each command's parser, usage and help
    # must be those of the full command line.
    full = _arguments()
    commands = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    assert tuple(commands.choices) == _COMMANDS
    for name in _COMMANDS:
        alone = _arguments(name)
        (only,) = (a for a in alone._actions if isinstance(a, argparse._SubParsersAction))
        assert list(only.choices) == [name]
        assert only.choices[name].format_help() == commands.choices[name].format_help()
    assert vars(_arguments("check").parse_args(["check", "--strict", "a.policy"])) == vars(
        full.parse_args(["check", "--strict", "a.policy"]))
    with pytest.raises(SystemExit):
        _arguments("check").parse_args(["check", "--format", "xml", "a.policy"])
    assert "usage: policyc check [-h]" in capsys.readouterr().err


def test_help_reads_the_width_from_columns_without_importing_shutil(monkeypatch: pytest.MonkeyPatch) -> None:
    def widest_line() -> int:
        parser = _arguments("check")
        (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return max(len(line) for line in commands.choices["check"].format_help().splitlines())

    monkeypatch.setenv("COLUMNS", "60")
    assert widest_line() <= 58
    monkeypatch.setenv("COLUMNS", "200")
    assert widest_line() > 100
    probe = "import sys\nfrom policyc.cli import _arguments\n_arguments('check')\nprint('shutil' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("policyc ")


def test_github_and_sarif_paths_count_from_github_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """In GitHub Actions, annotations name files from the repository root even when run from a subfolder."""
    sub = tmp_path / "policies"
    sub.mkdir()
    (sub / "bad.policy").write_text('purpose p "P" {\n  basis nonsense\n}\n', encoding="utf-8")
    monkeypatch.chdir(sub)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    assert main(["check", "--format", "github", "bad.policy"]) == 1
    assert "file=policies/bad.policy," in capsys.readouterr().out
    assert main(["check", "--format", "sarif", "bad.policy"]) == 1
    assert '"uri": "policies/bad.policy"' in capsys.readouterr().out
    monkeypatch.delenv("GITHUB_WORKSPACE")
    assert main(["check", "--format", "github", "bad.policy"]) == 1
    assert "file=bad.policy," in capsys.readouterr().out


def test_the_program_runs_exit_handlers_and_flushes_before_its_prompt_exit(tmp_path: Path) -> None:
    # `run` leaves with os._exit (no interpreter teardown): handlers registered with atexit still run,
    # buffered output still arrives, and the exit code is main's.
    policy = tmp_path / "p.policy"
    policy.write_text('data d "D" { includes "a"\n', encoding="utf-8")
    probe = ("import atexit, sys\natexit.register(lambda: print('handler ran', file=sys.stderr))\n"
             "sys.argv = ['policyc', 'check', '--format', 'json', sys.argv[1]]\n"
             "from policyc.cli import run\nrun()\n")
    done = subprocess.run([sys.executable, "-c", probe, str(policy)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert json.loads(done.stdout)["diagnostics"]
    assert "handler ran" in done.stderr



def test_the_program_runs_without_the_cyclic_collector(tmp_path: Path) -> None:
    # A command that ends keeps what it makes until its end: `run` turns the collector off.
    policy = tmp_path / "p.policy"
    policy.write_text(GOOD, encoding="utf-8")
    probe = ("import atexit, gc, sys\natexit.register(lambda: print('collector', gc.isenabled(), file=sys.stderr))\n"
             "sys.argv = ['policyc', 'check', sys.argv[1]]\nfrom policyc.cli import run\nrun()\n")
    done = subprocess.run([sys.executable, "-c", probe, str(policy)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "collector False" in done.stderr


@pytest.mark.parametrize("command", [["lsp"], ["check", "--watch"]])
def test_commands_that_keep_running_turn_the_collector_back_on(command: list[str], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import policyc.lsp
    import policyc.watch

    seen: list[bool] = []

    def runs_until_stopped(*_args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(policyc.lsp, "main", runs_until_stopped)
    monkeypatch.setattr(policyc.watch, "watch", runs_until_stopped)
    policy = tmp_path / "p.policy"
    policy.write_text(GOOD, encoding="utf-8")
    gc.disable()  # as `run` leaves it
    try:
        assert main([*command, str(policy)] if command[0] == "check" else command) == 0
    finally:
        gc.enable()
    assert seen == [True]
