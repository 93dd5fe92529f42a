"""A synthetic corpus for the benchmarks, reproducible by seed.

Advocacy pages in the style of the sample corpus -- plain-text scrapes of
posts (titles as short lines, roman ``[iv]`` markers, an ``Appendix A:
Footnotes``), Markdown (``[^n]`` notes, headings, bullet lists) and HTML
(``<article>``, ``<sup><a href="#fn1_2">2</a></sup>``, an ``<ol>`` of notes,
navigation, footer and scripts to ignore) -- and UPR recommendation tables
(CSV, optionally XLSX) with the columns of ``loaders/columns.py``.  Themes,
groups, States, organisations and treaties come from the shipped vocabularies.

The same seed gives byte-identical files.  Document ``n`` depends only on the
seed and ``n``, and table rows are one stream, so a small corpus is a prefix
of a large one.  ``manifest.json`` says what each page holds (recommendations
with their addressee, commitments, concerns, notes, markers and dated events),
so that tests can check the loaders against what was written.

Example:
    python -m benchmarks.generate --seed 7 --documents 1000 --recommendations 100000 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import io
import json
import random
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import RdfFormat, parse

from rightsgraph import ontology

#: The canonical headers of a recommendation table (see ``loaders/columns.py``).
HEADER = ["Recommendation", "Recommending State", "State under Review", "Response",
          "Action Category", "Issues", "Affected persons", "SDG targets", "Cycle", "Session",
          "Document symbol", "Paragraph", "Date"]
TABLE_NAME = "upr-recommendations"
#: Bumped whenever the same seed would give different files.
VERSION = 1
FORMATS = {"text": ".txt", "markdown": ".md", "html": ".html"}

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RG = "https://w3id.org/rightsgraph/ontology#"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SDG = "http://metadata.un.org/sdg/"
# Words that would make a loader read a filler phrase as a call, a claim or an event.
_TRIGGERS = re.compile(
    r"call|urg|recommend|ask|request|demand|encourag|invit|appeal|commit|pledg|promis|intend"
    r"|plan|agree|undert|vow|concern|fail|omission|regret|yet to|\bnot\b|event|briefing"
    r"|webinar|meeting|conferenc|conven|campaign|hearing|consult|workshop|summit|forum|vigil"
    r"|rally|dialogue|roundtable|symposium|session|review|report|[.()/:;]", re.IGNORECASE)
# State names that also read as something else; the registry does not match them in text.
_AMBIGUOUS = {"Georgia", "Jersey", "Jordan", "Chad", "Guinea", "Niger", "Dominica", "Mali",
              "Oman", "Peru", "Cuba", "Togo", "China", "Panama", "Turkey", "Türkiye"}


# ---------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Concept:
    """A theme or group: IRI, labels, the phrases running text uses, SDG targets."""

    iri: str
    label: str
    alt_labels: tuple[str, ...]
    phrases: tuple[str, ...]
    sdg: tuple[str, ...]


@dataclass(frozen=True)
class State:
    iri: str
    label: str  # the UN short name, as tables write it
    prose: str  # a name for running text


@dataclass(frozen=True)
class Vocabulary:
    themes: tuple[Concept, ...]
    groups: tuple[Concept, ...]
    states: tuple[State, ...]  # UN Member States
    prose_states: tuple[State, ...]
    titles: tuple[str, ...]  # short theme names in title case, for event names
    ngos: tuple[str, ...]
    committees: tuple[str, ...]
    treaties: tuple[str, ...]


@cache
def vocabulary() -> Vocabulary:
    """Read the names the corpus draws on from the shipped ontology files."""
    about: dict[str, list[tuple[str, str]]] = {}
    for name in ("themes.ttl", "groups.ttl", "states.ttl", "organisations.ttl"):
        for quad in parse(ontology.read_bytes(name), format=RdfFormat.TURTLE):
            about.setdefault(quad.subject.value, []).append((quad.predicate.value, quad.object.value))

    def values(subject: str, predicate: str) -> list[str]:
        return sorted(o for p, o in about[subject] if p == predicate)

    def of_type(cls: str) -> list[str]:
        return sorted(s for s, props in about.items() if (_TYPE, cls) in props)

    def concept(iri: str) -> Concept:
        label, alts = values(iri, _SKOS + "prefLabel")[0], tuple(values(iri, _SKOS + "altLabel"))
        phrases = tuple(_lower(p) for p in (label, *alts) if not _TRIGGERS.search(p))
        sdg = tuple(o.removeprefix(_SDG) for o in values(iri, _SKOS + "closeMatch")
                    if o.startswith(_SDG) and "." in o.removeprefix(_SDG))
        return Concept(iri, label, alts, phrases or (_lower(label),), sdg)

    themes = tuple(concept(i) for i in of_type(_RG + "Theme"))
    groups = tuple(concept(i) for i in of_type(_RG + "Group"))
    states = []
    for iri in of_type(_RG + "State"):
        if "Member State of the United Nations" not in values(iri, "http://purl.org/dc/terms/description"):
            continue
        label = values(iri, _SKOS + "prefLabel")[0]
        names = [label, *values(iri, _SKOS + "altLabel")]
        prose = next((n for n in names if not re.search(r"[(),]", n) and not n.isupper()), "")
        states.append(State(iri, label, prose))
    titles = tuple(" ".join(w[0].upper() + w[1:] for w in c.label.split()) for c in themes
                   if len(c.label.split()) <= 3 and not _TRIGGERS.search(c.label)
                   and not re.search(r"\b(?:and|of|or|the|with|in|to|for)\b|[’'\-]", c.label))
    ngos = tuple(values(i, _SKOS + "prefLabel")[0] for i in of_type("https://schema.org/NGO"))
    committees = tuple(a for s in about for a in values(s, _SKOS + "altLabel")
                       if re.fullmatch(r"[A-Z]{3,5} Committee", a))
    treaties = tuple(values(i, _SKOS + "prefLabel")[0] for i in of_type(_RG + "Instrument")
                     if values(i, _SKOS + "prefLabel")[0].startswith(("Convention on", "International C")))
    return Vocabulary(themes, groups, tuple(states),
                      tuple(s for s in states if s.prose and s.prose not in _AMBIGUOUS),
                      titles, tuple(n for n in ngos if not n.startswith("The ")),
                      tuple(sorted(committees)), treaties)


def _lower(label: str) -> str:
    """``label`` for running text: lower-case first letter unless it is a name or acronym."""
    return label if any(c.isupper() for c in label[1:]) else label[:1].lower() + label[1:]


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Row:
    """One recommendation as a table row, with the IRIs behind its names."""

    cells: list[str]
    recommending: list[State]
    under_review: State
    themes: list[Concept]
    groups: list[Concept]


_LEADS = ("Take further measures to", "Continue its efforts to", "Strengthen measures to",
          "Adopt legislation and policies to", "Allocate adequate resources to",
          "Redouble its efforts to", "Develop a comprehensive strategy to", "Intensify efforts to")
_VERBS = ("address", "prevent", "reduce", "combat", "eliminate", "tackle")
_RESPONSES = ("Supported", "Noted", "Supported in part")
_CYCLES = {1: (1, 12), 2: (13, 26), 3: (27, 40), 4: (41, 47)}
_FIRST_SESSION = dt.date(2008, 4, 7)


def recommendation_rows(seed: int, count: int) -> Iterator[Row]:
    """Yield ``count`` UPR recommendations, grouped by review as UPR Info lists them."""
    rng = random.Random(f"rightsgraph-bench:{seed}:tables")
    vocab = vocabulary()
    made = 0
    reports: dict[int, int] = {}
    while made < count:
        cycle = rng.choices((1, 2, 3, 4), weights=(15, 25, 35, 25))[0]
        session = rng.randint(*_CYCLES[cycle])
        hrc = session + 10
        reports[hrc] = reports.get(hrc, 1) + 1
        symbol = f"A/HRC/{hrc}/{reports[hrc]}"
        date = _FIRST_SESSION + dt.timedelta(days=round((session - 1) * 121.7) + rng.randint(0, 11))
        under_review = rng.choice(vocab.states)
        section = rng.randint(110, 160)
        for number in range(1, min(count - made, rng.randint(80, 320)) + 1):
            yield _row(rng, vocab, under_review, [str(cycle), str(session), symbol,
                                                  f"{section}.{number}", date.isoformat()])
            made += 1


def _row(rng: random.Random, vocab: Vocabulary, under_review: State, tail: list[str]) -> Row:
    themes = rng.sample(vocab.themes, rng.choices((1, 2, 3), weights=(50, 35, 15))[0])
    groups = rng.sample(vocab.groups, rng.choices((0, 1, 2), weights=(30, 50, 20))[0])
    recommending = [rng.choice(vocab.states)]
    if rng.random() < 0.05:
        recommending.append(rng.choice(vocab.states))
    recommending = [s for s in dict.fromkeys(recommending) if s != under_review] or [vocab.states[0]]
    if rng.random() < 0.04:
        text = f"Ratify the {rng.choice(vocab.treaties)}"
    else:
        text = f"{rng.choice(_LEADS)} {rng.choice(_VERBS)} {rng.choice(themes[0].phrases)}"
        if groups:
            text += f", in particular for {rng.choice(groups[0].phrases)}"
        if rng.random() < 0.02:
            text += ",\nincluding through the allocation of adequate resources"
    targets = list(dict.fromkeys(t for c in themes for t in c.sdg))[:3]
    cells = [
        text, "; ".join(s.label for s in recommending), under_review.label,
        rng.choices(_RESPONSES, weights=(60, 30, 10))[0],
        str(rng.choices((1, 2, 3, 4, 5), weights=(8, 17, 15, 30, 30))[0]),
        "; ".join(rng.choice(c.alt_labels) if c.alt_labels and rng.random() < 0.1 else c.label
                  for c in themes),
        "; ".join(c.label for c in groups), "; ".join(targets), *tail,
    ]
    return Row(cells, recommending, under_review, themes, groups)


def write_csv(path: Path, rows: Iterator[Row]) -> int:
    """Write ``rows`` as a CSV table (UTF-8, header first); return the number of rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row.cells)
            count += 1
    return count


