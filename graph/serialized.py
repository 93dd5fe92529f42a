"""Triples still in the bytes of an RDF file, so that a large file can go
into an embedded store by pyoxigraph's bulk loader, parsed once, in Rust.

Parsing a file into Python triples and writing them back out of Python costs
more than the bulk loader's own parse and write of the same bytes (1M
N-Triples: 5 s + 14 s against 12 s).  A :class:`SerializedTriples` is a
collection of triples like any other (iterating it parses the bytes, so any
caller reads it as triples), and
:meth:`GraphStore.replace_graphs <rightsgraph.graph.store.GraphStore.replace_graphs>`
hands it to :meth:`load_into` instead; a remote store is sent its
:meth:`ntriples`: the file's own lines when it is N-Triples that can be
sent as it is, else written again by pyoxigraph, and never a list of
Python triples (1M of them held 0.5 GB more).  Either way a syntax error is an
:class:`~rightsgraph.graph.errors.InputError` with the file, line and column,
and a file without triples is refused.

>>> data = SerializedTriples(b'<s> <p> "o" .', RdfFormat.TURTLE, file="a.ttl",
...                          base_iri="https://example.org/")
>>> [t.subject.value for t in data], len(data)
(['https://example.org/s'], 1)
>>> list(SerializedTriples(b"<s> <p> .", RdfFormat.TURTLE, file="b.ttl", base_iri="https://e/"))
Traceback (most recent call last):
...
rightsgraph.graph.errors.InputError: b.ttl:1:9: syntax error: ...
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple, parse, serialize

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.remote_ntriples import ntriples_of

__all__ = ["SerializedTriples", "BULK_FORMATS", "may_hold_blank_nodes", "syntax_error"]

#: The formats whose files hold triples only, which the bulk loader can put in one graph.
BULK_FORMATS = frozenset({RdfFormat.N_TRIPLES, RdfFormat.TURTLE})


class SerializedTriples:
    """The triples of an N-Triples or Turtle file, with ``extra`` triples after them.

    :param data: the file's bytes.
    :param rdf_format: :attr:`RdfFormat.N_TRIPLES` or :attr:`RdfFormat.TURTLE`.
    :param file: the file's name, for error messages.
    :param base_iri: the base of the file's relative IRIs.
    :param extra: triples added after the file's (a source record).
    """

    def __init__(self, data: bytes, rdf_format: RdfFormat, *, file: str,
                 base_iri: str | None = None, extra: Sequence[Triple] = ()) -> None:
        if rdf_format not in BULK_FORMATS:
            raise ValueError(f"{rdf_format} may hold quads; parse it into triples instead")
        self.data = data
        self.format = rdf_format
        self.file = file
        self.base_iri = base_iri
        self.extra = list(extra)
        self._length: int | None = None
        self._ntriples: bytes | None = None
        self._checked_count = self._checked_lines = 0
        self._as_is: bool | None = None
        #: Whether :meth:`unchecked_ntriples` handed out lines that are not all checked yet.
        self.unchecked = False

    def __iter__(self) -> Iterator[Triple]:
        count = 0
        try:
            for quad in parse(self.data, format=self.format, base_iri=self.base_iri):
                count += 1
                yield quad.triple
        except SyntaxError as exc:
            raise syntax_error(exc, self.file) from None
        if not count:
            raise self.empty()
        self._length = count + len(self.extra)
        yield from self.extra

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _ in self)
        return self._length

    def __contains__(self, triple: object) -> bool:
        return any(triple == t for t in self)

    def sendable_as_is(self) -> bool:
        """Whether :meth:`ntriples` keeps the file's own lines: N-Triples without
        blank nodes or ``\\u`` escapes (nor ``_:`` in the extra triples).  Found once.

        (With ``\\u`` escapes, it is written again: a SPARQL update that carries
        the lines may read them before it parses, N-Triples only in literals.)"""
        if self._as_is is None:
            self._as_is = (self.format == RdfFormat.N_TRIPLES
                           and not may_hold_blank_nodes(self._extra_ntriples())
                           and not may_hold_blank_nodes(self.data) and not _escapes(self.data))
        return self._as_is

    def _own_lines(self) -> bytes:
        """The file's bytes, ending with a line end."""
        return self.data if self.data.endswith(b"\n") else self.data + b"\n"

    def _extra_ntriples(self) -> bytes:
        return (serialize(self.extra, format=RdfFormat.N_TRIPLES) or b"") if self.extra else b""

    def unchecked_ntriples(self) -> bytes:
        """The file's own lines and the extra triples, not parsed yet: for a
        writer that checks every part with :meth:`check_part` before any
        reader can see it, then the whole with :meth:`check_done` (so that
        the check of one part runs while the part before is being sent).
        Only for files :meth:`sendable_as_is`.

        >>> data = SerializedTriples(b'<https://e/s> <https://e/p> "o" .\\n<s> <p> .\\n',
        ...                          RdfFormat.N_TRIPLES, file="a.nt")
        >>> lines = data.unchecked_ntriples()
        >>> data.check_part(lines[:34])
        >>> data.check_part(lines[34:])
        Traceback (most recent call last):
        ...
        rightsgraph.graph.errors.InputError: a.nt:2:1: syntax error: ...
        """
        if not self.sendable_as_is():
            raise ValueError(f"{self.file}: its lines cannot be sent as they are")
        self._checked_count = self._checked_lines = 0
        self.unchecked = True
        return self._own_lines() + self._extra_ntriples()

    def check_part(self, part: bytes) -> None:
        """Parse ``part`` of :meth:`unchecked_ntriples`: whole lines, the parts
        in their order.

        :raises InputError: on a syntax error, with its line in the file.
        """
        try:
            count = sum(1 for _ in parse(part, format=RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise syntax_error(exc, self.file, self._checked_lines) from None
        self._checked_count += count
        self._checked_lines += part.count(b"\n")

    def check_done(self) -> None:
        """Every part of :meth:`unchecked_ntriples` was checked.

        :raises InputError: when the file held no triples.
        """
        count = self._checked_count - len(self.extra)
        if count <= 0:
            raise self.empty()
        self.unchecked = False
        self._length = count + len(self.extra)

    def ntriples(self) -> bytes:
        """The triples (the extra ones last) as N-Triples, each triple on a line of
        its own (with the file's comments and empty lines, when it is kept as it
        is), which is what a remote store is sent.  An N-Triples file without blank nodes
        and ``\\u`` escapes is that already: it is parsed to check it (a syntax error
        is found before anything is written) and kept as it is; any other file is
        parsed and written again by pyoxigraph (its blank nodes then each
        have one label, as :func:`~rightsgraph.graph.remote_engine.chunks`
        needs).  Made once.

        >>> SerializedTriples(b'<s> <p> "o" .', RdfFormat.TURTLE, file="a.ttl",
        ...                   base_iri="https://e/").ntriples()
        b'<https://e/s> <https://e/p> "o" .\\n'

        :raises InputError: on a syntax error or when the file holds no triples.
        """
        if self._ntriples is None:
            extra = self._extra_ntriples()
            as_is = self.sendable_as_is()
            try:
                parsed = parse(self.data, format=self.format, base_iri=self.base_iri)
                if as_is:
                    count = sum(1 for _ in parsed)
                    written = self._own_lines()
                else:
                    written = ntriples_of(parsed)
                    count = written.count(b"\n")
            except SyntaxError as exc:
                raise syntax_error(exc, self.file) from None
            if not count:
                raise self.empty()
            self._ntriples = written + extra
            self._length = count + len(self.extra)
        return self._ntriples

    def load_into(self, store: Store, graph: NamedNode) -> None:
        """Bulk-load the file into ``graph`` of ``store``, then the extra triples.

        The bulk loader writes without a transaction: on an error ``graph``
        may hold part of the file, so the caller writes into a graph no reader
        sees and drops it on failure (as :class:`GraphStore` does).

        :raises InputError: on a syntax error or when the file holds no triples.
        """
        try:
            store.bulk_load(self.data, format=self.format, base_iri=self.base_iri, to_graph=graph)
        except SyntaxError as exc:
            raise syntax_error(exc, self.file) from None
        except ValueError as exc:
            raise InputError(f"cannot parse: {exc}", file=self.file) from None
        if not store.contains_named_graph(graph):
            raise self.empty()
        store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in self.extra)

    def empty(self) -> InputError:
        """The error for a file that holds no triple."""
        name = "ntriples" if self.format == RdfFormat.N_TRIPLES else "turtle"
        return InputError(f"no triples found in this {name} file", file=self.file)


def may_hold_blank_nodes(ntriples: bytes) -> bool:
    """Whether ``_:`` occurs in ``ntriples`` (a blank node, or a literal that looks like one).

    The ``_`` alone is looked for first: CPython finds one byte at memory
    speed and two at about 1 GB/s (0.18 s in a 162 MB file).

    >>> may_hold_blank_nodes(b"<s> <p> _:b .\\n"), may_hold_blank_nodes(b"<s> <p> <o_1> .\\n")
    (True, False)
    """
    return b"_" in ntriples and b"_:" in ntriples


#: Backslashes looked at one by one before :func:`_escapes` searches the whole.
_BACKSLASHES = 100_000


def _escapes(data: bytes) -> bool:
    r"""Whether ``data`` may hold a ``\u`` or ``\U`` escape (an escaped backslash
    before a ``u`` is not one).

    >>> _escapes(b'"a \\\\u" .'), _escapes(b'"\\u00e9" .'), _escapes(b'"\\"" .')
    (False, True, False)
    """
    at = data.find(b"\\")
    for _ in range(_BACKSLASHES):
        if at < 0:
            return False
        if data[at + 1:at + 2] in (b"u", b"U"):
            return True
        at = data.find(b"\\", at + 2)
    return b"\\u" in data or b"\\U" in data


def syntax_error(exc: SyntaxError, file: str, lines_before: int = 0) -> InputError:
    """The error to report for the parser's ``exc`` in ``file``, with its place
    (in a part of the file that comes after ``lines_before`` lines).

    >>> try:
    ...     list(parse(b"<s> <p> .", format=RdfFormat.TURTLE, base_iri="https://e/"))
    ... except SyntaxError as exc:
    ...     print(syntax_error(exc, "a.ttl"))
    a.ttl:1:9: syntax error: ...
    """
    message = str(exc.msg) if exc.msg else str(exc)
    # pyoxigraph says "Parser error at line L between columns C and D: what";
    # the place is reported separately, so keep only the explanation.
    if ": " in message and message.startswith("Parser error"):
        message = message.split(": ", 1)[1]
    line = None if exc.lineno is None else exc.lineno + lines_before
    return InputError(f"syntax error: {message}", file=file, line=line, column=exc.offset)
