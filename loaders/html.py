"""HTML pages into the shared page model (stdlib :mod:`html.parser`).

* Skipped: ``nav``, ``footer``, ``script``, ``style``, ``aside``, ``form``,
  ``noscript``, ``template``, ``svg``, ``iframe``, ``button``, hidden
  elements, and a page-level ``header``.  Scripts are reported.
* Statements: each ``<article>``, else the ``<main>`` (or ``<body>``) as one
  statement.  Its title is its first heading; the ``header`` of an article,
  a ``<time datetime>`` and elements whose class or rel names a byline,
  author or date give its authors and date and are not passages.
* Blocks: ``p``, ``li``, ``h1``–``h6``, ``blockquote``, ``dd``, ``td`` and
  text standing directly in other containers.
* Footnote markers: a ``<sup>`` or an in-page link (``<sup><a
  href="#ref1">1</a></sup>``, ``<a href="#fn2"><sup>2</sup></a>``) whose text
  is a number, a roman numeral or ``[n]``; also ``[3]`` in the text.  The
  marker is not part of the visible text.  Definitions: the items of a list
  under a notes heading or in an element whose class or id says footnotes,
  notes, references, endnotes or sources, and any element whose id a marker
  links to.  Back-links (``↩``) are dropped.

Offsets are into the HTML source: a block runs from its first to just past
its last visible character, and its rg:text is the visible text (entities
decoded, white space collapsed), not the source slice.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from rightsgraph.loaders.bylines import parse_byline
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.document import Block, BlockKind, Marker, Note, Page, Statement
from rightsgraph.loaders.footnotes import find_markers, is_notes_heading, marker_label
from rightsgraph.loaders.pages import load_page
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source

_SKIPPED = frozenset("nav footer script style aside form noscript template svg iframe button "
                     "select textarea head object canvas".split())
_BLOCKS = frozenset("p li h1 h2 h3 h4 h5 h6 blockquote dd dt td th figcaption pre".split())
_CONTAINERS = frozenset("div section article main body header ul ol dl table tr tbody thead "
                        "figure address details summary".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_NOTES = re.compile(r"foot-?notes?|end-?notes?|references?|\bnotes?\b|citations?|sources"
                    r"|bibliography", re.IGNORECASE)
_BYLINE = re.compile(r"byline|author|posted|published|post-meta|entry-meta|\bmeta\b|\bdate\b",
                     re.IGNORECASE)
_NOTE_ID = re.compile(r"^(?:fn|ref|note|endnote|_ftn|cite_note|footnote)[-_:]?\w+$", re.IGNORECASE)
_MARKER_TEXT = re.compile(r"^\[?\s*([0-9]{1,3}|[ivxlcIVXLC]{1,8})\s*\]?$")
_BACKLINK = re.compile(r"^(?:↩\ufe0e?|↑|\^|back)$", re.IGNORECASE)


def load_html(source: Source, context: LoadContext) -> Loaded:
    """Load an HTML page (format ``html``)."""
    return load_page(source, context, "html", parse_html)


def parse_html(name: str, text: str) -> Page:
    """Parse HTML ``text`` into a :class:`Page`."""
    parser = _Parser(Page(name, text, "html"))
    parser.feed(text)
    parser.close()
    return parser.finish()


@dataclass
class _Buffer:
    """Visible text being gathered for one block, with source offsets per character."""

    kind: str
    tag: str
    line: int
    chars: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    markers: list[tuple[str, str, int, int, int, str]] = field(default_factory=list)
    anchor: str = ""
    byline: bool = False
    note: bool = False
    ordinal: int = 0

    def add(self, char: str, start: int, end: int) -> None:
        if char.isspace():
            if not self.chars or self.chars[-1] == " ":
                return
            char = " "
        self.chars.append(char)
        self.starts.append(start)
        self.ends.append(end)

    def text(self) -> str:
        while self.chars and self.chars[-1] == " ":
            self.chars.pop()
            self.starts.pop()
            self.ends.pop()
        return "".join(self.chars)


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    skip: bool = False
    article: bool = False
    notes: bool = False
    byline: bool = False
    header: bool = False
    counter: int = 0
    ordinal: int = 0


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=False)
        self.page = page
        self.source = page.text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", page.text)]
        self.stack: list[_Element] = []
        self.buffer: _Buffer | None = None
        self.articles = 0
        self.article_statement: Statement | None = None
        self.main = Statement("")
        self.heading_is_notes = False
        self.list_id = 0
        self.title_text = ""
        self.in_title = False
        self.marker_target = ""
        self.marker_depth = 0

    # ------------------------------------------------------------ positions

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column if line - 1 < len(self.line_starts) else len(
            self.source)

    # ------------------------------------------------------------ tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        parent = self.stack[-1] if self.stack else None
        element = _Element(tag, values)
        element.skip = bool(parent and parent.skip) or self._skipped(tag, values, parent)
        if tag == "script":
            self.page.skipped.append(("script", self._offset()))
        element.article = bool(parent and parent.article) or tag == "article"
        marks = " ".join((values.get("class", ""), values.get("id", ""), values.get("role", "")))
        element.notes = bool(parent and parent.notes) or bool(_NOTES.search(marks)) or (
            tag in ("ol", "ul") and self.heading_is_notes)
        element.byline = bool(parent and parent.byline) or bool(
            _BYLINE.search(marks + " " + values.get("rel", "")))
        element.header = bool(parent and parent.header) or tag == "header"
        if tag == "article" and not element.skip:
            self._flush()
            self.articles += 1
            self.article_statement = Statement("")
            self.page.statements.append(self.article_statement)
        if tag in ("ol", "ul"):
            element.counter = int(values["start"]) - 1 if values.get("start", "").isdigit() else 0
            if not element.notes:
                self.list_id += 1
        if tag == "title":
            self.in_title = True
        if tag == "time" and values.get("datetime") and not element.skip:
            self._time(values["datetime"], element)
        if tag == "meta" and (values.get("name", "").lower() == "author"
                              or values.get("property", "").lower() == "og:site_name"):
            self.page.publisher = self.page.publisher or values.get("content", "")
        if tag in _VOID:
            if tag == "br" and self.buffer is not None:
                self.buffer.add(" ", self._offset(), self._offset())
            return
        self.stack.append(element)
        if element.skip:
            return
        if tag in _BLOCKS or tag in _CONTAINERS:
            self._flush()
        if tag in _BLOCKS:
            self._open(tag, element)
        if tag == "sup" or (tag == "a" and values.get("href", "").startswith("#")):
            self.marker_depth += 1
            if tag == "a":
                self.marker_target = values["href"][1:]

    def _time(self, value: str, element: _Element) -> None:
        """A ``<time datetime>`` in a byline, or before any passage, dates the statement."""
        statement = self.article_statement if self.article_statement is not None else self.main
        if statement.date or not (element.byline or element.header or not statement.blocks):
            return
        statement.date = _iso(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(e.tag == tag for e in self.stack):
            return
        while self.stack:
            element = self.stack.pop()
            self._close(element)
            if element.tag == tag:
                break

    def _close(self, element: _Element) -> None:
        tag = element.tag
        if tag == "title":
            self.in_title = False
        if element.skip:
            return
        if tag == "sup" or (tag == "a" and element.attrs.get("href", "").startswith("#")):
            self.marker_depth = max(0, self.marker_depth - 1)
            if tag == "a":
                self.marker_target = ""
        if tag in _BLOCKS or tag in _CONTAINERS:
            self._flush()
        if tag == "article":
            self.article_statement = None

    @staticmethod
    def _skipped(tag: str, values: dict[str, str], parent: _Element | None) -> bool:
        if tag in _SKIPPED:
            return True
        if "hidden" in values or values.get("aria-hidden") == "true":
            return True
        return tag == "header" and not (parent and parent.article)

    # ------------------------------------------------------------ text

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_text += data
            return
        if self.stack and self.stack[-1].skip:
            return
        start = self._offset()
        if self.marker_depth and self._marker(data, start):
            return
        buffer = self._ensure_buffer()
        if buffer is None:
            return
        for i, char in enumerate(data):
            buffer.add(char, start + i, start + i + 1)

    def handle_entityref(self, name: str) -> None:
        self._reference(f"&{name}", html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self._reference(f"&#{name}", html.unescape(f"&#{name};"))

    def _reference(self, raw: str, char: str) -> None:
        if self.in_title:
            self.title_text += char
            return
        if self.stack and self.stack[-1].skip:
            return
        start = self._offset()
        end = start + len(raw) + (1 if self.source[start + len(raw):start + len(raw) + 1] == ";"
                                  else 0)
        if self.marker_depth and self._marker(char, start):
            return
        buffer = self._ensure_buffer()
        if buffer is not None:
            for c in char:
                buffer.add(c, start, end)

    def _marker(self, data: str, start: int) -> bool:
        """Record ``data`` as a footnote marker if it is one; True if it was."""
        text = data.strip()
        if not text:
            return False
        if _BACKLINK.match(text):
            return True
        match = _MARKER_TEXT.match(text)
        inside_sup = any(e.tag == "sup" for e in self.stack)
        if match is None or not (inside_sup or _NOTE_ID.match(self.marker_target or "x")):
            return False
        label = marker_label("", match.group(1))
        buffer = self._ensure_buffer()
        if label is None or buffer is None:
            return False
        at = len(buffer.chars) - (1 if buffer.chars and buffer.chars[-1] == " " else 0)
        offset = start + data.index(text[0])
        buffer.markers.append((label, match.group(1), at, offset, offset + len(text),
                               self.marker_target))
        return True

    def _ensure_buffer(self) -> _Buffer | None:
        if self.buffer is None:
            parent = self.stack[-1] if self.stack else None
            if parent is None or parent.tag in ("html", "head"):
                return None
            self._open("div", parent)
        return self.buffer

    def _open(self, tag: str, element: _Element) -> None:
        kind = "heading" if tag[:1] == "h" and tag[1:].isdigit() else (
            "item" if tag == "li" else "paragraph")
        buffer = _Buffer(kind, tag, self.getpos()[0])
        buffer.byline = element.byline or (element.header and kind != "heading")
        if tag == "li":
            lists = [e for e in self.stack if e.tag in ("ol", "ul")]
            if lists:
                lists[-1].counter += 1
                element.ordinal = lists[-1].counter
        item = next((e for e in reversed(self.stack) if e.tag == "li"), None)
        holder = item if item is not None else element
        buffer.anchor = holder.attrs.get("id", "") or element.attrs.get("id", "")
        buffer.note = (item is not None and item.notes) or bool(_NOTE_ID.match(buffer.anchor))
        buffer.ordinal = item.ordinal if item is not None else 0
        self.buffer = buffer

    def _flush(self) -> None:
        buffer, self.buffer = self.buffer, None
        if buffer is None:
            return
        text = buffer.text()
        if not text.strip():
            return
        statement = self.article_statement if self.article_statement is not None else self.main
        if self.articles and self.article_statement is None:
            statement = Statement("")  # text between articles: not part of any statement
        if buffer.kind == "heading":
            self.heading_is_notes = is_notes_heading(text)
            if not statement.title and not self.heading_is_notes:
                statement.title = text
                statement.title_start, statement.title_end = buffer.starts[0], buffer.ends[-1]
                statement.line = buffer.line
                return
        if buffer.note or (self.heading_is_notes and buffer.kind == "item"):
            self._note(buffer, text)
            return
        if buffer.byline:
            authors, date = parse_byline(text) or ([], "")
            statement.authors = statement.authors or authors
            statement.date = statement.date or date
            return
        kind = {"heading": BlockKind.HEADING, "item": BlockKind.ITEM}.get(
            buffer.kind, BlockKind.PARAGRAPH)
        if not statement.blocks and not statement.authors and kind is BlockKind.PARAGRAPH:
            parsed = parse_byline(text)
            if parsed is not None:
                statement.authors, statement.date = parsed
                return
        block = Block(kind, text, buffer.starts[0], buffer.ends[-1], buffer.line,
                      starts=buffer.starts, ends=buffer.ends, bullet="•" if kind is
                      BlockKind.ITEM else "")
        block.list_id = self.list_id if kind is BlockKind.ITEM else 0
        block.markers = [Marker(label, printed, at, s, e, target)
                         for label, printed, at, s, e, target in buffer.markers]
        for found in find_markers(text):
            s, e = block.source_span(found.at, found.at + len(found.printed) + 2)
            block.markers.append(Marker(found.label, found.printed, found.at, s, e))
        block.markers.sort(key=lambda m: m.at)
        self.page.add(statement, block)

    def _note(self, buffer: _Buffer, text: str) -> None:
        label = str(buffer.ordinal) if buffer.ordinal else ""
        printed = label
        leading = re.match(r"\[?([0-9]{1,3}|[ivxlc]{1,8})[\].:)]\s+", text)
        if leading is not None:
            label = marker_label("", leading.group(1)) or label
            printed = leading.group(1)
            skip = leading.end()
            buffer.starts, buffer.ends = buffer.starts[skip:], buffer.ends[skip:]
            text = text[skip:]
        if not label:
            digits = re.search(r"(\d+)$", buffer.anchor)
            label = printed = digits.group(1) if digits else buffer.anchor
        if not text or not label:
            return
        statements = self.page.statements
        number = statements.index(self.article_statement) if self.article_statement \
            in statements else max(0, len(statements) - 1)
        self.page.notes.append(Note(label, printed, text, buffer.starts[0], buffer.ends[-1],
                                    buffer.line, anchor=buffer.anchor, statement=number))

    # ------------------------------------------------------------ end

    def finish(self) -> Page:
        self._flush()
        page = self.page
        if not self.articles:
            page.statements.insert(0, self.main)
            for note in page.notes:
                note.statement = 0
        title = " ".join(html.unescape(self.title_text).split())
        first = page.statements[0] if page.statements else None
        page.title = title or (first.title if first else "")
        page.finish()
        return page


def _iso(value: str) -> str:
    match = re.match(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if match is None:
        return ""
    return "-".join(part for part in match.groups() if part)
