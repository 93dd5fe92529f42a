"""A static check: no SPARQL text is built by string formatting.

Every call of a ``query`` or ``update`` method (pyoxigraph's, GraphStore's,
the query pool's) and every ``QueryRequest(...)`` in graph/, webui/ and
loaders/ must receive query text that is a constant, a module constant, a
parameter passed through, or text read from a file; an f-string, ``%``,
``.format()``, ``+`` or ``.join()`` with a non-constant part (directly, or
through a local variable assigned from one) is a finding.  Values go in
pyoxigraph ``substitutions``.  The few places that must put a term in the
text are listed in :data:`ALLOWED`, each with why the term is safe.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("graph", "loaders", "webui")
METHODS = {"query", "update"}

_VALUES = ("a VALUES clause from queries.values_clause, which writes NamedNodes (IRIs that "
           "pyoxigraph validated when they were made) as <iri>")
_TEMPLATE = ("a template of graph/queries.py filled with facet paths and sort orders from the "
             "list specs (constants), variable names made in the code (?f0, ?f1...) and integer "
             "page sizes; the user's facet values and dates go in substitutions")

_TERMS = ("a remote SPARQL server has no substitutions: the terms are written by "
          "remote_sparql.term, which refuses IRIs with characters that could leave <...> and "
          "writes literals in pyoxigraph's escaped N-Triples form")

#: (file, function) -> why the formatted text is safe.
ALLOWED: dict[tuple[str, str], str] = {
    ("graph/store.py", "replace_graphs"):
        "MOVE between two NamedNodes: the graph IRI was validated when the NamedNode was "
        "made, the staging one is our prefix plus a UUID; str(NamedNode) writes <iri>",
    ("graph/store.py", "count"):
        "COUNT of one graph named by a NamedNode (checked when made; the function refuses "
        "anything else); str(NamedNode) writes <iri>",
    ("graph/labels.py", "labels"): _VALUES,
    ("graph/closure.py", "units"): _VALUES,
    ("graph/catalogue.py", "list_page"): _TEMPLATE,
    ("graph/catalogue.py", "_facet_counts"): _TEMPLATE,
    ("graph/remote.py", "_quads"): _TERMS,
    ("graph/remote.py", "contains_named_graph"): _TERMS,
    ("graph/remote.py", "count_graph"): _TERMS,
    ("graph/remote.py", "count_graphs"): _TERMS,
    ("graph/remote.py", "remove_graph"): _TERMS,
}


def _formatted(node: ast.AST) -> bool:
    """Whether ``node`` builds text from a non-constant part."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return not (isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join", "replace") and not all(
            isinstance(a, ast.Constant) for a in node.args)
    return False


def _query_text(call: ast.Call) -> ast.AST | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(
        func, ast.Name) else ""
    if name not in METHODS and name != "QueryRequest":
        return None
    for keyword in call.keywords:
        if keyword.arg in ("sparql", "query", "update"):
            return keyword.value
    return call.args[0] if call.args else None


def findings() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), relative)
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                built = {target.id for node in ast.walk(function) if isinstance(node, ast.Assign)
                         and _formatted(node.value) for target in node.targets
                         if isinstance(target, ast.Name)}
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    text = _query_text(call)
                    if text is None:
                        continue
                    if _formatted(text) or (isinstance(text, ast.Name) and text.id in built):
                        if (relative, function.name) not in ALLOWED:
                            found.append(f"{relative}:{call.lineno} in {function.name}()")
    return found


def test_no_query_text_is_built_by_string_formatting() -> None:
    assert findings() == []


def test_the_check_catches_each_way_of_formatting() -> None:
    samples = [
        'store.query(f"SELECT * WHERE {{ <{iri}> ?p ?o }}")',
        'store.query("SELECT * WHERE { <%s> ?p ?o }" % iri)',
        'store.update("DELETE WHERE { <{}> ?p ?o }".format(iri))',
        'store.query("SELECT * WHERE { <" + iri + "> ?p ?o }")',
        'text = "ASK { <" + iri + "> ?p ?o }"\n    pool.run(QueryRequest(text))',
        'text = f"ASK {{ <{iri}> ?p ?o }}"\n    store.query(text, substitutions={})',
        'store.query(sparql=" ".join(parts))',
    ]
    for sample in samples:
        tree = ast.parse(f"def view(iri, parts, store, pool):\n    {sample}\n")
        function = tree.body[0]
        assert isinstance(function, ast.FunctionDef)
        built = {t.id for n in ast.walk(function) if isinstance(n, ast.Assign)
                 and _formatted(n.value) for t in n.targets if isinstance(t, ast.Name)}
        calls = [c for c in ast.walk(function) if isinstance(c, ast.Call) and _query_text(c)]
        assert any(_formatted(t) or (isinstance(t, ast.Name) and t.id in built)
                   for t in (_query_text(c) for c in calls) if t is not None), sample
    safe = ast.parse('store.query("SELECT ?s WHERE { ?s ?p ?o }", substitutions={})').body[0]
    assert isinstance(safe, ast.Expr) and isinstance(safe.value, ast.Call)
    text = _query_text(safe.value)
    assert text is not None and not _formatted(text)


def test_the_allowed_helpers_only_write_validated_iris() -> None:
    from pyoxigraph import NamedNode

    from rightsgraph.graph.queries import values_clause

    for hostile in ("https://e.org/a> } DROP ALL { <a:b", "https://e.org/a b", 'a:b"'):
        try:
            NamedNode(hostile)
        except ValueError:
            continue
        raise AssertionError(f"NamedNode accepted {hostile!r}")
    assert values_clause("s", [NamedNode("https://e.org/a")]) == "VALUES ?s { <https://e.org/a> }"
