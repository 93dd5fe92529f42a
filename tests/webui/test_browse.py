"""Browse pages, entity pages and search through Flask's test client, on a real
on-disk store holding the sample corpus."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import NamedNode, RdfFormat, parse

from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.webui.app import create_app

HTML = {"Accept": "text/html"}
ID = "https://w3id.org/rightsgraph/id/"
CONCERN = ID + "concern/womenlead-upr-2020-2021-txt/3"
THEME = "https://w3id.org/rightsgraph/theme/maternal-mortality"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    location = tmp_path_factory.mktemp("browse") / "store"
    with GraphStore.open(location) as graph_store:
        store_loaded(graph_store, parse_paths([sample_corpus_path()], LoadContext()))
    application = create_app({"STORE": str(location), "TESTING": True, "QUERY_WORKERS": 1,
                              "UPDATE_TOKEN": "secret"})
    yield application
    application.extensions["rightsgraph"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_home_says_what_the_dataset_holds(client: FlaskClient) -> None:
    page = client.get("/", headers=HTML).get_data(as_text=True)
    assert "What the dataset holds" in page and "womenlead-upr-2020-2021.txt" in page
    assert 'action="/search"' in page and "/graph" in page and "/browse/themes" in page
    data = client.get("/index.json").get_json()
    assert data["kinds"]["Passage"] > 50
    assert data["themes"] and data["groups"]
    assert data["groups"][0]["connections"] >= data["groups"][-1]["connections"]


def test_lists_with_facets_and_their_twins(client: FlaskClient) -> None:
    page = client.get("/browse/recommendations", headers=HTML).get_data(as_text=True)
    for facet in ("Theme", "Affected group", "Addressed to", "Made by", "Document", "Year"):
        assert f"<h2>{facet}</h2>" in page
    data = client.get("/browse/recommendations.json").get_json()
    assert data["total"] == len(data["items"]) > 3
    theme = next(f for f in data["facets"] if f["name"] == "theme")
    value = theme["values"][0]
    narrowed = client.get("/browse/recommendations.json", query_string={"theme": value["value"]})
    assert narrowed.get_json()["total"] == value["count"]
    html = client.get("/browse/recommendations", query_string={"theme": value["value"]}, headers=HTML)
    assert "remove this filter" in html.get_data(as_text=True)
    for name in ("statements", "commitments", "concerns", "organisations", "sources", "events",
                 "passages", "states", "instruments", "documents"):
        assert client.get(f"/browse/{name}", headers=HTML).status_code == 200, name
        assert client.get(f"/browse/{name}.json").status_code == 200, name


def test_a_chosen_value_that_matches_nothing_can_be_removed(client: FlaskClient) -> None:
    nowhere = "https://w3id.org/rightsgraph/state/NOWHERE"
    asked = {"theme": THEME, "addressee": nowhere}
    data = client.get("/browse/recommendations.json", query_string=asked).get_json()
    assert data["total"] == 0 and not data["items"]
    addressee = next(f for f in data["facets"] if f["name"] == "addressee")
    assert addressee["values"] == [{"value": nowhere, "label": "NOWHERE", "count": 0, "chosen": True}]
    page = client.get("/browse/recommendations", query_string=asked, headers=HTML).get_data(as_text=True)
    removals = re.findall(r'<a href="([^"]+)" title="remove this filter">✕ ([^<]+)</a>', page)
    assert {label for _url, label in removals} >= {"NOWHERE", "Maternal mortality"}
    assert 'id="nothing-matches"' in page
    back = html.unescape(next(url for url, label in removals if label == "NOWHERE"))
    assert "NOWHERE" not in back and "maternal-mortality" in back
    assert client.get(back).status_code == 200
    year = client.get("/browse/recommendations", query_string={"from": "1901", "to": "1901"},
                      headers=HTML).get_data(as_text=True)
    (url,) = [u for u, label in re.findall(
        r'<a href="([^"]+)" title="remove this filter">✕ ([^<]+)</a>', year) if label == "1901"]
    assert "from=" not in url and "to=" not in url


def test_theme_and_group_trees(client: FlaskClient) -> None:
    page = client.get("/browse/themes", headers=HTML).get_data(as_text=True)
    assert page.index("Health") < page.index("Maternal mortality")
    tree = client.get("/browse/groups.json").get_json()["tree"]
    women = next(node for node in tree if node["label"] == "Women")
    assert "Black women" in {child["label"] for child in women["narrower"]}


def test_bad_list_requests(client: FlaskClient) -> None:
    assert client.get("/browse/nothing.json").status_code == 404
    assert client.get("/browse/recommendations.json", query_string={"colour": "x"}).status_code == 400
    assert client.get("/browse/recommendations.json", query_string={"page": "x"}).status_code == 400
    assert client.get("/browse/recommendations.json", query_string={"from": "soon"}).status_code == 400


def test_instance_iris_resolve_to_entity_pages(client: FlaskClient) -> None:
    page = client.get("/id/concern/womenlead-upr-2020-2021-txt/3", headers=HTML)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<mark>" in text and "Forced sterilisation" in text
    assert 'href="/resource?iri=https://w3id.org/rightsgraph/theme/forced-sterilisation"' in text
    assert page.headers["Vary"] == "Accept"
    passage = client.get("/id/passage/womenlead-upr-2020-2021-txt/48", headers=HTML).get_data(as_text=True)
    assert "Footnoted sources" in passage and 'rel="noopener noreferrer nofollow"' in passage
    assert client.get("/resource", query_string={"iri": THEME}, headers=HTML).status_code == 200
    assert client.get("/id/no/such/thing", headers=HTML).status_code == 404
    assert client.get("/resource", query_string={"iri": "not an iri"}).status_code == 400
    assert client.get("/resource").status_code == 400


@pytest.mark.parametrize(("accept", "media", "fmt"), [
    ("text/turtle", "text/turtle", RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", RdfFormat.JSON_LD),
])
def test_content_negotiation_and_twins(client: FlaskClient, accept: str, media: str,
                                       fmt: RdfFormat) -> None:
    negotiated = client.get("/id/concern/womenlead-upr-2020-2021-txt/3", headers={"Accept": accept})
    assert negotiated.mimetype == media
    suffix = ".ttl" if fmt == RdfFormat.TURTLE else ".jsonld"
    twin = client.get("/id/concern/womenlead-upr-2020-2021-txt/3" + suffix)
    assert twin.mimetype == media and twin.data == negotiated.data
    triples = {q.triple for q in parse(twin.data, format=fmt)}
    subjects = {t.subject for t in triples}
    assert NamedNode(CONCERN) in subjects and len(triples) > 10
    other = client.get(f"/resource/{suffix[1:]}", query_string={"iri": THEME})
    assert other.mimetype == media


def test_the_json_twin_has_the_neighbourhood(client: FlaskClient) -> None:
    data = client.get("/id/concern/womenlead-upr-2020-2021-txt/3.json").get_json()
    assert data["iri"] == CONCERN and data["types"][0]["label"] == "Concern"
    hood = data["neighbourhood"]
    assert hood["nodes"][0]["self"] and len(hood["nodes"]) > 3 and hood["edges"]
    assert data["twins"]["turtle"].endswith(".ttl")
    negotiated = client.get("/id/concern/womenlead-upr-2020-2021-txt/3",
                            headers={"Accept": "application/json"})
    assert json.loads(negotiated.data)["iri"] == CONCERN


def test_search_pages(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "sterilisation"}, headers=HTML)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<mark>sterilized</mark>" in text
    data = client.get("/search.json", query_string={"q": "sterilized"}).get_json()
    assert CONCERN in {hit["iri"] for hit in data["hits"]}
    hit = next(h for h in data["hits"] if h["iri"] == CONCERN)
    assert hit["url"] == "/id/concern/womenlead-upr-2020-2021-txt/3"
    assert any(piece["match"] for piece in hit["snippet"])
    only = client.get("/search.json", query_string={"q": "women", "kind": "Recommendation"}).get_json()
    assert only["hits"] and {h["kind"] for h in only["hits"]} == {"Recommendation"}
    broken = client.get("/search.json", query_string={"q": 'women AND ("'}).get_json()
    assert broken["total"] >= 0


def test_an_update_reaches_the_index(client: FlaskClient) -> None:
    update = ('INSERT DATA { GRAPH <https://example.org/notes> { <https://example.org/n1> a rg:Passage ;'
              ' rg:text "Zanzibarian colour studies" ; rg:theme theme:maternal-mortality ;'
              ' rg:group group:caregivers } }')
    assert client.get("/search.json", query_string={"q": "zanzibarian"}).get_json()["total"] == 0
    response = client.post("/sparql/update", data={"update": update},
                           headers={"Authorization": "Bearer secret"})
    assert response.status_code == 204
    found = client.get("/search.json", query_string={"q": "zanzibarian color"}).get_json()
    assert [h["iri"] for h in found["hits"]] == ["https://example.org/n1"]
    evidence = client.get("/graph/evidence.json", query_string={
        "a": THEME, "b": "https://w3id.org/rightsgraph/group/caregivers"}).get_json()
    assert "https://example.org/n1" in {u["iri"] for u in evidence["units"]}
    listed = client.get("/browse/passages.json", query_string={"theme": THEME, "size": "200"})
    assert "https://example.org/n1" in {i["iri"] for i in listed.get_json()["items"]}


def _downloads(page: str, marker: str) -> list[str]:
    """The links of the paragraph with id ``marker``, unescaped."""
    found = re.search(rf'<p class="downloads" id="{marker}">(.*?)</p>', page, re.S)
    assert found, f"no {marker} on the page"
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', found.group(1))]


def test_entity_pages_link_to_their_exports(client: FlaskClient) -> None:
    page = client.get("/resource", query_string={"iri": THEME}, headers=HTML).get_data(as_text=True)
    links = _downloads(page, "entity-downloads")
    turtle = next(link for link in links if "format=turtle" in link)
    assert "scope=theme" in turtle and "package" in links[-1]
    answer = client.get(turtle)
    assert answer.status_code == 200 and answer.mimetype == "text/turtle"
    exported = {q.triple for q in parse(answer.data, format=RdfFormat.TURTLE)}
    tagged = {t.subject for t in exported if t.object == NamedNode(THEME)}
    assert any("/id/" in s.value for s in tagged)  # the units on the theme
    statement = client.get("/id/statement/womenlead-upr-2020-2021-txt/10-human-rights-cannot-be-delayed",
                           headers=HTML)
    assert "scope=statement" in _downloads(statement.get_data(as_text=True), "entity-downloads")[0]
    document = client.get("/id/document/womenlead-upr-2020-2021-txt", headers=HTML)
    whole = _downloads(document.get_data(as_text=True), "entity-downloads")[0]
    assert "scope=graph" in whole and client.get(whole).status_code == 200
    unit = client.get("/id/concern/womenlead-upr-2020-2021-txt/3", headers=HTML).get_data(as_text=True)
    assert 'id="entity-downloads"' not in unit  # no export scope is about a single unit


def test_lists_link_to_the_exports_of_their_choices(client: FlaskClient) -> None:
    plain = client.get("/browse/recommendations", headers=HTML).get_data(as_text=True)
    assert [link for link in _downloads(plain, "list-downloads") if "scope=dataset" in link]
    facets = client.get("/browse/recommendations.json").get_json()["facets"]
    theme = next(f for f in facets if f["name"] == "theme")["values"][0]
    chosen = client.get("/browse/recommendations", query_string={"theme": theme["value"]},
                        headers=HTML).get_data(as_text=True)
    assert f"everything on {html.escape(theme['label'])}" in chosen
    links = _downloads(chosen, "list-downloads")
    theme_link = next(link for link in links if "scope=theme" in link)
    answer = client.get(theme_link)
    assert answer.status_code == 200 and answer.mimetype == "text/turtle"
    exported = {q.triple for q in parse(answer.data, format=RdfFormat.TURTLE)}
    assert any(t.object == NamedNode(theme["value"]) for t in exported)
    data = client.get("/browse/recommendations.json", query_string={"theme": theme["value"]})
    assert [d["url"] for d in data.get_json()["downloads"]] == links[1:]  # after "/export"
