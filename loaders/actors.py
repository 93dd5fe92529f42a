"""Organisations and States named in a document: the registry, plus discovery.

Registry names (``organisations.ttl``, ``states.ttl``) are found with every
alias (``WLN`` = Women Lead Network; ``U.N.`` = ``UN`` = United Nations).
Other organisations are *discovered* by pattern, in a run of capitalised
words (joined by ``of``, ``for``, ``on``, ``de`` ...):

* the run holds an organisation word (``... Alliance``, ``Commission on
  ...``, ``Coalition on ...``) or opens with one (``Red Nacional de ...``,
  ``Ministry of ...``);
* or the run is followed by its acronym in brackets (``... (IACHR)``);
* or the run is a country's institution named by one word (``the Senate``,
  ``the Parliament``), named after the State the document names most
  (``Senate (Philippines)``);
* or, in a note, the run opens the note and is followed by a comma or a
  full stop, like the author of a cited work, and has three words or more
  or names a State (``Statistics Canada, "Violent victimization ..."``).

A run that overlaps a registry organisation, is a month or a generic phrase,
or ends in a law word (Act, Convention, Bill) is not an organisation.  A
short name or acronym in brackets right after a discovered name
(``(NWAC)``, ``(Centro Prodh)``) becomes its alias.  Discovered names are
reported as doubtful.

>>> actors = DocumentActors.build(Registry.shipped(), ["The Native Women's Association "
...     "of Canada (NWAC) met WLN.", "NWAC spoke."], [], lambda n: NamedNode("urn:x:o"))
>>> [(m.actor.label, m.actor.kind) for m in actors.find("NWAC and the U.N. met")]
[("Native Women's Association of Canada", 'discovered'), ('United Nations', 'organisation')]
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.loaders.names import NameIndex, tokenize
from rightsgraph.loaders.registry_data import Actor, Registry
from rightsgraph.loaders.urls import find_urls

_HEADS = frozenset(
    "network networks coalition alliance council commission committee foundation foundations "
    "institute association center centre clinic project office department agency ministry "
    "union federation confederation watch organization organisation organizations fund "
    "initiative league forum trust collective caucus secretariat tribunal court parliament "
    "assembly senate board authority bureau mission delegation movement consortium "
    "partnership cooperative society inquiry unit".split()
)
_OPENING_HEADS = frozenset(
    "ministry department office secretariat red centro comisión comision asociación "
    "asociacion fundación fundacion instituto observatorio colectivo consejo coordinadora "
    "movimiento secretaría secretaria secretariado federación federacion".split()
)
_LAW_WORDS = frozenset(
    "act acts amendment convention covenant protocol law laws declaration plan programme "
    "program policy strategy report reports code bill".split()
)
_GOVERNMENT_HEADS = frozenset("ministry department government agency parliament senate "
                              "congress legislature cabinet assembly secretaría "
                              "secretaria".split())
_CONNECTORS = frozenset("of for and the on de del la las los des du y et in to into against "
                        "&".split())
_OPENERS = frozenset(
    "the a an our their its this these that join today as in on at for with from by and but "
    "so while when both every each all many several some then after before during under "
    "through also however however, members member".split()
)
_GENERIC = frozenset(
    "working special national international global the civil human rights permanent "
    "general state states federal local regional united women women's".split()
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_STOP_PHRASES = frozenset({"civil society", "international community", "member states",
                           "human rights council convening"})
#: A country's institutions named by one word: "the Senate" of the document's country.
_BODY = re.compile(r"\b[Tt]he\s+(Senate|Parliament|Congress|Legislature|Cabinet|Judiciary"
                   r"|National\s+Assembly)\b(?!\s+(?:of|for)\b)")
_LONGEST = 300  # characters: longer than any registry name
_SYMBOL = re.compile(r"\b[A-Z]{1,8}(?:/[A-Za-z0-9.]+){2,}")
_BRACKETED = re.compile(r"\s*\(([A-Z][\w&.’'-]*(?:\s[A-Z][\w&.’'-]*){0,2})\)")
_WORD = re.compile(r"(?<![#@\w])[^\W\d_](?:[\w’'&-]|\.(?=\w))*")

Mint = Callable[[str], NamedNode]


@dataclass(frozen=True)
class Mention:
    """An actor named in a text, and where."""

    actor: Actor
    start: int
    end: int


@dataclass
class DocumentActors:
    """The actors a document names: registry ones and those it introduces."""

    registry: Registry
    index: NameIndex[NamedNode]
    discovered: dict[NamedNode, Actor] = field(default_factory=dict)
    country: NamedNode | None = None
    _found: dict[str, list[Mention]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, registry: Registry, texts: Iterable[str], notes: Iterable[str],
              mint: Mint) -> DocumentActors:
        """Discover new organisations in ``texts`` and ``notes``; ``mint(name)`` names each.

        The State the document names most is its country: a registry name other
        countries use too (a skos:hiddenLabel such as ``Department of Justice``)
        stands for the registry organisation only if it belongs to that State.
        """
        sources = [(_masked(text), False) for text in texts]
        sources += [(_masked(note), True) for note in notes]
        states: Counter[NamedNode] = Counter(
            h.value for text, _ in sources for h in registry.organisations.find(text)
            if registry.actors[h.value].kind == "state")
        result = cls(registry, NameIndex())
        result.country = states.most_common(1)[0][0] if states else None
        found: dict[str, set[str]] = {}
        for text, is_note in sources:
            for name, alias in _discover(registry, text, is_note, result._registered(text)):
                found.setdefault(name, set())
                if alias:
                    found[name].add(alias)
        aliases = {alias for names in found.values() for alias in names}
        index = result.index
        for name in sorted(found, key=lambda n: (-len(n), n)):
            if name in aliases:
                continue  # "Centro Prodh", the short name of a longer one
            label = name
            if _BODY.fullmatch("the " + name) and result.country is not None:
                label = f"{name} ({registry.actors[result.country].label})"
            iri = mint(label)
            words = name.lower().split()
            government = words[-1] in _GOVERNMENT_HEADS or words[0] in _GOVERNMENT_HEADS
            names = dict.fromkeys((label, name, *sorted(found[name])))
            actor = Actor(iri, label, "discovered", government, tuple(names))
            result.discovered[iri] = actor
            for alias in actor.names:
                index.add(alias, iri)
        return result

    def actor(self, iri: NamedNode) -> Actor:
        return self.discovered.get(iri) or self.registry.actors[iri]

    def find(self, text: str) -> list[Mention]:
        """Return the actors named in ``text`` (URLs aside), in text order.

        A discovered name wins over a State named inside it (``Parliament of Kenya``).
        """
        cached = self._found.get(text)
        if cached is not None:
            return cached
        masked = _masked(text)
        registered = self._registered(masked)  # in text order
        starts = [m.start for m in registered]
        dropped: set[int] = set()
        mentions = []
        for hit in self.index.find(masked) if self.discovered else []:
            first = bisect.bisect_left(starts, hit.start - _LONGEST)
            inside = [n for n in range(first, bisect.bisect_left(starts, hit.end))
                      if registered[n].end > hit.start]
            if all(registered[n].actor.kind == "state" for n in inside):
                dropped.update(inside)
                mentions.append(Mention(self.discovered[hit.value], hit.start, hit.end))
        mentions += [m for n, m in enumerate(registered) if n not in dropped]
        result = sorted(mentions, key=lambda m: m.start)
        self._found[text] = result
        return result


    def _registered(self, masked: str) -> list[Mention]:
        """Registry actors named in ``masked``, less agencies of another country."""
        mentions = [Mention(self.registry.actors[h.value], h.start, h.end)
                    for h in self.registry.organisations.find(masked)]
        for hit in self.registry.national_names.find(masked):
            actor = self.registry.actors[hit.value]
            if actor.parent != self.country:
                continue  # "the Department of Justice" of another country
            if not any(m.start < hit.end and hit.start < m.end for m in mentions):
                mentions.append(Mention(actor, hit.start, hit.end))
        return sorted(mentions, key=lambda m: m.start)


def _masked(text: str) -> str:
    """``text`` with its URLs and UN document symbols (``A/HRC/38/47``) blanked out
    (same length, so offsets hold)."""
    spans = [(u.start, u.end) for u in find_urls(text)]
    spans += [(m.start(), m.end()) for m in _SYMBOL.finditer(text)]
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _discover(registry: Registry, text: str, is_note: bool, registered: list[Mention]
              ) -> list[tuple[str, str]]:
    """Return (name, alias) pairs of organisations ``text`` names that the registry lacks."""
    known = [(m.start, m.end) for m in registered if m.actor.kind != "state"]
    known += [(h.start, h.end) for index in (registry.instrument_names, registry.event_names)
              for h in index.find(text)]
    states = [(m.start, m.end) for m in registered if m.actor.kind == "state"]
    known.sort()
    starts = [s for s, _ in known]
    results = []
    for run_start, run_end in _joined(text, _capitalised_runs(text)):
        # registry names that may overlap the run (none is longer than _LONGEST)
        first = bisect.bisect_left(starts, run_start - _LONGEST)
        last = bisect.bisect_left(starts, run_end)
        inside = [k for k in known[first:last] if k[1] > run_start]
        for start, end in _candidates(text, run_start, run_end, inside):
            name = text[start:end]
            bracket = _BRACKETED.match(text, end)
            alias = bracket.group(1) if bracket and _alias_fits(name, bracket.group(1)) else ""
            capitals = sum(1 for w in name.split() if w[:1].isupper())
            author = is_note and not text[:start].strip() and text[end:end + 1] in ",." and (
                capitals >= 3 or any(start <= s and e <= end for s, e in states))
            if _is_organisation(name, alias) or (author and _plausible(name)):
                results.append((name, alias))
    for body in _BODY.finditer(text):  # "the Senate": the legislature of the country
        if not any(s < body.end(1) and body.start(1) < e for s, e in known):
            results.append((body.group(1), ""))
    return results


def _joined(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs, with two runs joined where a comma parts one name that its acronym spells
    out: ``Asia Pacific Forum on Women, Law and Development (APWLD)``."""
    result: list[tuple[int, int]] = []
    for start, end in runs:
        bracket = _BRACKETED.match(text, end)
        if result and bracket and text[result[-1][1]:start] == ", ":
            acronym = bracket.group(1)
            previous = result[-1][0]
            if _spells(text[previous:end], acronym) and not _spells(text[start:end], acronym):
                result[-1] = (previous, end)
                continue
        result.append((start, end))
    return result


