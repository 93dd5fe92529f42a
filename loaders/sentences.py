"""Sentences of a block: spans of its visible text.

A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes, brackets
or footnote markers after it) followed by white space and something that can
start a sentence.  Abbreviations that end in a dot (U.S., U.N., e.g., Dr.,
No., single initials) do not end a sentence.

>>> text = "The U.S. Department of State wrote. It said no.[iv] Then “we” left."
>>> [text[a:b] for a, b in sentence_spans(text)]
['The U.S. Department of State wrote.', 'It said no.[iv]', 'Then “we” left.']
"""

from __future__ import annotations

import re

# A sentence end: terminal punctuation, closers, then white space and a
# plausible sentence start.  Every part is a bounded character class, so
# the scan is linear.
_END = re.compile(
    r"[.!?](?:[\"'”’)\]]|\[\^?[0-9ivxlcIVXLC]{1,8}\])*(?=\s+[\"'“‘(\[]?[A-Z0-9])"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st vs etc e.g i.e inc ltd co corp jr sr gen gov sen rep "
    "jan feb mar apr jun jul aug sep sept oct nov dec fig para paras art arts op cf al "
    "approx dept univ assn ave".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]{0,12})$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, trimmed of spaces."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        if _is_abbreviation(text, match.start()):
            continue
        _add(spans, text, start, match.end())
        start = match.end()
    _add(spans, text, start, len(text))
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    found = _WORD_BEFORE.search(text, max(0, dot - 13), dot)
    if not found:
        return False
    word = found.group(1)
    if "." in word:  # U.S. / U.N. / e.g.
        return True
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    if word in ("No", "Nos") and text[dot + 1 : dot + 3].strip()[:1].isdigit():
        return True
    return word.lower() in _ABBREVIATIONS


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
