"""The index beside the store: one SQLite file, kept in step graph by graph.

It holds what the browse pages need fast and the store answers slowly:

* ``docs`` and ``fts``: every resource typed with a rightsgraph class, with
  its labels, text and the labels of its tags, in an FTS5 table (porter
  tokenizer; text folded by :func:`~rightsgraph.graph.spelling.fold`) for
  :mod:`rightsgraph.graph.search`;
* ``concepts``: every label of every theme and group, for query expansion;
* ``units``: every tagged passage, recommendation, commitment and concern
  with its tags, document, date, organisations and sources, for
  :mod:`rightsgraph.graph.intersections` (reading these from the store takes
  tens of seconds at 100,000 recommendations; from here, well under one);
* ``triples``: the triples the list pages filter, sort and count by (types,
  tags, makers, addressees, responses, documents, dates, names, texts: the
  predicates of :data:`LISTED`), for :mod:`rightsgraph.graph.listing`.

Each row belongs to the named graph it was read from.  :meth:`StoreIndex.refresh`
compares every graph's fingerprint (source digest, loader and loader version;
the quad count for graphs without a provenance record) with the one it
indexed, and reindexes only the graphs that changed (everything when a
concept scheme changed, as tags carry concept labels).  The file is
``search.sqlite3`` in the store's directory.

>>> index = StoreIndex.memory()
>>> index.refresh(GraphStore.memory())[:1]
['https://w3id.org/rightsgraph/groups']
>>> index.refresh(GraphStore.memory())
[]
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from threading import Lock
from typing import Any

from pyoxigraph import DefaultGraph, Literal, NamedNode

from rightsgraph.graph.labels import fallback_label
from rightsgraph.graph.schemes import Schemes, load_schemes
from rightsgraph.graph.spelling import WORD, fold
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.units import Links, Scans, Unit, read_links, read_units
from rightsgraph.ontology.terms import DCTERMS, PREFIXES, RDF, RDFS, RG, SCHEMA, SKOS

#: File name of the index inside a store directory.
INDEX_FILE = "search.sqlite3"
#: Bump when what is indexed changes: the next refresh rebuilds everything.
INDEX_VERSION = "3"
#: Kinds of resource indexed, in order of preference when one has several.
KINDS = ("Recommendation", "Commitment", "Concern", "Passage", "Footnote", "Statement",
         "Document", "Theme", "Group", "Organisation", "State", "Person", "Event",
         "Instrument", "Source")
_DEFAULT = ""  # key of the default graph
_INTERNAL = "urn:rightsgraph:"  # the store's own bookkeeping graphs (staging, pending)
#: Name predicates, the preferred label's first.
_NAMES = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name, SKOS.altLabel, SKOS.hiddenLabel,
          SCHEMA.alternateName)
_DISPLAY = 4  # the first four give a display label
#: Predicates copied to the ``triples`` table (prefixed names; ``rdf:type`` only with rg: classes).
LISTED = ("rdf:type", "rg:theme", "rg:group", "rg:addressedTo", "rg:madeBy", "rg:response",
          "rg:recommendingState", "rg:mentions", "prov:wasDerivedFrom", "dcterms:creator",
          "schema:organizer", "dcterms:date", "schema:startDate", "dcterms:isPartOf",
          "skos:prefLabel", "rdfs:label", "dcterms:title", "schema:name", "rg:text", "schema:url")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS graphs(graph TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, graph TEXT NOT NULL,
                                kind TEXT NOT NULL, label TEXT NOT NULL, names TEXT NOT NULL,
                                text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_graph ON docs(graph);
CREATE TABLE IF NOT EXISTS concepts(norm TEXT NOT NULL, concept TEXT NOT NULL, label TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS concepts_norm ON concepts(norm);
CREATE TABLE IF NOT EXISTS units(graph TEXT NOT NULL, iri TEXT NOT NULL, kind TEXT NOT NULL,
                                 concepts TEXT NOT NULL, document TEXT NOT NULL, date TEXT NOT NULL,
                                 actors TEXT NOT NULL, creators TEXT NOT NULL, sources TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS units_graph ON units(graph);
CREATE TABLE IF NOT EXISTS triples(graph TEXT NOT NULL, s TEXT NOT NULL, p TEXT NOT NULL,
                                   o TEXT NOT NULL, literal INTEGER NOT NULL, datatype TEXT NOT NULL,
                                   lang TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS triples_graph ON triples(graph);
CREATE INDEX IF NOT EXISTS triples_ps ON triples(p, s);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(label, text, tags,
    tokenize = 'porter unicode61 remove_diacritics 2');
"""
_TABLES = ("graphs", "docs", "concepts", "units", "triples", "fts")  # fixed names, never from input
#: Told (graphs done, graphs to do, the graph about to be indexed) as a build goes.
Progress = Callable[[int, int, str], None]


