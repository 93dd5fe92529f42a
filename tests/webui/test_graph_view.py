"""The intersection graph's page, data twin and evidence endpoint through
Flask's test client; and every page on a document written to break them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.webui.app import create_app

HOSTILE = Path(__file__).parents[1] / "data" / "browse"
HTML = {"Accept": "text/html"}
T, G = "https://w3id.org/rightsgraph/theme/", "https://w3id.org/rightsgraph/group/"
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    location = tmp_path_factory.mktemp("graph") / "store"
    paths = [sample_corpus_path(), HOSTILE / "hostile.md", HOSTILE / "hostile.ttl"]
    with GraphStore.open(location) as graph_store:
        store_loaded(graph_store, parse_paths(paths, LoadContext()))
    application = create_app({"STORE": str(location), "TESTING": True, "QUERY_WORKERS": 1})
    yield application
    application.extensions["rightsgraph"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _edges(data: dict[str, object]) -> set[tuple[str, str]]:
    return {(e["from"], e["to"]) for e in data["edges"]}  # type: ignore[attr-defined, index]


def test_the_page_loads_everything_from_the_app(client: FlaskClient) -> None:
    page = client.get("/graph", headers=HTML).get_data(as_text=True)
    assert "<script>" not in page and "cdn" not in page.lower() and "bootstrap" not in page.lower()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert all(s.startswith(("/", "#", "data:")) for s in sources), sources
    for name in ("vis-network.min.js", "vis-network.css"):
        response = client.get(f"/graph/vendor/{name}")
        assert response.status_code == 200 and len(response.data) > 100_000
        response.close()
    assert client.get("/graph/vendor/template.html").status_code == 404
    script = client.get("/static/graph.js")
    assert script.status_code == 200
    script.close()


def test_graph_json_has_nodes_edges_weights_and_evidence(client: FlaskClient) -> None:
    data = client.get("/graph.json").get_json()
    assert data["nodes"] and data["edges"] and data["units"] > 50
    node = data["nodes"][0]
    assert {"id", "label", "kind", "frequency", "url", "color", "value"} <= set(node)
    for edge in data["edges"]:
        assert edge["weight"] >= 1 and 1 <= len(edge["evidence"]) <= min(5, edge["weight"])
    assert {e["kind"] for e in data["legend"]} == {"theme", "group"}
    pair = (G + "sex-workers", T + "gender-based-violence")  # edges go from the lesser IRI
    assert pair in _edges(data)


def test_filters_change_the_graph(client: FlaskClient) -> None:
    everything = client.get("/graph.json").get_json()
    strong = client.get("/graph.json", query_string={"min": 3}).get_json()
    assert len(strong["edges"]) < len(everything["edges"])
    family = client.get("/graph.json", query_string={"family": T + "health"}).get_json()
    assert T + "gender-based-violence" not in {n["id"] for n in family["nodes"]}
    focus = client.get("/graph.json", query_string={"focus": G + "sex-workers", "depth": 1}).get_json()
    assert G + "sex-workers" in {n["id"] for n in focus["nodes"]}
    assert len(focus["nodes"]) < len(everything["nodes"])
    path = client.get("/graph.json", query_string={"path_from": G + "sex-workers",
                                                   "path_to": T + "maternal-mortality"}).get_json()
    assert path["path"][0] == G + "sex-workers" and path["path"][-1] == T + "maternal-mortality"
    wide = client.get("/graph.json", query_string=[("show", "organisations"), ("show", "sources"),
                                                   ("communities", "1")]).get_json()
    assert {"organisation", "source"} <= {n["kind"] for n in wide["nodes"]}
    assert wide["communities"] >= 2
    capped = client.get("/graph.json", query_string={"max_nodes": 5}).get_json()
    assert capped["capped"] and len(capped["nodes"]) <= 5


def test_bad_parameters_are_refused(client: FlaskClient) -> None:
    assert client.get("/graph.json", query_string={"min": "lots"}).status_code == 400
    assert client.get("/graph.json", query_string={"from": "yesterday"}).status_code == 400
    assert client.get("/graph/evidence.json", query_string={"a": T + "health"}).status_code == 400


def test_evidence_lists_every_unit_with_marks_documents_and_sources(client: FlaskClient) -> None:
    data = client.get("/graph/evidence.json", query_string={
        "a": T + "gender-based-violence", "b": G + "sex-workers"}).get_json()
    assert data["total"] == len(data["units"]) >= 2
    assert data["a"]["label"] == "Gender-based violence" and data["b"]["label"] == "Sex workers"
    unit = next(u for u in data["units"] if "womenlead" in u["iri"])
    marks = {piece["mark"] for piece in unit["pieces"]}
    assert {"a", "b"} <= marks
    assert unit["document"]["label"] == "womenlead-upr-2020-2021.txt"
    hostile = next(u for u in data["units"] if u["iri"] == "https://example.org/hostile/passage")
    assert all(note["url"] is None for note in hostile["footnotes"] + hostile["cites"])
    pages = {note["source_page"] for note in hostile["footnotes"] + hostile["cites"]}
    assert "/resource?iri=javascript:alert(1)" in pages
    limited = client.get("/graph/evidence.json", query_string={
        "a": T + "gender-based-violence", "b": G + "sex-workers",
        "document": "https://w3id.org/rightsgraph/id/document/womenlead-upr-2020-2021-txt"}).get_json()
    assert 0 < limited["total"] < data["total"]


@pytest.mark.parametrize("url", [
    "/", "/graph", "/search?q=alert", "/search?q=img", "/browse/recommendations", "/browse/passages",
    "/browse/organisations", "/browse/sources", "/browse/documents", "/browse/groups",
    "/browse/statements", "/browse/themes", "/browse/concerns", "/browse/commitments",
    "/browse/events", "/browse/states", "/browse/recommendations?addressee=javascript:alert(1)",
    "/browse/recommendations?maker=https://example.org/hostile/organisation",
    "/graph?focus=https://example.org/hostile/group", "/resource?iri=javascript:alert(1)",
    "/resource?iri=https://example.org/hostile/passage",
    "/resource?iri=https://example.org/hostile/recommendation",
    "/resource?iri=https://example.org/hostile/organisation",
    "/resource?iri=https://example.org/hostile/group",
    "/resource?iri=https://example.org/hostile/source",
    "/resource?iri=https://example.org/hostile/footnote",
    "/id/passage/hostile-md/1", "/id/document/hostile-md",
])
def test_hostile_text_is_shown_as_text(client: FlaskClient, url: str) -> None:
    response = client.get(url, headers=HTML)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for payload in PAYLOADS:
        assert payload not in page
    assert "<img" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert not re.search(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", page, re.I)
    assert page.count("<script") == page.count('<script src="/')  # only the app's own files
    assert "alert(1)" not in page or "&lt;" in page  # when the payload shows, it shows escaped
