"""MkDocs hooks for the documentation site (`hooks:` in mkdocs.yml).

- The example notices (`examples/*/privacy.policy`) are built with policyc's own build API, as
  `policyc build` would, and published under `notices/` together with their `.policy` sources; an
  `examples.md` page, a table of the built notices followed by `examples/README.md`, links every
  one. A build error stops the site build with the diagnostics.
- `css/pygments.css` holds the styles for the token classes of highlighted code blocks, so the
  `policy` blocks, which policyc's Pygments lexer highlights, show in colour.

The files are generated in memory and added to MkDocs' file list, so links to them are checked like
links to any other page.
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from pygments.formatters import HtmlFormatter

NOTICES = "notices"
EXAMPLES_PAGE = "examples.md"
PYGMENTS_CSS = "css/pygments.css"
# What each built notice is published as, in the order of the table's columns (md is left out: a
# Markdown file in the site would become a page of its own).
FORMATS = {"html": ("HTML notice", ".html"), "json": ("JSON", ".json"), "dpv": ("DPV JSON-LD", ".jsonld"),
           "fides": ("fides", ".fides.yml")}


@dataclass(frozen=True)
class _Notice:
    stem: str  # such as `infisim/privacy`, relative to examples/
    title: str
    source: Path


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if PYGMENTS_CSS not in config.extra_css:
        config.extra_css.append(PYGMENTS_CSS)
    return config


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    files.append(File.generated(config, PYGMENTS_CSS, content=_pygments_css()))
    examples = _root(config) / "examples"
    notices, outputs = _build_examples(examples)
    for uri, content in outputs.items():
        files.append(File.generated(config, f"{NOTICES}/{uri}", content=content))
    for notice in notices:
        files.append(File.generated(config, f"{NOTICES}/{notice.stem}.policy",
                                    content=notice.source.read_bytes()))
    readme = examples / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    files.append(File.generated(config, EXAMPLES_PAGE, content=_examples_page(text, notices)))
    return files


def _pygments_css() -> str:
    styles: str = HtmlFormatter(style="default").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return styles + "\n"


def _build_examples(examples: Path) -> tuple[list[_Notice], dict[str, bytes]]:
    """Build every policy under `examples/` in the site's formats: the notices, and each output file's
    content by its path relative to the output folder."""
    from policyc.build import BuildError, build
    from policyc.config import ConfigError
    from policyc.diagnostics.render import render_text
    from policyc.source import SourceError

    with tempfile.TemporaryDirectory(prefix="policyc-site-") as tmp:
        out = Path(tmp)
        try:
            result = build([str(examples)], out, list(FORMATS))
        except (BuildError, ConfigError, SourceError) as err:
            raise PluginError(f"building the examples failed: {err}") from err
        if result.check.errors:
            report = render_text(result.check.diagnostics, result.check.sources, color=False)
            raise PluginError(f"the examples have errors, so their notices cannot be built:\n{report}")
        outputs = {
            path.relative_to(out).as_posix(): path.read_bytes()
            for path in result.written
            if path.name != "index.html"  # the examples page is the index
        }
    notices = []
    for name, model in sorted(result.check.models.items()):
        if model.policy is None:
            continue
        source = Path(name).resolve()
        stem = source.relative_to(examples.resolve()).with_suffix("").as_posix()
        notices.append(_Notice(stem, model.policy.title or stem, source))
    missing = [n.stem for n in notices if f"{n.stem}.html" not in outputs]
    if missing or not notices:
        raise PluginError(f"the examples' HTML notices were not built: {', '.join(missing) or 'no policies found'}")
    return notices, outputs


def _cell(text: str) -> str:
    return html.escape(text).replace("|", "\\|")


def _examples_page(readme: str, notices: list[_Notice]) -> str:
    rows = []
    for notice in notices:
        links = " · ".join(f"[{label}]({NOTICES}/{notice.stem}{suffix})" for label, suffix in FORMATS.values())
        rows.append(f"| `{notice.stem.split('/')[0]}` | {_cell(notice.title)} | {links} · "
                    f"[source]({NOTICES}/{notice.stem}.policy) |")
    table = "\n".join(["| example | notice | published as |", "| --- | --- | --- |", *rows])
    lines = readme.strip().splitlines()
    body = "\n".join(lines[1:] if lines and lines[0].startswith("# ") else lines).strip()
    return (
        "# Examples\n\n"
        "Real privacy notices written as `.policy`, and what `policyc build examples/ -o site` publishes\n"
        "from them (their legal findings are warnings there, by `examples/policyc.toml`), with the file\n"
        f"each was built from:\n\n{table}\n\n"
        f"## What each example encodes\n\n{body}\n"
    )
