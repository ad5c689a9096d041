"""Performance machinery: the one-pass lexer gives Lark's tokens, an incremental check gives a full
check's result, the work grows linearly with the policy, and `--profile` / `--watch` work from the
command line. No test here times anything: budgets are measured by `python -m benchmarks`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import fides_manifest, policy_text
from policyc.backends import BACKENDS, BuildContext
from policyc.driver import CheckResult, Workspace, check_text
from policyc.parser import _lark, lex
from policyc.profile import Profile, profiling, stage
from tests.conftest import REPO, run_cli

EXAMPLES = sorted((REPO / "examples").glob("*/privacy.policy"))
TEXTS = [p.read_text(encoding="utf-8") for p in [*EXAMPLES, *sorted((REPO / "stdlib").glob("*.policy"))]]


def _fields(tokens: Any) -> list[tuple[object, ...]]:
    return [(t.type, str(t), t.start_pos, t.line, t.column, t.end_line, t.end_column, t.end_pos) for t in tokens]


def _lark_tokens(text: str) -> list[tuple[object, ...]]:
    return _fields(_lark().lex(text, dont_ignore=True))


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_lexer_gives_larks_tokens(index: int) -> None:
    assert _fields(lex(TEXTS[index])) == _lark_tokens(TEXTS[index])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab_1 2-\n\t"\\\'#{}().,;=<>*+[]“é\r\f')) | st.characters(),
               max_size=80))
def test_lexer_gives_larks_tokens_on_any_text(text: str) -> None:
    assert _fields(lex(text)) == _lark_tokens(text)


# -- incremental checking ------------------------------------------------------------------------------


def _observable(result: CheckResult, name: str) -> tuple[object, ...]:
    """What a check shows: diagnostics (code, span, message, help) and the model as JSON."""
    diagnostics = [(d.code, d.span, d.message, d.help, d.labels) for d in result.diagnostics]
    model = result.models.get(name)
    rendered = BACKENDS["json"].render(model, BuildContext(stem="p", source=name)) if model else None
    return diagnostics, rendered, result.program.modules[name].tree


BASES = [TEXTS[0], policy_text(120)]


@st.composite
def edits(draw: Callable[..., Any]) -> tuple[str, str]:
    """A policy and the same policy after a few random edits: characters or lines inserted or deleted."""
    text: str = draw(st.sampled_from(BASES))
    original = text
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "line", "drop-line"]))
        if kind == "insert":
            text = text[:at] + draw(st.text(alphabet='a_1 "{}\n#,.;', min_size=1, max_size=3)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 3)):]
        elif kind == "line":
            lines = text.split("\n")
            row = draw(st.integers(0, len(lines)))
            lines.insert(row, draw(st.sampled_from(["", "}", "  retain 2 years", "data x {", "# note", '  title "t'])))
            text = "\n".join(lines)
        else:
            lines = text.split("\n")
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
    return original, text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(edits())
def test_incremental_check_equals_a_full_check(pair: tuple[str, str]) -> None:
    original, edited = pair
    workspace = Workspace()
    workspace.check_text(original, "p.policy")
    incremental = workspace.check_text(edited, "p.policy")
    assert _observable(incremental, "p.policy") == _observable(check_text(edited, "p.policy"), "p.policy")
    # and back again, from a cache filled by the edited text
    assert _observable(workspace.check_text(original, "p.policy"), "p.policy") == \
        _observable(check_text(original, "p.policy"), "p.policy")


def test_an_edit_parses_only_the_declaration_it_touches() -> None:
    text = policy_text(300)
    workspace = Workspace()
    workspace.check_text(text, "p.policy")
    reused, parsed = workspace.chunk_stats
    assert reused == 0 and parsed > 40
    edited = text.replace('"Purpose number 3"', '"Purpose number 33"', 1)
    workspace.check_text(edited, "p.policy")
    assert workspace.chunk_stats == (parsed - 1, parsed + 1)


def test_workspace_reads_unsaved_text_of_imported_files(tmp_path: Path) -> None:
    (tmp_path / "shared.policy").write_text('data contact "Contact" {\n  category contact\n}\n', encoding="utf-8")
    main = tmp_path / "main.policy"
    main.write_text('use "./shared.policy"\n', encoding="utf-8")
    workspace = Workspace()
    assert workspace.check_files([main]).errors == 0
    unsaved = {(tmp_path / "shared.policy").resolve(): 'data contact "Contact" {\n  category nope\n}\n'}
    assert [d.code for d in workspace.check_files([main], unsaved).diagnostics] == ["N001"]
    assert workspace.check_files([main]).errors == 0  # the overlays were the one check's, not kept


# -- linear growth -------------------------------------------------------------------------------------


def _calls(text: str) -> int:
    """Python and built-in function calls made by a whole check of `text` (a count, not a time)."""
    check_text(text, "p.policy")  # the standard library is parsed and checked once per process
    counts: Counter[str] = Counter()

    def count(_frame: object, event: str, _arg: object) -> None:
        if event in ("call", "c_call"):
            counts["calls"] += 1

    sys.setprofile(count)
    try:
        check_text(text, "p.policy")
    finally:
        sys.setprofile(None)
    return counts["calls"]


def test_work_grows_linearly_with_the_policy() -> None:
    # The work each further declaration adds must not grow with the policy. Comparing marginal costs
    # (the fixed cost of a check cancels out) catches a quadratic term of small constant: comparing each
    # purpose with every other one while deriving the rights added 7% to the marginal cost between these
    # sizes, and made the model of a 100,000-line policy take four seconds.
    sizes = (500, 2000, 8000)
    work = [_calls(policy_text(size)) for size in sizes]
    blocks = [policy_text(size).count("\npurpose ") for size in sizes]
    before = (work[1] - work[0]) / (blocks[1] - blocks[0])
    after = (work[2] - work[1]) / (blocks[2] - blocks[1])
    assert after <= before * 1.03, (work, blocks)


def test_generator_writes_the_same_facts_for_fides() -> None:
    from fideslang.models import Taxonomy

    text = policy_text(400)
    manifest = Taxonomy.model_validate(fides_manifest(400))
    purposes = text.count("\npurpose ")
    assert len(manifest.system[0].privacy_declarations) == purposes
    assert len(manifest.system) - 1 == text.count("\nrecipient ")
    assert len(manifest.dataset) - 1 == text.count("\ndata ")
    assert check_text(text, "g.policy").errors == 0


# -- --profile and --watch -----------------------------------------------------------------------------


@pytest.mark.parametrize(("ratio", "limit", "digits", "text"), [
    (1.72, 1.7, 2, "1.72x"),  # two decimals tell it from the limit
    (1.697, 1.7, 2, "1.697x"),  # a miss that two decimals would show as the limit
    (1.7031, 1.7, 2, "1.703x"),  # a pass that two decimals would show as the limit
    (1.70004, 1.7, 2, "1.7000x"),  # no more than four decimals
    (1.7, 1.7, 2, "1.70x"),  # the limit itself
    (10.96, 11, 1, "10.96x"),
    (10.4, 11, 1, "10.4x"),
])
def test_a_budgets_ratio_is_never_shown_as_its_limit_when_it_differs(ratio: float, limit: float, digits: int,
                                                                     text: str) -> None:
    from benchmarks.__main__ import shown

    assert shown(ratio, limit, digits) == text


def test_profile_stages_nest_without_counting_twice() -> None:
    profile = Profile()
    with profiling(profile), stage("outer"):
        with stage("inner"):
            pass
    assert list(profile.seconds) == ["outer", "inner"]
    assert profile.total == pytest.approx(sum(profile.seconds.values()))
    assert profile.render().splitlines()[-1].strip().startswith("total")


def test_check_profile_prints_each_stage() -> None:
    run = run_cli("check", "--profile", str(EXAMPLES[0]))
    assert run.returncode in (0, 1)
    lines = run.stderr[run.stderr.index("policyc: profile"):].splitlines()
    stages = {line.split()[0] for line in lines[1:]}
    assert {"read", "parse", "resolve", "typecheck", "model", "rules", "report", "total"} <= stages
    for line in lines[1:-1]:
        assert line.rstrip().endswith("%") and " ms " in line


def test_build_profile_times_each_backend_and_the_write(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(policy_text(60), encoding="utf-8")
    run = run_cli("build", "--profile", "-o", str(tmp_path / "out"), "--format", "md,json,fides", str(policy))
    assert run.returncode == 0, run.stderr
    stages = {line.split()[0] for line in run.stderr[run.stderr.index("policyc: profile"):].splitlines()[1:]}
    assert {"parse", "md", "json", "fides", "write", "total"} <= stages


def _read_until(process: subprocess.Popen[str], needle: str, seen: list[str], limit: float = 60) -> None:
    """Read the watcher's stderr lines into `seen` until one holds `needle` (or fail after `limit` s)."""
    deadline = time.monotonic() + limit
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return
    pytest.fail(f"no {needle!r} in: {''.join(seen)}")


def test_watch_checks_again_after_a_change_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    good = policy_text(60)
    policy.write_text(good, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "policyc", "check", "--watch", "--color", "never", str(policy)],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    seen: list[str] = []
    try:
        _read_until(process, "watching", seen)
        assert not any("error" in line for line in seen)  # a clean policy: its summary is on stdout
        time.sleep(0.05)  # a new modification time on coarse clocks
        policy.write_text(good.replace("basis contract", "basis contrakt", 1), encoding="utf-8")
        _read_until(process, "watching", seen)
        assert any("1 error" in line for line in seen), "".join(seen)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "contrakt" in out
    assert "stopped watching" in err
