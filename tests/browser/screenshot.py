"""Build the InfiSIM example as HTML and save a desktop screenshot of it (not a test).

    python tests/browser/screenshot.py docs/images/infisim.png [--full-page] [--dark]

Uses the same offline Chromium as the browser tests (/usr/bin/chromium or $POLICYC_CHROMIUM), at
1280x800; requests that would leave the machine are refused.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, EXAMPLES, LOCAL_SCHEMES, build_html


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the PNG file to write")
    parser.add_argument("--example", default="infisim", help="the folder under examples/ (default: infisim)")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not only the first screen")
    parser.add_argument("--dark", action="store_true", help="with the dark colour scheme")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        written = build_html([EXAMPLES / args.example], Path(folder))
        page_file = next(p for p in written if p.suffix == ".html" and p.name != "index.html")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=DESKTOP, color_scheme="dark" if args.dark else "light")
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL_SCHEMES) else r.abort())
            page = context.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            args.output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.output), full_page=args.full_page)
            browser.close()
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
