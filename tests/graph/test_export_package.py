"""Partner packages built from the sample corpus: what they hold, that they
conform to the shapes on their own, and that they are described and reproducible."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from rightsgraph import ontology
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.package import CC_BY, Package, PackageInfo, build_package
from rightsgraph.graph.scopes import Scope
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.validation import validate
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.ontology.terms import RDF, RG, SCHEMA, SKOS

THEME = "https://w3id.org/rightsgraph/theme/maternal-mortality"
STATEMENT = ("https://w3id.org/rightsgraph/id/statement/womenlead-upr-2020-2021-txt/"
             "4-16-days-campaign")
ISSUED = dt.date(2024, 5, 1)
INFO = PackageInfo(publisher="Women Lead Network", issued=ISSUED)


@pytest.fixture(scope="module")
def corpus() -> Iterator[GraphStore]:
    store = GraphStore.memory()
    store_loaded(store, parse_paths([sample_corpus_path()], LoadContext()))
    yield store


def build(store: GraphStore, scope: Scope, info: PackageInfo = INFO) -> tuple[Package, bytes]:
    out = io.BytesIO()
    package = build_package(store, scope, out, info)
    return package, out.getvalue()


@pytest.fixture(scope="module")
def maternal(corpus: GraphStore) -> tuple[Package, zipfile.ZipFile]:
    package, data = build(corpus, Scope.parse("theme", [THEME]))
    return package, zipfile.ZipFile(io.BytesIO(data))


def read(archive: zipfile.ZipFile, package: Package, name: str) -> bytes:
    return archive.read(f"{package.folder}/{name}")


def alone(data: bytes) -> tuple[GraphStore, NamedNode]:
    """A store holding the package's data.ttl and, of the vocabulary, only the
    class and property definitions: the package must carry everything else."""
    store = GraphStore.memory(with_ontology=False)
    vocabulary = NamedNode(ontology.ONTOLOGY_GRAPHS["rightsgraph.ttl"])
    store.replace_graph(vocabulary, list(parse(ontology.read_bytes("rightsgraph.ttl"),
                                               format=RdfFormat.TURTLE)))
    graph = NamedNode("urn:test:package")
    store.replace_graph(graph, list(parse(data, format=RdfFormat.TURTLE)))
    return store, graph


def test_the_zip_holds_data_ontology_description_and_readme(
    maternal: tuple[Package, zipfile.ZipFile],
) -> None:
    package, archive = maternal
    assert package.folder == "rightsgraph-theme-maternal-mortality-2024-05-01"
    names = {n.removeprefix(package.folder + "/") for n in archive.namelist()}
    assert {"README.md", "data.ttl", "dataset.ttl", "ontology/shapes.ttl",
            "ontology/rightsgraph.ttl", "ontology/themes.ttl"} <= names
    for name in ontology.available():
        assert read(archive, package, f"ontology/{name}") == ontology.read_bytes(name)


def test_maternal_mortality_package_holds_what_a_partner_needs(
    maternal: tuple[Package, zipfile.ZipFile],
) -> None:
    package, archive = maternal
    store, graph = alone(read(archive, package, "data.ttl"))
    triples = [q.triple for q in store.quads(graph)]

    def subjects(rdf_class: NamedNode) -> set[str]:
        return {t.subject.value for t in triples if t.predicate == RDF.type and t.object == rdf_class}

    def values(subject: str, predicate: NamedNode) -> list[object]:
        return [t.object for t in triples if t.subject.value == subject and t.predicate == predicate]

    passages = subjects(RG.Passage)
    texts = " ".join(str(values(p, RG.text)[0].value) for p in passages)  # type: ignore[attr-defined]
    assert "maternal mortality" in texts.lower()
    assert "highest maternal mortality rate" in texts
    recommendations = subjects(RG.Recommendation)
    assert recommendations, "the calls to action of the statements discussing the theme"
    assert any("health care" in str(values(r, RG.text)[0]) for r in recommendations)
    # the footnoted sources, with their URLs
    footnoted = {s for p in passages for f in values(p, RG.footnote)
                 for s in values(f.value, RG.source)}  # type: ignore[attr-defined]
    urls = {u.value for s in footnoted for u in values(s.value, SCHEMA.url)}  # type: ignore[attr-defined]
    assert "https://blackmamasmatter.org/2020/black-maternal-health-week-2020-webinar-series/" in urls
    # the labels of every concept used
    used = {t.object.value for t in triples if t.predicate in (RG.theme, RG.group, SKOS.broader,
                                                               SKOS.closeMatch)}
    assert THEME in used
    for concept in used:
        labels = values(concept, SKOS.prefLabel)
        assert labels and all(isinstance(label, Literal) for label in labels), concept
    assert values(THEME, SKOS.prefLabel)[0] == Literal("Maternal mortality", language="en")


@pytest.mark.parametrize("kind,iris", [
    ("dataset", []),
    ("theme", [THEME]),
    ("group", ["https://w3id.org/rightsgraph/group/black-women"]),
    ("organisation", ["https://w3id.org/rightsgraph/state/USA"]),
    ("statement", [STATEMENT]),
    ("selection", ["https://w3id.org/rightsgraph/theme/covid-19",
                   "https://w3id.org/rightsgraph/group/women"]),
])
def test_each_package_conforms_to_the_shapes_on_its_own(corpus: GraphStore, kind: str,
                                                        iris: list[str]) -> None:
    package, data = build(corpus, Scope.parse(kind, iris))
    archive = zipfile.ZipFile(io.BytesIO(data))
    store, graph = alone(read(archive, package, "data.ttl"))
    assert package.triples > 100 and store.count(graph) == package.triples
    # the shapes the package ships (ontology/shapes.ttl) are the ones applied
    assert read(archive, package, "ontology/shapes.ttl") == ontology.read_bytes("shapes.ttl")
    assert validate(store, [graph]) == []


def test_a_document_graph_package_conforms_with_its_ontology(corpus: GraphStore) -> None:
    scope = Scope.parse("graph", ["https://w3id.org/rightsgraph/id/source/womenlead-upr-2020-2021-txt"])
    package, data = build(corpus, scope)
    archive = zipfile.ZipFile(io.BytesIO(data))
    store = GraphStore.memory()  # the package's ontology/ is the shipped vocabulary
    graph = NamedNode("urn:test:package")
    store.replace_graph(graph, list(parse(read(archive, package, "data.ttl"), format=RdfFormat.TURTLE)))
    assert validate(store, [graph]) == []


def test_the_dataset_description(maternal: tuple[Package, zipfile.ZipFile], tmp_path: Path) -> None:
    package, archive = maternal
    description = read(archive, package, "dataset.ttl")
    triples = list(parse(description, format=RdfFormat.TURTLE))
    about = {(t.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], str(t.object))
             for t in triples if t.subject.value == package.iri}
    data_triples = len(list(parse(read(archive, package, "data.ttl"), format=RdfFormat.TURTLE)))
    assert ("type", "<http://rdfs.org/ns/void#Dataset>") in about
    assert ("type", "<http://www.w3.org/ns/dcat#Dataset>") in about
    assert ("license", f"<{CC_BY}>") in about
    assert ("issued", '"2024-05-01"^^<http://www.w3.org/2001/XMLSchema#date>') in about
    assert ("triples", f'"{data_triples}"^^<http://www.w3.org/2001/XMLSchema#integer>') in about
    assert ("subject", f"<{THEME}>") in about
    assert ("wasDerivedFrom",
            "<https://w3id.org/rightsgraph/id/document/womenlead-upr-2020-2021-txt>") in about
    assert any(p == "distinctSubjects" for p, _ in about)
    assert any(p == "distribution" for p, _ in about)
    assert any(p == "bibliographicCitation" and "Women Lead Network (2024)" in o for p, o in about)
    publisher = [t.object for t in triples if t.predicate.value.endswith("/publisher")][0]
    assert any(t.subject == publisher and t.object == Literal("Women Lead Network") for t in triples)
    readme = read(archive, package, "README.md").decode()
    assert readme.startswith("# rightsgraph package: theme Maternal mortality")
    assert "rightsgraph load data.ttl" in readme and CC_BY in readme
    assert "womenlead-upr-2020-2021.txt" in readme
    for name in ("data.ttl", "dataset.ttl"):
        path = tmp_path / name
        path.write_bytes(read(archive, package, name))
        done = subprocess.run(["rapper", "-i", "turtle", "-c", str(path)], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and "Parsing returned" in done.stderr, done.stderr


def test_the_same_package_twice_is_the_same_zip(corpus: GraphStore) -> None:
    scope = Scope.parse("statement", [STATEMENT])
    assert build(corpus, scope)[1] == build(corpus, scope)[1]


def test_package_settings_are_checked() -> None:
    with pytest.raises(RightsgraphError, match="licence IRI"):
        PackageInfo(licence="CC BY")


def test_the_shape_check_catches_an_incomplete_package(
    maternal: tuple[Package, zipfile.ZipFile],
) -> None:
    """Without the label of its theme a package would not conform: the conformance
    checked above is not vacuous."""
    package, archive = maternal
    data = read(archive, package, "data.ttl")
    theme = NamedNode(THEME)
    kept = [t for t in parse(data, format=RdfFormat.TURTLE)
            if not (t.subject == theme and t.predicate == SKOS.prefLabel)]
    store, graph = alone(b"")
    store.replace_graph(graph, kept)
    found = [v.describe() for v in validate(store, [graph])]
    assert any("maternal-mortality" in line and "prefLabel" in line for line in found), found
