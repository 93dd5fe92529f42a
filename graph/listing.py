"""The list pages and their facet counts, served from the index beside the store.

Asked of the store in SPARQL (:func:`rightsgraph.graph.catalogue.list_page`),
one page of the 100,000 recommendations takes a minute: every facet is a
grouped join over the union graph.  Here the same answers come from the
``triples`` table of :class:`~rightsgraph.graph.index.StoreIndex` (the
predicates the lists filter, sort and count by, kept in step graph by graph).
The first list page after the index changed reads that table once, for
every list, into :class:`Listed` objects: the items in label order, each
facet as value → set of items (a bit set), the dates.  Every page after
that is bit arithmetic: milliseconds at 100,000 recommendations.  What is
read is cached until the index changes (its ``generation``).

The answers are the SPARQL ones, path for path: the union of all graphs,
``SAMPLE`` of a label read as the first of ``rdfs:label``, ``dcterms:title``,
``skos:prefLabel`` (the smallest when one has several), ``MIN`` of the dates,
the same order of items and of facet values (tests/graph/test_listing.py
compares the two for every list).

>>> from rightsgraph.graph.catalogue import ListQuery
>>> from rightsgraph.graph.store import GraphStore
>>> store = GraphStore.memory()
>>> index = StoreIndex.memory()
>>> _ = index.refresh(store)
>>> page = indexed_page(index, ListQuery("recommendations"))
>>> page.total, [f.name for f in page.facets][:3]
(0, ['theme', 'group', 'addressee'])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from threading import Lock
from weakref import WeakKeyDictionary

from rightsgraph.graph.catalogue import (
    FACET_LIMIT,
    LISTS,
    MAX_PAGE,
    YEAR,
    Facet,
    Item,
    ListPage,
    ListQuery,
    ListSpec,
    checked,
    chosen_values,
    shown_values,
)
from rightsgraph.graph.index import StoreIndex
from rightsgraph.graph.labels import fallback_label
from rightsgraph.ontology.terms import XSD

#: A term as the index keeps it: (1 for a literal, 0 for an IRI; value; datatype; language).
Term = tuple[int, str, str, str]
_STRING = XSD.string.value
#: The item's name as LIST_ITEMS samples it, and its text.
_SORT_NAMES = ("rdfs:label", "dcterms:title", "skos:prefLabel")
_TEXTS = ("rg:text", "schema:url")
#: What a label is read from, in the order of graph/labels.py.
_LABELS = ("skos:prefLabel", "rdfs:label", "dcterms:title", "schema:name")
_DATES = ("dcterms:date", "schema:startDate")
_ASKED = 400  # IRIs per statement when reading labels and texts
_NAMED = ("rg:mentions", "rg:madeBy", "rg:addressedTo", "dcterms:creator")


def indexed_page(index: StoreIndex, query: ListQuery) -> ListPage:
    """One page of a list with its facet counts, from ``index`` (kept up to date by the caller).

    :raises RightsgraphError: for an unknown list, facet or malformed value.
    """
    spec = checked(query)
    listed = listed_items(index, spec.name)
    found = listed.matching(spec, query)
    size = max(1, min(query.size, MAX_PAGE))
    start = (max(1, query.page) - 1) * size
    total = len(listed.items) if found is None else found.bit_count()
    chosen: Sequence[int]
    if query.order == "date":
        chosen = (listed.by_date if found is None else
                  sorted(_positions(found), key=listed.date_rank.__getitem__))[start:start + size]
    elif found is None:
        chosen = range(start, min(start + size, total))
    else:
        chosen = _positions(found, start + size)[start:]
    items = _items(index, listed, list(chosen))
    facets = []
    for facet in spec.facets:
        counted = listed.counts(facet, found)
        iris = [] if facet is YEAR or facet.literal else [
            *(v for v, _n in counted[:FACET_LIMIT]), *chosen_values(facet, query)]
        facets.append(shown_values(facet, query, counted, names(index, iris)))
    return ListPage(spec, query, items, total, facets)


@dataclass
class Listed:
    """One list as read from the index: items in label order, facets, dates.

    A set of items is a Python integer whose bit ``i`` stands for item ``i``:
    intersecting two is one ``&``, counting one ``bit_count()``.
    """

    items: list[str]
    sort_labels: list[Term | None]  # the sampled name, or None
    dates: list[Term | None]  # MIN of the dates
    first: list[str | None]  # the smallest and largest date as text (for from / to)
    last: list[str | None]
    values: dict[str, dict[Term, int]]  # facet -> value -> items
    years: dict[str, int]
    date_rank: list[int] = field(default_factory=list)
    by_date: list[int] = field(default_factory=list)

    def matching(self, spec: ListSpec, query: ListQuery) -> int | None:
        """The items the choices leave (``None``: every item)."""
        facets = {f.name: f for f in spec.facets}
        found: int | None = None
        for name, value in query.choices:
            term = (1, value, _STRING, "") if facets[name].literal else (0, value, "", "")
            having = self.values[name].get(term, 0)
            found = having if found is None else found & having
        if query.date_from or query.date_to:
            low, high = query.date_from, query.date_to
            width = len(high or "")
            every: Iterable[int] = range(len(self.items)) if found is None else _positions(found)
            found = _mask((i for i in every
                          if (low is None or ((d := self.last[i]) is not None and d >= low))
                          and (high is None or ((e := self.first[i]) is not None
                                                and e[:width] <= high))), len(self.items))
        return found

    def counts(self, facet: Facet, found: int | None) -> list[tuple[str, int]]:
        """Every value of ``facet`` among ``found`` with its count, as the SPARQL orders them."""
        if facet is YEAR:
            years = [(y, _count(m, found)) for y, m in self.years.items()]
            return sorted(((y, n) for y, n in years if n), reverse=True)
        counted = [(term, _count(m, found)) for term, m in self.values[facet.name].items()]
        counted.sort(key=lambda pair: (-pair[1], _order(pair[0])))
        return [(term[1], n) for term, n in counted if n]


def _count(items: int, found: int | None) -> int:
    return items.bit_count() if found is None else (items & found).bit_count()


def _mask(positions: Iterable[int], size: int) -> int:
    """The set of ``positions`` (each below ``size``) as an integer."""
    bits = bytearray(b"0" * (size + 1))
    for position in positions:
        bits[size - position] = 49  # "1"; the last character is bit 0
    return int(bits, 2)


def _positions(items: int, wanted: int | None = None) -> list[int]:
    """The positions in ``items``, smallest first (the first ``wanted`` of them)."""
    bits = format(items, "b")[::-1]
    found: list[int] = []
    at = bits.find("1")
    while at >= 0 and (wanted is None or len(found) < wanted):
        found.append(at)
        at = bits.find("1", at + 1)
    return found


_CACHE: WeakKeyDictionary[StoreIndex, tuple[int, dict[str, Listed]]] = WeakKeyDictionary()
_CACHE_LOCK = Lock()


def listed_items(index: StoreIndex, name: str) -> Listed:
    """The list ``name`` as read from ``index`` (every list is read at once, and cached until
    the index changes)."""
    with _CACHE_LOCK:
        generation, lists = _CACHE.get(index, (-1, {}))
        if generation != index.generation:
            generation = index.generation
            triples = _Triples(index)
            lists = {spec.name: _read(triples, spec) for spec in LISTS.values()}
            _CACHE[index] = (generation, lists)
        return lists[name]


class _Triples:
    """The index's ``triples``, read predicate by predicate as the union of every graph."""

    def __init__(self, index: StoreIndex) -> None:
        # One pass over the table (texts left out: only a page's are read, in _items).  A triple
        # said in two graphs comes twice; whoever reads the terms of a subject ignores repeats.
        read: dict[str, dict[str, list[Term]]] = defaultdict(dict)
        same: dict[str, str] = {}  # one string object per IRI, however often it is read
        for s, p, o, literal, datatype, lang in index.read(
                "SELECT s, p, o, literal, datatype, lang FROM triples WHERE p NOT IN (?, ?)",
                _TEXTS):
            term = (literal, o if literal else same.setdefault(o, o), datatype, lang)
            table = read[p]
            found = table.get(s)
            if found is None:
                table[same.setdefault(s, s)] = [term]
            else:
                found.append(term)
        self._read = dict(read)
        self._typed: dict[str, list[str]] | None = None

    def objects(self, predicate: str) -> dict[str, list[Term]]:
        return self._read.get(predicate, {})

    def typed(self) -> dict[str, list[str]]:
        """The IRIs of each class (``rdf:type``, read backwards)."""
        if self._typed is None:
            self._typed = defaultdict(list)
            for subject, terms in self.objects("rdf:type").items():
                for literal, cls, _dt, _lang in terms:
                    if not literal:
                        self._typed[cls].append(subject)
        return self._typed

    def path(self, path: str) -> dict[str, Iterable[Term]]:
        """The objects of ``path`` (a facet's SPARQL path), by subject."""
        if path == _NAMED_IN:  # ^(mentions|madeBy|addressedTo|creator)/prov:wasDerivedFrom
            return self._named_in(_NAMED)
        if path == _NAMED_IN_STATES:
            return self._named_in((*_NAMED[:3], "rg:recommendingState"))
        if ":" not in path or any(c in path for c in "^/|()"):
            raise ValueError(f"no reading of the facet path {path!r} from the index")
        return self.objects(path)  # type: ignore[return-value]

    def _named_in(self, predicates: tuple[str, ...]) -> dict[str, Iterable[Term]]:
        naming: dict[str, set[str]] = defaultdict(set)
        for predicate in predicates:
            for subject, terms in self.objects(predicate).items():
                for literal, value, _dt, _lang in terms:
                    if not literal:
                        naming[value].add(subject)
        derived = self.objects("prov:wasDerivedFrom")
        return {named: {t for unit in units for t in derived.get(unit, [])}
                for named, units in naming.items()}

    def dates(self) -> Callable[[str], list[Term]]:
        """The objects of queries.DATE_PATH: own dates, and those of what it is part of (twice)."""
        own = [self.objects(p) for p in _DATES]
        part = self.objects("dcterms:isPartOf")

        def of(subject: str) -> list[Term]:
            found = [t for table in own for t in table.get(subject, [])]
            step = [v for lit, v, _d, _l in part.get(subject, []) if not lit]
            for _ in range(2):
                found += [t for whole in step for t in own[0].get(whole, [])]
                step = [v for whole in step for lit, v, _d, _l in part.get(whole, []) if not lit]
            return found

        return of


