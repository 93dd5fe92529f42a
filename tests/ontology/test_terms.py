"""The vocabulary in code matches the vocabulary in ontology/."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from rightsgraph import ontology
from rightsgraph.ontology import terms
from rightsgraph.ontology.terms import RG

RGNS = rdflib.Namespace(RG.base)

# The names the foundation issue fixes: analysts' saved queries depend on them.
REQUIRED_CLASSES = [
    "Document", "Statement", "Passage", "Recommendation", "Commitment", "Concern", "Footnote",
    "Source", "Organisation", "State", "Person", "Event", "Instrument", "Theme", "Group",
]
REQUIRED_PROPERTIES = [
    "text", "theme", "group", "mentions", "footnote", "marker", "source", "madeBy",
    "addressedTo", "startOffset", "endOffset",
]


@pytest.fixture(scope="module")
def vocabulary() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ontology.available():
        graph.parse(data=ontology.read_bytes(name), format="turtle")
    return graph


@pytest.fixture(scope="module")
def core() -> rdflib.Graph:
    return rdflib.Graph().parse(data=ontology.read_bytes("rightsgraph.ttl"), format="turtle")


def test_every_file_listed_is_shipped() -> None:
    core_files = {"rightsgraph.ttl", "shapes.ttl"}
    assert core_files <= set(ontology.available())


@pytest.mark.parametrize("name", REQUIRED_CLASSES)
def test_required_class_is_defined(core: rdflib.Graph, name: str) -> None:
    assert (RGNS[name], RDF.type, OWL.Class) in core
    assert name in RG.names()


@pytest.mark.parametrize("name", REQUIRED_PROPERTIES)
def test_required_property_is_defined(core: rdflib.Graph, name: str) -> None:
    kinds = set(core.objects(RGNS[name], RDF.type))
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, name
    assert name in RG.names()


@pytest.mark.parametrize("name", RG.names())
def test_code_term_has_label_and_comment_in_ontology(vocabulary: rdflib.Graph, name: str) -> None:
    iri = RGNS[name]
    assert (iri, RDFS.label, None) in vocabulary, f"rg:{name} has no rdfs:label in ontology/"
    assert (iri, RDFS.comment, None) in vocabulary, f"rg:{name} has no rdfs:comment in ontology/"


def test_every_ontology_term_is_in_code(core: rdflib.Graph) -> None:
    declared = {
        str(s)[len(RG.base):]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in core.subjects(RDF.type, kind)
        if str(s).startswith(RG.base)
    }
    assert declared == set(RG.names()) - set(terms.RG_INDIVIDUALS)


def test_reused_vocabularies_are_superclasses(core: rdflib.Graph) -> None:
    org = rdflib.Namespace("http://www.w3.org/ns/org#")
    schema = rdflib.Namespace("https://schema.org/")
    assert (RGNS.Organisation, RDFS.subClassOf, org.Organization) in core
    assert (RGNS.Event, RDFS.subClassOf, schema.Event) in core
    assert (RGNS.Theme, RDFS.subClassOf, SKOS.Concept) in core
    assert (RGNS.Group, RDFS.subClassOf, SKOS.Concept) in core


def test_properties_have_declared_ranges(core: rdflib.Graph) -> None:
    classes = set(core.subjects(RDF.type, OWL.Class))
    for prop in core.subjects(RDF.type, OWL.ObjectProperty):
        for rng in core.objects(prop, RDFS.range):
            if str(rng).startswith(RG.base):
                assert rng in classes, f"{prop} has range {rng}, which is not a class"


def test_misspelt_term_fails() -> None:
    with pytest.raises(AttributeError, match="not a term"):
        _ = RG.Recomendation
    with pytest.raises(AttributeError):
        _ = terms.SKOS.preflabel


def test_prefixes_cover_every_namespace() -> None:
    namespaces = [v for v in vars(terms).values() if isinstance(v, terms.Vocabulary)]
    assert {ns.base for ns in namespaces} <= set(terms.PREFIXES.values())
