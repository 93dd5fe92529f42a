"""The SPARQL of the browse pages, the entity pages and the evidence panel.

Every query the browsing layer runs is written here, once.  Values that come
from users are bound with ``substitutions=`` (and so appear in the SELECT
projection, as pyoxigraph requires); the few queries that take a list of
resources receive it through :func:`values_clause`, built from
:class:`~pyoxigraph.NamedNode` terms, which cannot carry anything but a
checked IRI.  Query text is never formatted from user strings.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import NamedNode

#: The kinds of resource that carry tags: the units of the intersection graph.
UNIT_KINDS = ("Passage", "Recommendation", "Commitment", "Concern")


def values_clause(variable: str, terms: Iterable[NamedNode]) -> str:
    """Return ``VALUES ?variable { <iri> ... }`` for checked IRIs.

    >>> values_clause("s", [NamedNode("https://example.org/a")])
    'VALUES ?s { <https://example.org/a> }'
    """
    if not variable.isidentifier():
        raise ValueError(f"not a variable name: {variable!r}")
    # str(NamedNode) is its N-Triples form; pyoxigraph has already refused
    # any value that is not a valid IRI, so nothing here can break the query.
    return f"VALUES ?{variable} {{ " + " ".join(str(t) for t in terms) + " }"


# ---------------------------------------------------------------- labels

LABELS = """
SELECT ?s (SAMPLE(?pref) AS ?p) (SAMPLE(?label) AS ?l) (SAMPLE(?title) AS ?t)
       (SAMPLE(?name) AS ?n) WHERE {
  %(values)s
  OPTIONAL { ?s skos:prefLabel ?pref FILTER(LANG(?pref) = "" || LANGMATCHES(LANG(?pref), "en")) }
  OPTIONAL { ?s rdfs:label ?label }
  OPTIONAL { ?s dcterms:title ?title }
  OPTIONAL { ?s schema:name ?name }
} GROUP BY ?s
"""

# ---------------------------------------------------------------- concept schemes

CONCEPTS = """
SELECT ?c ?kind (SAMPLE(?pref) AS ?label) (SAMPLE(?notation) AS ?code) WHERE {
  VALUES ?kind { rg:Theme rg:Group }
  ?c a ?kind .
  OPTIONAL { ?c skos:prefLabel ?pref FILTER(LANG(?pref) = "" || LANGMATCHES(LANG(?pref), "en")) }
  OPTIONAL { ?c skos:notation ?notation }
} GROUP BY ?c ?kind
"""

CONCEPT_LABELS = """
SELECT DISTINCT ?c ?label WHERE {
  VALUES ?kind { rg:Theme rg:Group }
  ?c a ?kind ; skos:prefLabel|skos:altLabel|skos:hiddenLabel|rdfs:label ?label .
}
"""

CONCEPT_BROADER = """
SELECT DISTINCT ?c ?b WHERE {
  VALUES ?kind { rg:Theme rg:Group }
  ?c a ?kind ; skos:broader ?b .
  ?b a ?kind .
}
"""

CONCEPT_USE = """
SELECT ?c (COUNT(DISTINCT ?u) AS ?n) WHERE {
  ?u rg:theme|rg:group ?c .
} GROUP BY ?c
"""

# ---------------------------------------------------------------- evidence

UNIT_DETAIL = """
SELECT ?u ?kind ?text ?doc ?passage ?start ?pstart ?ptext WHERE {
  ?u a ?kind ; rg:text ?text .
  OPTIONAL { ?u prov:wasDerivedFrom ?doc }
  OPTIONAL { ?u rg:startOffset ?start }
  OPTIONAL { ?u dcterms:isPartOf ?passage . ?passage a rg:Passage ; rg:text ?ptext .
             OPTIONAL { ?passage rg:startOffset ?pstart } }
} LIMIT 1
"""

UNIT_FOOTNOTES = """
SELECT DISTINCT ?u ?note ?marker ?notetext ?source ?url WHERE {
  { ?u rg:footnote ?note } UNION { ?u dcterms:isPartOf ?passage . ?passage a rg:Passage ; rg:footnote ?note }
  OPTIONAL { ?note rg:marker ?marker }
  OPTIONAL { ?note rg:text ?notetext }
  OPTIONAL { ?note rg:source ?source . OPTIONAL { ?source schema:url ?url } }
} ORDER BY ?note
"""

UNIT_CITED = """
SELECT DISTINCT ?u ?source ?url WHERE {
  { ?u cito:cites ?source } UNION
  { ?u dcterms:isPartOf ?passage . ?passage a rg:Passage ; cito:cites ?source }
  OPTIONAL { ?source schema:url ?url }
} ORDER BY ?source
"""

# ---------------------------------------------------------------- entity pages

PASSAGE_CONTEXT = """
SELECT ?s ?other ?text ?start WHERE {
  ?s dcterms:isPartOf ?statement .
  ?statement a rg:Statement .
  ?other a rg:Passage ; dcterms:isPartOf ?statement ; rg:text ?text ; rg:startOffset ?start .
} ORDER BY ?start
"""

PREDICATE_LABELS = """
SELECT ?p (SAMPLE(?label) AS ?l) WHERE {
  ?p rdfs:label ?label .
  VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty rdf:Property owl:AnnotationProperty }
  ?p a ?kind .
} GROUP BY ?p
"""

# ---------------------------------------------------------------- home

DOCUMENTS = """
SELECT ?doc (SAMPLE(?title) AS ?label) (SAMPLE(?file) AS ?name) (SAMPLE(?date) AS ?when)
       (COUNT(DISTINCT ?statement) AS ?statements) WHERE {
  ?doc a rg:Document .
  OPTIONAL { ?doc dcterms:title|rdfs:label ?title }
  OPTIONAL { ?doc rg:fileName ?file }
  OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?statement dcterms:isPartOf ?doc ; a rg:Statement }
} GROUP BY ?doc ORDER BY ?label
"""

# ---------------------------------------------------------------- lists with facets
# Assembled by graph/catalogue.py from these fragments: %(kind)s is a class
# IRI from its table of lists, %(patterns)s triple patterns from its table of
# facets, %(keys)s the variables that carry the user's choices (bound with
# substitutions, hence projected and grouped on).

DATE_PATH = ("dcterms:date|schema:startDate|dcterms:isPartOf/dcterms:date|"
             "dcterms:isPartOf/dcterms:isPartOf/dcterms:date")

LIST_ITEMS = """
SELECT ?item (SAMPLE(?l) AS ?label) (SAMPLE(?t) AS ?text) (MIN(?d) AS ?date) %(keys)s WHERE {
  ?item a %(kind)s .
  %(patterns)s
  OPTIONAL { ?item rdfs:label|dcterms:title|skos:prefLabel ?l }
  OPTIONAL { ?item rg:text|schema:url ?t }
  OPTIONAL { ?item %(date)s ?d }
} GROUP BY ?item %(keys)s ORDER BY %(order)s LIMIT %(limit)d OFFSET %(offset)d
"""

LIST_COUNT = """
SELECT (COUNT(DISTINCT ?item) AS ?n) %(keys)s WHERE {
  ?item a %(kind)s .
  %(patterns)s
} %(group)s
"""

FACET_COUNTS = """
SELECT ?v (COUNT(DISTINCT ?item) AS ?n) %(keys)s WHERE {
  ?item a %(kind)s .
  %(patterns)s
  ?item %(path)s ?v .
} GROUP BY ?v %(keys)s ORDER BY DESC(?n) ?v LIMIT %(limit)d
"""

YEAR_COUNTS = """
SELECT ?v (COUNT(DISTINCT ?item) AS ?n) %(keys)s WHERE {
  ?item a %(kind)s .
  %(patterns)s
  ?item %(date)s ?when .
  BIND(SUBSTR(STR(?when), 1, 4) AS ?v)
} GROUP BY ?v %(keys)s ORDER BY DESC(?v) LIMIT %(limit)d
"""

FILTER_VALUE = "?item %(path)s ?%(key)s ."
FILTER_FROM = "?item %(date)s ?%(key)s_d . FILTER(STR(?%(key)s_d) >= ?%(key)s)"
FILTER_TO = ("?item %(date)s ?%(key)s_d . "
             "FILTER(SUBSTR(STR(?%(key)s_d), 1, STRLEN(?%(key)s)) <= ?%(key)s)")

NAMES = """
SELECT ?s ?l WHERE {
  ?s skos:prefLabel|skos:altLabel|rdfs:label|schema:name|schema:alternateName ?l .
}
"""

