"""Checks on the SKOS vocabularies shipped in ``rightsgraph.ontology``.

themes.ttl and groups.ttl are our own schemes; uhri.ttl restates the UN Universal Human
Rights Index lists and sdg.ttl the SDG goals and targets our themes are aligned with.
Each test names the concepts that break its rule.
"""

from __future__ import annotations

import re
from collections import defaultdict
from importlib.resources import files

import networkx as nx
import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

RG = Namespace("https://w3id.org/rightsgraph/ontology#")
THEME = Namespace("https://w3id.org/rightsgraph/theme/")
GROUP = Namespace("https://w3id.org/rightsgraph/group/")
UHRI_THEME = Namespace("https://w3id.org/rightsgraph/uhri/theme/")
UHRI_PERSON = Namespace("https://w3id.org/rightsgraph/uhri/person/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")

FILES = ("themes.ttl", "groups.ttl", "uhri.ttl", "sdg.ttl")
SCHEMES = (RG.ThemeScheme, RG.GroupScheme, RG.UhriThemeScheme, RG.UhriPersonScheme)

# The UHRI theme codes (older published list), see DOMAIN.md.
UHRI_THEME_CODES = (
    "A1 A2 A3 A4 A5 A6 B1 B2 B3 B4 B5 B6 B7 B8 B9 D1 D2 D3 D4 D5 D6 D7 D8 "
    "E1 E2 E3 E4 E5 E6 E7 F1 F3 F4 G1 G3 G4 G5 H1"
).split()
UHRI_PERSON_COUNT = 36

# Intersectional groups and the grounds each must name as skos:broader.
INTERSECTIONS = {
    "black-women": {"women", "people-of-african-descent"},
    "indigenous-women": {"women", "indigenous-peoples"},
    "trans-women": {"women", "transgender-people"},
    "migrant-women": {"women", "migrants"},
    "incarcerated-women": {"women", "people-deprived-of-liberty"},
    "women-of-colour": {"women", "racial-and-ethnic-minorities"},
    "latinx-women": {"women", "latinx-people"},
    "low-income-women": {"women", "people-living-in-poverty"},
    "refugee-women": {"women", "refugees-and-asylum-seekers"},
    "women-in-immigration-detention": {"women", "people-in-immigration-detention"},
}

# Phrasings taken from the sample corpus (womenlead-upr-2020-2021.txt), spelt as there,
# and the concept whose label or altLabel must carry them.
CORPUS_PHRASINGS = [
    ("Maternal Mortality", THEME["maternal-mortality"]),
    ("Reproductive Access", THEME["reproductive-health"]),
    ("reproductive healthcare", THEME["reproductive-health"]),
    ("Gender Based Violence", THEME["gender-based-violence"]),
    ("GBV", THEME["gender-based-violence"]),
    ("immigration detention", THEME["immigration-detention"]),
    ("non-consensual sterilizations", THEME["forced-sterilisation"]),
    ("sterilized without consent", THEME["forced-sterilisation"]),
    ("Menstrual hygiene", THEME["menstrual-health"]),
    ("sanitary pad", THEME["menstrual-health"]),
    ("sexual orientation and gender identity", THEME["sexual-orientation-and-gender-identity"]),
    ("racial justice", THEME["racial-justice"]),
    ("carceral settings", THEME["detention-conditions"]),
    ("use of force", THEME["policing"]),
    ("sex trafficking", THEME["human-trafficking"]),
    ("paid parental leave", THEME["paid-parental-leave"]),
    ("job loss", THEME["job-loss"]),
    ("Helms Amendment", THEME["foreign-assistance"]),
    ("CEDAW", THEME["treaty-ratification"]),
    ("COVID 19", THEME["covid-19"]),
    ("Violence Against Women Act", THEME["violence-against-women-legislation"]),
    ("intimate partner violence", THEME["intimate-partner-violence"]),
    ("Criminal Justice", THEME["criminal-justice"]),
    ("Worker\u2019s Rights", THEME["labour-rights"]),
    ("Health Care Access", THEME["health-care-access"]),
    ("Clean Water", THEME["clean-water"]),
    ("Land", THEME["land-rights"]),
    ("Women in Public Life", THEME["participation"]),
    ("decision making", THEME["participation"]),
    ("abortion access", THEME["abortion-access"]),
    ("Trans women", GROUP["trans-women"]),
    ("informal caregivers", GROUP["caregivers"]),
    ("health care providers", GROUP["health-workers"]),
    ("birthing and menstruating people", GROUP["birthing-and-menstruating-people"]),
    ("Women of Color", GROUP["women-of-colour"]),
    ("Latinx women", GROUP["latinx-women"]),
    ("Alaska Native women", GROUP["indigenous-women"]),
    ("tribal communities", GROUP["tribal-communities"]),
    ("immigration detainees", GROUP["people-in-immigration-detention"]),
    ("informal women workers", GROUP["informal-workers"]),
    ("women in detention", GROUP["incarcerated-women"]),
    ("women migrants", GROUP["migrant-women"]),
    ("low-income women", GROUP["low-income-women"]),
    ("LGBTQ people", GROUP["lgbtq-people"]),
]


