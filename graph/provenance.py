"""The description every source graph carries of itself.

Each named graph holds, beside the data loaded from a source, a few triples
about the graph: which file it came from, the file's digest, which loader
made it, with which version and when.  ``rightsgraph load`` uses the digest to
skip a source that has not changed, so loading twice gives the same triples.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import metadata

from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.ontology.terms import PROV, RDF, RG, XSD


def package_version() -> str:
    """Return the installed version of rightsgraph."""
    try:
        return metadata.version("rightsgraph")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass(frozen=True)
class SourceRecord:
    """What a source graph says of itself."""

    graph: NamedNode
    file_name: str
    sha256: str
    loader: str
    loader_version: str
    loaded_at: str = ""

    def triples(self) -> list[Triple]:
        """Return the triples describing the graph, to be stored inside it."""
        g = self.graph
        loaded_at = self.loaded_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return [
            Triple(g, RDF.type, RG.SourceGraph),
            Triple(g, RG.fileName, Literal(self.file_name)),
            Triple(g, RG.sha256, Literal(self.sha256)),
            Triple(g, RG.loader, Literal(self.loader)),
            Triple(g, RG.loaderVersion, Literal(self.loader_version)),
            Triple(g, PROV.generatedAtTime, Literal(loaded_at, datatype=XSD.dateTime)),
        ]
