"""Markdown safety: author text as Markdown that shows exactly that text and never becomes live markup.

Every plain value is escaped (Markdown punctuation backslash-escaped; `<`, `>` and `&` as entities;
bare web and e-mail addresses wrapped as autolinks). Author Markdown is parsed with markdown-it-py
(`policyc.backends.author`) and written back out as Markdown from its tokens, every piece of text
escaped again, so nothing the author wrote reaches the output unparsed.
"""

from __future__ import annotations

from collections.abc import Sequence

from policyc import TYPE_CHECKING
from policyc.backends.author import (
    EMAIL,
    WEB,
    author_parser,
    close_index,
    dedent_text,
    parse_author,
    plain_paragraphs,
    safe_link,
    split_links,
)
from policyc.patterns import regex

if TYPE_CHECKING:
    from markdown_it.token import Token


class MdSafe(str):
    """Markdown that is already safe to print (the Markdown counterpart of markupsafe.Markup)."""

    __slots__ = ()


_MD_PUNCTUATION = set("\\`*[]|~#")
_LIST_MARKER = regex(r"^(\d{1,9})([.)])(?=\s|$)")


_NEEDS_ESCAPE = regex(r"[\\`*\[\]|~#_<>&]")
_BACKTICKS = regex(r"`+")


def _longest_backtick_run(content: str) -> int:
    """The most backticks in a row in `content`: a code fence or span around it needs one more."""
    return max((len(run) for run in _BACKTICKS.findall(content)), default=0)


def _escape_chars(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:  # most text: nothing to escape
        return str.__str__(text)  # a plain str, as the join below gives
    out: list[str] = []
    for index, ch in enumerate(text):
        if ch in _MD_PUNCTUATION:
            out.append("\\" + ch)
        elif ch == "_":
            inner = 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()
            out.append("_" if inner else "\\_")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        else:
            out.append(ch)
    return "".join(out)


def _escape_start(text: str) -> str:
    """Escape what would start a block at the start of a line: `-`, `+`, `=`, `1.` and `1)`."""
    if text[:1] in ("-", "+", "="):
        return "\\" + text
    match = _LIST_MARKER.match(text)
    if match:
        return f"{match.group(1)}\\{text[len(match.group(1)):]}"
    return text


# A telephone link as the notice makes them (`tel:` and the number's digits): nothing to normalise.
_TEL = regex(r"tel:\+?[0-9]+")


def md_url(url: str) -> str:
    """A link destination that cannot end early: spaces, brackets and parentheses percent-encoded."""
    url = url.strip()
    if _TEL.fullmatch(url):
        return url
    encoded = author_parser().normalizeLink(url)
    for ch, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), (" ", "%20"), ("\\", "%5C"),
                     ("`", "%60"), ("|", "%7C")):
        encoded = encoded.replace(ch, code)
    return encoded


def md_link(label: str, href: str, plain_label: bool = True) -> str:
    """A safe Markdown link; an unsafe target leaves the label as text."""
    text = md_escape(label, links=False) if plain_label else label
    if not safe_link(href):
        return text
    if plain_label and _autolinkable(label, href):
        return f"<{label}>"
    return f"[{text or md_escape(href, links=False)}]({md_url(href)})"


def _autolinkable(label: str, href: str) -> bool:
    if href == label and WEB.match(label):
        return not any(c in label for c in "<> \\`|")
    return href == f"mailto:{label}" and bool(EMAIL.match(label)) and "|" not in label and "`" not in label


def md_escape(value: object, links: bool = True) -> str:
    """Plain author text as Markdown that shows exactly that text (one line; bare addresses as autolinks)."""
    if isinstance(value, MdSafe):
        return str(value)
    text = " ".join(("" if value is None else str(value)).split())
    if not text:
        return ""
    parts = split_links(text) if links else [("text", text, "")]
    joined = "".join(md_link(part, href) if kind == "link" else _escape_chars(part) for kind, part, href in parts)
    return _escape_start(joined) if parts[0][0] == "text" else joined


