"""Every class of the ontology has a SHACL shape."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, SH

from rightsgraph import ontology
from rightsgraph.ontology.terms import RG


def test_every_class_has_a_node_shape() -> None:
    core = rdflib.Graph().parse(data=ontology.read_bytes("rightsgraph.ttl"), format="turtle")
    shapes = rdflib.Graph().parse(data=ontology.read_bytes("shapes.ttl"), format="turtle")
    classes = {c for c in core.subjects(RDF.type, OWL.Class) if str(c).startswith(RG.base)}
    targeted = set(shapes.objects(None, SH.targetClass))
    assert classes - targeted == set()


def test_every_shape_property_has_a_message() -> None:
    shapes = rdflib.Graph().parse(data=ontology.read_bytes("shapes.ttl"), format="turtle")
    for prop in set(shapes.objects(None, SH.property)):
        assert (prop, SH.message, None) in shapes, f"property shape {prop} has no sh:message"
