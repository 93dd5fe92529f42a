"""``rightsgraph export`` on an on-disk store holding the sample corpus: through
click's runner, and in a real process for what the user sees on errors."""

from __future__ import annotations

import gc
import os
import pty
import re
import subprocess
import sys
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
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("cli") / "store"
    with GraphStore.open(location) as store:
        store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    return location


def run(store: Path, *args: str) -> tuple[int, bytes, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["--store", str(store), "export", *args])
    exception = result.exception
    # The traceback's frames hold the store, whose lock lasts as long as they do; a real
    # process exits instead.  Let them go, so that the next run can open the store.
    cause: BaseException | None = exception
    while cause is not None:
        cause.__traceback__ = None
        cause = cause.__context__
    outcome = result.exit_code, result.stdout_bytes, result.stderr, exception
    del result
    gc.collect()
    return outcome


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


@pytest.mark.parametrize("args,message", [
    (["--theme", "no such theme at all"], "no theme is named 'no such theme at all'"),
    (["--theme", "https://example.org/no-such-theme"],
     "nothing is known about https://example.org/no-such-theme in this store"),
    (["--theme", "https://w3id.org/rightsgraph/group/women"],
     "https://w3id.org/rightsgraph/group/women is not a theme in this store"),
    (["--group", "Maternal mortality"], "no group is named 'Maternal mortality'"),
    (["--organisation", "Nobody In Particular"], "no organisation is named"),
    (["--statement", "not an iri"], "the statement is not an absolute IRI: 'not an iri'"),
    (["--statement", THEME], f"{THEME} is not a statement or document in this store"),
    (["--graph", "not-an-iri"], "the graph is not an absolute IRI: 'not-an-iri'"),
    (["--graph", "https://example.org/no-graph"], "no graph or document https://example.org/no-graph"),
    (["--graph", "file:///etc/passwd"], "the graph must use http, https or urn"),
    (["--selection", "javascript:alert(1)"], "IRI must use http, https or urn"),
])
def test_bad_scope_values_are_refused(corpus_store: Path, tmp_path: Path, args: list[str],
                                      message: str) -> None:
    target = tmp_path / "out.ttl"
    code, out, _, exception = run(corpus_store, *args, "-o", str(target))
    assert code == 1 and isinstance(exception, RightsgraphError), exception
    assert message in str(exception) and "\n" not in str(exception)
    assert out == b"" and not target.exists() and not list(tmp_path.iterdir())


def test_long_exports_show_progress_on_a_terminal(corpus_store: Path, tmp_path: Path) -> None:
    """In a real process whose standard error is a terminal: one line rewritten in place,
    erased before the summary."""
    target = tmp_path / "dataset.trig"
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run([str(BIN / "rightsgraph"), "--store", str(corpus_store), "export",
                               "--format", "trig", "-o", str(target)],
                              stderr=terminal, stdout=subprocess.PIPE, timeout=120)
    finally:
        os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert done.returncode == 0, shown
    text = shown.decode()
    assert "\rexport: reading graphs " in text and "/10 (" in text
    assert re.search(r"\rexport: written ([0-9,]+)/\1 \(100%\)", text), text
    summary = text.rsplit("\r", 2)[-2]  # after the line was erased
    assert summary.startswith(f"wrote {target}: ") and "quads (trig)" in summary
    assert target.stat().st_size > 0


def test_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    assert 'rightsgraph export --theme "maternal mortality" --package' in result.output