def _spells(name: str, acronym: str) -> bool:
    """Whether the capitals of ``acronym`` are, in order, initials of ``name``'s words."""
    initials = iter(t.text[0] for t in tokenize(name) if t.text[:1].isupper())
    letters = [c for c in acronym if c.isupper()]
    return len(letters) >= 3 and all(c in initials for c in letters)


def _candidates(text: str, start: int, end: int, known: list[tuple[int, int]]
                ) -> list[tuple[int, int]]:
    """The parts of a run that can name a new organisation: the run less the registry
    names in it, and less a head-less part before ``of`` (``Calls for Justice`` of
    ``the National Inquiry``)."""
    parts = [(start, end)]
    for s, e in known:
        parts = [piece for a, b in parts for piece in ((a, min(b, s)), (max(a, e), b))
                 if piece[1] > piece[0]] if any(a < e and s < b for a, b in parts) else parts
    result = []
    for a, b in parts:
        a, b = _trim_span(text, a, b)
        if b <= a:
            continue
        owner = re.search(r"\s+of\s+(?:the\s+)?", text[a:b])
        if owner is not None:
            left = text[a:a + owner.start()].lower().split()
            if not any(w.strip(".,’'") in _HEADS for w in left) \
                    and left and left[0] not in _OPENING_HEADS:
                a = a + owner.end()
        result.append((a, b))
    return result


