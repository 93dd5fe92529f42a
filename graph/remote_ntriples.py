"""N-Triples read from a server, written again as pyoxigraph writes them.

A server's N-Triples is untrusted input and need not be in the form every
export starts from (:mod:`rightsgraph.graph.canonical` sorts pyoxigraph's own
lines): Virtuoso writes tabs between terms, derived integer types and
booleans as ``1``.  :func:`read_ntriples` parses the body while it arrives,
mending an engine's quirks line by line on the way, and writes it again with
pyoxigraph, so that parsing overlaps the server's writing instead of
following it.

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

from collections.abc import Callable
from typing import BinaryIO

from pyoxigraph import RdfFormat, parse, serialize

from rightsgraph.graph.errors import QueryError

#: How much of the body is read at a time.
_CHUNK = 1 << 16


class _Mended:
    """A readable stream of ``source``, passed through ``mend`` a batch of whole lines at a time.

    ``read(size)`` returns at most ``size`` bytes, as a file does (pyoxigraph
    reads into a buffer of that size).
    """

    def __init__(self, source: BinaryIO, mend: Callable[[bytes], bytes]) -> None:
        self._source = source
        self._mend = mend
        self._rest = b""  # the start of a line not yet ended
        self._ready = b""  # mended, not yet read
        self._ended = False

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` mended bytes (all that are left, if ``size`` is negative);
        ``b""`` at the end."""
        while not self._ready and not self._ended:
            self._fill()
        if size is None or size < 0:
            size = len(self._ready)
        out, self._ready = self._ready[:size], self._ready[size:]
        return out

    def _fill(self) -> None:
        chunk = self._source.read(_CHUNK)
        if not chunk:
            self._ended = True
            last, self._rest = self._rest, b""
            self._ready = self._mend(last) if last else b""
            return
        data = self._rest + chunk
        cut = data.rfind(b"\n") + 1
        self._rest = data[cut:]
        if cut:
            self._ready = self._mend(data[:cut])


def read_ntriples(body: BinaryIO, mend: Callable[[bytes], bytes] | None = None) -> bytes:
    """The N-Triples of ``body``, read to its end, written again by pyoxigraph.

    ``mend``, if given, is applied to whole lines before they are parsed.

    :raises QueryError: when ``body`` is not N-Triples.
    """
    source: BinaryIO | _Mended = body if mend is None else _Mended(body, mend)
    try:
        return serialize(parse(source, format=RdfFormat.N_TRIPLES),  # type: ignore[arg-type]
                         format=RdfFormat.N_TRIPLES) or b""
    except SyntaxError as exc:
        raise QueryError(f"the store's N-Triples could not be read: {exc}") from None