def _read(name: str) -> bytes:
    return files("rightsgraph.ontology").joinpath(name).read_bytes()


def _fold(text: str) -> str:
    """Fold case and apostrophe style: the label as written, compared case-insensitively.

    >>> _fold("Worker\u2019s Rights") == _fold("worker's rights")
    True
    """
    return re.sub(r"[\u2018\u2019\u02bc`]", "'", text).casefold()


def _key(text: str) -> str:
    """Fold further as the text matcher does (dashes, slashes, spacing), to find labels
    that two concepts would compete for.

    >>> _key("Gender-Based  Violence") == _key("gender based violence")
    True
    """
    return " ".join(re.sub(r"[\u2010-\u2015\-_/]+", " ", _fold(text)).split())


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {name: Graph().parse(data=_read(name), format="turtle") for name in FILES}


@pytest.fixture(scope="module")
def graph(graphs: dict[str, Graph]) -> Graph:
    union = Graph()
    for g in graphs.values():
        union += g
    return union


def members(graph: Graph, scheme: URIRef) -> set[Node]:
    """The concepts of ``scheme`` found by type or IRI, independently of skos:inScheme."""
    if scheme == RG.ThemeScheme:
        return set(graph.subjects(RDF.type, RG.Theme))
    if scheme == RG.GroupScheme:
        return set(graph.subjects(RDF.type, RG.Group))
    prefix = str(UHRI_THEME if scheme == RG.UhriThemeScheme else UHRI_PERSON)
    return {
        c
        for c in graph.subjects(RDF.type, SKOS.Concept)
        if isinstance(c, URIRef) and str(c).startswith(prefix)
    }


def sdg_concepts(graph: Graph) -> set[Node]:
    return set(graph.subjects(RDF.type, SDGO.Goal)) | set(graph.subjects(RDF.type, SDGO.Target))


def literals(graph: Graph, subject: Node, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


def pref_label(graph: Graph, concept: Node) -> str:
    return str(graph.value(concept, SKOS.prefLabel))


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("name", FILES)
def test_file_parses_with_rdflib_and_pyoxigraph(name: str) -> None:
    data = _read(name)
    rdflib_triples = len(Graph().parse(data=data, format="turtle"))
    oxigraph_triples = len(list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE)))
    assert rdflib_triples > 0, f"{name} is empty"
    assert rdflib_triples == oxigraph_triples, f"{name}: rdflib and pyoxigraph disagree"


@pytest.mark.parametrize("name", FILES)
def test_file_has_ontology_header(graphs: dict[str, Graph], name: str) -> None:
    g = graphs[name]
    headers = list(g.subjects(RDF.type, OWL.Ontology))
    assert len(headers) == 1, f"{name}: expected one owl:Ontology header, found {headers}"
    missing = [
        str(p)
        for p in (DCTERMS.title, DCTERMS.license, RDFS.comment, RDFS.label, OWL.versionInfo)
        if g.value(headers[0], p) is None
    ]
    assert not missing, f"{name}: ontology header lacks {missing}"


def test_no_blank_nodes(graph: Graph) -> None:
    blank = {str(t) for triple in graph for t in triple if isinstance(t, BNode)}
    assert not blank, f"blank nodes found: {sorted(blank)[:10]}"


# --------------------------------------------------------------------------- sizes


def test_vocabulary_sizes(graph: Graph) -> None:
    themes = members(graph, RG.ThemeScheme)
    groups = members(graph, RG.GroupScheme)
    assert len(themes) >= 45, f"only {len(themes)} themes"
    assert len(groups) >= 35, f"only {len(groups)} groups"
    assert len(members(graph, RG.UhriPersonScheme)) == UHRI_PERSON_COUNT


