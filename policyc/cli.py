"""The `policyc` command line: check, build, diff, audit, fmt, import, lsp, dump, explain and rules.

Exit codes: 0 no errors; 1 errors (or warnings with --strict); 2 usage, I/O or internal error.
Imports are kept inside the commands so that start-up stays fast.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
from collections.abc import Callable, Sequence

from policyc import TYPE_CHECKING, __version__

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, NoReturn

    from policyc.driver import CheckResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_TROUBLE = 2
_COMMANDS = ("check", "build", "fmt", "lsp", "diff", "import", "audit", "dump", "explain", "rules")


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, with the terminal's width read without `shutil`.

    argparse makes a formatter for every option it is given, and the first one imports `shutil` (and
    through it the bz2 and lzma modules) for the width: a few milliseconds of every start.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_columns() - 2)  # argparse's own margin


def _terminal_columns() -> int:
    """The terminal's width, as `shutil.get_terminal_size` reads it: $COLUMNS, else standard output's
    terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)  # the commands' parsers too
        super().__init__(**kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"policyc: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_TROUBLE)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}") from None
    if not 0 <= value <= 1024:
        raise argparse.ArgumentTypeError("between 0 (one per CPU) and 1024")
    return value


def _arguments(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `only`, the options of that command and no other.

    argparse builds a parser and a help formatter for every option of every command, a few
    milliseconds at each start; a run needs those of one command. `main` asks for the command that
    the first argument names, or for all of them (help, a mistyped command).
    """
    parser = _Parser(prog="policyc", description="Compile and check privacy policies written as code.")
    parser.add_argument("--version", action="version", version=f"policyc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    if only in (None, "check"):
        check = commands.add_parser("check", help="parse, resolve and check policies",
                                    description="Check .policy files; a folder means every *.policy under it.")
        check.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
        check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                           help="how to print the diagnostics (default: text)")
        check.add_argument("--strict", action="store_true", help="warnings also fail the check (exit 1)")
        check.add_argument("--statistics", action="store_true",
                           help="print how many times each code occurs instead of every diagnostic (text format)")
        check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                           help="colour in text output (default: auto, which honours NO_COLOR)")
        check.add_argument("--watch", action="store_true",
                           help="check again whenever a checked file changes, until interrupted (Ctrl-C)")
        check.add_argument("--profile", action="store_true", help="print the time spent in each stage on stderr")
        check.add_argument("--fix", action="store_true",
                           help="apply the safe fixes to the files checked, then check again and report what is left")
        check.add_argument("--unsafe-fixes", action="store_true",
                           help="with --fix, also apply the first fix offered for problems with no safe fix")
    if only in (None, "build"):
        build = commands.add_parser("build", help="check, then write the notice and its machine-readable forms",
                                    description="Check the policies; if there are no errors, write DIR/<name>.md, "
                                    ".html, .json, .jsonld and .fides.yml (a folder also gets DIR/index.html); "
                                    "--format ropa writes the Art 30 record of processing (.ropa.xlsx, .ropa.csv), "
                                    "--format tilt a TILT document (.tilt.json).")
        build.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
        build.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write into")
        build.add_argument("--format", default="md,html,json,dpv,fides", metavar="LIST",
                           help="comma-separated: md, html, json, dpv, fides, and on request ropa (the Art 30 "
                           "record), tilt and consent (the cookie banner's configuration); default: "
                           "md,html,json,dpv,fides")
        build.add_argument("--templates", metavar="DIR", help="a folder of templates overriding the defaults")
        build.add_argument("--strict", action="store_true", help="warnings also stop the build")
        build.add_argument("--statistics", action="store_true",
                           help="print how many times each code occurs instead of every diagnostic")
        build.add_argument("--previous", metavar="OLD",
                           help="the previous version (a file, git:REV:PATH, or git:REV for the same path), to add "
                           "\"What changed in this version\" to the Markdown and HTML notices")
        build.add_argument("--trace", action="store_true",
                           help="also write <name>.trace.json: each published statement with the source spans "
                           "behind it")
        build.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                           help="colour the diagnostics: auto (on a terminal), always or never")
        build.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N",
                           help="check and render in N processes (0: one per CPU; default: 1); the files written "
                           "are the same")
        build.add_argument("--profile", action="store_true", help="print the time spent in each stage on stderr")
    if only in (None, "fmt"):
        fmt = commands.add_parser("fmt", help="format policies in the canonical layout",
                                  description="Format .policy files in place (a folder means every *.policy under it). "
                                  "Files with syntax errors are left untouched.")
        fmt.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
        fmt.add_argument("--check", action="store_true", help="write nothing; exit 1 if any file would change")
        fmt.add_argument("--diff", action="store_true", help="write nothing; print a unified diff of the changes")
    if only in (None, "lsp"):
        lsp = commands.add_parser("lsp", help="run the language server (LSP over stdio)",
                                  description="Run the policyc language server. Editors start it and talk to it over "
                                  "standard input and output; see docs/editors.md.")
        lsp.add_argument("--stdio", action="store_true", help="use standard input and output (the default and only "
                         "transport; accepted because editors pass it)")
        lsp.add_argument("--clientProcessId", metavar="PID", help=argparse.SUPPRESS)  # vscode-languageclient adds it
    if only in (None, "diff"):
        diff = commands.add_parser("diff", help="what changed between two versions of a policy",
                                   description="Compare the resolved models of two versions of a policy and list "
                                   "what changed: material changes (D001-D005, people must be told before they "
                                   "apply) first, then editorial ones. A version is a file or git:REV:PATH.")
        diff.add_argument("old", metavar="OLD", help="the previous version: a file, or git:REV:PATH")
        diff.add_argument("new", metavar="NEW", help="the new version: a file, or git:REV:PATH")
        diff.add_argument("--format", choices=("text", "json", "md"), default="text",
                          help="text (default), json, or md (a \"What changed\" section for the notice)")
        diff.add_argument("--fail-on-material", action="store_true",
                          help="exit with status 1 when there is a material change")
        diff.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                          help="colour in diagnostics about the versions (default: auto)")
    if only in (None, "import"):
        importer = commands.add_parser("import", help="write a .policy from a TILT document or a fides manifest",
                                       description="Read a TILT document (JSON) or a fides manifest (YAML) and write a "
                                       ".policy with what it says, formatted; `# GAP:` comments mark what the policy "
                                       "needs and the source does not give. Then run `policyc check` on it.")
        importer.add_argument("source_format", choices=("tilt", "fides"), metavar="FORMAT", help="tilt or fides")
        importer.add_argument("file", metavar="FILE", help="the document or manifest to read")
        importer.add_argument("-o", "--output", metavar="OUT",
                              help="the .policy file to write (default: standard output); an existing file is kept")
    if only in (None, "audit"):
        audit = commands.add_parser("audit", help="compare a live site's cookies and requests with the policy",
                                    description="Load each page in Chromium before any consent and after accepting "
                                    "all, record its cookies and third-party requests, and compare them with the "
                                    "policy (codes U001-U005). Needs Playwright and Chromium; see docs/audit.md.")
        audit.add_argument("urls", nargs="+", metavar="URL", help="the pages to load (http or https)")
        audit.add_argument("--policy", required=True, metavar="FILE", help="the policy the site publishes")
        audit.add_argument("--accept-selector", metavar="CSS",
                           help="the consent banner's accept-all button (default: the banner of "
                           "`policyc build --format consent`)")
        audit.add_argument("--timeout", type=float, default=30, metavar="SECONDS",
                           help="the longest to wait for a page or a button (default: 30)")
        audit.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                           help="how to print the findings (default: text)")
        audit.add_argument("--strict", action="store_true", help="warnings also fail the audit (exit 1)")
        audit.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                           help="colour in text output (default: auto)")
    if only in (None, "dump"):
        dump = commands.add_parser("dump", help="print one stage's output as JSON",
                                   description="Print what a stage of the compiler made of a policy file, as JSON: "
                                   "ast (the syntax tree), resolved (modules and what each name is bound to), model "
                                   "(what the backends read) or notice (the statements, with their kinds and "
                                   "provenance). Refused (exit 2) when the file has errors before that stage.")
        dump.add_argument("--stage", required=True, choices=("ast", "resolved", "model", "notice"),
                          help="the stage whose output to print")
        dump.add_argument("file", metavar="FILE", help="a .policy file")
        dump.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                          help="colour the diagnostics of a refused dump: auto (on a terminal), always or never")
    if only in (None, "explain"):
        explain = commands.add_parser("explain", help="explain a diagnostic code", description="Print a rule's page.")
        explain.add_argument("code", metavar="CODE",
                             help="a code such as P010, or its slug such as purpose-without-basis")
    if only in (None, "rules"):
        rules = commands.add_parser("rules", help="list every diagnostic code",
                                    description="List every code with its slug, severity, family and article.")
        rules.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def run() -> NoReturn:
    """The program (`policyc`, `python -m policyc`): `main`, then a prompt exit.

    Python's ordinary exit frees the heap object by object and runs a full garbage collection: after
    a check of a few hundred lines that took a fifth as long as the check itself. By the time `main`
    returns every output file is written and closed (`policyc.writer`), so the process runs the exit
    handlers registered with `atexit`, flushes its standard streams and leaves without the teardown.

    For the same reason the program runs without Python's cyclic garbage collector: what a check or
    a build makes lives until the end of the command, and the collector's passes only walk it again
    and again (a build of 200 notices took 5% to 20% longer with them, and the cycles it left behind
    were 3% of its memory). The commands that keep running, the language server and `check --watch`,
    turn the collector back on (`_keeps_running`).
    """
    gc.disable()
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`policyc check | head`): the report did not get out
            code = EXIT_TROUBLE
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = _arguments(arguments[0] if arguments and arguments[0] in _COMMANDS else None).parse_args(arguments)
    if args.command is None:
        _arguments().print_help(sys.stderr)
        return EXIT_TROUBLE
    try:
        if args.command == "check":
            refusal = _fix_refusal(args)
            if refusal:
                print(f"policyc: {refusal}", file=sys.stderr)
                return EXIT_TROUBLE
            if args.watch:
                from policyc.watch import watch

                _keeps_running()
                return watch(args, _report)
            return _profiled(args, _check)
        if args.command == "fmt":
            return _fmt(args)
        if args.command == "build":
            return _profiled(args, _build)
        if args.command == "diff":
            return _diff(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "explain":
            return _explain(args.code)
        if args.command == "dump":
            return _dump(args)
        if args.command == "import":
            return _import(args)
        if args.command == "rules":
            return _rules(args.format)
        if args.command == "lsp":
            from policyc.lsp import main as lsp_main

            _keeps_running()
            return lsp_main([])
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_TROUBLE
    except OSError as err:  # missing, unreadable, not a folder, read-only, disk full: the user's to fix
        print(f"policyc: {_os_error(err)}", file=sys.stderr)
        return EXIT_TROUBLE
    except Exception as err:  # noqa: BLE001 - the one place an internal error becomes a one-line report
        print(f"policyc: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("policyc: this is a bug in policyc; please report it with the file that caused it",
              file=sys.stderr)
        return EXIT_TROUBLE
    return EXIT_TROUBLE


def _keeps_running() -> None:
    """A command that runs until it is stopped frees what it no longer needs as it goes: the cyclic
    garbage collector is on (`run` turns it off for the commands that end)."""
    gc.enable()


def _os_error(err: OSError) -> str:
    """One line for an I/O error: the file it is about, and what went wrong."""
    reason = err.strerror or str(err) or type(err).__name__
    if err.filename is not None and err.filename2 is not None:
        return f"{err.filename} -> {err.filename2}: {reason}"
    return f"{err.filename}: {reason}" if err.filename is not None else reason


def _profiled(args: argparse.Namespace, command: Callable[[argparse.Namespace], int]) -> int:
    """Run a command; with --profile, print the time per stage on stderr afterwards."""
    if not args.profile:
        return command(args)
    from policyc.profile import Profile, profiling, stage

    profile = Profile()
    try:
        with profiling(profile), stage("start-up and other"):
            return command(args)
    finally:
        sys.stderr.write(profile.render())


def _check(args: argparse.Namespace) -> int:
    from policyc.config import ConfigError
    from policyc.driver import check_files, discover
    from policyc.source import SourceError

    try:
        files = discover(args.paths)
        if not files:
            print(f"policyc: no .policy files in {' '.join(args.paths)}", file=sys.stderr)
            return EXIT_TROUBLE
        result = check_files(files)
        if args.fix and _fix(result, files, unsafe=args.unsafe_fixes):
            result = check_files(files)
    except (SourceError, ConfigError) as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    return _report(args, result)


def _fix_refusal(args: argparse.Namespace) -> str:
    """Why `--fix` (or `--unsafe-fixes`) cannot be used as asked, or ""."""
    if args.unsafe_fixes and not args.fix:
        return "--unsafe-fixes only applies with --fix"
    if not args.fix:
        return ""
    from policyc.versions import is_git

    if args.watch:
        return "--fix cannot be used with --watch"
    for path in args.paths:
        if path == "-":
            return "--fix rewrites files on disk; it cannot fix standard input (`-`)"
        if is_git(path):
            return f"--fix rewrites files on disk; it cannot fix a version from git (`{path}`)"
    return ""


def _fix(result: CheckResult, files: list[Path], *, unsafe: bool) -> int:
    """Apply the diagnostics' safe fixes (with `unsafe`, also the first fix of a problem that has no safe
    one) to the files checked, each written atomically. Prints what it fixed; returns how many fixes."""
    from pathlib import Path

    from policyc.diagnostics.fixes import apply_fixes, chosen_fixes
    from policyc.source import decode
    from policyc.writer import write_file

    named = {path.resolve() for path in files}
    total = 0
    for name, source in result.sources.items():
        if Path(name).resolve() not in named:
            continue  # a file only imported, or the standard library
        fixes = chosen_fixes(result.diagnostics, name, unsafe=unsafe)
        if not fixes:
            continue
        with open(name, "rb") as handle:
            data = handle.read()
        text, problem = decode(data)
        if problem or text != source.text:
            print(f"policyc: {name}: changed while it was checked; not fixed", file=sys.stderr)
            continue
        new_text, count = apply_fixes(text, fixes)
        if not count or new_text == text:
            continue
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        write_file(name, bom + new_text.encode("utf-8"))
        total += count
        print(f"fixed {count} {'problem' if count == 1 else 'problems'} in {name}", file=sys.stderr)
    return total


def _report(args: argparse.Namespace, result: CheckResult) -> int:
    """Print a check's diagnostics in the chosen format; the exit code they call for."""
    from policyc.diagnostics import render
    from policyc.profile import stage

    out = sys.stdout
    # Annotations and code scanning name files from the repository root: GitHub Actions says where it is.
    root = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    with stage("report"):
        if args.format == "json":
            out.write(render.render_json(result.diagnostics, len(result.files)))
        elif args.format == "sarif":
            out.write(render.render_sarif(result.diagnostics, tool_version=__version__, root=root,
                                          docs_url=_docs_url()))
        elif args.format == "github":
            out.write(render.render_github(result.diagnostics, root=root))
        else:
            color = args.color == "always" or (args.color == "auto" and render.use_color(out))
            if getattr(args, "statistics", False):
                text = render.render_statistics(result.diagnostics, color=color)
            else:
                text = render.render_text(result.diagnostics, result.sources, color=color)
            if text:
                out.write(text if text.endswith("\n") else text + "\n")
            summary = render.render_summary(result.errors, result.warnings, len(result.files), color)
            print(summary, file=sys.stderr if result.diagnostics else out)
        out.flush()
    failed = result.errors > 0 or (args.strict and result.warnings > 0)
    return EXIT_FINDINGS if failed else EXIT_OK


