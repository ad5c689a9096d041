"""The `policyc` command line: check (and, as they land, build, fmt, diff, explain, lsp).

Exit codes: 0 no errors; 1 errors (or warnings with --strict); 2 usage, I/O or internal error.
Imports are kept inside the commands so that start-up stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from policyc import __version__

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_TROUBLE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"policyc: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_TROUBLE)


def _arguments() -> argparse.ArgumentParser:
    parser = _Parser(prog="policyc", description="Compile and check privacy policies written as code.")
    parser.add_argument("--version", action="version", version=f"policyc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser("check", help="parse, resolve and check policies",
                                description="Check .policy files; a folder means every *.policy under it.")
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                       help="how to print the diagnostics (default: text)")
    check.add_argument("--strict", action="store_true", help="warnings also fail the check (exit 1)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour in text output (default: auto, which honours NO_COLOR)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments().parse_args(argv)
    if args.command is None:
        _arguments().print_help(sys.stderr)
        return EXIT_TROUBLE
    try:
        if args.command == "check":
            return _check(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_TROUBLE
    except Exception as err:  # noqa: BLE001 - the one place an internal error becomes a one-line report
        print(f"policyc: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("policyc: this is a bug in policyc; please report it with the file that caused it",
              file=sys.stderr)
        return EXIT_TROUBLE
    return EXIT_TROUBLE


def _check(args: argparse.Namespace) -> int:
    from policyc.diagnostics import render
    from policyc.driver import check_files, discover
    from policyc.source import SourceError

    try:
        files = discover(args.paths)
        if not files:
            print(f"policyc: no .policy files in {' '.join(args.paths)}", file=sys.stderr)
            return EXIT_TROUBLE
        result = check_files(files)
    except SourceError as err:
        print(f"policyc: {err}", file=sys.stderr)
        return EXIT_TROUBLE
    out = sys.stdout
    if args.format == "json":
        out.write(render.render_json(result.diagnostics, len(result.files)))
    elif args.format == "sarif":
        out.write(render.render_sarif(result.diagnostics, tool_version=__version__, root=os.getcwd()))
    elif args.format == "github":
        out.write(render.render_github(result.diagnostics, root=os.getcwd()))
    else:
        color = args.color == "always" or (args.color == "auto" and render.use_color(out))
        text = render.render_text(result.diagnostics, result.sources, color=color)
        if text:
            out.write(text if text.endswith("\n") else text + "\n")
        summary = render.render_summary(result.errors, result.warnings, len(result.files), color)
        print(summary, file=sys.stderr if result.diagnostics else out)
    failed = result.errors > 0 or (args.strict and result.warnings > 0)
    return EXIT_FINDINGS if failed else EXIT_OK
