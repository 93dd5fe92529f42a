"""The intersectionality graph: /graph (the page), /graph.json (its data twin),
/graph/evidence.json (the units behind one edge) and the vis-network files.

Every parameter of the page is a parameter of /graph.json:

``document``, ``organisation``, ``family`` (IRIs), ``from``, ``to`` (ISO
dates), ``min`` (smallest edge weight), ``show`` (``organisations``,
``sources``; repeatable), ``focus`` (IRI) with ``depth`` (1 or 2), ``path_from``
and ``path_to`` (IRIs), ``communities`` (``1``), ``max_nodes``, ``max_edges``.
"""

from __future__ import annotations

from importlib import resources

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.blueprints import BlueprintSetupState

from rightsgraph.graph.evidence import explain
from rightsgraph.graph.intersections import DEFAULT_KINDS, Filters, View
from rightsgraph.graph.rendering import KIND_COLOURS, vis_data
from rightsgraph.webui import derived
from rightsgraph.webui.entities import entity_url, note_json
from rightsgraph.webui.errors import ApiError
from rightsgraph.webui.state import store

bp = Blueprint("graphview", __name__)

#: The vis-network build that pyvis ships, served from the installed package.
VIS_FILES = {"vis-network.min.js": "application/javascript", "vis-network.css": "text/css"}
VIS_VERSION = "vis-9.1.2"
EVIDENCE_PAGE = 20
_SHOW = {"organisations": "organisation", "sources": "source"}


@bp.record_once
def _derive(setup: BlueprintSetupState) -> None:
    derived.init_app(setup.app)


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number") from None
    return max(low, min(high, value))


def _text(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


def filters() -> Filters:
    """The filters named by the request's arguments."""
    kinds = set(DEFAULT_KINDS) | {_SHOW[s] for s in request.args.getlist("show") if s in _SHOW}
    try:
        return Filters(document=_text("document"), organisation=_text("organisation"),
                       date_from=_text("from"), date_to=_text("to"), family=_text("family"),
                       min_weight=_int("min", 1, 1, 1_000_000), kinds=frozenset(kinds))
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def view() -> View:
    """What part of the network the request asks to see."""
    start, end = _text("path_from"), _text("path_to")
    return View(focus=_text("focus"), depth=_int("depth", 1, 1, 2),
                path=(start, end) if start and end else None,
                communities=request.args.get("communities") == "1",
                max_nodes=_int("max_nodes", 150, 1, 500),
                max_edges=_int("max_edges", 400, 1, 3000))


@bp.get("/graph")
def page() -> str:
    """The interactive graph (drawn by graph.js from /graph.json)."""
    network = derived.derived().network()
    schemes = network.schemes
    used = [c for c in schemes.concepts.values() if schemes.use.get(c.iri)]
    concepts = sorted(used, key=lambda c: (c.kind, c.label.lower()))
    families = [(iri, schemes.label(iri)) for iri in schemes.roots("theme")]
    return render_template(
        "graph.html", args=request.args, documents=network.documents(),
        organisations=network.organisations(), families=families, concepts=concepts,
        colours=KIND_COLOURS, shown=request.args.getlist("show"), export_base=export_base(),
    )


def export_base() -> str:
    """The export download URL the page adds ``scope=selection&iri=...`` to ("" without exports)."""
    if "exports" not in current_app.blueprints:
        return ""
    return url_for("exports.download")


@bp.get("/graph.json")
def data() -> Response:
    """The nodes, edges, weights and evidence identifiers of the graph."""
    chosen, shown = filters(), view()
    network = derived.derived().network().network(chosen, shown)
    drawn = vis_data(network, entity_url, by_community=shown.communities)
    return jsonify({
        "filters": {key: request.args.getlist(key) if key == "show" else request.args.get(key)
                    for key in request.args},
        **network.as_dict(),
        "nodes": drawn["nodes"],
        "edges": drawn["edges"],
        "options": drawn["options"],
        "legend": drawn["legend"],
    })


@bp.get("/graph/evidence.json")
def evidence() -> Response:
    """Every unit that joins ``a`` and ``b`` under the same filters, a page at a time."""
    a, b = _text("a"), _text("b")
    if not a or not b:
        raise ApiError(400, "name the two nodes with ?a=IRI&b=IRI")
    chosen = filters()
    intersections = derived.derived().network()
    units = intersections.evidence(a, b, chosen)
    offset = _int("offset", 0, 0, max(0, len(units)))
    page_units = units[offset:offset + EVIDENCE_PAGE]
    with store() as graph_store:
        found = explain(graph_store, page_units, a, b, intersections.schemes)
    return jsonify({
        "a": {"iri": a, "label": intersections.label(a), "url": entity_url(a)},
        "b": {"iri": b, "label": intersections.label(b), "url": entity_url(b)},
        "total": len(units),
        "offset": offset,
        "units": [{
            "iri": unit.iri, "url": entity_url(unit.iri), "kind": unit.kind, "label": unit.label,
            "pieces": [{"text": text, "mark": mark} for text, mark in unit.pieces],
            "document": {"iri": unit.document, "label": unit.document_label,
                         "url": entity_url(unit.document)} if unit.document else None,
            "passage": {"iri": unit.passage, "url": entity_url(unit.passage)} if unit.passage else None,
            "footnotes": [note_json(n) for n in unit.notes],
            "cites": [note_json(n) for n in unit.cited],
        } for unit in found],
    })


@bp.get("/graph/vendor/<name>")
def vendor(name: str) -> Response:
    """vis-network's script and style sheet, from the installed pyvis package."""
    if name not in VIS_FILES:
        raise ApiError(404, "no such file")
    path = resources.files("pyvis").joinpath("lib", VIS_VERSION, name)
    with resources.as_file(path) as real:
        response = send_file(real, mimetype=VIS_FILES[name], max_age=86400)
    return response
