"""Precision and recall of a loaded document against its hand-made gold file.

Everything is read back from the store with SPARQL over the vocabulary, so a
score measures what an analyst would get.  ``docs/tools/extraction_figures.py``
prints the same scores as the table in docs/extraction.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Variable

from rightsgraph.graph.store import GraphStore

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = DATA / "gold"
DOCS = DATA / "docs"
BASE = "https://w3id.org/rightsgraph/"

#: The kinds scored, in the order of the published table.
KINDS = (
    "footnotes", "footnote links", "recommendations", "recommendation actors", "commitments",
    "concerns", "organisations", "states", "events", "event dates", "statement dates",
    "themes and groups",
)


@dataclass
class Score:
    """Counts of one kind: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.misses += other.misses


def load_gold(name: str) -> dict[str, Any]:
    """The gold file of the document ``name`` (a file name)."""
    stem = name.rsplit(".", 1)[0]
    gold: dict[str, Any] = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    return gold


def key(term: object, labels: dict[str, str]) -> str:
    """A gold-file key for an actor or concept IRI: ``organisation/x``, ``state/USA``,
    ``label:Name`` for organisations a document introduced."""
    value = term.value if isinstance(term, NamedNode) else str(term)
    if value.startswith(BASE + "id/"):
        return "label:" + labels.get(value, value)
    return value.removeprefix(BASE)


def _short(value: str) -> str:
    return value.rsplit("/", 1)[-1]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _rows(store: GraphStore, sparql: str, document: NamedNode) -> list[dict[str, str]]:
    result = store.query(sparql, substitutions={Variable("doc"): document})
    rows = []
    for solution in result:  # type: ignore[union-attr]
        row = {}
        for variable in result.variables:  # type: ignore[union-attr]
            term = solution[variable]
            row[variable.value] = "" if term is None else term.value
        rows.append(row)
    return rows


def document_iri(store: GraphStore, file_name: str) -> NamedNode:
    rows = store.query("SELECT ?doc ?file WHERE { ?doc a rg:Document ; rg:fileName ?file }",
                       substitutions={Variable("file"): Literal(file_name)})
    found = [row["doc"] for row in rows]  # type: ignore[union-attr]
    assert len(found) == 1, f"{file_name}: {len(found)} documents"
    return found[0]


def _labels(store: GraphStore, document: NamedNode) -> dict[str, str]:
    rows = _rows(store, """SELECT ?doc ?o ?label WHERE {
        ?o a rg:Organisation ; prov:wasDerivedFrom ?doc ; rdfs:label ?label }""", document)
    return {r["o"]: r["label"] for r in rows}


def _sets(rows: list[dict[str, str]], by: str, column: str, labels: dict[str, str]
          ) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for row in rows:
        values = result.setdefault(row[by], set())
        if row[column]:
            values.add(key(NamedNode(row[column]), labels))
    return result


def _match(gold_texts: Iterable[str], found: dict[str, str]) -> dict[str, str | None]:
    """Pair each gold text (a prefix) with a found resource whose text starts with it."""
    pairs: dict[str, str | None] = {}
    used: set[str] = set()
    for text in gold_texts:
        prefix = _norm(text)
        pairs[text] = next((iri for iri, value in found.items()
                            if iri not in used and _norm(value).startswith(prefix)), None)
        if pairs[text] is not None:
            used.add(pairs[text])  # type: ignore[arg-type]
    return pairs


def _pr(gold: set[str], found: set[str], what: str) -> Score:
    score = Score(len(gold & found), len(found - gold), len(gold - found))
    score.misses = [f"{what}: missed {x}" for x in sorted(gold - found)]
    score.misses += [f"{what}: extra {x}" for x in sorted(found - gold)]
    return score


# ---------------------------------------------------------------- kinds


