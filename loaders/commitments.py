"""Commitments an actor is reported to have made, and concerns raised.

A sentence is a **concern** when it raises an issue as unaddressed or
states concern: ``we remain concerned``, ``we did not hear ...``, ``we heard
no mention of ...``, ``... is not mentioned``, ``does not address``,
``omissions``, ``has failed to``, ``has yet to``, ``lack of commitment``,
``While we heard some commitments ..., ...``; or when it reports an
intention to restrict rights (``it intends to continue to deprive women
...``).  Concerns are made by the statement's authors.

A sentence is a **commitment** when an actor other than the speaker is said
to commit: ``They have committed to ...``, ``are committed to``, ``intend
to``, ``pledged to``, ``promised to``, ``agreed to``, ``accepted the
recommendation to``, ``will work towards``.  Not when the speaker commits
(``we``), when the verb is negated, in a relative clause (``an
Administration that has promised ...``) or an indirect question (``how they
intend to ...``).  The actor is the one named as subject; ``they`` / ``it``
is the government (or State) last named in the statement before the
sentence, else the statement's State.  Recommendations come first: a
sentence that is a recommendation is neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.loaders.actors import DocumentActors
from rightsgraph.loaders.document import Block, Statement
from rightsgraph.loaders.sentences import sentence_spans

_CONCERN = re.compile(
    r"\b(?:(?:we|i)\s+(?:remain|are|were|am)\s+(?:(?:deeply|very|gravely|particularly|also"
    r"|still|seriously)\s+){0,2}(?:concerned|alarmed|troubled|disturbed|disappointed|worried)"
    r"|(?:note|notes|noted|raise[sd]?|express(?:es|ed)?)\s+(?:with\s+)?(?:(?:grave|deep"
    r"|serious)\s+)?concerns?"
    r"|(?:did|do|does)\s+not\s+hear|(?:heard|received|saw)\s+no\b|no\s+mention\s+of"
    r"|(?:is|are|was|were)\s+not\s+(?:mentioned|addressed)"
    r"|(?:does|do|did)\s*(?:not|n['’]t)\s+(?:address|mention)"
    r"|glaring\s+omissions?|omissions?\s+(?:and|in|from|of)"
    r"|(?:has|have|had)\s+failed\s+to|fail(?:s|ed)\s+to|(?:has|have)\s+yet\s+to"
    r"|lack\s+of\s+(?:any\s+)?commitments?|we\s+regret|regrettably)\b",
    re.IGNORECASE,
)
_CONCESSION = re.compile(r"^(?:while|although|though)\s+we\s+(?:heard|welcome|note|acknowledge)",
                         re.IGNORECASE)
_COMMIT = re.compile(
    r"\b(?:(?:has|have|had)\s+(?:also\s+|now\s+|already\s+|publicly\s+)?(?:committed|pledged"
    r"|promised|vowed|undertaken|agreed|announced\s+plans)"
    r"|(?:is|are|was|were|remains?)\s+(?:also\s+|now\s+|fully\s+)?(?:committed|determined)"
    r"|commit(?:s|ted)?|pledge[sd]?|promise[sd]?|vow(?:s|ed)?|undert(?:akes|ook)|agreed"
    r"|intends?|intended|plans?|planned"
    r"|(?:accepted|supported)\s+(?:the\s+|all\s+)?recommendations?)\s+(?:to|on)\b",
    re.IGNORECASE,
)
_WILL = re.compile(r"\bwill\s+(?:work\s+towards?|strive|take\s+steps|ratify|adopt|establish|"
                   r"implement|develop|ensure)\b", re.IGNORECASE)
_HARM = re.compile(
    r"^\s*(?:(?:continue|keep)\s+to\s+)?(?:deprive|restrict|roll\s+back|undermine|deny|ban"
    r"|limit|cut|defund|criminali[sz]e|detain|deport|separate|exclude)\b",
    re.IGNORECASE,
)
_GOVERNMENT = re.compile(
    r"\b(?:the|its|their)\s+(?:(?:[A-Z][a-z]+|federal|national|central|state)\s+)?"
    r"(?:government|authorities|administration|State\s+party)$",
    re.IGNORECASE,
)
_AUXILIARY = re.compile(r"(?:has|have|had|is|are|was|were|remains?|will)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(they|it|he|she|we|i)\b", re.IGNORECASE)
_BLOCKERS = re.compile(r"\b(?:that|which|who|how|whether|if|what|why|not|never|n['’]t)\s*$",
                       re.IGNORECASE)
_ADVERBS = re.compile(r"(?:\s+(?:also|now|already|publicly|formally|recently|since))+\s*$",
                      re.IGNORECASE)


@dataclass
class FoundClaim:
    """A commitment or concern: a sentence of a passage and who made it."""

    kind: str  # "commitment" or "concern"
    block: Block
    start: int
    end: int
    makers: list[NamedNode] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.block.text[self.start:self.end]


@dataclass
class ClaimFinder:
    """Finds the commitments and concerns of the statements of one page."""

    actors: DocumentActors

    def find(self, statement: Statement, authors: list[NamedNode],
             addressee: NamedNode | None, taken: set[tuple[int, int, int]]
             ) -> list[FoundClaim]:
        """Return the claims of ``statement``; ``taken`` are (block, start, end) spans of
        recommendations, which are never claims too."""
        found: list[FoundClaim] = []
        government: NamedNode | None = None
        for block in statement.passages():
            for a, b in sentence_spans(block.text):
                sentence = block.text[a:b]
                overlaps = any(i == block.index and s < b and a < e for i, s, e in taken)
                if not overlaps:
                    claim = self._classify(block, a, b, sentence, authors,
                                           government or addressee)
                    if claim is not None:
                        found.append(claim)
                for mention in self.actors.find(sentence):
                    if mention.actor.government:
                        government = mention.actor.iri
        return found

    def _classify(self, block: Block, a: int, b: int, sentence: str, authors: list[NamedNode],
                  government: NamedNode | None) -> FoundClaim | None:
        if _CONCERN.search(sentence) or _CONCESSION.search(sentence):
            return FoundClaim("concern", block, a, b, list(authors))
        for verb in _verbs(sentence):
            before = sentence[:verb.start()]
            if _BLOCKERS.search(_ADVERBS.sub("", before)):
                continue
            if not _AUXILIARY.match(verb.group(0)) and not self._adjacent_subject(before):
                continue  # "women committed to ...": a participle, not a report
            actor = self._subject(before, government)
            if actor is False:
                continue
            if _HARM.match(sentence[verb.end():]):
                return FoundClaim("concern", block, a, b, list(authors))
            makers = [actor] if isinstance(actor, NamedNode) else []
            return FoundClaim("commitment", block, a, b, makers)
        return None

    def _adjacent_subject(self, before: str) -> bool:
        """Whether a pronoun or an actor's name stands right before the verb."""
        stripped = _ADVERBS.sub("", before).rstrip()
        if re.search(r"\b(?:they|it|he|she|we|i)$", stripped, re.IGNORECASE):
            return True
        if _GOVERNMENT.search(stripped):
            return True
        return any(m.end == len(stripped) for m in self.actors.find(stripped))

    def _subject(self, before: str, government: NamedNode | None) -> NamedNode | None | bool:
        """The actor committing: a named actor or a pronoun nearest the verb.

        Returns False when the subject is the speaker or cannot be an actor.
        """
        if _GOVERNMENT.search(_ADVERBS.sub("", before).rstrip()):
            return government  # "The federal government has pledged ..."
        mentions = self.actors.find(before)
        pronouns = list(_PRONOUN.finditer(before))
        last_mention = mentions[-1] if mentions else None
        last_pronoun = pronouns[-1] if pronouns else None
        if last_pronoun is not None and (last_mention is None
                                         or last_pronoun.start() > last_mention.start):
            if last_pronoun.group(1).lower() in ("we", "i"):
                return False
            return government
        if last_mention is not None:
            return last_mention.actor.iri
        return False


def _verbs(sentence: str) -> list[re.Match[str]]:
    found = list(_COMMIT.finditer(sentence)) + list(_WILL.finditer(sentence))
    return sorted(found, key=lambda m: m.start())
