"""Configuration: which rules run and how severe they are, per project, and per line.

A project is configured in `pyproject.toml` under `[tool.policyc]`, or in a `policyc.toml` (same keys
at the top level), found in the checked file's folder or the nearest folder above it:

    [tool.policyc]
    select = ["P", "C"]          # only these codes or prefixes (default: all)
    ignore = ["P013", "long-sentence"]

    [tool.policyc.rules]
    P031 = "off"                 # "error", "warning" or "off"
    vague-qualifier = "error"

One occurrence is silenced with a comment on the reported line: `# policyc: ignore[P013]` (several
codes or slugs separated by commas). Syntax, name and type errors (S, N, T) cannot be turned off:
a file with them does not mean anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from policyc import ast
from policyc.diagnostics.codes import CODES
from policyc.diagnostics.model import Diagnostic, Severity
from policyc.patterns import regex
from policyc.records import field, record, replace

FIXED_FAMILIES = ("S", "N", "T")
SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "off": None}
IGNORE_COMMENT = regex(r"policyc:\s*ignore\[([^\]]*)\]")
_SLUGS = {code.slug: code.code for code in CODES.values()}


class ConfigError(Exception):
    """A configuration that cannot be used: reported in one line, exit 2."""


@record(frozen=True)
class Config:
    """A `policyc.toml`: the codes selected and ignored, and severities changed."""

    path: str = ""
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity | None] = field(default_factory=dict)

    def decide(self, diagnostic: Diagnostic) -> Severity | None:
        """The severity to report the diagnostic with, or None to drop it."""
        code = diagnostic.code
        if code.startswith(FIXED_FAMILIES):
            return diagnostic.severity
        if self.select and not code.startswith(self.select):
            return None
        if code.startswith(self.ignore):
            return None
        if code in self.severity:
            return self.severity[code]
        return diagnostic.severity


def _code_or_prefix(entry: object, where: str, source: str) -> str:
    if not isinstance(entry, str):
        raise ConfigError(f"{source}: {where} takes codes or slugs (strings), found {entry!r}")
    value = _SLUGS.get(entry, entry)
    if not value or not any(code.startswith(value) for code in CODES):
        raise ConfigError(f"{source}: {where}: unknown rule `{entry}`")
    if value.startswith(FIXED_FAMILIES):
        raise ConfigError(f"{source}: {where}: `{entry}` is a syntax, name or type check and cannot be turned off")
    return value


def parse_config(table: Mapping[str, object], source: str) -> Config:
    known = {"select", "ignore", "rules"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting `{unknown[0]}` (the settings are select, ignore and rules)")

    def codes(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list):
            raise ConfigError(f"{source}: `{key}` must be a list of codes or slugs")
        return tuple(_code_or_prefix(entry, f"`{key}`", source) for entry in value)

    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{source}: `rules` must be a table such as `P013 = \"off\"`")
    severity: dict[str, Severity | None] = {}
    for key, value in rules.items():
        code = _code_or_prefix(key, "`rules`", source)
        if code not in CODES:
            raise ConfigError(f"{source}: `rules` takes single codes or slugs, not the prefix `{key}`")
        if not isinstance(value, str) or value not in SEVERITIES:
            raise ConfigError(f"{source}: `rules.{key}` must be \"error\", \"warning\" or \"off\", found {value!r}")
        severity[code] = SEVERITIES[value]
    return Config(source, codes("select"), codes("ignore"), severity)


@cache
def config_for_folder(folder: Path) -> Config:
    """The configuration that applies to files in `folder` (the nearest one above it)."""
    for candidate in (folder, *folder.parents):
        own = candidate / "policyc.toml"
        if own.is_file():
            return parse_config(_load(own), str(own))
        project = candidate / "pyproject.toml"
        if project.is_file():
            tool = _load(project).get("tool", {})
            section = tool.get("policyc") if isinstance(tool, dict) else None
            if isinstance(section, dict):
                return parse_config(section, f"{project} [tool.policyc]")
            return Config()  # a project without settings for policyc: the defaults
    return Config()


def _load(path: Path) -> dict[str, object]:
    import tomllib  # only when a project has a configuration file: it costs start-up time

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: {err}") from None


def inline_ignores(comments: Iterable[ast.Comment]) -> dict[int, set[str]]:
    """Line -> the codes silenced on it by `# policyc: ignore[...]`."""
    out: dict[int, set[str]] = {}
    for comment in comments:
        match = IGNORE_COMMENT.search(comment.text)
        if match:
            entries = {e.strip() for e in match.group(1).split(",") if e.strip()}
            out.setdefault(comment.span.line, set()).update(_SLUGS.get(e, e) for e in entries)
    return out


def apply(diagnostics: Sequence[Diagnostic], comments: Mapping[str, Iterable[ast.Comment]],
          folders: Mapping[str, Path]) -> list[Diagnostic]:
    """Drop or re-grade diagnostics by the project's configuration and the inline ignores."""
    ignores = {path: inline_ignores(found) for path, found in comments.items()}
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        path = diagnostic.span.file
        folder = folders.get(path)
        config = config_for_folder(folder) if folder is not None else Config()
        severity = config.decide(diagnostic)
        if severity is None:
            continue
        silenced = ignores.get(path, {}).get(diagnostic.span.line, set())
        if diagnostic.code in silenced and not diagnostic.code.startswith(FIXED_FAMILIES):
            continue
        kept.append(diagnostic if severity is diagnostic.severity else replace(diagnostic, severity=severity))
    return kept
