"""Footnote markers and definitions, in the common styles, and their matching.

Markers: roman ``[xiv]``, numeric ``[3]``, Markdown ``[^3]`` (and HTML
superscript links, found by the HTML front end).  Definitions: a note list
or appendix (``[xiv] text``, ``[^3]: text``, ``3. text`` under a notes
heading, an HTML ``<ol>``), or inline in a paragraph (``... people. [i]. [i]
It is important ...``, the second ``[i]`` starting the note's text).

A marker resolves, in this order, to the note its HTML link points to, an
inline note of the same paragraph, a note of the same statement's list, or
the only note of the document with that label.  Markers that resolve to
nothing, and notes no marker uses, are reported, never invented.

>>> [(m.label, m.printed) for m in find_markers("a[xiv] b[3]c [^n1] [x](y)")]
[('xiv', 'xiv'), ('3', '3'), ('n1', '^n1')]
>>> is_notes_heading("Appendix A: Footnotes"), is_notes_heading("Notes and comments on X")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rightsgraph.loaders.document import Block, Marker, Note, Page
from rightsgraph.loaders.report import Report

_BRACKET = re.compile(r"\[(\^?)([A-Za-z0-9][A-Za-z0-9_-]{0,30})\](?![(:\[])")
_ROMAN = re.compile(r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
_DEFINITION = re.compile(r"\[(\^?)([A-Za-z0-9][A-Za-z0-9_-]{0,30})\](:?)[ \t]*")
_NUMBERED = re.compile(r"(\d{1,3})[.)][ \t]+")
_NOTES_HEADING = re.compile(
    r"^(?:appendix\s+[a-z0-9]+\s*[:.\-–]\s*)?"
    r"(?:foot|end)?notes?|references?|sources?|bibliography|works cited|citations?"
    r"|(?:foot|end)notes\s+and\s+references",
    re.IGNORECASE,
)


def marker_label(prefix: str, body: str) -> str | None:
    """Return the matching key of a bracketed marker, or None if it is not one.

    >>> marker_label("", "XIV"), marker_label("", "07"), marker_label("", "sic")
    ('xiv', '7', None)
    """
    if prefix:
        return body.lower()
    if body.isdigit():
        return str(int(body)) if len(body) <= 3 else None
    lowered = body.lower()
    if body not in (lowered, body.upper()) or not _ROMAN.fullmatch(lowered):
        return None
    return lowered


def find_markers(text: str, offset: int = 0, *, base: int = 0) -> list[Marker]:
    """Return the bracketed markers of ``text``.

    :param offset: index in the block of ``text[0]``.
    :param base: source offset of ``text[0]``.
    """
    markers = []
    for match in _BRACKET.finditer(text):
        prefix, body = match.group(1), match.group(2)
        label = marker_label(prefix, body)
        if label is None:
            continue
        start, end = match.start(), match.end()
        markers.append(Marker(label, prefix + body, offset + start, base + start, base + end))
    return markers


def is_notes_heading(text: str) -> bool:
    """Whether ``text`` is the heading of a list of notes."""
    return bool(_NOTES_HEADING.fullmatch(text.strip().rstrip(":").strip()))


def definition_start(text: str, *, numbered: bool = False) -> tuple[str, str, int] | None:
    """If ``text`` starts a note definition, return (label, printed, body start).

    ``[xiv] text`` and ``[^3]: text`` always do; ``3. text`` only with ``numbered``.

    >>> definition_start("[xiv] https://x.org")
    ('xiv', 'xiv', 6)
    >>> definition_start("12. Report", numbered=True)
    ('12', '12', 4)
    """
    match = _DEFINITION.match(text)
    if match:
        label = marker_label(match.group(1), match.group(2))
        if label is not None and match.end() < len(text):
            return label, match.group(1) + match.group(2), match.end()
        return None
    if numbered:
        match = _NUMBERED.match(text)
        if match and match.end() < len(text):
            return str(int(match.group(1))), match.group(1), match.end()
    return None


def inline_note_start(text: str, markers: list[Marker]) -> Marker | None:
    """Return the marker that starts an inline note in a paragraph, if any.

    An inline note repeats a marker of the paragraph at the start of a
    sentence: ``people. [i]. [i] It is important to note ...``.
    """
    seen: set[str] = set()
    for marker in markers:
        if marker.label in seen:
            before = text[: marker.at].rstrip()
            after = text[marker.at + len(marker.printed) + 2:]
            if before.endswith((".", "!", "?", "]")) and after[:1].isspace() \
                    and after.strip()[:1].isupper():
                return marker
        seen.add(marker.label)
    return None


@dataclass(frozen=True)
class Citation:
    """A marker of a block resolved to its note."""

    block: Block
    marker: Marker
    note: Note


def resolve(page: Page, report: Report) -> list[Citation]:
    """Match every marker of ``page`` to a note, reporting what does not match."""
    anchors = {n.anchor: n for n in page.notes if n.anchor}
    inline: dict[tuple[int, str], Note] = {}
    listed: dict[tuple[int, str], Note] = {}
    by_label: dict[str, list[Note]] = {}
    for note in page.notes:
        if note.scope is not None:
            inline.setdefault((note.scope, note.label), note)
            continue
        key = (note.statement, note.label)
        if key in listed:
            line, column = page.position(note.start)
            report.doubt(f"note [{note.printed}] is defined twice; the first definition is used",
                         line=line, column=column)
            continue
        listed[key] = note
        by_label.setdefault(note.label, []).append(note)
    citations = []
    used: set[int] = set()
    for statement, block in page.blocks():
        for marker in block.markers:
            target = _find(marker, block, statement, anchors, inline, listed, by_label)
            if target is None:
                line, column = page.position(marker.start)
                report.doubt(f"footnote marker [{marker.printed}] has no definition",
                             line=line, column=column)
                report.found["unmatched footnote markers"] += 1
                continue
            used.add(id(target))
            citations.append(Citation(block, marker, target))
    for note in _unique(page.notes):
        if id(note) not in used:
            line, column = page.position(note.start)
            report.doubt(f"note [{note.printed}] is not referenced by any marker",
                         line=line, column=column)
    return citations


def _find(
    marker: Marker,
    block: Block,
    statement: int,
    anchors: dict[str, Note],
    inline: dict[tuple[int, str], Note],
    listed: dict[tuple[int, str], Note],
    by_label: dict[str, list[Note]],
) -> Note | None:
    if marker.target and marker.target in anchors:
        return anchors[marker.target]
    found = inline.get((block.index, marker.label)) or listed.get((statement, marker.label))
    if found is not None:
        return found
    candidates = by_label.get(marker.label, [])
    return candidates[0] if len(candidates) == 1 else None


def _unique(notes: Iterable[Note]) -> list[Note]:
    seen: set[tuple[int | None, int, str]] = set()
    result = []
    for note in notes:
        key = (note.scope, note.statement, note.label)
        if key not in seen:
            seen.add(key)
            result.append(note)
    return result