def _docs_url() -> str | None:
    """The documentation site (POLICYC_DOCS_URL, an absolute http(s) URL), for SARIF's helpUri and
    informationUri; None keeps the built-in default."""
    url = os.environ.get("POLICYC_DOCS_URL", "").strip()
    if not url:
        return None
    if not url.lower().startswith(("https://", "http://")):
        print(f"policyc: POLICYC_DOCS_URL must be an absolute http(s) URL, not {url!r}; ignored", file=sys.stderr)
        return None
    return url if url.endswith("/") else url + "/"


def _diff(args: argparse.Namespace) -> int:
    from policyc import diff
    from policyc.config import ConfigError
    from policyc.source import SourceError
    from policyc.versions import VersionError, is_git, load

    try:
        old = load(args.old, default_path=None if is_git(args.new) else args.new)
        new = load(args.new, default_path=None if is_git(args.old) else args.old)
    except VersionError as err:
        return _version_trouble(err, args.color)
    except (SourceError, ConfigError) as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    result = diff.diff_models(old.model, new.model, old.label, new.label, {**old.files, **new.files})
    if args.format == "json":
        sys.stdout.write(diff.render_json(result))
    elif args.format == "md":
        sys.stdout.write(diff.render_markdown(result))
    else:
        sys.stdout.write(diff.render_text(result))
    return EXIT_FINDINGS if args.fail_on_material and result.material else EXIT_OK


