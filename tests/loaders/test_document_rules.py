"""The extraction rules, one convention at a time, on small pages."""

from __future__ import annotations

import datetime as dt

import pytest
from pyoxigraph import NamedNode, Triple

from rightsgraph.loaders import registry
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.dates import find_dates
from rightsgraph.loaders.markdown import parse_markdown
from rightsgraph.loaders.plaintext import parse_text
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source
from rightsgraph.loaders.tagging import Tagger
from rightsgraph.loaders.urls import find_urls
from rightsgraph.ontology.terms import RDF, RDFS, RG, SCHEMA

ORG = "https://w3id.org/rightsgraph/organisation/"
STATE = "https://w3id.org/rightsgraph/state/"


def load(name: str, text: str) -> Loaded:
    return registry.read(Source(name, text.encode()), LoadContext())


def of(loaded: Loaded, cls: NamedNode) -> dict[NamedNode, dict[str, list[str]]]:
    """Resources of class ``cls``: their properties by local name."""
    subjects = {t.subject for t in loaded.triples if t.predicate == RDF.type and t.object == cls}
    result: dict[NamedNode, dict[str, list[str]]] = {s: {} for s in subjects}  # type: ignore[misc]
    for t in loaded.triples:
        if t.subject in result:
            name = t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            result[t.subject].setdefault(name, []).append(t.object.value)  # type: ignore[index]
    return result


def texts(loaded: Loaded, cls: NamedNode) -> list[str]:
    return sorted(v["text"][0] for v in of(loaded, cls).values())


def triples_about(loaded: Loaded, text: str) -> list[Triple]:
    subject = next(t.subject for t in loaded.triples if t.predicate == RG.text
                   and t.object.value == text)
    return [t for t in loaded.triples if t.subject == subject]


# ---------------------------------------------------------------- footnotes


def test_roman_numeric_and_markdown_markers_are_read() -> None:
    page = parse_text("a.txt", "Title Of Post\n\nOne[xiv] two[3] and[^n]. Three.\n")
    assert [(m.label, m.printed) for m in page.statements[0].blocks[0].markers] == [
        ("xiv", "xiv"), ("3", "3"), ("n", "^n")]


def test_a_marker_glued_to_the_next_word_is_still_a_marker() -> None:
    loaded = load("a.txt", "A Post Title\n\nIn prison[x] [xi]have unveiled abuse.\n\nNotes\n\n"
                  "[x] https://a.org/x\n\n[xi] https://a.org/xi\n")
    passage = of(loaded, RG.Passage)
    assert len(next(iter(passage.values()))["footnote"]) == 2
    assert not loaded.report.doubts


def test_an_inline_note_ends_its_paragraph_and_wins_over_the_list() -> None:
    text = ("A Response\n\nRights are human rights. [i]. [i] It is important to note this.\n\n"
            "Overview: gender identity.[i]\n\nAppendix A: Footnotes\n\n[i] https://x.org/g\n")
    loaded = load("a.txt", text)
    notes = of(loaded, RG.Footnote)
    inline = next(v for v in notes.values() if v["text"][0].startswith("It is important"))
    listed = next(v for v in notes.values() if v["text"][0] == "https://x.org/g")
    assert "source" not in inline and listed["source"]
    passages = {v["text"][0]: v["footnote"] for v in of(loaded, RG.Passage).values()}
    first = passages["Rights are human rights. [i]."]
    overview = passages["Overview: gender identity.[i]"]
    assert first != overview and len(first) == len(overview) == 1


def test_markdown_and_numbered_notes_under_a_heading() -> None:
    page = parse_markdown("a.md", "# T\n\nA.[^a] B.[2]\n\n[^a]: First.\n\n## Notes\n\n"
                                  "1. One.\n2. Two.\n")
    assert [(n.label, n.printed, n.text) for n in page.notes] == [
        ("a", "^a", "First."), ("1", "1", "One."), ("2", "2", "Two.")]


def test_a_note_without_url_is_a_bibliographic_source_and_urls_are_found_glued() -> None:
    loaded = load("a.txt", "Post Title Here\n\nClaim.[1] Other.[2]\n\nReferences\n\n"
                  "[1] Black Mama’s Matter-Maternal Health Response-https://bmm.org/a/.\n\n"
                  "[2] Human Rights Watch. 2017. “Understanding Menstrual Hygiene.”\n")
    sources = of(loaded, RG.Source)
    urls = sorted(u for v in sources.values() for u in v.get("url", []))
    assert urls == ["https://bmm.org/a/"]
    bibliographic = [v for v in sources.values() if "url" not in v]
    assert bibliographic[0]["text"] == ["Human Rights Watch. 2017. “Understanding Menstrual "
                                        "Hygiene.”"]
    assert [u.url for u in find_urls("see www.un.org/x, and (https://a.org/b_(c)).")] == [
        "www.un.org/x", "https://a.org/b_(c)"]