def _footnotes(store: GraphStore, doc: NamedNode, gold: dict[str, Any]) -> Score:
    rows = _rows(store, """SELECT ?doc ?f ?marker ?text ?url ?bib WHERE {
        ?f a rg:Footnote ; prov:wasDerivedFrom ?doc ; rg:marker ?marker ; rg:text ?text .
        OPTIONAL { ?f rg:source ?s . OPTIONAL { ?s schema:url ?url } OPTIONAL { ?s rg:text ?bib } }
    }""", doc)
    found = {r["f"]: r for r in rows}
    score = Score()
    used: set[str] = set()
    for note in gold["footnotes"]:
        match = next((f for f, r in found.items() if f not in used and r["marker"] == note["marker"]
                      and _norm(r["text"]).startswith(_norm(note["text"]))), None)
        ok = match is not None
        if match is not None:
            used.add(match)
            row = found[match]
            if note["url"]:
                ok = row["url"] == note["url"]
            elif note["bibliographic"]:
                ok = not row["url"] and _norm(row["bib"]).startswith(_norm(note["bibliographic"]))
            else:
                ok = not row["url"] and not row["bib"]
        if ok:
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append(f"footnote [{note['marker']}] {note['text'][:40]}: "
                                f"{'wrong source' if match else 'not found'}")
    score.fp = len(found) - score.tp
    return score


def _links(store: GraphStore, doc: NamedNode, gold: dict[str, Any]) -> Score:
    rows = _rows(store, """SELECT ?doc ?p ?text ?marker ?note WHERE {
        ?p a rg:Passage ; prov:wasDerivedFrom ?doc ; rg:text ?text ; rg:footnote ?f .
        ?f rg:marker ?marker ; rg:text ?note }""", doc)
    found = {(_norm(r["text"]), r["marker"], _norm(r["note"])) for r in rows}
    expected = {(_norm(p), m, _norm(n)) for p, m, n in gold["footnote_links"]}
    tp = {e for e in expected if any(f[0].startswith(e[0]) and f[1] == e[1]
                                     and f[2].startswith(e[2]) for f in found)}
    score = Score(len(tp), 0, len(expected) - len(tp))
    score.fp = sum(1 for f in found if not any(f[0].startswith(e[0]) and f[1] == e[1]
                                               and f[2].startswith(e[2]) for e in expected))
    score.misses = [f"link {p[:30]} -> [{m}] missing" for p, m, _ in sorted(expected - tp)]
    return score


