"""The application factory, pages and headers, through Flask's test client
on a real on-disk store (the query workers are real processes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rightsgraph.webui.app import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the module: creating one (store, workers) takes seconds."""
    application = create_app({"STORE": str(tmp_path_factory.mktemp("app") / "store"),
                              "TESTING": True, "QUERY_WORKERS": 1})
    yield application
    application.extensions["rightsgraph"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_home_and_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_browser_gets_the_workbench_with_examples(client: FlaskClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<textarea id="query"' in page
    assert "PREFIX rg: &lt;https://w3id.org/rightsgraph/ontology#&gt;" in page
    assert page.count('class="example"') >= 15
    assert "<script>" not in page  # scripts come from /static only


def test_shared_query_is_escaped_in_the_editor(client: FlaskClient) -> None:
    hostile = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    page = client.get("/sparql", query_string={"query": hostile},
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'data-autorun="yes"' in page


def test_assets_are_served_by_the_app(client: FlaskClient) -> None:
    for asset in ("/static/workbench.js", "/static/style.css"):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.get_data()) > 100
        response.close()


def test_errors_are_friendly(client: FlaskClient) -> None:
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Traceback" not in page.get_data(as_text=True)
    data = client.get("/no/such/page", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == 404


def test_query_through_the_worker_pool(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK { ?c a owl:Class }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.get_json()["boolean"] is True


def test_second_app_on_the_same_store_is_refused(app: Flask) -> None:
    from rightsgraph.graph.errors import StoreLockedError

    with pytest.raises(StoreLockedError):
        create_app({"STORE": app.config["STORE"]})
