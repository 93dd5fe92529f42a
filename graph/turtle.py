"""Turtle and TriG that a person can read, written from canonical lines.

One block per subject, ``a`` first and then the predicates in IRI order,
objects sorted; prefixed names for every namespace of :data:`EXPORT_PREFIXES`
that the data uses (and only those); IRIs under the instance base written
relative to an ``@base``; integers, decimals and booleans bare; blank nodes
used once written inline as ``[ ... ]`` and well-formed lists as ``( ... )``,
the others under their canonical ``_:c14nN`` labels.  The input is sorted,
so the same data gives the same bytes.

>>> from rightsgraph.graph.canonical import Canonical
>>> from pyoxigraph import Literal, NamedNode, Quad
>>> passage = NamedNode("https://w3id.org/rightsgraph/id/passage/doc/1")
>>> rg = "https://w3id.org/rightsgraph/ontology#"
>>> data = Canonical.from_quads([
...     Quad(passage, NamedNode(rg + "theme"), NamedNode("https://w3id.org/rightsgraph/theme/health")),
...     Quad(passage, NamedNode(rg + "startOffset"), Literal(12)),
...     Quad(passage, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
...          NamedNode(rg + "Passage"))])
>>> print(TurtleWriter().document(data.merged()), end="")
@base <https://w3id.org/rightsgraph/id/> .
@prefix rg: <https://w3id.org/rightsgraph/ontology#> .
@prefix theme: <https://w3id.org/rightsgraph/theme/> .
<BLANKLINE>
<passage/doc/1> a rg:Passage ;
    rg:startOffset 12 ;
    rg:theme theme:health .
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence, Set

from rightsgraph.graph.blank_nodes import Groups, blocks, inlined, list_items, shared_blank_nodes
from rightsgraph.graph.canonical import DEFAULT
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.ontology.terms import DEFAULT_INSTANCE_BASE, PREFIXES

#: Prefixes an export may declare: the project's, the registries' and the
#: dataset-description vocabularies.  Only those the data uses are written.
EXPORT_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "rgsh": "https://w3id.org/rightsgraph/shapes#",
    "uhrit": "https://w3id.org/rightsgraph/uhri/theme/",
    "uhrip": "https://w3id.org/rightsgraph/uhri/person/",
    "organisation": "https://w3id.org/rightsgraph/organisation/",
    "state": "https://w3id.org/rightsgraph/state/",
    "event": "https://w3id.org/rightsgraph/event/",
    "instrument": "https://w3id.org/rightsgraph/instrument/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_XSD = "http://www.w3.org/2001/XMLSchema#"
# Bare forms: Turtle reads them back as the same lexical form and datatype.
_BARE = {
    f"<{_XSD}integer>": re.compile(r"[+-]?[0-9]+"),
    f"<{_XSD}decimal>": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    f"<{_XSD}boolean>": re.compile(r"true|false"),
}
# A conservative local name: every Turtle parser (Raptor 2.0.15 included) reads it.
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
_INDENT = "    "
_SLICE = 50_000  # lines written between two progress reports


class TurtleWriter:
    """Write canonical N-Triples lines as readable Turtle (or TriG).

    :param prefixes: the prefixes that may be declared (default :data:`EXPORT_PREFIXES`).
    :param base: IRIs under it are written relative to ``@base`` (``None``: never).
    :param progress: called with (lines written, lines to write) as a large body is written.
    """

    def __init__(self, prefixes: Mapping[str, str] | None = None,
                 base: str | None = DEFAULT_INSTANCE_BASE, *,
                 progress: Callable[[int, int], None] | None = None) -> None:
        spaces = prefixes if prefixes is not None else EXPORT_PREFIXES
        # longest namespace first, so that sdgo: wins over sdg: for sdgo terms
        self._namespaces = sorted(spaces.items(), key=lambda item: (-len(item[1]), item[0]))
        self._base = base if base and _usable_base(base) else None
        self._iris: dict[str, str] = {}
        self.used: set[str] = set()
        self.base_used = False
        self._progress = progress

    # ------------------------------------------------------------ documents

    def document(self, lines: Sequence[str], comments: Sequence[str] = (), *,
                 blank_nodes: bool | None = None) -> str:
        """Return a Turtle document of ``lines`` (sorted canonical N-Triples).

        ``blank_nodes`` says whether the lines hold blank nodes, if known.
        """
        blank = None if blank_nodes is None else ({DEFAULT} if blank_nodes else set())
        return "".join(self.chunks({DEFAULT: lines}, comments, trig=False, blank_graphs=blank))

    def chunks(self, graphs: Mapping[str, Sequence[str]], comments: Sequence[str] = (),
               *, trig: bool, blank_graphs: Set[str] | None = None) -> Iterator[str]:
        """Yield the document in pieces: header, then one piece per graph.

        With ``trig`` each named graph is a ``<graph> { ... }`` block; without,
        ``graphs`` must hold only :data:`DEFAULT`.  ``blank_graphs``, if known,
        names the graphs that hold blank nodes.
        """
        bodies = []
        with_blank = graphs if blank_graphs is None else {k: graphs[k] for k in blank_graphs}
        shared = shared_blank_nodes(with_blank) if trig and len(with_blank) > 1 else set()
        for key, lines in graphs.items():
            blank = None if blank_graphs is None else key in blank_graphs
            body = self.body(lines, keep_labels=shared, blank_nodes=blank)
            if not trig:
                bodies.append(body)
            else:
                name = self.iri(key) + " " if key != DEFAULT else ""
                inner = _INDENT + body.rstrip("\n").replace("\n", "\n" + _INDENT).replace(
                    "\n" + _INDENT + "\n", "\n\n")
                bodies.append(f"{name}{{\n{inner}\n}}\n")
        yield self.header(comments)
        for number, body in enumerate(bodies):
            yield ("\n" if number else "") + body

    def header(self, comments: Sequence[str] = ()) -> str:
        """Comment lines, then ``@base`` and the ``@prefix`` lines of the names used so far."""
        out = [f"# {' '.join(line.split())}\n" for line in comments]
        if self.base_used:
            out.append(f"@base <{self._base}> .\n")
        spaces = dict(self._namespaces)
        out += [f"@prefix {p}: <{spaces[p]}> .\n" for p in sorted(self.used)]
        return "".join(out) + ("\n" if out else "")

    # ------------------------------------------------------------ the body

    def body(self, lines: Sequence[str], keep_labels: Set[str] = frozenset(),
             blank_nodes: bool | None = None) -> str:
        """Return the subject blocks of ``lines`` (no header), blocks separated by blank lines.

        Blank nodes in ``keep_labels`` (those shared with another graph) keep their labels.
        ``blank_nodes`` says whether the lines hold any, if known.
        """
        if blank_nodes is None:
            blank_nodes = "_:" in "\n".join(lines)
        if not blank_nodes:  # the common case: the fast path, in slices to tell progress
            if self._progress is None or len(lines) <= _SLICE:
                return self._plain_body(lines)
            return "\n".join(self._plain_body(part) for part in self._slices(lines))
        found, blank_groups, references = blocks(lines)
        for label in keep_labels:
            references.pop(label, None)
        inline = inlined(found, blank_groups, references) if references else set()
        out = []
        for subject, groups in found:
            if subject[0] == "_" and subject[2:] in inline:
                continue
            out.append(self._block(subject, groups, blank_groups, inline))
        return "\n".join(out)

    def _slices(self, lines: Sequence[str]) -> Iterator[Sequence[str]]:
        """``lines`` in slices of about :data:`_SLICE` lines, cut between subjects."""
        start, total = 0, len(lines)
        while start < total:
            end = min(start + _SLICE, total)
            if end < total:
                subject = lines[end - 1].split(" ", 1)[0] + " "
                while end < total and lines[end].startswith(subject):
                    end += 1
            yield lines[start:end]
            start = end
            if self._progress is not None:
                self._progress(end, total)

    def _plain_body(self, lines: Sequence[str]) -> str:
        """:meth:`body` for lines without blank nodes: one pass, no intermediate structure
        (this is where a large export spends its time, hence the caches)."""
        out: list[str] = []
        iris = self._iris
        # "predicate object ." (IRI or typed object) -> (predicate, term, "verb term"); plain
        # and language-tagged literals are not cached: most are unique
        pairs: dict[str, tuple[str, str, str]] = {}
        objects_separator = " ,\n" + _INDENT * 2
        predicates_separator = " ;\n" + _INDENT
        subject = predicate = head = ""
        parts: list[str] = []
        typed = -1  # where the rdf:type part is in parts, to put it first
        for line in lines:
            s, rest = line.split(" ", 1)
            if rest[-3] != ">":  # a plain or language-tagged literal: as it is
                p, o = rest.split(" ", 1)
                term = o[:-2]
                pair = ""
            else:
                found = pairs.get(rest)
                if found is None:
                    p, o = rest.split(" ", 1)
                    o = o[:-2]
                    term = self.iri(o) if o[0] == "<" else self.literal(o)
                    verb = "a" if p == _TYPE else self.iri(p)
                    found = pairs[rest] = (p, term, verb + " " + term)
                p, term, pair = found
            if s != subject:
                if subject:
                    if typed > 0:
                        parts.insert(0, parts.pop(typed))
                    out.append(head + " " + predicates_separator.join(parts) + " .\n")
                subject, parts, predicate, typed = s, [], "", -1
                head = iris.get(s) or self.iri(s)
            elif p == predicate:
                parts[-1] += objects_separator + term
                continue
            predicate = p
            if p == _TYPE:
                typed = len(parts)
            parts.append(pair or (iris.get(p) or self.iri(p)) + " " + term)
        if subject:
            if typed > 0:
                parts.insert(0, parts.pop(typed))
            out.append(head + " " + predicates_separator.join(parts) + " .\n")
        return "\n".join(out)

    def _block(self, subject: str, groups: Groups, blank_groups: dict[str, Groups],
               inline: set[str]) -> str:
        head = self.term(subject, blank_groups, inline, 1)
        parts = self._predicates(groups, blank_groups, inline, 1)
        return head + " " + (" ;\n" + _INDENT).join(parts) + " .\n"

    def _predicates(self, groups: Groups, blank_groups: dict[str, Groups], inline: set[str],
                    depth: int) -> list[str]:
        parts: list[str] = []
        separator = " ,\n" + _INDENT * (depth + 1)
        for predicate, objects in groups:
            verb = "a" if predicate == _TYPE else self.iri(predicate)
            rendered = [self.term(o, blank_groups, inline, depth + 1) for o in objects]
            item = verb + " " + separator.join(rendered)
            if predicate == _TYPE:
                parts.insert(0, item)
            else:
                parts.append(item)
        return parts

    # ------------------------------------------------------------ terms

    def term(self, token: str, blank_groups: dict[str, Groups] | None = None,
             inline: set[str] | None = None, depth: int = 1) -> str:
        """The Turtle form of one N-Triples term."""
        first = token[0]
        if first == "<":
            return self.iri(token)
        if first == '"':
            return self.literal(token)
        if first == "_" and inline and token[2:] in inline:
            return self._inline(token[2:], blank_groups or {}, inline, depth)
        if first == "_":
            return token
        raise RightsgraphError(f"cannot export the term {token[:80]} (RDF 1.2 triple terms "
                               "are not supported)")

    def iri(self, token: str) -> str:
        """``<iri>`` as a prefixed name, a relative IRI or itself."""
        found = self._iris.get(token)
        if found is None:
            found = self._iris[token] = self._shorten(token)
        return found

    def _shorten(self, token: str) -> str:
        if token.startswith("<<"):
            raise RightsgraphError(f"cannot export the term {token[:80]} (RDF 1.2 triple terms "
                                   "are not supported)")
        iri = token[1:-1]
        for prefix, namespace in self._namespaces:
            if iri.startswith(namespace) and _LOCAL.fullmatch(iri, len(namespace)):
                self.used.add(prefix)
                return f"{prefix}:{iri[len(namespace):]}"
        if self._base is not None and iri.startswith(self._base):
            relative = iri[len(self._base):]
            if _relative_ok(relative):
                self.base_used = True
                return f"<{relative}>"
        return token

    def literal(self, token: str) -> str:
        """A literal: plain and language-tagged ones as they are, typed ones shortened."""
        if token[-1] != ">":
            return token
        cut = token.rindex('"^^<')
        datatype = token[cut + 3:]
        pattern = _BARE.get(datatype)
        if pattern is not None and pattern.fullmatch(token, 1, cut):
            return token[1:cut]
        return token[:cut + 3] + self.iri(datatype)

    def _inline(self, label: str, blank_groups: dict[str, Groups], inline: set[str],
                depth: int) -> str:
        groups = blank_groups.get(label, [])
        items = list_items(label, blank_groups, inline)
        if items is not None:
            return "( " + " ".join(self.term(i, blank_groups, inline, depth) for i in items) + " )"
        if not groups:
            return "[]"
        parts = self._predicates(groups, blank_groups, inline, depth + 1)
        short = "[ " + " ; ".join(parts) + " ]"
        if len(short) <= 100 and "\n" not in short:
            return short
        pad = _INDENT * (depth + 1)
        return "[\n" + pad + (" ;\n" + pad).join(parts) + "\n" + _INDENT * depth + "]"


def _usable_base(base: str) -> bool:
    """Relative IRIs are used only under a base ending in ``/``, without query or fragment."""
    return base.endswith("/") and "?" not in base and "#" not in base and "/." not in base


def _relative_ok(relative: str) -> bool:
    """Whether ``relative`` resolves back to base + relative with every parser.

    Only plain paths qualify (letters, digits, ``-_.~%``, segments not starting
    with a dot): parsers disagree on relative references with a query, a
    fragment or a colon (rdflib resolves ``a?:=/a#?:`` differently from
    Oxigraph), so such IRIs are written in full.
    """
    return _PLAIN_PATH.fullmatch(relative) is not None


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_~%-][A-Za-z0-9_~%.-]*(?:/[A-Za-z0-9_~%-][A-Za-z0-9_~%.-]*)*")
