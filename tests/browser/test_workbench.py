"""The SPARQL workbench in real headless Chromium, against a real server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect, sync_playwright
from rdflib import RDFS, Graph, URIRef
from rdflib import Literal as RdfLiteral

DATA = Path(__file__).parents[1] / "data" / "rdf" / "cli-sources.ttl"
ARTEFACTS = Path(__file__).parents[1] / "artefacts"
BIN = Path(sys.executable).parent / "rightsgraph"
ROW_LIMIT = 50
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def workbench_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("workbench") / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    env["RIGHTSGRAPH_HTML_ROW_LIMIT"] = str(ROW_LIMIT)
    subprocess.run([str(BIN), "--store", str(store), "load", str(DATA)], check=True,
                   capture_output=True, env=env, timeout=120)
    port = free_port()
    log = (store.parent / "server.log").open("wb")
    server = subprocess.Popen([str(BIN), "--store", str(store), "serve", "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, workbench_server: str) -> Iterator[tuple[Page, list[str]]]:
    """A page that may only talk to the app: every other request, from the
    page or anything it opens, is recorded and refused."""
    context = browser.new_context(accept_downloads=True)
    outside: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith(workbench_server + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()

    def failed(request: Request) -> None:
        # A download ends its navigation with net::ERR_ABORTED: that is not a failure.
        if "download=1" not in request.url:
            outside.append("failed: " + request.url)

    page.on("requestfailed", failed)
    page.on("dialog", lambda dialog: outside.append("dialog: " + dialog.message))
    page.on("pageerror", lambda error: outside.append(f"script error: {error}"))
    yield page, outside
    context.close()


def download(tab: Page, fmt: str, folder: Path) -> tuple[str, str]:
    """Click the download link of ``fmt``; return the file's suggested name and text."""
    link = tab.locator(f'#downloads a[data-format="{fmt}"]')
    expect(link).to_be_visible()
    with tab.expect_download() as info:
        link.click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return info.value.suggested_filename, saved.read_text(encoding="utf-8")


SOURCES = """SELECT ?source ?label WHERE { ?source a rg:Source ; rdfs:label ?label }"""
BRIEF = "https://partner.example.org/brief"
TITLE = "Partner policy brief on detention conditions"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"


def test_type_a_query_run_it_see_rows_and_download(page: tuple[Page, list[str]],
                                                   workbench_server: str,
                                                   tmp_path: Path) -> None:
    tab, outside = page
    tab.goto(workbench_server + "/sparql")
    editor = tab.locator("#query")
    assert "PREFIX rg: <https://w3id.org/rightsgraph/ontology#>" in editor.input_value()
    editor.fill(SOURCES)
    editor.press("Control+Enter")
    tab.wait_for_selector("table.results tbody tr")
    assert tab.locator("table.results tbody tr").count() == 1
    assert TITLE in tab.locator("table.results").inner_text()
    assert "1 row" in tab.locator("#status").inner_text()
    # the IRI links to its entity page in this app
    iri_link = tab.locator("table.results tbody a", has_text=BRIEF)
    assert iri_link.get_attribute("href") == "/resource?" + urlencode({"iri": BRIEF})
    share = tab.locator("#share").get_attribute("href") or ""
    assert parse_qs(urlsplit(share).query)["query"] == [SOURCES]
    ARTEFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTEFACTS / "workbench-results.png"), full_page=True)

    # every download is the whole current result, in its format
    assert tab.locator('#downloads a[data-format="ntriples"]').is_hidden()
    name, text = download(tab, "csv", tmp_path)
    assert (name, text.splitlines()) == ("result.csv", ["source,label", f"{BRIEF},{TITLE}"])
    name, text = download(tab, "tsv", tmp_path)
    assert (name, text.splitlines()) == ("result.tsv", ["?source\t?label", f'<{BRIEF}>\t"{TITLE}"'])
    name, text = download(tab, "json", tmp_path)
    bindings = json.loads(text)["results"]["bindings"]
    assert name == "result.srj"
    assert [(b["source"]["value"], b["label"]["value"]) for b in bindings] == [(BRIEF, TITLE)]
    name, text = download(tab, "turtle", tmp_path)
    graph = Graph().parse(data=text, format="turtle")
    assert name == "result.ttl" and f"@prefix rs: <{RS}> ." in text
    assert {str(o) for o in graph.objects(None, URIRef(RS + "value"))} == {BRIEF, TITLE}

    # a graph result downloads as Turtle with the project's prefixes
    editor.fill("CONSTRUCT { ?s a rg:Source ; rdfs:label ?l } WHERE { ?s a rg:Source ; rdfs:label ?l }")
    tab.locator("#run").click()
    expect(tab.locator("pre.graph")).to_contain_text("rg:Source")
    assert tab.locator('#downloads a[data-format="csv"]').is_hidden()
    name, text = download(tab, "turtle", tmp_path)
    assert name == "result.ttl" and "@prefix rg: <https://w3id.org/rightsgraph/ontology#> ." in text
    graph = Graph().parse(data=text, format="turtle")
    assert (URIRef(BRIEF), RDFS.label, RdfLiteral(TITLE)) in graph and len(graph) == 2
    assert outside == []


