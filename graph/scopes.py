"""The scope of an export, how users name it, and what the store offers.

A :class:`Scope` is the whole dataset, one named graph (a document's), or
the units of a theme, an affected group, an organisation or State, a
statement, or a selection of concepts (what the graph view shows).  Users
may name a theme, group or organisation by its label: :func:`resolve` finds
its IRI.  :func:`choices` lists what a scope can be in a given store, for
the export page.

>>> scope = Scope.parse("group", ["https://w3id.org/rightsgraph/group/women"])
>>> scope.describe()
'the units tagged with the affected group https://w3id.org/rightsgraph/group/women or a narrower one, \
and the related calls'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Variable

from rightsgraph import ontology
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.iri import checked_iri, slug
from rightsgraph.graph.labels import labels
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RG

#: The kinds of scope, in the order the CLI and the web page offer them.
SCOPE_KINDS = ("dataset", "graph", "theme", "group", "organisation", "statement", "selection")

_DESCRIPTIONS = {
    "dataset": "the whole dataset",
    "graph": "the named graph {iri}",
    "theme": "the units tagged with the theme {iri} or a narrower one, and the related calls",
    "group": "the units tagged with the affected group {iri} or a narrower one, and the related calls",
    "organisation": "the units made by, addressed to or naming {iri}, and those of its statements",
    "statement": "the units of {iri}",
    "selection": "the units tagged with {n} selected concept(s)",
}


@dataclass(frozen=True)
class Scope:
    """What to export: ``kind`` (one of :data:`SCOPE_KINDS`) and its IRIs."""

    kind: str = "dataset"
    iris: tuple[NamedNode, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise RightsgraphError(f"unknown scope {self.kind!r}; use one of {', '.join(SCOPE_KINDS)}")
        wanted = {"dataset": 0, "selection": None}.get(self.kind, 1)
        if wanted is None and not self.iris:
            raise RightsgraphError("a selection needs at least one IRI")
        if wanted is not None and len(self.iris) != wanted:
            raise RightsgraphError(
                f"the scope {self.kind} takes {'no IRI' if wanted == 0 else 'exactly one IRI'}, "
                f"not {len(self.iris)}")

    @classmethod
    def parse(cls, kind: str, iris: Sequence[str] = ()) -> Scope:
        """Build a scope from user input, checking every IRI.

        >>> Scope.parse("group", ["javascript:alert(1)"])
        Traceback (most recent call last):
        ...
        rightsgraph.graph.errors.RightsgraphError: IRI must use http, https or urn: 'javascript:alert(1)'
        """
        return cls(kind, tuple(checked_iri(iri) for iri in iris))

    @property
    def iri(self) -> NamedNode:
        """The one IRI of a single-resource scope."""
        return self.iris[0]

    def describe(self) -> str:
        """A sentence saying what the scope holds."""
        text = _DESCRIPTIONS[self.kind]
        return text.format(iri=self.iris[0].value if self.iris else "", n=len(self.iris))

    def slug(self) -> str:
        """A short name for files: ``dataset``, ``theme-maternal-mortality``...

        >>> Scope.parse("theme", ["https://w3id.org/rightsgraph/theme/maternal-mortality"]).slug()
        'theme-maternal-mortality'
        """
        if self.kind == "dataset":
            return "dataset"
        if self.kind == "selection":
            return f"selection-{len(self.iris)}"
        tail = self.iri.value.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
        return f"{self.kind}-{slug(tail, max_length=60)}"


#: The scope that exports the units about a resource of each class (for download links).
SCOPE_FOR_CLASS: dict[str, str] = {
    RG.Theme.value: "theme",
    RG.Group.value: "group",
    RG.Organisation.value: "organisation",
    RG.State.value: "organisation",
    RG.Statement.value: "statement",
    RG.Document.value: "graph",
}


# ---------------------------------------------------------------- names

_CONCEPT_BY_NAME = """
SELECT DISTINCT ?c ?wanted ?kind WHERE {
  ?c a ?kind ; skos:prefLabel|skos:altLabel|skos:notation|rdfs:label ?label .
  FILTER(LCASE(STR(?label)) = ?wanted)
} ORDER BY ?c
"""
_ACTOR_BY_NAME = """
SELECT DISTINCT ?c ?wanted WHERE {
  VALUES ?kind { rg:Organisation rg:State org:Organization rg:Person }
  ?c a ?kind ; skos:prefLabel|skos:altLabel|rdfs:label|schema:name|rg:isoCode ?label .
  FILTER(LCASE(STR(?label)) = ?wanted)
} ORDER BY ?c
"""


def resolve(store: GraphStore, kind: str, text: str) -> NamedNode:
    """Return the IRI a user means by ``text`` for a scope of ``kind``: an IRI as it
    is, or the concept (theme, group) or organisation of that label or code.

    >>> resolve(GraphStore.memory(), "theme", "Maternal Mortality").value
    'https://w3id.org/rightsgraph/theme/maternal-mortality'
    >>> resolve(GraphStore.memory(), "organisation", "usa").value
    'https://w3id.org/rightsgraph/state/USA'

    >>> resolve(GraphStore.memory(), "graph", "report.txt")
    Traceback (most recent call last):
    ...
    rightsgraph.graph.errors.RightsgraphError: the graph is not an absolute IRI: 'report.txt'

    :raises RightsgraphError: if no resource, or more than one, has that name, or a graph
        or statement is not given as an absolute http, https or urn IRI.
    """
    if kind not in ("theme", "group", "organisation") or text.startswith(
            ("http://", "https://", "urn:")):
        return checked_iri(text, what=f"the {kind}")
    wanted = Literal(" ".join(text.split()).lower())
    if kind in ("theme", "group"):
        rdf_class = RG.Theme if kind == "theme" else RG.Group
        rows = store.query(_CONCEPT_BY_NAME, substitutions={Variable("wanted"): wanted,
                                                            Variable("kind"): rdf_class})
    else:
        rows = store.query(_ACTOR_BY_NAME, substitutions={Variable("wanted"): wanted})
    found = sorted({row["c"].value for row in rows})  # type: ignore[union-attr]
    if not found:
        raise RightsgraphError(f"no {kind} is named {text!r}; give its label or IRI")
    if len(found) > 1:
        raise RightsgraphError(f"{len(found)} resources are named {text!r}: {', '.join(found[:5])}; "
                               "give the IRI")
    return NamedNode(found[0])


# ---------------------------------------------------------------- choices

_TAGGED = """
SELECT ?c ?tagging (COUNT(DISTINCT ?u) AS ?n) WHERE {
  VALUES ?kind { rg:Passage rg:Recommendation rg:Commitment rg:Concern }
  ?u ?tagging ?c ; a ?kind .
} GROUP BY ?c ?tagging ORDER BY DESC(?n) ?c LIMIT 1000
"""
_ACTORS = """
SELECT ?c (COUNT(DISTINCT ?u) AS ?n) WHERE {
  VALUES ?kind { rg:Passage rg:Recommendation rg:Commitment rg:Concern }
  ?u rg:madeBy|rg:addressedTo|rg:mentions|rg:recommendingState|rg:stateUnderReview ?c ; a ?kind .
  FILTER(isIRI(?c))
  FILTER EXISTS {
    VALUES ?actor { rg:Organisation rg:State org:Organization rg:Person } ?c a ?actor
  }
} GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1000
"""
_STATEMENTS = """
SELECT ?c (COUNT(DISTINCT ?u) AS ?n) WHERE {
  ?c a rg:Statement .
  OPTIONAL {
    VALUES ?kind { rg:Passage rg:Recommendation rg:Commitment rg:Concern }
    ?u dcterms:isPartOf/dcterms:isPartOf? ?c ; a ?kind .
  }
} GROUP BY ?c ORDER BY ?c LIMIT 1000
"""
_GRAPH_SIZES = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g
"""


