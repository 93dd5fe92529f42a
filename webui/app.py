"""The Flask application factory."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from rightsgraph.graph.provenance import package_version
from rightsgraph.webui import csrf, errors, ratelimit, state
from rightsgraph.webui.settings import load_settings

#: Blueprints registered when their module is present.
OPTIONAL_BLUEPRINTS = ("rightsgraph.webui.exports",)

#: Content-Security-Policy: every script and style comes from this app; no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the web application.

    Settings come from the defaults, then ``RIGHTSGRAPH_*`` environment
    variables, then ``config`` (see :mod:`rightsgraph.webui.settings`).  The
    app opens the store named by ``STORE`` and owns it until it exits.
    """
    app = Flask(__name__)
    app.config.from_mapping(load_settings(config))
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_REQUEST_BYTES"])
    app.jinja_env.globals["version"] = package_version()
    errors.init_app(app)
    ratelimit.init_app(app)
    csrf.init_app(app)
    state.init_app(app)

    from rightsgraph.webui import admin, browse, entities, graphview, search, sparql

    # browse also owns the home page "/" (endpoint "home").
    for surface in (sparql, browse, entities, search, graphview, admin):
        app.register_blueprint(surface.bp)
    for name in OPTIONAL_BLUEPRINTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:  # a surface not installed in this build
            continue
        app.register_blueprint(module.bp)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app
