"""Full-text search (/search, and its data twin /search.json).

``q`` is the query (words, "phrases", AND, OR, NOT, parentheses, prefix*),
``kind`` narrows to kinds of resource (repeatable), ``page`` pages.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState

from rightsgraph.graph.search import Results, search
from rightsgraph.webui import derived
from rightsgraph.webui.entities import entity_url

bp = Blueprint("search", __name__)
PAGE_SIZE = 20
MAX_QUERY = 500


@bp.record_once
def _open_index(setup: BlueprintSetupState) -> None:
    derived.init_app(setup.app)


def _results() -> tuple[str, list[str], int, Results]:
    text = request.args.get("q", "")[:MAX_QUERY]
    kinds = request.args.getlist("kind")
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    results = search(derived.derived().index, text, kinds=kinds, limit=PAGE_SIZE,
                     offset=(page - 1) * PAGE_SIZE)
    return text, kinds, page, results


@bp.get("/search")
def page() -> str:
    """The search page."""
    text, kinds, number, results = _results()
    return render_template("search.html", q=text, kinds=kinds, page=number, results=results,
                           page_size=PAGE_SIZE)


@bp.get("/search.json")
def data() -> Response:
    """The search results as JSON."""
    text, kinds, number, results = _results()
    return jsonify({
        "query": text,
        "expression": results.expression,
        "phrase_fallback": results.phrase_fallback,
        "expanded": results.expanded,
        "total": results.total,
        "kinds": results.kinds,
        "page": number,
        "page_size": PAGE_SIZE,
        "hits": [{"iri": h.iri, "url": entity_url(h.iri), "kind": h.kind, "label": h.label,
                  "snippet": [{"text": t, "match": m} for t, m in h.segments]}
                 for h in results.hits],
    })
