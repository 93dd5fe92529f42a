"""The export page, downloads and packages through Flask's test client, on a
real on-disk store holding the sample corpus (and one hostile label)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from rightsgraph.graph.export import FORMATS
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import RDF, RDFS, RG, SKOS
from rightsgraph.webui.app import create_app

THEME = "https://w3id.org/rightsgraph/theme/maternal-mortality"
HOSTILE = "<script>alert('x')</script> & co"
HOSTILE_THEME = "https://example.org/theme/hostile"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    location = tmp_path_factory.mktemp("web") / "store"
    with GraphStore.open(location) as store:
        store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
        unit = NamedNode("https://example.org/passage/1")
        theme = NamedNode(HOSTILE_THEME)
        store.replace_graph(NamedNode("https://example.org/graph/hostile"), [q.triple for q in (
            Quad(unit, RDF.type, RG.Passage), Quad(unit, RG.theme, theme),
            Quad(unit, RG.text, Literal("text")),
            Quad(theme, RDF.type, RG.Theme), Quad(theme, SKOS.prefLabel, Literal(HOSTILE)),
            Quad(theme, RDFS.label, Literal(HOSTILE)))])
    application = create_app({"STORE": str(location), "TESTING": True, "QUERY_WORKERS": 1})
    yield application
    application.extensions["rightsgraph"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_page_offers_formats_and_scopes_and_escapes_labels(client: FlaskClient) -> None:
    response = client.get("/export")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for fmt in FORMATS.values():
        assert f'<option value="{fmt.name}">' in page
    assert f'<option value="{THEME}">Maternal mortality (' in page
    assert "Women Lead Network" in page and "womenlead-upr-2020-2021.txt" in page
    assert HOSTILE not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in page
    assert "<script" not in page  # no script at all, inline or not
    assert 'formaction="/export/package"' in page
    assert '<input type="hidden" name="scope" value="selection">' in page
    assert '<textarea id="iri-selection" name="iri"' in page
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_the_page_has_a_data_twin(client: FlaskClient) -> None:
    data = client.get("/export.json").get_json()
    assert [f["name"] for f in data["formats"]] == list(FORMATS)
    theme = next(c for c in data["scopes"]["theme"] if c["iri"] == THEME)
    assert theme["units"] >= 4 and theme["label"] == "Maternal mortality"
    assert client.get(theme["download"]).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_downloads_carry_media_type_and_file_name(client: FlaskClient, fmt: str) -> None:
    response = client.get("/export/download", query_string={"format": fmt, "scope": "theme",
                                                            "iri": THEME})
    assert response.status_code == 200
    chosen = FORMATS[fmt]
    assert response.mimetype == chosen.media_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rightsgraph-theme-maternal-mortality.{chosen.extension}"')
    triples = list(parse(response.get_data(), format=chosen.rdf_format))
    assert any(t.object == NamedNode(THEME) for t in triples)


def test_whole_dataset_and_selection(client: FlaskClient) -> None:
    whole = client.get("/export/download?format=nquads&scope=dataset")
    graphs = {q.graph_name.value for q in parse(whole.get_data(), format=RdfFormat.N_QUADS)}
    assert "https://w3id.org/rightsgraph/id/source/womenlead-upr-2020-2021-txt" in graphs
    selection = client.get("/export/download", query_string=[
        ("format", "turtle"), ("scope", "selection"), ("iri", THEME),
        ("iri", "https://w3id.org/rightsgraph/group/black-women")])
    assert selection.status_code == 200
    assert 'filename="rightsgraph-selection-2.ttl"' in selection.headers["Content-Disposition"]
    assert len(rdflib.Graph().parse(data=selection.get_data(), format="turtle")) > 100
    # the page's selection box: one value, one IRI per line
    boxed = client.get("/export/download", query_string={
        "format": "turtle", "scope": "selection",
        "iri": f"{THEME}\r\n https://w3id.org/rightsgraph/group/black-women\r\n"})
    assert boxed.status_code == 200 and boxed.get_data() == selection.get_data()


def test_a_package_is_a_zip(client: FlaskClient) -> None:
    response = client.get("/export/package", query_string={"scope": "theme", "iri": THEME})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    name = response.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("rightsgraph-theme-maternal-mortality-") and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert f"{name[:-4]}/data.ttl" in archive.namelist()


@pytest.mark.parametrize("query,message", [
    ({"format": "n3", "scope": "dataset"}, "unknown export format 'n3'"),
    ({"format": "turtle", "scope": "everything"}, "unknown scope 'everything'"),
    ({"format": "turtle", "scope": "theme"}, "takes exactly one IRI"),
    ({"format": "turtle", "scope": "theme", "iri": "javascript:alert(1)"}, "http, https or urn"),
    ({"format": "turtle", "scope": "theme", "iri": "https://example.org/nothing"}, "nothing is known"),
    ({"format": "turtle", "scope": "graph", "iri": "https://example.org/nothing"}, "no graph or document"),
])
def test_bad_parameters_get_400_with_a_readable_message(client: FlaskClient, query: dict[str, str],
                                                        message: str) -> None:
    response = client.get("/export/download", query_string=query)
    assert response.status_code == 400
    assert message in json.loads(response.get_data())["error"]
    page = client.get("/export/download", query_string=query, headers={"Accept": "text/html"})
    assert page.status_code == 400 and "<script>" not in page.get_data(as_text=True)


def test_package_refuses_bad_scope(client: FlaskClient) -> None:
    response = client.get("/export/package", query_string={"scope": "selection"})
    assert response.status_code == 400


def test_other_pages_can_link_to_exports(app: Flask) -> None:
    from rightsgraph.webui.exports import export_links, export_url

    with app.test_request_context():
        links = export_links(THEME, [RG.Theme.value])
        assert [title for title, _ in links][:2] == ["Turtle", "TriG"]
        assert links[-1][1] == f"/export/package?scope=theme&iri={THEME}"
        assert export_links("https://example.org/x", [RG.Passage.value]) == []
        assert export_url("selection", ["urn:a", "urn:b"], "jsonld") == (
            "/export/download?format=jsonld&scope=selection&iri=urn:a&iri=urn:b")
        rendered = app.jinja_env.from_string("{{ export_url('theme', iri) }}").render(iri=THEME)
        assert rendered.startswith("/export/download?format=turtle&amp;scope=theme")


def test_too_large_exports_are_refused(app: Flask, tmp_path: Path) -> None:
    app.config["MAX_RESULT_BYTES"] = 1000
    try:
        response = app.test_client().get("/export/download?format=ntriples&scope=dataset")
        assert response.status_code == 422
        assert "rightsgraph export" in json.loads(response.get_data())["error"]
    finally:
        app.config["MAX_RESULT_BYTES"] = 50_000_000
