"""The theme and group schemes as the browse pages need them.

Concepts with their labels, broader and narrower concepts, the top concept
("family") each theme belongs to, and how often each is used as a tag.
Partner thesauri loaded with ``--extends`` join the schemes and appear here
too.

>>> schemes = load_schemes(GraphStore.memory())
>>> schemes.concepts[THEME + "forced-sterilisation"].label
'Forced sterilisation'
>>> sorted(schemes.families(THEME + "forced-sterilisation"))  # doctest: +NORMALIZE_WHITESPACE
['https://w3id.org/rightsgraph/theme/health', 'https://w3id.org/rightsgraph/theme/violence']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rightsgraph.graph import queries
from rightsgraph.graph.labels import fallback_label
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import PREFIXES, RG

THEME = PREFIXES["theme"]
GROUP = PREFIXES["group"]
_KIND = {RG.Theme.value: "theme", RG.Group.value: "group"}


@dataclass(frozen=True)
class Concept:
    """A theme or group of the schemes."""

    iri: str
    kind: str  # "theme" or "group"
    label: str
    notation: str = ""
    labels: tuple[str, ...] = ()  # prefLabel, altLabels, hiddenLabels, rdfs:label
    broader: tuple[str, ...] = ()


@dataclass
class Schemes:
    """Every theme and group, with the hierarchy between them."""

    concepts: dict[str, Concept]
    narrower: dict[str, list[str]] = field(default_factory=dict)
    use: dict[str, int] = field(default_factory=dict)

    def roots(self, kind: str) -> list[str]:
        """The top concepts of one kind, by label."""
        tops = [c for c in self.concepts.values() if c.kind == kind and not c.broader]
        return [c.iri for c in sorted(tops, key=lambda c: c.label.lower())]

    def children(self, iri: str) -> list[str]:
        """The narrower concepts of ``iri``, by label."""
        found = [self.concepts[n] for n in self.narrower.get(iri, []) if n in self.concepts]
        return [c.iri for c in sorted(found, key=lambda c: c.label.lower())]

    def ancestors(self, iri: str) -> set[str]:
        """Every concept above ``iri`` (not ``iri`` itself)."""
        seen: set[str] = set()
        todo = list(self.concepts[iri].broader) if iri in self.concepts else []
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current in self.concepts:
                todo.extend(self.concepts[current].broader)
        return seen

    def families(self, iri: str) -> set[str]:
        """The top concepts ``iri`` sits under (itself, if it is one)."""
        if iri not in self.concepts:
            return set()
        tops = {a for a in self.ancestors(iri) if not self.concepts.get(a, _NONE).broader}
        return tops or {iri}

    def label(self, iri: str) -> str:
        concept = self.concepts.get(iri)
        return concept.label if concept else fallback_label(iri)

    def kind(self, iri: str) -> str | None:
        concept = self.concepts.get(iri)
        return concept.kind if concept else None


_NONE = Concept("", "", "")


def load_schemes(store: GraphStore) -> Schemes:
    """Read the theme and group schemes (and how often each concept is used)."""
    base: dict[str, tuple[str, str, str]] = {}
    for row in store.query(queries.CONCEPTS):  # type: ignore[union-attr]
        iri = row["c"].value
        kind = _KIND[row["kind"].value]
        label = row["label"].value if row["label"] is not None else fallback_label(iri)
        code = row["code"].value if row["code"] is not None else ""
        if iri not in base or kind == "theme":
            base[iri] = (kind, label, code)
    all_labels: dict[str, list[str]] = defaultdict(list)
    for row in store.query(queries.CONCEPT_LABELS):  # type: ignore[union-attr]
        all_labels[row["c"].value].append(row["label"].value)
    broader: dict[str, list[str]] = defaultdict(list)
    narrower: dict[str, list[str]] = defaultdict(list)
    for row in store.query(queries.CONCEPT_BROADER):  # type: ignore[union-attr]
        child, parent = row["c"].value, row["b"].value
        if child != parent and parent in base:
            broader[child].append(parent)
            narrower[parent].append(child)
    concepts = {}
    for iri, (kind, label, code) in base.items():
        names = [label, *sorted(set(all_labels[iri]) - {label}, key=str.lower)]
        concepts[iri] = Concept(iri, kind, label, code, tuple(names), tuple(sorted(broader[iri])))
    use = {
        row["c"].value: int(row["n"].value)
        for row in store.query(queries.CONCEPT_USE)  # type: ignore[union-attr]
    }
    return Schemes(concepts, dict(narrower), use)
