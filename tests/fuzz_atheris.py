"""A coverage-guided fuzzer (Atheris, libFuzzer for Python) over every stage a policy goes through.

Each input is a file's bytes. It is decoded as `policyc check` decodes a file, parsed, resolved,
type-checked and ruled on; formatted; and, when it declares a well-formed policy, rendered as
Markdown, HTML and JSON. Properties checked on every input:

* the check returns diagnostics, never raises (an exception is an internal error);
* every diagnostic has a message and a span inside the text;
* the formatter's output parses to the same tree (`format_text` verifies it and raises FormatError
  otherwise) and formatting it again changes nothing;
* the HTML and Markdown notices hold no live markup from the input: no `<script>` but the JSON-LD
  one, no `on...=` event attribute, no `javascript:` link.

The seed corpus is the examples and the case files. Run it for an hour:

    python -m tests.fuzz_atheris -max_total_time=3600

libFuzzer options follow (`-help=1` lists them); a crash is written as `crash-<hash>` and can be run
again on its own with `python -m tests.fuzz_atheris crash-<hash>`. The test suite runs a short,
seeded run (tests/properties/test_atheris.py).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import atheris
import markdown

with atheris.instrument_imports(include=["policyc"]):
    from policyc.backends import BACKENDS, BuildContext
    from policyc.diagnostics.model import Severity

from tests.properties.fuzz import check_input as check_and_format

REPO = Path(__file__).resolve().parents[1]
MAX_SEED_BYTES = 64 * 1024  # the corpus files past this (a case of 400,000 tokens) make slow mutations
_WELL_FORMED = ("S", "N", "T")  # no finding of these families: the model is complete enough to render


def seed_files() -> list[Path]:
    files = [*REPO.glob("examples/*/privacy.policy"), *REPO.glob("tests/cases/**/*.policy")]
    return sorted(p for p in files if p.stat().st_size <= MAX_SEED_BYTES)


class _Markup(HTMLParser):
    """Collects what in an HTML page would run: script elements, event attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs).get("type") or "")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}=...>")
            squeezed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in ("href", "src", "action", "formaction", "xlink:href") and squeezed.startswith(
                    ("javascript:", "vbscript:", "data:text/html")):
                self.live.append(f"<{tag} {name}={value!r}>")


def html_is_inert(page: str, scripts: tuple[str, ...] = ("application/ld+json",)) -> None:
    parser = _Markup()
    parser.feed(page)
    parser.close()
    assert not parser.live, parser.live
    assert tuple(parser.scripts) == scripts, parser.scripts  # the notice's one: the DPV JSON-LD


def markdown_is_inert(text: str) -> None:
    """The Markdown notice, rendered to HTML as a site generator would (raw HTML passes through), holds
    nothing live."""
    html_is_inert(markdown.markdown(text), scripts=())


def check_input(data: bytes) -> None:
    """Everything policyc does with a file's bytes; raises only on a bug."""
    result = check_and_format(data, format_too=True)
    if result is None:
        return
    if any(d.severity is Severity.ERROR and d.code.startswith(_WELL_FORMED) for d in result.diagnostics):
        return
    for model in result.models.values():
        if model.policy is None:
            continue
        context = BuildContext(stem="fuzz", source="fuzz.policy")
        html_is_inert(BACKENDS["html"].render(model, context))
        markdown_is_inert(BACKENDS["md"].render(model, context))
        BACKENDS["json"].render(model, context)


def test_one_input(data: bytes) -> None:
    check_input(data)


def main(argv: list[str]) -> None:
    """Run libFuzzer; without a corpus folder among the arguments, a fresh copy of the seeds is used
    (libFuzzer adds what it finds to the first corpus folder, and the repository's files stay as
    they are)."""
    arguments = list(argv)
    if not any(Path(a).exists() for a in arguments[1:] if not a.startswith("-")):
        corpus = Path(tempfile.mkdtemp(prefix="policyc-fuzz-"))
        for index, path in enumerate(seed_files()):
            shutil.copyfile(path, corpus / f"{index:04d}-{path.name}")
        arguments.append(str(corpus))
    atheris.Setup(arguments, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
