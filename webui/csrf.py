"""Cross-site request forgery protection for every request that may change state.

A request with a method other than GET, HEAD, OPTIONS or TRACE must carry a
token (form field ``csrf_token`` or header ``X-CSRF-Token``) that matches the
``rightsgraph_csrf`` cookie this app set, and, when the browser sends an
``Origin`` header, come from this site; otherwise it gets 403.  Templates
put the token in a form with ``{{ csrf_field() }}``.  The cookie holds a
random value and the token is its HMAC under ``SECRET_KEY``, so a page from
another site can neither read nor forge it (the cookie is also
``SameSite=Strict``).

A few endpoints are exempt, each for a stated reason (:data:`EXEMPT`):
they change nothing, or they authenticate with a bearer token that a
browser never attaches to a request on its own, so a forged cross-site
request cannot carry it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from markupsafe import Markup, escape

from rightsgraph.webui.errors import ApiError

COOKIE = "rightsgraph_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

#: Endpoints that accept unsafe methods without a CSRF token, and why that is safe.
EXEMPT: dict[str, str] = {
    "sparql.endpoint": "SPARQL Protocol queries may be POSTed by any client; a query changes "
                       "nothing (updates sent here are refused)",
    "sparql.update": "needs Authorization: Bearer <UPDATE_TOKEN>, which a browser never adds "
                     "to a cross-site request",
    "admin.backup": "needs Authorization: Bearer <UPDATE_TOKEN>, which a browser never adds "
                    "to a cross-site request",
}


def _sign(nonce: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The token for forms on the current page (sets the cookie when needed)."""
    nonce = request.cookies.get(COOKIE, "")
    if len(nonce) != 43:  # token_urlsafe(32); anything else is not ours
        nonce = g.get("csrf_new_nonce") or secrets.token_urlsafe(32)
        g.csrf_new_nonce = nonce
    return _sign(nonce)


def csrf_field() -> Markup:
    """A hidden form field holding :func:`csrf_token`."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(csrf_token())}">')


def check() -> None:
    """Refuse an unsafe request that does not prove it comes from this site."""
    if request.method in SAFE_METHODS or request.endpoint in EXEMPT or request.endpoint is None:
        return
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise ApiError(403, "this request came from another site and was refused")
    nonce = request.cookies.get(COOKIE, "")
    given = request.headers.get(HEADER) or request.form.get(FIELD, "")
    if not nonce or not given or not hmac.compare_digest(given, _sign(nonce)):
        raise ApiError(403, "the form has expired or did not come from this site; "
                            "reload the page and try again")


def init_app(app: Flask) -> None:
    """Check every unsafe request, and offer ``csrf_field()`` to templates."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)  # tokens last as long as the process
    app.jinja_env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token)
    app.before_request(check)

    @app.after_request
    def set_cookie(response: Response) -> Response:
        nonce = g.get("csrf_new_nonce")
        if nonce:
            response.set_cookie(COOKIE, nonce, httponly=True, samesite="Strict",
                                secure=request.is_secure, path="/")
        return response
