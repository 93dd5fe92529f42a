"""Hostile input never crashes a load: generated text, Markdown, HTML and CSV
either load or fail with a clear message (file, and line where known), and a
failed load leaves the store as it was.  Entity-expansion bombs and a huge
literal are refused within seconds with memory bounded (measured in a
separate process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders import registry
from rightsgraph.loaders.batch import store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.source import DEFAULT_MAX_BYTES, Source

BIN = Path(sys.executable).parent / "rightsgraph"
RDF_DATA = Path(__file__).parents[1] / "data" / "rdf"
EXAMPLES = 60

WORDS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
MARKDOWN = ["# ", "## ", "\n", "\n\n", "- ", "* ", "1. ", "> ", "[^1]", "[^1]: ", "[^x]: ",
            "[link](https://example.org/a)", "](", "**", "_", "`", "```\n", "| a | b |\n",
            "|---|---|\n", "<script>alert(1)</script>", "<!--", "-->", "---\n", "title: x\n",
            "We call on the United States to ", "Recommendation 128.26: ", "maternal mortality",
            "\u202e", "\x00", "\ufeff", "\r\n", "\t"]
HTML = ["<p>", "</p>", "<h1>", "</h1>", "<h2>", "<ol>", "<li>", "</li>", "<table><tr><td>",
        "</td>", "<a href=\"", "\">", "</a>", "<sup>", "<script>", "</script>", "<style>",
        "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#x110000;", "&nbsp;", "&bogus;",
        "<br/>", "<meta charset=\"latin-1\">", "<title>", "</title>", "<body>", "</body>",
        "We urge the Government to ", "women human rights defenders", "\x00", "\n"]
CSV_HEAD = ["Recommendation", "Recommending State", "State under Review", "Response",
            "Action Category", "Issues", "Affected persons", "SDG targets", "Cycle", "Session",
            "Document symbol", "Paragraph", "Date", "Notes", ""]
CELL = st.one_of(WORDS, st.sampled_from(["Supported", "Noted", "3", "128.26", "A/HRC/46/15",
                                         "2021-03-17", "=cmd|' /C calc'!A0", "\"", "\n",
                                         "Women; Children", "5.6, 3.7", "USA", "Canada"]))


def pieces(fragments: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(fragments), WORDS), max_size=60).map("".join)


def table() -> st.SearchStrategy[str]:
    def rows(header: list[str]) -> st.SearchStrategy[str]:
        row = st.lists(CELL, min_size=0, max_size=len(header) + 2)
        return st.lists(row, max_size=8).map(
            lambda body: "\n".join(",".join(_quote(c) for c in r) for r in [header, *body]))

    header = st.lists(st.sampled_from(CSV_HEAD), min_size=1, max_size=8, unique=True)
    return header.flatmap(rows)


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell


def state(store: GraphStore) -> tuple[int, list[str]]:
    return store.count(), [g.value for g in store.named_graphs()]


def load_or_refuse(store: GraphStore, name: str, data: bytes) -> None:
    """Load ``data`` as the file ``name``: it loads, or fails clearly and changes nothing."""
    before = state(store)
    try:
        loaded = registry.read(Source(name, data), LoadContext())
    except RightsgraphError as exc:
        message = str(exc)
        assert message.startswith(name) and len(message) > len(name) + 5, message
        assert "Traceback" not in message
        assert state(store) == before
        return
    store_loaded(store, [loaded], force=True)
    assert store.count(loaded.graph) > 0


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.one_of(WORDS.map(str.encode), pieces(MARKDOWN).map(str.encode), st.binary(max_size=300)))
def test_text_never_crashes_a_load(store: GraphStore, data: bytes) -> None:
    load_or_refuse(store, "statement.txt", data)


@SETTINGS
@given(pieces(MARKDOWN).map(str.encode))
def test_markdown_never_crashes_a_load(store: GraphStore, data: bytes) -> None:
    load_or_refuse(store, "submission.md", data)


@SETTINGS
@given(st.one_of(pieces(HTML).map(str.encode), st.binary(max_size=300)))
def test_html_never_crashes_a_load(store: GraphStore, data: bytes) -> None:
    load_or_refuse(store, "page.html", data)


@SETTINGS
@given(st.one_of(table().map(str.encode), st.binary(max_size=300)))
def test_csv_never_crashes_a_load(store: GraphStore, data: bytes) -> None:
    load_or_refuse(store, "recommendations.csv", data)


# ---------------------------------------------------------------- real processes


def measured(*args: str) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run ``rightsgraph ARGS`` in a fresh process; return it, its seconds and peak RSS (MB)."""
    probe = ("import json, resource, subprocess, sys, time; t = time.monotonic(); "
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120); "
             "print(json.dumps([r.returncode, r.stdout, r.stderr, time.monotonic() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    outer = subprocess.run([sys.executable, "-c", probe, str(BIN), *args], capture_output=True,
                           text=True, timeout=180, env=env)
    code, out, err, seconds, rss = json.loads(outer.stdout)
    return subprocess.CompletedProcess(args, code, out, err), seconds, rss


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> int:
    """Peak RSS of a small successful load: the cost of the program itself."""
    store = tmp_path_factory.mktemp("baseline") / "store"
    run, _, rss = measured("--store", str(store), "load", str(RDF_DATA / "partner.ttl"))
    assert run.returncode == 0, run.stderr
    return rss


