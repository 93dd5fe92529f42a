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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, TypeVar

T = TypeVar("T")

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}(?:[A-Za-z](?![^\W_]))?|[^\W_]+")
_IRREGULAR = {
    "women": "woman", "men": "man", "children": "child", "persons": "person",
    "feet": "foot", "teeth": "tooth", "mice": "mouse",
}
_KEEP = ("ss", "us", "is", "ous")
_BREAKS = frozenset(",;:.!?()[]{}\n")


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
class _Node(Generic[T]):
    children: dict[str, _Node[T]] = field(default_factory=dict)
    entries: list[_Entry[T]] = field(default_factory=list)


@dataclass
class _Entry(Generic[T]):
    keys: tuple[str, ...]
    capitals: tuple[int, ...]  # 0: any case, 1: capitalised, 2: all capitals
    value: T
    commas: tuple[bool, ...] = ()  # whether the name has a comma after each token


@dataclass
class NameIndex(Generic[T]):
    """Names and the value each stands for."""

    fold: bool = False
    _trie: _Node[T] = field(default_factory=lambda: _Node())
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
        commas = tuple("," in name[a.end:b.start] for a, b in zip(tokens, tokens[1:], strict=False))
        node = self._trie
        for part in keys:
            node = node.children.setdefault(part, _Node())
        node.entries.append(_Entry(keys, capitals, value, commas))

    def key(self, name: str) -> tuple[str, ...]:
        """The comparable form of ``name``: two names with one key are one name here."""
        return tuple(self._key(t.text) for t in self._tokens(name))

    def find(self, text: str, *, overlapping: bool = False) -> list[Hit[T]]:
        """Return the names in ``text``, the longest at each place.

        :param overlapping: also return a name that starts inside an earlier one
            and reaches beyond it (``Indigenous women in prisons``: both groups);
            a name wholly inside another is never returned.
        """
        tokens, keys = _prepared(text, self.fold)
        hits: list[Hit[T]] = []
        i = 0
        reach = 0  # index of the token after the last name found
        while i < len(tokens):
            entry = self._match(text, tokens, keys, i)
            end = i + len(entry.keys) if entry is not None else i
            if entry is None or end <= reach:
                i += 1
                continue
            last = tokens[end - 1]
            hits.append(Hit(entry.value, tokens[i].start, last.end, text[tokens[i].start:last.end]))
            reach = end
            i = i + 1 if overlapping else end
        return hits

    def __len__(self) -> int:
        return len(self._names)

    # ------------------------------------------------------------ internals

    def _tokens(self, text: str) -> list[Token]:
        return list(_prepared(text, self.fold)[0])

    def _key(self, word: str) -> str:
        return _word_key(word, self.fold)

    def _capital(self, word: str, position: int) -> int:
        if self.fold:
            return 0
        if len(word) > 1 and word.isupper():
            return 2
        return 1 if position == 0 and word[:1].isupper() else 0

    def _match(self, text: str, tokens: Sequence[Token], keys: Sequence[str], i: int
               ) -> _Entry[T] | None:
        """The longest name that starts at token ``i`` (walking the trie)."""
        key = keys[i]
        if key not in self._trie.children and (self.fold or not key.endswith("s")):
            return None  # the common case: no name starts with this word
        candidates: list[_Entry[T]] = []
        node = self._trie
        for n in range(i, len(tokens)):
            key = keys[n]
            if not self.fold and key.endswith("s"):  # "Administrations": a plural last word
                plural = node.children.get(key[:-1])
                if plural is not None:
                    candidates += plural.entries
            found = node.children.get(key)
            if found is None:
                break
            node = found
            candidates += node.entries
        for entry in reversed(candidates):  # found shortest first: try the longest first
            if self._fits(text, entry, tokens, keys, i):
                return entry
        return None

    def _fits(self, text: str, entry: _Entry[T], tokens: Sequence[Token], keys: Sequence[str],
              i: int) -> bool:
        size = len(entry.keys)
        for n, (key, capital) in enumerate(zip(entry.keys, entry.capitals, strict=True)):
            word = tokens[i + n].text
            lowered = keys[i + n]
            if lowered != key and not (
                not self.fold and n == size - 1 and lowered == key + "s"
            ):
                return False
            if capital == 2 and not word.isupper():
                return False
            if capital == 1 and not word[:1].isupper():
                return False
        return size == 1 or _adjacent(text, tokens, i, entry)


@lru_cache(maxsize=16384)
def _prepared(text: str, fold: bool) -> tuple[tuple[Token, ...], tuple[str, ...]]:
    """The tokens of ``text`` and their comparable forms (cached: every index reads the
    same texts)."""
    tokens = tokenize(text)
    if fold:  # the "s" of a possessive is no word of its own
        tokens = [t for t in tokens if t.text.lower() != "s"]
    return tuple(tokens), tuple(_word_key(t.text, fold) for t in tokens)


def _word_key(word: str, fold: bool) -> str:
    return singular(word.lower()) if fold else word.lower()


def _adjacent(text: str, tokens: Sequence[Token], i: int, entry: _Entry[T]) -> bool:
    """Tokens of one name are separated by a few characters, and by punctuation only
    where the name has it (``economic, social and cultural rights``)."""
    for n in range(len(entry.keys) - 1):
        left, right = tokens[i + n], tokens[i + n + 1]
        if right.start - left.end > 3:
            return False
        gap = text[left.end:right.start]
        if any(c in _BREAKS for c in gap) and not ("," in gap and entry.commas[n]
                                                   and gap.strip(", ") == ""):
            return False
    return True
