"""Who speaks and to whom: a statement's authors and the State it addresses.

* **Authors** (dcterms:creator, and rg:madeBy of what the statement asks):
  the organisations of a byline (Markdown front matter ``author:``, an HTML
  byline or ``<meta name="author">``), else those named in an authorship
  sentence (``These statements reflect the collective work ... of X and Y``,
  ``a joint statement by X and Y``), else the page's publisher.
* **Publisher**: the organisation a page says published it, else the
  non-governmental organisation named in more than half of the page's
  statements (two at least): a scrape of a blog is written by the blog's owner.
* **Addressee**: the first State named in the title, else the State the
  statement names most, else the State the document names most.

>>> AUTHORSHIP.search("These statements reflect the collective work and concerns of X") is not None
True
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from rightsgraph.loaders.actors import DocumentActors, Mention
from rightsgraph.loaders.document import Page, Statement
from rightsgraph.loaders.sentences import sentence_spans

AUTHORSHIP = re.compile(
    r"\b(?:collective\s+work\b[^.;:]{0,30}?\bof"
    r"|joint\s+(?:statement|submission|report|letter)s?\b[^.;:]{0,30}?\b(?:of|by|from)"
    r"|(?:written|prepared|authored|submitted|signed|issued|endorsed|published)\s+by"
    r"|on\s+behalf\s+of)\b",
    re.IGNORECASE,
)
_MIN_PUBLISHER_STATEMENTS = 2


@dataclass
class Roles:
    """Authors and addressees of a page's statements."""

    page: Page
    actors: DocumentActors
    publisher: NamedNode | None = None
    _document_states: Counter[NamedNode] = field(default_factory=Counter)

    @classmethod
    def of(cls, page: Page, actors: DocumentActors) -> Roles:
        roles = cls(page, actors)
        statements: Counter[NamedNode] = Counter()
        for statement in page.statements:
            named: set[NamedNode] = set()
            for text in [statement.title, *(b.text for b in statement.blocks)]:
                for mention in actors.find(text):
                    if mention.actor.kind == "state":
                        roles._document_states[mention.actor.iri] += 1
                    elif not mention.actor.government:
                        named.add(mention.actor.iri)
            statements.update(named)
        explicit = _organisations(actors, page.publisher)
        if explicit:
            roles.publisher = explicit[0]
        elif statements:
            iri, count = statements.most_common(1)[0]
            if count >= _MIN_PUBLISHER_STATEMENTS and count * 2 > len(page.statements):
                roles.publisher = iri
        return roles

    def authors(self, statement: Statement) -> list[NamedNode]:
        """The organisations that wrote ``statement``."""
        named: list[NamedNode] = []
        for author in statement.authors:
            named += [iri for iri in _organisations(self.actors, author) if iri not in named]
        if named:
            return named
        for block in statement.passages():
            for a, b in sentence_spans(block.text):
                sentence = block.text[a:b]
                cue = AUTHORSHIP.search(sentence)
                if cue is None:
                    continue
                found = [m for m in self.actors.find(sentence[cue.end():])
                         if m.actor.kind != "state"]
                authors = _without_parents(found)
                if authors:
                    return authors
        return [self.publisher] if self.publisher is not None else []

    def addressee(self, statement: Statement) -> NamedNode | None:
        """The State ``statement`` addresses, if it names one."""
        for mention in self.actors.find(statement.title):
            if mention.actor.kind == "state":
                return mention.actor.iri
        counts: Counter[NamedNode] = Counter()
        for block in statement.blocks:
            for mention in self.actors.find(block.text):
                if mention.actor.kind == "state":
                    counts[mention.actor.iri] += 1
        if counts:
            return counts.most_common(1)[0][0]
        if self._document_states:
            return self._document_states.most_common(1)[0][0]
        return None


def _organisations(actors: DocumentActors, text: str) -> list[NamedNode]:
    if not text:
        return []
    result: list[NamedNode] = []
    for mention in actors.find(text):
        if mention.actor.kind != "state" and mention.actor.iri not in result:
            result.append(mention.actor.iri)
    return result


def _without_parents(found: list[Mention]) -> list[NamedNode]:
    """The organisations named, less those named only as another's parent."""
    iris = [m.actor.iri for m in found]
    parents = {m.actor.parent for m in found if m.actor.parent is not None}
    result: list[NamedNode] = []
    for iri in iris:
        if iri not in parents and iri not in result:
            result.append(iri)
    return result