def _audit(args: argparse.Namespace) -> int:
    """`policyc audit URL... --policy FILE`: the policy's check first (an error there stops the audit)."""
    from pathlib import Path

    from policyc.audit import AuditError, compare, observe
    from policyc.config import ConfigError
    from policyc.diagnostics import render
    from policyc.driver import check_files
    from policyc.records import replace
    from policyc.source import SourceError

    if not 0 < args.timeout <= 600:
        print("policyc: --timeout must be between 0 and 600 seconds", file=sys.stderr)
        return EXIT_TROUBLE
    policy = Path(args.policy)
    try:
        if not policy.is_file():
            print(f"policyc: {policy}: no such file", file=sys.stderr)
            return EXIT_TROUBLE
        checked = check_files([policy])
    except (SourceError, ConfigError) as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    model = checked.models.get(str(policy))
    if checked.errors or model is None or model.policy is None:
        color = args.color == "always" or (args.color == "auto" and render.use_color(sys.stderr))
        sys.stderr.write(render.render_text(checked.diagnostics, checked.sources, color=color))
        print(f"policyc: {policy} does not check cleanly (or declares no `policy`), so it cannot be audited "
              "against; run `policyc check` on it", file=sys.stderr)
        return EXIT_TROUBLE
    try:
        observations = observe(args.urls, args.accept_selector, args.timeout)
    except AuditError as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    for obs in observations:
        if not obs.accepted:
            print(f"policyc: note: {obs.url}: no consent banner's accept button was found, so the page was "
                  "audited before consent only (see --accept-selector)", file=sys.stderr)
    findings = compare(model, observations)
    # The findings are about the pages (their location is the URL); the policy's source is kept for the
    # labels that point at a cookie's declaration.
    result = replace(checked, diagnostics=findings, files=list(args.urls))
    return _report(args, result)