@dataclass(frozen=True)
class Choice:
    """One resource a scope can be about: its IRI, label and number of units."""

    iri: str
    label: str
    units: int


def choices(store: GraphStore) -> dict[str, list[Choice]]:
    """What each single-resource scope can be about in ``store``, sorted by label.

    >>> [c.label for c in choices(GraphStore.memory())["graph"]]
    []
    """
    found: dict[str, list[tuple[NamedNode, int]]] = {
        "theme": _counted(store, _TAGGED, {Variable("tagging"): RG.theme}),
        "group": _counted(store, _TAGGED, {Variable("tagging"): RG.group}),
        "organisation": _counted(store, _ACTORS, {}),
        "statement": _counted(store, _STATEMENTS, {}),
    }
    names = labels(store, [iri for pairs in found.values() for iri, _ in pairs])
    result = {kind: sorted((Choice(iri.value, names[iri.value], n) for iri, n in pairs),
                           key=lambda c: (c.label.lower(), c.iri))
              for kind, pairs in found.items()}
    vocabulary = set(ontology.ONTOLOGY_GRAPHS.values())
    rows = store.query(_GRAPH_SIZES)
    sizes = {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]
    result["graph"] = [Choice(r.graph.value, r.file_name, sizes.get(r.graph.value, 0))
                       for r in store.source_records() if r.graph.value not in vocabulary]
    return result


def _counted(store: GraphStore, query: str,
             substitutions: dict[Variable, NamedNode]) -> list[tuple[NamedNode, int]]:
    rows = store.query(query, substitutions=substitutions or None)
    return [(row["c"], int(row["n"].value)) for row in rows  # type: ignore[union-attr]
            if isinstance(row["c"], NamedNode)]


__all__ = ["SCOPE_FOR_CLASS", "SCOPE_KINDS", "Choice", "Scope", "choices", "resolve"]
