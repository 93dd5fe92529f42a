"""Browsing: the home page and the lists with facets, each with a JSON twin.

``/`` (twin ``/index.json``) says what the dataset holds.  ``/browse/<list>``
(twin ``/browse/<list>.json``) lists one kind of resource; a facet value is
chosen with ``?<facet>=<value>`` (repeatable), dates with ``from`` and ``to``,
paging with ``page`` and ``size``, order with ``order=date``.  The lists
and their facet counts are served from the index beside the store
(:mod:`rightsgraph.graph.listing`), read once per list when the app starts
and again after the index changes.  Themes and groups are shown as their
SKOS trees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask.blueprints import BlueprintSetupState

from rightsgraph.graph.catalogue import (
    LISTS,
    ListPage,
    ListQuery,
    TreeNode,
    concept_tree,
)
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.holdings import holdings
from rightsgraph.graph.intersections import Filters
from rightsgraph.graph.listing import indexed_page, listed_items
from rightsgraph.graph.schemes import load_schemes
from rightsgraph.webui import derived
from rightsgraph.webui.entities import entity_url
from rightsgraph.webui.errors import ApiError
from rightsgraph.webui.state import store

bp = Blueprint("browse", __name__)
TREES = {"themes": ("theme", "Themes"), "groups": ("group", "Affected groups")}
#: Themes and groups shown as "most connected" on the home page.
TOP = 8
_RESERVED = {"from", "to", "page", "size", "order"}


@bp.record_once
def _register_home(setup: BlueprintSetupState) -> None:
    # The home page keeps the app-wide endpoint name "home" that templates link to.
    found = derived.init_app(setup.app)
    for name in LISTS:  # read each list from the index now, so that no visitor waits for it
        listed_items(found.index, name)
    setup.app.add_url_rule("/", endpoint="home", view_func=home)


def _home_data() -> dict[str, object]:
    found = derived.derived()
    with store() as graph_store:
        held = holdings(graph_store, found.index)
    network = found.network()
    schemes = network.schemes
    frequency, pairs, units = network.count(Filters())
    degree: dict[str, int] = {}
    for a, b in pairs:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1

    def top(kind: str) -> list[dict[str, object]]:
        ranked = sorted((c for c in frequency if schemes.kind(c) == kind),
                        key=lambda c: (-degree.get(c, 0), -frequency[c], c))[:TOP]
        return [{"iri": c, "label": schemes.label(c), "url": entity_url(c),
                 "units": frequency[c], "connections": degree.get(c, 0)} for c in ranked]

    return {
        "kinds": held.kinds,
        "documents": [{"iri": iri, "label": label, "date": date, "statements": n,
                       "url": entity_url(iri)} for iri, label, date, n in held.documents],
        "tagged_units": units,
        "themes": top("theme"),
        "groups": top("group"),
        "lists": {name: spec.title for name, spec in LISTS.items()} | {
            name: title for name, (_kind, title) in TREES.items()},
    }


def home() -> str:
    """What the dataset holds, a search box and the ways in."""
    return render_template("home.html", data=_home_data(), lists=LISTS, trees=TREES)


@bp.get("/index.json")
def home_data() -> Response:
    """The home page's data."""
    return jsonify(_home_data())


def _query(name: str) -> ListQuery:
    choices = tuple((key, value) for key in request.args if key not in _RESERVED
                    for value in request.args.getlist(key) if value)
    try:
        page = int(request.args.get("page", "1"))
        size = int(request.args.get("size", "50"))
    except ValueError:
        raise ApiError(400, "page and size must be whole numbers") from None
    return ListQuery(name, choices, request.args.get("from") or None, request.args.get("to") or None,
                     max(1, page), size, request.args.get("order", "label"))


def _page(name: str) -> ListPage:
    if name not in LISTS:
        raise ApiError(404, f"no list called {name!r}")
    try:
        return indexed_page(derived.derived().index, _query(name))
    except RightsgraphError as exc:
        raise ApiError(400, str(exc)) from None


def _tree(name: str) -> list[TreeNode]:
    with store() as graph_store:
        return concept_tree(load_schemes(graph_store), TREES[name][0])


@bp.get("/browse/<name>")
def listing(name: str) -> str:
    """A list with facets, or the tree of a concept scheme."""
    if name in TREES:
        return render_template("tree.html", title=TREES[name][1], name=name, tree=_tree(name))
    found = _page(name)
    return render_template("list.html", page=found, facet_url=_facet_url(name),
                           page_url=_page_url(name), downloads=downloads(found),
                           data_url=_with(name, {}).replace(
                               url_for("browse.listing", name=name),
                               url_for("browse.listing_data", name=name), 1))


#: Facets whose chosen value names an export scope (see webui/exports.py).
EXPORT_SCOPES = {"theme": "theme", "group": "group", "addressee": "organisation",
                 "maker": "organisation", "recommending": "organisation", "creator": "organisation",
                 "organiser": "organisation", "document": "graph"}


def downloads(found: ListPage) -> list[tuple[str, str]]:
    """Export links for a list: one per chosen facet value that names a scope, then the dataset."""
    if "exports" not in current_app.blueprints:  # a build without the export surface
        return []
    shown = {(f.name, v.value): v.label for f in found.facets for v in f.values}
    links = []
    for facet, value in found.query.choices:
        scope = EXPORT_SCOPES.get(facet)
        if scope:
            links.append((f"everything on {shown.get((facet, value), value)}",
                          url_for("exports.download", format="turtle", scope=scope, iri=value)))
    links.append(("the whole dataset", url_for("exports.download", format="turtle",
                                               scope="dataset")))
    return links


def _with(name: str, changes: dict[str, list[str]]) -> str:
    """The URL of list ``name`` with the request's arguments changed by ``changes``."""
    params = request.args.to_dict(flat=False)
    params.update(changes)
    kept: dict[str, Any] = {k: v for k, v in params.items() if v}
    return url_for("browse.listing", name=name, **kept)


def _facet_url(name: str) -> Callable[[str, str, bool], str]:
    def url(facet: str, value: str, chosen: bool) -> str:
        if facet == "year":
            bound = [] if chosen else [value]
            return _with(name, {"from": bound, "to": bound, "page": []})
        current = request.args.getlist(facet)
        values = [v for v in current if v != value] if chosen else [*current, value]
        return _with(name, {facet: values, "page": []})

    return url


def _page_url(name: str) -> Callable[[int], str]:
    return lambda number: _with(name, {"page": [str(number)]})


@bp.get("/browse/<name>.json")
def listing_data(name: str) -> Response:
    """The data of a list (or tree)."""
    if name in TREES:
        return jsonify({"title": TREES[name][1], "tree": [_tree_json(n) for n in _tree(name)]})
    found = _page(name)
    return jsonify({
        "list": name,
        "title": found.spec.title,
        "total": found.total,
        "page": found.query.page,
        "size": found.query.size,
        "items": [{"iri": i.iri, "url": entity_url(i.iri), "label": i.label, "text": i.text,
                   "date": i.date} for i in found.items],
        "facets": [{"name": f.name, "label": f.label,
                    "values": [{"value": v.value, "label": v.label, "count": v.count,
                                "chosen": v.chosen} for v in f.values]} for f in found.facets],
        "downloads": [{"title": title, "url": url} for title, url in downloads(found)],
    })


def _tree_json(node: TreeNode) -> dict[str, object]:
    return {"iri": node.iri, "label": node.label, "notation": node.notation, "url": entity_url(node.iri),
            "uses": node.uses, "total": node.total,
            "narrower": [_tree_json(child) for child in node.children]}
