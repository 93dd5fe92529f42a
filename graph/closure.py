"""The closure a partner needs for a scope: the units and everything to read them.

For a theme, group, organisation, statement or selection scope,
:func:`closure` gathers:

- the units (passages, recommendations, commitments, concerns), and what
  contains them (passage, statement, document);
- their footnotes and the sources these cite, with their URLs;
- the organisations, States, events and instruments they name;
- every concept they use, its broader concepts and the UHRI and SDG
  concepts it is mapped to, with their labels;
- provenance: the documents they derive from and the record of each source
  graph (file, digest, loader, time of loading).

Each of those resources comes with its whole description (every triple of
which it is the subject, from every graph, blank nodes included), so the
result conforms to the shapes whenever the store does.  A theme or group
takes in its narrower concepts (``skos:broader*``) and, from each statement
that discusses it, the recommendations on a neighbouring concept (one with
the same broader concept): the calls to action concerned.  A selection (what
the graph view shows) takes the units tagged with its concepts, made by,
addressed to or naming its organisations, or citing its sources, and the
units selected themselves.

>>> store = GraphStore.memory()
>>> scope = Scope.parse("theme", ["https://w3id.org/rightsgraph/theme/maternal-mortality"])
>>> len(closure(store, scope)) > 10   # no unit yet: the theme and its broader concept
True
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, NamedNode, Quad, Variable

from rightsgraph import ontology
from rightsgraph.graph.canonical import hidden_graphs
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.queries import values_clause
from rightsgraph.graph.scopes import Scope
from rightsgraph.graph.store import GraphStore
from rightsgraph.ontology.terms import CITO, DCTERMS, ORG, PROV, RDF, RG, SCHEMA, SKOS

# ---------------------------------------------------------------- the units

_UNIT_KINDS = "VALUES ?kind { rg:Passage rg:Recommendation rg:Commitment rg:Concern }"

_UNITS = {
    "theme": f"""SELECT DISTINCT ?unit ?concept WHERE {{
  {_UNIT_KINDS}
  ?tag skos:broader* ?concept . ?unit rg:theme ?tag ; a ?kind .
}}""",
    "group": f"""SELECT DISTINCT ?unit ?concept WHERE {{
  {_UNIT_KINDS}
  ?tag skos:broader* ?concept . ?unit rg:group ?tag ; a ?kind .
}}""",
    "organisation": f"""SELECT DISTINCT ?unit ?actor WHERE {{
  {_UNIT_KINDS}
  {{ ?unit rg:madeBy|rg:addressedTo|rg:mentions|rg:recommendingState|rg:stateUnderReview ?actor }}
  UNION {{ ?unit dcterms:isPartOf+ ?work . ?work dcterms:creator ?actor }}
  ?unit a ?kind .
}}""",
    "statement": f"""SELECT DISTINCT ?unit ?container WHERE {{
  {_UNIT_KINDS}
  ?unit dcterms:isPartOf+ ?container ; a ?kind .
}}""",
}
_VARIABLE = {"theme": "concept", "group": "concept", "organisation": "actor", "statement": "container"}

# The calls to action "concerned" by a theme or group: in a statement that
# discusses the concept, the recommendations tagged with a neighbouring
# concept (one sharing a broader concept with it).  A statement that
# describes maternal deaths and then asks for access to health care is read
# as asking for it about maternal mortality.
_RELATED = """SELECT DISTINCT ?unit ?concept ?tagging WHERE {
  BIND(rg:Recommendation AS ?kind)
  ?tag skos:broader* ?concept .
  ?tagged ?tagging ?tag ; dcterms:isPartOf+ ?statement .
  ?statement a rg:Statement .
  ?concept skos:broader ?parent .
  ?neighbour skos:broader ?parent .
  ?unit ?tagging ?neighbour ; dcterms:isPartOf+ ?statement ; a ?kind .
}"""

# What the graph view shows: concepts, organisations and sources (its nodes), or units
# (the evidence of an edge).  A selected node takes in the units tagged with it, made by,
# addressed to or naming it, or citing it.
_SELECTION = f"""SELECT DISTINCT ?unit WHERE {{
  {_UNIT_KINDS}
  {{ %(selected)s ?unit rg:theme|rg:group|rg:madeBy|rg:addressedTo|rg:mentions
       |rg:recommendingState|rg:stateUnderReview|cito:cites|rg:footnote/rg:source ?selected }}
  UNION {{ %(units)s }}
  ?unit a ?kind .
}}"""


def units(store: GraphStore, scope: Scope) -> list[NamedNode]:
    """The units a theme, group, organisation, statement or selection scope is about, sorted."""
    if scope.kind == "selection":
        found: Iterable[object] = (row["unit"] for row in store.query(  # type: ignore[union-attr]
            _SELECTION % {"selected": values_clause("selected", scope.iris),
                          "units": values_clause("unit", scope.iris)}))
    elif scope.kind in _UNITS:
        rows = store.query(_UNITS[scope.kind],
                           substitutions={Variable(_VARIABLE[scope.kind]): scope.iri})
        found = [row["unit"] for row in rows]  # type: ignore[union-attr]
        if scope.kind in ("theme", "group"):
            tagging = RG.theme if scope.kind == "theme" else RG.group
            related = store.query(_RELATED, substitutions={Variable("concept"): scope.iri,
                                                           Variable("tagging"): tagging})
            found += [row["unit"] for row in related]  # type: ignore[union-attr]
    else:
        raise RightsgraphError(f"the scope {scope.kind} has no units")
    return sorted({u for u in found if isinstance(u, NamedNode)}, key=lambda u: u.value)


# ---------------------------------------------------------------- the closure

# For each role a resource plays in a package: which links to follow, and the
# role of the resource at the other end.  Everything reached is described in
# full; only these links are followed, which keeps a package focused.
_ACTOR_LINKS = {p.value: "actor" for p in (RG.madeBy, RG.addressedTo, RG.mentions,
                                           RG.recommendingState, RG.stateUnderReview)}
# A concept used by any resource of a package comes with its labels and mappings.
_CONCEPT_LINKS = {RG.theme.value: "concept", RG.group.value: "concept",
                  RG.sdgTarget.value: "mapped"}
_LINKS: dict[str, dict[str, str]] = {
    "unit": {
        DCTERMS.isPartOf.value: "container", PROV.wasDerivedFrom.value: "container",
        RG.footnote.value: "footnote", CITO.cites.value: "source",
        CITO.citesAsEvidence.value: "source", CITO.citesForInformation.value: "source",
        **_CONCEPT_LINKS, **_ACTOR_LINKS,
    },
    "container": {
        DCTERMS.isPartOf.value: "container", PROV.wasDerivedFrom.value: "container",
        DCTERMS.creator.value: "actor", CITO.cites.value: "source",
        **_CONCEPT_LINKS, **_ACTOR_LINKS,
    },
    "footnote": {RG.source.value: "source", PROV.wasDerivedFrom.value: "container",
                 CITO.cites.value: "source", **_CONCEPT_LINKS, **_ACTOR_LINKS},
    "source": {PROV.wasDerivedFrom.value: "container", **_CONCEPT_LINKS},
    "actor": {SCHEMA.organizer.value: "actor", SCHEMA.superEvent.value: "actor",
              PROV.wasDerivedFrom.value: "container", **_CONCEPT_LINKS},
    "concept": {SKOS.broader.value: "concept", SKOS.closeMatch.value: "mapped",
                SKOS.exactMatch.value: "mapped"},
    "mapped": {},
}
_VOCABULARY = frozenset(ontology.ONTOLOGY_GRAPHS.values())


def closure(store: GraphStore, scope: Scope) -> list[Quad]:
    """The quads of everything a partner needs for ``scope`` (not for dataset or graph).

    :raises RightsgraphError: if the scope's resource is not in the store.
    """
    if scope.kind in ("dataset", "graph"):
        raise RightsgraphError(f"the scope {scope.kind} is exported as it is, not as a closure")
    check(store, scope)
    seeds: list[tuple[NamedNode, str]] = [(u, "unit") for u in units(store, scope)]
    if scope.kind in ("theme", "group"):
        seeds.append((scope.iri, "concept"))
    elif scope.kind == "organisation":
        seeds.append((scope.iri, "actor"))
    elif scope.kind == "statement":
        seeds.append((scope.iri, "container"))
    else:
        seeds += [(iri, role) for iri in scope.iris if (role := _role(store, iri))]
    return _gather(store, seeds)


def _gather(store: GraphStore, seeds: list[tuple[NamedNode, str]]) -> list[Quad]:
    raw = store.raw
    hidden = hidden_graphs(store)
    quads: list[Quad] = []
    described: set[object] = set()
    expanded: set[tuple[object, str]] = set()
    graphs: set[NamedNode] = set()
    queue: list[tuple[NamedNode | BlankNode, str]] = list(seeds)
    while queue:
        resource, role = queue.pop()
        if (resource, role) in expanded:
            continue
        expanded.add((resource, role))
        description = [q for q in raw.quads_for_pattern(resource, None, None, None)
                       if q.graph_name not in hidden]
        if resource not in described:
            described.add(resource)
            quads += description
        links = _LINKS.get(role, {})
        for quad in description:
            target = quad.object
            if isinstance(target, BlankNode):
                queue.append((target, "blank"))
            elif isinstance(target, NamedNode) and quad.predicate.value in links:
                queue.append((target, links[quad.predicate.value]))
            if isinstance(quad.graph_name, NamedNode) and quad.graph_name.value not in _VOCABULARY:
                graphs.add(quad.graph_name)
    for graph in sorted(graphs, key=lambda g: g.value):  # provenance of each source graph
        quads += raw.quads_for_pattern(graph, None, None, graph)
    return quads


#: What the resource of a scope must be (any of these classes), and how to call it.
_EXPECTED: dict[str, tuple[str, tuple[NamedNode, ...]]] = {
    "theme": ("a theme", (RG.Theme,)),
    "group": ("an affected group", (RG.Group,)),
    "organisation": ("an organisation, State or person",
                     (RG.Organisation, RG.State, ORG.Organization, RG.Person)),
    "statement": ("a statement or document", (RG.Statement, RG.Document)),
}


def check(store: GraphStore, scope: Scope) -> None:
    """Refuse a scope about a resource the store does not hold, or of the wrong kind
    (a group given as a theme), with a message that says which.

    >>> women = Scope.parse("theme", ["https://w3id.org/rightsgraph/group/women"])
    >>> try:
    ...     check(GraphStore.memory(), women)
    ... except RightsgraphError as exc:
    ...     print(exc)
    https://w3id.org/rightsgraph/group/women is not a theme in this store
    """
    raw = store.raw
    expected = _EXPECTED.get(scope.kind)
    for iri in scope.iris if scope.kind not in ("dataset", "graph") else ():
        if not any(True for _ in raw.quads_for_pattern(iri, None, None, None)):
            raise RightsgraphError(f"nothing is known about {iri.value} in this store")
        if expected is None:
            continue
        name, classes = expected
        if not any(any(True for _ in raw.quads_for_pattern(iri, RDF.type, c, None))
                   for c in classes):
            raise RightsgraphError(f"{iri.value} is not {name} in this store")


_ROLES = ((SKOS.inScheme, None, "concept"), (RDF.type, RG.Source, "source"),
          *((RDF.type, c, "actor") for c in (RG.Organisation, RG.State, ORG.Organization,
                                             RG.Person, RG.Event)))


def _role(store: GraphStore, iri: NamedNode) -> str:
    """The role of a selected node that is not a unit ("" for a unit or anything else)."""
    for predicate, value, role in _ROLES:
        if any(True for _ in store.raw.quads_for_pattern(iri, predicate, value, None)):
            return role
    return ""


__all__ = ["Scope", "check", "closure", "units"]
