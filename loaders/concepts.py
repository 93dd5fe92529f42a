"""The theme and group concepts, indexed by every label a source may use.

The index is built from the SKOS schemes shipped in ontology/ (themes.ttl,
groups.ttl), so loaders need no store.  :meth:`ConceptIndex.lookup` matches a
whole label (a table cell such as "Women" or "E4"); :meth:`ConceptIndex.tag`
finds every label in a free text, ignoring case, plural endings, possessives
and hyphens, longest match first (``Black women`` is one group, not two).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from rightsgraph import ontology
from rightsgraph.loaders.names import Hit, NameIndex
from rightsgraph.ontology.terms import RDF, RG, SKOS

_DASHES = re.compile(r"[\u2010-\u2015\-_/]+")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`]")
_SPACES = re.compile(r"\s+")


def normalise(label: str) -> str:
    """Fold case, dashes, apostrophes and spacing so that variants compare equal.

    >>> normalise("  Gender-Based   Violence ")
    'gender based violence'
    >>> normalise("Women’s rights")
    "women's rights"
    """
    text = unicodedata.normalize("NFKC", label)
    text = _APOSTROPHES.sub("'", text)
    text = _DASHES.sub(" ", text.lower())
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Concept:
    """A theme or group with every label it is known by."""

    iri: NamedNode
    kind: str  # "theme" or "group"
    pref_label: str
    labels: tuple[str, ...]
    notation: str | None = None
    broader: tuple[NamedNode, ...] = ()


@dataclass
class ConceptIndex:
    """Concepts of the theme and group schemes, by normalised label and notation."""

    concepts: dict[NamedNode, Concept] = field(default_factory=dict)
    _by_label: dict[tuple[str, str], NamedNode] = field(default_factory=dict)
    _text_indexes: dict[str, NameIndex[NamedNode]] | None = field(default=None, repr=False)

    @classmethod
    def from_ontology(cls) -> ConceptIndex:
        """Build (once per process) the index of the shipped schemes."""
        return _shipped_index()

    def add(self, concept: Concept) -> None:
        self.concepts[concept.iri] = concept
        self._text_indexes = None
        keys = [normalise(label) for label in concept.labels]
        if concept.notation:
            keys.append(normalise(concept.notation))
        for key in keys:
            self._by_label.setdefault((concept.kind, key), concept.iri)

    def lookup(self, label: str, kind: str) -> NamedNode | None:
        """Return the ``kind`` ("theme" or "group") concept named ``label``, if any.

        Matches prefLabel, altLabel or notation, ignoring case, dashes and a
        plural ``s``.
        """
        key = normalise(label)
        for candidate in (key, key.removesuffix("s"), key.removesuffix("es")):
            found = self._by_label.get((kind, candidate))
            if found is not None:
                return found
        return None

    def tag(self, text: str) -> list[Hit[NamedNode]]:
        """Return the concepts whose labels ``text`` mentions, where it mentions them.

        >>> index = ConceptIndex()
        >>> index.add(Concept(NamedNode("https://x.org/gbv"), "theme", "Gender-based violence",
        ...                   ("Gender-based violence",)))
        >>> [(h.value.value, h.text) for h in index.tag("end gender based violences now")]
        [('https://x.org/gbv', 'gender based violences')]
        """
        hits: list[Hit[NamedNode]] = []
        for index in self._indexes().values():
            found = index.find(text, overlapping=True)
            hits += found + _coordinated(index, text, found)
        return sorted(hits, key=lambda h: (h.start, h.end))

    def _indexes(self) -> dict[str, NameIndex[NamedNode]]:
        if self._text_indexes is None:
            indexes: dict[str, NameIndex[NamedNode]] = {}
            for concept in self.concepts.values():
                index = indexes.setdefault(concept.kind, NameIndex(fold=True))
                for label in concept.labels:
                    index.add(label, concept.iri)
            self._text_indexes = indexes
        return self._text_indexes

    def labels(self, kind: str) -> dict[str, NamedNode]:
        """Return every normalised label of ``kind`` concepts and its concept."""
        return {key: iri for (k, key), iri in self._by_label.items() if k == kind}


_WORDS = r"(?:[\w'’-]+\s){0,2}[\w'’-]+"
_COORDINATION = re.compile(rf"((?:{_WORDS},\s+)*{_WORDS},?\s+(?:and|or|&)\s+)$")
_CONJUNCTION_BEFORE = re.compile(r"(?:\band|\bor|&)\s+$")
_CONJUNCT = re.compile(rf"({_WORDS})(?:,?\s+(?:and|or|&)\s+|,\s+)")


def _coordinated(index: NameIndex[NamedNode], text: str,
                 hits: list[Hit[NamedNode]]) -> list[Hit[NamedNode]]:
    """Concepts named by modifiers coordinated with a hit's first word:
    in ``Black and Indigenous Women``, ``Black`` names "Black women" too."""
    extra: list[Hit[NamedNode]] = []
    for hit in hits:
        words = hit.text.split()
        if len(words) < 2:
            continue
        if not _CONJUNCTION_BEFORE.search(text, max(0, hit.start - 6), hit.start):
            continue
        suffixes = [" " + " ".join(words[n:]) for n in range(len(words) - 1, 0, -1)]
        coordination = _COORDINATION.search(text, max(0, hit.start - 100), hit.start)
        if coordination is None:
            continue
        for conjunct in _CONJUNCT.finditer(text, coordination.start(), hit.start):
            found = _modifier_hit(index, conjunct.group(1).split(), suffixes)
            if found is not None:
                value, modifier = found
                extra.append(Hit(value, conjunct.end(1) - len(modifier), conjunct.end(1),
                                 modifier))
    return extra


def _modifier_hit(index: NameIndex[NamedNode], words: list[str],
                  suffixes: list[str]) -> tuple[NamedNode, str] | None:
    """The concept that the shortest modifier among ``words`` forms with a head."""
    for size in range(1, len(words) + 1):
        modifier = " ".join(words[-size:])
        for suffix in suffixes:
            found = index.find(modifier + suffix)
            if found and found[0].start == 0 and found[0].end > len(modifier):
                return found[0].value, modifier
    return None


@cache
def _shipped_index() -> ConceptIndex:
    index = ConceptIndex()
    for file_name, kind, cls in (("themes.ttl", "theme", RG.Theme), ("groups.ttl", "group", RG.Group)):
        if file_name not in ontology.available():
            continue
        triples = list(parse(ontology.read_bytes(file_name), format=RdfFormat.TURTLE))
        members = {t.subject for t in triples if t.predicate == RDF.type and t.object == cls}
        for iri in sorted(members, key=lambda n: n.value):
            if not isinstance(iri, NamedNode):
                continue
            about = [t for t in triples if t.subject == iri]
            pref = [t.object.value for t in about if t.predicate == SKOS.prefLabel
                    and isinstance(t.object, Literal)]
            alts = [t.object.value for t in about if t.predicate == SKOS.altLabel
                    and isinstance(t.object, Literal)]
            notation = next((t.object.value for t in about if t.predicate == SKOS.notation), None)
            broader = tuple(t.object for t in about if t.predicate == SKOS.broader
                            and isinstance(t.object, NamedNode))
            index.add(Concept(iri, kind, pref[0] if pref else iri.value, tuple(pref + alts),
                              notation, broader))
    return index
