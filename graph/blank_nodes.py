"""Blank nodes in readable Turtle: the structure of sorted lines, and which
blank nodes a writer nests.

A blank node used exactly once as an object is written inline, ``[ ... ]``,
or as a list, ``( ... )``, when it heads a well-formed ``rdf:first`` /
``rdf:rest`` chain; every other one keeps its (canonical) label: one used
twice, one that is never an object, one shared between graphs of a TriG
document, and one in a cycle of such nodes (which would otherwise vanish).

>>> lines = ['<https://e.org/s> <https://e.org/p> _:c14n0 .', '_:c14n0 <https://e.org/q> "x" .']
>>> found, blank_groups, references = blocks(lines)
>>> sorted(inlined(found, blank_groups, references))
['c14n0']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

_FIRST = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
_REST = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>"
_NIL = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>"

#: The predicates of a subject, in order, each with its objects (N-Triples tokens).
Groups = list[tuple[str, list[str]]]


def blocks(lines: Sequence[str]) -> tuple[list[tuple[str, Groups]], dict[str, Groups], Counter[str]]:
    """Group sorted lines by subject and predicate; index blank subjects; count blank objects."""
    blocks: list[tuple[str, Groups]] = []
    blank_groups: dict[str, Groups] = {}
    references: Counter[str] = Counter()
    subject = predicate = None
    groups: Groups = []
    objects: list[str] = []
    for line in lines:
        s, p, o = line.split(" ", 2)
        o = o[:-2]
        if s != subject:
            subject, predicate, groups = s, None, []
            blocks.append((s, groups))
            if s[0] == "_":
                blank_groups[s[2:]] = groups
        if p != predicate:
            predicate, objects = p, []
            groups.append((p, objects))
        objects.append(o)
        if o[0] == "_":
            references[o[2:]] += 1
    return blocks, blank_groups, references


def shared_blank_nodes(graphs: Mapping[str, Sequence[str]]) -> set[str]:
    """Blank-node labels that occur in more than one graph."""
    seen: dict[str, str] = {}
    shared = set()
    for key, lines in graphs.items():
        for line in lines:
            if "_:" not in line:
                continue
            s, _, o = line.split(" ", 2)
            for token in (s, o[:-2]):
                if token[0] == "_" and seen.setdefault(token[2:], key) != key:
                    shared.add(token[2:])
    return shared


def inlined(blocks: list[tuple[str, Groups]], blank_groups: dict[str, Groups],
             references: Counter[str]) -> set[str]:
    """The blank nodes to write inline: used exactly once as an object, reachable
    from a subject written on its own (so that a cycle of such nodes is not lost)."""
    candidates = {label for label, n in references.items() if n == 1}
    inline: set[str] = set()

    def reach(groups: Groups) -> None:
        stack = [groups]
        while stack:
            for _, objects in stack.pop():
                for o in objects:
                    label = o[2:]
                    if o[0] == "_" and label in candidates and label not in inline:
                        inline.add(label)
                        stack.append(blank_groups.get(label, []))

    roots = [(s, g) for s, g in blocks if s[0] != "_" or s[2:] not in candidates]
    for _, groups in roots:
        reach(groups)
    for label in sorted(candidates - inline):  # cycles: the first label stays labelled
        if label not in inline:
            candidates.discard(label)
            reach(blank_groups.get(label, []))
    return inline


def list_items(label: str, blank_groups: dict[str, Groups], inline: set[str]) -> list[str] | None:
    """The items of a well-formed list starting at ``label``, if every node is inline."""
    items = []
    seen = set()
    node = label
    while True:
        groups = blank_groups.get(node)
        if node in seen or node not in inline or groups is None or len(groups) != 2:
            return None
        (p1, first), (p2, rest) = groups
        if p1 != _FIRST or p2 != _REST or len(first) != 1 or len(rest) != 1:
            return None
        seen.add(node)
        items.append(first[0])
        if rest[0] == _NIL:
            return items
        if rest[0][0] != "_":
            return None
        node = rest[0][2:]
