"""A partner's SKOS thesaurus joining our theme or group scheme.

``rightsgraph load --extends themes issues.ttl`` puts every ``skos:Concept``
of the file into ``rg:ThemeScheme`` (typed ``rg:Theme``), or into
``rg:GroupScheme`` with ``--extends groups``.  A concept whose preferred or
alternative label is a label of one of our concepts is linked to it by
``skos:closeMatch`` (never merged: the partner's IRIs stay theirs), and
each link is listed in the load report for an analyst to review.
"""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from rightsgraph.graph.errors import InputError
from rightsgraph.loaders.concepts import ConceptIndex
from rightsgraph.loaders.report import Report
from rightsgraph.ontology.terms import RDF, RDFS, RG, SKOS

#: ``--extends`` value -> (concept kind, class, scheme).
SCHEMES = {
    "themes": ("theme", RG.Theme, RG.ThemeScheme),
    "groups": ("group", RG.Group, RG.GroupScheme),
}

Subject = NamedNode | BlankNode


def extend_scheme(
    triples: list[Triple], scheme: str, report: Report, *, file: str | None = None
) -> list[Triple]:
    """Return the triples that add the concepts of ``triples`` to ``scheme``.

    :param scheme: ``"themes"`` or ``"groups"``.
    :raises InputError: if the file holds no ``skos:Concept``.
    """
    kind, cls, scheme_iri = SCHEMES[scheme]
    concepts: set[Subject] = set()
    labels: dict[Subject, dict[NamedNode, list[Literal]]] = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, NamedNode | BlankNode):
            continue
        if triple.predicate == RDF.type and triple.object == SKOS.Concept:
            concepts.add(subject)
        elif triple.predicate in (SKOS.prefLabel, SKOS.altLabel, RDFS.label) and isinstance(
            triple.object, Literal
        ):
            labels[subject][triple.predicate].append(triple.object)
    if not concepts:
        raise InputError(f"no skos:Concept in this file to extend the {kind} scheme with",
                         file=file)

    index = ConceptIndex.from_ontology()
    added: list[Triple] = []
    for concept in sorted(concepts, key=str):
        own = labels[concept]
        added += [Triple(concept, RDF.type, cls), Triple(concept, SKOS.inScheme, scheme_iri)]
        if not own[SKOS.prefLabel]:
            report.doubt(f"{concept} has no skos:prefLabel; a {kind} needs one")
        if not own[RDFS.label]:
            added += [Triple(concept, RDFS.label, label) for label in own[SKOS.prefLabel]]
        added += _close_matches(concept, own[SKOS.prefLabel] + own[SKOS.altLabel], kind,
                                index, report)
    report.found[f"concepts added to the {kind} scheme"] = len(concepts)
    return added


def _close_matches(
    concept: Subject, labels: list[Literal], kind: str, index: ConceptIndex, report: Report
) -> list[Triple]:
    links: dict[NamedNode, str] = {}
    for label in labels:
        match = index.lookup(label.value, kind)
        if match is not None and match != concept:
            links.setdefault(match, label.value)
    for match, text in links.items():
        report.doubt(f"linked {concept} skos:closeMatch {match} (label {text!r})")
        report.found["skos:closeMatch links"] += 1
    return [Triple(concept, SKOS.closeMatch, match) for match in links]
