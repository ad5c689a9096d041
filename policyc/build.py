"""`policyc build`: check, then render every policy with every requested backend and write the files.

Nothing is written when the check finds errors. Every output is rendered in memory first, so a
failure while rendering leaves the previous outputs untouched; each file is then written to a
temporary file in the same folder and renamed over the old one, so no reader ever sees half a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Container, Sequence
from pathlib import Path
from typing import Any

from policyc.backends import BACKENDS, BackendError, BuildContext, Output
from policyc.driver import CheckResult, check_files, collector_paused, discover
from policyc.model import Model
from policyc.profile import stage
from policyc.records import field, record
from policyc.writer import write_all


class BuildError(Exception):
    """A build that cannot go ahead (clashing output names, an unknown format): one line, exit 2."""


@record(frozen=True)
class IndexEntry:
    """A notice in the folder's index page: its title, link, source and who publishes it."""

    title: str
    href: str  # relative to the output folder
    source: str
    controller: str = ""  # who publishes the notice, so that two "Privacy policy" links can be told apart
    url: str = ""  # where the notice is published (the policy's `url`), if given


@record
class BuildResult:
    """What a build did: the check, the files written, the files skipped, and what the outputs lack."""

    check: CheckResult
    written: list[Path]
    skipped: list[Path] = field(default_factory=list)  # files named or found that declare no `policy`, nor are imported
    notes: list[str] = field(default_factory=list)  # what an output lacks because the policy does not say it


def parse_formats(text: str) -> list[str]:
    formats = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in BACKENDS]
    if unknown or not formats:
        raise BuildError(f"unknown format `{unknown[0] if unknown else text}`; choose from {', '.join(BACKENDS)}")
    return list(dict.fromkeys(formats))


def _relative_stem(path: Path, roots: Sequence[Path]) -> str:
    """The output name of a policy: its path under the folder it was found in, without suffix."""
    resolved = path.resolve()
    for root in roots:
        if resolved.is_relative_to(root):
            return resolved.relative_to(root).with_suffix("").as_posix()
    return path.stem


def build(paths: Sequence[str], out_dir: Path, formats: Sequence[str], templates: Path | None = None,
          strict: bool = False, previous: str | None = None, trace: bool = False, jobs: int = 1) -> BuildResult:
    """Check, then render and write. `previous` (a file, `git:REV:PATH` or `git:REV`) adds the change history;
    `trace` writes `<stem>.trace.json` beside each notice: where every published statement comes from.
    `jobs` processes check and render the files (0: one per CPU); the outputs are the same bytes."""
    files = discover(list(paths))
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(files) > 1:
        from policyc.parallel import build_in_parallel

        return build_in_parallel(paths, files, out_dir, formats, templates, strict, previous, trace, jobs)
    result = check_files(files)
    if result.errors or (strict and result.warnings):
        return BuildResult(result, [])
    notices = [p for p in files if (m := result.models.get(str(p))) is not None and m.policy is not None]
    histories = _histories(notices, result, previous) if previous else {}
    folders = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    rendered = render_notices(files, result, out_dir, formats, templates, histories, trace, folders)
    outputs = {**rendered.outputs, **site_outputs(rendered, out_dir, formats, templates, folders, rendered.outputs)}
    with stage("write"):
        written = write_all(sorted(outputs.items()))
    return BuildResult(result, written, _skipped(files, result), rendered.notes)


@record
class Rendered:
    """The outputs of some notices, in memory, and what the build prints or writes about them."""

    outputs: dict[Path, Output] = field(default_factory=dict)
    entries: list[IndexEntry] = field(default_factory=list)  # for the folder's index.html
    notes: list[str] = field(default_factory=list)
    gpc: list[GpcFacts] = field(default_factory=list)  # for the folder's .well-known/gpc.json

    def add(self, target: Path, content: Output) -> None:
        claim(self.outputs, target)
        self.outputs[target] = content

    def extend(self, other: Rendered) -> None:
        """Add another part of the build's notices (those of the files after these)."""
        for target, content in other.outputs.items():
            self.add(target, content)
        self.entries.extend(other.entries)
        self.notes.extend(other.notes)
        self.gpc.extend(other.gpc)


def render_notices(files: Sequence[Path], result: CheckResult, out_dir: Path, formats: Sequence[str],
                   templates: Path | None, histories: dict[str, dict[str, Any]], trace: bool,
                   folders: Sequence[Path]) -> Rendered:
    """Render every notice among `files` (those declaring a `policy`) with every format."""
    rendered = Rendered()
    for path in files:
        model = result.models.get(str(path))
        if model is None or model.policy is None:
            continue  # a file of shared declarations, not a notice
        stem = _relative_stem(path, folders)
        context = BuildContext(stem=Path(stem).name, source=str(path), templates=templates,
                               history=histories.get(str(path)))
        for name in formats:
            try:
                with stage(name), collector_paused():
                    outputs = BACKENDS[name].outputs(model, context)
            except BackendError as err:
                raise BuildError(f"{path}: --format {name}: {err}") from err
            for suffix, content in outputs.items():
                rendered.add(out_dir / f"{stem}{suffix}", content)
        rendered.notes.extend(f"{path}: {text}" for text in context.notes)
        if trace:
            from policyc.notice.trace import render_trace

            with stage("trace"), collector_paused():
                rendered.add(out_dir / f"{stem}.trace.json", render_trace(context.composed(model)))
        controller = model.controller
        who = (controller.legal_name or controller.title or controller.key) if controller is not None else ""
        rendered.entries.append(IndexEntry(model.policy.title or stem, f"{stem}.html", str(path), who,
                                           model.policy.url))
        rendered.gpc.append(gpc_facts(model))
    return rendered


