"""``rightsgraph export`` on an on-disk store holding the sample corpus: through
click's runner, and in a real process for what the user sees on errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode, RdfFormat, parse

from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.webui.cli import cli

THEME = "https://w3id.org/rightsgraph/theme/maternal-mortality"


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("cli") / "store"
    with GraphStore.open(location) as store:
        store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    return location


def run(store: Path, *args: str) -> tuple[int, bytes, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["--store", str(store), "export", *args])
    return result.exit_code, result.stdout_bytes, result.stderr, result.exception


def test_export_a_theme_by_name_to_a_file(corpus_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "mm.ttl"
    code, _, err, _ = run(corpus_store, "--theme", "Maternal Mortality", "-o", str(target))
    assert code == 0, err
    assert err.startswith(f"wrote {target}: ") and "triples (turtle)" in err
    triples = list(parse(target.read_bytes(), format=RdfFormat.TURTLE))
    assert any(t.object == NamedNode(THEME) for t in triples)
    assert not list(tmp_path.glob("*.part"))


def test_export_to_standard_output(corpus_store: Path) -> None:
    code, out, err, _ = run(corpus_store, "--format", "nquads", "--graph",
                            "https://w3id.org/rightsgraph/id/document/womenlead-upr-2020-2021-txt")
    assert code == 0 and err == ""
    quads = list(parse(out, format=RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {
        "https://w3id.org/rightsgraph/id/source/womenlead-upr-2020-2021-txt"}


def test_export_a_package(corpus_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "wln.zip"
    code, _, err, _ = run(corpus_store, "--organisation", "Women Lead Network", "--package",
                          "--publisher", "Women Lead Network", "-o", str(target))
    assert code == 0, err
    names = zipfile.ZipFile(target).namelist()
    assert any(n.endswith("/data.ttl") for n in names)
    assert any(n.endswith("/ontology/shapes.ttl") for n in names)
    readme = next(n for n in names if n.endswith("/README.md"))
    assert "published by Women Lead Network" in zipfile.ZipFile(target).read(readme).decode()


def test_a_file_that_cannot_be_written_leaves_nothing(corpus_store: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir.ttl"
    code, _, _, exception = run(corpus_store, "-o", str(missing))
    assert code == 1 and isinstance(exception, RightsgraphError)
    assert str(exception).startswith("cannot write")
    assert not missing.parent.exists()


def test_errors_are_one_line_for_the_user(rightsgraph, corpus_store: Path) -> None:
    two = rightsgraph("export", "--theme", "health", "--group", "women", store=corpus_store)
    assert two.returncode == 2 and "give one scope, not 2" in two.stderr
    unknown = rightsgraph("export", "--theme", "no such theme at all", store=corpus_store)
    assert unknown.returncode == 1
    assert unknown.stderr == ("rightsgraph: error: no theme is named 'no such theme at all'; "
                              "give its label or IRI\n")


def test_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    assert 'rightsgraph export --theme "maternal mortality" --package' in result.output
