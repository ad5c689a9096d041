"""`policyc lsp`: the language server. Its modules import pygls, so this one imports them only when run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the language server on standard input and output until the client says `exit`."""
    parser = argparse.ArgumentParser(prog="policyc lsp", description="Run the policyc language server over stdio.")
    parser.add_argument("--stdio", action="store_true", help="talk over standard input and output (the default)")
    parser.parse_known_args(argv)  # editors add options of their own (such as --clientProcessId); ignore them
    try:
        from policyc.lsp.server import serve
    except ImportError as err:
        if err.name and err.name.split(".")[0] in ("pygls", "lsprotocol", "cattrs", "attrs"):
            print(f"policyc lsp: the language server needs pygls ({err}); install it with "
                  "`pip install 'policyc[lsp]'`", file=sys.stderr)
            return 2
        raise
    return serve()
