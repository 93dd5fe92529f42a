"""Partner RDF and thesauri: every syntax, the limits, SHACL reports, round trips."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from pyoxigraph import NamedNode, QuerySolution, QuerySolutions, RdfFormat, parse, serialize
from rdflib.compare import isomorphic

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.validation import validate
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded

RDF_DATA = Path(__file__).parent.parent / "data" / "rdf"
TABLES = Path(__file__).parent.parent / "data" / "tables"
RunCli = Callable[..., subprocess.CompletedProcess[str]]

SYNTAXES = {
    ".ttl": RdfFormat.TURTLE, ".trig": RdfFormat.TRIG, ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS, ".jsonld": RdfFormat.JSON_LD, ".rdf": RdfFormat.RDF_XML,
}



def solutions(store: GraphStore, sparql: str, **options: Any) -> list[QuerySolution]:
    """The solutions of a SELECT query, as a list."""
    result = store.query(sparql, **options)
    assert isinstance(result, QuerySolutions)
    return list(result)


def load(store: GraphStore, path: Path, **options: object) -> Loaded:
    loads = parse_paths([path], LoadContext(**options))  # type: ignore[arg-type]
    store_loaded(store, loads)
    return loads[0]


def as_rdflib(store: GraphStore, graph: NamedNode) -> rdflib.Graph:
    """The graph without the triples about itself (its provenance record)."""
    triples = [q.triple for q in store.quads(graph) if q.subject != graph]
    return rdflib.Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")


# ------------------------------------------------------------------ every syntax


@pytest.mark.parametrize("extension", sorted(SYNTAXES))
def test_every_syntax_loads_into_its_own_named_graph(
    tmp_path: Path, store: GraphStore, extension: str
) -> None:
    triples = list(parse((RDF_DATA / "partner-report.ttl").read_bytes(), format=RdfFormat.TURTLE))
    path = tmp_path / f"partner-report{extension}"
    if SYNTAXES[extension] in (RdfFormat.TRIG, RdfFormat.N_QUADS):
        quads = [q.triple for q in triples]
        path.write_bytes(serialize(quads, format=RdfFormat.N_TRIPLES) or b"")
        path.write_bytes(path.read_bytes().replace(b" .\n", b" <https://partner.example.org/g> .\n")
                         if extension == ".nq" else b"<https://partner.example.org/g> {\n"
                         + path.read_bytes() + b"}\n")
    else:
        path.write_bytes(serialize([q.triple for q in triples], format=SYNTAXES[extension]) or b"")
    loaded = load(store, path)
    graph = NamedNode(f"https://w3id.org/rightsgraph/id/source/partner-report-{extension[1:]}")
    assert loaded.graph == graph
    assert loaded.report.found["triples"] == len(triples)
    reference = rdflib.Graph().parse(RDF_DATA / "partner-report.ttl", format="turtle")
    assert isomorphic(as_rdflib(store, graph), reference)
    if extension in (".trig", ".nq"):
        assert any("merged into one source graph" in d.message for d in loaded.report.doubts)
    assert validate(store, [graph]) == []


# ------------------------------------------------------------------ limits


def test_size_cap(store: GraphStore) -> None:
    with pytest.raises(InputError, match="over the limit of 100 bytes"):
        load(store, RDF_DATA / "partner-report.ttl", max_bytes=100)


def test_billion_laughs_is_refused_quickly(store: GraphStore) -> None:
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        load(store, RDF_DATA / "billion-laughs.rdf")
    assert time.monotonic() - started < 2
    assert "nested entities are refused" in str(caught.value)
    assert (caught.value.line, caught.value.column) == (4, 2)


def test_harmless_entities_of_ontology_editors_load(store: GraphStore) -> None:
    graph = load(store, RDF_DATA / "protege.rdf").graph
    rows = solutions(store, "SELECT ?o WHERE { ?o a rg:Organisation ; rdfs:label ?l }",
                     default_graph=[graph])
    assert [r["o"].value for r in rows] == [
        "https://partner.example.org/data/coalition"]


@pytest.mark.parametrize("declaration", [
    '<!ENTITY ex SYSTEM "file:///etc/passwd">',
    '<!ENTITY % pe "x">',
    "<!ENTITY ex 'single-quoted'>",
])
def test_external_and_parameter_entities_are_refused(tmp_path: Path, declaration: str) -> None:
    path = tmp_path / "evil.rdf"
    path.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {declaration} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>
""")
    with pytest.raises(InputError, match="only internal entities"):
        parse_paths([path], LoadContext())


def test_entities_expanding_past_the_cap_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.rdf"
    value = "x" * 5000
    path.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY big "{value}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/a"><rdfs:label>{"&big;" * 300}</rdfs:label>
  </rdf:Description>