_NAMED_IN = LISTS["organisations"].facets[0].path
_NAMED_IN_STATES = LISTS["states"].facets[0].path


def _read(triples: _Triples, spec: ListSpec) -> Listed:
    members = sorted(set(triples.typed().get(spec.kind.value, ())))
    names = [triples.objects(p) for p in _SORT_NAMES]
    sampled = {s: next((min(table[s]) for table in names if table.get(s)), None) for s in members}
    members.sort(key=lambda s: (_order(sampled[s]), s))
    sort_labels = [sampled[s] for s in members]
    position = {s: number for number, s in enumerate(members)}
    date_of = triples.dates()
    dates, first, last = [], [], []
    years: dict[str, list[int]] = defaultdict(list)
    for number, subject in enumerate(members):
        when = date_of(subject)
        dates.append(min(when, key=_order) if when else None)
        texts = sorted(t[1] for t in when)
        first.append(texts[0] if texts else None)
        last.append(texts[-1] if texts else None)
        for year in dict.fromkeys(text[:4] for text in texts):
            years[year].append(number)
    values: dict[str, dict[Term, int]] = {}
    for facet in spec.facets:
        if facet is YEAR:
            continue
        table: dict[Term, list[int]] = defaultdict(list)
        for subject, terms in triples.path(facet.path).items():
            at = position.get(subject)
            if at is not None:
                for term in terms:  # a repeat sets the same bit again
                    table[term].append(at)
        values[facet.name] = {term: _mask(numbers, len(members)) for term, numbers in table.items()}
    listed = Listed(members, sort_labels, dates, first, last, values,
                    {year: _mask(numbers, len(members)) for year, numbers in years.items()})
    # ORDER BY DESC(?date) ?label: undated last; label order within a date (a stable sort).
    listed.by_date = sorted(range(len(members)), key=lambda i: _order(dates[i]), reverse=True)
    listed.date_rank = [0] * len(members)
    for rank, number in enumerate(listed.by_date):
        listed.date_rank[number] = rank
    return listed