def claim(taken: Container[Path], target: Path) -> None:
    """Refuse a notice's output that another notice of the build writes already (`taken`)."""
    if target in taken:
        raise BuildError(f"two policies would both write `{target}`; build them into separate folders")


def site_outputs(rendered: Rendered, out_dir: Path, formats: Sequence[str], templates: Path | None,
                 folders: Sequence[Path], taken: Container[Path]) -> dict[Path, Output]:
    """For a folder, its index page and gpc.json; neither may be a notice's output (`taken`)."""
    outputs: dict[Path, Output] = {}
    if folders and rendered.entries and "html" in formats:
        from policyc.backends.html import render_index

        with stage("html"):
            outputs[out_dir / "index.html"] = render_index(rendered.entries, templates)
    if folders and ("html" in formats or "consent" in formats):
        gpc = _gpc_file(rendered.gpc)
        if gpc is not None:
            outputs[out_dir / ".well-known" / "gpc.json"] = gpc
    for target in outputs:
        if target in taken:
            raise BuildError(f"a policy would write `{target}`, which the folder's build writes for the site; "
                             "rename the policy")
    return outputs


GpcFacts = tuple[bool, "dt.date | None"]  # a notice's: under the CCPA, and its `effective` date


def gpc_facts(model: Model) -> GpcFacts:
    policy = model.policy
    if policy is None:
        return (False, None)
    return ("ccpa" in policy.jurisdictions, policy.effective)


def gpc_json(models: Sequence[Model]) -> str | None:
    """`/.well-known/gpc.json` for a site where the CCPA applies: the site honours Global Privacy Control.

    `lastUpdate` is the latest `effective` date of the notices under the CCPA (left out when none
    states one): the build reads no clock, so the same sources give the same file.
    """
    return _gpc_file([gpc_facts(m) for m in models])


def _gpc_file(facts: Sequence[GpcFacts]) -> str | None:
    ccpa = [effective for under_ccpa, effective in facts if under_ccpa]
    if not ccpa:
        return None
    dates = [effective for effective in ccpa if effective is not None]
    body: dict[str, Any] = {"gpc": True}
    if dates:
        body["lastUpdate"] = max(dates).isoformat()
    return json.dumps(body, indent=2) + "\n"


def _skipped(files: Sequence[Path], result: CheckResult) -> list[Path]:
    """The files that declare no `policy` and that no notice imports: nothing is built from them."""
    imported = {t.decl.span.file for m in result.models.values() if m.policy is not None for t in m.typed}
    return [p for p in files if (m := result.models.get(str(p))) is not None and m.policy is None
            and str(p) not in imported]


def check_previous(previous: str, notices: int) -> bool:
    """Whether `previous` names a version for every notice (`git:REV`); a BuildError when it names one
    file and there is not exactly one notice."""
    from policyc.versions import is_git, split_git

    per_notice = is_git(previous) and not split_git(previous)[1]
    if not per_notice and notices != 1:
        raise BuildError(f"--previous {previous} names one file, but {notices} notices are being built; "
                         "use --previous git:REV to compare each with its version at a revision")
    return per_notice


def _histories(notices: Sequence[Path], result: CheckResult, previous: str, *,
               whole_build: bool = True) -> dict[str, dict[str, Any]]:
    """The "What changed in this version" view of each notice, against its previous version.

    A file or `git:REV:PATH` names the previous version of the one notice built; `git:REV` names, for
    every notice, the same file at that revision (a notice that did not exist then gets no history).
    With `whole_build=False` the notices are part of a build, whose count the caller checks.
    """
    from policyc.diff import diff_models, history_view
    from policyc.versions import VersionError, is_git, load, split_git

    if whole_build:
        per_notice = check_previous(previous, len(notices))
    else:
        per_notice = is_git(previous) and not split_git(previous)[1]
    histories: dict[str, dict[str, Any]] = {}
    for path in notices:
        try:
            old = load(previous, default_path=str(path))
        except VersionError as err:
            if per_notice and err.missing:
                continue  # a notice that is new in this version: no history to show yet
            raise BuildError(f"--previous: {err}") from err
        changes = diff_models(old.model, result.models[str(path)], old.label, str(path), old.files)
        histories[str(path)] = history_view(changes)
    return histories

