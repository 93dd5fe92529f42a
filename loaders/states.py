"""States by every name a table or a text may use for them.

The index is built from ``ontology/states.ttl`` (one ``rg:State`` per ISO
3166-1 country, IRI ``https://w3id.org/rightsgraph/state/{alpha-3}``), so
loaders need no store.  Names are compared after folding case and accents,
dropping "the" and punctuation, and putting inverted forms back in order:
"Bolivia (Plurinational State of)", "Bolivia, Plurinational State of" and
"Plurinational State of Bolivia" are one key.

>>> states = StateIndex.from_ontology()
>>> states.lookup("Cote d’Ivoire").value
'https://w3id.org/rightsgraph/state/CIV'
>>> states.lookup("the United States").value
'https://w3id.org/rightsgraph/state/USA'
>>> states.lookup("Atlantis") is None
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from rightsgraph import ontology
from rightsgraph.ontology.terms import RDF, RDFS, RG, SKOS

#: Namespace of the State IRIs.
STATE_BASE = "https://w3id.org/rightsgraph/state/"

_PARENTHESISED = re.compile(r"^(?P<head>[^()]+?)\s*\((?P<tail>[^()]+)\)\s*$")
_CODE = re.compile(r"^[A-Z]{2,3}$")
_WORD = re.compile(r"[a-z0-9]+")


def _fold(text: str) -> str:
    """Lower-case ASCII: accents and dots dropped, apostrophes a space, & spelt out."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['\u2018\u2019\u02bc`]", " ", text).replace(".", "")
    return text.replace("&", " and ")


def _words(text: str) -> str:
    words = [w for w in _WORD.findall(text) if w != "the"]
    return " ".join("saint" if w == "st" else w for w in words)


def name_keys(name: str) -> list[str]:
    """Return the comparison keys of ``name``: as written, and put back in order.

    >>> name_keys("Iran (Islamic Republic of)")
    ['iran islamic republic of', 'islamic republic of iran']
    >>> name_keys("Korea, Republic of")
    ['korea republic of', 'republic of korea']
    >>> name_keys("St. Lucia")
    ['saint lucia']
    """
    folded = _fold(name).strip()
    forms = [folded]
    match = _PARENTHESISED.match(folded)
    if match:
        forms.append(f"{match['tail']} {match['head']}")
    elif folded.count(",") == 1:
        head, tail = folded.split(",")
        forms.append(f"{tail} {head}")
    keys: list[str] = []
    for form in forms:
        key = _words(form)
        if key and key not in keys:
            keys.append(key)
    return keys


@dataclass
class StateIndex:
    """States by normalised name and by ISO 3166-1 alpha-2 or alpha-3 code."""

    labels: dict[NamedNode, str] = field(default_factory=dict)
    _by_key: dict[str, NamedNode] = field(default_factory=dict)
    _by_code: dict[str, NamedNode] = field(default_factory=dict)
    #: Keys that name more than one State; never matched.
    ambiguous: dict[str, set[NamedNode]] = field(default_factory=dict)

    @classmethod
    def from_ontology(cls) -> StateIndex:
        """Build (once per process) the index of ``ontology/states.ttl``."""
        return _shipped_index()

    def add(self, state: NamedNode, label: str, names: list[str], codes: list[str]) -> None:
        """Index ``state`` under its label, other names and codes."""
        self.labels[state] = label
        for code in codes:
            self._by_code[code.upper()] = state
        for name in [label, *names]:
            for key in name_keys(name):
                if key in self.ambiguous:
                    self.ambiguous[key].add(state)
                    continue
                known = self._by_key.setdefault(key, state)
                if known != state:
                    self.ambiguous[key] = {known, state}
                    del self._by_key[key]

    def lookup(self, name: str) -> NamedNode | None:
        """Return the State called ``name`` (a name, or an upper-case ISO code), if any."""
        stripped = name.strip()
        if _CODE.match(stripped) and stripped in self._by_code:
            return self._by_code[stripped]
        for key in name_keys(stripped):
            found = self._by_key.get(key)
            if found is not None:
                return found
        return None

    def label(self, state: NamedNode) -> str:
        """Return the UN short name of ``state``."""
        return self.labels[state]

    def __len__(self) -> int:
        return len(self.labels)


@cache
def _shipped_index() -> StateIndex:
    index = StateIndex()
    if "states.ttl" not in ontology.available():
        return index
    about: dict[NamedNode, dict[NamedNode, list[str]]] = {}
    states: list[NamedNode] = []
    for triple in parse(ontology.read_bytes("states.ttl"), format=RdfFormat.TURTLE):
        subject = triple.subject
        if not isinstance(subject, NamedNode):
            continue
        if triple.predicate == RDF.type and triple.object == RG.State:
            states.append(subject)
        elif isinstance(triple.object, Literal):
            about.setdefault(subject, {}).setdefault(triple.predicate, []).append(
                triple.object.value
            )
    for state in sorted(states, key=lambda s: s.value):
        facts = about.get(state, {})
        label = (facts.get(RDFS.label) or [state.value.removeprefix(STATE_BASE)])[0]
        names = facts.get(SKOS.prefLabel, []) + facts.get(SKOS.altLabel, [])
        codes = facts.get(RG.isoCode, []) + facts.get(SKOS.notation, [])
        index.add(state, label, names, codes)
    return index