def test_every_uhri_theme_code_is_declared(graph: Graph) -> None:
    declared = {str(graph.value(c, SKOS.notation)) for c in members(graph, RG.UhriThemeScheme)}
    missing = sorted(set(UHRI_THEME_CODES) - declared)
    extra = sorted(declared - set(UHRI_THEME_CODES))
    assert not missing and not extra, f"UHRI themes missing {missing}, unexpected {extra}"


# --------------------------------------------------------------------------- labels


def test_one_pref_label_per_language(graph: Graph) -> None:
    offenders = []
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        per_lang: dict[str | None, int] = defaultdict(int)
        for label in literals(graph, concept, SKOS.prefLabel):
            per_lang[label.language] += 1
        if per_lang.get("en") != 1 or any(n != 1 for n in per_lang.values()) or None in per_lang:
            offenders.append(f"{concept} {dict(per_lang)}")
    assert not offenders, "prefLabel count per language is not exactly one:\n" + "\n".join(sorted(offenders))


def test_every_declared_resource_has_an_english_rdfs_label(graph: Graph) -> None:
    offenders = [
        str(s)
        for s in set(graph.subjects(RDF.type, None))
        if not any(lab.language == "en" for lab in literals(graph, s, RDFS.label))
    ]
    assert not offenders, f"no rdfs:label@en on: {sorted(offenders)}"


def test_rdfs_label_equals_pref_label(graph: Graph) -> None:
    offenders = [
        str(c)
        for c in set(graph.subjects(RDF.type, SKOS.Concept))
        if set(literals(graph, c, RDFS.label)) != set(literals(graph, c, SKOS.prefLabel))
    ]
    assert not offenders, f"rdfs:label differs from skos:prefLabel on: {sorted(offenders)}"


def test_all_labels_are_tagged_english(graph: Graph) -> None:
    offenders = [
        f"{s} {p} {o!r}"
        for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label, SKOS.definition)
        for s, o in graph.subject_objects(p)
        if not (isinstance(o, Literal) and o.language == "en")
    ]
    assert not offenders, "labels without @en:\n" + "\n".join(sorted(offenders))


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.fragment)
def test_alt_labels_unique_within_scheme(graph: Graph, scheme: URIRef) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for concept in members(graph, scheme):
        for label in literals(graph, concept, SKOS.altLabel):
            owners[_key(label)].add(str(concept))
    shared = {label: sorted(cs) for label, cs in owners.items() if len(cs) > 1}
    assert not shared, f"altLabels shared by several concepts: {shared}"


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.fragment)
def test_alt_label_is_not_another_concepts_pref_label(graph: Graph, scheme: URIRef) -> None:
    concepts = members(graph, scheme)
    pref_owner = {_key(pref_label(graph, c)): c for c in concepts}
    clashes = [
        f"{c} altLabel {str(label)!r} is the prefLabel of {pref_owner[_key(label)]}"
        for c in concepts
        for label in literals(graph, c, SKOS.altLabel)
        if pref_owner.get(_key(label), c) != c
    ]
    assert not clashes, "\n".join(sorted(clashes))


def test_alt_labels_do_not_repeat_own_pref_label(graph: Graph) -> None:
    offenders = [
        f"{c}: {str(label)!r}"
        for c in set(graph.subjects(RDF.type, SKOS.Concept))
        for label in literals(graph, c, SKOS.altLabel)
        if _fold(label) == _fold(pref_label(graph, c))
    ]
    assert not offenders, f"altLabel repeats the concept's own prefLabel: {offenders}"


@pytest.mark.parametrize(("phrase", "concept"), CORPUS_PHRASINGS, ids=[p for p, _ in CORPUS_PHRASINGS])
def test_corpus_phrasing_is_a_label_of_the_intended_concept(
    graph: Graph, phrase: str, concept: URIRef
) -> None:
    labels = {
        _fold(label)
        for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label)
        for label in literals(graph, concept, p)
    }
    assert labels, f"{concept} is not declared"
    assert _fold(phrase) in labels, f"{phrase!r} is not a label of {concept}"