@pytest.mark.slow
def test_entity_bombs_are_refused_quickly_in_bounded_memory(tmp_path: Path,
                                                            baseline_rss: int) -> None:
    quadratic = tmp_path / "quadratic.rdf"
    value = "x" * 100_000
    quadratic.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY big "{value}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        '<rdf:Description rdf:about="https://example.org/q"><rdfs:label>'
        + "&big;" * 20_000 + "</rdfs:label></rdf:Description></rdf:RDF>\n")
    for bomb in (RDF_DATA / "billion-laughs.rdf", quadratic):
        store = tmp_path / f"store-{bomb.stem}"
        run, seconds, rss = measured("--store", str(store), "load", str(bomb))
        assert run.returncode == 1, run.stderr
        assert run.stderr.startswith(f"rightsgraph: error: {bomb}:"), run.stderr
        assert "entit" in run.stderr and "Traceback" not in run.stderr
        assert seconds < 10, seconds
        assert rss < baseline_rss + 100, (rss, baseline_rss)
        assert not store.exists()  # refused before the store was even opened


@pytest.mark.slow
def test_a_huge_literal_is_refused_quickly_in_bounded_memory(tmp_path: Path,
                                                             baseline_rss: int) -> None:
    huge = tmp_path / "huge.ttl"
    with huge.open("w", encoding="utf-8") as out:
        out.write('<https://example.org/s> <https://example.org/p> "')
        chunk = "la " * 100_000
        for _ in range(DEFAULT_MAX_BYTES // len(chunk) + 2):
            out.write(chunk)
        out.write('" .\n')
    page = tmp_path / "statement.txt"
    page.write_text("We call for " + "justice " * 1_000_000 + "\n", encoding="utf-8")
    for path, reason in ((huge, "over the limit"), (page, "over the limit")):
        store = tmp_path / f"store-{path.stem}"
        started = time.monotonic()
        run, seconds, rss = measured("--store", str(store), "load", str(path))
        assert run.returncode == 1 and reason in run.stderr, run.stderr
        assert run.stderr.startswith(f"rightsgraph: error: {path}"), run.stderr
        assert seconds < 10 and time.monotonic() - started < 20, seconds
        assert rss < baseline_rss + 100, (rss, baseline_rss)


def test_hostile_files_through_the_cli(tmp_path: Path) -> None:
    files = {
        "nul.md": b"# Title\x00\n\nWe call on States to act.\n",
        "latin1.html": "<p>Défenseures des droits</p>".encode("latin-1"),
        "quotes.csv": b'Recommendation,Recommending State\n"unterminated,USA\n',
    }
    store = tmp_path / "store"
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        run, _, _ = measured("--store", str(store), "load", str(tmp_path / name))
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
        if run.returncode == 1:
            assert run.stderr.startswith(f"rightsgraph: error: {tmp_path / name}"), run.stderr