def _order(term: Term | None) -> tuple[int, str, str, str]:
    """SPARQL's ORDER BY: unbound, then IRIs, then literals (by their text)."""
    if term is None:
        return (0, "", "", "")
    return (2 if term[0] else 1, term[1], term[2], term[3])


def _items(index: StoreIndex, listed: Listed, chosen: list[int]) -> list[Item]:
    iris = [listed.items[i] for i in chosen]
    texts = _first_of(index, iris, _TEXTS, lambda _p, _term: True)
    labelled = {iri: term[1] for iri, term in zip(iris, (listed.sort_labels[i] for i in chosen),
                                                      strict=True) if term is not None and term[1]}
    fallback = names(index, [iri for iri in iris if iri not in labelled])
    return [Item(iri, labelled.get(iri) or fallback[iri], texts.get(iri, ""),
                 date[1] if (date := listed.dates[i]) is not None else "")
            for iri, i in zip(iris, chosen, strict=True)]


def names(index: StoreIndex, iris: Iterable[str]) -> dict[str, str]:
    """A label for each of ``iris``, read as :func:`rightsgraph.graph.labels.labels` reads it."""
    unique = list(dict.fromkeys(iris))

    def usable(predicate: str, term: Term) -> bool:
        english = not term[3] or term[3].lower() == "en" or term[3].lower().startswith("en-")
        return bool(term[0]) and bool(term[1].strip()) and (predicate != "skos:prefLabel" or english)

    found = _first_of(index, unique, _LABELS, usable)
    return {iri: " ".join(found[iri].split()) if iri in found else fallback_label(iri)
            for iri in unique}


def _first_of(index: StoreIndex, iris: list[str], predicates: tuple[str, ...],
              usable: Callable[[str, Term], bool]) -> dict[str, str]:
    """For each IRI, the smallest usable value of the first of ``predicates`` that has one."""
    found: dict[str, tuple[int, Term]] = {}
    rank = {p: n for n, p in enumerate(predicates)}
    for start in range(0, len(iris), _ASKED):
        chunk = iris[start:start + _ASKED]
        marks = ", ".join("?" * len(chunk))  # placeholders only; the IRIs are parameters
        for s, p, o, literal, datatype, lang in index.read(
                "SELECT s, p, o, literal, datatype, lang FROM triples "
                f"WHERE p IN ({', '.join('?' * len(predicates))}) AND s IN ({marks})",
                (*predicates, *chunk)):
            term = (literal, o, datatype, lang)
            if usable(p, term):
                best = found.get(s)
                if best is None or (rank[p], _order(term)) < (best[0], _order(best[1])):
                    found[s] = (rank[p], term)
    return {s: term[1] for s, (_rank, term) in found.items()}

