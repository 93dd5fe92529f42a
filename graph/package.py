"""Partner packages: one zip a partner can load, check and cite.

A package holds, under one folder named after its scope and date:

- ``data.ttl``: the export of the scope as readable Turtle;
- ``ontology/``: the vocabulary files shipped with rightsgraph (OWL
  ontology, SKOS schemes, registries and the SHACL shapes);
- ``dataset.ttl``: a VoID and DCAT description (title, licence, publisher,
  date of issue, counts, distribution, the source documents it derives
  from and a citation);
- ``README.md``: what the files are, how to load and check them, how to cite.

The same data, scope and :class:`PackageInfo` give the same zip, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from rightsgraph import ontology
from rightsgraph.graph.canonical import Canonical
from rightsgraph.graph.export import Progress, collect, write
from rightsgraph.graph.iri import checked_iri
from rightsgraph.graph.labels import labels
from rightsgraph.graph.provenance import package_version
from rightsgraph.graph.scopes import Scope
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.turtle import EXPORT_PREFIXES, TurtleWriter
from rightsgraph.ontology.terms import DCTERMS, DEFAULT_INSTANCE_BASE, PROV, RDF, RDFS, XSD

#: The licence of a package unless another is given: Creative Commons Attribution 4.0.
CC_BY = "https://creativecommons.org/licenses/by/4.0/"

_VOID = EXPORT_PREFIXES["void"]
_DCAT = EXPORT_PREFIXES["dcat"]
_FOAF = EXPORT_PREFIXES["foaf"]
_RG = EXPORT_PREFIXES["rg"]
_TYPE = f"<{RDF.type.value}>"
_LABEL = f"<{RDFS.label.value}>"
_FILE_NAME = f"<{_RG}fileName>"
_SOURCE_KINDS = (f"<{_RG}Document>", f"<{_RG}SourceGraph>")


@dataclass(frozen=True)
class PackageInfo:
    """What a package says about itself beyond its data.

    :param title: the dataset's title (default: made from the scope).
    :param publisher: the name of who publishes the package.
    :param publisher_iri: an IRI for the publisher, if it has one.
    :param licence: the licence IRI (default: CC BY 4.0).
    :param issued: the date of issue (default: today).
    :param base: the base IRI of instance data, under which the package IRI is minted.
    """

    title: str = ""
    publisher: str = "rightsgraph"
    publisher_iri: str = ""
    licence: str = CC_BY
    issued: dt.date = field(default_factory=dt.date.today)
    base: str = DEFAULT_INSTANCE_BASE

    def __post_init__(self) -> None:
        checked_iri(self.licence, what="licence IRI")
        if self.publisher_iri:
            checked_iri(self.publisher_iri, what="publisher IRI")


@dataclass(frozen=True)
class Package:
    """What went into a package."""

    folder: str
    iri: str
    title: str
    triples: int
    subjects: int
    classes: dict[str, int]
    sources: list[tuple[str, str]]  # (IRI, label or file name)
    files: list[str]


def build_package(store: GraphStore, scope: Scope, out: BinaryIO,
                  info: PackageInfo | None = None, *, progress: Progress | None = None) -> Package:
    """Write the partner package of ``scope`` to ``out`` (a zip) and say what it holds.

    ``progress``, if given, is told how the export of the data advances.
    """
    info = info or PackageInfo()
    data = collect(store, scope, progress=progress)
    data_ttl = io.BytesIO()
    written = write(data, "turtle", data_ttl, scope=scope, base=info.base, progress=progress)
    lines = data.merged()
    stats = _statistics(lines)
    title = info.title or _title(store, scope)
    folder = f"rightsgraph-{scope.slug()}-{info.issued.isoformat()}"
    iri = f"{info.base}package/{scope.slug()}/{info.issued.isoformat()}"
    checked_iri(iri, what="package IRI")
    sources = _sources(lines, stats.source_iris)
    package = Package(folder, iri, title, written.statements, len(stats.subjects),
                      dict(sorted(stats.classes.items())), sources, [])
    description = _description(package, scope, info, data_ttl.getbuffer().nbytes, stats.vocabularies)
    files: list[tuple[str, bytes]] = [
        ("README.md", _readme(package, scope, info).encode("utf-8")),
        ("data.ttl", data_ttl.getvalue()),
        ("dataset.ttl", description),
        *((f"ontology/{name}", ontology.read_bytes(name)) for name in ontology.available()),
    ]
    stamp = (info.issued.year, info.issued.month, info.issued.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, content)
    return Package(folder, iri, title, package.triples, package.subjects, package.classes,
                   sources, [name for name, _ in files])


# ---------------------------------------------------------------- counting


@dataclass
class _Statistics:
    subjects: set[str] = field(default_factory=set)
    predicates: set[str] = field(default_factory=set)
    classes: Counter[str] = field(default_factory=Counter)
    source_iris: set[str] = field(default_factory=set)
    vocabularies: set[str] = field(default_factory=set)


def _statistics(lines: Sequence[str]) -> _Statistics:
    stats = _Statistics()
    for line in lines:
        s, p, o = line.split(" ", 2)
        stats.subjects.add(s)
        stats.predicates.add(p)
        if p == _TYPE:
            stats.classes[o[:-2]] += 1
            if o[:-2] in _SOURCE_KINDS:
                stats.source_iris.add(s)
    for token in stats.predicates | set(stats.classes):
        namespace = _namespace(token[1:-1])
        if namespace:
            stats.vocabularies.add(namespace)
    return stats


def _namespace(iri: str) -> str:
    """The longest export namespace ``iri`` is a term of (``""`` if none)."""
    found = [ns for ns in EXPORT_PREFIXES.values()
             if iri.startswith(ns) and not any(c in iri[len(ns):] for c in "/#")]
    return max(found, key=len, default="")


def _sources(lines: Sequence[str], iris: set[str]) -> list[tuple[str, str]]:
    wanted = [line for line in lines if line.split(" ", 1)[0] in iris
              and line.split(" ", 2)[1] in (_LABEL, _FILE_NAME)]
    names: dict[str, str] = {}
    for triple in parse("\n".join(wanted), format=RdfFormat.N_TRIPLES) if wanted else []:
        if isinstance(triple.object, Literal):
            names.setdefault(str(triple.subject), " ".join(triple.object.value.split()))
    return sorted((iri[1:-1], names.get(iri, iri[1:-1])) for iri in iris)


def _title(store: GraphStore, scope: Scope) -> str:
    if scope.kind == "dataset":
        return "rightsgraph dataset"
    if scope.kind == "selection":
        return f"rightsgraph package: a selection of {len(scope.iris)} concept(s)"
    name = labels(store, [scope.iri])[scope.iri.value]
    return f"rightsgraph package: {scope.kind} {name}"


# ---------------------------------------------------------------- describing


def _description(package: Package, scope: Scope, info: PackageInfo, data_bytes: int,
                 vocabularies: set[str]) -> bytes:
    dataset = NamedNode(package.iri)
    data_file = NamedNode(package.iri + "#data.ttl")
    publisher = NamedNode(info.publisher_iri or package.iri + "#publisher")

    def n(iri: str) -> NamedNode:
        return NamedNode(iri)

    def integer(value: int) -> Literal:
        return Literal(str(value), datatype=XSD.integer)

    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (dataset, RDF.type, n(_VOID + "Dataset")),
        (dataset, RDF.type, n(_DCAT + "Dataset")),
        (dataset, DCTERMS.title, Literal(package.title, language="en")),
        (dataset, DCTERMS.description, Literal(f"Exported by rightsgraph: {scope.describe()}.",
                                               language="en")),
        (dataset, DCTERMS.license, n(info.licence)),
        (dataset, DCTERMS.publisher, publisher),
        (publisher, RDF.type, n(_FOAF + "Agent")),
        (publisher, n(_FOAF + "name"), Literal(info.publisher)),
        (dataset, DCTERMS.issued, Literal(info.issued.isoformat(), datatype=XSD.date)),
        (dataset, n(_DCAT + "version"), Literal(package_version())),
        (dataset, n(DCTERMS.base + "conformsTo"), n(ontology.ONTOLOGY_GRAPHS["shapes.ttl"])),
        (dataset, n(DCTERMS.base + "bibliographicCitation"), Literal(_citation(package, info))),
        (dataset, n(_VOID + "triples"), integer(package.triples)),
        (dataset, n(_VOID + "distinctSubjects"), integer(package.subjects)),
        (dataset, n(_VOID + "classes"), integer(len(package.classes))),
        (dataset, n(_DCAT + "distribution"), data_file),
        (data_file, RDF.type, n(_DCAT + "Distribution")),
        (data_file, DCTERMS.title, Literal("data.ttl")),
        (data_file, n(_DCAT + "mediaType"),
         n("https://www.iana.org/assignments/media-types/text/turtle")),
        (data_file, DCTERMS.format, Literal("text/turtle")),
        (data_file, n(_DCAT + "byteSize"), integer(data_bytes)),
        (data_file, DCTERMS.license, n(info.licence)),
    ]
    if scope.kind in ("theme", "group", "organisation", "statement", "graph"):
        triples.append((dataset, n(DCTERMS.base + "subject"), scope.iri))
    triples += [(dataset, n(_VOID + "vocabulary"), n(v)) for v in sorted(vocabularies)]
    triples += [(dataset, PROV.wasDerivedFrom, n(iri)) for iri, _ in package.sources]
    prefixes = {ns: p for p, ns in EXPORT_PREFIXES.items()}
    for number, (rdf_class, count) in enumerate(package.classes.items()):
        namespace = _namespace(rdf_class[1:-1])
        name = (f"{prefixes[namespace]}-{rdf_class[1 + len(namespace):-1]}" if namespace
                else str(number + 1))
        partition = NamedNode(f"{package.iri}#class-{name}")
        triples += [(dataset, n(_VOID + "classPartition"), partition),
                    (partition, n(_VOID + "class"), n(rdf_class[1:-1])),
                    (partition, n(_VOID + "entities"), integer(count))]
    canonical = Canonical.from_quads(Quad(s, p, o) for s, p, o in triples)
    comments = [f"VoID and DCAT description of {package.folder}"]
    return TurtleWriter(EXPORT_PREFIXES, info.base).document(canonical.merged(), comments).encode()


def _citation(package: Package, info: PackageInfo) -> str:
    return (f"{info.publisher} ({info.issued.year}). {package.title} "
            f"[data set, issued {info.issued.isoformat()}]. {package.iri}")


def _readme(package: Package, scope: Scope, info: PackageInfo) -> str:
    kinds = "\n".join(f"| {rdf_class[1:-1].rsplit('#', 1)[-1].rsplit('/', 1)[-1]} | {count} |"
                      for rdf_class, count in package.classes.items())
    sources = "\n".join(f"- {label} <{iri}>" for iri, label in package.sources) or "- (none)"
    return f"""# {package.title}