class _MdWriter:
    """Writes markdown-it tokens back out as clean Markdown (every author string escaped again)."""

    def __init__(self, table: bool = False) -> None:
        self.table = table

    def blocks(self, tokens: Sequence[Token], start: int, stop: int) -> list[list[str]]:
        """The block tokens from `start` to `stop`, each block as its lines."""
        out: list[list[str]] = []
        index = start
        while index < stop:
            token = tokens[index]
            end = close_index(tokens, index) if token.nesting == 1 else index
            kind = token.type
            if kind == "paragraph_open":
                text = self.inline(tokens[index + 1].children or [])
                if text.strip():
                    out.append(text.split("\n"))
            elif kind == "heading_open":
                text = self.inline(tokens[index + 1].children or []).replace("\n", " ")
                if text.strip():
                    out.append([f"{token.markup or '#'} {text.strip()}"])
            elif kind in ("bullet_list_open", "ordered_list_open"):
                out.append(self.list_block(tokens, index, end, ordered=kind == "ordered_list_open"))
            elif kind == "blockquote_open":
                inner = self.join(self.blocks(tokens, index + 1, end))
                out.append([f"> {line}" if line else ">" for line in inner])
            elif kind in ("code_block", "fence"):
                out.append(self.code(token.content))
            elif kind == "hr":
                out.append(["---"])
            elif kind == "inline":
                text = self.inline(token.children or [])
                if text.strip():
                    out.append(text.split("\n"))
            index = end + 1
        return out

    @staticmethod
    def join(blocks: list[list[str]]) -> list[str]:
        """Blocks separated by blank lines."""
        lines: list[str] = []
        for block in blocks:
            if lines:
                lines.append("")
            lines.extend(block)
        return lines

    def list_block(self, tokens: Sequence[Token], start: int, stop: int, ordered: bool) -> list[str]:
        lines: list[str] = []
        number = 0
        index = start + 1
        loose = any(t.type == "paragraph_open" and not t.hidden and t.level == tokens[start].level + 2
                    for t in tokens[start:stop])
        while index < stop:
            if tokens[index].type != "list_item_open":
                index += 1
                continue
            end = close_index(tokens, index)
            number += 1
            # Keep the author's `.` or `)`: two ordered lists in a row stay two lists.
            delimiter = ")" if tokens[index].markup == ")" else "."
            marker = f"{number}{delimiter} " if ordered else "- "
            blocks = self.blocks(tokens, index + 1, end)
            body = (self.join(blocks) if loose else [line for block in blocks for line in block]) or [""]
            if lines and loose:
                lines.append("")
            pad = " " * len(marker)
            lines.append(f"{marker}{body[0]}".rstrip())
            lines.extend(f"{pad}{line}" if line else "" for line in body[1:])
            index = end + 1
        return lines

    def code(self, content: str) -> list[str]:
        body = content.replace("\t", "    ").rstrip("\n").split("\n")
        if any(c in content for c in "<>&"):
            # Never print author `<`, `>` or `&` unescaped, even in code: show the lines as escaped text.
            shown = [_escape_start(escaped) for escaped in (md_escape(line, links=False) for line in body) if escaped]
            return [f"{line}\\" for line in shown[:-1]] + shown[-1:]
        longest = _longest_backtick_run(content)
        fence = "`" * max(3, longest + 1)
        return [f"{fence}text", *(line.rstrip() for line in body), fence]

    def inline(self, children: Sequence[Token]) -> str:
        out: list[str] = []
        index = 0
        while index < len(children):
            token = children[index]
            kind = token.type
            if kind in ("text", "text_special"):
                out.append(md_escape_inline(token.content, links=True))
            elif kind == "softbreak":
                out.append(" ")
            elif kind == "hardbreak":
                out.append(" " if self.table else "\\\n")
            elif kind == "code_inline":
                out.append(self.code_span(token.content))
            elif kind in ("em_open", "em_close"):
                out.append("*")
            elif kind in ("strong_open", "strong_close"):
                out.append("**")
            elif kind == "link_open":
                end = index + 1
                depth = 1
                while end < len(children):
                    depth += children[end].nesting if children[end].type in ("link_open", "link_close") else 0
                    if depth == 0:
                        break
                    end += 1
                href = str(token.attrGet("href") or "")
                label_tokens = children[index + 1:end]
                if token.markup == "autolink":
                    label = "".join(t.content for t in label_tokens)
                    out.append(md_link(label, href))
                else:
                    label = _MdWriter(self.table).inline_plain(label_tokens).strip()
                    out.append(md_link(label, href, plain_label=False) if label else md_link(href, href))
                index = end
            elif kind == "image":
                alt = _MdWriter(self.table).inline_plain(token.children or []).strip()
                src = str(token.attrGet("src") or "")
                out.append(md_link(alt, src, plain_label=False) if alt else md_link(src, src))
            index += 1
        return "\n".join(_escape_start(line.strip()) for line in "".join(out).split("\n"))

    def inline_plain(self, children: Sequence[Token]) -> str:
        """A link's label: its formatting kept, no links inside a link."""
        out: list[str] = []
        for token in children:
            if token.type in ("text", "text_special"):
                out.append(md_escape_inline(token.content, links=False))
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            elif token.type == "code_inline":
                out.append(self.code_span(token.content))
            elif token.type in ("em_open", "em_close"):
                out.append("*")
            elif token.type in ("strong_open", "strong_close"):
                out.append("**")
            elif token.type == "image":
                out.append(self.inline_plain(token.children or []))
        return "".join(out)

    def code_span(self, content: str) -> str:
        if not content.strip() or any(c in content for c in "<>&") or (self.table and "|" in content):
            return md_escape_inline(content, links=False)
        longest = _longest_backtick_run(content)
        fence = "`" * (longest + 1)
        pad = " " if content[0] == "`" or content[-1] == "`" or (content[0] == " " and content[-1] == " ") else ""
        return f"{fence}{pad}{content}{pad}{fence}"


