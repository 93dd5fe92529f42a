"""The browse pages and the intersection graph in real headless Chromium,
against a real ``rightsgraph serve`` process holding the sample corpus and a
document written to break pages.

Every request outside the app is refused and recorded, as is every failed
request, console error and dialog: each test ends by checking there were
none.  Screenshots are kept in tests/artefacts/browse/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, sync_playwright

from rightsgraph.loaders.sample import sample_corpus_path

DATA = Path(__file__).parents[1] / "data" / "browse"
ARTEFACTS = Path(__file__).parents[1] / "artefacts" / "browse"
BIN = Path(sys.executable).parent / "rightsgraph"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
T, G = "https://w3id.org/rightsgraph/theme/", "https://w3id.org/rightsgraph/group/"
CONCERN_PAGE = "/id/concern/womenlead-upr-2020-2021-txt/3"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browse-server")
    store = folder / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    files = [sample_corpus_path(), DATA / "hostile.md", DATA / "hostile.ttl"]
    subprocess.run([str(BIN), "--store", str(store), "load", *map(str, files)], check=True,
                   capture_output=True, env=env, timeout=120)
    port = _free_port()
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen([str(BIN), "--store", str(store), "serve", "--port", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/index.json", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.2)
        # The first start after a load says what it indexes (long work shows progress).
        assert "rightsgraph: indexing 1/" in (folder / "server.log").read_text()
        yield base
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the server and its query workers
        except ProcessLookupError:
            pass
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page and everything that went wrong on it."""

    page: Page
    base: str
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: str, settle: str = "networkidle") -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state(settle)  # type: ignore[arg-type]

    def shot(self, name: str) -> None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)

    def wait_ready(self, selector: str, timeout: float = 20_000) -> None:
        self.page.wait_for_selector(f"{selector}[data-state=ready]", state="attached", timeout=timeout)