def _claims(store: GraphStore, doc: NamedNode, cls: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    rows = _rows(store, f"""SELECT ?doc ?r ?text ?to ?by WHERE {{
        ?r a {cls} ; prov:wasDerivedFrom ?doc ; rg:text ?text .
        OPTIONAL {{ ?r rg:addressedTo ?to }} OPTIONAL {{ ?r rg:madeBy ?by }} }}""", doc)
    return {r["r"]: r["text"] for r in rows}, rows


def _claim_scores(store: GraphStore, doc: NamedNode, gold_items: list[dict[str, Any]],
                  cls: str, labels: dict[str, str], exact: bool
                  ) -> tuple[Score, Score, dict[str, str | None]]:
    """Scores of the claims themselves and of their actors (addressee, maker)."""
    texts, rows = _claims(store, doc, cls)
    to = _sets(rows, "r", "to", labels)
    by = _sets(rows, "r", "by", labels)
    pairs = _match([g["text"] for g in gold_items], texts)
    found, actors = Score(), Score()
    for item in gold_items:
        iri = pairs[item["text"]]
        if iri is not None and exact and _norm(texts[iri]) != _norm(item["text"]):
            iri = None
        if iri is None:
            found.fn += 1
            found.misses.append(f"{cls} missed: {item['text'][:60]}")
            continue
        found.tp += 1
        right = ("addressedTo" not in item or to.get(iri, set()) == set(item["addressedTo"])) \
            and ("madeBy" not in item or by.get(iri, set()) == set(item["madeBy"]))
        if right:
            actors.tp += 1
        else:
            actors.fn += 1
            actors.fp += 1
            actors.misses.append(f"{cls} actors of {item['text'][:40]}: to {sorted(to.get(iri, []))} "
                                 f"by {sorted(by.get(iri, []))}")
    matched = {i for i in pairs.values() if i is not None}
    found.fp = len(texts) - len(matched)
    found.misses += [f"{cls} extra: {texts[i][:60]}" for i in texts if i not in matched]
    return found, actors, pairs


def _actors(store: GraphStore, doc: NamedNode, gold: dict[str, Any], labels: dict[str, str]
            ) -> tuple[Score, Score]:
    rows = _rows(store, """SELECT DISTINCT ?doc ?o ?state WHERE {
        { ?r prov:wasDerivedFrom ?doc .
          ?r rg:mentions|dcterms:creator|rg:madeBy|rg:addressedTo|schema:organizer ?o }
        UNION { ?o a rg:Organisation ; prov:wasDerivedFrom ?doc }
        { ?o a rg:Organisation BIND(false AS ?state) } UNION { ?o a rg:State BIND(true AS ?state) }
    }""", doc)
    organisations = {key(NamedNode(r["o"]), labels) for r in rows if r["state"] == "false"}
    states = {_short(r["o"]) for r in rows if r["state"] == "true"}
    return (_pr(set(gold["organisations"]), organisations, "organisation"),
            _pr(set(gold["states"]), states, "state"))


def _events(store: GraphStore, doc: NamedNode, gold: dict[str, Any], labels: dict[str, str]
            ) -> tuple[Score, Score]:
    rows = _rows(store, """SELECT DISTINCT ?doc ?e ?label ?start ?end ?org ?super WHERE {
        { ?e prov:wasDerivedFrom ?doc } UNION { ?r prov:wasDerivedFrom ?doc ; rg:mentions ?e }
        ?e a rg:Event ; rdfs:label ?label .
        OPTIONAL { ?e schema:startDate ?start } OPTIONAL { ?e schema:endDate ?end }
        OPTIONAL { ?e schema:organizer ?org } OPTIONAL { ?e schema:superEvent ?super } }""", doc)
    events: dict[str, dict[str, Any]] = {}
    for r in rows:
        event = events.setdefault(r["e"], {"label": r["label"], "start": r["start"] or None,
                                           "end": r["end"] or None, "org": set(), "super": None})
        if r["org"]:
            event["org"].add(key(NamedNode(r["org"]), labels))
        if r["super"]:
            event["super"] = key(NamedNode(r["super"]), labels)
    found, dated = Score(), Score()
    used: set[str] = set()
    for item in gold["events"]:
        wanted = item["match"].lower()
        match = next((e for e, v in events.items() if e not in used and
                      (e.endswith("/" + wanted.split("/")[-1]) if "/" in wanted
                       else wanted in v["label"].lower())), None)
        if match is None:
            found.fn += 1
            dated.fn += 1
            found.misses.append(f"event missed: {item['match']}")
            continue
        used.add(match)
        found.tp += 1
        event = events[match]
        right = event["start"] == item["start"] and event["end"] == item["end"]
        details = event["org"] == set(item["organizers"]) and event["super"] == item["superEvent"]
        if right:
            dated.tp += 1
        else:
            dated.fn += 1
            dated.fp += 1
            dated.misses.append(f"event {item['match']}: {event['start']}..{event['end']}")
        if not details:
            found.misses.append(f"event {item['match']} (not scored): organisers "
                                f"{sorted(event['org'])}, super {event['super']}")
    found.fp = len(events) - len(used)
    dated.fp += len(events) - len(used)
    found.misses += [f"event extra: {events[e]['label']}" for e in events if e not in used]
    return found, dated


def _statement_dates(store: GraphStore, doc: NamedNode, gold: dict[str, Any],
                     labels: dict[str, str]) -> Score:
    rows = _rows(store, """SELECT ?doc ?s ?title ?date ?creator WHERE {
        ?s a rg:Statement ; dcterms:isPartOf ?doc ; rdfs:label ?title .
        OPTIONAL { ?s dcterms:date ?date } OPTIONAL { ?s dcterms:creator ?creator } }""", doc)
    titles = {r["s"]: r["title"] for r in rows}
    dates = {r["s"]: r["date"] or None for r in rows}
    creators = _sets(rows, "s", "creator", labels)
    pairs = _match([g["title"] for g in gold["statements"]], titles)
    score = Score()
    for item in gold["statements"]:
        iri = pairs[item["title"]]
        wanted_creators = {c if c.startswith("label:") else "organisation/" + c
                           for c in item["creators"]}
        if iri is not None and dates[iri] == item["date"] and creators.get(iri) == wanted_creators:
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append(f"statement {item['title'][:40]}: "
                                f"{(dates.get(iri or ''), sorted(creators.get(iri or '', [])))}")
    score.fp = len(titles) - score.tp
    return score


def _tags(store: GraphStore, doc: NamedNode, units: list[tuple[str, dict[str, str | None],
                                                              list[dict[str, Any]]]]) -> Score:
    rows = _rows(store, """SELECT ?doc ?r ?c WHERE {
        ?r prov:wasDerivedFrom ?doc ; rg:theme|rg:group ?c }""", doc)
    tags: dict[str, set[str]] = {}
    for r in rows:
        tags.setdefault(r["r"], set()).add(_short(r["c"]))
    score = Score()
    for _, pairs, items in units:
        for item in items:
            iri = pairs.get(item["text"])
            wanted = set(item["themes"]) | set(item["groups"])
            got = tags.get(iri or "", set())
            score.tp += len(wanted & got)
            score.fn += len(wanted - got)
            score.fp += len(got - wanted)
            if wanted - got:
                score.misses.append(f"tags of {item['text'][:40]}: missed {sorted(wanted - got)}")
    return score


def score_document(store: GraphStore, gold: dict[str, Any]) -> dict[str, Score]:
    """Score the loaded document of ``gold["file"]`` kind by kind."""
    doc = document_iri(store, gold["file"])
    labels = _labels(store, doc)
    scores: dict[str, Score] = {}
    scores["footnotes"] = _footnotes(store, doc, gold)
    scores["footnote links"] = _links(store, doc, gold)
    recs, rec_actors, rec_pairs = _claim_scores(store, doc, gold["recommendations"],
                                                "rg:Recommendation", labels, exact=True)
    scores["recommendations"], scores["recommendation actors"] = recs, rec_actors
    commitments, _, commitment_pairs = _claim_scores(store, doc, gold["commitments"],
                                                     "rg:Commitment", labels, exact=False)
    commitment_actors = _claim_scores(store, doc, gold["commitments"], "rg:Commitment", labels,
                                      exact=False)[1]
    scores["commitments"] = commitments
    scores["commitment actors"] = commitment_actors
    concerns, _, concern_pairs = _claim_scores(store, doc, gold["concerns"], "rg:Concern",
                                               labels, exact=False)
    scores["concerns"] = concerns
    scores["organisations"], scores["states"] = _actors(store, doc, gold, labels)
    scores["events"], scores["event dates"] = _events(store, doc, gold, labels)
    scores["statement dates"] = _statement_dates(store, doc, gold, labels)
    passages, _ = _claims(store, doc, "rg:Passage")
    passage_pairs = _match([p["text"] for p in gold.get("passages", [])], passages)
    scores["themes and groups"] = _tags(store, doc, [
        ("recommendations", rec_pairs, gold["recommendations"]),
        ("commitments", commitment_pairs, gold["commitments"]),
        ("concerns", concern_pairs, gold["concerns"]),
        ("passages", passage_pairs, gold.get("passages", [])),
    ])
    return scores


def gold_files() -> list[str]:
    """The file names of every document with a gold file (the corpus first)."""
    names = [json.loads(p.read_text(encoding="utf-8"))["file"] for p in sorted(GOLD.glob("*.json"))]
    return sorted(names, key=lambda n: (not n.startswith("womenlead"), n))


def table(scores: dict[str, dict[str, Score]]) -> str:
    """A Markdown table: one row per kind, precision and recall per document."""
    names = list(scores)
    head = "| kind | " + " | ".join(f"{_stem(n)} P / R" for n in names) + " |"
    lines = [head, "|" + "---|" * (len(names) + 1)]
    for kind in [*KINDS[:4], "commitments", "commitment actors", *KINDS[5:]]:
        cells = []
        for name in names:
            score = scores[name].get(kind)
            cells.append("–" if score is None or score.tp + score.fn + score.fp == 0 else
                         f"{score.precision:.0%} / {score.recall:.0%} ({score.tp}/{score.tp + score.fn})")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _stem(name: str) -> str:
    return re.sub(r"\.(txt|md|html)$", "", name)


def gold_path(name: str) -> Path:
    """Where the document ``name`` is: the bundled corpus or tests/data/docs."""
    from rightsgraph.loaders.sample import sample_corpus_path

    return sample_corpus_path() if name.startswith("womenlead") else DOCS / name
