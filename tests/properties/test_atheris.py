"""The coverage-guided fuzzer (tests/fuzz_atheris.py): a short seeded run in CI, and its properties
checked on inputs that must trip them.

The run is bounded by -runs and -max_total_time; a longer one is documented in docs/robustness.md.
A crash makes libFuzzer exit non-zero and write the input as crash-<hash> in the temporary folder;
the test prints libFuzzer's report, which names the exception.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

REPO = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("POLICYC_ATHERIS_RUNS", "600"))
SEED = int(os.environ.get("POLICYC_ATHERIS_SEED", "20260601"))
SECONDS = 90  # the run's own bound; the corpus alone takes about 10 s


def test_a_seeded_fuzz_run_finds_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    from tests.fuzz_atheris import seed_files

    for index, path in enumerate(seed_files()):
        (corpus / f"{index:04d}.policy").write_bytes(path.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "tests.fuzz_atheris", f"-runs={RUNS}", f"-seed={SEED}",
         f"-max_total_time={SECONDS}", "-timeout=20", "-rss_limit_mb=1024", f"-artifact_prefix={tmp_path}/",
         str(corpus)],
        cwd=REPO, capture_output=True, text=True, timeout=SECONDS + 60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    assert result.returncode == 0 and not crashes, result.stderr[-4000:]
    assert "Done" in result.stderr


def test_the_markup_properties_catch_live_markup() -> None:
    from tests.fuzz_atheris import html_is_inert, markdown_is_inert

    page = '<html><script type="application/ld+json">{}</script><p>x</p></html>'
    html_is_inert(page)
    for bad in ('<img src=x onerror="alert(1)">', '<a href=" javascript:alert(1)">x</a>', "<script>alert(1)</script>"):
        with pytest.raises(AssertionError):
            html_is_inert(page.replace("<p>x</p>", bad))
    markdown_is_inert("Call us at [our page](https://example.com). &lt;script&gt; is text.")
    for bad in ("<script>alert(1)</script>", "[x](javascript:alert(1))", '<img src=x onerror=alert(1)>'):
        with pytest.raises(AssertionError):
            markdown_is_inert(bad)


def test_hostile_text_reaches_the_notices_inert() -> None:
    """Author text with markup in every field a notice prints: the harness renders it, and its
    properties hold."""
    from tests.fuzz_atheris import check_input

    policy = (REPO / "tests" / "policies" / "uk_gdpr_complete.policy").read_text(encoding="utf-8")
    for payload in ('<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))',
                    '<a href=\\"javascript:alert(1)\\">x</a>'):
        hostile = re.sub(r'"([A-Z])', lambda m, p=payload: f'"{p} {m.group(1)}', policy)  # every title, text
        assert hostile.count(payload) > 20
        check_input(hostile.encode())
