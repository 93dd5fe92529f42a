"""Events a document names, with their dates, organisers and super-events.

An event is named by a registry name (``CSW65``, ``the United States UPR``)
or by an event noun phrase (``a final side event``, ``the 16 Days
Campaign``, ``the Women Lead Network/Alquimia Global Event``); ``the
event`` / ``the campaign`` refer back to the statement's last event.

Dates (see :mod:`dates`) attach to the nearest event named before them in
the sentence, else the nearest after; a registry event keeps its own dates
and only takes a date that agrees with them.  A date that finds no event
waits for the next event named in the same paragraph (``March 17th
concluded ... . The U.S. stated ... during the Human Rights Council
Convening``).  A missing year comes from, in order: a year in the sentence,
a registry event of the sentence on that day, a year in the paragraph, the
registry events of the statement (the nearest year), years in the statement,
the statement's date, years elsewhere in the document (the nearest).

Organisers: organisations named inside the event's name, after ``organised
by`` / ``hosted by``, or as the subject of ``partnering on`` / ``hosting``
/ ``organising``.  Super-event: a registry event after ``at`` / ``during``
(and, for side and parallel events, ``ahead of`` / ``in advance of``), or
the registry event of the statement whose dates hold the event's date.
An undated event that shares a super-event and an organiser with a dated one
of the document is the same event.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.loaders.actors import DocumentActors
from rightsgraph.loaders.dates import DateMention, Years, find_dates, find_years
from rightsgraph.loaders.document import Block, BlockKind, Page, Statement
from rightsgraph.loaders.registry_data import KnownEvent, Registry
from rightsgraph.loaders.sentences import sentence_spans

_ADJECTIVES = (
    "final|side|parallel|virtual|online|public|joint|high-level|special|annual|exciting"
    "|upcoming|first|second|third|fourth|fifth|last|global|international|national|regional"
    "|interactive|periodic"
)
_HEADS = (
    "events?|briefings?|webinars?|meetings?|conferences?|convening|campaign|hearings?"
    "|consultations?|workshops?|summit|forum|vigil|rally|dialogue|roundtable|symposium"
    "|session|review"
)
_MODIFIER = rf"(?:[A-Z0-9][\w’'.\-]*(?:/[A-Z][\w’'.\-]*)?|(?i:{_ADJECTIVES}))"
_NAME_WORD = r"[A-Z][\w’'.\-]*"
_HEAD = re.compile(rf"\b(?i:{_HEADS})\b")
# Read backwards from a head word: determiner and modifiers end where the head starts.
_BEFORE_HEAD = re.compile(
    rf"(?:\b((?i:the|a|an|our|this|that|their|its))\s+)?"
    rf"((?:{_MODIFIER}\s+(?:(?:of|against|on|for|and)\s+(?=[A-Z0-9]))?){{0,8}})$"
)
_AFTER_HEAD = re.compile(
    rf"\s+of\s+the\s+{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|of|on|the|and|against|for)){{0,10}}"
)
_WINDOW = 160


@dataclass(frozen=True)
class _Phrase:
    """An event noun phrase: ``(determiner) (modifiers) head (of the Owner)``."""

    determiner: str
    modifiers: str
    head: str
    owner: str
    start: int  # of the modifiers (or the head)
    end: int


def _phrases(sentence: str) -> list[_Phrase]:
    """The event noun phrases of ``sentence`` (found from their head words)."""
    found = []
    for head in _HEAD.finditer(sentence):
        window = max(0, head.start() - _WINDOW)
        before = _BEFORE_HEAD.search(sentence, window, head.start())
        determiner = modifiers = ""
        start = head.start()
        if before is not None:
            determiner, modifiers = before.group(1) or "", before.group(2)
            if modifiers:
                start = before.start(2)
        owner = _AFTER_HEAD.match(sentence, head.end())
        end = owner.end() if owner else head.end()
        found.append(_Phrase(determiner, modifiers, head.group(0),
                             owner.group(0) if owner else "", start, end))
    return found


_ORDINAL = re.compile(r"^(?:\d+(?:st|nd|rd|th)|(?:[a-z]+-)?(?:first|second|third|[a-z]+th))$",
                      re.IGNORECASE)
_ORGANISER_BEFORE = re.compile(
    r"\b(?:partner(?:ing|s|ed)?\s+(?:on|for)|co-?host(?:s|ing|ed)?|host(?:s|ing|ed)?|"
    r"hold(?:s|ing)?|"
    r"organi[sz](?:es|ing|ed|e)|convene[sd]?|convening)\b", re.IGNORECASE
)
_ORGANISER_AFTER = re.compile(
    r"\b(?:organi[sz]ed|hosted|convened|co-?hosted|sponsored|held)\s+by\b", re.IGNORECASE
)
_OWNER = r"(?:the\s+)?(?:[\w.]{1,20}[’']s\s+)?"
_SUPER_ANY = re.compile(rf"^\s*(?:at|during)\s+{_OWNER}$", re.IGNORECASE)
_SUPER_SIDE = re.compile(
    r"^\s*(?:at|during|of|ahead of|in advance of|on the (?:sidelines|margins) of|"
    rf"in the (?:sidelines|margins) of)\s+{_OWNER}$", re.IGNORECASE,
)
_OPENING = re.compile(r"^(?:Today|Yesterday|On)?,?\s*")


@dataclass
class FoundEvent:
    """An event of the document (``known`` when it is a registry event)."""

    label: str
    line: int
    known: KnownEvent | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    organizers: list[NamedNode] = field(default_factory=list)
    super_event: NamedNode | None = None
    head: str = ""
    blocks: set[int] = field(default_factory=set)
    statement: int = 0
    merged_into: FoundEvent | None = None

    def final(self) -> FoundEvent:
        event = self
        while event.merged_into is not None:
            event = event.merged_into
        return event


@dataclass
class _Mention:
    event: FoundEvent
    start: int
    end: int


@dataclass
class EventFinder:
    """Finds the events of one page."""

    page: Page
    registry: Registry
    actors: DocumentActors
    events: list[FoundEvent] = field(default_factory=list)
    _known: dict[NamedNode, FoundEvent] = field(default_factory=dict)
    _statement_known: dict[int, list[KnownEvent]] = field(default_factory=dict)
    _named: dict[str, FoundEvent] = field(default_factory=dict)
    _number: int = 0

    def run(self) -> list[FoundEvent]:
        """Find, date and merge the events of every statement."""
        document_years = [(y, b.start + at) for _, b in self.page.blocks()
                          for y, at in find_years(b.text) if not b.is_heading]
        for number, statement in enumerate(self.page.statements):
            self._statement(number, statement, document_years)
        self._merge()
        return [e for e in self.events if e.merged_into is None]

    def years_for(self, number: int, document_years: list[tuple[int, int]]) -> Years:
        """The year context of statement ``number``."""
        statement = self.page.statements[number]
        blocks = _blocks_with_title(statement, number)
        known: list[KnownEvent] = []
        for block in blocks:
            for hit in self.registry.event_names.find(block.text):
                event = self.registry.events[hit.value]
                if event not in known:
                    known.append(event)
        statement_years = [(y, b.source_span(at, at)[0]) for b in blocks
                           for y, at in find_years(b.text)]
        date = dt.date.fromisoformat(statement.date) if len(statement.date) == 10 else None
        self._statement_known[number] = known
        return Years(statement_years, document_years, [k.start for k in known], date)

    def opening_date(self, statement: Statement, years: Years) -> dt.date | None:
        """The date a statement opens with (``March 17th concluded ...``, ``Today, May 11th``)."""
        first = next(statement.passages(), None)
        if first is None:
            return None
        opening = _OPENING.match(first.text)
        skip = opening.end() if opening else 0
        for mention in find_dates(first.text[:skip + 40]):
            if mention.start != skip or mention.is_range or mention.day is None:
                continue
            year = years.infer(mention, [], [], [y for y, _ in find_years(first.text)],
                               first.start)
            found = mention.dates(year) if year else None
            return found[0] if found else None
        return None

    # ------------------------------------------------------------ statements

    def _statement(self, number: int, statement: Statement,
                   document_years: list[tuple[int, int]]) -> None:
        years = self.years_for(number, document_years)
        self._number = number
        last: FoundEvent | None = None
        for block in _blocks_with_title(statement, number):
            if block.is_heading:
                continue
            waiting: list[tuple[DateMention, int]] = []
            paragraph_years = [y for y, _ in find_years(block.text)]
            for a, b in sentence_spans(block.text):
                sentence = block.text[a:b]
                last = self._sentence(block, sentence, a, last, years, paragraph_years, waiting)

    def _sentence(self, block: Block, sentence: str, offset: int, last: FoundEvent | None,
                  years: Years, paragraph_years: list[int],
                  waiting: list[tuple[DateMention, int]]) -> FoundEvent | None:
        mentions = self._known_mentions(block, sentence)
        known = list(mentions)
        names = [(m.start, m.end) for m in self.actors.find(sentence) if m.actor.kind != "state"]
        for phrase in _phrases(sentence):
            if any(m.start < phrase.end and phrase.start < m.end for m in known):
                continue
            head_at = phrase.end - len(phrase.owner) - len(phrase.head)
            numbered = any(_ORDINAL.match(m) for m in phrase.modifiers.split())
            if not numbered and any(s <= head_at < e for s, e in names):
                continue  # "Asia Pacific Forum on Women": an organisation, not an event
            event = self._phrase(block, phrase, last)
            if event is not None:
                mentions.append(_Mention(event, phrase.start, phrase.end))
        mentions.sort(key=lambda m: m.start)
        for mention in mentions:
            mention.event.blocks.add(block.index)
            if mention.event.known is None:
                last = mention.event
        sentence_years = [y for y, _ in find_years(sentence)]
        sentence_known = [m.event.known.start for m in mentions if m.event.known is not None]
        at = block.source_span(offset, offset)[0]
        for date in find_dates(sentence):
            year = years.infer(date, sentence_years, sentence_known, paragraph_years, at)
            target = self._target(mentions, date)
            if target is None or not self._give(target, date, year):
                waiting.append((date, year or 0))
        undated = [m.event for m in mentions if m.event.known is None and m.event.start is None]
        while waiting and undated:
            date, year = waiting.pop(0)
            self._give(undated.pop(0), date, year or None)
        self._relations(sentence, mentions)
        return last

    def _known_mentions(self, block: Block, sentence: str) -> list[_Mention]:
        mentions = []
        for hit in self.registry.event_names.find(sentence):
            known = self.registry.events[hit.value]
            event = self._known.get(known.iri)
            if event is None:
                event = FoundEvent(known.label, block.line, known, known.start, known.end)
                self._known[known.iri] = event
                self.events.append(event)
            mentions.append(_Mention(event, hit.start, hit.end))
        return mentions

    def _phrase(self, block: Block, phrase: _Phrase, last: FoundEvent | None
                ) -> FoundEvent | None:
        determiner = phrase.determiner.lower()
        modifiers = phrase.modifiers.split()
        if not determiner and not modifiers:
            return None  # "a call for consultation": a common noun, not an event
        if phrase.head.lower() in ("session", "review") \
                and not any(_ORDINAL.match(m) for m in modifiers):
            return None  # only a numbered session or review is an event
        head = phrase.head.lower().rstrip("s") if phrase.head.lower() != "campaign" \
            else "campaign"
        generic = all(re.fullmatch(_ADJECTIVES, m, re.IGNORECASE) for m in modifiers)
        if determiner in ("the", "this", "that") and generic and last is not None \
                and (head == "event" or head == last.head):
            return last
        owner = re.sub(r"(?:\s+(?:of|on|the|and|against|for))+$", "", phrase.owner)
        words = [*modifiers, phrase.head]
        label = " ".join(words) + owner
        label = label[:1].upper() + label[1:]
        if not generic and label.lower() in self._named:
            return self._named[label.lower()]  # the same named event again
        event = FoundEvent(label, block.line, head=head, statement=self._number)
        self.events.append(event)
        if not generic:
            self._named[label.lower()] = event
        for mention in self.actors.find(label):
            if mention.actor.kind != "state" and mention.actor.iri not in event.organizers:
                event.organizers.append(mention.actor.iri)
        return event

    @staticmethod
    def _target(mentions: list[_Mention], date: DateMention) -> _Mention | None:
        before = [m for m in mentions if m.end <= date.start]
        if before:
            return before[-1]
        after = [m for m in mentions if m.start >= date.end]
        return after[0] if after else None

    @staticmethod
    def _give(mention: _Mention | FoundEvent, date: DateMention, year: int | None) -> bool:
        event = mention.event if isinstance(mention, _Mention) else mention
        found = date.dates(year) if year else None
        if event.known is not None:
            if found is None:
                return date.day is None  # "November of 2020": consistent enough
            return event.known.start <= found[0] <= event.known.end
        if found is None or event.start is not None:
            return event.start is not None and found is not None and found[0] == event.start
        event.start, event.end = found[0], found[1] or found[0]
        return True

    # ------------------------------------------------------------ relations

    def _relations(self, sentence: str, mentions: list[_Mention]) -> None:
        actors = [m for m in self.actors.find(sentence) if m.actor.kind != "state"]
        known = [m for m in mentions if m.event.known is not None]
        verbs = [v.start() for v in _ORGANISER_BEFORE.finditer(sentence)]  # once per sentence
        bys = [(b.start(), b.end()) for b in _ORGANISER_AFTER.finditer(sentence)]
        for mention in mentions:
            event = mention.event
            if event.known is not None:
                continue
            side = event.head == "event" and re.search(r"side|parallel", event.label, re.I)
            for other in known:
                if other.start < mention.end:
                    continue
                gap = sentence[mention.end:other.start]
                pattern = _SUPER_SIDE if side else _SUPER_ANY
                if pattern.match(gap) and event.super_event is None and other.event.known:
                    event.super_event = other.event.known.iri
            earlier = bisect.bisect_left(verbs, mention.start)
            if earlier:  # "X and Y are partnering on an event": X and Y organise it
                verb = verbs[earlier - 1]
                for actor in actors:
                    if actor.end <= verb:
                        self._organise(event, actor.actor.iri)
            later = bisect.bisect_left(bys, (mention.end, 0))
            following = [m.start for m in mentions if m.start >= mention.end]
            if later < len(bys) and (not following or bys[later][0] < min(following)):
                by_end = bys[later][1]  # "..., hosted by X": no other event in between
                for actor in actors:
                    if actor.start >= by_end and actor.start - by_end < 80:
                        self._organise(event, actor.actor.iri)
            if sentence[max(0, mention.start - 4):mention.start].lower() == "its ":
                owners = [a for a in actors if a.end <= mention.start]  # "X at its 76th session"
                if owners:
                    self._organise(event, owners[-1].actor.iri)

    @staticmethod
    def _organise(event: FoundEvent, iri: NamedNode) -> None:
        if iri not in event.organizers:
            event.organizers.append(iri)

    # ------------------------------------------------------------ merging

    def _merge(self) -> None:
        found = [e for e in self.events if e.known is None]
        for event in found:
            if event.super_event is None and event.start is not None:
                for known in self._statement_known.get(event.statement, []):
                    if known.start <= event.start <= known.end and known.end != known.start:
                        event.super_event = known.iri
                        break
        dated: dict[NamedNode, list[FoundEvent]] = {}
        for event in found:
            if event.start is not None and event.super_event is not None:
                dated.setdefault(event.super_event, []).append(event)
        for event in found:
            if event.start is not None or event.super_event is None:
                continue
            for other in dated.get(event.super_event, []):
                if set(other.organizers) & set(event.organizers):
                    event.merged_into = other
                    other.blocks |= event.blocks
                    for iri in event.organizers:
                        self._organise(other, iri)
                    if _capitals(event.label) > _capitals(other.label):
                        other.label = event.label
                    break


def _capitals(label: str) -> int:
    return sum(1 for word in label.split() if word[:1].isupper())


def title_index(number: int) -> int:
    """The pseudo-block index that stands for the title of statement ``number``."""
    return -(number + 1)


def _blocks_with_title(statement: Statement, number: int) -> list[Block]:
    """The statement's blocks, its title first as a pseudo-block."""
    blocks = []
    if statement.title and statement.title_start is not None and statement.title_end is not None:
        blocks.append(Block(BlockKind.PARAGRAPH, statement.title, statement.title_start,
                            statement.title_end, statement.line, index=title_index(number)))
    return blocks + statement.blocks
