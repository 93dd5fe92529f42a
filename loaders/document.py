"""The shared model of a parsed page: document, statements, blocks, notes.

The plain-text, Markdown and HTML front ends each turn their input into one
:class:`Page`; everything after that (footnotes, recommendations, actors,
events, tags, triples) works on the model and never on the raw format.

Offsets are character offsets into :attr:`Page.text`, the decoded source
(end exclusive).  For plain text and Markdown a block's visible text *is*
``page.text[block.start:block.end]``; for HTML the visible text differs from
the source (tags, entities, collapsed spaces), so the block carries the
source offsets of each visible character.

>>> page = Page("a.txt", "Hello world.", "text")
>>> block = Block(BlockKind.PARAGRAPH, "Hello world.", 0, 12, 1)
>>> block.source_span(6, 11)
(6, 11)
>>> page.position(6)
(1, 7)
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    """What a block of text is."""

    PARAGRAPH = "paragraph"
    ITEM = "item"
    HEADING = "heading"


@dataclass(frozen=True)
class Marker:
    """A footnote marker as it stands in a block.

    :param label: the key it is matched by (``"xiv"``, ``"3"``, ``"note-a"``).
    :param printed: the marker as printed, without brackets (``"xiv"``, ``"^3"``).
    :param at: index in the block's visible text where the marker stands.
    :param start: source offset of the first character of the marker.
    :param end: source offset just past the marker.
    :param target: the anchor an HTML marker links to, ``""`` otherwise.
    """

    label: str
    printed: str
    at: int
    start: int
    end: int
    target: str = ""


@dataclass
class Block:
    """A paragraph, list item or heading of a statement.

    ``starts``/``ends`` give the source span of each visible character when the
    visible text is not a slice of the source (HTML); otherwise they are None.
    """

    kind: BlockKind
    text: str
    start: int
    end: int
    line: int
    markers: list[Marker] = field(default_factory=list)
    bullet: str = ""
    level: int = 0
    list_id: int = 0
    section: str = ""
    index: int = 0
    starts: Sequence[int] | None = None
    ends: Sequence[int] | None = None

    def source_span(self, a: int, b: int) -> tuple[int, int]:
        """Return the source offsets of the visible text ``text[a:b]``."""
        if self.starts is None or self.ends is None:
            return self.start + a, self.start + b
        if b <= a:
            at = self.starts[a] if a < len(self.starts) else self.end
            return at, at
        return self.starts[a], self.ends[b - 1]

    @property
    def is_item(self) -> bool:
        return self.kind is BlockKind.ITEM

    @property
    def is_heading(self) -> bool:
        return self.kind is BlockKind.HEADING


@dataclass
class Note:
    """A footnote definition: the text printed for a marker.

    :param scope: the :attr:`Block.index` of the block an inline note is
        printed in (its markers resolve there first); ``None`` for notes of a
        note list or appendix.
    :param statement: index of the statement the note list belongs to.
    """

    label: str
    printed: str
    text: str
    start: int
    end: int
    line: int
    anchor: str = ""
    scope: int | None = None
    statement: int = 0


@dataclass
class Statement:
    """A titled post, article or statement of a page."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    title_start: int | None = None
    title_end: int | None = None
    line: int = 1
    date: str = ""
    authors: list[str] = field(default_factory=list)

    def passages(self) -> Iterator[Block]:
        """The blocks that are passages: paragraphs and list items."""
        return (b for b in self.blocks if not b.is_heading)


@dataclass
class Page:
    """A parsed document: its text, statements and footnote definitions."""

    name: str
    text: str
    format: str
    title: str = ""
    statements: list[Statement] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    publisher: str = ""
    skipped: list[tuple[str, int]] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _count: int = field(default=0, repr=False)

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column of source offset ``offset``."""
        if not self._line_starts:
            self._line_starts = [0]
            at = self.text.find("\n")
            while at >= 0:
                self._line_starts.append(at + 1)
                at = self.text.find("\n", at + 1)
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_of(self, offset: int) -> int:
        return self.position(offset)[0]

    def blocks(self) -> Iterator[tuple[int, Block]]:
        """Every block with the index of its statement, in document order."""
        for number, statement in enumerate(self.statements):
            for block in statement.blocks:
                yield number, block

    def add(self, statement: Statement, block: Block) -> Block:
        """Append ``block`` to ``statement``, giving it the next document-wide index."""
        self._count += 1
        block.index = self._count
        statement.blocks.append(block)
        return block

    def finish(self) -> None:
        """Drop empty untitled statements and give blocks their section heading."""
        kept = [n for n, s in enumerate(self.statements) if s.blocks or s.title]
        renumber = {old: new for new, old in enumerate(kept)}
        for note in self.notes:
            note.statement = renumber.get(note.statement, 0)
        self.statements = [self.statements[n] for n in kept]
        for statement in self.statements:
            section = ""
            for block in statement.blocks:
                if block.is_heading:
                    section = block.text
                block.section = section