{scope.describe().capitalize()}, exported by rightsgraph {package_version()}
on {info.issued.isoformat()} and published by {info.publisher}.

## Files

- `data.ttl`: the data, {package.triples} triples about {package.subjects} resources, in
  Turtle. Every resource comes with its whole description; the concepts come
  with their labels and their mappings to UHRI themes and SDG targets.
- `dataset.ttl`: a VoID and DCAT description of the data: title, licence,
  publisher, date, counts and the source documents it derives from.
- `ontology/`: the rightsgraph vocabulary (`rightsgraph.ttl`), the SKOS
  schemes of themes and affected groups, the UHRI and SDG mappings, the
  registries of States and organisations, and the SHACL shapes (`shapes.ttl`).

## Loading it

Load `data.ttl` together with the files of `ontology/` into any RDF store or
editor (Protégé, GraphDB, Apache Jena, Oxigraph), or into rightsgraph:

    rightsgraph load data.ttl
    rightsgraph validate

The data conforms to the shapes of `ontology/shapes.ttl`.

## What it holds

| class | resources |
|---|---|
{kinds}

## Sources

{sources}

## Licence

{info.licence}

## How to cite

{_citation(package, info)}
"""


__all__ = ["CC_BY", "Package", "PackageInfo", "build_package"]
