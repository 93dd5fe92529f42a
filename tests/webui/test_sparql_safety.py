"""The endpoint's limits against a real server: the query time limit (and
the CPU freed after it), SERVICE and LOAD refused with no connection made,
updates only with the token, the request body limit, the HTML row cap and
download limit, and errors as JSON or a page, never a traceback.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from pyoxigraph import Store

Fetch = Callable[..., Any]  # the `http` fixture of conftest.py

TOKEN = "safety-token"
TIMEOUT = 2.0
ROW_LIMIT = 5
MAX_REQUEST = 20_000
MAX_RESULT = 100_000
CROWD = "https://w3id.org/rightsgraph/id/source/crowd-ttl"  # 300 triples
MARKER = "https://w3id.org/rightsgraph/id/source/marker-ttl"
JSON_ACCEPT = {"Accept": "application/sparql-results+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
DIRECT = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}

CROSS_JOIN = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CROWD}> {{
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} }}"""
ASK_MARKER = f"ASK {{ GRAPH <{MARKER}> {{ <urn:x-test:marker> <urn:x-test:is> 'here' }} }}"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def server(live_server: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A server with tight limits on a store with two small sources (``rightsgraph load``)."""
    folder = tmp_path_factory.mktemp("safety-data")
    crowd = folder / "crowd.ttl"
    crowd.write_text("".join(f"<urn:x-test:s{i}> <urn:x-test:p{i % 7}> {i} .\n" for i in range(300)))
    marker = folder / "marker.ttl"
    marker.write_text("<urn:x-test:marker> <urn:x-test:is> 'here' .\n")
    return live_server(data=[crowd, marker], QUERY_TIMEOUT=TIMEOUT, QUERY_WORKERS=2, UPDATE_TOKEN=TOKEN,
                       MAX_REQUEST_BYTES=MAX_REQUEST, HTML_ROW_LIMIT=ROW_LIMIT,
                       MAX_RESULT_BYTES=MAX_RESULT)


def query(http: Fetch, server: str, sparql: str, **params: str) -> Any:
    reply = http("GET", server + "/sparql?" + urlencode({"query": sparql, **params}),
                 headers=JSON_ACCEPT)
    assert reply.status == 200, reply.text
    return reply


def ask(http: Fetch, server: str, sparql: str) -> bool:
    return bool(query(http, server, sparql).json()["boolean"])


def count_all(http: Fetch, server: str) -> int:
    return int(query(http, server, COUNT_ALL).json()["results"]["bindings"][0]["n"]["value"])


def assert_json_error(reply: Any, status: int, pattern: str) -> None:
    assert reply.status == status, (reply.status, reply.text)
    assert reply.media_type == "application/json"
    assert reply.json()["status"] == status
    assert re.search(pattern, reply.json()["error"]), reply.json()["error"]
    assert "Traceback" not in reply.text


# ---------------------------------------------------------------- processes (Linux /proc)


def _stat(pid: int) -> tuple[int, float] | None:
    """The parent and the CPU seconds (user + system) of a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    if fields[0] == "Z":
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def query_workers(server_pid: int) -> set[int]:
    """The server's query worker processes: its descendants except the helpers
    multiprocessing starts (the resource tracker and the fork server)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat[0]
    found: set[int] = set()
    frontier = {server_pid}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        found |= frontier
    helpers = set()
    for pid in found:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"resource_tracker" in command or (b"forkserver" in command and parents[pid] == server_pid):
            helpers.add(pid)
    return found - helpers


def cpu_seconds(pids: set[int]) -> dict[int, float]:
    return {pid: stat[1] for pid in pids if (stat := _stat(pid)) is not None}


def settled_cpu(pids: set[int], within: float = 10.0) -> dict[int, float]:
    """The CPU seconds of ``pids`` once none of them uses the CPU any more
    (a worker that has just started is still importing)."""
    end = time.monotonic() + within
    before = cpu_seconds(pids)
    while True:
        time.sleep(0.25)
        after = cpu_seconds(pids)
        if time.monotonic() > end or all(after[p] - before.get(p, 0) < 0.03 for p in after):
            return after
        before = after


# ---------------------------------------------------------------- time limit


def test_runaway_query_is_stopped_while_others_answer(http: Fetch, server: Any) -> None:
    workers = query_workers(server.pid)
    assert len(workers) == 2  # QUERY_WORKERS
    booted = settled_cpu(workers)  # what a worker costs before any long query
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        outcome["reply"] = http("POST", server + "/sparql", body=CROSS_JOIN,
                                headers={**DIRECT, **JSON_ACCEPT}, timeout=60)

    thread = threading.Thread(target=runaway)
    thread.start()
    try:
        time.sleep(0.3)  # the cross join is running
        asks = []
        while thread.is_alive() and len(asks) < 5:
            asks.append(http("GET", server + "/sparql?" + urlencode({"query": ASK_MARKER}),
                             headers=JSON_ACCEPT))
            time.sleep(0.1)
    finally:
        thread.join(timeout=60)
    reply = outcome["reply"]
    assert_json_error(reply, 504, r"ran longer than 2 s and was stopped")
    assert reply.seconds < TIMEOUT + 1
    assert asks and all(a.status == 200 and a.json()["boolean"] is True for a in asks)
    assert max(a.seconds for a in asks) < 1.0, [a.seconds for a in asks]

    # the worker that ran it was killed (its process is gone, not left running
    # or a zombie) and replaced; nothing keeps burning CPU
    now = query_workers(server.pid)
    assert len(now) == 2 and len(workers - now) == 1
    (killed,) = workers - now
    assert not Path(f"/proc/{killed}").exists(), f"worker {killed} is still there"
    before = settled_cpu(now)
    time.sleep(0.5)
    after = cpu_seconds(now)
    assert all(after[pid] - before[pid] < 0.05 for pid in now), (before, after)
    assert max(after.values()) < max(booted.values()) + 0.5, (booted, after)
    assert ask(http, server, ASK_MARKER)


def test_runaway_query_from_a_browser_gets_a_page(http: Fetch, server: Any) -> None:
    reply = http("POST", server + "/sparql", body=urlencode({"query": CROSS_JOIN}),
                 headers={**FORM, **BROWSER}, timeout=60)
    assert (reply.status, reply.media_type) == (504, "text/html")
    assert "ran longer than 2 s" in reply.text and "Traceback" not in reply.text
    assert reply.seconds < TIMEOUT + 1


# ---------------------------------------------------------------- SERVICE and LOAD


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def count(self) -> int:
        # The engine connects before it answers, and accept() returns at once: a
        # connection made for a request that has been answered is counted by now.
        time.sleep(0.02)
        return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """One listener for the module: a late connection fails a later test too."""
    port = Listener()
    yield port
    port.close()


def test_the_listener_sees_what_the_engine_would_do() -> None:
    """Control: pyoxigraph itself does connect, so a zero below means refused."""
    control = Listener()
    try:
        with pytest.raises(OSError):
            list(Store().query(f"SELECT * WHERE {{ SERVICE <{control.url}> {{ ?s ?p ?o }} }}"))
        assert control.count() == 1
    finally:
        control.close()


HIDDEN_SERVICE = {
    "plain": "SELECT * WHERE { SERVICE <URL> { ?s ?p ?o } }",
    "optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <URL> { ?s ?q ?x } } } LIMIT 1",
    "sub-select": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <URL> { ?s ?p ?o } } LIMIT 1 } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <URL> { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { VALUES ?endpoint { <URL> } SERVICE ?endpoint { ?s ?p ?o } }",
    "odd case": "select * where { sErViCe <URL> { ?s ?p ?o } }",
    "comments": "SELECT * WHERE { # first a comment\n  SERVICE # and another\n <URL> { ?s ?p ?o } }",
    "after a # string": 'SELECT * WHERE { ?s ?p "#" . SERVICE <URL> { ?s ?p ?o } }',
    "after a long string": 'SELECT * WHERE { ?s ?p """a "quoted"\nline""" . SERVICE <URL> { ?s ?p ?o } }',
    "no spaces": "SELECT*{SERVICE<URL>{?s ?p ?o}}",
    "tabs and lines": "SELECT * WHERE {\n\tSERVICE\n\t\t<URL>\n\t{ ?s ?p ?o }\n}",
    "unicode escape": "SELECT * WHERE { \\u0053ERVICE <URL> { ?s ?p ?o } }",
    "filter exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <URL> { ?s ?p ?o } } }",
    "union": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <URL> { ?s ?p ?o } } }",
    "minus": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <URL> { ?s ?p ?o } } }",
    "graph": "SELECT * WHERE { GRAPH ?g { SERVICE <URL> { ?s ?p ?o } } }",
    "lateral": "SELECT * WHERE { ?s ?p ?o LATERAL { SERVICE <URL> { ?s ?p ?o } } }",
    "prefixed name": "PREFIX remote: <URL> SELECT * WHERE { SERVICE remote: { ?s ?p ?o } }",
    "relative IRI": "BASE <URL> SELECT * WHERE { SERVICE <> { ?s ?p ?o } }",
    "ask": "ASK { SERVICE <URL> { ?s ?p ?o } }",
    "construct": "CONSTRUCT WHERE { SERVICE <URL> { ?s ?p ?o } }",
    "describe": "DESCRIBE ?s WHERE { SERVICE <URL> { ?s ?p ?o } }",
    "load as a query": "LOAD <URL>",
}
WAYS = ("get", "form", "direct")


def send_query(http: Fetch, server: str, sparql: str, way: str) -> Any:
    if way == "get":
        return http("GET", server + "/sparql?" + urlencode({"query": sparql}), headers=JSON_ACCEPT)
    if way == "form":
        return http("POST", server + "/sparql", body=urlencode({"query": sparql}),
                    headers={**FORM, **JSON_ACCEPT})
    return http("POST", server + "/sparql", body=sparql, headers={**DIRECT, **JSON_ACCEPT})


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("form", HIDDEN_SERVICE)
def test_service_and_load_are_refused(http: Fetch, server: str, listener: Listener, form: str,
                                      way: str) -> None:
    reply = send_query(http, server, HIDDEN_SERVICE[form].replace("URL", listener.url), way)
    keyword = "LOAD" if form.startswith("load") else "SERVICE"
    assert_json_error(reply, 400, f"^{keyword} is not allowed: ")
    assert listener.count() == 0


HIDDEN_LOAD = {
    "plain": "LOAD <URL>",
    "silent into a graph": "LOAD SILENT <URL> INTO GRAPH <urn:x-test:loaded>",
    "odd case": "load <URL>",
    "after another operation": f"DROP GRAPH <{MARKER}> ; LOAD <URL>",
    "after a comment": "# LOAD is refused\nlOaD\n<URL>",
    "service in insert": "INSERT { GRAPH <urn:x-test:g> { ?s ?p ?o } } WHERE { SERVICE <URL> { ?s ?p ?o } }",
    "variable service in delete": f"DELETE {{ GRAPH <{MARKER}> {{ ?s ?p ?o }} }} WHERE {{ "
                                  "GRAPH ?g { ?s ?p ?o } OPTIONAL { SERVICE SILENT ?e { ?s ?p ?o } } "
                                  "VALUES ?e { <URL> } }",
}


@pytest.mark.parametrize("way", ["form", "direct"])
@pytest.mark.parametrize("form", HIDDEN_LOAD)
def test_load_and_service_are_refused_in_updates(http: Fetch, server: str, listener: Listener,
                                                 form: str, way: str) -> None:
    before = count_all(http, server)
    update = HIDDEN_LOAD[form].replace("URL", listener.url)
    if way == "form":
        reply = http("POST", server + "/sparql/update", body=urlencode({"update": update}),
                     headers={**FORM, **AUTH})
    else:
        reply = http("POST", server + "/sparql/update", body=update,
                     headers={"Content-Type": "application/sparql-update", **AUTH})
    keyword = "SERVICE" if "service" in form else "LOAD"
    assert_json_error(reply, 400, f"^{keyword} is not allowed: ")
    assert listener.count() == 0
    assert count_all(http, server) == before and ask(http, server, ASK_MARKER)


# ---------------------------------------------------------------- updates need the token

INSERT = "INSERT DATA { GRAPH <urn:x-test:auth> { <urn:x-test:s> <urn:x-test:p> 'v' } }"
ASK_INSERTED = "ASK { GRAPH <urn:x-test:auth> { <urn:x-test:s> <urn:x-test:p> 'v' } }"


def test_updates_without_the_token_change_nothing(http: Fetch, server: str) -> None:
    before = count_all(http, server)
    direct = {"Content-Type": "application/sparql-update"}
    refused = [
        http("POST", server + "/sparql/update", body=INSERT, headers=direct),
        http("POST", server + "/sparql/update", body=INSERT,
             headers={**direct, "Authorization": "Bearer not-the-token"}),
        http("POST", server + "/sparql/update", body=INSERT,
             headers={**direct, "Authorization": f"Basic {TOKEN}"}),
        http("POST", server + "/sparql/update?" + urlencode({"token": TOKEN}), body=INSERT,
             headers=direct),
        http("POST", server + "/sparql/update", body=urlencode({"update": INSERT, "token": TOKEN}),
             headers=FORM),
    ]
    for reply in refused:
        assert_json_error(reply, 401, "bearer token")
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    # the query endpoint is read-only, whichever way an update is sent to it
    assert_json_error(http("POST", server + "/sparql", body=INSERT, headers={**direct, **AUTH}),
                      415, "application/sparql-query")
    assert_json_error(http("POST", server + "/sparql", body=urlencode({"update": INSERT}),
                           headers={**FORM, **AUTH}), 400, "updates go to /sparql/update")
    assert_json_error(http("GET", server + "/sparql/update?" + urlencode({"update": INSERT}),
                           headers=AUTH), 405, "POST")
    assert not ask(http, server, ASK_INSERTED)
    assert count_all(http, server) == before


def test_updates_with_the_token_are_applied(http: Fetch, server: str) -> None:
    before = count_all(http, server)
    reply = http("POST", server + "/sparql/update", body=urlencode({"update": INSERT}),
                 headers={**FORM, **AUTH})
    assert reply.status == 204, reply.text
    assert ask(http, server, ASK_INSERTED) and count_all(http, server) == before + 1
    reply = http("POST", server + "/sparql/update", body="DROP GRAPH <urn:x-test:auth>",
                 headers={"Content-Type": "application/sparql-update", **AUTH})
    assert reply.status == 204 and count_all(http, server) == before


def test_a_server_without_a_token_refuses_every_update(http: Fetch,
                                                      live_server: Callable[..., Any]) -> None:
    read_only = live_server(UPDATE_TOKEN="")
    before = count_all(http, read_only)
    for headers in ({}, AUTH, {"Authorization": "Bearer "}):
        reply = http("POST", read_only + "/sparql/update", body=INSERT,
                     headers={"Content-Type": "application/sparql-update", **headers})
        assert_json_error(reply, 403, "updates are disabled")
    assert not ask(http, read_only, ASK_INSERTED) and count_all(http, read_only) == before


# ---------------------------------------------------------------- sizes


def test_request_body_limit(http: Fetch, server: str) -> None:
    padding = "# " + "x" * MAX_REQUEST + "\n"
    too_large = [
        http("POST", server + "/sparql", body=padding + "ASK {}", headers={**DIRECT, **JSON_ACCEPT}),
        http("POST", server + "/sparql", body=urlencode({"query": padding + "ASK {}"}),
             headers={**FORM, **JSON_ACCEPT}),
        http("POST", server + "/sparql/update", body=padding + INSERT,
             headers={"Content-Type": "application/sparql-update", **AUTH}),
    ]
    for reply in too_large:
        assert_json_error(reply, 413, "too large")
    assert not ask(http, server, ASK_INSERTED)
    fits = "# " + "x" * (MAX_REQUEST - 100) + "\nASK {}"
    reply = http("POST", server + "/sparql", body=fits, headers={**DIRECT, **JSON_ACCEPT})
    assert reply.status == 200 and reply.json()["boolean"] is True


TWELVE = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 9 10 11 12 } } ORDER BY ?n"
GRID = ("SELECT ?a ?b WHERE { VALUES ?a { " + " ".join(map(str, range(20))) + " } VALUES ?b { "
        + " ".join(map(str, range(20))) + " } }")


def test_html_view_shows_at_most_the_row_limit(http: Fetch, server: str) -> None:
    capped = query(http, server, TWELVE, view="html")
    assert [b["n"]["value"] for b in capped.json()["results"]["bindings"]] == ["1", "2", "3", "4", "5"]
    assert capped.headers["X-Rightsgraph-Truncated"] == str(ROW_LIMIT)
    assert "X-Rightsgraph-Truncated" in capped.headers["Access-Control-Expose-Headers"]
    small = query(http, server, "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }", view="html")
    assert len(small.json()["results"]["bindings"]) == 3
    assert "X-Rightsgraph-Truncated" not in small.headers
    full = query(http, server, TWELVE)
    assert len(full.json()["results"]["bindings"]) == 12
    assert "X-Rightsgraph-Truncated" not in full.headers


@pytest.mark.parametrize(("fmt", "file_name", "rows"), [
    ("json", "result.srj", lambda body: len(body.json()["results"]["bindings"])),
    ("csv", "result.csv", lambda body: len(body.text.splitlines()) - 1),
    ("tsv", "result.tsv", lambda body: len(body.text.splitlines()) - 1),
])
def test_downloads_are_complete_up_to_the_result_limit(http: Fetch, server: str, fmt: str,
                                                       file_name: str, rows: Any) -> None:
    reply = query(http, server, GRID, download="1", format=fmt)
    assert reply.headers["Content-Disposition"] == f'attachment; filename="{file_name}"'
    assert rows(reply) == 400 and "X-Rightsgraph-Truncated" not in reply.headers
    reply = http("GET", server + "/sparql?" + urlencode(
        {"query": "SELECT * WHERE { ?s ?p ?o }", "download": "1", "format": fmt}))
    assert_json_error(reply, 422, f"over the limit of {MAX_RESULT:,} bytes")


# ---------------------------------------------------------------- errors


def test_syntax_errors_say_where(http: Fetch, server: str) -> None:
    broken = "SELECT ?s\nWHERE {\n  ?s ?p\n}"
    for way in WAYS:
        assert_json_error(send_query(http, server, broken, way), 400, r"syntax error: error at 4:\d+")
    reply = http("POST", server + "/sparql/update", body=urlencode({"update": "CLEAR XYZ"}),
                 headers={**FORM, **AUTH})
    assert_json_error(reply, 400, r"syntax error: error at 1:\d+")


def test_errors_are_json_for_programs_and_pages_for_browsers(http: Fetch, server: str) -> None:
    broken = urlencode({"query": "SELECT ?s\nWHERE {\n  ?s ?p\n}"})
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        assert_json_error(http("POST", server + "/sparql", body=broken, headers={**FORM, **headers}),
                          400, "error at 4:")
        assert_json_error(http("GET", server + "/no/such/page", headers=headers), 404, ".")
    assert_json_error(http("PUT", server + "/sparql", body="ASK {}", headers=DIRECT), 405, ".")
    page = http("POST", server + "/sparql", body=broken, headers={**FORM, **BROWSER})
    assert (page.status, page.media_type) == (400, "text/html")
    assert "error at 4:" in page.text and "Traceback" not in page.text
    page = http("GET", server + "/no/such/page", headers=BROWSER)
    assert (page.status, page.media_type) == (404, "text/html") and "Traceback" not in page.text
