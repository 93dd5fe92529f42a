"""The rightsgraph vocabulary: OWL ontology, SKOS schemes and SHACL shapes.

The Turtle files are package data.  :data:`ONTOLOGY_GRAPHS` maps each file
to the named graph it is loaded into, so that a store always holds the
vocabulary beside the data.

>>> sorted(ONTOLOGY_GRAPHS)[:2]
['groups.ttl', 'organisations.ttl']
>>> read_bytes("rightsgraph.ttl").startswith(b"#")
True
"""

from __future__ import annotations

import hashlib
from importlib import resources

#: Ontology files and the IRI of the named graph each one is loaded into.
ONTOLOGY_GRAPHS: dict[str, str] = {
    "rightsgraph.ttl": "https://w3id.org/rightsgraph/ontology",
    "themes.ttl": "https://w3id.org/rightsgraph/themes",
    "groups.ttl": "https://w3id.org/rightsgraph/groups",
    "uhri.ttl": "https://w3id.org/rightsgraph/uhri",
    "sdg.ttl": "https://w3id.org/rightsgraph/sdg",
    "organisations.ttl": "https://w3id.org/rightsgraph/organisations",
    "states.ttl": "https://w3id.org/rightsgraph/states",
    "shapes.ttl": "https://w3id.org/rightsgraph/shapes",
}

#: The version of the vocabulary, as stated by ``owl:versionInfo``.
VERSION = "0.1.0"


def read_bytes(name: str) -> bytes:
    """Return the content of the ontology file ``name`` (e.g. ``"themes.ttl"``)."""
    if name not in ONTOLOGY_GRAPHS:
        raise KeyError(f"{name!r} is not an ontology file; known: {', '.join(ONTOLOGY_GRAPHS)}")
    return resources.files(__name__).joinpath(name).read_bytes()


def available() -> list[str]:
    """Return the ontology files that are present in the installed package."""
    root = resources.files(__name__)
    return [name for name in ONTOLOGY_GRAPHS if root.joinpath(name).is_file()]


def fingerprint() -> str:
    """Return a hash of every ontology file, to tell when a store needs them reloaded."""
    digest = hashlib.sha256()
    for name in available():
        digest.update(name.encode())
        digest.update(read_bytes(name))
    return digest.hexdigest()