def md_escape_inline(text: str, links: bool) -> str:
    """Like md_escape, for a piece of a line: whitespace kept as single spaces at the ends too."""
    if not text:
        return ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and text.strip() else ""
    core = " ".join(text.split())
    if not core:
        return " "
    out: list[str] = []
    for kind, part, href in split_links(core) if links else [("text", core, "")]:
        out.append(md_link(part, href) if kind == "link" else _escape_chars(part))
    return lead + "".join(out) + trail


def md_prose(text: object, level: int = 2) -> MdSafe:
    """Author Markdown as safe Markdown blocks, its headings placed below `level`."""
    if isinstance(text, MdSafe):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return MdSafe("")
    paragraphs = plain_paragraphs(dedent_text(source))
    if paragraphs is not None:  # no Markdown syntax: what the tokens would give, without markdown-it
        return MdSafe("\n\n".join(_plain_paragraph(lines) for lines in paragraphs))
    return MdSafe(prose_from_tokens(source, level))


def prose_from_tokens(source: str, level: int) -> str:
    """Author Markdown as Markdown blocks, written from markdown-it's tokens."""
    tokens = parse_author(source, level)
    writer = _MdWriter()
    return "\n".join(writer.join(writer.blocks(tokens, 0, len(tokens)))).strip("\n")


def _plain_paragraph(lines: list[str]) -> str:
    """A paragraph of plain text on one line, as `_MdWriter` writes it (a soft break is a space)."""
    return _escape_start(" ".join(md_escape_inline(line, links=True) for line in lines).strip())


def md_inline(text: object) -> MdSafe:
    """Author Markdown on one line (for a list item or a table cell): its blocks joined with spaces."""
    if isinstance(text, MdSafe):
        return text
    source = "" if text is None else str(text)
    if not source.strip():
        return MdSafe("")
    paragraphs = plain_paragraphs(dedent_text(source))
    if paragraphs is not None:
        return MdSafe(" ".join(_plain_paragraph(lines) for lines in paragraphs))
    return MdSafe(inline_from_tokens(source))


def inline_from_tokens(source: str) -> str:
    """Author Markdown on one line, written from markdown-it's tokens."""
    tokens = author_parser().parse(dedent_text(source))
    writer = _MdWriter(table=True)
    parts = [writer.inline(t.children or []).replace("\\\n", " ").replace("\n", " ")
             for t in tokens if t.type == "inline"]
    code = [t.content for t in tokens if t.type in ("code_block", "fence")]
    parts.extend(md_escape(c, links=False) for c in code)
    return " ".join(p.strip() for p in parts if p.strip())


def md_heading(value: object) -> MdSafe:
    """A heading's text: escaped, without the trailing full stop or colon that markdownlint refuses (MD026)."""
    text = " ".join(("" if value is None else str(value)).split()).rstrip(".,;:!。，；：！ ")
    return MdSafe(md_escape(text) or "Untitled")


def md_finalize(value: object) -> str:
    """Every `{{ ... }}` in a Markdown template goes through here: escaped unless already safe."""
    if isinstance(value, MdSafe):
        return value
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    return md_escape(value)


def normalise_markdown(text: str) -> str:
    """No trailing spaces, no runs of blank lines, no blank lines at the start, one newline at the end."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