def write_xlsx(path: Path, rows: Iterator[Row]) -> int:
    """Write ``rows`` as an Excel workbook whose bytes depend only on the rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.created = book.properties.modified = dt.datetime(2021, 1, 1)
    sheet = book.create_sheet("Recommendations")
    sheet.append(HEADER)
    count = 0
    for row in rows:
        sheet.append(row.cells)
        count += 1
    raw = io.BytesIO()
    book.save(raw)
    # openpyxl stamps the zip entries and core.xml with the time of saving.
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2021-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), data,
                            zipfile.ZIP_DEFLATED)
    return count


def write_ntriples(path: Path, count: int, seed: int) -> int:
    """Write ``count`` triples shaped like loaded recommendations, as N-Triples."""
    rg, base = "<https://w3id.org/rightsgraph/ontology#", "<https://w3id.org/rightsgraph/id/"
    xsd = "^^<http://www.w3.org/2001/XMLSchema#"
    document = f"{base}document/{TABLE_NAME}-csv>"
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for row in recommendation_rows(seed, count):
            text, _, _, response, category, _, _, targets, cycle, session, symbol, para, date = row.cells
            s = f"{base}recommendation/{_slug(symbol)}/{_slug(para)}>"
            objects = [
                ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"{rg}Recommendation>"),
                ("<http://www.w3.org/2000/01/rdf-schema#label>", _nt(f"{para} {text[:60]}")),
                (f"{rg}text>", _nt(text)), ("<http://www.w3.org/ns/prov#wasDerivedFrom>", document),
                (f"{rg}stateUnderReview>", f"<{row.under_review.iri}>"),
                (f"{rg}addressedTo>", f"<{row.under_review.iri}>"),
                (f"{rg}response>", _nt(response.lower())),
                (f"{rg}actionCategory>", f'"{category}"{xsd}integer>'),
                (f"{rg}cycle>", f'"{cycle}"{xsd}integer>'), (f"{rg}session>", f'"{session}"{xsd}integer>'),
                ("<http://purl.org/dc/terms/identifier>", _nt(symbol)), (f"{rg}paragraph>", _nt(para)),
                ("<http://purl.org/dc/terms/date>", f'"{date}"{xsd}date>'),
                *((f"{rg}{p}>", f"<{state.iri}>") for state in row.recommending
                  for p in ("recommendingState", "madeBy")),
                *((f"{rg}sdgTarget>", f"<{_SDG}{t}>") for t in targets.split("; ") if t),
                *((f"{rg}theme>", f"<{c.iri}>") for c in row.themes),
                *((f"{rg}group>", f"<{c.iri}>") for c in row.groups),
            ]
            lines = [f"{s} {p} {o} .\n" for p, o in objects[:count - written]]
            out.write("".join(lines))
            written += len(lines)
            if written >= count:
                break
    return written


def _nt(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------- documents

Part = str | int  # text, or the number of a footnote marker


@dataclass
class Block:
    kind: str  # "p", "heading", "items" (a bulleted list), "topics" (an unbulleted one)
    parts: list[Part]


@dataclass
class Post:
    title: str
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    byline: str = ""


@dataclass
class Expected:
    """What the generator put in one page, as the loaders should find it."""

    format: str
    statements: int = 0
    recommendations: list[dict[str, str]] = field(default_factory=list)
    commitments: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    notes: int = 0
    markers: int = 0


_FILLERS = (
    "{Group} in {state} continue to face barriers to {theme}",
    "Data gathered by {org} show that {group} are disproportionately affected by {theme}",
    "Since {year}, the number of {group} affected by {theme} has grown in several regions",
    "The national authorities describe progress on {theme}, however the lived experiences "
    "of {group} tell a different story",
    "{Group} often carry a disproportionate share of the burden of {theme}",
    "Evidence from {org} links {theme} to the situation of {group} in {state}",
    "In {year}, {org} documented gaps in {theme} affecting {group}",
)
_COMMITMENTS = ("They have committed to addressing {theme} for {group}.",
                "They intend to strengthen protections against {theme}.",
                "The Government of {state} has pledged to reduce {theme} by {future}.")
# A one-sentence paragraph with many capitals reads as a title in a plain-text scrape.
_AFTER_PLEDGE = " This would be a welcome step for {group}."
_CONCERNS = ("For example, we did not hear any specific intention to address {theme} for {group}.",
             "However, we remain concerned that {group} continue to face {theme}.",
             "We heard no mention of {theme}, which disproportionately affects {group}.")
_LIST_LEADS = ("So, we call on the Government of {state} and other federal, statewide, and local "
               "policy makers to:", "We urge the Government of {state} to:",
               "During its last review, the {committee} recommended that {state}:")
_CALL_SENTENCES = ("We urge the Government of {state} to ensure access to {theme} for {group}.",
                   "We call on the authorities of {state} to protect {group} from {theme}.")
_ITEMS = ("Ensure access to {theme} for {group}", "Protect {group} from {theme}",
          "Increase funding for services on {theme}", "Ratify the {treaty} without reservations",
          "Guarantee that {group} take part in decisions on {theme}",
          "Promptly review laws on {theme} with the participation of {group}",
          "Strengthen data collection on {theme}, disaggregated by sex and race",
          "Provide training to public officials on {theme}")
_HEADS = ("Webinar", "Briefing", "Side Event", "Roundtable", "Symposium", "Workshop")
_DOMAINS = ("hrw.org", "ohchr.org", "unwomen.org", "aclu.org", "amnesty.org", "prisonpolicy.org",
            "reproductiverights.org", "equalitynow.org", "upr-info.org", "oxfam.org")
_SITES = ("Grassroots", "Feminist", "Southern", "Coastal", "Northern", "Rural", "Mothers’")
_KINDS = ("Justice", "Health", "Rights", "Solidarity", "Dignity")
_ORG_HEADS = ("Alliance", "Network", "Collective", "Coalition", "Foundation", "Association")


class _Writer:
    """Writes the posts of one page and records what they hold."""

    def __init__(self, rng: random.Random, expected: Expected) -> None:
        self.rng = rng
        self.vocab = vocabulary()
        self.expected = expected
        self.labels: set[str] = set()

    def choice(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)

    def fill(self, template: str, state: State, **extra: str) -> str:
        theme, group = self.rng.choice(self.vocab.themes), self.rng.choice(self.vocab.groups)
        group_phrase = self.choice(group.phrases)
        values = {"theme": self.choice(theme.phrases), "group": group_phrase,
                  "Group": group_phrase[0].upper() + group_phrase[1:], "state": state.prose,
                  "org": self.organisation(), "year": str(self.rng.randint(2012, 2020)),
                  "future": str(self.rng.randint(2025, 2030)), "treaty": self.choice(self.vocab.treaties),
                  "committee": self.choice(self.vocab.committees), **extra}
        return template.format(**values)

    def organisation(self) -> str:
        if self.rng.random() < 0.25:
            return f"{self.choice(_SITES)} {self.choice(_KINDS)} {self.choice(_ORG_HEADS)}"
        return self.choice(self.vocab.ngos)

    def paragraph(self, post: Post, state: State, sentences: int, lead: str = "") -> Block:
        parts: list[Part] = [lead + " "] if lead else []
        for n in range(sentences):
            parts.append(self.fill(self.choice(_FILLERS), state))
            if self.rng.random() < 0.6:
                post.notes.append(self.note())
                parts.append(len(post.notes))
            parts.append("." if n == sentences - 1 else ". ")
        return Block("p", parts)

    def note(self) -> str:
        year, roll = self.rng.randint(2013, 2021), self.rng.random()
        path = f"https://www.{self.choice(_DOMAINS)}/{year}/{self.rng.randint(10, 99)}/" + _slug(
            self.choice(self.rng.choice(self.vocab.themes).phrases))
        if roll < 0.5:
            return path
        if roll < 0.75:
            return f"Link to a brief by {self.organisation()} {path}"
        title = self.choice(self.vocab.titles)
        return f"{self.organisation()}. {year}. “{title} and Human Rights.” Geneva: United Nations."

    # ------------------------------------------------------------ posts

    def response(self, state: State) -> Post:
        org, other = self.organisation(), self.organisation()
        post = Post(self.choice(("{org} Responds to the Universal Periodic Review of {state}",
                                 "Our Response to the National Report of {state}",
                                 "{state} Review Concludes: Human Rights Defenders Respond"))
                    .format(org=org, state=state.prose), byline=org)
        lead = f"These statements reflect the collective work and concerns of {org} and {other}."
        post.blocks.append(self.paragraph(post, state, self.rng.randint(1, 2), lead))
        for _ in range(self.rng.randint(1, 3)):
            post.blocks.append(self.paragraph(post, state, self.rng.randint(2, 4)))
        if self.rng.random() < 0.5:
            post.blocks.append(Block("heading", [self.choice(self.vocab.titles)]))
            post.blocks.append(self.paragraph(post, state, self.rng.randint(2, 3)))
        if self.rng.random() < 0.7:
            post.blocks.append(Block("p", ["Today in the Government’s response we learned that:"]))
            for template in self.rng.sample(_COMMITMENTS, self.rng.randint(1, 3)):
                text = self.claim(template, state, self.expected.commitments)
                after = self.fill(_AFTER_PLEDGE, state) if text.startswith("The") else ""
                post.blocks.append(Block("p", [text + after]))
        for template in self.rng.sample(_CONCERNS, self.rng.randint(0, 2)):
            post.blocks.append(Block("p", [self.claim(template, state, self.expected.concerns)]))
        roll = self.rng.random()
        if roll < 0.6:
            post.blocks.append(Block("p", [self.fill(self.choice(_LIST_LEADS), state)]))
            post.blocks.append(self.items(state, self.rng.randint(2, 5)))
        elif roll < 0.8:
            post.blocks.append(self.paragraph(post, state, 1))
            post.blocks.append(self.items(state, self.rng.randint(2, 4)))
        else:
            post.blocks.append(self.with_call(post, state))
        if self.rng.random() < 0.25:
            post.blocks.append(Block("heading", ["Recommendations"]))
            post.blocks.append(self.items(state, self.rng.randint(2, 4)))
        return post

    def claim(self, template: str, state: State, into: list[str]) -> str:
        text = self.fill(template, state)
        into.append(text)
        return text

    def items(self, state: State, count: int) -> Block:
        texts = [self.fill(template, state) + ("." if self.rng.random() < 0.3 else "")
                 for template in self.rng.sample(_ITEMS, count)]
        self.expected.recommendations += [{"text": t, "addressee": state.iri} for t in texts]
        return Block("items", list(texts))

    def with_call(self, post: Post, state: State) -> Block:
        block = self.paragraph(post, state, self.rng.randint(1, 2))
        call = self.fill(self.choice(_CALL_SENTENCES), state)
        self.expected.recommendations.append({"text": call, "addressee": state.iri})
        block.parts.append(" " + call)
        return block

    def event(self, state: State) -> Post:
        org, other = self.organisation(), self.organisation()
        post = Post(f"{org} Partners with {other} to Highlight {self.choice(self.vocab.titles)} "
                    f"in {state.prose}", byline=org)
        sentence = self.event_sentence(org, other)
        closing = self.choice(("Stay tuned for registration information.",
                               "Come join the event by registering on the website of {org}."))
        post.blocks.append(Block("p", [f"{sentence} {closing.format(org=other)}"]))
        if self.rng.random() < 0.5:
            post.blocks.append(Block("p", ["Topics addressed will include:"]))
            post.blocks.append(Block("topics", list(self.rng.sample(self.vocab.titles, 4))))
        post.blocks.append(self.paragraph(post, state, self.rng.randint(2, 3)))
        return post

    def event_sentence(self, org: str, other: str) -> str:
        label = f"{self.choice(self.vocab.titles)} {self.choice(_HEADS)}"
        while label in self.labels:
            label = f"{self.choice(self.vocab.titles)} {self.choice(_HEADS)}"
        self.labels.add(label)
        start = dt.date(self.rng.randint(2019, 2023), self.rng.randint(1, 12), self.rng.randint(1, 28))
        end = start
        roll = self.rng.random()
        if roll < 0.4:
            sentence = (f"The {label} will take place on {start:%A}, {start:%B} {start.day}, "
                        f"{start.year} at {self.rng.randint(8, 11)}:30am (PT).")
        elif roll < 0.7 and start.day < 20:
            end = start + dt.timedelta(days=self.rng.randint(2, 8))
            sentence = f"The {label} will run from {start.day} to {end.day} {start:%B %Y}."
        else:
            sentence = f"{org} and {other} are partnering on the {label} on {start.day} {start:%B %Y}."
        self.expected.events.append({"label": label, "start": start.isoformat(),
                                     "end": end.isoformat()})
        return sentence

    def news(self, state: State) -> Post:
        group = self.rng.choice(self.vocab.groups).label
        post = Post(f"{self.choice(self.vocab.titles)} and the Rights of "
                    f"{' '.join(w[0].upper() + w[1:] for w in group.split())} in {state.prose}")
        for _ in range(self.rng.randint(1, 2)):
            post.blocks.append(self.paragraph(post, state, self.rng.randint(2, 4)))
        if self.rng.random() < 0.5:
            post.blocks.append(Block("p", [self.claim(self.choice(_CONCERNS), state,
                                                      self.expected.concerns)]))
        if self.rng.random() < 0.5:
            post.blocks.append(self.with_call(post, state))
        return post


def document(seed: int, number: int) -> tuple[str, str, Expected]:
    """Return (format, text, expectations) of document ``number`` of corpus ``seed``.

    >>> page_format, text, expected = document(7, 7)
    >>> page_format in FORMATS and document(7, 7) == (page_format, text, expected)
    True
    """
    rng = random.Random(f"rightsgraph-bench:{seed}:document:{number}")
    page_format = rng.choices(tuple(FORMATS), weights=(60, 20, 20))[0]
    expected = Expected(page_format)
    writer = _Writer(rng, expected)
    posts = []
    for _ in range(rng.choices((1, 2, 3), weights=(45, 35, 20))[0]):
        state = rng.choice(writer.vocab.prose_states)
        kind = rng.choices(("response", "event", "news"), weights=(50, 25, 25))[0]
        posts.append(getattr(writer, kind)(state))
    expected.statements = len(posts)
    expected.notes = expected.markers = sum(len(p.notes) for p in posts)
    render = {"text": render_text, "markdown": render_markdown, "html": render_html}[page_format]
    return page_format, render(posts, rng), expected


def _roman(number: int) -> str:
    digits = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = ""
    for value, letters in digits:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _join(parts: list[Part], marker: str, escape: bool = False) -> str:
    return "".join(marker.format(n=p, r=_roman(p)) if isinstance(p, int) else
                   html.escape(p, quote=False) if escape else p for p in parts)


def render_text(posts: list[Post], rng: random.Random) -> str:
    """A scrape of the posts as plain text: blank lines between blocks."""
    bullet = rng.choice(("*", "  • ", "- "))
    out: list[str] = []
    for post in posts:
        out.append(post.title)
        letters = iter("ABCDEFGH")
        for block in post.blocks:
            if block.kind == "heading":
                out.append(f"{next(letters)}. {block.parts[0]}")
            elif block.kind == "items":
                items = [f"{bullet}{item}" for item in block.parts]
                out += items if bullet == "*" else ["\n".join(items)]
            elif block.kind == "topics":
                out += [str(p) for p in block.parts]
            else:
                out.append(_join(block.parts, "[{r}]"))
        if post.notes:
            out.append(rng.choice(("Appendix A: Footnotes", "Notes", "References")))
            out += [f"[{_roman(n)}] {note}" for n, note in enumerate(post.notes, start=1)]
    return "\n\n".join(out) + "\n"


def render_markdown(posts: list[Post], rng: random.Random) -> str:
    """Markdown with front matter; each post a top-level heading, notes as ``[^n]:``."""
    first = posts[0]
    out = ["---", f"title: {first.title}", f"author: {first.byline or 'UPR Info'}",
           f"date: {dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 700))}", "---", ""]
    for post in posts:
        out += [f"# {post.title}", ""]
        for block in post.blocks:
            if block.kind == "heading":
                out += [f"## {block.parts[0]}", ""]
            elif block.kind in ("items", "topics"):
                out += [f"- {item}" for item in block.parts] + [""]
            else:
                out += [_join(block.parts, "[^{n}]"), ""]
        out += [f"[^{n}]: {note}" for n, note in enumerate(post.notes, start=1)]
        out += [""] if post.notes else []
    return "\n".join(out)


def render_html(posts: list[Post], rng: random.Random) -> str:
    """An HTML page: one ``<article>`` per post, with site chrome the loader must skip."""
    site = html.escape(posts[0].byline or "UPR Info")
    out = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(posts[0].title)} | {site}</title>",
           f'<meta name="author" content="{site}">',
           "<script>window.dataLayer = window.dataLayer || [];</script>", "</head>", "<body>",
           '<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News'
           '</a></li><li><a href="/about">About us</a></li></ul></nav>', "<main>"]
    for number, post in enumerate(posts, start=1):
        out += ["<article>", f"<h1>{html.escape(post.title)}</h1>"]
        if post.byline:
            day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
            out.append(f'<p class="byline">By {html.escape(post.byline)} — {day.day} {day:%B %Y}</p>')
        marker = f'<sup><a href="#fn{number}_{{n}}">{{n}}</a></sup>'
        for block in post.blocks:
            if block.kind == "heading":
                out.append(f"<h2>{html.escape(str(block.parts[0]))}</h2>")
            elif block.kind in ("items", "topics"):
                out += ["<ul>", *(f"<li>{html.escape(str(i))}</li>" for i in block.parts), "</ul>"]
            else:
                out.append(f"<p>{_join(block.parts, marker, escape=True)}</p>")
        if post.notes:
            out += ["<h2>Notes</h2>", '<ol class="footnotes">']
            out += [f'<li id="fn{number}_{n}">{html.escape(note)}</li>'
                    for n, note in enumerate(post.notes, start=1)]
            out.append("</ol>")
        out.append("</article>")
    out += ["</main>", f"<footer><p>© 2021 {site}. All rights reserved.</p>"
            '<p><a href="/subscribe">Subscribe to our newsletter</a></p></footer>',
            '<script src="/js/site.js"></script>', "</body>", "</html>", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- the corpus


def generate(out: str | Path, *, seed: int = 7, documents: int = 1000,
             recommendations: int = 100_000, xlsx: bool = False) -> dict[str, object]:
    """Write the corpus under ``out`` and return its manifest (also ``out/manifest.json``).

    ``out/documents/doc-00001.txt`` (``.md``, ``.html``) ..., ``out/tables/
    upr-recommendations.csv`` (and ``.xlsx``), and ``out/manifest.json``.
    """
    root = Path(out)
    (root / "documents").mkdir(parents=True, exist_ok=True)
    (root / "tables").mkdir(parents=True, exist_ok=True)
    pages = {}
    for number in range(1, documents + 1):
        page_format, text, expected = document(seed, number)
        name = f"documents/doc-{number:05d}{FORMATS[page_format]}"
        (root / name).write_text(text, encoding="utf-8")
        pages[name] = expected.__dict__
    tables = [{"path": f"tables/{TABLE_NAME}.csv", "format": "csv",
               "rows": write_csv(root / f"tables/{TABLE_NAME}.csv",
                                 recommendation_rows(seed, recommendations))}]
    if xlsx:
        tables.append({"path": f"tables/{TABLE_NAME}.xlsx", "format": "xlsx",
                       "rows": write_xlsx(root / f"tables/{TABLE_NAME}.xlsx",
                                          recommendation_rows(seed, recommendations))})
    manifest: dict[str, object] = {
        "generator": VERSION, "vocabulary": ontology.fingerprint()[:16], "seed": seed,
        "documents": pages, "tables": tables,
        "totals": {key: sum(_size(p[key]) for p in pages.values()) for key in
                   ("statements", "recommendations", "commitments", "concerns", "events", "notes",
                    "markers")},
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
    return manifest


def _size(value: object) -> int:
    return len(value) if isinstance(value, list) else int(value)  # type: ignore[call-overload]


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.generate --seed 7 --out DIR``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--documents", type=int, default=1000, help="pages (default 1000)")
    parser.add_argument("--recommendations", type=int, default=100_000,
                        help="table rows (default 100000)")
    parser.add_argument("--xlsx", action="store_true", help="also write the table as .xlsx")
    parser.add_argument("--triples", type=int, default=0,
                        help="also write recommendations.nt with this many triples")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.out, seed=args.seed, documents=args.documents,
                        recommendations=args.recommendations, xlsx=args.xlsx)
    if args.triples:
        write_ntriples(Path(args.out) / "recommendations.nt", args.triples, args.seed)
    totals = ", ".join(f"{n} {k}" for k, n in manifest["totals"].items())  # type: ignore[attr-defined]
    print(f"wrote {args.documents} documents ({totals}) and {args.recommendations} table rows "
          f"to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