def _version_trouble(err: Exception, color_choice: str) -> int:
    from policyc.diagnostics import render
    from policyc.versions import VersionError, blocking_diagnostics

    if isinstance(err, VersionError) and err.result is not None:
        color = color_choice == "always" or (color_choice == "auto" and render.use_color(sys.stderr))
        text = render.render_text(blocking_diagnostics(err.result), err.result.sources, color=color)
        sys.stderr.write(text if text.endswith("\n") or not text else text + "\n")
    print(f"policyc: {err}", file=sys.stderr)
    return EXIT_TROUBLE


def _import(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    import yaml

    from policyc.importers import SourceFormatError, from_fides, from_tilt

    path = Path(args.file)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        print(f"policyc: {path}: cannot read it ({getattr(err, 'strerror', None) or err})", file=sys.stderr)
        return EXIT_TROUBLE
    try:
        if args.source_format == "tilt":
            text = from_tilt(json.loads(raw), path.name)
        else:
            text = from_fides(yaml.safe_load(raw), path.name)
    except (ValueError, yaml.YAMLError) as err:
        print(f"policyc: {path}: not valid {'JSON' if args.source_format == 'tilt' else 'YAML'}: "
              f"{str(err).splitlines()[0]}", file=sys.stderr)
        return EXIT_TROUBLE
    except SourceFormatError as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(args.output)
    if target.exists():
        print(f"policyc: {target} exists; choose another name or remove it first", file=sys.stderr)
        return EXIT_TROUBLE
    from policyc.writer import write_file

    write_file(target, text)
    gaps = text.count("# GAP:")
    print(f"wrote {target} ({gaps} {'gap' if gaps == 1 else 'gaps'} to fill); run `policyc check {target}`",
          file=sys.stderr)
    return EXIT_OK


def _dump(args: argparse.Namespace) -> int:
    from pathlib import Path

    from policyc.config import ConfigError
    from policyc.diagnostics import render
    from policyc.dump import DumpRefused, dump
    from policyc.dump import render as render_json
    from policyc.source import SourceError

    path = Path(args.file)
    if not path.is_file():
        print(f"policyc: {args.file}: no such file", file=sys.stderr)
        return EXIT_TROUBLE
    try:
        data = dump(path, args.stage)
    except (SourceError, ConfigError) as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    except DumpRefused as refused:
        color = args.color == "always" or (args.color == "auto" and render.use_color(sys.stderr))
        text = render.render_text(refused.diagnostics, refused.result.sources, color=color)
        if text:
            sys.stderr.write(text if text.endswith("\n") else text + "\n")
        print(f"policyc: {refused}", file=sys.stderr)
        return EXIT_TROUBLE
    sys.stdout.write(render_json(data))
    return EXIT_OK


def _explain(code: str) -> int:
    from policyc.diagnostics.codes import CODES
    from policyc.resources import rule_doc

    wanted = code.strip()
    entry = CODES.get(wanted.upper()) or next((c for c in CODES.values() if c.slug == wanted.lower()), None)
    if entry is None:
        import difflib

        close = difflib.get_close_matches(wanted.upper(), list(CODES), n=1) or difflib.get_close_matches(
            wanted.lower(), [c.slug for c in CODES.values()], n=1)
        hint = f"; did you mean `{close[0]}`?" if close else "; `policyc rules` lists them"
        print(f"policyc: no diagnostic code `{wanted}`{hint}", file=sys.stderr)
        return EXIT_TROUBLE
    sys.stdout.write(rule_doc(entry.code).read_text(encoding="utf-8"))
    return EXIT_OK


def _rules(fmt: str) -> int:
    from policyc.diagnostics.codes import CODES

    rows = [{"code": c.code, "name": c.slug, "severity": c.severity.value, "family": c.family,
             "article": c.article, "summary": c.summary} for c in CODES.values()]
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps({"version": 1, "rules": rows}, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    width = max(len(r["name"]) for r in rows)
    family = max(len(r["family"]) for r in rows)
    for row in rows:
        article = f"  [{row['article']}]" if row["article"] else ""
        print(f"{row['code']}  {row['name']:<{width}}  {row['severity']:<7}  {row['family']:<{family}}  "
              f"{row['summary']}{article}")
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from policyc.build import BuildError, build, parse_formats
    from policyc.config import ConfigError
    from policyc.diagnostics import render
    from policyc.source import SourceError

    templates = Path(args.templates) if args.templates else None
    if templates is not None and not templates.is_dir():
        print(f"policyc: {templates}: no such templates folder", file=sys.stderr)
        return EXIT_TROUBLE
    try:
        formats = parse_formats(args.format)
        result = build(args.paths, Path(args.output), formats, templates, strict=args.strict,
                       previous=args.previous, trace=args.trace, jobs=args.jobs)
    except (SourceError, ConfigError, BuildError) as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    check = result.check
    color = args.color == "always" or (args.color == "auto" and render.use_color(sys.stderr))
    if args.statistics:
        text = render.render_statistics(check.diagnostics, color=color)
    else:
        text = render.render_text(check.diagnostics, check.sources, color=color)
    if text:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
    if check.errors or (args.strict and check.warnings):
        print(render.render_summary(check.errors, check.warnings, len(check.files), color) + "; nothing written",
              file=sys.stderr)
        return EXIT_FINDINGS
    for path in result.skipped:
        print(f"policyc: note: {path} has no `policy` declaration, so no notice is built from it", file=sys.stderr)
    for note in result.notes:
        print(f"policyc: note: {note}", file=sys.stderr)
    if not result.written:
        print(f"policyc: nothing to build: no file in {' '.join(args.paths)} declares a `policy`",
              file=sys.stderr)
        return EXIT_TROUBLE
    count = len(result.written)
    print(f"wrote {count} {'file' if count == 1 else 'files'} to {args.output}", file=sys.stderr)
    return EXIT_OK


def _fmt(args: argparse.Namespace) -> int:
    from policyc.diagnostics import render
    from policyc.driver import discover
    from policyc.fmt import FormatError, format_file, unified_diff
    from policyc.source import SourceError
    from policyc.writer import write_file

    try:
        files = discover(args.paths)
    except SourceError as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    if not files:
        print(f"policyc: no .policy files in {' '.join(args.paths)}", file=sys.stderr)
        return EXIT_TROUBLE
    changed = refused = 0
    for path in files:
        try:
            result = format_file(path)
        except SourceError as err:
            print(f"policyc: {err}", file=sys.stderr)
            return EXIT_TROUBLE
        except FormatError as err:
            print(f"policyc: internal error: {path}: the formatted text would mean something else ({err}); "
                  "the file is left as it was; this is a bug in policyc, please report it", file=sys.stderr)
            return EXIT_TROUBLE
        if result.text is None:
            refused += 1
            sys.stderr.write(render.render_text(list(result.diagnostics), {result.path: result.source},
                                               color=render.use_color(sys.stderr)))
            print(f"policyc: {result.path}: not formatted, it has syntax errors", file=sys.stderr)
            continue
        if not result.changed:
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(unified_diff(result.path, result.source.text, result.text))
        elif args.check:
            print(f"would reformat {result.path}", file=sys.stderr)
        else:
            try:
                write_file(path, result.text)
            except OSError as err:
                print(f"policyc: {path}: {err.strerror or err}", file=sys.stderr)
                return EXIT_TROUBLE
            print(f"reformatted {result.path}", file=sys.stderr)
    if refused or ((args.check or args.diff) and changed):
        return EXIT_FINDINGS
    return EXIT_OK
