"""What a loader found and what it doubted, and the result of a load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Triple

from rightsgraph.graph.provenance import SourceRecord


@dataclass(frozen=True)
class Doubt:
    """Something a loader could not settle: reported, never invented."""

    message: str
    line: int | None = None
    column: int | None = None

    def describe(self, file: str) -> str:
        where = [str(p) for p in (file, self.line, self.column) if p is not None]
        return ":".join(where) + ": " + self.message


@dataclass
class Report:
    """Counts of what was found, by kind, and the doubtful cases.

    >>> report = Report()
    >>> report.found["triples"] += 3
    >>> report.doubt("footnote [ix] has no definition", line=12)
    >>> report.summary("a.txt")
    ['found: 3 triples', 'a.txt:12: footnote [ix] has no definition']
    """

    found: Counter[str] = field(default_factory=Counter)
    doubts: list[Doubt] = field(default_factory=list)

    def doubt(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        """Record a doubtful case."""
        self.doubts.append(Doubt(message, line, column))

    def summary(self, file: str) -> list[str]:
        """Return the report as lines of text."""
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.found.items()))
        return [f"found: {counts or 'nothing'}", *(d.describe(file) for d in self.doubts)]


@dataclass
class Loaded:
    """A source turned into triples for its named graph, not yet stored."""

    record: SourceRecord
    #: A list, or a collection that makes the triples when read (large tables).
    triples: Collection[Triple]
    report: Report

    @property
    def graph(self) -> NamedNode:
        return self.record.graph
