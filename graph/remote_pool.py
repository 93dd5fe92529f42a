"""Answer the endpoint's queries on a remote store, with the same contract
as :class:`~rightsgraph.graph.querypool.QueryPool`.

No worker processes are needed: the server runs the query, and the time
limit is the HTTP time limit.  When the server has not answered within
``timeout`` seconds the request is abandoned and the caller gets a
:class:`~rightsgraph.graph.querypool.QueryTimeout`; the server may go on
working until its own limit (``oxigraph serve --timeout-s``, Virtuoso's
``MaxQueryExecutionTime``), which is why deployments set that limit too.
An answer cut short by the server's own limit is also a timeout, never a
partial result.
"""

from __future__ import annotations

import itertools
import time

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions

from rightsgraph.graph.dataset import names_dataset
from rightsgraph.graph.guard import refuse_network_access
from rightsgraph.graph.querypool import QueryAnswer, QueryRequest, QueryTimeout, ResultTooLarge
from rightsgraph.graph.remote import RemoteStore
from rightsgraph.graph.remote_http import StoreTimeoutError
from rightsgraph.graph.results import json_solutions, serialize
from rightsgraph.ontology.terms import PREFIXES

__all__ = ["RemoteQueryPool"]


class RemoteQueryPool:
    """Runs :class:`QueryRequest` objects on a :class:`RemoteStore`.

    :param store: the remote store.
    :param timeout: seconds to wait for the server's answer.
    """

    def __init__(self, store: RemoteStore, *, timeout: float = 10.0) -> None:
        self.store = store
        self.timeout = timeout

    def run(self, request: QueryRequest) -> QueryAnswer:
        """Run ``request`` and return its complete, serialised result."""
        refuse_network_access(request.sparql)
        started = time.monotonic()
        own = names_dataset(request.sparql)
        try:
            result = self.store.query(
                request.sparql, prefixes=PREFIXES, base_iri=request.base_iri,
                use_default_graph_as_union=not request.default_graph and not own,
                default_graph=[NamedNode(g) for g in request.default_graph] or None,
                named_graphs=[NamedNode(g) for g in request.named_graphs] or None,
                timeout=self.timeout,
            )
        except StoreTimeoutError:
            raise QueryTimeout(
                f"the query ran longer than {self.timeout:g} s and was stopped; "
                "narrow it (LIMIT, more specific patterns) and try again"
            ) from None
        truncated = False
        data = b""
        if isinstance(result, QueryBoolean):
            kind, fmt = "boolean", request.solution_format
            if fmt in ("csv", "tsv"):
                text = "true" if bool(result) else "false"
                data = (f"_askResult\r\n{text}\r\n" if fmt == "csv"
                        else f"?_askResult\n{text}\n").encode()
        elif isinstance(result, QuerySolutions):
            kind, fmt = "solutions", request.solution_format
            if request.max_rows is not None and fmt == "json":
                rows = list(itertools.islice(result, request.max_rows + 1))
                truncated = len(rows) > request.max_rows
                data = json_solutions(result.variables, rows[: request.max_rows])
        else:
            kind, fmt = "graph", request.graph_format
        data = data or serialize(result, fmt)
        if len(data) > request.max_bytes:
            raise ResultTooLarge(f"the result is {len(data):,} bytes, over the limit of "
                                 f"{request.max_bytes:,} bytes; add a LIMIT")
        return QueryAnswer(kind, fmt, data, truncated, time.monotonic() - started)

    def refresh(self) -> None:
        """Nothing to reopen: every query reads the server's current data."""

    def close(self) -> None:
        """Nothing to stop."""