# ---------------------------------------------------------------- recommendations


@pytest.mark.parametrize(
    ("lead", "to", "by"),
    [
        ("We urge the Government of Canada to:", STATE + "CAN", ORG + "amnesty-international"),
        ("In 2018 the CEDAW Committee recommended that Mexico:", STATE + "MEX",
         ORG + "cedaw-committee"),
        ("So, we call on the Biden Administration and other policy makers to:",
         ORG + "biden-administration", ORG + "amnesty-international"),
        ("The Committee recommends that the State party:", STATE + "KEN",
         ORG + "human-rights-committee"),
    ],
)
def test_items_after_a_calling_phrase_are_recommendations(lead: str, to: str, by: str) -> None:
    page = (f"---\nauthor: Amnesty International\n---\n# Kenya and the Human Rights Committee\n\n"
            f"{lead}\n\n- Ratify the Optional Protocol;\n- Adopt a plan; and\n"
            f"- Report back.\n")
    loaded = load("a.md", page)
    recommendations = of(loaded, RG.Recommendation)
    assert sorted(v["text"][0] for v in recommendations.values()) == [
        "Adopt a plan", "Ratify the Optional Protocol", "Report back."]
    for values in recommendations.values():
        assert values["addressedTo"] == [to] and values["madeBy"] == [by]


def test_a_recommendations_heading_and_a_calling_sentence() -> None:
    loaded = load("a.md", "# Brazil: a submission\n\nText.\n\n## Recommendations\n\n"
                  "1. Establish a national mechanism.\n2. Fund shelters.\n\n"
                  "We urge the Ministry of Women of Brazil to publish data on femicide.\n")
    assert texts(loaded, RG.Recommendation) == [
        "Establish a national mechanism.", "Fund shelters.",
        "We urge the Ministry of Women of Brazil to publish data on femicide."]


@pytest.mark.parametrize(
    "page",
    [
        "A Post Title\n\nTopics addressed will include:\n\nIndigenous Rights\n\nSex Workers Rights\n",
        "A Post Title\n\nWe heard no mention of the impacts for women, specifically,\n\n"
        "*whose job loss was high,\n\n*who are caregivers,\n",
        "# Agenda\n\nThe webinar will cover:\n\n- Feminicide investigations\n- Protection\n",
        "# Notes\n\nSeveral States urged the U.S. to ratify CEDAW in 2015.\n",
    ],
)
def test_other_lists_and_reported_calls_are_not_recommendations(page: str) -> None:
    name = "a.md" if page.startswith("#") else "a.txt"
    assert texts(load(name, page), RG.Recommendation) == []


# ---------------------------------------------------------------- commitments and concerns


def test_commitments_name_the_actor_reported() -> None:
    loaded = load("a.txt", "Response Of The Day\n\nToday in the Biden Administrations response "
                  "we learned that:\n\nThey have committed to ending family separation.\n\n"
                  "As to CEDAW, they agree and are committed to “working towards ratification”.\n\n"
                  "It is a relief to work under an Administration that has promised to act.\n\n"
                  "We commit to monitoring the pledges.\n\n"
                  "We did not hear how they intend to address COVID-19.\n")
    commitments = of(loaded, RG.Commitment)
    assert sorted(v["text"][0][:20] for v in commitments.values()) == [
        "As to CEDAW, they ag", "They have committed "]
    assert {m for v in commitments.values() for m in v["madeBy"]} == {
        ORG + "biden-administration"}
    assert texts(loaded, RG.Concern) == ["We did not hear how they intend to address COVID-19."]


def test_a_named_government_commits_and_a_harmful_intention_is_a_concern() -> None:
    loaded = load("a.md", "# Mexico\n\nThe Mexican government has promised to publish data. "
                  "Mexico accepted the recommendation to ratify the convention. "
                  "The State has made clear that it intends to continue to deprive women of "
                  "care.\n")
    commitments = of(loaded, RG.Commitment)
    assert len(commitments) == 2
    assert all(v["madeBy"] == [STATE + "MEX"] for v in commitments.values())
    assert texts(loaded, RG.Concern)[0].startswith("The State has made clear")


