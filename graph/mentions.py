"""Where a text mentions a concept: spans of its labels, for highlighting evidence.

Matching folds case, British/American spellings, hyphens and spaces, and a
plural ending, like the tagger does, so that the words that earned a tag are
the words highlighted.

>>> text = "Gender-based violence against trans women and sex workers"
>>> [text[a:b] for a, b in spans(text, ["gender based violence"])]
['Gender-based violence']
>>> pieces(text, {"a": spans(text, ["trans woman"]), "b": spans(text, ["sex worker"])})[1:4]
[('trans women', 'a'), (' and ', ''), ('sex workers', 'b')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rightsgraph.graph.spelling import fold

_WORD = re.compile(r"[^\W_]+")


def spans(text: str, labels: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``text`` where one of ``labels`` stands."""
    folded = fold(text).lower()
    found: list[tuple[int, int]] = []
    for label in sorted(set(labels), key=len, reverse=True):
        pattern = _pattern(label)
        if pattern is None:
            continue
        for match in pattern.finditer(folded):
            a, b = match.span()
            if all(b <= x or a >= y for x, y in found):
                found.append((a, b))
    return sorted(found)


def _pattern(label: str) -> re.Pattern[str] | None:
    words = _WORD.findall(fold(label).lower())
    if not words or (len(words) == 1 and len(words[0]) < 3):
        return None
    last = words[-1]
    stem = last[:-1] if last.endswith("y") and len(last) > 3 else last
    plural = r"(?:y|ies)" if stem != last else ("" if last.endswith("s") else r"(?:s|es)?")
    if last in ("woman", "man"):  # woman/women
        stem, plural = last[:-2], r"[ae]n"
    body = r"[\s\-‐‑–/]+".join([*map(re.escape, words[:-1]), re.escape(stem) + plural])
    return re.compile(r"(?<![^\W_])" + body + r"_?(?![^\W_])")


def pieces(text: str, marks: Mapping[str, list[tuple[int, int]]]) -> list[tuple[str, str]]:
    """Split ``text`` into (piece, mark) pairs; a mark names the spans covering the piece."""
    cuts = {0, len(text)}
    for found in marks.values():
        for a, b in found:
            cuts.update((a, b))
    ordered = sorted(cuts)
    result: list[tuple[str, str]] = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a == b:
            continue
        mark = "".join(name for name, found in sorted(marks.items())
                       if any(x <= a and b <= y for x, y in found))
        if result and result[-1][1] == mark:
            result[-1] = (result[-1][0] + text[a:b], mark)
        else:
            result.append((text[a:b], mark))
    return result
