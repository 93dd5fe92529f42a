"""The export page (/export), file downloads and partner packages.

``GET /export`` shows a form per scope (whole dataset, a document's graph, a
theme, a group, an organisation, a statement); ``GET /export.json`` is its
data twin.  ``GET /export/download?format=F&scope=S&iri=I`` answers the
file, with the format's media type and a ``Content-Disposition`` name;
``GET /export/package?scope=S&iri=I`` answers a partner package (zip).  A
selection takes ``iri`` several times (what the graph view shows), or one
value holding several IRIs separated by white space (the page's box).

Other pages link here through :func:`export_url` and :func:`export_links`,
which every template can call.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.export import FORMATS, ExportFormat, export_format, export_to
from rightsgraph.graph.package import PackageInfo, build_package
from rightsgraph.graph.scopes import SCOPE_FOR_CLASS, Scope, choices
from rightsgraph.webui.errors import ApiError
from rightsgraph.webui.state import store

bp = Blueprint("exports", __name__)

#: The sections of the page: scope kind, heading, what it holds.
SECTIONS = (
    ("graph", "One document's graph",
     "Everything loaded from one source file, as it is, with its provenance record."),
    ("theme", "A theme",
     "The passages, recommendations, commitments and concerns on a theme or a narrower one, with "
     "the recommendations their statements make on neighbouring themes, and everything needed to "
     "read them: footnotes, sources, actors, concepts with labels and mappings, provenance."),
    ("group", "An affected group", "The same, for an affected group and its narrower groups."),
    ("organisation", "An organisation or State",
     "What it says, what is asked of it and what names it, with everything needed to read it."),
    ("statement", "A statement", "The units of one statement, with everything needed to read them."),
)


@bp.get("/export")
def page() -> str:
    """The form: a format and a scope, for a file or a partner package."""
    with store() as graph_store:
        options = choices(graph_store)
    return render_template("export.html", formats=list(FORMATS.values()), options=options,
                           sections=SECTIONS)


@bp.get("/export.json")
def data() -> Response:
    """The data twin of the export page: formats, scopes and what each can be about."""
    with store() as graph_store:
        options = choices(graph_store)
    return jsonify({
        "formats": [{"name": f.name, "title": f.title, "media_type": f.media_type,
                     "extension": f.extension, "keeps_graphs": f.keeps_graphs}
                    for f in FORMATS.values()],
        "scopes": {kind: [{"iri": c.iri, "label": c.label, "units": c.units,
                           "download": export_url(kind, c.iri),
                           "package": export_url(kind, c.iri, package=True)}
                          for c in found]
                   for kind, found in options.items()},
        "dataset": {"download": export_url("dataset"), "package": export_url("dataset", package=True)},
    })


@bp.get("/export/download")
def download() -> Response:
    """The export of a scope as a file."""
    chosen = _format()
    scope = _scope()
    buffer = io.BytesIO()
    with store() as graph_store:
        export_to(graph_store, chosen.name, scope, buffer, base=str(current_app.config["BASE"]))
    body = _capped(buffer)
    name = f"rightsgraph-{scope.slug()}{chosen.file_suffix}"
    return Response(body, mimetype=chosen.media_type, headers=_attachment(name))


@bp.get("/export/package")
def package() -> Response:
    """The partner package of a scope: a zip."""
    scope = _scope()
    buffer = io.BytesIO()
    with store() as graph_store:
        built = build_package(graph_store, scope, buffer,
                              PackageInfo(base=str(current_app.config["BASE"])))
    body = _capped(buffer)
    return Response(body, mimetype="application/zip", headers=_attachment(built.folder + ".zip"))


# ---------------------------------------------------------------- links for other pages


@bp.app_template_global()
def export_url(scope: str, iri: str | Iterable[str] | None = None, fmt: str = "turtle", *,
               package: bool = False) -> str:
    """The URL that downloads ``scope`` (about ``iri``) in format ``fmt``, or its package."""
    iris = [iri] if isinstance(iri, str) else list(iri or [])
    if package:
        return url_for("exports.package", scope=scope, iri=iris)
    return url_for("exports.download", format=fmt, scope=scope, iri=iris)


@bp.app_template_global()
def export_links(iri: str, types: Iterable[str]) -> list[tuple[str, str]]:
    """Download links (title, URL) for an entity page: one per format, then the package.

    Empty when no scope is about resources of these types.
    """
    kinds = [SCOPE_FOR_CLASS[t] for t in types if t in SCOPE_FOR_CLASS]
    if not kinds:
        return []
    links = [(f.title, export_url(kinds[0], iri, f.name)) for f in FORMATS.values()]
    return links + [("Partner package (zip)", export_url(kinds[0], iri, package=True))]


# ---------------------------------------------------------------- helpers


def _format() -> ExportFormat:
    try:
        return export_format(request.args.get("format", "turtle"))
    except RightsgraphError as exc:
        raise ApiError(400, str(exc)) from None


def _scope() -> Scope:
    # IRIs hold no white space: a value may carry several (the page's selection box)
    iris = [iri for value in request.args.getlist("iri") for iri in value.split()]
    try:
        return Scope.parse(request.args.get("scope", "dataset"), iris)
    except RightsgraphError as exc:
        raise ApiError(400, str(exc)) from None


def _capped(buffer: io.BytesIO) -> bytes:
    limit = int(current_app.config["MAX_RESULT_BYTES"])
    if buffer.getbuffer().nbytes > limit:
        raise ApiError(422, f"the export is larger than this server serves ({limit} bytes); "
                            "use `rightsgraph export` on the command line")
    return buffer.getvalue()


def _attachment(name: str) -> dict[str, str]:
    # names come from slugs: ASCII letters, digits, dots and dashes only
    return {"Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff"}
