"""Vocabulary terms as code.

Every term the package writes or queries is an attribute of one of the
namespaces below, so a misspelt term fails at import time instead of silently
producing a new IRI.  ``tests/ontology/test_terms.py`` checks that every
``RG`` term is defined in ``ontology/rightsgraph.ttl`` (and the other way
round).

>>> RG.Recommendation.value
'https://w3id.org/rightsgraph/ontology#Recommendation'
>>> RG.Recomendation
Traceback (most recent call last):
...
AttributeError: 'Recomendation' is not a term of https://w3id.org/rightsgraph/ontology#
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import NamedNode


class Vocabulary:
    """A closed set of terms sharing one namespace IRI.

    :param base: the namespace IRI, ending in ``#`` or ``/``.
    :param names: the local names that belong to the namespace.
    """

    def __init__(self, base: str, names: Iterable[str]) -> None:
        self.base = base
        self._terms = {name: NamedNode(base + name) for name in names}

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._terms[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not a term of {self.base}") from None

    def __getitem__(self, name: str) -> NamedNode:
        return self.__getattr__(name)

    def __iter__(self) -> Iterator[NamedNode]:
        return iter(self._terms.values())

    def __contains__(self, term: object) -> bool:
        return isinstance(term, NamedNode) and term in self._terms.values()

    def names(self) -> list[str]:
        """Return the local names, in declaration order."""
        return list(self._terms)


#: The classes of the rightsgraph ontology.
RG_CLASSES = (
    "Document", "Statement", "Passage", "Recommendation", "Commitment", "Concern",
    "Footnote", "Source", "Organisation", "State", "Person", "Event", "Instrument",
    "Theme", "Group", "SourceGraph",
)
#: The properties of the rightsgraph ontology.
RG_PROPERTIES = (
    "text", "theme", "group", "mentions", "footnote", "marker", "source", "madeBy",
    "addressedTo", "startOffset", "endOffset",
    # UPR recommendation tables
    "recommendingState", "stateUnderReview", "response", "actionCategory", "cycle",
    "session", "paragraph", "sdgTarget",
    # concepts and organisations
    "unmapped", "isoCode",
    # provenance of a source's named graph
    "fileName", "sha256", "loader", "loaderVersion",
)
#: Named individuals: the concept schemes.
RG_INDIVIDUALS = ("ThemeScheme", "GroupScheme", "UhriThemeScheme", "UhriPersonScheme")

RG = Vocabulary(
    "https://w3id.org/rightsgraph/ontology#", RG_CLASSES + RG_PROPERTIES + RG_INDIVIDUALS
)

RDF = Vocabulary("http://www.w3.org/1999/02/22-rdf-syntax-ns#", ("type", "langString"))
RDFS = Vocabulary(
    "http://www.w3.org/2000/01/rdf-schema#",
    ("label", "comment", "domain", "range", "subClassOf", "subPropertyOf", "seeAlso"),
)
OWL = Vocabulary(
    "http://www.w3.org/2002/07/owl#",
    ("Ontology", "Class", "ObjectProperty", "DatatypeProperty", "NamedIndividual",
     "versionInfo", "sameAs"),
)
XSD = Vocabulary(
    "http://www.w3.org/2001/XMLSchema#",
    ("string", "date", "dateTime", "integer", "nonNegativeInteger", "boolean", "gYear",
     "gYearMonth"),
)
SKOS = Vocabulary(
    "http://www.w3.org/2004/02/skos/core#",
    ("Concept", "ConceptScheme", "prefLabel", "altLabel", "hiddenLabel", "definition",
     "notation", "broader", "narrower", "inScheme", "topConceptOf", "hasTopConcept",
     "closeMatch", "exactMatch", "related"),
)
DCTERMS = Vocabulary(
    "http://purl.org/dc/terms/",
    ("title", "date", "creator", "isPartOf", "hasPart", "identifier", "issued", "source",
     "format", "license", "publisher", "description", "modified"),
)
PROV = Vocabulary(
    "http://www.w3.org/ns/prov#",
    ("Entity", "wasDerivedFrom", "wasGeneratedBy", "generatedAtTime", "wasAttributedTo"),
)
CITO = Vocabulary(
    "http://purl.org/spar/cito/", ("cites", "citesAsEvidence", "citesForInformation")
)
SCHEMA = Vocabulary(
    "https://schema.org/",
    ("Event", "Organization", "NGO", "GovernmentOrganization", "CreativeWork", "Person",
     "url", "startDate", "endDate", "organizer", "superEvent", "location", "name",
     "alternateName"),
)
ORG = Vocabulary(
    "http://www.w3.org/ns/org#", ("Organization", "subOrganizationOf", "memberOf")
)
OA = Vocabulary(
    "http://www.w3.org/ns/oa#",
    ("TextPositionSelector", "TextQuoteSelector", "start", "end", "exact", "prefix",
     "suffix"),
)
SH = Vocabulary(
    "http://www.w3.org/ns/shacl#",
    ("NodeShape", "PropertyShape", "targetClass", "property", "path", "minCount",
     "maxCount", "datatype", "class", "nodeKind", "IRI", "Literal", "in", "pattern",
     "message", "severity", "Violation", "Warning", "or"),
)
SDGO = Vocabulary("http://metadata.un.org/sdg/ontology#", ("Goal", "Target", "Indicator"))

#: Prefixes used when the package writes Turtle or pre-fills queries.
PREFIXES: dict[str, str] = {
    "rg": RG.base,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "owl": OWL.base,
    "xsd": XSD.base,
    "skos": SKOS.base,
    "dcterms": DCTERMS.base,
    "prov": PROV.base,
    "cito": CITO.base,
    "schema": SCHEMA.base,
    "org": ORG.base,
    "oa": OA.base,
    "sh": SH.base,
    "sdgo": SDGO.base,
    "theme": "https://w3id.org/rightsgraph/theme/",
    "group": "https://w3id.org/rightsgraph/group/",
    "sdg": "http://metadata.un.org/sdg/",
}

#: Default base IRI of instance data (documents, passages, organisations...).
DEFAULT_INSTANCE_BASE = "https://w3id.org/rightsgraph/id/"


def sparql_prologue() -> str:
    """Return ``PREFIX`` declarations for every prefix in :data:`PREFIXES`.

    >>> sparql_prologue().splitlines()[0]
    'PREFIX rg: <https://w3id.org/rightsgraph/ontology#>'
    """
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()) + "\n"
