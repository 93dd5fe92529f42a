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

# -is- inside a word ending (organise, organisation, organising, organised...).
# At least three letters before, so that rise, wise and vise stay as they are.
_ISE = re.compile(
    r"\b([A-Za-z]{3,})is(e|es|ed|er|ers|ing|ation|ations|ational)\b", re.IGNORECASE
)
_YSE = re.compile(r"\b([A-Za-z]{3,})ys(e|es|ed|ing)\b", re.IGNORECASE)
# colour, labour, behaviours, favourite, honourable; not your, four, hour, tour.
_OUR = re.compile(r"\b([A-Za-z]{2,})our(s|ed|ing|ite|ites|able|ful|less|ism)?\b", re.IGNORECASE)


def _ise(match: re.Match[str]) -> str:
    return _swap(match, 1)


def _yse(match: re.Match[str]) -> str:
    return _swap(match, 1)


def _swap(match: re.Match[str], offset: int) -> str:
    """Replace the ``s`` after group 1 (and ``offset`` letters) by a ``z`` of the same case."""
    word, at = match.group(0), len(match.group(1)) + offset
    return word[:at] + ("Z" if word[at].isupper() else "z") + word[at + 1:]


def _our(match: re.Match[str]) -> str:
    word = match.group(0)
    stem, suffix = match.group(1), match.group(2) or ""
    vowel = word[len(stem)]  # keep the case of the "o"
    return f"{stem}{vowel}r{suffix}_" if not word.isupper() else f"{stem}{vowel}R{suffix}_"


def fold(text: str) -> str:
    """Fold British spellings to American ones, keeping every position."""
    text = _ISE.sub(_ise, text)
    text = _YSE.sub(_yse, text)
    return _OUR.sub(_our, text)
