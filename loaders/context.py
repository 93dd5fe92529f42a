"""Settings shared by every loader: the instance base IRI and graph naming."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.iri import checked_iri, slug
from rightsgraph.graph.provenance import SourceRecord, package_version
from rightsgraph.loaders.source import DEFAULT_MAX_BYTES, Source
from rightsgraph.ontology.terms import DEFAULT_INSTANCE_BASE

#: Largest text, Markdown or HTML page a document loader reads (bytes).
DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

#: The concept schemes a partner thesaurus may extend (``LoadContext.extends``).
EXTENDABLE_SCHEMES = ("themes", "groups")


@dataclass(frozen=True)
class LoadContext:
    """How loaders name what they create.

    :param base: base IRI of instance data; must end with ``/`` or ``#``.
    :param graph: an explicit named graph for the source (one source only).
    :param max_bytes: largest input accepted.
    :param max_document_bytes: largest text, Markdown or HTML page accepted; a
        page beyond it is refused at once, before any parsing.
    :param skip_invalid: load the valid rows of a table and report the others,
        instead of rejecting the whole table.
    :param extends: ``"themes"`` or ``"groups"``: the SKOS concepts of an RDF
        source join that scheme, linked to ours by ``skos:closeMatch``.

    >>> LoadContext().graph_for(Source("corpus/Women Lead.txt", b"x")).value
    'https://w3id.org/rightsgraph/id/source/women-lead-txt'
    """

    base: str = DEFAULT_INSTANCE_BASE
    graph: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    skip_invalid: bool = False
    extends: str | None = None

    def __post_init__(self) -> None:
        checked_iri(self.base, what="base IRI")
        if not self.base.endswith(("/", "#")):
            raise RightsgraphError(f"base IRI must end with / or #: {self.base!r}")
        if self.graph is not None:
            checked_iri(self.graph, what="graph IRI")
        if self.extends not in (None, *EXTENDABLE_SCHEMES):
            raise RightsgraphError(
                f"--extends takes one of {', '.join(EXTENDABLE_SCHEMES)}: {self.extends!r}"
            )

    def mint(self, kind: str, *parts: str) -> NamedNode:
        """Mint an instance IRI ``{base}{kind}/{slug}/{slug}...``."""
        return NamedNode(self.base + "/".join([kind, *(slug(p) for p in parts)]))

    def graph_for(self, source: Source) -> NamedNode:
        """The named graph of ``source``: explicit, or from its file name."""
        if self.graph is not None:
            return NamedNode(self.graph)
        return self.mint("source", source.file_name)

    def base_iri_for(self, source: Source) -> str:
        """Base IRI for relative IRIs inside ``source``."""
        return self.graph_for(source).value + "/"

    def record_for(self, source: Source, *, loader: str) -> SourceRecord:
        """The provenance record of ``source`` as loaded by ``loader``."""
        return SourceRecord(
            graph=self.graph_for(source),
            file_name=source.file_name,
            sha256=source.sha256,
            loader=loader,
            loader_version=package_version(),
        )
