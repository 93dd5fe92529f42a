"""Readable labels for resources: what a person should see instead of an IRI.

A resource's label is its English ``skos:prefLabel``, else its
``rdfs:label``, ``dcterms:title`` or ``schema:name``, else a short form of
its IRI.  Labels come from documents and are untrusted text: the templates
escape them, and the scripts insert them with ``textContent``.

>>> store = GraphStore.memory()
>>> women = NamedNode("https://w3id.org/rightsgraph/group/women")
>>> labels(store, [women])[women.value]
'Women'
>>> fallback_label("https://w3id.org/rightsgraph/id/passage/report-txt/12")
'passage 12 (report-txt)'
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode

from rightsgraph.graph import queries
from rightsgraph.graph.store import GraphStore

#: Resources asked for in one query.
_BATCH = 400


def labels(store: GraphStore, iris: Iterable[NamedNode]) -> dict[str, str]:
    """Return a label for each of ``iris`` (keyed by IRI string)."""
    unique = list(dict.fromkeys(i for i in iris if isinstance(i, NamedNode)))
    found: dict[str, str] = {}
    for start in range(0, len(unique), _BATCH):
        chunk = unique[start:start + _BATCH]
        text = queries.LABELS % {"values": queries.values_clause("s", chunk)}
        for row in store.query(text):  # type: ignore[union-attr]
            for key in ("p", "l", "t", "n"):
                term = row[key]
                if isinstance(term, Literal) and term.value.strip():
                    found[row["s"].value] = " ".join(term.value.split())
                    break
    return {iri.value: found.get(iri.value) or fallback_label(iri.value) for iri in unique}


def fallback_label(iri: str) -> str:
    """A readable form of an IRI that has no label."""
    for marker in ("/id/", "/theme/", "/group/", "/organisation/", "/state/", "/event/"):
        if marker in iri:
            parts = iri.split(marker, 1)[1].strip("/").split("/")
            if len(parts) >= 3:
                return f"{parts[0]} {parts[-1]} ({parts[1]})"
            return " ".join(p.replace("-", " ") for p in parts)
    tail = iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
    return tail or iri
