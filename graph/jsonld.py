"""JSON-LD with a context, written from canonical lines.

pyoxigraph writes expanded JSON-LD only (full IRIs everywhere, no
``@context``), so this module writes compacted JSON-LD itself: an
``@context`` of the prefixes the data uses, then a ``@graph`` with one node
object per subject, in the canonical order.  Property names and types are
compact IRIs (``rg:text``, ``"@type": ["rg:Passage"]``); node identifiers
stay full IRIs, so that no processor has to resolve them; every value is
an explicit value object, so each literal keeps its exact lexical form,
datatype and language.

>>> from rightsgraph.graph.canonical import Canonical
>>> from pyoxigraph import Literal, NamedNode, Quad
>>> rg = "https://w3id.org/rightsgraph/ontology#"
>>> data = Canonical.from_quads([Quad(NamedNode("https://example.org/p1"),
...                                   NamedNode(rg + "text"), Literal("Hello"))])
>>> print(write_jsonld(data.merged()))
{
 "@context": {
  "rg": "https://w3id.org/rightsgraph/ontology#"
 },
 "@graph": [
  {
   "@id": "https://example.org/p1",
   "rg:text": [
    {
     "@value": "Hello"
    }
   ]
  }
 ]
}
<BLANKLINE>
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from rightsgraph.graph.turtle import EXPORT_PREFIXES

_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


class _Compactor:
    """Compact IRIs with the export prefixes, remembering which ones are used."""

    def __init__(self, prefixes: Mapping[str, str], schemes: set[str]) -> None:
        # A prefix spelt like an IRI scheme of the data would change that IRI's meaning.
        usable = {p: ns for p, ns in prefixes.items() if p.lower() not in schemes}
        self._namespaces = sorted(usable.items(), key=lambda item: (-len(item[1]), item[0]))
        self._cache: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, iri: str) -> str:
        found = self._cache.get(iri)
        if found is None:
            found = self._cache[iri] = self._compact(iri)
        return found

    def _compact(self, iri: str) -> str:
        for prefix, namespace in self._namespaces:
            if iri.startswith(namespace) and _LOCAL.fullmatch(iri, len(namespace)):
                self.used.add(prefix)
                return f"{prefix}:{iri[len(namespace):]}"
        return iri


def write_jsonld(lines: Sequence[str], prefixes: Mapping[str, str] | None = None) -> str:
    """Return a compacted JSON-LD document of ``lines`` (sorted canonical N-Triples)."""
    spaces = prefixes if prefixes is not None else EXPORT_PREFIXES
    triples = list(parse("\n".join(lines), format=RdfFormat.N_TRIPLES)) if lines else []
    schemes = {t.value.split(":", 1)[0].lower() for triple in triples
               for t in (triple.subject, triple.predicate, triple.object) if isinstance(t, NamedNode)}
    compact = _Compactor(spaces, schemes)
    nodes: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    subject_key = None
    for triple in triples:
        key = _node_id(triple.subject)
        if key != subject_key:
            subject_key, current = key, {"@id": key}
            nodes.append(current)
        predicate = triple.predicate.value
        term = triple.object
        if predicate == _TYPE and isinstance(term, NamedNode | BlankNode):
            current.setdefault("@type", []).append(
                compact(term.value) if isinstance(term, NamedNode) else _node_id(term))
            continue
        current.setdefault(compact(predicate), []).append(_value(term, compact))
    context = {p: spaces[p] for p in sorted(compact.used)}
    # "@type" right after "@id", whatever the IRI order of rdf:type among the predicates
    nodes = [{"@id": n.pop("@id"), **({"@type": n.pop("@type")} if "@type" in n else {}), **n}
             for n in nodes]
    document = {"@context": context, "@graph": nodes}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _node_id(term: object) -> str:
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return "_:" + term.value
    raise ValueError(f"cannot write {term!r} as a JSON-LD node (RDF 1.2 triple terms are not supported)")


def _value(term: object, compact: _Compactor) -> dict[str, str]:
    if isinstance(term, Literal):
        value = {"@value": term.value}
        if term.language:
            value["@language"] = term.language
        elif term.datatype.value not in (_STRING, _LANG_STRING):
            value["@type"] = compact(term.datatype.value)
        return value
    return {"@id": _node_id(term)}
