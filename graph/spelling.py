"""A small fold of British and American spellings, applied to indexed text and queries.

The porter stemmer gives "sterilized" and "sterilization" one stem but
leaves British "sterilisation" apart.  Folding ``-isation/-ise/-yse`` to
``-ization/-ize/-yze`` and ``-our`` to ``-or`` on both sides of the search
brings them together.  The fold keeps every character's position (``-our``
becomes ``-or_``, and ``_`` separates tokens), so what the index highlights
in folded text is at the same place in the original.

>>> fold("Sterilisation, colour and labour organisations")
'Sterilization, color_ and labor_ organizations'
>>> len(fold("behaviours")) == len("behaviours")
True
>>> fold("rise wise your four hour otherwise")
'rise wise your four hour otherwize'
"""

from __future__ import annotations

import re

#: A word as the index's tokenizer sees it: a run of letters and digits.
WORD = re.compile(r"[^\W_]+")

# -is- inside a word ending (organise, organisation, organising, organised...),
# with at least three ASCII letters before it in the word, so that rise, wise
# and vise stay as they are.  Each pattern starts with its literal letters
# (the regex engine scans for them quickly) and the stem before them is
# checked on the few matches.
_ISE = re.compile(r"is(?:e|es|ed|er|ers|ing|ation|ations|ational)\b", re.IGNORECASE)
_YSE = re.compile(r"ys(?:e|es|ed|ing)\b", re.IGNORECASE)
# colour, labour, behaviours, favourite, honourable; not your, four, hour, tour.
_OUR = re.compile(r"our(?:s|ed|ing|ite|ites|able|ful|less|ism)?\b", re.IGNORECASE)
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _stem(match: re.Match[str], shortest: int) -> int:
    """Where the word of ``match`` starts, if its stem is at least ``shortest`` ASCII
    letters and only those; else -1."""
    text, start = match.string, match.start()
    first = start
    while first > 0 and text[first - 1] in _ASCII_LETTERS:
        first -= 1
    if start - first < shortest or (first > 0 and (text[first - 1].isalnum()
                                                   or text[first - 1] == "_")):
        return -1
    return first


def _swap(match: re.Match[str]) -> str:
    """Replace the ``s`` of a match by a ``z`` of the same case (when its stem qualifies)."""
    word = match.group(0)
    if _stem(match, 3) < 0:
        return word
    return word[0] + ("Z" if word[1].isupper() else "z") + word[2:]


def _our(match: re.Match[str]) -> str:
    word = match.group(0)
    first = _stem(match, 2)
    if first < 0:
        return word
    r = "R" if match.string[first:match.end()].isupper() else "r"  # keep the case of the "o"
    return f"{word[0]}{r}{word[3:]}_"


def fold(text: str) -> str:
    """Fold British spellings to American ones, keeping every position."""
    text = _ISE.sub(_swap, text)
    text = _YSE.sub(_swap, text)
    return _OUR.sub(_our, text)
