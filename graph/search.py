"""Full-text search over the index beside the store (:mod:`rightsgraph.graph.index`).

Every resource typed with a rightsgraph class is indexed with its labels, its
text, and the labels and altLabels of the themes and groups it is tagged
with, so that a theme's altLabel finds what is tagged with it.  The porter
tokenizer stems ("sterilized" and "sterilization" meet);
:func:`~rightsgraph.graph.spelling.fold` brings British spellings in
("sterilisation").  Query words that name a concept are expanded with all
of that concept's labels.

Syntax: words (all must match), ``"exact phrases"``, ``AND``, ``OR``,
``NOT``, parentheses and ``prefix*``.  Each word and phrase reaches FTS5 as
a quoted string; anything the FTS5 parser still refuses (``a AND``, ``NOT
a``, unbalanced parentheses) is searched as one quoted phrase instead.  User
text reaches SQLite only as a bound parameter.

>>> index = StoreIndex.memory()
>>> _ = index.refresh(GraphStore.memory())
>>> [hit.label for hit in search(index, "sterilization abuse", kinds=("Theme",)).hits]
['Forced sterilisation']
>>> search(index, "violence AND").phrase_fallback
True
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rightsgraph.graph.index import KINDS, StoreIndex, norms
from rightsgraph.graph.spelling import WORD, fold
from rightsgraph.graph.store import GraphStore  # noqa: F401  (doctest)

_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_OPERATORS = ("AND", "OR", "NOT", "(", ")")
_HIT, _END = "\x02", "\x03"
#: Labels a concept name is expanded to, at most.
EXPANSION_LIMIT = 24


@dataclass(frozen=True)
class Hit:
    """One search result: a resource, and where the query matched its text."""

    iri: str
    kind: str
    label: str
    segments: tuple[tuple[str, bool], ...]  # (text, matched) pieces of a snippet


@dataclass
class Results:
    """A page of hits, how many there are, and how the query was read."""

    hits: list[Hit]
    total: int
    expression: str
    kinds: dict[str, int] = field(default_factory=dict)
    expanded: list[str] = field(default_factory=list)
    phrase_fallback: bool = False


def search(index: StoreIndex, text: str, *, kinds: Iterable[str] = (), limit: int = 20,
           offset: int = 0) -> Results:
    """Search for ``text`` (see the module documentation for the syntax)."""
    expression, expanded = expression_of(index, text)
    if not expression:
        return Results([], 0, "")
    wanted = [k for k in kinds if k in KINDS]
    try:
        return _run(index, expression, wanted, limit, offset, expanded, False)
    except sqlite3.OperationalError:
        phrase = _phrase(WORD.findall(fold(text)))
        if not phrase:
            return Results([], 0, "")
        return _run(index, phrase, wanted, limit, offset, [], True)


def expression_of(index: StoreIndex, text: str) -> tuple[str, list[str]]:
    """The FTS5 expression for the user's query, and the concept labels it was expanded with.

    >>> expression_of(StoreIndex.memory(), 'colour "gender based" OR x*')
    ('"color" AND "gender based" OR "x"*', [])
    """
    tokens = [m.group(0) for m in _TOKEN.finditer(text)]
    expanded: list[str] = []
    if len(tokens) > 1 and not any(t in _OPERATORS or t.startswith('"') for t in tokens):
        whole = _concept_labels(index, " ".join(tokens))  # plain words naming a concept
        if whole:
            conjunction = " AND ".join(_phrase(WORD.findall(fold(t))) for t in tokens)
            return _any_of([f"({conjunction})", *whole]), whole
    items: list[str] = []
    for token in tokens:
        if token in _OPERATORS:
            if token == "(" and items and items[-1] not in ("AND", "OR", "NOT", "("):
                items.append("AND")
            items.append(token)
            continue
        prefix = token.endswith("*") and not token.startswith('"')
        words = WORD.findall(fold(token.strip('"').rstrip("*")))
        if not words:
            continue
        operand = _phrase(words) + ("*" if prefix else "")
        if not prefix:
            others = _concept_labels(index, " ".join(words))
            if others:
                expanded.extend(others)
                operand = _any_of([operand, *others])
        if items and items[-1] not in ("AND", "OR", "NOT", "("):
            items.append("AND")
        items.append(operand)
    return " ".join(items), expanded


def _run(index: StoreIndex, expression: str, kinds: list[str], limit: int, offset: int,
         expanded: list[str], fallback: bool) -> Results:
    kind_sql = f" AND docs.kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
    by_kind = dict(index.read(
        "SELECT docs.kind, COUNT(DISTINCT docs.iri) FROM fts JOIN docs ON docs.id = fts.rowid "
        "WHERE fts MATCH ? GROUP BY docs.kind", (expression,)))
    rows = index.read(
        "SELECT docs.iri, docs.kind, docs.label, docs.names, docs.text, "
        f"highlight(fts, 0, '{_HIT}', '{_END}'), highlight(fts, 1, '{_HIT}', '{_END}') "
        "FROM fts JOIN docs ON docs.id = fts.rowid WHERE fts MATCH ?" + kind_sql +
        " ORDER BY bm25(fts, 4.0, 1.0, 0.6), docs.iri LIMIT ?",
        (expression, *kinds, (offset + limit) * 3),  # a resource may have a row per graph
    )
    seen: set[str] = set()
    hits = []
    for iri, kind, label, names, body, marked_label, marked_text in rows:
        if iri in seen:
            continue
        seen.add(iri)
        if _HIT in marked_text or (body and _HIT not in marked_label):
            segments = snippet(body, marked_text)
        else:
            segments = snippet(names, marked_label)
        hits.append(Hit(iri, kind, label, segments))
    total = sum(n for k, n in by_kind.items() if not kinds or k in kinds)
    return Results(hits[offset:offset + limit], total, expression, by_kind, expanded, fallback)


def _concept_labels(index: StoreIndex, words: str) -> list[str]:
    """Every other label of the concepts one of whose labels is ``words``."""
    keys = norms(words)
    if not keys:
        return []
    rows = index.read(
        "SELECT DISTINCT c2.label FROM concepts c1 JOIN concepts c2 ON c1.concept = c2.concept "
        f"WHERE c1.norm IN ({', '.join('?' * len(keys))}) ORDER BY c2.label LIMIT ?",
        (*keys, EXPANSION_LIMIT))
    return [label for (label,) in rows if norms(label)[0] not in keys]


def _any_of(alternatives: Sequence[str]) -> str:
    """``(a OR "label" OR ...)``: the first is an expression, the others labels to quote."""
    quoted = [_phrase(WORD.findall(fold(label))) for label in alternatives[1:]]
    unique = [alternatives[0], *(q for q in dict.fromkeys(quoted) if q and q != alternatives[0])]
    return "(" + " OR ".join(unique) + ")"


def _phrase(words: Sequence[str]) -> str:
    """An FTS5 string of ``words`` (letter and digit runs: nothing to escape)."""
    return '"' + " ".join(words) + '"' if words else ""


def snippet(original: str, marked: str, width: int = 240) -> tuple[tuple[str, bool], ...]:
    """Cut a window of ``original`` around the first hit, split into (text, matched) pieces.

    ``marked`` is the folded text with hit markers; the fold keeps positions,
    so a hit at position *i* of the unmarked folded text is at *i* of ``original``.

    >>> snippet("Colour lines", "\\x02color\\x03_ lines")
    (('Colour', True), (' lines', False))
    """
    spans: list[tuple[int, int]] = []
    position, start = 0, -1
    for char in marked:
        if char == _HIT:
            start = position
        elif char == _END:
            spans.append((start, position))
        else:
            position += 1
    if position != len(original):  # not the text we think it is: no highlighting
        spans = []
    spans = [(a, _word_end(original, b)) for a, b in spans]
    first = spans[0][0] if spans else 0
    low = max(0, first - width // 3)
    high = min(len(original), low + width)
    pieces: list[tuple[str, bool]] = [("…", False)] if low > 0 else []
    cursor = low
    for a, b in spans:
        if b <= low or a >= high or a < cursor:
            continue
        b = min(b, high)
        if a > cursor:
            pieces.append((original[cursor:a], False))
        pieces.append((original[a:b], True))
        cursor = b
    if cursor < high:
        pieces.append((original[cursor:high], False))
    if high < len(original):
        pieces.append(("…", False))
    return tuple(pieces)


def _word_end(text: str, end: int) -> int:
    """Extend a hit to the end of its word (a folded "colour" matches as "color")."""
    while end < len(text) and text[end].isalnum():
        end += 1
    return end
