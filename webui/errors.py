"""Errors as friendly pages or JSON: no stack trace ever reaches a user."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.webui.negotiation import wants_html


class ApiError(Exception):
    """An error answered with ``status`` and a message for the user."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        if retry_after is not None:
            self.headers["Retry-After"] = str(retry_after)


def _wants_json() -> bool:
    # A bare */* (curl, SPARQL client libraries) is a program, not a browser.
    return not wants_html(request.accept_mimetypes)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Render an error as JSON for programs and as a page for browsers."""
    if _wants_json():
        response = jsonify({"error": message, "status": status})
    else:
        response = Response(
            render_template("error.html", status=status, message=message), mimetype="text/html"
        )
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if request.path.startswith("/sparql") and request.path != "/sparql/update":
        response.headers["Access-Control-Allow-Origin"] = str(current_app.config.get("CORS_ORIGIN", "*"))
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return error_response(error.status, error.message, error.headers)

    @app.errorhandler(RightsgraphError)
    def known_error(error: RightsgraphError) -> Response:
        return error_response(400, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        headers = {}
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        messages = {413: "the request is too large"}
        code = error.code or 500
        return error_response(code, messages.get(code, error.description or error.name), headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unexpected error")
        return error_response(500, "something went wrong on the server; it has been logged")