class StoreIndex:
    """The SQLite index of one store (one connection, used under a lock)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = Lock()
        #: Goes up each time the index changes, so that what is read from it can be cached.
        self.generation = 0
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, path: str | Path) -> StoreIndex:
        """Open (creating if needed) the index file at ``path``."""
        return cls(sqlite3.connect(str(path), check_same_thread=False))

    @classmethod
    def for_store(cls, store: GraphStore) -> StoreIndex:
        """The index of ``store``: a file in its directory, or in memory."""
        if store.location is None:
            return cls.memory()
        return cls.open(store.location / INDEX_FILE)

    @classmethod
    def memory(cls) -> StoreIndex:
        return cls(sqlite3.connect(":memory:", check_same_thread=False))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def read(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only statement (user values only in ``parameters``)."""
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    # ------------------------------------------------------------ keeping in step

    def refresh(self, store: GraphStore, progress: Progress | None = None) -> list[str]:
        """Reindex the graphs that changed since the last refresh; return their names.

        ``progress(done, total, graph)`` is called before each graph is indexed.
        """
        current = fingerprints(store)
        version = self.read("SELECT value FROM meta WHERE key = 'version'")
        known = dict(self.read("SELECT graph, fingerprint FROM graphs"))
        if not version or version[0][0] != INDEX_VERSION:
            self.rebuild(store, progress)
            return sorted(current)
        changed = [g for g, fp in current.items() if known.get(g) != fp]
        removed = [g for g in known if g not in current]
        if not changed and not removed:
            return []
        if any(_defines_concepts(store, g) for g in changed) or self._had_concepts(removed):
            self.rebuild(store, progress)
            return sorted(current)
        schemes = load_schemes(store)
        with self._lock, self._db:
            for graph in (*changed, *removed):
                self._forget(graph)
            for done, graph in enumerate(changed):
                if progress is not None:
                    progress(done, len(changed), graph)
                self._index_graph(store, graph, schemes)
                self._db.execute("INSERT INTO graphs VALUES (?, ?)", (graph, current[graph]))
            self.generation += 1
        return sorted((*changed, *removed))

    def rebuild(self, store: GraphStore, progress: Progress | None = None) -> int:
        """Reindex everything; return the number of indexed resources."""
        current = fingerprints(store)
        schemes = load_schemes(store)
        with self._lock, self._db:
            for table in _TABLES:
                self._db.execute(f"DELETE FROM {table}")
            rows = [(norm, c.iri, label) for c in schemes.concepts.values()
                    for label in c.labels for norm in norms(label)]
            self._db.executemany("INSERT INTO concepts VALUES (?, ?, ?)", rows)
            for done, (graph, fingerprint) in enumerate(current.items()):
                if progress is not None:
                    progress(done, len(current), graph)
                self._index_graph(store, graph, schemes)
                self._db.execute("INSERT INTO graphs VALUES (?, ?)", (graph, fingerprint))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (INDEX_VERSION,))
            self.generation += 1
            return int(self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def _forget(self, graph: str) -> None:
        self._db.execute("DELETE FROM fts WHERE rowid IN (SELECT id FROM docs WHERE graph = ?)",
                         (graph,))
        for table in ("docs", "units", "triples", "graphs"):
            self._db.execute(f"DELETE FROM {table} WHERE graph = ?", (graph,))

    def _had_concepts(self, graphs: Sequence[str]) -> bool:
        return any(self.read("SELECT 1 FROM docs WHERE graph = ? AND kind IN ('Theme', 'Group') "
                             "LIMIT 1", (g,)) for g in graphs)

    def _index_graph(self, store: GraphStore, graph: str, schemes: Schemes) -> None:
        name = DefaultGraph() if graph == _DEFAULT else NamedNode(graph)
        scans = Scans(store, name)  # text, units and links read some predicates in common
        self._index_text(scans, graph, schemes)
        self._index_triples(scans, graph)
        units = read_units(store, name, scans)
        links = read_links(store, units, name, scans)
        self._db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (graph, u.iri, u.kind, " ".join(u.concepts), u.document, u.date,
             " ".join(links.actors[i]), " ".join(links.creators[i]), " ".join(links.sources[i]))
            for i, u in enumerate(units)])

    def _index_text(self, scans: Scans, graph: str, schemes: Schemes) -> None:
        name = DefaultGraph() if graph == _DEFAULT else NamedNode(graph)
        kinds = _typed_resources(scans.store, name)
        texts: dict[str, str] = {}
        for subject, term in scans.pairs(RG.text):
            if subject in kinds and isinstance(term, Literal):
                texts.setdefault(subject, term.value)
        names: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for rank, predicate in enumerate(_NAMES):
            for subject, term in scans.pairs(predicate):
                if subject in kinds and isinstance(term, Literal) and term.value.strip():
                    english = not term.language or term.language.startswith("en")
                    names[subject].append((rank * 2 + (0 if english else 1), term.value))
        tags: dict[str, list[str]] = defaultdict(list)
        for predicate in (RG.theme, RG.group):
            for subject, term in scans.pairs(predicate):
                if subject in kinds and isinstance(term, NamedNode) and term.value in schemes.concepts:
                    tags[subject].extend(schemes.concepts[term.value].labels)
        first = int(self._db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM docs").fetchone()[0])
        docs, fts = [], []
        for number, iri in enumerate(sorted(kinds), start=first):
            ranked = sorted(names.get(iri, []))
            label = next((" ".join(v.split()) for r, v in ranked if r < _DISPLAY * 2), "") \
                or fallback_label(iri)
            all_names = " · ".join(dict.fromkeys(v for _r, v in ranked))
            body = texts.get(iri, "")
            docs.append((number, iri, graph, kinds[iri], label, all_names, body))
            fts.append((number, fold(all_names), fold(body),
                        fold(" · ".join(dict.fromkeys(tags.get(iri, []))))))
        self._db.executemany("INSERT INTO docs(id, iri, graph, kind, label, names, text) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", docs)
        self._db.executemany("INSERT INTO fts(rowid, label, text, tags) VALUES (?, ?, ?, ?)", fts)

    def _index_triples(self, scans: Scans, graph: str) -> None:
        rows = []
        for name in LISTED:
            prefix, local = name.split(":")
            for subject, term in scans.pairs(NamedNode(PREFIXES[prefix] + local)):
                if isinstance(term, NamedNode):
                    if name != "rdf:type" or term.value.startswith(RG.base):
                        rows.append((graph, subject, name, term.value, 0, "", ""))
                elif isinstance(term, Literal):
                    rows.append((graph, subject, name, term.value, 1, term.datatype.value,
                                 term.language or ""))
        self._db.executemany("INSERT INTO triples VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    # ------------------------------------------------------------ the units

    def units(self, concepts: Iterable[str] | None = None) -> tuple[list[Unit], Links]:
        """Every tagged unit (tags limited to ``concepts`` when given), with its links, by IRI.

        A unit said to be in two graphs is one unit with everything both say of it.
        """
        keep = set(concepts) if concepts is not None else None
        units: list[Unit] = []
        links = Links([], [], [])
        rows = self.read("SELECT iri, kind, concepts, document, date, actors, creators, sources "
                         "FROM units ORDER BY iri")
        for iri, kind, tagged, document, date, actors, creators, sources in rows:
            found = tuple(c for c in tagged.split() if keep is None or c in keep)
            extra = (_split(actors), _split(creators), _split(sources))
            if units and units[-1].iri == iri:
                last = units[-1]
                found = tuple(sorted({*last.concepts, *found}))
                units[-1] = Unit(iri, last.kind, found, last.document or document, last.date or date)
                for column, more in zip((links.actors, links.creators, links.sources), extra,
                                        strict=True):
                    column[-1] = tuple(sorted({*column[-1], *more}))
                continue
            units.append(Unit(iri, kind, found, document, date))
            links.actors.append(extra[0])
            links.creators.append(extra[1])
            links.sources.append(extra[2])
        tagged_units = [i for i, u in enumerate(units) if u.concepts]
        if len(tagged_units) == len(units):
            return units, links
        return ([units[i] for i in tagged_units],
                Links([links.actors[i] for i in tagged_units], [links.creators[i] for i in tagged_units],
                      [links.sources[i] for i in tagged_units]))


def _split(joined: str) -> tuple[str, ...]:
    return tuple(joined.split()) if joined else ()


def norms(label: str) -> list[str]:
    """Lookup keys of a label: folded lower-case words, also without a final plural s.

    >>> norms("Forced sterilisations")
    ['forced sterilizations', 'forced sterilization']
    """
    words = WORD.findall(fold(label).lower())
    if not words:
        return []
    keys = [" ".join(words)]
    if len(words[-1]) > 3 and words[-1].endswith("s"):
        keys.append(" ".join([*words[:-1], words[-1][:-1]]))
    return keys


def fingerprints(store: GraphStore) -> dict[str, str]:
    """What identifies the content of each graph: digest and loader, or the quad count."""
    records = {r.graph.value: r for r in store.source_records()}
    found = {}
    for graph in store.named_graphs():
        if graph.value.startswith(_INTERNAL):
            continue
        record = records.get(graph.value)
        found[graph.value] = (
            f"{record.sha256}:{record.loader}:{record.loader_version}" if record
            else f"quads:{store.count(graph)}"
        )
    default = sum(1 for _ in store.raw.quads_for_pattern(None, None, None, DefaultGraph()))
    if default:
        found[_DEFAULT] = f"quads:{default}"
    return found


def _typed_resources(store: GraphStore, graph: NamedNode | DefaultGraph) -> dict[str, str]:
    """The resources typed with a rightsgraph class in ``graph``, with their kind."""
    kinds: dict[str, str] = {}
    for quad in store.raw.quads_for_pattern(None, RDF.type, None, graph):
        subject, cls = quad.subject, quad.object
        if not isinstance(subject, NamedNode) or not isinstance(cls, NamedNode):
            continue
        kind = cls.value[len(RG.base):] if cls.value.startswith(RG.base) else ""
        if kind not in KINDS:
            continue
        previous = kinds.get(subject.value)
        if previous is None or KINDS.index(kind) < KINDS.index(previous):
            kinds[subject.value] = kind
    return kinds


def _defines_concepts(store: GraphStore, graph: str) -> bool:
    name = DefaultGraph() if graph == _DEFAULT else NamedNode(graph)
    return any(True for cls in (RG.Theme, RG.Group)
               for _quad in store.raw.quads_for_pattern(None, RDF.type, cls, name))