# --------------------------------------------------------------------------- schemes


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.fragment)
def test_scheme_is_described(graph: Graph, scheme: URIRef) -> None:
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph, f"{scheme} is not a ConceptScheme"
    assert graph.value(scheme, SKOS.prefLabel) is not None, f"{scheme} has no prefLabel"
    assert graph.value(scheme, RDFS.label) is not None, f"{scheme} has no rdfs:label"


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.fragment)
def test_concepts_are_in_their_scheme(graph: Graph, scheme: URIRef) -> None:
    concepts = members(graph, scheme)
    assert concepts, f"{scheme} has no concepts"
    outside = sorted(str(c) for c in concepts if (c, SKOS.inScheme, scheme) not in graph)
    stray = sorted(str(c) for c in set(graph.subjects(SKOS.inScheme, scheme)) - concepts)
    untyped = sorted(str(c) for c in concepts if (c, RDF.type, SKOS.Concept) not in graph)
    assert not outside, f"not skos:inScheme {scheme}: {outside}"
    assert not stray, f"in {scheme} but of the wrong kind: {stray}"
    assert not untyped, f"not typed skos:Concept: {untyped}"


@pytest.mark.parametrize("scheme", (RG.ThemeScheme, RG.GroupScheme), ids=lambda s: s.fragment)
def test_every_concept_has_one_definition(graph: Graph, scheme: URIRef) -> None:
    offenders = sorted(
        str(c) for c in members(graph, scheme) if len(literals(graph, c, SKOS.definition)) != 1
    )
    assert not offenders, f"not exactly one skos:definition: {offenders}"


@pytest.mark.parametrize(
    "scheme", (RG.ThemeScheme, RG.GroupScheme, RG.UhriThemeScheme), ids=lambda s: s.fragment
)
def test_notations_present_and_unique(graph: Graph, scheme: URIRef) -> None:
    concepts = members(graph, scheme)
    missing = sorted(str(c) for c in concepts if len(literals(graph, c, SKOS.notation)) != 1)
    assert not missing, f"not exactly one skos:notation: {missing}"
    owners: dict[str, list[str]] = defaultdict(list)
    for c in concepts:
        owners[str(graph.value(c, SKOS.notation))].append(str(c))
    duplicates = {n: cs for n, cs in owners.items() if len(cs) > 1}
    assert not duplicates, f"notation used twice in {scheme}: {duplicates}"


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.fragment)
def test_top_concepts(graph: Graph, scheme: URIRef) -> None:
    concepts = members(graph, scheme)
    top_of = set(graph.subjects(SKOS.topConceptOf, scheme))
    has_top = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert top_of == has_top, (
        f"topConceptOf without hasTopConcept: {sorted(map(str, top_of - has_top))}; "
        f"hasTopConcept without topConceptOf: {sorted(map(str, has_top - top_of))}"
    )
    with_broader = sorted(str(c) for c in top_of if graph.value(c, SKOS.broader) is not None)
    assert not with_broader, f"top concepts with a broader concept: {with_broader}"
    orphans = sorted(str(c) for c in concepts - top_of if graph.value(c, SKOS.broader) is None)
    assert not orphans, f"neither top concept nor narrower of one: {orphans}"


def test_themes_form_two_levels(graph: Graph) -> None:
    themes = members(graph, RG.ThemeScheme)
    tops = set(graph.subjects(SKOS.topConceptOf, RG.ThemeScheme))
    deep = sorted(
        f"{c} -> {b}" for c, b in graph.subject_objects(SKOS.broader) if c in themes and b not in tops
    )
    assert not deep, f"themes whose broader is not a top concept: {deep}"


@pytest.mark.parametrize("scheme", (RG.ThemeScheme, RG.GroupScheme), ids=lambda s: s.fragment)
def test_broader_stays_in_scheme(graph: Graph, scheme: URIRef) -> None:
    concepts = members(graph, scheme)
    leaks = sorted(
        f"{c} {p} {o}"
        for p in (SKOS.broader, SKOS.narrower, SKOS.related)
        for c, o in graph.subject_objects(p)
        if c in concepts and o not in concepts
    )
    assert not leaks, f"hierarchy links leaving {scheme}: {leaks}"


# --------------------------------------------------------------------------- hierarchy


def test_no_broader_cycles(graph: Graph) -> None:
    hierarchy = nx.DiGraph((str(c), str(b)) for c, b in graph.subject_objects(SKOS.broader))
    cycles = list(nx.simple_cycles(hierarchy))
    assert not cycles, f"skos:broader cycles: {cycles}"