</rdf:RDF>
""")
    with pytest.raises(InputError, match="past the limit of 1,000,000 bytes"):
        parse_paths([path], LoadContext(max_bytes=1_000_000))


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A socket on 127.0.0.1 that records every connection made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, address = server.accept()
            except OSError:
                continue
            connections.append(address)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.mark.parametrize("shape", ["string", "list", "import"])
def test_remote_json_ld_contexts_are_never_fetched(
    tmp_path: Path, listener: tuple[int, list[object]], shape: str
) -> None:
    port, connections = listener
    url = f"http://127.0.0.1:{port}/context.jsonld"
    context: object = {
        "string": url, "list": [url, {"ex": "https://example.org/"}], "import": {"@import": url},
    }[shape]
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": context, "@id": "https://example.org/a",
                                "https://example.org/p": "v"}))
    with pytest.raises(InputError, match="remote JSON-LD contexts are never fetched"):
        parse_paths([path], LoadContext())
    time.sleep(0.3)
    assert connections == []


def test_inline_json_ld_context_loads(tmp_path: Path, store: GraphStore) -> None:
    path = tmp_path / "inline.jsonld"
    path.write_text(json.dumps({"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
                                "@id": "https://example.org/a", "rdfs:label": "A"}))
    assert load(store, path).report.found["triples"] == 1


# ------------------------------------------------------------------ SHACL report


def test_load_report_prints_the_shacl_report_of_the_graph(tmp_path: Path,
                                                          rightsgraph: RunCli) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix rg: <https://w3id.org/rightsgraph/ontology#> .
<https://partner.example.org/r> a rg:Recommendation ; rg:response "maybe" .
""")
    result = rightsgraph("load", "--report", str(bad), str(RDF_DATA / "partner-report.ttl"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("loaded: bad.ttl -> https://w3id.org/rightsgraph/id/source/bad-ttl "
                        "(8 triples)")
    shacl = lines[start + 2]
    assert shacl.startswith("  shacl: ") and "violation(s)" in shacl
    assert any("rg:response must be one of" in line for line in lines)
    assert any("needs exactly one rg:text" in line for line in lines)
    assert "  shacl: conforms" in lines


# ------------------------------------------------------------------ thesauri


def test_a_thesaurus_extends_the_theme_scheme(store: GraphStore) -> None:
    loaded = load(store, RDF_DATA / "partner-issues.ttl", extends="themes")
    links = {(r["c"].value, r["m"].value) for r in solutions(
        store, "SELECT ?c ?m WHERE { ?c a rg:Theme ; skos:inScheme rg:ThemeScheme ; skos:closeMatch ?m }",
        default_graph=[loaded.graph])}
    assert links == {
        ("https://partner.example.org/issues/maternal-deaths",
         "https://w3id.org/rightsgraph/theme/maternal-mortality"),
        ("https://partner.example.org/issues/gbv",
         "https://w3id.org/rightsgraph/theme/gender-based-violence"),
    }
    assert loaded.report.found["concepts added to the theme scheme"] == 3
    assert loaded.report.found["skos:closeMatch links"] == 2
    assert sum("skos:closeMatch" in d.message for d in loaded.report.doubts) == 2
    assert validate(store) == []


def test_a_thesaurus_extends_the_group_scheme_from_the_cli(
    tmp_path: Path, rightsgraph: RunCli
) -> None:
    path = tmp_path / "partner-groups.ttl"
    path.write_text("""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://partner.example.org/groups/w> a skos:Concept ; skos:prefLabel "Women"@en .
""")
    result = rightsgraph("load", "--report", "--extends", "groups", str(path))
    assert result.returncode == 0, result.stderr
    assert "skos:closeMatch <https://w3id.org/rightsgraph/group/women>" in result.stdout
    assert "  shacl: conforms" in result.stdout


def test_extending_needs_concepts(store: GraphStore) -> None:
    with pytest.raises(InputError, match="no skos:Concept"):
        load(store, RDF_DATA / "partner-report.ttl", extends="groups")


def test_extends_is_for_rdf_only(store: GraphStore) -> None:
    with pytest.raises(InputError, match="not to tables"):
        load(store, TABLES / "upr-info-export.tsv", extends="themes")


# ------------------------------------------------------------------ round trip


@pytest.mark.parametrize("path", [TABLES / "upr-usa-2020.csv", RDF_DATA / "partner-report.ttl",
                                  RDF_DATA / "partner-issues.ttl"])
def test_turtle_export_loads_back_as_an_isomorphic_graph(tmp_path: Path, path: Path) -> None:
    first = GraphStore.memory()
    options = {"extends": "themes"} if path.name == "partner-issues.ttl" else {}
    graph = load(first, path, skip_invalid=True, **options).graph
    exported = tmp_path / "export.ttl"
    first.raw.dump(str(exported), format=RdfFormat.TURTLE, from_graph=graph)

    second = GraphStore.memory()
    reloaded = load(second, exported, graph=graph.value)
    assert reloaded.graph == graph
    assert isomorphic(as_rdflib(first, graph), as_rdflib(second, graph))
