"""Find known names in text: a token trie, longest match first.

Text and names are cut into the same tokens (words; dotted acronyms such as
``U.N.`` become one token ``UN``; apostrophes and hyphens separate tokens),
so spelling variants meet.  Two modes:

* **proper names** (``fold=False``): case matters where it tells a name from
  a word: an all-capitals token (``ICE``, ``US``) must be in capitals, and a
  name's first token must be capitalised if the name's is.  The last token
  may carry a plural or possessive ``s`` (``Biden Administrations``).
* **labels** (``fold=True``): case, plural endings and a possessive ``'s``
  are ignored (``Gender-Based Violence`` = ``gender based violence``,
  ``women's rights`` = ``woman right``).

>>> index = NameIndex()
>>> index.add("United Nations", "un"); index.add("UN", "un"); index.add("ICE", "ice")
>>> [(h.value, h.start, h.end) for h in index.find("the U.N.’s plan; nice ICE")]
[('un', 4, 8), ('ice', 22, 25)]
>>> labels = NameIndex(fold=True)
>>> labels.add("gender-based violence", "gbv"); labels.add("violence", "v")
>>> [h.value for h in labels.find("Gender Based Violences and violence")]
['gbv', 'v']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}(?:[A-Za-z](?![^\W_]))?|[^\W_]+")
_IRREGULAR = {
    "women": "woman", "men": "man", "children": "child", "persons": "person",
    "feet": "foot", "teeth": "tooth", "mice": "mouse",
}
_KEEP = ("ss", "us", "is", "ous")


@dataclass(frozen=True)
class Token:
    """A word of a text: its comparable form and where it stands."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Cut ``text`` into tokens; a dotted acronym is one token without its dots."""
    return [Token(m.group(0).replace(".", ""), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def singular(word: str) -> str:
    """A crude singular of an English word, enough to compare labels.

    >>> [singular(w) for w in ("women", "policies", "rights", "access", "caregivers", "status")]
    ['woman', 'policy', 'right', 'access', 'caregiver', 'status']
    """
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Hit(Generic[T]):
    """A name found in a text."""

    value: T
    start: int
    end: int
    text: str


@dataclass
class _Entry(Generic[T]):
    keys: tuple[str, ...]
    capitals: tuple[int, ...]  # 0: any case, 1: capitalised, 2: all capitals
    value: T


@dataclass
class NameIndex(Generic[T]):
    """Names and the value each stands for."""

    fold: bool = False
    _entries: dict[str, list[_Entry[T]]] = field(default_factory=dict)
    _names: set[tuple[tuple[str, ...], tuple[int, ...]]] = field(default_factory=set)

    def add(self, name: str, value: T) -> None:
        """Register ``name`` for ``value`` (the first value given for a name wins)."""
        tokens = self._tokens(name)
        if not tokens:
            return
        keys = tuple(self._key(t.text) for t in tokens)
        capitals = tuple(self._capital(t.text, i) for i, t in enumerate(tokens))
        if (keys, capitals) in self._names:
            return
        self._names.add((keys, capitals))
        entries = self._entries.setdefault(keys[0], [])
        entries.append(_Entry(keys, capitals, value))
        entries.sort(key=lambda e: -len(e.keys))

    def key(self, name: str) -> tuple[str, ...]:
        """The comparable form of ``name``: two names with one key are one name here."""
        return tuple(self._key(t.text) for t in self._tokens(name))

    def find(self, text: str) -> list[Hit[T]]:
        """Return the names in ``text``, longest first, never overlapping."""
        tokens = self._tokens(text)
        hits: list[Hit[T]] = []
        i = 0
        while i < len(tokens):
            entry = self._match(tokens, i)
            if entry is None:
                i += 1
                continue
            last = tokens[i + len(entry.keys) - 1]
            hits.append(Hit(entry.value, tokens[i].start, last.end, text[tokens[i].start:last.end]))
            i += len(entry.keys)
        return hits

    def __len__(self) -> int:
        return len(self._names)

    # ------------------------------------------------------------ internals

    def _tokens(self, text: str) -> list[Token]:
        tokens = tokenize(text)
        if self.fold:  # the "s" of a possessive is no word of its own
            tokens = [t for t in tokens if t.text.lower() != "s"]
        return tokens

    def _key(self, word: str) -> str:
        return singular(word.lower()) if self.fold else word.lower()

    def _capital(self, word: str, position: int) -> int:
        if self.fold:
            return 0
        if len(word) > 1 and word.isupper():
            return 2
        return 1 if position == 0 and word[:1].isupper() else 0

    def _match(self, tokens: list[Token], i: int) -> _Entry[T] | None:
        first = self._key(tokens[i].text)
        candidates = self._entries.get(first, [])
        if not self.fold and not candidates and first.endswith("s"):
            candidates = [e for e in self._entries.get(first[:-1], []) if len(e.keys) == 1]
        for entry in candidates:
            if i + len(entry.keys) <= len(tokens) and self._fits(entry, tokens, i):
                return entry
        return None

    def _fits(self, entry: _Entry[T], tokens: list[Token], i: int) -> bool:
        size = len(entry.keys)
        for n, (key, capital) in enumerate(zip(entry.keys, entry.capitals, strict=True)):
            word = tokens[i + n].text
            lowered = self._key(word)
            if lowered != key and not (
                not self.fold and n == size - 1 and lowered == key + "s"
            ):
                return False
            if capital == 2 and not word.isupper():
                return False
            if capital == 1 and not word[:1].isupper():
                return False
        if size > 1 and not self._adjacent(tokens, i, size):
            return False
        return True

    @staticmethod
    def _adjacent(tokens: list[Token], i: int, size: int) -> bool:
        """Tokens of one name are separated by at most a few characters (no new line)."""
        for n in range(i, i + size - 1):
            if tokens[n + 1].start - tokens[n].end > 3:
                return False
        return True
