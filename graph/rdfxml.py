"""RDF/XML written from canonical lines, or a clear refusal.

pyoxigraph's RDF/XML writer puts a carriage return and other control
characters into the XML as they are (XML parsers then turn ``\\r`` into
``\\n``, and reject ``\\x01``), and writes an invalid element for a property
IRI that does not end with an XML name.  This writer escapes ``\\r``, tabs and
newlines where XML would normalise them, and refuses, with a message that
names the culprit, the two things RDF/XML cannot carry: characters XML 1.0
forbids, and property IRIs that cannot be split into namespace and XML name.

>>> from rightsgraph.graph.canonical import Canonical
>>> from pyoxigraph import Literal, NamedNode, Quad
>>> data = Canonical.from_quads([Quad(NamedNode("https://example.org/a"),
...     NamedNode("https://w3id.org/rightsgraph/ontology#text"), Literal("x < y\\r\\n"))])
>>> print(write_rdfxml(data.merged()), end="")
<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF
    xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:rg="https://w3id.org/rightsgraph/ontology#">
  <rdf:Description rdf:about="https://example.org/a">
    <rg:text>x &lt; y&#13;
</rg:text>
  </rdf:Description>
</rdf:RDF>
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.turtle import EXPORT_PREFIXES

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_STRING = "http://www.w3.org/2001/XMLSchema#string"
# The longest suffix of an IRI that is an XML name without colon (ASCII-only, to be safe).
_NAME_SUFFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"})


def write_rdfxml(lines: Sequence[str], prefixes: Mapping[str, str] | None = None) -> str:
    """Return an RDF/XML document of ``lines`` (sorted canonical N-Triples).

    :raises RightsgraphError: if the data holds something RDF/XML cannot express.
    """
    spaces = prefixes if prefixes is not None else EXPORT_PREFIXES
    by_namespace = {ns: p for p, ns in sorted(spaces.items(), reverse=True)}
    declared: dict[str, str] = {_RDF: "rdf"}
    qnames: dict[str, str] = {}

    def qname(iri: str) -> str:
        found = qnames.get(iri)
        if found is None:
            match = _NAME_SUFFIX.search(iri)
            if match is None:
                raise RightsgraphError(
                    f"RDF/XML cannot write the property <{iri}>: its IRI does not end with an "
                    "XML name; export as Turtle, N-Triples or JSON-LD instead")
            namespace, local = iri[:match.start()], match.group(0)
            prefix = declared.get(namespace)
            if prefix is None:
                prefix = by_namespace.get(namespace)
                if prefix is None or prefix in declared.values():
                    prefix = f"ns{len(declared)}"
                declared[namespace] = prefix
            found = qnames[iri] = f"{prefix}:{local}"
        return found

    body = []
    subject_key = None
    for triple in parse("\n".join(lines), format=RdfFormat.N_TRIPLES) if lines else ():
        key = str(triple.subject)
        if key != subject_key:
            if subject_key is not None:
                body.append("  </rdf:Description>\n")
            subject_key = key
            body.append(f"  <rdf:Description {_node(triple.subject)}>\n")
        name = qname(triple.predicate.value)
        term = triple.object
        if isinstance(term, Literal):
            attributes = ""
            if term.language:
                attributes = f' xml:lang="{_attribute(term.language)}"'
            elif term.datatype.value != _STRING:
                attributes = f' rdf:datatype="{_attribute(term.datatype.value)}"'
            body.append(f"    <{name}{attributes}>{_text(term.value)}</{name}>\n")
        else:
            body.append(f"    <{name} {_node(term, reference=True)}/>\n")
    if subject_key is not None:
        body.append("  </rdf:Description>\n")
    namespaces = "".join(f'\n    xmlns:{p}="{_attribute(ns)}"'
                         for ns, p in sorted(declared.items(), key=lambda item: item[1]))
    head = f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{namespaces}>\n'
    return head + "".join(body) + "</rdf:RDF>\n"


def _node(term: object, *, reference: bool = False) -> str:
    if isinstance(term, NamedNode):
        return f'rdf:{"resource" if reference else "about"}="{_attribute(term.value)}"'
    if isinstance(term, BlankNode):
        return f'rdf:nodeID="{_attribute(_blank_label(term.value))}"'
    raise RightsgraphError(f"RDF/XML cannot write {term} (RDF 1.2 triple terms are not supported)")


def _blank_label(label: str) -> str:
    return label if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", label) else "b" + label


def _text(value: str) -> str:
    _check(value)
    return value.translate(_TEXT)


def _attribute(value: str) -> str:
    _check(value)
    return value.translate(_ATTRIBUTE)


def _check(value: str) -> None:
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        raise RightsgraphError(
            f"RDF/XML cannot carry the character U+{ord(bad.group(0)):04X} (found in "
            f"{value[:60]!r}); export as Turtle, N-Triples or JSON-LD instead")
