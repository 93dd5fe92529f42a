"""N-Triples read from a server, written again as pyoxigraph writes them.

A server's N-Triples is untrusted input and need not be in the form every
export starts from (:mod:`rightsgraph.graph.canonical` sorts pyoxigraph's own
lines): Virtuoso writes tabs between terms, derived integer types and
booleans as ``1``.  :func:`read_ntriples` parses the body while it arrives,
mending an engine's quirks line by line on the way, and writes it again with
pyoxigraph, so that parsing overlaps the server's writing instead of
following it.  A body that Virtuoso cut at its own time limit (it then ends
with :data:`CANCELLED`) is a timeout, not unreadable data.

>>> import io
>>> body = io.BytesIO(b'<urn:s>\\t<urn:p>\\t"1"^^<http://www.w3.org/2001/XMLSchema#int> .\\n')
>>> read_ntriples(body, lambda lines: lines.replace(b"\\t", b" "))
b'<urn:s> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#int> .\\n'
>>> read_ntriples(io.BytesIO(b"<urn:s> <urn:p> .\\n"))
Traceback (most recent call last):
...
rightsgraph.graph.errors.QueryError: the store's N-Triples could not be read: ...
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import BinaryIO

from pyoxigraph import Quad, RdfFormat, Triple, parse, serialize

from rightsgraph.graph.errors import QueryError
from rightsgraph.graph.remote_http import StoreTimeoutError

#: How much of the body is read at a time.
_CHUNK = 1 << 16
#: What Virtuoso writes at the end of an answer it stopped at its own time limit.
CANCELLED = b"The SPARQL operation has been cancelled"
#: How much of the end of a body is kept to recognise :data:`CANCELLED`.
_TAIL = 256


def _unchanged(lines: bytes) -> bytes:
    return lines


class _Mended:
    """A readable stream of ``source``, passed through ``mend`` a batch of whole lines
    at a time, that remembers the last bytes it read.

    ``read(size)`` returns at most ``size`` bytes, as a file does (pyoxigraph
    reads into a buffer of that size).
    """

    def __init__(self, source: BinaryIO, mend: Callable[[bytes], bytes] = _unchanged) -> None:
        self._source = source
        self._mend = mend
        self._rest = b""  # the start of a line not yet ended
        self._ready = b""  # mended, of which the first ``_at`` bytes have been read
        self._at = 0
        self._ended = False
        #: The last bytes read from the source.
        self.tail = b""

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` mended bytes (all that are ready, if ``size`` is negative);
        ``b""`` at the end."""
        while self._at >= len(self._ready) and not self._ended:
            self._fill()
        end = len(self._ready) if size is None or size < 0 else self._at + size
        out = self._ready[self._at:end]
        self._at += len(out)
        return out

    def _fill(self) -> None:
        self._ready, self._at = b"", 0
        chunk = self._source.read(_CHUNK)
        if not chunk:
            self._ended = True
            last, self._rest = self._rest, b""
            self._ready = self._mend(last) if last else b""
            return
        self.tail = (self.tail + chunk)[-_TAIL:]
        data = self._rest + chunk
        cut = data.rfind(b"\n") + 1
        self._rest = data[cut:]
        if cut:
            self._ready = self._mend(data[:cut])


def ntriples_of(triples: Iterable[Triple] | Iterable[Quad]) -> bytes:
    """``triples`` as N-Triples, written into one growing buffer: ``serialize``'s
    own ``bytes`` answer is a copy of its buffer, made at the end, so that the
    peak was twice the output (432 MiB against 216 MiB for 2M triples)."""
    out = io.BytesIO()
    serialize(triples, output=out, format=RdfFormat.N_TRIPLES)
    return out.getvalue()


def read_ntriples(body: BinaryIO, mend: Callable[[bytes], bytes] | None = None) -> bytes:
    """The N-Triples of ``body``, read to its end, written again by pyoxigraph.

    ``mend``, if given, is applied to whole lines before they are parsed.

    :raises QueryError: when ``body`` is not N-Triples.
    :raises StoreTimeoutError: when the server stopped writing it at its own time limit.
    """
    source = _Mended(body, mend or _unchanged)
    try:
        return ntriples_of(parse(source, format=RdfFormat.N_TRIPLES))  # type: ignore[arg-type]
    except SyntaxError as exc:
        if source.tail.rstrip().endswith(CANCELLED):
            raise StoreTimeoutError("the store stopped the query at its own time limit") from None
        raise QueryError(f"the store's N-Triples could not be read: {exc}") from None
