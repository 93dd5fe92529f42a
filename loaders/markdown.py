"""Markdown: headings, lists and footnotes into the shared page model.

* Front matter (``---`` lines at the top) may give ``title``, ``date``,
  ``author``/``authors`` and ``publisher``.
* Statements: if the highest heading level is used more than once, each
  such heading starts a statement; otherwise the whole page is one statement
  and its headings are sections.  A byline under a title (``By X — 8 March
  2023``, ``Published: ...``) gives authors and date and is not a passage.
* Blocks: paragraphs, list items (``-``, ``*``, ``+``, ``1.``; nested items
  too), block quotes; code, tables, HTML and rules are skipped.
* Notes: ``[^label]: text`` definitions (continued by indented lines)
  anywhere; under a notes heading (``Notes``, ``References``), numbered items
  and ``[n] text`` lines.  Markers: ``[^label]``, ``[3]``, ``[iv]``.

Offsets are into the Markdown source, and each passage's text is the source
slice (Markdown syntax included), so ``text[start:end]`` is its rg:text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rightsgraph.loaders.bylines import parse_byline
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.document import Block, BlockKind, Note, Page, Statement
from rightsgraph.loaders.footnotes import definition_start, find_markers, is_notes_heading
from rightsgraph.loaders.pages import load_page
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_ITEM = re.compile(r"( *)([*+-]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(?=\S)")
_FOOTNOTE = re.compile(r" {0,3}\[\^([^\]\s]{1,40})\]:[ \t]*")
_REFERENCE = re.compile(r" {0,3}\[([0-9]{1,3}|[ivxlcIVXLC]{1,8})\]:[ \t]*")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_RULE = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SKIP = re.compile(r" {0,3}(?:\||<!--|<[A-Za-z/])")
_QUOTE = re.compile(r" {0,3}>[ \t]?")


@dataclass
class _Raw:
    kind: str  # heading, paragraph, item, note, quote
    start: int
    end: int
    line: int
    level: int = 0
    bullet: str = ""
    label: str = ""
    printed: str = ""
    indent: int = 0


def load_markdown(source: Source, context: LoadContext) -> Loaded:
    """Load a Markdown page (format ``markdown``)."""
    return load_page(source, context, "markdown", parse_markdown)


def parse_markdown(name: str, text: str) -> Page:
    """Parse Markdown ``text`` into a :class:`Page`."""
    page = Page(name, text, "markdown")
    lines = _lines(text)
    first, front = _front_matter(page, lines)
    raws = _scan(text, lines[first:])
    _build(page, raws)
    if front and page.statements:
        opening = page.statements[0]
        opening.authors = opening.authors or front.get("authors", []) or front.get("author", [])
        opening.date = opening.date or _front_date(front.get("date", []))
    page.finish()
    return page


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end without newline, line number) of every line."""
    result = []
    offset = 0
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        result.append((offset, offset + len(raw.rstrip("\r\n")), number))
        offset += len(raw)
    return result


def _front_matter(page: Page, lines: list[tuple[int, int, int]]
                  ) -> tuple[int, dict[str, list[str]]]:
    """Read YAML-like front matter; return the first line after it and its fields."""
    text = page.text
    if not lines or text[lines[0][0]:lines[0][1]].strip() != "---":
        return 0, {}
    fields: dict[str, list[str]] = {}
    key = ""
    for n, (start, end, _) in enumerate(lines[1:], start=1):
        line = text[start:end]
        if line.strip() in ("---", "..."):
            page.title = ", ".join(fields.get("title", []))
            page.publisher = ", ".join(fields.get("publisher", []))
            return n + 1, fields
        match = re.match(r"([A-Za-z_-]+):\s*(.*)$", line)
        if match:
            key = match.group(1).lower()
            value = match.group(2).strip().strip("\"'")
            fields[key] = [v.strip().strip("\"'") for v in value.strip("[]").split(",")
                           if v.strip()] if value else []
        elif key and re.match(r"\s*-\s+", line):
            fields[key].append(line.split("-", 1)[1].strip().strip("\"'"))
    return 0, {}


def _scan(text: str, lines: list[tuple[int, int, int]]) -> list[_Raw]:
    """Cut the Markdown into raw blocks."""
    raws: list[_Raw] = []
    current: _Raw | None = None
    fence = ""
    for index, (start, end, number) in enumerate(lines):
        line = text[start:end]
        if fence:
            if line.strip().startswith(fence):
                fence = ""
            continue
        opening = _FENCE.match(line)
        if opening:
            fence, current = opening.group(1), None
            continue
        if not line.strip() or _RULE.match(line) or _SKIP.match(line):
            if _RULE.match(line) and current is not None and current.kind == "paragraph" \
                    and line.strip().startswith("-") and current.end == lines[index - 1][1]:
                current.kind, current.level = "heading", 2  # setext
            current = None
            continue
        if _SETEXT.match(line) and current is not None and current.kind == "paragraph":
            current.kind, current.level = "heading", 1 if "=" in line else 2
            current = None
            continue
        raw = _opening(text, line, start, end, number)
        if raw is not None:
            raws.append(raw)
            current = raw if raw.kind != "heading" else None
            continue
        if current is not None:  # a continuation line
            current.end = start + len(line.rstrip())
            continue
        content = start + len(line) - len(line.lstrip())
        current = _Raw("paragraph", content, start + len(line.rstrip()), number)
        raws.append(current)
    return raws


