"""Tags of a text: the themes and groups it mentions, and the instruments.

Themes and groups come from the SKOS schemes (:meth:`ConceptIndex.tag`:
labels and altLabels, case, plural and hyphen tolerant, longest match first;
a group named inside an organisation's name does not count);
instruments (CEDAW, the Violence Against Women Act, the Helms Amendment) from
the registry.  URLs are not read.

>>> tags = Tagger.shipped().tags("Promptly ratify CEDAW and end gender-based violence")
>>> [t.value.rsplit("/", 1)[-1] for t in tags.instruments]
['cedaw']
>>> "https://w3id.org/rightsgraph/theme/gender-based-violence" in {t.value for t in tags.themes}
True
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.loaders.concepts import ConceptIndex
from rightsgraph.loaders.registry_data import Registry
from rightsgraph.loaders.urls import find_urls


def _inside(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside one of the sorted ``spans``."""
    n = bisect.bisect_right(starts, start)
    return any(spans[i][1] >= end for i in range(max(0, n - 3), n))


@dataclass(frozen=True)
class Tags:
    """What a text is about, each list in order of first mention."""

    themes: tuple[NamedNode, ...] = ()
    groups: tuple[NamedNode, ...] = ()
    instruments: tuple[NamedNode, ...] = ()


@dataclass
class Tagger:
    """Tags texts with concepts of the schemes and instruments of the registry."""

    concepts: ConceptIndex
    registry: Registry
    _cache: dict[tuple[str, tuple[tuple[int, int], ...]], Tags] = field(
        default_factory=dict, repr=False)

    @classmethod
    def shipped(cls) -> Tagger:
        return cls(ConceptIndex.from_ontology(), Registry.shipped())

    def tags(self, text: str, names: Sequence[tuple[int, int]] = ()) -> Tags:
        """Return the themes, groups and instruments ``text`` mentions.

        :param names: spans of ``text`` that name organisations: a group named
            there (``Women Lead Network``) is not what the text is about.
        """
        key = (text, tuple(names))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        for url in find_urls(text):
            text = text[:url.start] + " " * (url.end - url.start) + text[url.end:]
        themes: list[NamedNode] = []
        groups: list[NamedNode] = []
        spans = sorted(names)
        starts = [s for s, _ in spans]
        for hit in self.concepts.tag(text):
            kind = self.concepts.concepts[hit.value].kind
            if kind != "theme" and _inside(spans, starts, hit.start, hit.end):
                continue
            target = themes if kind == "theme" else groups
            if hit.value not in target:
                target.append(hit.value)
        instruments: list[NamedNode] = []
        for found in self.registry.instrument_names.find(text):
            if found.value not in instruments:
                instruments.append(found.value)
        result = Tags(tuple(themes), tuple(groups), tuple(instruments))
        self._cache[key] = result
        return result
