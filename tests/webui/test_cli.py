"""The command line, run as a real process against a real on-disk store."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store, serialize

from rightsgraph.webui.cli import cli

DATA = Path(__file__).parents[1] / "data" / "rdf"
PARTNER = DATA / "cli-sources.ttl"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def store_digest(store_dir: Path) -> tuple[str, list[str]]:
    """A digest of every quad and the list of graphs, read straight from the store."""
    raw = Store(str(store_dir))
    try:
        lines = sorted(serialize(raw, format=RdfFormat.N_QUADS).decode().splitlines())
        graphs = sorted(g.value for g in raw.named_graphs())
    finally:
        del raw
    return hashlib.sha256("\n".join(lines).encode()).hexdigest(), graphs


def count(rightsgraph) -> int:
    result = rightsgraph("query", COUNT, "--format", "json")
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(rightsgraph, command: str) -> None:
    result = rightsgraph(command, "--help", store=None)
    assert result.returncode == 0
    assert "Example:" in result.stdout
    assert "rightsgraph " + command in result.stdout


def test_top_level_help(rightsgraph) -> None:
    result = rightsgraph("--help", store=None)
    assert result.returncode == 0 and "Example:" in result.stdout
    for command in ("load", "query", "validate", "stats", "export", "serve", "demo"):
        assert command in result.stdout


def test_load_then_query_returns_the_rows(rightsgraph) -> None:
    loaded = rightsgraph("load", str(PARTNER))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("loaded: cli-sources.ttl -> ")
    result = rightsgraph(
        "query", "SELECT ?label WHERE { ?s a rg:Source ; rdfs:label ?label }", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == ["Partner policy brief on detention conditions"]


def test_loading_the_same_file_again_leaves_the_count_unchanged(rightsgraph, tmp_path: Path) -> None:
    assert rightsgraph("load", str(PARTNER)).returncode == 0
    before = count(rightsgraph)
    again = rightsgraph("load", str(PARTNER))
    assert again.returncode == 0 and again.stdout.startswith("unchanged:")
    assert count(rightsgraph) == before
    forced = rightsgraph("load", "--force", str(PARTNER))
    assert forced.stdout.startswith("replaced:")
    assert count(rightsgraph) == before
    edited = tmp_path / "cli-sources.ttl"
    edited.write_text(PARTNER.read_text() + "\n<https://x.example/a> <https://x.example/b> 1 .\n")
    assert rightsgraph("load", str(edited)).stdout.startswith("replaced:")
    assert count(rightsgraph) == before + 1


def test_malformed_turtle_names_file_line_column_and_changes_nothing(
    rightsgraph, store_dir: Path
) -> None:
    assert rightsgraph("load", str(PARTNER)).returncode == 0
    before = store_digest(store_dir)
    result = rightsgraph("load", str(PARTNER), str(DATA / "malformed.ttl"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.match(r"rightsgraph: error: .*malformed\.ttl:3:\d+: syntax error: ", lines[0]), lines
    assert "Traceback" not in result.stderr
    assert store_digest(store_dir) == before


def test_several_files_load_nothing_when_one_is_bad(rightsgraph, store_dir: Path) -> None:
    result = rightsgraph("load", str(PARTNER), str(DATA / "malformed.ttl"))
    assert result.returncode == 1
    graphs = json.loads(rightsgraph("stats", "--format", "json").stdout)["sources"]
    assert not [s for s in graphs if s["file"] == "cli-sources.ttl"]


def test_files_over_the_size_limit_are_refused_unless_it_is_raised(
        rightsgraph, tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    line = "<https://example.org/s> <https://example.org/p> \"%s\" .\n"
    with big.open("w") as out:  # about 1.2 MiB of N-Triples
        for n in range(20_000):
            out.write(line % f"value {n:08d}")
    refused = rightsgraph("load", "--max-size", "1", str(big))
    assert refused.returncode == 1
    assert "big.nt" in refused.stderr and "over the limit of 1,048,576 bytes" in refused.stderr
    assert "--max-size" in refused.stderr and "Traceback" not in refused.stderr
    sources = json.loads(rightsgraph("stats", "--format", "json").stdout)["sources"]
    assert not [s for s in sources if s["file"] == "big.nt"]
    loaded = rightsgraph("load", "--max-size", "2", str(big))
    assert loaded.returncode == 0, loaded.stderr
    assert "(20006 triples)" in loaded.stdout  # the 20,000 and the source record (6)


def test_validate_passes_conforming_data(rightsgraph) -> None:
    rightsgraph("load", str(PARTNER))
    result = rightsgraph("validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "conforms"


def test_validate_lists_each_violation_and_fails(rightsgraph) -> None:
    rightsgraph("load", str(PARTNER), str(DATA / "broken-shape.ttl"))
    result = rightsgraph("validate")
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    focus = "https://partner.example.org/nameless"
    assert f"Violation: {focus} rdfs:label: needs an rdfs:label" in lines
    assert any(line.startswith(f"Violation: {focus} schema:url: schema:url must be an IRI")
               for line in lines)
    assert lines[-1] == "2 violation(s)"
    data = json.loads(rightsgraph("validate", "--format", "json").stdout)
    assert data["conforms"] is False and len(data["violations"]) == 2


@pytest.mark.parametrize("fmt,marker", [("csv", "label\n"), ("tsv", "?label\n"),
                                        ("xml", "<sparql"), ("table", "(1 row)")])
def test_query_formats(rightsgraph, fmt: str, marker: str) -> None:
    rightsgraph("load", str(PARTNER))
    result = rightsgraph("query", "SELECT ?label WHERE { ?s a rg:Source ; rdfs:label ?label }",
                         "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout


def test_construct_as_turtle_with_prefixes(rightsgraph) -> None:
    rightsgraph("load", str(PARTNER))
    result = rightsgraph("query", "CONSTRUCT WHERE { ?s a rg:Source }", "--format", "turtle")
    assert result.returncode == 0, result.stderr
    assert "@prefix rg: <https://w3id.org/rightsgraph/ontology#>" in result.stdout
    assert "a rg:Source" in result.stdout


def test_query_from_a_file_and_from_stdin(rightsgraph, tmp_path: Path) -> None:
    rightsgraph("load", str(PARTNER))
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK { ?s a rg:Organisation }")
    assert rightsgraph("query", str(query_file)).stdout == "true\n"
    assert rightsgraph("query", "-", stdin="ASK { ?s a rg:Person }").stdout == "false\n"


def test_query_restricted_to_one_graph(rightsgraph) -> None:
    rightsgraph("load", str(PARTNER))
    graph = "https://w3id.org/rightsgraph/id/source/cli-sources-ttl"
    result = rightsgraph("query", "SELECT ?c WHERE { ?c a owl:Class }", "--graph", graph,
                         "--format", "json")
    assert json.loads(result.stdout)["results"]["bindings"] == []


def test_bad_query_is_one_line_with_the_place(rightsgraph) -> None:
    result = rightsgraph("query", "SELECT * WHERE { ?s ?p }")
    assert result.returncode == 1
    assert re.fullmatch(r"rightsgraph: error: SPARQL syntax error: error at 1:\d+: .*\n",
                        result.stderr)


def test_service_is_refused(rightsgraph) -> None:
    result = rightsgraph("query", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert result.returncode == 1 and "SERVICE is not allowed" in result.stderr


def test_unknown_extension_and_missing_file(rightsgraph, tmp_path: Path) -> None:
    odd = tmp_path / "data.weird"
    odd.write_text("x")
    result = rightsgraph("load", str(odd))
    assert result.returncode == 1 and "use --format" in result.stderr
    result = rightsgraph("load", str(tmp_path / "missing.ttl"))
    assert result.returncode == 1 and "no such file" in result.stderr


def test_store_in_use_gives_a_clear_message(rightsgraph, store_dir: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from rightsgraph.graph.store import GraphStore
            s = GraphStore.open({str(store_dir)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = rightsgraph("stats")
        assert result.returncode == 1
        assert f"in use by process {holder.pid}" in result.stderr
        assert "LOCK" not in result.stderr and "Traceback" not in result.stderr
    finally:
        holder.communicate("", timeout=30)


def test_stats(rightsgraph) -> None:
    rightsgraph("load", str(PARTNER))
    data = json.loads(rightsgraph("stats", "--format", "json").stdout)
    assert data["kinds"]["Source"] == 1 and data["kinds"]["Organisation"] >= 1
    assert data["kinds"]["Theme"] >= 40 and data["kinds"]["Group"] >= 30
    files = {s["file"] for s in data["sources"]}
    assert {"cli-sources.ttl", "rightsgraph.ttl", "themes.ttl", "groups.ttl"} <= files
    text = rightsgraph("stats").stdout
    assert "Recommendation" in text and "cli-sources.ttl" in text


def test_drop(rightsgraph) -> None:
    rightsgraph("load", str(PARTNER))
    graph = "https://w3id.org/rightsgraph/id/source/cli-sources-ttl"
    assert rightsgraph("drop", graph).returncode == 0
    result = rightsgraph("drop", graph)
    assert result.returncode == 1 and "no graph" in result.stderr


def test_unsafe_graph_iri_is_refused(rightsgraph) -> None:
    result = rightsgraph("load", "--graph", "javascript:alert(1)", str(PARTNER))
    assert result.returncode == 1 and "must use http, https or urn" in result.stderr
