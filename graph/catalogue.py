"""Lists of resources with facets, the concept trees, and what the home page counts.

Each list is one class of resource; each facet a property path whose values
the user can pick.  Choices reach the query only through substitutions; the
query text is assembled from the fixed fragments in
:mod:`rightsgraph.graph.queries` and the tables below.

>>> page = list_page(GraphStore.memory(), ListQuery("recommendations"))
>>> page.total, [f.name for f in page.facets][:3]
(0, ['theme', 'group', 'addressee'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Variable

from rightsgraph.graph import queries
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.labels import labels
from rightsgraph.graph.schemes import Schemes, load_schemes
from rightsgraph.graph.stats import statistics
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import RG

#: Facet values shown per facet.
FACET_LIMIT = 40
#: Largest page of a list.
MAX_PAGE = 200
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_EVERY = 10**9  # a LIMIT that keeps every row


@dataclass(frozen=True)
class Facet:
    """A property whose values narrow a list."""

    name: str
    label: str
    path: str  # a SPARQL property path from the item to the value
    literal: bool = False  # values are literals (else IRIs)


_THEME = Facet("theme", "Theme", "rg:theme")
_GROUP = Facet("group", "Affected group", "rg:group")
_MAKER = Facet("maker", "Made by", "rg:madeBy")
_DOCUMENT = Facet("document", "Document", "prov:wasDerivedFrom")
YEAR = Facet("year", "Year", "")  # counted by year; chosen with from/to


@dataclass(frozen=True)
class ListSpec:
    """One list: its class, title and facets."""

    name: str
    title: str
    kind: NamedNode
    facets: tuple[Facet, ...]
    description: str = ""


LISTS: dict[str, ListSpec] = {spec.name: spec for spec in (
    ListSpec("statements", "Statements", RG.Statement,
             (Facet("creator", "Author", "dcterms:creator"), _DOCUMENT, YEAR),
             "Statements, reports and posts, each part of a loaded document."),
    ListSpec("recommendations", "Recommendations", RG.Recommendation,
             (_THEME, _GROUP, Facet("addressee", "Addressed to", "rg:addressedTo"), _MAKER,
              Facet("response", "Response", "rg:response", literal=True),
              Facet("recommending", "Recommending State", "rg:recommendingState"),
              _DOCUMENT, YEAR),
             "Calls to action and UN recommendations, with who makes them and to whom."),
    ListSpec("commitments", "Commitments", RG.Commitment, (_THEME, _GROUP, _MAKER, _DOCUMENT, YEAR),
             "What governments and institutions said they would do."),
    ListSpec("concerns", "Concerns", RG.Concern, (_THEME, _GROUP, _MAKER, _DOCUMENT, YEAR),
             "Concerns raised by the authors of the documents."),
    ListSpec("passages", "Passages", RG.Passage, (_THEME, _GROUP, _DOCUMENT, YEAR),
             "Paragraphs of the documents, with their tags."),
    ListSpec("organisations", "Organisations", RG.Organisation,
             (Facet("document", "Named in document",
                    "^(rg:mentions|rg:madeBy|rg:addressedTo|dcterms:creator)/prov:wasDerivedFrom"),),
             "NGOs, UN bodies and mechanisms, agencies and coalitions."),
    ListSpec("states", "States", RG.State,
             (Facet("document", "Named in document",
                    "^(rg:mentions|rg:madeBy|rg:addressedTo|rg:recommendingState)/prov:wasDerivedFrom"),),
             "States under review, recommending States and governments addressed."),
    ListSpec("sources", "Sources", RG.Source, (_DOCUMENT,),
             "Works cited in footnotes: reports, articles, web pages."),
    ListSpec("events", "Events", RG.Event,
             (Facet("organiser", "Organised by", "schema:organizer"), _DOCUMENT, YEAR),
             "Sessions, side events, reviews and campaigns."),
    ListSpec("instruments", "Instruments", RG.Instrument, (),
             "Treaties, conventions, laws and policies."),
    ListSpec("documents", "Documents", RG.Document, (), "The loaded documents."),
)}


@dataclass(frozen=True)
class ListQuery:
    """A page of a list, with the user's choices."""

    name: str
    choices: tuple[tuple[str, str], ...] = ()  # (facet name, value)
    date_from: str | None = None
    date_to: str | None = None
    page: int = 1
    size: int = 50
    order: str = "label"  # or "date"


