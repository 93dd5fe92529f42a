"""Refuse RDF/XML whose entity declarations could blow up the parser.

pyoxigraph expands the internal entities of an RDF/XML document, nested
ones included, so ten lines of "billion laughs" would expand to gigabytes.
Ontology editors still write harmless declarations such as
``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``, so those are allowed:
an entity must be internal, its value must hold no reference to another
entity, and the expanded document must stay within the size limit.
Everything else (external, parameter and nested entities) is refused
before the parser sees a byte.

>>> check_entities(b'<!DOCTYPE r [<!ENTITY ex "http://example.org/">]><r a="&ex;"/>', 1000)

>>> check_entities(b'<!DOCTYPE r [<!ENTITY a "x"> <!ENTITY b "&a;&a;">]><r/>', 1000)
Traceback (most recent call last):
...
rightsgraph.graph.errors.InputError: 1:30: entity 'b' refers to another entity; ...
"""

from __future__ import annotations

import re

from rightsgraph.graph.errors import InputError

_DECLARATION = re.compile(rb"<!ENTITY")
_SIMPLE = re.compile(rb'<!ENTITY\s+([A-Za-z_][\w.-]*)\s+"([^"]*)"\s*>')
_PREDEFINED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def check_entities(data: bytes, max_bytes: int, *, file: str | None = None) -> None:
    """Raise :class:`InputError` unless every entity of ``data`` is a harmless one.

    :param max_bytes: the largest size the document may reach once expanded.
    """
    if b"\x00" in data:
        raise InputError("RDF/XML must be UTF-8 (found NUL bytes: UTF-16?)", file=file)
    expanded = len(data)
    for match in _DECLARATION.finditer(data):
        line, column = _position(data, match.start())
        simple = _SIMPLE.match(data, match.start())
        if simple is None:
            raise InputError(
                "only internal entities with a quoted value are allowed "
                "(external, parameter and other entity declarations are refused)",
                file=file, line=line, column=column,
            )
        name, value = simple.group(1), simple.group(2)
        if b"&" in value or b"%" in value or b"<" in value:
            raise InputError(
                f"entity {name.decode()!r} refers to another entity; nested entities are "
                "refused (they can expand exponentially)",
                file=file, line=line, column=column,
            )
        if name in _PREDEFINED:
            continue
        expanded += data.count(b"&" + name + b";") * len(value)
        if expanded > max_bytes:
            raise InputError(
                f"entities would expand the document past the limit of {max_bytes:,} bytes",
                file=file, line=line, column=column,
            )


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1
