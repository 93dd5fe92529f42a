"""One registry of input formats: names, file extensions and loader functions.

>>> detect_format("partners/data.TTL")
'turtle'
>>> "rdfxml" in formats()
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rightsgraph.graph.errors import InputError
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.rdf import RDF_FORMATS, load_rdf
from rightsgraph.loaders.recommendations import load_table
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source
from rightsgraph.loaders.table import TABLE_FORMATS

LoaderFunction = Callable[[Source, LoadContext], Loaded]

_LOADERS: dict[str, LoaderFunction] = {}
_EXTENSIONS: dict[str, str] = {}


def register(name: str, extensions: tuple[str, ...], function: LoaderFunction) -> None:
    """Make ``function`` the loader of format ``name`` and of files with ``extensions``."""
    _LOADERS[name] = function
    for extension in extensions:
        _EXTENSIONS[extension.lower()] = name


def formats() -> list[str]:
    """Return the names of every registered input format."""
    return sorted(_LOADERS)


def detect_format(path: str | Path) -> str:
    """Return the format of ``path`` from its extension.

    :raises InputError: if the extension is unknown.
    """
    name = Path(path).name.lower()
    for extension in sorted(_EXTENSIONS, key=len, reverse=True):
        if name.endswith(extension):
            return _EXTENSIONS[extension]
    known = ", ".join(sorted(_EXTENSIONS))
    raise InputError(
        f"cannot tell the format from the file name (known extensions: {known}); "
        "use --format",
        file=str(path),
    )


def read(source: Source, context: LoadContext, format: str | None = None) -> Loaded:
    """Turn ``source`` into triples with the loader of ``format`` (or of its extension)."""
    name = format or detect_format(source.name)
    try:
        loader = _LOADERS[name]
    except KeyError:
        raise InputError(
            f"unknown format {name!r}; known formats: {', '.join(formats())}", file=source.name
        ) from None
    return loader(source, context)


def _rdf_loader(rdf_format: str) -> LoaderFunction:
    def load(source: Source, context: LoadContext) -> Loaded:
        return load_rdf(source, context, rdf_format)

    return load


_RDF_EXTENSIONS = {
    "turtle": (".ttl", ".turtle"),
    "trig": (".trig",),
    "ntriples": (".nt",),
    "nquads": (".nq",),
    "jsonld": (".jsonld", ".json-ld"),
    "rdfxml": (".rdf", ".owl", ".xml"),
}
for _name in RDF_FORMATS:
    register(_name, _RDF_EXTENSIONS[_name], _rdf_loader(_name))


def _table_loader(table_format: str) -> LoaderFunction:
    def load(source: Source, context: LoadContext) -> Loaded:
        return load_table(source, context, table_format)

    return load


_TABLE_EXTENSIONS = {
    "csv": (".csv",),
    "tsv": (".tsv", ".tab"),
    "xlsx": (".xlsx",),
    "json": (".json",),
}
for _name in TABLE_FORMATS:
    register(_name, _TABLE_EXTENSIONS[_name], _table_loader(_name))


# Advocacy pages: plain text, Markdown and HTML, one shared extraction (docs/extraction.md).
from rightsgraph.loaders.html import load_html  # noqa: E402
from rightsgraph.loaders.markdown import load_markdown  # noqa: E402
from rightsgraph.loaders.plaintext import load_text  # noqa: E402

register("text", (".txt", ".text"), load_text)
register("markdown", (".md", ".markdown"), load_markdown)
register("html", (".html", ".htm", ".xhtml"), load_html)
