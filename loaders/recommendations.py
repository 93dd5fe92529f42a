"""The loader of recommendation tables (CSV, TSV, Excel, JSON).

Each row becomes an ``rg:Recommendation`` derived from one ``rg:Document``
standing for the table file.  States are linked to ``ontology/states.ttl``,
themes and groups to the shipped SKOS schemes; a theme or group label that
matches no concept becomes a new concept marked ``rg:unmapped`` and is
listed in the report.  A row with errors rejects the whole table, unless
``LoadContext.skip_invalid`` is set: then the valid rows load and the
others are reported.

Rows are read one at a time and never queried against the store, so a
table of 100,000 rows loads in one pass.  Every row is checked when the
table is read, but its triples are made only when they are stored (see
:class:`TableTriples`): two million triples held as Python objects would
take about a gigabyte, the checked rows a tenth of that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Triple

from rightsgraph.graph.errors import InputError
from rightsgraph.loaders.columns import Columns, title
from rightsgraph.loaders.concepts import ConceptIndex
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded, Report
from rightsgraph.loaders.source import Source
from rightsgraph.loaders.states import StateIndex
from rightsgraph.loaders.table import read_table
from rightsgraph.loaders.upr import Recommendation, RowError, RowReader, recommendation_triples
from rightsgraph.ontology.terms import DCTERMS, RDF, RDFS, RG, SKOS

#: Media types of the table formats, for the table's rg:Document.
MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
#: Invalid rows listed in a rejection message; the count says how many more.
LISTED_ERRORS = 20

_SCHEMES = {"theme": (RG.Theme, RG.ThemeScheme), "group": (RG.Group, RG.GroupScheme)}


def load_table(source: Source, context: LoadContext, table_format: str) -> Loaded:
    """Turn a recommendation table into the triples of its named graph.

    :raises InputError: for a file that is not a table, a table without a
        Recommendation column or without valid rows, and (unless
        ``context.skip_invalid``) for invalid rows, naming each row and column.
    """
    if context.extends:
        raise InputError("--extends applies to SKOS thesauri in RDF, not to tables",
                         file=source.name)
    table = read_table(source, table_format)
    columns = Columns.from_header(table.header)
    if "text" not in columns.index:
        raise InputError(
            f"no {title('text')} column; the header has: "
            + ", ".join(repr(h) for h in table.header if h),
            file=source.name, line=1,
        )
    report = Report()
    for header in columns.ignored:
        report.doubt(f"column {header!r} is not a recommendation field; ignored", line=1)
    for header in columns.duplicates:
        report.doubt(f"column {header!r} repeats a field an earlier column gives; ignored",
                     line=1)

    document = context.mint("document", source.file_name)
    builder = _Builder(context, report, document)
    reader = RowReader(columns, StateIndex.from_ontology())
    errors: list[RowError] = []
    rows: list[_Row] = []
    file_name = source.file_name
    for number, row in table.rows:
        result = reader.read(number, row)
        if isinstance(result, list):
            errors.extend(result)
        elif not errors or context.skip_invalid:
            rows.append(builder.row(result, file_name))

    if errors and not context.skip_invalid:
        raise _rejection(errors, source, table.unit)
    _report_skipped(errors, report, table.unit)
    if not builder.count:
        raise InputError(f"no valid recommendation in this table (no data {table.unit}s)"
                         if not errors else "no valid recommendation in this table",
                         file=source.name)
    concepts = builder.concept_triples(report)
    report.found["recommendations"] = builder.count
    record = context.record_for(source, loader=f"table-{table_format}")
    before = _document_triples(document, source, table_format)
    return Loaded(record, TableTriples(before, rows, document, concepts + record.triples()),
                  report)


#: A checked row with its IRI and resolved themes and groups.
_Row = tuple[Recommendation, NamedNode, list[NamedNode], list[NamedNode]]


class TableTriples:
    """The triples of a table's graph, made from its checked rows each time they are read.

    >>> rec = Recommendation(2, "Ratify CEDAW")
    >>> iri, doc = NamedNode("https://example.org/r"), NamedNode("https://example.org/d")
    >>> triples = TableTriples([], [(rec, iri, [], [])], doc, [])
    >>> len(triples), len(list(triples)), Triple(iri, RG.text, Literal("Ratify CEDAW")) in triples
    (4, 4, True)
    """

    def __init__(self, before: list[Triple], rows: list[_Row], document: NamedNode,
                 after: list[Triple]) -> None:
        self._before, self._rows, self._document, self._after = before, rows, document, after
        self._length: int | None = None

    def __iter__(self) -> Iterator[Triple]:
        yield from self._before
        document = self._document
        for rec, iri, themes, groups in self._rows:
            yield from recommendation_triples(rec, iri, document, themes, groups)
        yield from self._after

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _ in self)
        return self._length

    def __contains__(self, triple: object) -> bool:
        return any(triple == t for t in self)


def _document_triples(document: NamedNode, source: Source, table_format: str) -> list[Triple]:
    name = Literal(source.file_name)
    return [
        Triple(document, RDF.type, RG.Document),
        Triple(document, RDFS.label, name),
        Triple(document, DCTERMS.title, name),
        Triple(document, RG.fileName, name),
        Triple(document, RG.sha256, Literal(source.sha256)),
        Triple(document, DCTERMS.format, Literal(MEDIA_TYPES[table_format])),
    ]


def _rejection(errors: list[RowError], source: Source, unit: str) -> InputError:
    """One error for the whole table: the first bad cell, then every bad row."""
    rows = sorted({e.row for e in errors})
    first = errors[0]
    lines = [
        f"{first.describe(unit)}; the table is rejected, nothing loaded "
        f"({len(rows)} invalid {unit}{'s' if len(rows) > 1 else ''}; "
        "--skip-invalid loads the valid ones)"
    ]
    lines += [f"  {e.describe(unit)}" for e in errors[1:LISTED_ERRORS]]
    if len(errors) > LISTED_ERRORS:
        lines.append(f"  ... and {len(errors) - LISTED_ERRORS} more")
    return InputError("\n".join(lines), file=source.name, line=first.row, column=first.column)


def _report_skipped(errors: list[RowError], report: Report, unit: str) -> None:
    skipped = set()
    for error in errors:
        skipped.add(error.row)
        report.doubt(f"{unit} skipped: {error.describe(unit)}", line=error.row,
                     column=error.column)
    if skipped:
        report.found[f"skipped {unit}s"] = len(skipped)


class _Builder:
    """Mints recommendation IRIs and resolves theme and group labels."""

    def __init__(self, context: LoadContext, report: Report, document: NamedNode) -> None:
        self.context = context
        self.report = report
        self.document = document
        self.count = 0
        self.concepts = ConceptIndex.from_ontology()
        self._seen: dict[str, int] = {}
        self._resolved: dict[tuple[str, str], NamedNode] = {}
        self._unmapped: dict[NamedNode, tuple[str, str, int]] = {}
        self._unmapped_uses: Counter[NamedNode] = Counter()
        self._no_response: dict[str, tuple[int, int]] = {}

    def row(self, rec: Recommendation, file_name: str) -> _Row:
        """Mint the row's IRI and resolve its themes and groups (reporting doubts now)."""
        self.count += 1
        if rec.no_response:
            first, uses = self._no_response.get(rec.no_response, (rec.row, 0))
            self._no_response[rec.no_response] = (first, uses + 1)
        themes = [self._concept(label, "theme", rec.row) for label in rec.themes]
        groups = [self._concept(label, "group", rec.row) for label in rec.groups]
        return rec, self._iri(rec, file_name), themes, groups

    def _iri(self, rec: Recommendation, file_name: str) -> NamedNode:
        """By document symbol and paragraph when both are given, else by file and row,
        so that the same UN recommendation gets the same IRI in every table."""
        if rec.symbol and rec.paragraph:
            iri = self.context.mint("recommendation", rec.symbol, rec.paragraph)
            first = self._seen.setdefault(iri.value, rec.row)
            if first == rec.row:
                return iri
            self.report.doubt(f"same document symbol and paragraph as row {first}; "
                              "kept as a separate recommendation", line=rec.row)
        return self.context.mint("recommendation", file_name, str(rec.row))

    def _concept(self, label: str, kind: str, row: int) -> NamedNode:
        key = (kind, label)
        found = self._resolved.get(key)
        if found is None:
            found = self.concepts.lookup(label, kind)
            if found is None:
                found = self.context.mint(kind, label)
                self._unmapped.setdefault(found, (kind, label, row))
            self._resolved[key] = found
        if found in self._unmapped:
            self._unmapped_uses[found] += 1
        return found

    def concept_triples(self, report: Report) -> list[Triple]:
        """The new concepts for unmapped labels; each is listed in ``report``."""
        triples = []
        for iri, (kind, label, row) in self._unmapped.items():
            cls, scheme = _SCHEMES[kind]
            uses = self._unmapped_uses[iri]
            report.doubt(f"{kind} {label!r} matches no concept of the {kind} scheme; "
                         f"kept as unmapped concept {iri.value} "
                         f"({uses} recommendation{'s' if uses > 1 else ''})", line=row)
            report.found[f"unmapped {kind}s"] += 1
            triples += [
                Triple(iri, RDF.type, cls),
                Triple(iri, RDF.type, SKOS.Concept),
                Triple(iri, SKOS.prefLabel, Literal(label)),
                Triple(iri, RDFS.label, Literal(label)),
                Triple(iri, SKOS.inScheme, scheme),
                Triple(iri, RG.unmapped, Literal(True)),
            ]
        for value, (row, uses) in self._no_response.items():
            report.doubt(f"response {value!r} means no response yet; "
                         f"{uses} recommendation(s) loaded without rg:response", line=row)
        return triples
