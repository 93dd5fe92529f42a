"""Entity pages: one page per resource, with Turtle, JSON-LD and JSON twins.

``/id/<rest>`` shows the resource ``{BASE}<rest>`` (so instance IRIs resolve
here); ``/resource?iri=...`` shows any other IRI.  The same URL answers
``Accept: text/turtle``, ``application/ld+json`` and ``application/json``, and
``.ttl``, ``.jsonld`` and ``.json`` give each twin directly.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from pyoxigraph import NamedNode, RdfFormat, serialize

from rightsgraph.graph.entities import Entity, Note, Value, describe, triples
from rightsgraph.ontology.terms import PREFIXES
from rightsgraph.webui.errors import ApiError
from rightsgraph.webui.state import store

bp = Blueprint("entities", __name__)

#: Twins of an entity page: suffix -> (format name, media type).
TWINS = {
    ".ttl": ("turtle", "text/turtle"),
    ".jsonld": ("jsonld", "application/ld+json"),
    ".json": ("json", "application/json"),
}
_MEDIA = {media: name for name, media in TWINS.values()}
#: Neighbours drawn around an entity.
NEIGHBOURS = 40


@bp.app_template_global()
def entity_url(iri: str, twin: str = "") -> str:
    """The page of ``iri`` in this app (``twin`` is ``""``, ``.ttl``, ``.jsonld`` or ``.json``)."""
    base = str(current_app.config["BASE"])
    if iri.startswith(base) and len(iri) > len(base):
        return url_for("entities.by_path", rest=iri[len(base):] + twin)
    if twin:
        return url_for("entities.resource_twin", suffix=twin[1:], iri=iri)
    return url_for("entities.resource", iri=iri)


@bp.get("/id/<path:rest>")
def by_path(rest: str) -> Response:
    """The resource ``{BASE}<rest>``, or a twin of it when ``rest`` ends with a twin suffix."""
    base = str(current_app.config["BASE"])
    iri, twin = base + rest, None
    with store() as graph_store:
        entity = describe(graph_store, _iri(iri))
        if entity is None:
            for suffix, (name, _media) in TWINS.items():
                if rest.endswith(suffix):
                    iri, twin = base + rest[: -len(suffix)], name
                    entity = describe(graph_store, _iri(iri))
                    break
        return _answer(entity, iri, twin)


@bp.get("/resource")
def resource() -> Response:
    """Any resource, named by ``?iri=``."""
    iri = _iri_argument()
    with store() as graph_store:
        return _answer(describe(graph_store, _iri(iri)), iri, None)


@bp.get("/resource/<any(ttl, jsonld, json):suffix>")
def resource_twin(suffix: str) -> Response:
    """A twin of any resource: ``/resource/ttl?iri=...`` (and ``jsonld``, ``json``)."""
    iri = _iri_argument()
    with store() as graph_store:
        return _answer(describe(graph_store, _iri(iri)), iri, TWINS["." + suffix][0])


def _iri_argument() -> str:
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise ApiError(400, "name the resource with ?iri=")
    return iri


def _iri(value: str) -> NamedNode:
    try:
        return NamedNode(value)
    except ValueError:
        raise ApiError(400, f"not an IRI: {value!r}") from None


def _answer(entity: Entity | None, iri: str, twin: str | None) -> Response:
    if entity is None:
        raise ApiError(404, f"the graph says nothing about {iri}")
    if twin is None:
        best = request.accept_mimetypes.best_match(["text/html", *_MEDIA])
        twin = _MEDIA.get(best or "text/html")
    if twin is None:
        response = Response(render_template("entity.html", entity=entity), mimetype="text/html")
    elif twin == "json":
        response = jsonify(entity_json(entity))
    else:
        with store() as graph_store:
            found = triples(graph_store, NamedNode(iri))
        fmt = RdfFormat.TURTLE if twin == "turtle" else RdfFormat.JSON_LD
        data = serialize(found, format=fmt, prefixes=PREFIXES if twin == "turtle" else None) or b""
        response = Response(data, mimetype=TWINS[".ttl" if twin == "turtle" else ".jsonld"][1])
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Vary"] = "Accept"
    return response


def entity_json(entity: Entity) -> dict[str, object]:
    """The JSON twin: what the page shows, and the neighbourhood to draw."""

    return {
        "iri": entity.iri,
        "label": entity.label,
        "types": [value(t) for t in entity.types],
        "properties": [{"predicate": p.predicate, "label": p.label, "total": p.total,
                        "values": [value(v) for v in p.values]} for p in entity.properties],
        "incoming": [{"predicate": p.predicate, "label": p.label, "total": p.total,
                      "values": [value(v) for v in p.values]} for p in entity.incoming],
        "incoming_total": entity.incoming_total,
        "evidence": {"pieces": [{"text": t, "this": m} for t, m in entity.context],
                     "of": value(entity.context_of) if entity.context_of else None},
        "footnotes": [note_json(n) for n in entity.notes],
        "cites": [note_json(n) for n in entity.cited],
        "neighbourhood": neighbourhood(entity),
        "twins": {name: entity_url(entity.iri, suffix) for suffix, (name, _m) in TWINS.items()},
    }


def value(v: Value) -> dict[str, object]:
    """An IRI (with its label and page) or a literal, for JSON."""
    if v.iri is not None:
        return {"iri": v.iri, "label": v.text, "url": entity_url(v.iri)}
    return {"value": v.text, "note": v.note}


def note_json(note: Note) -> dict[str, object]:
    """A footnote or cited source for JSON (``url`` only when it is http or https)."""
    return {"marker": note.marker, "text": note.text, "source": note.source,
            "source_label": note.source_label,
            "source_page": entity_url(note.source) if note.source else None, "url": note.url}


def neighbourhood(entity: Entity) -> dict[str, list[dict[str, object]]]:
    """The entity and the resources it links to or from (up to :data:`NEIGHBOURS`)."""
    nodes: list[dict[str, object]] = [
        {"id": entity.iri, "label": entity.label, "url": entity_url(entity.iri), "self": True}]
    edges: list[dict[str, object]] = []
    seen = {entity.iri}
    for direction, links in (("out", entity.properties), ("in", entity.incoming)):
        for link in links:
            for v in link.values:
                if v.iri is None or len(seen) > NEIGHBOURS:
                    continue
                if v.iri not in seen:
                    seen.add(v.iri)
                    nodes.append({"id": v.iri, "label": v.text, "url": entity_url(v.iri),
                                  "self": False})
                a, b = (entity.iri, v.iri) if direction == "out" else (v.iri, entity.iri)
                edges.append({"from": a, "to": b, "label": link.label})
    return {"nodes": nodes, "edges": edges}