def _trim_span(text: str, a: int, b: int) -> tuple[int, int]:
    """``text[a:b]`` without openers and connectors at either end."""
    words = list(_WORD.finditer(text, a, b))
    while words and words[0].group(0).lower() in _OPENERS | _CONNECTORS:
        words.pop(0)
    while words and (words[-1].group(0).lower() in _CONNECTORS
                     or not words[-1].group(0)[:1].isupper()):
        words.pop()
    if not words:
        return a, a
    end = words[-1].end()
    while end > words[0].start() and text[end - 1] in ".,’'-":
        end -= 1
    return words[0].start(), end


def _capitalised_runs(text: str) -> list[tuple[int, int]]:
    """Spans of runs of capitalised words, joined by connectors, within a sentence."""
    runs: list[tuple[int, int]] = []
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        if not _capitalised(words[i].group(0)):
            i += 1
            continue
        j = i
        last = i
        while j + 1 < len(words):
            gap = text[words[j].end():words[j + 1].start()]
            if gap not in (" ", " & ", "’s ", "'s ") and gap.strip() not in ("", "&"):
                break
            if "\n" in gap or len(gap) > 3:
                break
            nxt = words[j + 1].group(0)
            if _capitalised(nxt):
                last = j + 1
            elif nxt.lower() not in _CONNECTORS:
                break
            j += 1
        runs.append(_trim(text, words, i, last))
        i = last + 1
    return [r for r in runs if r[1] > r[0]]


def _trim(text: str, words: list[re.Match[str]], i: int, last: int) -> tuple[int, int]:
    while i <= last and words[i].group(0).lower().strip(".,") in _OPENERS:
        i += 1
    if i > last:
        return 0, 0
    end = words[last].end()
    while end > words[i].start() and text[end - 1] in ".,’'-":
        end -= 1
    return words[i].start(), end


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _plausible(name: str) -> bool:
    """Not a month, a generic phrase or a law."""
    lowered = [w.strip(".,’'").lower() for w in name.split()]
    if len(lowered) < 2 or lowered[0] in _MONTHS or " ".join(lowered) in _STOP_PHRASES:
        return False
    if lowered[-1] in _LAW_WORDS or lowered[-1] in _CONNECTORS:
        return False
    return not all(w in _GENERIC or w in _HEADS or w in _CONNECTORS for w in lowered)


def _is_organisation(name: str, alias: str) -> bool:
    if not _plausible(name):
        return False
    lowered = [w.strip(".,’'").lower() for w in name.split()]
    if any(w in _HEADS for w in lowered) or lowered[0] in _OPENING_HEADS:
        return True
    return bool(alias) and _initials_fit(name, alias)


def _alias_fits(name: str, alias: str) -> bool:
    """Whether the bracketed ``alias`` can be a short name of ``name``: an acronym,
    or a short form sharing its first word (``Centro Prodh``)."""
    if alias.isupper() and len(alias) >= 2 and " " not in alias:
        return True
    return alias.split()[0] == name.split()[0] and len(alias) < len(name)


def _initials_fit(name: str, acronym: str) -> bool:
    """Whether ``acronym`` is made of the initials of ``name``'s capitalised words."""
    initials = "".join(t.text[0] for t in tokenize(name) if t.text[:1].isupper())
    letters = "".join(c for c in acronym if c.isupper())
    return len(letters) >= 2 and (letters in initials or initials.startswith(letters[:2]))