@dataclass(frozen=True)
class Item:
    iri: str
    label: str
    text: str
    date: str


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool


@dataclass
class FacetCounts:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class ListPage:
    spec: ListSpec
    query: ListQuery
    items: list[Item]
    total: int
    facets: list[FacetCounts] = field(default_factory=list)


def checked(query: ListQuery) -> ListSpec:
    """The spec of ``query``'s list, once its choices are known to be valid.

    :raises RightsgraphError: for an unknown list, facet or malformed value.
    """
    spec = LISTS.get(query.name)
    if spec is None:
        raise RightsgraphError(f"no list called {query.name!r}; lists: {', '.join(LISTS)}")
    _restrictions(spec, query)
    return spec


def list_page(store: GraphStore, query: ListQuery) -> ListPage:
    """One page of a list, with its facet counts, asked of the store in SPARQL.

    This is the reference the index answers in :mod:`rightsgraph.graph.listing`
    are tested against; at 100,000 recommendations it takes a minute.

    :raises RightsgraphError: for an unknown list, facet or malformed value.
    """
    spec = checked(query)
    patterns, keys, bindings = _restrictions(spec, query)
    common = {"kind": str(spec.kind), "patterns": patterns, "keys": " ".join(keys),
              "date": queries.DATE_PATH}
    size = max(1, min(query.size, MAX_PAGE))
    order = "DESC(?date) ?label" if query.order == "date" else "?label ?item"
    text = queries.LIST_ITEMS % {**common, "order": order, "limit": size,
                                 "offset": (max(1, query.page) - 1) * size}
    items = [
        Item(row["item"].value,
             row["label"].value if row["label"] is not None else "",
             row["text"].value if row["text"] is not None else "",
             row["date"].value if row["date"] is not None else "")
        for row in store.query(text, substitutions=bindings)  # type: ignore[union-attr]
        if isinstance(row["item"], NamedNode)
    ]
    missing = [NamedNode(i.iri) for i in items if not i.label]
    if missing:
        names = labels(store, missing)
        items = [i if i.label else Item(i.iri, names[i.iri], i.text, i.date) for i in items]
    group = f"GROUP BY {' '.join(keys)}" if keys else ""
    counted = list(store.query(queries.LIST_COUNT % {**common, "group": group},  # type: ignore[arg-type]
                               substitutions=bindings))
    total = int(counted[0]["n"].value) if counted else 0
    facets = [_facet_counts(store, spec, facet, query, common, bindings) for facet in spec.facets]
    return ListPage(spec, query, items, total, facets)


def chosen_values(facet: Facet, query: ListQuery) -> list[str]:
    """The values of ``facet`` the user chose, in the order chosen."""
    if facet is YEAR:
        same = query.date_from and query.date_from == query.date_to
        return [query.date_from] if same and query.date_from else []
    return list(dict.fromkeys(value for name, value in query.choices if name == facet.name))


def shown_values(facet: Facet, query: ListQuery, counted: list[tuple[str, int]],
                 name: dict[str, str]) -> FacetCounts:
    """The facet as shown: the first :data:`FACET_LIMIT` of ``counted`` (every value with its
    count, best first), then every chosen value not among them, so that it can be removed.

    ``name`` gives the labels of IRI values (a value not in it is its own label).
    """
    chosen = chosen_values(facet, query)
    shown = counted[:FACET_LIMIT]
    listed = {value for value, _n in shown}
    every = dict(counted)
    shown += [(value, every.get(value, 0)) for value in chosen if value not in listed]
    return FacetCounts(facet.name, facet.label, [
        FacetValue(value, name.get(value, value), n, value in chosen) for value, n in shown])


