"""Security headers on every route of the URL map, on errors too, and 413
for bodies over MAX_REQUEST_BYTES; through Flask's test client on a real
on-disk store holding the sample corpus (the query workers are real
processes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.webui.app import create_app

THEME = "https://w3id.org/rightsgraph/theme/gender-based-violence"
#: A value for each URL argument, so that every route answers with its real page.
ARGUMENTS = {"filename": "style.css", "name": "recommendations", "suffix": "ttl",
             "rest": "source/womenlead-upr-2020-2021-txt"}
SPECIAL = {"graphview.vendor": {"name": "vis-network.min.js"}}
QUERY = {"entities.resource": {"iri": THEME}, "entities.resource_twin": {"iri": THEME},
         "sparql.endpoint": {"query": "ASK {}"},
         "graphview.evidence": {"a": THEME, "b": "https://w3id.org/rightsgraph/group/women"}}
STATUS = {"sparql.update": 403, "admin.backup": 403}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    location = tmp_path_factory.mktemp("http") / "store"
    with GraphStore.open(location) as store:
        store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    application = create_app({"STORE": str(location), "TESTING": True, "QUERY_WORKERS": 1,
                              "MAX_REQUEST_BYTES": 20_000})
    yield application
    application.extensions["rightsgraph"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_secure(response: TestResponse, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, f"{where}: no script policy in {csp!r}"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts), f"{where}: {csp}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{where}: {csp}"
    assert directives.get("object-src") == ["'none'"], f"{where}: {csp}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where


def test_every_route_sends_the_security_headers(app: Flask, client: FlaskClient) -> None:
    checked = []
    for rule in app.url_map.iter_rules():
        values = {name: ARGUMENTS[name] for name in rule.arguments}
        values.update(SPECIAL.get(rule.endpoint, {}))
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **values)
        method = "GET" if "GET" in rule.methods else "POST"  # type: ignore[operator]
        for accept in ("text/html", "application/json"):
            response = client.open(path, method=method, query_string=QUERY.get(rule.endpoint),
                                   headers={"Accept": accept})
            where = f"{method} {path} ({accept}) -> {response.status_code}"
            assert response.status_code < 500, where
            # the update and admin routes refuse: no UPDATE_TOKEN is configured
            assert response.status_code == STATUS.get(rule.endpoint, 200), where
            assert_secure(response, where)
            response.close()
        checked.append(rule.endpoint)
    assert len(checked) >= 20 and "admin.backup" in checked and "exports.download" in checked


@pytest.mark.parametrize("path", ["/no/such/page", "/browse/nothing", "/static/missing.js"])
def test_error_pages_send_them_too(client: FlaskClient, path: str) -> None:
    for accept in ("text/html", "application/json"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 404
        assert_secure(response, path)


def test_html_pages_carry_no_inline_script(client: FlaskClient) -> None:
    for path in ("/", "/sparql", "/browse/recommendations", "/graph", "/search?q=women", "/export"):
        page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "<script>" not in page and "javascript:" not in page and " onclick=" not in page, path


def test_oversized_bodies_get_413(client: FlaskClient) -> None:
    query = "ASK { ?s ?p " + '"' + "x" * 30_000 + '" }'
    for body, mimetype in ((query, "application/sparql-query"),
                           ({"query": query}, "application/x-www-form-urlencoded")):
        kwargs = {"data": body} if isinstance(body, dict) else {"data": body.encode()}
        response = client.post("/sparql", content_type=mimetype,
                               headers={"Accept": "application/json"}, **kwargs)
        assert response.status_code == 413, response.get_data(as_text=True)
        assert response.get_json()["error"] == "the request is too large"
        assert_secure(response, "413")
    small = client.post("/sparql", data=b"ASK {}", content_type="application/sparql-query",
                        headers={"Accept": "application/sparql-results+json"})
    assert small.status_code == 200
