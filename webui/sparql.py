"""The SPARQL 1.1 Protocol endpoint (/sparql) and update endpoint (/sparql/update).

Queries run in the time-limited worker pool (graph/querypool.py); updates need
the bearer token of the ``UPDATE_TOKEN`` setting.  A browser asking for
/sparql gets the query workbench; any other client gets results, or the
service description when it GETs /sparql without a query.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request

from rightsgraph.graph.dataset import with_using
from rightsgraph.graph.errors import QueryError, RightsgraphError
from rightsgraph.graph.gallery import examples
from rightsgraph.graph.iri import checked_iri
from rightsgraph.graph.querypool import QueryRequest, QueryTimeout, ResultTooLarge, ServerBusy
from rightsgraph.graph.service import service_description
from rightsgraph.ontology.terms import sparql_prologue
from rightsgraph.webui import derived, negotiation
from rightsgraph.webui.errors import ApiError
from rightsgraph.webui.state import pool, store

bp = Blueprint("sparql", __name__)


@dataclass(frozen=True)
class Operation:
    """A query or update as the protocol delivered it."""

    text: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


def _operation(kind: str) -> Operation | None:
    """Read the query or update from the request, per the SPARQL 1.1 Protocol."""
    default_key, named_key = (
        ("default-graph-uri", "named-graph-uri") if kind == "query"
        else ("using-graph-uri", "using-named-graph-uri")
    )
    if request.method == "GET":
        values = request.args.getlist(kind)
        form_graphs: tuple[list[str], list[str]] = ([], [])
    else:
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            values = request.form.getlist(kind)
            form_graphs = (request.form.getlist(default_key), request.form.getlist(named_key))
        elif mimetype == f"application/sparql-{kind}":
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise ApiError(415, f"the {kind} must be sent as UTF-8, not {charset}")
            try:
                values = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError:
                raise ApiError(400, f"the {kind} is not valid UTF-8") from None
            form_graphs = ([], [])
        else:
            raise ApiError(
                415,
                f"send the {kind} as application/x-www-form-urlencoded or "
                f"application/sparql-{kind}" + (f", not {mimetype}" if mimetype else ""),
            )
    if not values:
        return None
    if len(values) > 1:
        raise ApiError(400, f"give exactly one {kind}, not {len(values)}")
    default = [*request.args.getlist(default_key), *form_graphs[0]]
    named = [*request.args.getlist(named_key), *form_graphs[1]]
    try:
        checked = (tuple(checked_iri(g, what=default_key).value for g in default),
                   tuple(checked_iri(g, what=named_key).value for g in named))
    except RightsgraphError as exc:
        raise ApiError(400, str(exc)) from None
    return Operation(values[0], *checked)


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """Answer a SPARQL query, or show the workbench or the service description."""
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    operation = _operation("query")
    explicit = request.values.get("format")
    if operation is None and request.method == "POST":  # never answer an update with a 200
        raise ApiError(400, "give a query (the query field, or an application/sparql-query body)"
                       + ("; updates go to /sparql/update" if "update" in request.form else ""))
    if operation is None:
        if explicit is None and negotiation.wants_html(request.accept_mimetypes):
            return workbench("")
        return _cors(_service_description(explicit))
    if explicit is None and request.method == "GET" and negotiation.wants_html(
        request.accept_mimetypes
    ):
        return workbench(operation.text)
    solution_format = negotiation.choose(request.accept_mimetypes, "solutions", explicit)
    graph_format = negotiation.choose(request.accept_mimetypes, "graph", explicit)
    capped = request.values.get("view") == "html"
    query = QueryRequest(
        operation.text,
        solution_format=solution_format.name,
        graph_format=graph_format.name,
        default_graph=operation.default_graphs,
        named_graphs=operation.named_graphs,
        max_bytes=int(current_app.config["MAX_RESULT_BYTES"]),
        max_rows=int(current_app.config["HTML_ROW_LIMIT"]) if capped else None,
        base_iri=request.base_url,
    )
    try:
        answer = pool().run(query)
    except QueryTimeout as exc:
        raise ApiError(504, str(exc)) from None
    except ServerBusy as exc:
        raise ApiError(503, str(exc), retry_after=1) from None
    except ResultTooLarge as exc:
        raise ApiError(422, str(exc)) from None
    except QueryError as exc:
        raise ApiError(400, str(exc)) from None
    fmt = negotiation.BY_NAME[answer.format]
    response = Response(answer.data, mimetype=fmt.media_type)
    if fmt.media_type.startswith("text/") or fmt.name in ("json", "xml", "jsonld"):
        response.mimetype_params["charset"] = "utf-8"
    if answer.truncated:
        response.headers["X-Rightsgraph-Truncated"] = str(current_app.config["HTML_ROW_LIMIT"])
    if request.values.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="result.{fmt.extension}"'
    response.headers["X-Rightsgraph-Seconds"] = f"{answer.seconds:.3f}"
    return _cors(response)


@bp.route("/sparql/update", methods=["GET", "POST"])
def update() -> Response:
    """Apply a SPARQL update; needs ``Authorization: Bearer <UPDATE_TOKEN>``."""
    token = str(current_app.config["UPDATE_TOKEN"] or "")
    if not token:
        raise ApiError(403, "updates are disabled on this server (no UPDATE_TOKEN is configured)")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise ApiError(401, "updates need a valid bearer token",
                       headers={"WWW-Authenticate": 'Bearer realm="rightsgraph update"'})
    if request.method != "POST":
        raise ApiError(405, "send updates with POST", headers={"Allow": "POST"})
    operation = _operation("update")
    if operation is None:
        raise ApiError(400, "give exactly one update")
    try:
        text = with_using(
            operation.text,
            [checked_iri(g) for g in operation.default_graphs],
            [checked_iri(g) for g in operation.named_graphs],
        )
        with store() as graph_store:
            graph_store.update(text, base_iri=request.base_url)
            graph_store.raw.flush()
    except QueryError as exc:
        raise ApiError(400, str(exc)) from None
    pool().refresh()
    derived.store_changed()
    return Response(status=204)


def workbench(query: str) -> Response:
    """The query workbench page, with ``query`` (or the prefixes) in the editor."""
    html = render_template(
        "workbench.html",
        query=query or sparql_prologue() + "\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n} LIMIT 10\n",
        autorun=bool(query),
        examples=examples(),
        row_limit=current_app.config["HTML_ROW_LIMIT"],
    )
    return Response(html, mimetype="text/html")


def _service_description(explicit: str | None) -> Response:
    fmt = negotiation.choose(request.accept_mimetypes, "graph", explicit)
    data = service_description(request.base_url, request.url_root + "sparql/update", fmt.name)
    return Response(data, mimetype=fmt.media_type)


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = str(current_app.config["CORS_ORIGIN"])
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers["Access-Control-Expose-Headers"] = (
        "X-Rightsgraph-Truncated, X-Rightsgraph-Seconds"
    )
    return response