def test_literals_are_shown_as_text_never_as_markup(page: tuple[Page, list[str]],
                                                    workbench_server: str) -> None:
    tab, outside = page
    hostile = '<img src=x onerror="window.pwned=1"><b>bold</b><script>window.pwned=2</script>'
    tab.goto(workbench_server + "/sparql")
    tab.locator("#query").fill("SELECT ?x WHERE { VALUES ?x { " + json.dumps(hostile) + " } }")
    tab.locator("#query").press("Control+Enter")
    cell = tab.locator("table.results tbody td")
    expect(cell).to_have_text(hostile)
    assert tab.locator("table.results img, table.results b, table.results script").count() == 0
    assert tab.evaluate("typeof window.pwned") == "undefined"
    assert outside == []


def test_large_results_show_the_row_cap_notice(page: tuple[Page, list[str]],
                                               workbench_server: str, tmp_path: Path) -> None:
    tab, outside = page
    numbers = " ".join(str(n) for n in range(10))
    tab.goto(workbench_server + "/sparql")
    tab.locator("#query").fill(
        f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} }}")
    tab.locator("#query").press("Control+Enter")
    notice = tab.locator("#results .notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"first {ROW_LIMIT} rows")
    assert tab.locator("table.results tbody tr").count() == ROW_LIMIT
    _name, text = download(tab, "csv", tmp_path)  # the download has every row
    assert len(text.splitlines()) == 1 + 100
    assert outside == []


def test_shared_link_runs_the_query(page: tuple[Page, list[str]], workbench_server: str) -> None:
    tab, outside = page
    tab.goto(workbench_server + "/sparql?query=ASK%20%7B%20%3Fs%20a%20rg%3AOrganisation%20%7D")
    tab.wait_for_selector("p.boolean")
    assert tab.locator("p.boolean").inner_text() == "true"
    assert outside == []


def test_syntax_error_shows_line_and_column(page: tuple[Page, list[str]],
                                            workbench_server: str) -> None:
    tab, outside = page
    tab.goto(workbench_server + "/sparql")
    tab.locator("#query").fill("SELECT * WHERE {\n  ?s ?p\n}")
    tab.locator("#run").click()
    tab.wait_for_selector("#error:not([hidden])")
    assert "Line 3, column" in tab.locator("#error").inner_text()
    assert outside == []


def test_example_gallery_runs_an_example(page: tuple[Page, list[str]],
                                         workbench_server: str) -> None:
    tab, outside = page
    tab.goto(workbench_server + "/sparql")
    tab.locator("button.example").filter(has_text="Most connected themes").click()
    expect(tab.locator("#status")).to_contain_text(" in ")  # no eval: the CSP forbids it
    assert "rg:theme ?concept" in tab.locator("#query").input_value()
    assert outside == []
