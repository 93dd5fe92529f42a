"""Plain text: a scrape of one or several posts, into the shared page model.

Blocks are separated by blank lines.  A block is

* a **title** (a new statement) when it is one short line that reads like a
  title: no final punctuation (or a single short sentence ending in a dot),
  at least half of its words capitalised, no sentence break inside, and a
  body after it;
* a **heading** inside a statement when it is lettered or numbered in roman
  (``A: Treaties ...``, ``C. Criminal Justice ...``) or a section word
  (``Recommendations``, ``Background``, ``Conclusion``);
* the statement's **date or byline** when it is a date alone (``8 March
  2023``) or a byline (``By X``, ``Published: ...``) right under the title;
* the start of a **note list** when it is a notes heading (``Appendix A:
  Footnotes``, ``Notes``, ``References``); the definitions follow, one per
  line (``[xiv] text``, ``[3] text`` or ``3. text``); a run of definitions
  at the end of a statement needs no heading;
* a **list item** when it starts with a bullet (``*``, ``•``, ``-``,
  ``1.``), or when it is a short unpunctuated line after a lead-in ending in
  a colon (``Topics addressed will include:``);
* otherwise a **paragraph**.  A paragraph that repeats one of its markers at
  a sentence start (``... [i]. [i] It is important ...``) ends there: the
  rest is an inline note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rightsgraph.loaders.bylines import parse_byline
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.dates import find_dates
from rightsgraph.loaders.document import Block, BlockKind, Note, Page, Statement
from rightsgraph.loaders.footnotes import (
    definition_start,
    find_markers,
    inline_note_start,
    is_notes_heading,
)
from rightsgraph.loaders.pages import load_page
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source

_BULLET = re.compile(r"[ \t]*(?:([*•◦▪‣·–-])[ \t]*(?=\S)|(\d{1,2}[.)]|[a-z][.)])[ \t]+(?=\S))")
_LETTERED = re.compile(r"(?:[A-Z]|[IVX]{1,4})[.:)][ \t]+\S")
_FINAL = ".:;,!?"
#: Headings that open a section of a statement, never a new statement.
_SECTION = re.compile(
    r"(?:our\s+)?(?:recommendations?|background|introduction|conclusions?|summary|context"
    r"|overview|key\s+findings|findings|methodology|demands|what\s+we\s+ask|calls?\s+to\s+action"
    r"|annex(?:\s+[a-z0-9]+)?)",
    re.IGNORECASE,
)
_QUOTES = "\"'“‘«"
_SENTENCE_BREAK = re.compile(r"[a-z0-9\])”’\"]{2}[.!?][\"”’]?\s+[\"“]?[A-Z]")
_WORD = re.compile(r"[^\W\d_][\w’'.\-/]*|\d+[a-z]*")
_SMALL_WORDS = frozenset(
    "a an the and or nor but of on in at to for with by from as is are vs via into "
    "during about over under per".split()
)
_PRONOUNS = frozenset("they we it he she you i this these those there".split())
_MAX_TITLE = 200
_MAX_PERIOD_TITLE = 100
_MAX_IMPLICIT_ITEM = 80


@dataclass
class _Segment:
    start: int  # first character of the content (after any bullet)
    end: int
    line_start: int  # first non-blank character of the first line
    line: int
    bullet: str
    lines: int

    def text(self, source: str) -> str:
        return source[self.start:self.end]

    def raw(self, source: str) -> str:
        return source[self.line_start:self.end]


def load_text(source: Source, context: LoadContext) -> Loaded:
    """Load a plain-text page (format ``text``)."""
    return load_page(source, context, "text", parse_text)


def parse_text(name: str, text: str) -> Page:
    """Parse plain ``text`` (already decoded) into a :class:`Page`."""
    page = Page(name, text, "text")
    segments = _segments(text)
    _Builder(page, segments).run()
    page.finish()
    if len(page.statements) == 1 and page.statements[0].title:
        page.title = page.statements[0].title
    return page


def _segments(text: str) -> list[_Segment]:
    """Cut the text into blocks at blank lines, and at bullets and definitions."""
    segments: list[_Segment] = []
    current: _Segment | None = None
    offset = 0
    number = 0
    for raw_line in text.splitlines(keepends=True):
        number += 1
        line_start, offset = offset, offset + len(raw_line)
        content = raw_line.rstrip("\r\n")
        if not content.strip():
            current = None
            continue
        indent = len(content) - len(content.lstrip())
        bullet = _BULLET.match(content)
        starts_item = bullet is not None or definition_start(content.lstrip()) is not None
        end = line_start + len(content.rstrip())
        if current is None or starts_item:
            body = line_start + (bullet.end() if bullet else indent)
            marker = (bullet.group(1) or bullet.group(2)) if bullet else ""
            current = _Segment(body, end, line_start + indent, number, marker, 1)
            segments.append(current)
        else:
            current.end = end
            current.lines += 1
    return segments


class _Builder:
    def __init__(self, page: Page, segments: list[_Segment]) -> None:
        self.page = page
        self.text = page.text
        self.segments = segments
        self.statement = Statement("")
        page.statements.append(self.statement)
        self.notes_mode = False
        self.lead_in = False
        self.list_id = 0
        self.labels_seen: set[str] = set()

    def run(self) -> None:
        for number, segment in enumerate(self.segments):
            following = self.segments[number + 1] if number + 1 < len(self.segments) else None
            self._take(segment, following)

    def _take(self, segment: _Segment, following: _Segment | None) -> None:
        text = segment.text(self.text)
        if self.notes_mode:
            if self._note(segment, numbered=True):
                return
            self.notes_mode = False
        if segment.lines == 1 and not segment.bullet and is_notes_heading(text):
            self.notes_mode = True
            self._block(BlockKind.HEADING, segment)
            return
        definition = definition_start(segment.raw(self.text))
        if definition and definition[0] in self.labels_seen and self._note(segment):
            return
        if self._byline(segment, text):
            return
        if not segment.bullet and segment.lines == 1 and (
                _SECTION.fullmatch(text.strip().rstrip(":")) or _LETTERED.match(text)
                and _title_like(text, allow_period=False)):
            self._block(BlockKind.HEADING, segment)
            return
        if self._is_title(segment, following):
            self._new_statement(segment)
            return
        if segment.bullet or self._implicit(segment, following):
            self._item(segment)
            return
        self._paragraph(segment)

    # ---------------------------------------------------------------- kinds

    def _is_title(self, segment: _Segment, following: _Segment | None) -> bool:
        if segment.bullet or segment.lines != 1 or following is None:
            return False
        if self._implicit(segment, following):
            return False
        if not _title_like(segment.text(self.text), allow_period=True):
            return False
        after = following.text(self.text)
        if parse_byline(after) or _date_line(after):
            return True  # a title, then its date or byline
        return not following.bullet and not _title_like(after, allow_period=False)

    def _byline(self, segment: _Segment, text: str) -> bool:
        """A date or byline line right under a title dates or signs the statement."""
        statement = self.statement
        if segment.lines != 1 or segment.bullet or statement.blocks or not statement.title:
            return False
        found = parse_byline(text) or _date_line(text)
        if found is None:
            return False
        statement.authors = statement.authors or found[0]
        statement.date = statement.date or found[1]
        return True

    def _implicit(self, segment: _Segment, following: _Segment | None) -> bool:
        """An unbulleted item: a short line in a run of two or more after a lead-in."""
        if segment.lines != 1 or not _implicit_item(segment.text(self.text)):
            return False
        previous = self.statement.blocks[-1] if self.statement.blocks else None
        if previous is not None and previous.is_item and not previous.bullet:
            return True
        return self.lead_in and following is not None and following.lines == 1 \
            and not following.bullet and _implicit_item(following.text(self.text))

    def _new_statement(self, segment: _Segment) -> None:
        self.statement = Statement(
            segment.text(self.text), title_start=segment.start, title_end=segment.end,
            line=segment.line,
        )
        self.page.statements.append(self.statement)
        self.lead_in = False
        self.notes_mode = False

    def _block(self, kind: BlockKind, segment: _Segment, end: int | None = None) -> Block:
        stop = segment.end if end is None else end
        text = self.text[segment.start:stop]
        block = Block(kind, text, segment.start, stop, segment.line, bullet=segment.bullet)
        block.markers = find_markers(text, base=segment.start)
        self.labels_seen.update(m.label for m in block.markers)
        if kind is not BlockKind.ITEM:
            self.lead_in = kind is BlockKind.PARAGRAPH and text.rstrip().endswith(":")
        return self.page.add(self.statement, block)

    def _item(self, segment: _Segment) -> None:
        previous = self.statement.blocks[-1] if self.statement.blocks else None
        if previous is None or not previous.is_item:
            self.list_id += 1
        block = self._block(BlockKind.ITEM, segment)
        block.list_id = self.list_id

    def _paragraph(self, segment: _Segment) -> None:
        text = segment.text(self.text)
        markers = find_markers(text, base=segment.start)
        split = inline_note_start(text, markers)
        if split is None:
            self._block(BlockKind.PARAGRAPH, segment)
            return
        end = split.start
        while end > segment.start and self.text[end - 1].isspace():
            end -= 1
        block = self._block(BlockKind.PARAGRAPH, segment, end)
        body = split.end
        while body < segment.end and self.text[body].isspace():
            body += 1
        self.page.notes.append(Note(
            split.label, split.printed, self.text[body:segment.end], body, segment.end,
            segment.line, scope=block.index, statement=len(self.page.statements) - 1,
        ))

    def _note(self, segment: _Segment, *, numbered: bool = False) -> bool:
        raw = segment.raw(self.text)
        found = definition_start(raw, numbered=numbered)
        if found is None:
            return False
        label, printed, body = found
        start = segment.line_start + body
        self.page.notes.append(Note(
            label, printed, self.text[start:segment.end], start, segment.end, segment.line,
            statement=len(self.page.statements) - 1,
        ))
        return True


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def capital_ratio(text: str) -> float:
    """Share of the words of ``text`` (small words aside) that start with a capital.

    >>> capital_ratio("Women Lead Network partners with Alquimia Global")
    0.8333333333333334
    """
    words = [w for w in _words(text) if w.lower() not in _SMALL_WORDS]
    if not words:
        return 0.0
    capitals = sum(1 for w in words if w[0].isupper() or w[0].isdigit())
    return capitals / len(words)


def _title_like(text: str, *, allow_period: bool) -> bool:
    text = text.strip()
    if not text or len(text) > _MAX_TITLE or text[0] in _QUOTES:
        return False
    if _SENTENCE_BREAK.search(text):
        return False
    words = _words(text)
    if not words or words[0].lower() in _PRONOUNS:
        return False
    if text[-1] in _FINAL:
        if not (allow_period and text[-1] == "." and len(text) <= _MAX_PERIOD_TITLE):
            return False
    return capital_ratio(text) >= 0.5


def _date_line(text: str) -> tuple[list[str], str] | None:
    """``8 March 2023`` alone on its line: no authors, that date."""
    dates = find_dates(text.strip())
    if len(dates) != 1 or dates[0].year is None or dates[0].day is None or dates[0].is_range:
        return None
    rest = text.strip()[:dates[0].start] + text.strip()[dates[0].end:]
    found = dates[0].dates(dates[0].year)
    if rest.strip(" ,.") or found is None:
        return None
    return [], found[0].isoformat()


def _implicit_item(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= _MAX_IMPLICIT_ITEM and text[-1] not in _FINAL