def test_broader_and_narrower_are_inverse(graph: Graph) -> None:
    up = {(str(c), str(b)) for c, b in graph.subject_objects(SKOS.broader)}
    down = {(str(c), str(n)) for n, c in graph.subject_objects(SKOS.narrower)}
    assert not up - down, f"broader without narrower (concept, broader): {sorted(up - down)}"
    assert not down - up, f"narrower without broader (concept, broader): {sorted(down - up)}"


def test_related_is_symmetric(graph: Graph) -> None:
    pairs = {(str(a), str(b)) for a, b in graph.subject_objects(SKOS.related)}
    one_way = sorted(p for p in pairs if (p[1], p[0]) not in pairs)
    assert not one_way, f"skos:related stated one way only: {one_way}"


@pytest.mark.parametrize("group", sorted(INTERSECTIONS))
def test_intersectional_group_names_each_ground(graph: Graph, group: str) -> None:
    broader = {str(b).rsplit("/", 1)[-1] for b in graph.objects(GROUP[group], SKOS.broader)}
    assert len(broader) >= 2, f"group {group} has fewer than two broader concepts: {broader}"
    missing = INTERSECTIONS[group] - broader
    assert not missing, f"group {group} lacks broader {sorted(missing)}"


# --------------------------------------------------------------------------- alignments


def test_every_uhri_theme_is_close_matched_by_a_theme(graph: Graph) -> None:
    themes = members(graph, RG.ThemeScheme)
    matched = {o for s, o in graph.subject_objects(SKOS.closeMatch) if s in themes}
    unmatched = [code for code in UHRI_THEME_CODES if UHRI_THEME[code] not in matched]
    assert not unmatched, f"UHRI themes no theme closeMatches: {unmatched}"


def test_every_sdg_target_is_close_matched_by_a_theme(graph: Graph) -> None:
    themes = members(graph, RG.ThemeScheme)
    matched = {o for s, o in graph.subject_objects(SKOS.closeMatch) if s in themes}
    targets = set(graph.subjects(RDF.type, SDGO.Target))
    unmatched = sorted(str(graph.value(t, SKOS.notation)) for t in targets - matched)
    assert targets, "sdg.ttl declares no targets"
    assert not unmatched, f"SDG targets no theme closeMatches: {unmatched}"


def test_close_match_targets_are_declared(graphs: dict[str, Graph], graph: Graph) -> None:
    declared = {c for name in ("uhri.ttl", "sdg.ttl") for c in graphs[name].subjects(RDF.type, SKOS.Concept)}
    ours = members(graph, RG.ThemeScheme) | members(graph, RG.GroupScheme)
    dangling = sorted(
        f"{s} -> {o}" for s, o in graph.subject_objects(SKOS.closeMatch) if s in ours and o not in declared
    )
    assert not dangling, f"closeMatch to concepts not declared in uhri.ttl or sdg.ttl: {dangling}"


def test_groups_close_match_only_uhri_persons(graph: Graph) -> None:
    groups = members(graph, RG.GroupScheme)
    persons = members(graph, RG.UhriPersonScheme)
    wrong = sorted(
        f"{s} -> {o}" for s, o in graph.subject_objects(SKOS.closeMatch) if s in groups and o not in persons
    )
    assert not wrong, f"groups closeMatched to something other than a UHRI person: {wrong}"


def test_sdg_targets_belong_to_their_goal(graph: Graph) -> None:
    offenders = []
    for target in set(graph.subjects(RDF.type, SDGO.Target)):
        goals = list(graph.subjects(SDGO.hasTarget, target))
        notation = str(graph.value(target, SKOS.notation))
        if len(goals) != 1 or (goals[0], RDF.type, SDGO.Goal) not in graph:
            offenders.append(f"{target}: goals {goals}")
        elif not notation.startswith(f"{graph.value(goals[0], SKOS.notation)}."):
            offenders.append(f"{target}: notation {notation} outside goal {goals[0]}")
        elif str(target) != f"http://metadata.un.org/sdg/{notation}":
            offenders.append(f"{target}: IRI does not end in its notation {notation}")
    assert not offenders, "\n".join(sorted(offenders))
    for concept in sdg_concepts(graph):
        assert (concept, RDF.type, SKOS.Concept) in graph, f"{concept} is not a skos:Concept"