# ---------------------------------------------------------------- actors


def test_aliases_are_one_organisation_and_states_are_states() -> None:
    loaded = load("a.txt", "WLN Post\n\nWLN and Women Lead Network met the U.N. and the UN "
                  "and the United Nations in the U.S.\n")
    mentions = {o for v in of(loaded, RG.Passage).values() for o in v["mentions"]}
    assert mentions == {ORG + "women-lead-network", ORG + "united-nations", STATE + "USA"}


def test_new_organisations_are_found_by_pattern_but_not_months_headings_or_fragments() -> None:
    loaded = load("a.md", "# Overview\n\nIn March, the Native Women's Association of Canada "
                  "(NWAC) and the Coalition on Violence Against Women met. NWAC spoke. "
                  "Civil Society, the Human Rights Report and the Violence Against Women Act "
                  "were discussed on Monday.\n")
    organisations = {v["label"][0]: v for v in of(loaded, RG.Organisation).values()}
    assert set(organisations) == {"Native Women's Association of Canada",
                                  "Coalition on Violence Against Women"}
    assert organisations["Native Women's Association of Canada"]["altLabel"] == ["NWAC"]


# ---------------------------------------------------------------- events and dates


def test_dates_ranges_and_years_from_context() -> None:
    loaded = load("a.txt", "Pre-UPR Event\n\nWe join a final side event ahead of the United "
                  "States UPR on November 9th. The event will be held on Friday, November 6th.\n\n"
                  "The sixty-fifth session of the Commission on the Status of Women will take "
                  "place from 15 to 26 March 2021.\n")
    events = of(loaded, RG.Event)
    side = next(v for v in events.values() if "side event" in v["label"][0])
    assert side["startDate"] == ["2020-11-06"]
    assert side["superEvent"] == ["https://w3id.org/rightsgraph/event/upr-usa-2020"]
    mentioned = {o for t in loaded.triples if t.predicate == RG.mentions for o in [t.object.value]}
    assert "https://w3id.org/rightsgraph/event/csw65" in mentioned
    found = find_dates("between November 25 (a day) and December 10th; 8 May to 2 June 2023")
    assert [(d.month, d.day, d.end_month, d.end_day, d.year) for d in found] == [
        (11, 25, 12, 10, None), (5, 8, 6, 2, 2023)]
    assert found[0].dates(2020) == (dt.date(2020, 11, 25), dt.date(2020, 12, 10))


def test_an_undated_event_is_reported() -> None:
    loaded = load("a.txt", "Geneva Update\n\nWe participated in a briefing with the EU "
                  "Delegation.\n")
    assert [d.message for d in loaded.report.doubts] == ["event 'Briefing' has no date"]
    event = next(iter(of(loaded, RG.Event).values()))
    assert "startDate" not in event and event["label"] == ["Briefing"]


# ---------------------------------------------------------------- themes and groups


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Gender Based Violences", {"gender-based-violence"}),
        ("GENDER-BASED VIOLENCE and sex-workers", {"gender-based-violence", "sex-workers"}),
        ("Black and Indigenous Women", {"black-women", "indigenous-women"}),
        ("engagement with tribal communities", {"tribal-consultation", "tribal-communities"}),
        ("Indigenous women in prisons", {"indigenous-women", "incarcerated-women"}),
        ("the Women Lead Network", set()),
    ],
)
def test_tags_are_case_plural_and_hyphen_tolerant(text: str, concepts: set[str]) -> None:
    tagger = Tagger.shipped()
    names = [(4, 23)] if "Lead" in text else []
    tags = tagger.tags(text, names)
    assert {c.value.rsplit("/", 1)[-1] for c in tags.themes + tags.groups} == concepts


def test_instruments_are_mentioned() -> None:
    loaded = load("a.txt", "A Post\n\nRatify CEDAW, re-authorize the Violence Against Women Act "
                  "and repeal the Helms Amendment.\n")
    mentions = {o.rsplit("/", 1)[-1] for v in of(loaded, RG.Passage).values()
                for o in v["mentions"]}
    assert mentions == {"cedaw", "violence-against-women-act", "helms-amendment"}
    assert {t.object for t in loaded.triples if t.predicate == RDFS.label} \
        and SCHEMA.url not in {t.predicate for t in loaded.triples}
