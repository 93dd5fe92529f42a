"""CSRF protection of every state-changing request, and per-client rate
limiting of /sparql (429 with Retry-After); Flask's test client on a real
on-disk store, and one real server for the limit over HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, render_template_string, request

from rightsgraph.webui import csrf
from rightsgraph.webui.app import create_app

TEMPLATES = Path(__file__).parents[2] / "webui" / "templates"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ASK = {"query": "ASK {}"}
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app({"STORE": str(tmp_path_factory.mktemp("forms") / "store"),
                              "TESTING": True, "QUERY_WORKERS": 1,
                              "RATE_LIMIT_PER_MINUTE": 60, "RATE_LIMIT_BURST": 5})
    changed: list[str] = []

    # A state-changing form like any the app may grow, rendered by the real machinery.
    @application.route("/test-only/note", methods=["GET", "POST"])
    def note() -> str:
        if request.method == "POST":
            changed.append(request.form["text"])
            return "saved"
        return render_template_string(
            '<form method="post">{{ csrf_field() }}<input name="text"></form>')

    application.config["changed"] = changed
    yield application
    application.extensions["rightsgraph"].close()


def test_template_forms_that_post_carry_the_token() -> None:
    forms = []
    for template in TEMPLATES.rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S | re.I):
            method = re.search(r'method="(\w+)"', match.group(1))
            forms.append((template.name, (method.group(1) if method else "get").upper(),
                          match.group(2)))
    assert len(forms) >= 5  # the scan finds the app's forms
    for name, method, body in forms:
        assert method in ("GET", "POST"), name
        if method == "POST":
            assert "csrf_field()" in body, f"{name}: a POST form without {{{{ csrf_field() }}}}"


def test_every_unsafe_route_is_guarded_or_exempt_for_a_reason(app: Flask) -> None:
    client = app.test_client()
    unsafe = [r for r in app.url_map.iter_rules() if UNSAFE & set(r.methods or ())]
    assert {r.endpoint for r in unsafe} >= {"sparql.endpoint", "sparql.update", "admin.backup"}
    for rule in unsafe:
        if rule.endpoint in csrf.EXEMPT:
            assert len(csrf.EXEMPT[rule.endpoint]) > 20
            continue
        response = client.post(rule.rule, data={"text": "forged"})
        assert response.status_code == 403, rule.rule
    assert app.config["changed"] == []
    # The exempt ones cannot be forged: a query changes nothing, the others need a bearer
    # token (a cross-site form cannot set Authorization), whatever cookies come along.
    client.set_cookie(csrf.COOKIE, "x" * 43)
    update = client.post("/sparql", data={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"},
                         headers=JSON)
    assert update.status_code == 400
    for path in ("/sparql/update", "/admin/backup"):
        assert client.post(path, data={"update": "DROP ALL"}).status_code in (401, 403)


def test_the_token_is_required_and_checked(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/test-only/note").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page)
    assert token is not None
    assert client.post("/test-only/note", data={"text": "no token"}).status_code == 403
    assert client.post("/test-only/note",
                       data={"text": "bad", "csrf_token": "0" * 64}).status_code == 403
    other = app.test_client()  # another browser: its cookie does not match this token
    other.get("/test-only/note")
    assert other.post("/test-only/note",
                      data={"text": "stolen", "csrf_token": token.group(1)}).status_code == 403
    cross = client.post("/test-only/note", data={"text": "x", "csrf_token": token.group(1)},
                        headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    good = client.post("/test-only/note", data={"text": "hello", "csrf_token": token.group(1)},
                       headers={"Origin": "http://localhost"})
    assert good.status_code == 200 and app.config["changed"] == ["hello"]
    cookie = client.get_cookie(csrf.COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"


def test_sparql_is_rate_limited_per_client(app: Flask) -> None:
    client = app.test_client()
    me, other = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "192.0.2.11"}
    statuses = [client.get("/sparql", query_string=ASK, headers=JSON, environ_base=me).status_code
                for _ in range(5)]
    assert statuses == [200] * 5
    limited = client.get("/sparql", query_string=ASK, headers=JSON, environ_base=me)
    assert limited.status_code == 429
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 2 and "too many queries" in limited.get_json()["error"]
    assert client.get("/sparql", query_string=ASK, headers=JSON,
                      environ_base=other).status_code == 200  # per client
    assert client.get("/", environ_base=me).status_code == 200  # pages are not limited
    time.sleep(wait)
    assert client.get("/sparql", query_string=ASK, headers=JSON,
                      environ_base=me).status_code == 200


@pytest.mark.slow
def test_rate_limit_over_http(live_server, server_tools) -> None:  # type: ignore[no-untyped-def]
    url = live_server(RATE_LIMIT_PER_MINUTE=30, RATE_LIMIT_BURST=3)
    replies = [server_tools.fetch("GET", f"{url}/sparql?query=ASK%7B%7D", headers=JSON)
               for _ in range(4)]
    # (the fixture's readiness probe took one query of the burst)
    assert [r.status for r in replies].count(429) >= 1 and replies[0].status == 200
    limited = next(r for r in replies if r.status == 429)
    assert int(limited.headers["Retry-After"]) >= 1 and limited.json()["status"] == 429
    assert limited.headers["X-Content-Type-Options"] == "nosniff"
