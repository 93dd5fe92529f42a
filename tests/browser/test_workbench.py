"""The SPARQL workbench in real headless Chromium, against a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect, sync_playwright

DATA = Path(__file__).parents[1] / "data" / "rdf" / "cli-sources.ttl"
ARTEFACTS = Path(__file__).parents[1] / "artefacts"
BIN = Path(sys.executable).parent / "rightsgraph"
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
    """A page that may only talk to the app; anything else is recorded and refused."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    outside: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith(workbench_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    def failed(request: Request) -> None:
        # A download ends its navigation with net::ERR_ABORTED: that is not a failure.
        if "download=1" not in request.url:
            outside.append("failed: " + request.url)

    page.on("requestfailed", failed)
    page.on("dialog", lambda dialog: outside.append("dialog: " + dialog.message))
    yield page, outside
    context.close()


def test_type_a_query_run_it_see_rows_and_download(page: tuple[Page, list[str]],
                                                   workbench_server: str,
                                                   tmp_path: Path) -> None:
    tab, outside = page
    tab.goto(workbench_server + "/sparql")
    editor = tab.locator("#query")
    editor.fill("SELECT ?label WHERE { ?s a rg:Source ; rdfs:label ?label }")
    editor.press("Control+Enter")
    tab.wait_for_selector("table.results tbody tr")
    assert tab.locator("table.results tbody tr").count() == 1
    assert "Partner policy brief" in tab.locator("table.results").inner_text()
    assert "1 row" in tab.locator("#status").inner_text()
    share = tab.locator("#share").get_attribute("href") or ""
    assert "query=SELECT" in share
    with tab.expect_download() as download_info:
        tab.locator('#downloads a[data-format="csv"]').click()
    saved = tmp_path / "result.csv"
    download_info.value.save_as(saved)
    assert saved.read_text().splitlines() == ["label", "Partner policy brief on detention conditions"]
    ARTEFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTEFACTS / "workbench-results.png"), full_page=True)
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