@pytest.fixture
def watched(browser: Browser, server: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    seen = Watched(page, server)

    def guard(route: Route) -> None:
        if route.request.url.startswith(server + "/"):
            route.continue_()
        else:
            seen.outside.append(route.request.url)
            route.abort()

    def dialog(box: Dialog) -> None:
        seen.dialogs.append(f"{box.type}: {box.message}")
        box.dismiss()

    page.route("**/*", guard)
    page.on("dialog", dialog)
    page.on("requestfailed", lambda request: seen.failed.append(request.url))
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    yield seen
    context.close()
    assert seen.outside == [], "requests outside the app"
    assert seen.failed == [], "requests that failed"
    assert seen.dialogs == [], "dialogs opened"
    assert seen.errors == [], "console errors"


def _edge_point(page: Page, a: str | None = None, b: str | None = None) -> dict[str, object]:
    """A point on the canvas that hits one edge (of a and b, if given) and no node."""
    return page.evaluate("""([a, b]) => {
      const net = window.rightsgraph.network;
      const box = document.querySelector('#graph canvas').getBoundingClientRect();
      for (const e of window.rightsgraph.data.edges) {
        if (a && !((e.from === a && e.to === b) || (e.from === b && e.to === a))) continue;
        const p = net.getPositions([e.from, e.to]);
        for (const t of [0.5, 0.4, 0.6, 0.3, 0.7]) {
          const m = net.canvasToDOM({x: p[e.from].x + t * (p[e.to].x - p[e.from].x),
                                     y: p[e.from].y + t * (p[e.to].y - p[e.from].y)});
          m.x = Math.round(m.x); m.y = Math.round(m.y);
          if (m.x < 5 || m.y < 5 || m.x > box.width - 5 || m.y > box.height - 5) continue;
          const around = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]];
          if (net.getNodeAt(m) === undefined
              && around.every(d => net.getEdgeAt({x: m.x + d[0], y: m.y + d[1]}) === e.id)) {
            return {x: m.x + box.left, y: m.y + box.top, from: e.from, to: e.to};
          }
        }
      }
      return null;
    }""", [a, b])


def test_the_graph_draws_on_a_canvas(watched: Watched) -> None:
    watched.open("/graph")
    watched.wait_ready("#graph")
    page = watched.page
    assert int(page.get_attribute("#graph", "data-nodes") or 0) > 20
    painted = page.evaluate("""() => {
      const canvas = document.querySelector('#graph canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let ink = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
      return {width: canvas.width, height: canvas.height, ink: ink};
    }""")
    assert painted["width"] > 300 and painted["height"] > 300 and painted["ink"] > 1000
    assert page.evaluate("() => window.rightsgraph.network.physics.physicsEnabled") is False
    assert page.locator("#legend li").count() == 2
    watched.shot("graph")


def test_clicking_an_edge_opens_its_evidence(watched: Watched) -> None:
    watched.open("/graph")
    watched.wait_ready("#graph")
    point = _edge_point(watched.page, G + "sex-workers", T + "gender-based-violence") \
        or _edge_point(watched.page)
    assert point is not None, "no edge can be clicked without hitting a node"
    watched.page.mouse.click(float(point["x"]), float(point["y"]))  # type: ignore[arg-type]
    watched.wait_ready("#evidence", timeout=10_000)
    page = watched.page
    assert page.is_visible("#evidence")
    assert " × " in page.inner_text("#evidence-title")
    assert page.locator("#evidence-units > li").count() >= 1
    assert page.locator("#evidence-units mark").count() >= 1
    assert page.locator("#evidence-units a[href^='/']").count() >= 1
    # Issue 7's downloads: the units of the edge, and the concepts the graph shows.
    units = page.locator("#evidence-units > li").count()
    edge_export = page.get_attribute("#evidence-export", "href") or ""
    assert page.is_visible("#evidence-export") and "scope=selection" in edge_export
    assert edge_export.count("iri=") == units
    shown = page.get_attribute("#graph-export", "href") or ""
    assert shown.count("iri=") == int(page.get_attribute("#graph", "data-nodes") or 0)
    for href in (edge_export, shown):
        answer = page.request.get(watched.base + href)
        assert answer.status == 200 and answer.headers["content-type"].startswith("text/turtle")
        assert b"rg:theme" in answer.body() or b"ontology#theme" in answer.body()
    watched.shot("graph-evidence")


def test_a_filter_changes_the_graph(watched: Watched) -> None:
    watched.open("/graph")
    watched.wait_ready("#graph")
    page = watched.page
    before = int(page.get_attribute("#graph", "data-edges") or 0)
    page.fill("input[name=min]", "3")
    page.select_option("select[name=family]", T + "health")
    page.click("#graph-controls button[type=submit]")
    page.wait_for_url("**/graph?*")
    watched.wait_ready("#graph")
    after = int(page.get_attribute("#graph", "data-edges") or 0)
    assert 0 < after < before
    labels = page.evaluate("() => window.rightsgraph.data.nodes.map(n => n.label)")
    assert "Gender-based violence" not in labels
    watched.shot("graph-filtered")


def test_focus_path_and_communities(watched: Watched) -> None:
    watched.open(f"/graph?focus={G}sex-workers&depth=1&communities=1&show=organisations")
    watched.wait_ready("#graph")
    labels = watched.page.evaluate("() => window.rightsgraph.data.nodes.map(n => n.label)")
    assert "Sex workers" in labels and "Gender-based violence" in labels
    watched.shot("graph-focus-communities")
    watched.open(f"/graph?path_from={G}sex-workers&path_to={T}maternal-mortality")
    watched.wait_ready("#graph")
    assert "Shortest path:" in watched.page.inner_text("#graph-status")


def test_clicking_a_node_opens_its_page(watched: Watched) -> None:
    watched.open(f"/graph?focus={G}sex-workers&depth=1")
    watched.wait_ready("#graph")
    page = watched.page
    point = page.evaluate(f"""() => {{
      const net = window.rightsgraph.network;
      const box = document.querySelector('#graph canvas').getBoundingClientRect();
      const m = net.canvasToDOM(net.getPositions(['{G}sex-workers'])['{G}sex-workers']);
      return {{x: m.x + box.left, y: m.y + box.top}};
    }}""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(lambda url: "/resource?iri=" in url and url.endswith("/group/sex-workers"))
    assert page.inner_text("h1") == "Sex workers"


@pytest.mark.parametrize("query", ["sterilisation", "sterilized"])
def test_search_finds_sterilization(watched: Watched, query: str) -> None:
    watched.open("/")
    page = watched.page
    page.fill("#home-q", query)
    page.press("#home-q", "Enter")
    page.wait_for_url("**/search?q=*")
    hits = page.locator("ol.hits > li")
    assert hits.count() >= 3
    marked = [m.lower() for m in page.locator("ol.hits mark").all_inner_texts()]
    assert "sterilized" in marked
    page.click(f"ol.hits a[href='{CONCERN_PAGE}']")
    page.wait_for_url("**" + CONCERN_PAGE)
    assert "sterilized without consent" in page.inner_text("blockquote.context mark")
    watched.shot(f"search-{query}")


def test_entity_page_draws_its_neighbourhood(watched: Watched) -> None:
    watched.open(CONCERN_PAGE)
    watched.wait_ready("#neighbourhood")
    assert watched.page.locator("#neighbourhood canvas").count() == 1
    watched.shot("entity")


HOSTILE_PAGES = [
    "/", "/graph?show=organisations&show=sources", "/search?q=alert", "/search?q=href",
    "/search?q=script+OR+img", "/browse/recommendations", "/browse/passages",
    "/browse/organisations", "/browse/sources", "/browse/documents", "/browse/groups",
    "/browse/themes", "/browse/statements", "/browse/concerns", "/browse/commitments",
    "/browse/events", "/browse/states",
    "/browse/recommendations?addressee=javascript:alert(1)",
    "/browse/recommendations?maker=https://example.org/hostile/organisation",
    "/resource?iri=javascript:alert(1)", "/resource?iri=https://example.org/hostile/passage",
    "/resource?iri=https://example.org/hostile/recommendation",
    "/resource?iri=https://example.org/hostile/group",
    "/resource?iri=https://example.org/hostile/organisation",
    "/resource?iri=https://example.org/hostile/source", "/id/passage/hostile-md/1",
    "/id/footnote/hostile-md/1-1", "/id/document/hostile-md",
]


#: Labels of the hostile document's resources, as they must read on the pages.
HOSTILE_LABELS = {
    "https://example.org/hostile/group": '"><img src=x onerror=alert(1)> people',
    "https://example.org/hostile/organisation": "<script>alert(1)</script> Network",
    "https://example.org/hostile/source": '<a href="javascript:alert(1)">href</a>',
    "javascript:alert(1)": "href",
}


def _hover(page: Page, handle: str, iri: str) -> str:
    """Hover the node ``iri`` of the network ``window[handle]``; the tooltip's text."""
    point = page.evaluate("""([handle, iri]) => {
      const net = window[handle].network;
      const box = net.body.container.getBoundingClientRect();
      const m = net.canvasToDOM(net.getPositions([iri])[iri]);
      return {x: m.x + box.left, y: m.y + box.top};
    }""", [handle, iri])
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=4)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.locator("img, script, a").count() == 0  # a tooltip is text, never markup
    return tip.inner_text()


def test_hostile_labels_and_text_never_run(watched: Watched) -> None:
    page = watched.page
    for path in HOSTILE_PAGES:
        watched.open(path, settle="load")  # the scripts' fetches end with data-state=ready
        for ready in ("#graph", "#neighbourhood"):
            if page.locator(ready).count():
                watched.wait_ready(ready)
        page.mouse.move(700, 600)  # tooltips, if any, are text
        assert page.locator("main img, main script").count() == 0, path
        assert page.locator("a[href^='javascript' i]").count() == 0, path
    for path, shown in (("/browse/organisations", "<script>alert(1)</script> Network"),
                        ("/browse/groups", '"><img src=x onerror=alert(1)> people'),
                        ("/browse/sources", '<a href="javascript:alert(1)">href</a>'),
                        ("/search?q=onerror", '"><img src=x onerror=alert(1)>')):
        watched.open(path, settle="load")
        assert shown in page.inner_text("main"), path
    watched.open("/resource?iri=https://example.org/hostile/passage")
    shown = page.inner_text("main")
    assert "<script>alert(1)</script>" in shown and '"><img src=x onerror=alert(1)>' in shown
    assert page.locator("main img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    watched.shot("hostile-entity")
    watched.open(f"/graph?focus={G}sex-workers&depth=1")
    watched.wait_ready("#graph")
    point = _edge_point(page, G + "sex-workers", "https://example.org/hostile/group")
    assert point is not None
    page.mouse.click(float(point["x"]), float(point["y"]))  # type: ignore[arg-type]
    watched.wait_ready("#evidence", timeout=10_000)
    evidence = page.inner_text("#evidence")
    assert "<script>alert(1)</script>" in evidence and "onerror=alert(1)>" in evidence
    assert page.locator("#evidence img").count() == 0
    assert page.locator("#evidence a[href^='javascript']").count() == 0
    watched.shot("hostile-evidence")
    # Tooltips of the graph (organisations and sources shown) and of a neighbourhood.
    watched.open("/graph?focus=https://example.org/hostile/group&depth=1"
                 "&show=organisations&show=sources")
    watched.wait_ready("#graph")
    drawn = set(page.evaluate("() => window.rightsgraph.data.nodes.map(n => n.id)"))
    assert set(HOSTILE_LABELS) <= drawn
    for iri, label in HOSTILE_LABELS.items():
        assert label in _hover(page, "rightsgraph", iri), iri
    watched.shot("hostile-tooltip")
    watched.open("/resource?iri=https://example.org/hostile/passage")
    watched.wait_ready("#neighbourhood")
    assert HOSTILE_LABELS["https://example.org/hostile/organisation"] in _hover(
        page, "rightsgraphNeighbourhood", "https://example.org/hostile/organisation")
