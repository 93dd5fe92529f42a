"""The canonical form every export starts from: sorted N-Triples lines per graph.

A :class:`Canonical` holds, for each graph, the N-Triples lines of its
triples, sorted and without duplicates, with blank nodes relabelled by the
W3C RDF Dataset Canonicalization algorithm (RDFC-1.0).  The same data thus
gives the same lines, whatever order the store returns them in and whatever
blank-node identifiers it holds, and each writer (Turtle, TriG, N-Triples,
N-Quads, JSON-LD, RDF/XML) turns the lines into bytes without sorting again.

Lines come from pyoxigraph's own N-Triples serialiser (canonical N-Triples:
one space between terms, `` .`` at the end), which is also valid Turtle
term syntax; reading a whole graph is one ``Store.dump`` call, which costs
what pyoxigraph's own dump of that graph costs.

>>> from pyoxigraph import BlankNode, Literal, NamedNode, Quad
>>> s, p = NamedNode("https://example.org/s"), NamedNode("https://example.org/p")
>>> data = Canonical.from_quads([Quad(s, p, Literal("b")), Quad(s, p, Literal("a")),
...                              Quad(s, p, BlankNode("x7"))])
>>> data.merged()
['<https://example.org/s> <https://example.org/p> "a" .', \
'<https://example.org/s> <https://example.org/p> "b" .', \
'<https://example.org/s> <https://example.org/p> _:c14n0 .']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    NamedNode,
    Quad,
    RdfFormat,
    parse,
    serialize,
)

from rightsgraph.graph.store import STAGING_PREFIX, GraphStore
from rightsgraph.ontology.terms import RDF

#: The key of the default graph in :attr:`Canonical.graphs`; named graphs use ``<iri>``.
DEFAULT = ""


@dataclass
class Canonical:
    """Sorted, duplicate-free N-Triples lines (``"<s> <p> <o> ."``) per graph.

    ``graphs`` maps :data:`DEFAULT` or a graph's N-Triples form (``<iri>``)
    to its lines; graphs are kept in sorted order, the default graph first.
    """

    graphs: dict[str, list[str]] = field(default_factory=dict)
    #: The keys of the graphs that hold blank nodes.
    blank_graphs: frozenset[str] = frozenset()
    _merged: list[str] | None = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------ building

    @classmethod
    def from_store(cls, store: GraphStore,
                   graphs: Sequence[NamedNode | DefaultGraph] | None = None, *,
                   progress: Callable[[int, int], None] | None = None) -> Canonical:
        """Read ``graphs`` (default: the default graph and every named graph) from ``store``.

        ``progress``, if given, is called with (graphs read, graphs to read) after each graph.
        """
        raw = store.raw
        if graphs is None:
            every = [g for g in raw.named_graphs() if isinstance(g, NamedNode)]
            hidden = hidden_graphs(store, every)
            graphs = [DefaultGraph(), *(g for g in every if g not in hidden)]
        dumps: dict[str, bytes] = {}
        for number, graph in enumerate(graphs, 1):
            data = raw.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
            if data:
                dumps[_key(graph)] = data
            if progress:
                progress(number, len(graphs))
        return cls._from_dumps(dumps, unique=True)

    @classmethod
    def from_quads(cls, quads: Iterable[Quad]) -> Canonical:
        """Build the canonical form of ``quads`` (duplicates are dropped)."""
        by_graph: dict[str, list[Quad]] = defaultdict(list)
        for quad in quads:
            by_graph[_key(quad.graph_name)].append(quad)
        dumps = {}
        for key, group in by_graph.items():
            data = serialize((q.triple for q in group), format=RdfFormat.N_TRIPLES)
            if data:
                dumps[key] = data
        return cls._from_dumps(dumps)

    @classmethod
    def _from_dumps(cls, dumps: dict[str, bytes], *, unique: bool = False) -> Canonical:
        """From N-Triples per graph; ``unique`` when no graph repeats a line (a store's dump)."""
        lines = {key: _sorted(data.decode("utf-8").split("\n"), unique)
                 for key, data in dumps.items()}
        maybe_blank = [key for key, data in dumps.items() if b"_:" in data]
        blank = _relabel_blank_nodes(lines, maybe_blank) if maybe_blank else set()
        ordered = {key: lines[key] for key in sorted(lines) if lines[key]}
        return cls(ordered, frozenset(blank))

    @property
    def has_blank_nodes(self) -> bool:
        """Whether any graph holds a blank node."""
        return bool(self.blank_graphs)

    # ------------------------------------------------------------ reading

    def merged(self) -> list[str]:
        """The lines of every graph together, sorted, each triple once.

        Blank nodes are labelled afresh for the merged graph, so that its
        labels (and hence its order) do not depend on how the triples were
        spread over graphs: the merged export of a store and that of its
        Turtle export loaded into one graph are the same.
        """
        if self._merged is None:
            only = next(iter(self.graphs.values())) if len(self.graphs) == 1 else None
            if only is not None and (DEFAULT in self.graphs or not self.has_blank_nodes):
                self._merged = only  # already sorted and unique; no label to redo
            else:
                lines = {DEFAULT: sorted(set().union(*self.graphs.values()))}
                if self.has_blank_nodes:
                    _relabel_blank_nodes(lines, [DEFAULT])
                self._merged = lines[DEFAULT]
        return self._merged

    def quad_count(self) -> int:
        """The number of quads (a triple in two graphs counts twice)."""
        return sum(len(lines) for lines in self.graphs.values())

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return [key[1:-1] for key in self.graphs if key != DEFAULT]


#: Graphs of the store's own bookkeeping (staging, pending writes): never exported.
INTERNAL_PREFIX = "urn:rightsgraph:"
_PENDING = (NamedNode("urn:rightsgraph:Pending"), NamedNode("urn:rightsgraph:pending"))


def hidden_graphs(store: GraphStore, named: Sequence[NamedNode] | None = None) -> set[NamedNode]:
    """The graphs an export must not read: the store's bookkeeping graphs and the
    source graphs still being written (listed as pending by ``replace_graph``).

    ``named``: the store's named graphs, if already listed.
    """
    listed = store.raw.named_graphs() if named is None else named
    hidden = {g for g in listed
              if isinstance(g, NamedNode) and g.value.startswith((INTERNAL_PREFIX, STAGING_PREFIX))}
    for quad in store.raw.quads_for_pattern(None, RDF.type, *_PENDING):
        if isinstance(quad.subject, NamedNode):
            hidden.add(quad.subject)
    return hidden


def _key(graph: object) -> str:
    if isinstance(graph, NamedNode):
        return str(graph)
    if isinstance(graph, DefaultGraph):
        return DEFAULT
    raise ValueError(f"graphs named by blank nodes cannot be exported: {graph}")


def _sorted(lines: list[str], unique: bool = False) -> list[str]:
    """``lines`` sorted, without the empty one and, unless ``unique``, without duplicates."""
    result = lines if unique else list(set(lines))
    result.sort()
    if result and result[0] == "":
        del result[0]
    return result


def _relabel_blank_nodes(lines: dict[str, list[str]], keys: list[str]) -> set[str]:
    """Replace, in place, every line holding a blank node by its RDFC-1.0 form.

    Returns the keys of the graphs holding blank nodes (``_:`` may also occur in a literal).
    """
    dataset = Dataset()
    kept: dict[str, list[str]] = {}
    for key in keys:
        graph: NamedNode | DefaultGraph = NamedNode(key[1:-1]) if key else DefaultGraph()
        candidates = [line for line in lines[key] if "_:" in line]
        if not candidates:
            continue
        triples = parse("\n".join(candidates), format=RdfFormat.N_TRIPLES)
        blank = set()
        for line, triple in zip(candidates, triples, strict=True):
            if isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode):
                dataset.add(Quad(triple.subject, triple.predicate, triple.object, graph))
                blank.add(line)
        if blank:
            kept[key] = [line for line in lines[key] if line not in blank]
    if not kept:
        return set()
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    for key, rest in kept.items():
        graph = NamedNode(key[1:-1]) if key else DefaultGraph()
        relabelled = serialize(
            (q.triple for q in dataset.quads_for_graph_name(graph)),
            format=RdfFormat.N_TRIPLES,
        )
        lines[key] = _sorted(rest + (relabelled or b"").decode("utf-8").split("\n"))
    return set(kept)
