"""Every example query of the workbench gallery answers on the sample corpus."""

from __future__ import annotations

import pytest

from rightsgraph.graph.gallery import examples
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path


@pytest.fixture(scope="module")
def corpus() -> GraphStore:
    store = GraphStore.memory()
    store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    return store


def test_gallery_has_at_least_fifteen_named_examples() -> None:
    gallery = examples()
    assert len(gallery) >= 15
    assert all(e.title and e.description and e.query for e in gallery)
    assert len({e.title for e in gallery}) == len(gallery)


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.name)
def test_example_returns_rows_on_the_sample_corpus(corpus: GraphStore, example) -> None:
    rows = list(corpus.query(example.query))  # type: ignore[arg-type]
    assert rows, f"{example.name} returned no rows"
