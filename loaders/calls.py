"""Recommendations: what a statement calls on someone to do.

* **A calling phrase and its list**: the items of a list whose lead-in is a
  calling phrase ending in a colon (``we call on the Biden Administration ...
  to:``, ``We urge the Government of Canada to:``, ``the CEDAW Committee
  recommended that Mexico:``) are recommendations to the actor it names.
* **A recommendations section**: the items (and the paragraphs that open
  with an imperative verb) under a heading such as ``Recommendations`` or
  ``What we ask``.
* **A list of demands**: a list with no lead-in of its own (after a plain
  paragraph) whose items mostly open with an imperative verb (``Promptly
  ratify CEDAW ...``, ``Ensure ...``) is addressed to the statement's State.
* **A calling sentence**: ``We urge the Government of Canada to adopt ...``
  (present tense, the speaker in the first person or named) is one
  recommendation.

Other lists are not recommendations: a list after a lead-in that calls on
no one (``Topics addressed will include:``, ``... for women,
specifically,``).  A recommendation is addressed to the actors its calling
phrase names (``Government of X``, ``X's government`` are the State X); ``the
State party``, ``the Government`` or no name mean the statement's State.  It
is made by the actor who calls (``the CEDAW Committee recommended``) or, when
the speaker is ``we``, by the statement's authors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.loaders.actors import DocumentActors
from rightsgraph.loaders.document import Block, Statement
from rightsgraph.loaders.registry_data import Actor
from rightsgraph.loaders.sentences import sentence_spans

_CALL = re.compile(
    r"\b(?:call(?:s|ed|ing)?\s+(?:up)?on|urg(?:e|es|ed|ing)|recommend(?:s|ed|ing)?"
    r"|ask(?:s|ed|ing)?|request(?:s|ed|ing)?|demand(?:s|ed|ing)?|encourag(?:e|es|ed|ing)"
    r"|invit(?:e|es|ed|ing)|appeal(?:s|ed|ing)?\s+to)\b(?:\s+that\b)?",
    re.IGNORECASE,
)
_PRESENT = re.compile(r"^(?:call|calls|urge|urges|recommend|recommends|ask|asks|request"
                      r"|requests|demand|demands|encourage|encourages|invite|invites|appeal"
                      r"|appeals)$", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:we|i|us|the undersigned)\b", re.IGNORECASE)
_SHORT_REFERENCE = re.compile(
    r"\b[Tt]he\s+(Committee|Commission|Council|Working\s+Group|Rapporteur|Court|Tribunal|Panel)\b"
)
_SECTION = re.compile(
    r"\b(?:recommendations?|what we ask|our asks|calls? to action|our demands|demands"
    r"|we call on|we urge|we recommend)\b",
    re.IGNORECASE,
)
_REQUEST_WORDS = re.compile(r"\b(?:recommend|demand|ask|urge|call|should|must|request|need)",
                            re.IGNORECASE)
_ADVERBS = frozenset("promptly immediately urgently swiftly fully effectively also further "
                     "continue to rapidly expeditiously".split())
IMPERATIVES = frozenset(
    """abolish accede address adopt allocate allow amend apply approve assess build combat
    commit conduct consider consult create criminalize criminalise decriminalize decriminalise
    dedicate define develop disaggregate disband eliminate empower enact end enforce engage
    enhance ensure establish expand extend facilitate fight finance fulfil fulfill fund
    guarantee halt harmonize harmonise implement improve include incorporate increase
    integrate intensify introduce invest investigate issue launch legislate lift make monitor
    pass prevent prioritize prioritise prohibit promote prosecute protect provide publish
    ratify re-authorize reauthorize reaffirm recognize recognise reduce reform reinforce release
    remove repeal respect restore review revise safeguard scale secure seek set sign stop
    strengthen submit support take train uphold withdraw work""".split()
)


@dataclass
class FoundRecommendation:
    """A recommendation: a span of a passage, whom it addresses, who makes it."""

    block: Block
    start: int  # index in the block's visible text
    end: int
    addressees: list[NamedNode] = field(default_factory=list)
    makers: list[NamedNode] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.block.text[self.start:self.end]


@dataclass
class CallFinder:
    """Finds the recommendations of the statements of one page."""

    actors: DocumentActors
    _named: list[Actor] = field(default_factory=list)

    def find(self, statement: Statement, authors: list[NamedNode],
             addressee: NamedNode | None) -> list[FoundRecommendation]:
        """Return the recommendations of ``statement``."""
        found: list[FoundRecommendation] = []
        default = [addressee] if addressee is not None else []
        blocks = statement.blocks
        self._named = [m.actor for text in [statement.title, *(b.text for b in blocks)]
                       for m in self.actors.find(text) if m.actor.kind != "state"]
        lists: dict[int, list[Block]] = {}
        for block in blocks:
            if block.is_item:
                lists.setdefault(block.list_id, []).append(block)
        listed: set[int] = set()
        for number, block in enumerate(blocks):
            if not block.is_item or block.list_id in listed:
                continue
            listed.add(block.list_id)
            items = lists[block.list_id]
            lead = blocks[number - 1] if number > 0 else None
            found += self._list(items, lead, block.section, authors, default)
        for block in blocks:
            if block.kind.value != "paragraph":
                continue
            if _SECTION.search(block.section) and _imperative(block.text):
                found.append(_span(block, 0, len(block.text), self._addressees(
                    block.section, default), authors))
                continue
            found += self._sentences(block, authors, default)
        return found

    # ------------------------------------------------------------ lists

    def _list(self, items: list[Block], lead: Block | None, section: str,
              authors: list[NamedNode], default: list[NamedNode]) -> list[FoundRecommendation]:
        lead_text = lead.text.rstrip() if lead is not None and not lead.is_heading else ""
        if lead_text.endswith(":"):
            last = sentence_spans(lead_text)[-1]
            sentence = lead_text[last[0]:last[1]]
            call = _CALL.search(sentence)
            if call is not None:
                addressees = self._addressees(sentence[call.end():], default)
                makers = self._makers(sentence[:call.start()], authors)
                return [_span(item, 0, len(item.text), addressees, makers) for item in items]
            if not (_SECTION.search(section) or _REQUEST_WORDS.search(sentence)):
                return []
        elif lead_text.endswith((",", ";")) or (lead_text and lead_text[-1].islower()):
            return []  # the list continues a sentence: details, not demands
        if _SECTION.search(section):
            addressees = self._addressees(section, default)
            return [_span(item, 0, len(item.text), addressees, authors) for item in items]
        imperative = sum(1 for item in items if _imperative(item.text))
        if imperative * 2 >= len(items) and imperative > 0:
            return [_span(item, 0, len(item.text), default, authors) for item in items
                    if _imperative(item.text) or imperative == len(items)]
        return []

    # ------------------------------------------------------------ sentences

    def _sentences(self, block: Block, authors: list[NamedNode],
                   default: list[NamedNode]) -> list[FoundRecommendation]:
        found = []
        for a, b in sentence_spans(block.text):
            sentence = block.text[a:b]
            if sentence.rstrip().endswith(":"):
                continue  # a lead-in: its list holds the recommendations
            call = _CALL.search(sentence)
            if call is None or not _PRESENT.match(call.group(0).split()[0]):
                continue
            before = sentence[:call.start()]
            speaker = _FIRST_PERSON.search(before) or [
                m for m in self.actors.find(before) if m.actor.kind != "state"]
            if not speaker or re.search(r"\b(?:not|n't|how|whether|if)\b", before, re.I):
                continue
            if not re.search(r"\bto\s+\w|\bthat\b", sentence[call.start():]):
                continue
            addressees = self._addressees(sentence[call.end():], default)
            found.append(_span(block, a, b, addressees, self._makers(before, authors)))
        return found

    # ------------------------------------------------------------ actors

    def _addressees(self, text: str, default: list[NamedNode]) -> list[NamedNode]:
        clause = re.split(r"\bto\s+[a-z]|:", text, maxsplit=1)[0]
        named: list[NamedNode] = []
        for mention in self.actors.find(clause):
            if mention.actor.iri not in named:
                named.append(mention.actor.iri)
        return named or list(default)

    def _makers(self, before: str, authors: list[NamedNode]) -> list[NamedNode]:
        if _FIRST_PERSON.search(before):
            return authors
        named = [m.actor.iri for m in self.actors.find(before) if m.actor.kind != "state"]
        if named:
            return named
        short = _SHORT_REFERENCE.search(before)  # "the Committee recommends ..."
        if short is not None:
            word = short.group(1).lower()
            for actor in self._named:
                if word in actor.label.lower():
                    return [actor.iri]
        return authors


def _imperative(text: str) -> bool:
    """Whether ``text`` opens with an imperative verb (adverbs aside)."""
    words = re.findall(r"[A-Za-z][A-Za-z-]*", text[:80].lower())
    while words and words[0] in _ADVERBS:
        words.pop(0)
    return bool(words) and words[0] in IMPERATIVES


def _span(block: Block, start: int, end: int, addressees: list[NamedNode],
          makers: list[NamedNode]) -> FoundRecommendation:
    text = block.text
    while end > start and (text[end - 1].isspace() or text[end - 1] in ";,"):
        end -= 1
    conjunction = re.search(r"[;,]?\s+(?:and|or)$", text[start:end])
    if conjunction is not None:
        end = start + conjunction.start()
    if end > start and text[end - 1] in "”\"" and text.count(text[end - 1], start, end) % 2 \
            and "“" not in text[start:end]:
        end -= 1  # the closing quote of a quotation that began before the item
    return FoundRecommendation(block, start, end, list(addressees), list(makers))
