"""The SPARQL 1.1 Service Description of the endpoint."""

from __future__ import annotations

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize

from rightsgraph.ontology.terms import RDF

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_RDF_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES,
                "jsonld": RdfFormat.JSON_LD, "rdfxml": RdfFormat.RDF_XML}


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def service_description(endpoint: str, update_endpoint: str, fmt: str = "turtle") -> bytes:
    """Describe the endpoint: languages, result formats, the union default graph.

    >>> b"sd:UnionDefaultGraph" in service_description("http://localhost/sparql",
    ...                                                "http://localhost/sparql/update")
    True
    """
    service = BlankNode("service")
    dataset = BlankNode("dataset")
    default_graph = BlankNode("defaultGraph")
    triples = [
        Triple(service, RDF.type, _sd("Service")),
        Triple(service, _sd("endpoint"), NamedNode(endpoint)),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, RDF.type, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF.type, _sd("Graph")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(Triple(service, _sd("resultFormat"), NamedNode(FORMATS + name)))
    data = serialize(triples, format=_RDF_FORMATS.get(fmt, RdfFormat.TURTLE),
                     prefixes={"sd": SD, "formats": FORMATS} if fmt == "turtle" else None)
    return data if isinstance(data, bytes) else b""
