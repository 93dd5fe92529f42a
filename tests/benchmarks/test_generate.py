"""The benchmark corpus: reproducible by seed, and read by the real loaders as written."""

from __future__ import annotations

import doctest
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.columns import COLUMNS, title
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded

# benchmarks/ is a folder of the repository, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import generate as generator  # noqa: E402
from benchmarks import load_bench, memory, remote, run_all, servers  # noqa: E402
from benchmarks.generate import HEADER, generate, write_ntriples  # noqa: E402

SEED = 7
DOCUMENTS = 24  # all three formats and every kind of post, in a few seconds


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", seed=3, documents=12, recommendations=400, xlsx=True)
    generate(tmp_path / "b", seed=3, documents=12, recommendations=400, xlsx=True)
    generate(tmp_path / "c", seed=4, documents=12, recommendations=400)
    a, b, c = (files(tmp_path / name) for name in "abc")
    assert set(a) == {"manifest.json", "tables/upr-recommendations.csv",
                      "tables/upr-recommendations.xlsx", *first["documents"]}  # type: ignore[misc]
    assert a == b
    assert "tables/upr-recommendations.xlsx" not in c
    assert all(a[name] != c.get(name) for name in a if name.startswith("documents/"))
    assert a["tables/upr-recommendations.csv"] != c["tables/upr-recommendations.csv"]
    # No clock in the workbook: runs seconds apart give the same bytes too.
    with zipfile.ZipFile(tmp_path / "a/tables/upr-recommendations.xlsx") as book:
        assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = book.read("docProps/core.xml").decode()
    assert re.findall(r"\d{4}-\d\d-\d\dT[\d:]+Z", core) == ["2021-01-01T00:00:00Z"] * 2


def test_a_small_corpus_is_a_prefix_of_a_larger_one(tmp_path: Path) -> None:
    generate(tmp_path / "small", seed=5, documents=3, recommendations=50)
    generate(tmp_path / "large", seed=5, documents=6, recommendations=500)
    small, large = files(tmp_path / "small"), files(tmp_path / "large")
    for name in small:
        if name.startswith("documents/"):
            assert small[name] == large[name]
    table = "tables/upr-recommendations.csv"
    assert large[table].startswith(small[table])


def test_the_table_header_is_the_loaders_canonical_header() -> None:
    assert HEADER == [title(name) for name in COLUMNS]


def test_docstring_examples() -> None:
    for module in (generator, load_bench, memory, remote, run_all, servers):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__


# ------------------------------------------------------------------ against the loaders


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("corpus")
    return root, generate(root, seed=SEED, documents=DOCUMENTS, recommendations=600, xlsx=True)


@pytest.fixture(scope="module")
def loaded(corpus: tuple[Path, dict[str, Any]]) -> tuple[GraphStore, dict[str, Loaded]]:
    root, manifest = corpus
    store = GraphStore.memory()
    names = sorted(manifest["documents"])
    loads = parse_paths([root / name for name in names], LoadContext())
    store_loaded(store, loads)
    return store, dict(zip(names, loads, strict=True))


def rows(store: GraphStore, graph: NamedNode, sparql: str) -> list[tuple[str, ...]]:
    result = store.query(sparql, default_graph=[graph])
    return sorted(tuple(v.value if v is not None else "" for v in row) for row in result)  # type: ignore[union-attr]


def test_the_corpus_has_every_format_and_kind(corpus: tuple[Path, dict[str, Any]]) -> None:
    pages = corpus[1]["documents"].values()
    assert {p["format"] for p in pages} == {"text", "markdown", "html"}
    for kind in ("recommendations", "commitments", "concerns", "events"):
        assert sum(len(p[kind]) for p in pages) > 5, kind
    assert sum(p["notes"] for p in pages) > 50


@pytest.mark.parametrize("number", range(1, DOCUMENTS + 1))
def test_each_page_loads_as_it_was_written(
    number: int, corpus: tuple[Path, dict[str, Any]],
    loaded: tuple[GraphStore, dict[str, Loaded]],
) -> None:
    store, loads = loaded
    name = next(n for n in corpus[1]["documents"] if f"doc-{number:05d}." in n)
    want = corpus[1]["documents"][name]
    graph = loads[name].graph
    recommendations = rows(store, graph, "SELECT ?text ?to WHERE { ?r a rg:Recommendation ; "
                                         "rg:text ?text ; rg:addressedTo ?to }")
    assert recommendations == sorted((r["text"], r["addressee"]) for r in want["recommendations"])
    for kind in ("commitments", "concerns"):
        cls = "rg:Commitment" if kind == "commitments" else "rg:Concern"
        found = rows(store, graph, f"SELECT ?text WHERE {{ ?c a {cls} ; rg:text ?text }}")
        assert found == sorted((text,) for text in want[kind]), kind
    events = rows(store, graph, "SELECT ?label ?start ?end WHERE { ?e a rg:Event ; rdfs:label "
                                "?label ; schema:startDate ?start . OPTIONAL { ?e schema:endDate ?end } }")
    assert events == sorted((e["label"], e["start"], e["end"]) for e in want["events"])
    notes = rows(store, graph, "SELECT ?n WHERE { ?n a rg:Footnote }")
    links = rows(store, graph, "SELECT ?p ?n WHERE { ?p a rg:Passage ; rg:footnote ?n }")
    statements = rows(store, graph, "SELECT ?s WHERE { ?s a rg:Statement }")
    assert (len(notes), len(links), len(statements)) == (want["notes"], want["markers"],
                                                         want["statements"])
    assert loads[name].report.found.get("unmatched footnote markers", 0) == 0


@pytest.mark.parametrize("table_format", ["csv", "xlsx"])
def test_the_table_loads_every_row_with_known_names(
    table_format: str, corpus: tuple[Path, dict[str, Any]],
) -> None:
    root, manifest = corpus
    table = next(t for t in manifest["tables"] if t["format"] == table_format)
    [result] = parse_paths([root / table["path"]], LoadContext())
    assert result.report.found["recommendations"] == table["rows"] == 600
    assert result.report.doubts == []  # no unmapped theme or group, no unknown State, no bad cell
    responses = {str(t.object) for t in result.triples if t.predicate.value.endswith("#response")}
    assert responses == {'"supported"', '"noted"', '"supported in part"'}


def test_ntriples_are_valid_and_reproducible(tmp_path: Path) -> None:
    assert write_ntriples(tmp_path / "a.nt", 1234, 9) == 1234
    write_ntriples(tmp_path / "b.nt", 1234, 9)
    data = (tmp_path / "a.nt").read_bytes()
    assert data == (tmp_path / "b.nt").read_bytes()
    assert len(list(parse(data, format=RdfFormat.N_TRIPLES))) == 1234
