"""The document loaders against hand-made gold annotations (issue 3's targets).

The sample corpus and four documents of our own writing (Markdown and HTML in
other conventions) are loaded into one real in-memory store; every figure is
read back with SPARQL over the vocabulary (see ``extraction_gold.py``).
Run with ``-s`` to see the table published in docs/extraction.md.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, Variable

from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.validation import validate
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext

# The scorer is shared with docs/tools/extraction_figures.py; pytest runs with
# --import-mode=importlib, so its folder is put on the path explicitly.
sys.path.insert(0, str(Path(__file__).parent))
from extraction_gold import (  # noqa: E402
    Score,
    gold_files,
    gold_path,
    load_gold,
    score_document,
    table,
)

DOCUMENTS = gold_files()


@pytest.fixture(scope="module")
def loaded() -> Iterator[GraphStore]:
    store = GraphStore.memory()
    store_loaded(store, parse_paths([gold_path(name) for name in DOCUMENTS], LoadContext()))
    yield store


@pytest.fixture(scope="module")
def scores(loaded: GraphStore) -> dict[str, dict[str, Score]]:
    result = {name: score_document(loaded, load_gold(name)) for name in DOCUMENTS}
    print("\n" + table(result))
    return result


def _show(score: Score) -> str:
    return "\n".join(score.misses)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_footnote_with_its_url_or_its_text(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["footnotes"]
    assert score.recall == 1.0 and score.precision == 1.0, _show(score)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_passages_link_to_their_footnotes(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["footnote links"]
    assert score.recall >= 0.95 and score.precision >= 0.95, _show(score)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_all_recommendations_and_no_false_ones(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["recommendations"]
    assert score.recall == 1.0 and score.precision == 1.0, _show(score)
    actors = scores[name]["recommendation actors"]
    assert actors.recall == 1.0, _show(actors)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_commitments_with_the_actor_reported(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["commitments"]
    assert score.recall >= 5 / 6 and score.precision >= 5 / 6, _show(score)
    actors = scores[name]["commitment actors"]
    assert actors.recall >= 5 / 6, _show(actors)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_concerns(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["concerns"]
    assert score.recall >= 0.85 and score.precision >= 0.9, _show(score)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_organisations_and_states(scores: dict[str, Any], name: str) -> None:
    for kind in ("organisations", "states"):
        score = scores[name][kind]
        assert score.recall >= 0.9 and score.precision >= 0.9, _show(score)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_events_with_correct_dates(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["event dates"]
    assert score.recall >= 0.9 and score.precision >= 0.9, _show(score)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_statements_dated_and_authored(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["statement dates"]
    assert score.recall >= 0.9, _show(score)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_theme_and_group_tags(scores: dict[str, Any], name: str) -> None:
    score = scores[name]["themes and groups"]
    assert score.recall >= 0.85, _show(score)


def test_nine_recommendations_of_the_corpus_by_sparql(loaded: GraphStore) -> None:
    rows = list(loaded.query("""
        SELECT ?text ?to ?by ?file WHERE {
          ?r a rg:Recommendation ; rg:text ?text ; rg:addressedTo ?to ; rg:madeBy ?by ;
             prov:wasDerivedFrom ?doc .
          ?doc rg:fileName ?file }""",
        substitutions={Variable("file"): Literal("womenlead-upr-2020-2021.txt")}))
    texts = {row["text"].value for row in rows}
    assert len(texts) == 9
    assert not any(t.startswith(("whose job loss", "Indigenous Rights")) for t in texts)
    to = {row["to"].value.rsplit("/", 1)[-1] for row in rows}
    assert to == {"biden-administration", "USA"}


def test_the_loaded_documents_conform_to_the_shapes(loaded: GraphStore) -> None:
    assert validate(loaded) == []