def _opening(text: str, line: str, start: int, end: int, number: int) -> _Raw | None:
    """The raw block a line opens, if it opens one (heading, item, note, quote)."""
    heading = _ATX.match(line)
    if heading:
        body = start + heading.end()
        stop = start + len(re.sub(r"[ \t]+#+[ \t]*$|[ \t]+$", "", line))
        return _Raw("heading", body, max(body, stop), number, level=len(heading.group(1)))
    note = _FOOTNOTE.match(line) or _REFERENCE.match(line)
    if note:
        caret = "^" if note.re is _FOOTNOTE else ""
        return _Raw("note", start + note.end(), start + len(line.rstrip()), number,
                    label=note.group(1).lower(), printed=caret + note.group(1))
    item = _ITEM.match(line)
    if item:
        return _Raw("item", start + item.end(), start + len(line.rstrip()), number,
                    bullet=item.group(2), indent=len(item.group(1)))
    quote = _QUOTE.match(line)
    if quote:
        return _Raw("quote", start + quote.end(), start + len(line.rstrip()), number)
    return None


def _build(page: Page, raws: list[_Raw]) -> None:
    headings = [r for r in raws if r.kind == "heading"
                and not is_notes_heading(page.text[r.start:r.end])]
    top = min((r.level for r in headings), default=0)
    several = sum(1 for r in headings if r.level == top) > 1
    statement = Statement("")
    page.statements.append(statement)
    if not several and headings and headings[0].level == top:
        title = headings[0]
        statement.title = page.text[title.start:title.end]
        statement.title_start, statement.title_end, statement.line = \
            title.start, title.end, title.line
    page.title = page.title or statement.title
    notes_mode = False
    list_id = 0
    previous: _Raw | None = None
    for raw in raws:
        body = page.text[raw.start:raw.end]
        if raw.kind == "heading":
            notes_mode = is_notes_heading(body)
            if several and raw.level == top and not notes_mode:
                statement = Statement(body, title_start=raw.start, title_end=raw.end,
                                      line=raw.line)
                page.statements.append(statement)
            elif raw.start != statement.title_start:
                page.add(statement, _block(page, BlockKind.HEADING, raw))
            previous = raw
            continue
        if raw.kind == "note" or (notes_mode and _numbered_note(raw, body)):
            _note(page, raw, body)
            previous = raw
            continue
        if raw.kind == "paragraph" and not statement.blocks \
                and (previous is None or previous.kind == "heading"):
            byline = parse_byline(body)
            if byline is not None:
                statement.authors, statement.date = byline[0], byline[1]
                previous = raw
                continue
        if raw.kind == "item":
            if previous is None or previous.kind != "item":
                list_id += 1
            block = page.add(statement, _block(page, BlockKind.ITEM, raw))
            block.list_id = list_id
        else:
            page.add(statement, _block(page, BlockKind.PARAGRAPH, raw))
        previous = raw


def _front_date(values: list[str]) -> str:
    value = values[0] if values else ""
    return value if re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value) else ""


def _numbered_note(raw: _Raw, body: str) -> bool:
    if raw.kind == "item" and raw.bullet[:-1].isdigit():
        return True
    return raw.kind == "paragraph" and definition_start(body) is not None


def _note(page: Page, raw: _Raw, body: str) -> None:
    if raw.kind == "note":
        label, printed, start = raw.label, raw.printed, raw.start
    elif raw.kind == "item":
        label, printed, start = str(int(raw.bullet[:-1])), raw.bullet[:-1], raw.start
    else:
        found = definition_start(body)
        assert found is not None
        label, printed, offset = found
        start = raw.start + offset
    if label.isdigit():
        label = str(int(label))
    page.notes.append(Note(label, printed, page.text[start:raw.end], start, raw.end, raw.line,
                           statement=len(page.statements) - 1))


def _block(page: Page, kind: BlockKind, raw: _Raw) -> Block:
    text = page.text[raw.start:raw.end]
    block = Block(kind, text, raw.start, raw.end, raw.line, bullet=raw.bullet,
                  level=raw.level)
    block.markers = find_markers(text, base=raw.start)
    return block
