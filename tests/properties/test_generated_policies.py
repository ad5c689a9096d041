"""Every generated well-typed policy checks without syntax, name or type diagnostics, and builds:
every output is deterministic, the JSON validates against the published schema, and every purpose,
recipient, right and cookie of the model appears in the Markdown, HTML and JSON."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from policyc.backends import BACKENDS
from policyc.build import build
from policyc.diagnostics.codes import CODES
from policyc.model import Model
from policyc.notice.compose import anchor
from policyc.testing import policy_texts

REPO = Path(__file__).resolve().parents[2]
DEFAULT = [b for b in BACKENDS.values() if b.default]  # what `policyc build` writes unless --format asks for more
SCHEMA = json.loads((REPO / "policyc" / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))
# Generated policies are random, not compliant: their legal findings are reported as warnings, as
# examples/policyc.toml does, so that they build.
CONFIG = "[rules]\n" + "".join(f'{code} = "warning"\n' for code in CODES if not code.startswith(("S", "N", "T")))


@cache
def validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA)  # type: ignore[no-any-return]


def build_text(text: str, folder: Path) -> tuple[dict[str, str], Model]:
    """Write the policy into `folder` (with the warnings-only configuration) and build every format."""
    (folder / "policyc.toml").write_text(CONFIG, encoding="utf-8")
    source = folder / "privacy.policy"
    source.write_text(text, encoding="utf-8")
    result = build([str(source)], folder / "out", [b.name for b in DEFAULT])
    language = [f"{d.code} {d.message}" for d in result.check.diagnostics if d.code[0] in "SNT"]
    assert not language, language
    assert result.check.errors == 0, [d.message for d in result.check.diagnostics if d.severity.value == "error"]
    outputs = {p.name: p.read_text(encoding="utf-8") for p in result.written}
    assert sorted(outputs) == sorted(f"privacy{b.suffix}" for b in DEFAULT)
    return outputs, result.check.models[str(source)]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(v for k, v in attrs if k == "id" and v)
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)


def _page(markup: str) -> _Page:
    page = _Page()
    page.feed(markup)
    page.close()
    return page


def _squash(text: str) -> str:
    return " ".join(text.split())


def _shown(markup: str) -> str:
    """The text a reader sees: inline tags joined without a space, block tags as spaces."""
    markup = re.sub(r"</?(?:a|em|strong|code|span|abbr)\b[^>]*>", "", markup)
    return _squash(html.unescape(" ".join(_page(markup).text)))


def _expected(model: Model) -> dict[str, list[tuple[str, str]]]:
    """(anchor id, title) of every purpose, recipient, right and cookie; titles as the notice shows them."""
    words = lambda key: key.replace("_", " ")  # noqa: E731 - the backends' fallback for an untitled entity
    return {
        "purposes": [(anchor("purpose", p.key), p.title or words(p.key)) for p in model.purposes],
        "recipients": [(anchor("recipient", r.key), r.title or r.legal_name or words(r.key))
                       for r in model.recipients],
        "rights": [(anchor("right", r.right.key), r.right.title) for r in model.rights],
        "cookies": [(anchor("cookie", c.key), c.title or words(c.key)) for c in model.cookies],
    }


def check_outputs(outputs: dict[str, str], model: Model) -> None:
    data: dict[str, Any] = json.loads(outputs["privacy.json"])
    errors = sorted(validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:3]]
    expected = _expected(model)
    # JSON: every entity, by id and title.
    for group, entries in (("purposes", model.purposes), ("recipients", model.recipients), ("cookies", model.cookies)):
        assert [(e["id"], e["title"]) for e in data[group]] == [(x.key, x.title) for x in entries]  # type: ignore[attr-defined]
    assert [r["id"] for r in data["rights"]] == [r.right.key for r in model.rights]
    # HTML: an anchor for each, and its title on the page.
    page = _page(outputs["privacy.html"])
    shown = _shown(outputs["privacy.html"])
    for group, pairs in expected.items():
        for ident, title in pairs:
            assert ident in page.ids, f"HTML: no #{ident}"
            assert _squash(title) in shown, f"HTML: the {group[:-1]} title {title!r} is not shown"
    # Markdown: rendered as a reader would see it, each title appears.
    rendered = _shown(MarkdownIt("commonmark").enable("table").render(outputs["privacy.md"]))
    for group, pairs in expected.items():
        for _ident, title in pairs:
            assert _squash(title) in rendered, f"Markdown: the {group[:-1]} title {title!r} is not shown"


@settings(max_examples=40, deadline=None)
@given(policy_texts())
def test_generated_policies_check_clean_and_build(text: str) -> None:
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        outputs, model = build_text(text, Path(first))
        check_outputs(outputs, model)
        again, _ = build_text(text, Path(second))
        assert again == outputs, "a second build of the same policy differs"


@settings(max_examples=30, deadline=None)
@given(policy_texts(hostile=True))
def test_hostile_generated_policies_build_and_show_every_title(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outputs, model = build_text(text, Path(folder))
        check_outputs(outputs, model)


def test_builds_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """A folder of generated policies, built by the CLI under two hash seeds, gives the same bytes."""
    drawn: dict[str, None] = {}

    @settings(max_examples=8, deadline=None, derandomize=True, database=None)
    @given(st.booleans().flatmap(lambda hostile: policy_texts(hostile=hostile)))
    def collect(text: str) -> None:
        drawn[text] = None

    collect()
    texts = list(drawn)
    src = tmp_path / "policies"
    src.mkdir()
    (src / "policyc.toml").write_text(CONFIG, encoding="utf-8")
    for index, text in enumerate(texts):
        (src / f"p{index}.policy").write_text(text, encoding="utf-8")
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-m", "policyc", "build", str(src), "-o", str(out)],
                                cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert len(trees[0]) >= len(texts) * len(DEFAULT)
    assert trees[0] == trees[1]