def _restrictions(spec: ListSpec, query: ListQuery) -> tuple[str, list[str], dict[Variable, object]]:
    facets = {f.name: f for f in spec.facets if f.path}
    patterns: list[str] = []
    keys: list[str] = []
    bindings: dict[Variable, object] = {}
    for number, (name, value) in enumerate(query.choices):
        facet = facets.get(name)
        if facet is None:
            raise RightsgraphError(f"{spec.title} have no facet {name!r}")
        key = f"f{number}"
        patterns.append(queries.FILTER_VALUE % {"path": facet.path, "key": key})
        keys.append(f"?{key}")
        bindings[Variable(key)] = Literal(value) if facet.literal else _iri(value)
    for key, bound, fragment in (("from", query.date_from, queries.FILTER_FROM),
                                 ("to", query.date_to, queries.FILTER_TO)):
        if bound:
            if not _DATE.match(bound):
                raise RightsgraphError(f"dates are YYYY, YYYY-MM or YYYY-MM-DD: {bound!r}")
            patterns.append(fragment % {"date": queries.DATE_PATH, "key": key})
            keys.append(f"?{key}")
            bindings[Variable(key)] = Literal(bound)
    return "\n  ".join(patterns), keys, bindings


def _facet_counts(store: GraphStore, spec: ListSpec, facet: Facet, query: ListQuery,
                  common: dict[str, str], bindings: dict[Variable, object]) -> FacetCounts:
    # Every value is counted (no LIMIT) so that a chosen value past the first ones keeps its count.
    if facet is YEAR:
        text = queries.YEAR_COUNTS % {**common, "limit": _EVERY}
    else:
        text = queries.FACET_COUNTS % {**common, "path": facet.path, "limit": _EVERY}
    rows = [(r["v"], int(r["n"].value))
            for r in store.query(text, substitutions=bindings)]  # type: ignore[union-attr]
    chosen = [_iri(v) for v in chosen_values(facet, query) if facet is not YEAR and not facet.literal]
    names = labels(store, [*(v for v, _ in rows if isinstance(v, NamedNode)), *chosen])
    return shown_values(facet, query, [(v.value, n) for v, n in rows], names)


def _iri(value: str) -> NamedNode:
    try:
        return NamedNode(value)
    except ValueError:
        raise RightsgraphError(f"not an IRI: {value!r}") from None


# ---------------------------------------------------------------- concept trees


@dataclass
class TreeNode:
    """A concept with how often it is used, and its narrower concepts."""

    iri: str
    label: str
    notation: str
    uses: int
    children: list[TreeNode]

    @property
    def total(self) -> int:
        """Uses of this concept and every concept under it (a concept under two counts twice)."""
        return self.uses + sum(child.total for child in self.children)


def concept_tree(schemes: Schemes, kind: str) -> list[TreeNode]:
    """The scheme of ``kind`` ("theme" or "group") as a tree (a concept under two tops shows twice)."""

    def grow(iri: str, path: frozenset[str]) -> TreeNode:
        concept = schemes.concepts[iri]
        children = [grow(c, path | {c}) for c in schemes.children(iri) if c not in path]
        return TreeNode(iri, concept.label, concept.notation, schemes.use.get(iri, 0), children)

    return [grow(root, frozenset({root})) for root in schemes.roots(kind)]


# ---------------------------------------------------------------- the home page


@dataclass
class Summary:
    """What the dataset holds."""

    kinds: dict[str, int]
    documents: list[tuple[str, str, str, int]]  # iri, label, date, statements
    schemes: Schemes


def summary(store: GraphStore) -> Summary:
    """Counts by kind and the documents loaded."""
    stats = statistics(store)
    documents = [
        (row["doc"].value,
         (row["label"] or row["name"] or row["doc"]).value,
         row["when"].value if row["when"] is not None else "",
         int(row["statements"].value))
        for row in store.query(queries.DOCUMENTS)  # type: ignore[union-attr]
        if isinstance(row["doc"], NamedNode)
    ]
    return Summary(stats.kinds, documents, load_schemes(store))
