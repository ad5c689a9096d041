"""Author Markdown, parsed safely: what the Markdown and HTML backends share.

Author Markdown (`text` fields) is parsed with markdown-it-py as CommonMark with raw HTML off and only
http(s), mailto and tel links kept. Bare web and e-mail addresses in plain text are found by
`split_links`. The template loader (the `--templates` folder first, then the package's templates)
is here too.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import escape

from policyc import TYPE_CHECKING
from policyc.patterns import regex

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

EMAIL = regex(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
WEB = regex(r"^https?://[^\s<>\"]+$", re.IGNORECASE)

SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_CONTROL = regex(r"[\x00-\x20\x7f]+")


def safe_link(url: str) -> bool:
    """Only http(s), mailto and tel links survive (no javascript:, data:, relative or protocol-relative)."""
    folded = _CONTROL.sub("", url).lower()
    return folded.startswith(SAFE_SCHEMES) and not folded.startswith(("http:///", "https:///"))


@cache
def author_parser() -> MarkdownIt:
    """CommonMark with raw HTML off and only safe link schemes (shared by the Markdown and HTML backends)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = safe_link  # type: ignore[method-assign]
    return md


def dedent_text(text: str) -> str:
    """Remove the common indentation of the lines after the first (a `\"\"\"` block starts on its line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    first, _, rest = text.partition("\n")
    return f"{first.strip()}\n{textwrap.dedent(rest)}" if rest else first.strip()


def parse_author(text: str, level: int) -> list[Token]:
    """Author Markdown as tokens; its headings are moved below `level` and step down one at a time."""
    tokens = author_parser().parse(dedent_text(text))
    previous = level
    first: int | None = None
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            original = int(token.tag[1:])
            if token.type == "heading_open":
                first = original if first is None else min(first, original)
                wanted = level + 1 + (original - first)
                new = max(level + 1, min(wanted, previous + 1, 6))
                previous = new
                token.meta["level"] = new
            else:
                new = previous
            token.tag = f"h{min(new, 6)}"
            token.markup = "#" * min(new, 6)
    return tokens


def close_index(tokens: Sequence[Token], start: int) -> int:
    """The index of the token that closes the one at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


_LINKISH = regex(
    r"(?P<url>(?<![\w/])https?://[^\s<>\"'`]+)"
    r"|(?P<www>(?<![\w./:@-])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[^\s<>\"'`]*)"
    r"|(?P<email>(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)"
)
_TRAILING = ".,:;!?*_~'\""


def split_links(text: str) -> list[tuple[str, str, str]]:
    """Text split into `("text", text, "")` and `("link", label, href)` parts: bare web and e-mail addresses."""
    if "@" not in text and "://" not in text and "www." not in text:
        return [("text", text, "")] if text else []  # no address can start anywhere in it
    parts: list[tuple[str, str, str]] = []
    position = 0
    for match in _LINKISH.finditer(text):
        label = match.group(0)
        end = match.end()
        if match.lastgroup != "email":
            while label and (label[-1] in _TRAILING or (label[-1] == ")" and label.count("(") < label.count(")"))):
                label = label[:-1]
                end -= 1
            if not label or label.endswith("://"):
                continue
        if match.start() > position:
            parts.append(("text", text[position:match.start()], ""))
        href = {"url": label, "www": f"https://{label}", "email": f"mailto:{label}"}[match.lastgroup or "url"]
        parts.append(("link", label, href))
        position = end
    if position < len(text):
        parts.append(("text", text[position:], ""))
    return parts


def links_html(text: str) -> str:
    """Plain text as HTML: escaped, with its bare web and e-mail addresses as links."""
    out: list[str] = []
    for kind, part, href in split_links(text):
        if kind == "link" and safe_link(href):
            out.append(f'<a href="{escape(href)}">{escape(part)}</a>')
        else:
            out.append(str(escape(part)))
    return "".join(out)


# Author Markdown without any Markdown syntax. Anywhere in the text: no character that starts inline
# syntax (code, emphasis, links and images, autolinks and raw HTML, entities, escapes) or a heading,
# block quote or fence, and no control character. At the start of a line: nothing that starts a list,
# a thematic break or a setext underline (`-`, `+`, `=`, `1.`, `1)`), and no indentation (an indented
# code block).
_SYNTAX_ANYWHERE = regex(r"[\\`*_\[\]<>&#~|\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SYNTAX_AT_START = regex(r"[-+=]|[0-9]{1,9}[.)]")


def plain_paragraphs(text: str) -> list[list[str]] | None:
    """The paragraphs of author Markdown `text` (dedented) as their lines, when it holds no Markdown
    syntax at all; None when it does, and only markdown-it can say what it means.

    CommonMark reads such text as paragraphs of plain text split at blank lines, each line a soft break
    from the next: the backends then write what they would write from markdown-it's tokens without
    loading it (tests/backends/test_author_plain.py compares the two on any text)."""
    if _SYNTAX_ANYWHERE.search(text) is not None:
        return None
    paragraphs: list[list[str]] = []
    lines: list[str] = []
    for line in text.split("\n"):
        if not line.strip(" "):
            if lines:
                paragraphs.append(lines)
                lines = []
        elif line != line.strip() or _SYNTAX_AT_START.match(line):
            return None
        else:
            lines.append(line)
    if lines:
        paragraphs.append(lines)
    return paragraphs


def environment_for(make: Callable[..., jinja2.Environment]) -> Callable[[Path | None], jinja2.Environment]:
    """A backend's template environment from `make(templates, auto_reload=...)`: the package's own is
    made once per process (its templates are compiled once and never change); one with a user's folder
    is made afresh each time, so that edits to the user's templates are seen."""
    package = cache(lambda: make(None, auto_reload=False))

    def environment(templates: Path | None) -> jinja2.Environment:
        return package() if templates is None else make(templates, auto_reload=True)

    return environment


def bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    """Where a backend's compiled templates are kept between runs (Jinja's own bytecode cache), or None
    when policyc's cache is off or its folder cannot be written.

    Jinja names each entry by the template's name and file and checks the source's digest, so an edited
    template is compiled again; the folder's name carries what else the compiled code depends on (the
    policyc and Jinja versions, and the backend, whose environment options differ)."""
    import hashlib
    import os

    from policyc import __version__, cachedir

    if not cachedir.enabled():
        return None
    digest = hashlib.sha256(f"{__version__}\n{jinja2.__version__}\n{kind}".encode()).hexdigest()[:16]
    folder = cachedir.cache_folder() / f"templates-{digest}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


def template_loader(templates: Path | None) -> jinja2.BaseLoader:
    """The user's template folder first (any template overridden by its file name), then the package's."""
    package = jinja2.PackageLoader("policyc.backends", "templates")
    if templates is None:
        return package
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates)), package])
