"""The notice as sections of statements: what the Markdown and HTML backends render, and nothing else.

A *statement* is one published sentence (or one fact of a list or a table cell). It carries:

- its `kind`: `fact` (the policy says it), `derived` (the law derives it from facts of the policy,
  such as a right that a lawful basis gives), `law` (the text of the law in force, from its
  standard-library declaration) or `guide` (words that lead the reader to the facts right after
  them, backed by those facts);
- its `parts`: the words to show, as plain text, author Markdown, links and references to other
  parts of the notice; the renderers escape each part for their format;
- its `backing`: the model facts it states, each with the source span it comes from (law text
  points at its standard-library declaration).

A statement with no backing is a bug; `policyc build --trace` writes the backing of every
statement next to the notice.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from policyc.diagnostics.model import Span
from policyc.records import field, record

Kind = Literal["fact", "derived", "law", "guide"]


# --- parts of a statement -------------------------------------------------------------------


@record(frozen=True, slots=True)
class Words:
    """Plain text: compiler English, or an author's plain string. Escaped by every renderer."""

    text: str
    type: ClassVar[str] = "words"


@record(frozen=True, slots=True)
class Markdown:
    """Author Markdown shown inline (a list item, a table cell). Parsed safely by the renderer."""

    text: str
    type: ClassVar[str] = "markdown"


@record(frozen=True, slots=True)
class Link:
    """A link: a web, e-mail or telephone address (an unsafe target is shown as text)."""

    text: str
    href: str
    type: ClassVar[str] = "link"


@record(frozen=True, slots=True)
class See:
    """A reference to another part of the notice, shown as its title in quotes and linked in HTML."""

    target: str  # the anchor id
    title: str
    quoted: bool = True  # a part of the notice in quotes; False: an entity's name, linked in HTML
    type: ClassVar[str] = "see"


Part = Words | Markdown | Link | See


@record(frozen=True, slots=True)
class Backing:
    """One model fact a statement states, and where the source says it."""

    fact: str  # `purpose:orders:retain`, `right:complain:summary`, ...
    span: Span


@record(slots=True)
class Statement:
    """One sentence or cell of the notice: its kind, its parts, and the facts that back it."""

    kind: Kind
    parts: tuple[Part, ...]
    backing: tuple[Backing, ...]
    label: str = ""  # the label of a list item or table column (`Legal basis`), not part of the sentence

    @property
    def text(self) -> str:
        """The statement as plain text (for the trace and for tests)."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, See):
                out.append(f"“{part.title}”" if part.quoted else part.title)
            else:
                out.append(part.text)
        return "".join(out)

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b.fact for b in self.backing))


# --- blocks ---------------------------------------------------------------------------------


@record(slots=True)
class Paragraph:
    """Sentences of one paragraph."""

    statements: list[Statement]  # sentences of one paragraph
    type: ClassVar[str] = "paragraph"


@record(slots=True)
class Prose:
    """Author Markdown as blocks (a description, a `text` field), its headings placed below `level`."""

    statement: Statement
    level: int
    type: ClassVar[str] = "prose"


@record(slots=True)
class Items:
    """A bulleted list of statements (each may have a label)."""

    statements: list[Statement]
    type: ClassVar[str] = "items"


@record(slots=True)
class Row:
    """A row of a table: its header, its cells, and its anchors."""

    header: Statement
    cells: list[Statement | None]  # None: an empty cell (an optional fact the source does not give)
    target: str = ""  # the anchor the row's header links to
    id: str = ""  # the row's own anchor, for an entity that has no part of its own elsewhere


@record(slots=True)
class Table:
    """A table of the notice: its caption, columns and rows."""

    id: str
    caption: str
    columns: list[str]
    rows: list[Row]
    type: ClassVar[str] = "table"


@record(slots=True)
class Group:
    """A titled part of a section (a purpose, a right, a recipient), with its own anchor."""

    id: str
    title: str
    blocks: list[Block]
    level: int = 3
    heading: Statement | None = None  # the title as a statement, when it names an entity of the policy
    type: ClassVar[str] = "group"


Block = Paragraph | Prose | Items | Table | Group


@record(slots=True)
class Section:
    """A section of the notice: a standard section or the author's own, and its blocks."""

    key: str  # a standard section's key, or the author section's name
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    author: bool = False


@record(slots=True)
class Notice:
    """The whole notice, as statements, before it is rendered."""

    title: str
    language: str
    controller_name: str
    generator: str
    source: str
    stem: str
    meta: list[Statement]  # the version line under the title
    summary: Prose | None
    sections: list[Section]
    url: Statement | None = None  # where the notice is published

    def statements(self) -> list[tuple[str, Statement]]:
        """Every statement with the id of the section it is in, in reading order."""
        out: list[tuple[str, Statement]] = [("top", s) for s in self.meta]
        if self.summary is not None:
            out.append(("top", self.summary.statement))
        for section in self.sections:
            for statement in walk(section.blocks):
                out.append((section.id, statement))
        if self.url is not None:
            out.append(("top", self.url))
        return out


def walk(blocks: list[Block]) -> list[Statement]:
    """The statements of some blocks, in reading order."""
    out: list[Statement] = []
    for block in blocks:
        if isinstance(block, Paragraph | Items):
            out.extend(block.statements)
        elif isinstance(block, Prose):
            out.append(block.statement)
        elif isinstance(block, Table):
            for row in block.rows:
                out.append(row.header)
                out.extend(cell for cell in row.cells if cell is not None)
        elif isinstance(block, Group):
            if block.heading is not None:
                out.append(block.heading)
            out.extend(walk(block.blocks))
    return out
