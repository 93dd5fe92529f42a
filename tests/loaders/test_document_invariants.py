"""What must hold for every document loaded: offsets, provenance, idempotence."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Variable

from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders import registry
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.loaders.source import Source
from rightsgraph.ontology.terms import PROV, RDF, RG

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
PAGES = [sample_corpus_path(), *sorted(DOCS.iterdir())]


def load(path: Path) -> Loaded:
    return registry.read(Source.from_path(path), LoadContext())


def spans(loaded: Loaded) -> list[tuple[str, int, int, str]]:
    """(kind, start, end, rg:text) of every resource with offsets."""
    by_subject: dict[NamedNode, dict[str, object]] = {}
    kinds = {}
    for t in loaded.triples:
        if t.predicate == RDF.type:
            kinds[t.subject] = t.object.value.rsplit("#", 1)[-1]
        if t.predicate in (RG.startOffset, RG.endOffset, RG.text):
            by_subject.setdefault(t.subject, {})[t.predicate.value] = t.object.value
    result = []
    for subject, values in by_subject.items():
        if RG.startOffset.value in values:
            result.append((kinds[subject], int(str(values[RG.startOffset.value])),
                           int(str(values[RG.endOffset.value])), str(values[RG.text.value])))
    return result


def visible(source: str) -> str:
    """The visible text of an HTML slice: markers, tags and entities aside."""
    source = re.sub(r"<sup\b[^>]*>.*?</sup>", "", source, flags=re.S)
    source = re.sub(r"<a\b[^>]*>\s*(?:↩︎?|&#8617;)\s*</a>", "", source)
    source = re.sub(r"<[^>]+>", "", source)
    return " ".join(html.unescape(source).split())


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_offsets_point_at_the_text(path: Path) -> None:
    loaded = load(path)
    text = path.read_text(encoding="utf-8")
    found = spans(loaded)
    kinds = {kind for kind, *_ in found}
    assert {"Passage", "Recommendation", "Footnote"} <= kinds
    for kind, start, end, value in found:
        assert 0 <= start < end <= len(text), (kind, start, end)
        if path.suffix == ".html":
            assert visible(text[start:end]) == " ".join(value.split()), (kind, value)
        else:
            assert text[start:end] == value, (kind, start, end, value)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_resource_is_derived_from_the_document(path: Path) -> None:
    loaded = load(path)
    documents = {t.subject for t in loaded.triples if t.object == RG.Document}
    assert len(documents) == 1
    typed = {t.subject for t in loaded.triples if t.predicate == RDF.type}
    derived = {t.subject for t in loaded.triples if t.predicate == PROV.wasDerivedFrom}
    labelled = {t.subject for t in loaded.triples if t.predicate.value.endswith("#label")}
    minted = typed - documents - {loaded.graph}
    assert minted <= derived
    assert typed <= labelled | {loaded.graph}


def test_the_named_graph_records_loader_version_and_time() -> None:
    loaded = load(sample_corpus_path())
    about = {t.predicate: t.object for t in loaded.triples if t.subject == loaded.graph}
    assert about[RG.loader] == Literal("text")
    assert about[RG.loaderVersion].value
    assert "generatedAtTime" in " ".join(p.value for p in about)


def test_loading_twice_gives_the_same_triples() -> None:
    def quads() -> set[tuple[str, str, str, str]]:
        store = GraphStore.memory()
        loads = parse_paths(PAGES, LoadContext())
        store_loaded(store, loads)
        return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
                for loaded in loads for q in store.quads(loaded.graph)
                if q.predicate != PROV.generatedAtTime}

    first = quads()
    assert len(first) > 2000 and first == quads()


def test_a_second_load_of_an_unchanged_page_is_skipped_and_forcing_changes_nothing() -> None:
    store = GraphStore.memory()
    first = store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    before = {q for q in store.quads() if q.predicate != PROV.generatedAtTime}
    again = store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    forced = store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()), force=True)
    after = {q for q in store.quads() if q.predicate != PROV.generatedAtTime}
    assert [o.status for o in first + again + forced] == ["loaded", "unchanged", "replaced"]
    assert before == after


def test_the_same_url_cited_by_two_documents_is_one_source(tmp_path: Path) -> None:
    url = "https://www.hrw.org/news/2020/08/27/pompeos-commission"
    a = tmp_path / "a.md"
    b = tmp_path / "b.txt"
    a.write_text(f"# A\n\nText.[^1]\n\n[^1]: Human Rights Watch {url}\n", encoding="utf-8")
    b.write_text(f"B\n\nText and more.[1] Also.[2]\n\nNotes\n\n[1] {url}\n\n[2] {url}/\n",
                 encoding="utf-8")
    store = GraphStore.memory()
    store_loaded(store, parse_paths([a, b], LoadContext()))
    rows = list(store.query("SELECT DISTINCT ?s ?url WHERE { ?f rg:source ?s . ?s schema:url ?url }"))
    assert len({row["s"] for row in rows}) == 1
    cited = store.query("SELECT (COUNT(DISTINCT ?p) AS ?n) ?s WHERE { ?p a rg:Passage ; "
                        "cito:cites ?s } GROUP BY ?s", substitutions={Variable("s"): rows[0]["s"]})
    assert int(next(iter(cited))["n"].value) == 2  # type: ignore[call-overload]
