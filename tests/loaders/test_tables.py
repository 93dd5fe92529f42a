"""Recommendation tables: CSV, TSV, Excel and JSON into rg:Recommendation."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, QuerySolution, QuerySolutions

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.store import GraphStore
from rightsgraph.graph.validation import validate
from rightsgraph.loaders import registry
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.columns import COLUMNS, normalise_header
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source
from rightsgraph.loaders.upr import (
    action_category,
    cycle_number,
    date_literal,
    response,
    sdg_target,
    session_number,
)

TABLES = Path(__file__).parent.parent / "data" / "tables"
UPR_CSV = TABLES / "upr-usa-2020.csv"
RunCli = Callable[..., subprocess.CompletedProcess[str]]
HEADER = ("Recommendation,Recommending State,State under Review,Response,Action Category,"
          "Issues,Affected persons,SDG targets,Cycle,Session,Document symbol,Paragraph,Date")



def solutions(store: GraphStore, sparql: str, **options: Any) -> list[QuerySolution]:
    """The solutions of a SELECT query, as a list."""
    result = store.query(sparql, **options)
    assert isinstance(result, QuerySolutions)
    return list(result)


def load(store: GraphStore, path: Path, **options: object) -> Loaded:
    loads = parse_paths([path], LoadContext(**options))  # type: ignore[arg-type]
    store_loaded(store, loads)
    return loads[0]


def values(store: GraphStore, sparql: str) -> list[str]:
    return sorted(row[0].value for row in solutions(store, sparql))


# ------------------------------------------------------------------ the acceptance table


def test_a_row_without_text_rejects_the_whole_table(store: GraphStore) -> None:
    before = store.count()
    with pytest.raises(InputError) as caught:
        load(store, UPR_CSV)
    error = caught.value
    # Header is row 1; the blank line above counts as a spreadsheet row.
    assert (error.line, error.column) == (11, 1)
    assert str(error).splitlines()[0].startswith(
        f"{UPR_CSV}:11:1: row 11, Recommendation: no recommendation text"
    )
    assert store.count() == before


def test_skip_invalid_loads_sixteen_recommendations_with_every_field(store: GraphStore) -> None:
    loaded = load(store, UPR_CSV, skip_invalid=True)
    assert loaded.report.found["recommendations"] == 16
    assert loaded.report.found["skipped rows"] == 1
    assert any(d.line == 11 and "no recommendation text" in d.message
               for d in loaded.report.doubts)
    for path in ("rg:text", "rdfs:label", "prov:wasDerivedFrom", "rg:recommendingState",
                 "rg:madeBy", "rg:stateUnderReview", "rg:addressedTo", "rg:response",
                 "rg:actionCategory", "rg:cycle", "rg:session", "dcterms:identifier",
                 "rg:paragraph", "dcterms:date", "rg:sdgTarget", "rg:theme", "rg:group"):
        count = values(store, f"""SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{
            ?r a rg:Recommendation ; {path} ?v }}""")
        assert count == ["16"], path


def test_the_table_conforms_to_the_shapes(store: GraphStore) -> None:
    load(store, UPR_CSV, skip_invalid=True)
    assert validate(store) == []


def test_sparql_finds_recommendations_by_theme_group_response_state_and_sdg(
    store: GraphStore,
) -> None:
    load(store, UPR_CSV, skip_invalid=True)
    found = values(store, """SELECT ?paragraph WHERE {
        ?r a rg:Recommendation ; rg:paragraph ?paragraph ;
           rg:theme theme:maternal-mortality ; rg:group group:black-women ;
           rg:response "supported" ; rg:recommendingState <https://w3id.org/rightsgraph/state/BOL> ;
           rg:sdgTarget sdg:3.1 ; rg:stateUnderReview <https://w3id.org/rightsgraph/state/USA> }""")
    assert found == ["26.121", "26.250"]


def test_values_are_normalised(store: GraphStore) -> None:
    load(store, UPR_CSV, skip_invalid=True)
    assert values(store, "SELECT DISTINCT ?v WHERE { ?r rg:response ?v }") == [
        "noted", "supported", "supported in part"]
    assert values(store, "SELECT DISTINCT ?v WHERE { ?r rg:actionCategory ?v }") == [
        "1", "2", "3", "4", "5"]
    sdgs = values(store, "SELECT DISTINCT ?v WHERE { ?r rg:sdgTarget ?v }")
    assert {"http://metadata.un.org/sdg/3.7", "http://metadata.un.org/sdg/5.6",
            "http://metadata.un.org/sdg/10.7", "http://metadata.un.org/sdg/5.2"} <= set(sdgs)
    rows = solutions(store, """SELECT ?date ?cycle WHERE {
        ?r rg:paragraph "26.250" ; dcterms:date ?date ; rg:cycle ?cycle }""")
    assert rows[0]["date"] == Literal("2020-11-09", datatype=NamedNode(
        "http://www.w3.org/2001/XMLSchema#date"))
    assert rows[0]["cycle"] == Literal(3)


def test_states_come_from_their_un_names_and_variants(store: GraphStore) -> None:
    load(store, UPR_CSV, skip_invalid=True)
    states = values(store, """SELECT DISTINCT ?code WHERE {
        ?r rg:recommendingState ?s . ?s rg:isoCode ?code }""")
    assert {"BOL", "CIV", "TUR", "RUS", "VNM", "IRN", "VEN", "KOR", "PRK", "GBR", "VAT",
            "PSE", "MEX", "ZAF"} <= set(states)
    # "USA", "United States" and "United States of America" are one State.
    assert values(store, "SELECT DISTINCT ?s WHERE { ?r rg:stateUnderReview ?s }") == [
        "https://w3id.org/rightsgraph/state/USA"]
    # Two recommending States in one cell, split on ";".
    assert values(store, """SELECT ?code WHERE { ?r rg:paragraph "26.281" ;
        rg:recommendingState/rg:isoCode ?code }""") == ["RUS", "VNM"]


def test_a_quoted_multi_line_cell_keeps_its_lines(store: GraphStore) -> None:
    load(store, UPR_CSV, skip_invalid=True)
    text = values(store, 'SELECT ?t WHERE { ?r rg:paragraph "26.251" ; rg:text ?t }')[0]
    assert text.splitlines() == [
        "Guarantee access to sexual and reproductive health services,",
        "including safe and legal abortion,",
        "for all women and girls",
    ]


def test_unmapped_labels_become_unmapped_concepts_listed_in_the_report(
    store: GraphStore,
) -> None:
    loaded = load(store, UPR_CSV, skip_invalid=True)
    unmapped = values(store, """SELECT ?label WHERE {
        ?c rg:unmapped true ; skos:prefLabel ?label ; skos:inScheme ?scheme }""")
    assert unmapped == ["Lighthouse keepers", "Space debris"]
    messages = " ".join(d.message for d in loaded.report.doubts)
    assert "'Space debris' matches no concept of the theme scheme" in messages
    assert "'Lighthouse keepers' matches no concept of the group scheme" in messages
    assert values(store, "SELECT ?c WHERE { ?c a rg:Theme ; rg:unmapped true }") == [
        "https://w3id.org/rightsgraph/id/theme/space-debris"]


def test_recommendation_iris_follow_symbol_and_paragraph(store: GraphStore) -> None:
    load(store, UPR_CSV, skip_invalid=True)
    iris = values(store, "SELECT ?r WHERE { ?r a rg:Recommendation }")
    assert "https://w3id.org/rightsgraph/id/recommendation/a-hrc-46-15/26-250" in iris
    document = values(store, "SELECT ?d WHERE { ?r prov:wasDerivedFrom ?d }")
    assert set(document) == {"https://w3id.org/rightsgraph/id/document/upr-usa-2020-csv"}


def test_table_recommendations_meet_corpus_passages_on_the_same_concepts(
    store: GraphStore,
) -> None:
    corpus = Path(__file__).parents[3] / "shared" / "corpus" / "womenlead-upr-2020-2021.txt"
    store_loaded(store, parse_paths([UPR_CSV, corpus], LoadContext(skip_invalid=True)))
    met = solutions(store, """SELECT DISTINCT ?theme ?group WHERE {
        ?r a rg:Recommendation ; rg:theme ?theme ; rg:group ?group .
        ?p a rg:Passage ; rg:theme ?theme ; rg:group ?group }""")
    pairs = {(row["theme"].value.rsplit("/", 1)[1], row["group"].value.rsplit("/", 1)[1])
             for row in met}
    assert ("maternal-mortality", "women") in pairs
    assert ("immigration-detention", "women") in pairs
    assert ("gender-based-violence", "women") in pairs


def test_cli_rejects_the_table_then_loads_valid_rows_with_skip_invalid(rightsgraph: RunCli) -> None:
    assert rightsgraph("load", str(TABLES / "upr-info-export.tsv")).returncode == 0
    count = ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv")
    before = rightsgraph("query", *count).stdout

    rejected = rightsgraph("load", str(UPR_CSV))
    assert rejected.returncode == 1
    assert rejected.stderr.splitlines()[0].startswith(
        f"rightsgraph: error: {UPR_CSV}:11:1: row 11, Recommendation: no recommendation text")
    assert rightsgraph("query", *count).stdout == before

    skipped = rightsgraph("load", "--skip-invalid", "--report", str(UPR_CSV))
    assert skipped.returncode == 0, skipped.stderr
    assert "found: 16 recommendations, 1 skipped rows" in skipped.stdout
    assert "upr-usa-2020.csv:11:1: row skipped: row 11, Recommendation" in skipped.stdout
    assert "  shacl: conforms" in skipped.stdout
    total = rightsgraph("query", "SELECT (COUNT(?r) AS ?n) WHERE { ?r a rg:Recommendation }",
                        "--format", "csv")
    assert total.stdout.split() == ["n", "18"]


# ------------------------------------------------------------------ other formats and headers


def test_upr_info_headers_in_a_tsv(store: GraphStore) -> None:
    loaded = load(store, TABLES / "upr-info-export.tsv")
    assert loaded.report.found["recommendations"] == 2
    assert any("'Comments'" in d.message for d in loaded.report.doubts)
    rows = solutions(store, """SELECT ?cat ?cycle ?session ?date WHERE {
        ?r rg:paragraph "26.255" ; rg:actionCategory ?cat ; rg:cycle ?cycle ;
           rg:session ?session ; dcterms:date ?date }""")
    row = rows[0]
    assert [row[v].value for v in ("cat", "cycle", "session", "date")] == [
        "4", "3", "36", "2020-11-09"]
    assert values(store, """SELECT ?code WHERE { ?r rg:paragraph "26.284" ;
        rg:recommendingState/rg:isoCode ?code }""") == ["IRL", "PRT"]
    assert validate(store) == []


def test_uhri_style_json(store: GraphStore) -> None:
    load(store, TABLES / "uhri-export.json")
    assert values(store, "SELECT ?p WHERE { ?r rg:theme theme:gender-based-violence ; "
                         "rg:group group:indigenous-women ; rg:paragraph ?p }") == ["26.203"]
    assert values(store, 'SELECT ?g WHERE { ?r rg:paragraph "26.256" ; rg:group ?g }') == [
        "https://w3id.org/rightsgraph/group/migrants", "https://w3id.org/rightsgraph/group/women"]
    assert validate(store) == []


def test_json_list_of_objects(tmp_path: Path, store: GraphStore) -> None:
    path = tmp_path / "recs.json"
    path.write_text(json.dumps([{"recommendation": "Ratify CEDAW", "response": "noted"}]))
    load(store, path)
    assert values(store, "SELECT ?v WHERE { ?r rg:response ?v }") == ["noted"]


def test_json_ld_is_not_taken_for_a_table(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"@context": {}, "@graph": []}))
    with pytest.raises(InputError, match="--format jsonld"):
        parse_paths([path], LoadContext())


def test_excel_workbook(tmp_path: Path, store: GraphStore) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Reduce maternal mortality", "Chile", "United States of America", "Supported",
                  4, "Maternal mortality", "Women", "3.1", 3, 36, "A/HRC/46/15", "26.257",
                  dt.datetime(2020, 11, 9)])
    sheet.append([])
    sheet.append(["Release women from immigration detention", "Peru; Spain", "USA", "Noted",
                  5.0, "Immigration detention", "Migrants; Women", "SDG 10.7", 3.0, 36,
                  "A/HRC/46/15", "26.285", dt.date(2020, 11, 9)])
    sheet.append([None, "Peru", "USA", "Maybe", 9])
    path = tmp_path / "recs.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        load(store, path)
    assert str(caught.value).splitlines()[0].startswith(f"{path}:5:1: row 5, Recommendation")
    loaded = load(store, path, skip_invalid=True)
    assert loaded.report.found["recommendations"] == 2
    assert values(store, "SELECT ?c WHERE { ?r rg:actionCategory ?c }") == ["4", "5"]
    assert values(store, "SELECT ?d WHERE { ?r dcterms:date ?d }") == ["2020-11-09"] * 2
    assert validate(store) == []


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK not really a zip file")
    with pytest.raises(InputError, match="not an Excel"):
        parse_paths([path], LoadContext())


# ------------------------------------------------------------------ errors


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "recs.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_every_invalid_row_is_listed_with_its_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Ratify CEDAW,Chile,USA,maybe,4,,,,,,,,",
        "Ratify CEDAW,Chile,USA,noted,7,,,,,,,,",
        "Ratify CEDAW,Atlantis,USA,noted,3,,,,,,,,",
        "Ratify CEDAW,Chile,USA,noted,3,,,SDG 42,,,,,",
        "Ratify CEDAW,Chile,USA,noted,3,,,,,,,,",
    )
    with pytest.raises(InputError) as caught:
        parse_paths([path], LoadContext())
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{path}:2:4: row 2, Response: unknown response 'maybe'")
    assert "4 invalid rows" in lines[0]
    assert lines[1:] == [
        "  row 3, Action Category: action category '7' is not a number from 1 to 5",
        "  row 4, Recommending State: unknown State 'Atlantis' "
        "(give its UN name or ISO 3166 code)",
        "  row 5, SDG targets: 'SDG 42' is not an SDG target (such as 3.7 or SDG 5.2)",
    ]
    loaded = parse_paths([path], LoadContext(skip_invalid=True))[0]
    assert loaded.report.found["recommendations"] == 1
    assert sorted((d.line, d.column) for d in loaded.report.doubts) == [
        (2, 4), (3, 5), (4, 2), (5, 8)]


def test_a_table_without_a_recommendation_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b", header="Colour,Size")
    with pytest.raises(InputError, match="no Recommendation column"):
        parse_paths([path], LoadContext())


def test_a_table_with_no_valid_row_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ",Chile,USA,,,,,,,,,,")
    with pytest.raises(InputError, match="no valid recommendation"):
        parse_paths([path], LoadContext(skip_invalid=True))


def test_repeated_symbol_and_paragraph_stay_two_recommendations(
    tmp_path: Path, store: GraphStore
) -> None:
    path = write(tmp_path, "One,,,,,,,,,,A/HRC/1/1,5.1,", "Two,,,,,,,,,,A/HRC/1/1,5.1,")
    loaded = load(store, path)
    assert len(values(store, "SELECT ?r WHERE { ?r a rg:Recommendation }")) == 2
    assert any("same document symbol and paragraph as row 2" in d.message
               for d in loaded.report.doubts)
    assert validate(store) == []


def test_semicolon_separated_csv_and_pending_response(tmp_path: Path, store: GraphStore) -> None:
    path = tmp_path / "excel-fr.csv"
    path.write_text("Recommendation;Response\nRatify the Optional Protocol;Pending\n")
    loaded = load(store, path)
    assert values(store, "SELECT ?t WHERE { ?r rg:text ?t }") == ["Ratify the Optional Protocol"]
    assert values(store, "SELECT ?v WHERE { ?r rg:response ?v }") == []
    assert any("'Pending' means no response yet" in d.message for d in loaded.report.doubts)


# ------------------------------------------------------------------ normalisers


@pytest.mark.parametrize(("text", "expected"), [
    ("Supported", "supported"), ("Accepted", "supported"), ("Support", "supported"),
    ("Noted", "noted"), ("Rejected", "noted"), ("Not accepted", "noted"), ("Takes note", "noted"),
    ("Supported in part", "supported in part"), ("Partially supported", "supported in part"),
    ("Partially accepted", "supported in part"), ("Supported/Noted", "supported in part"),
    ("Pending", ""), ("No response", ""), ("maybe", None), ("Unsupported", None),
])
def test_response(text: str, expected: str | None) -> None:
    assert response(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), ("5", 5), ("Category 3", 3), ("5 - Specific action", 5), ("Specific action", 5),
    ("Minimal action", 1), ("0", None), ("6", None), ("high", None),
])
def test_action_category(text: str, expected: int | None) -> None:
    assert action_category(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("3.7", "3.7"), ("SDG 3.7", "3.7"), ("Target 3.7", "3.7"), ("SDG target 16.b", "16.b"),
    ("http://metadata.un.org/sdg/3.7", "3.7"), ("sdg:5.2", "5.2"), ("SDG 5", "5"),
    ("10.07", "10.7"), ("18.1", None), ("3.7.1", None), ("health", None),
])
def test_sdg_target(text: str, expected: str | None) -> None:
    found = sdg_target(text)
    assert (found.value.rsplit("/", 1)[1] if found else None) == expected


def test_cycle_session_and_date() -> None:
    assert [cycle_number(t) for t in ("3", "3rd", "Cycle 3", "third", "III", "0", "x")] == [
        3, 3, 3, 3, 3, None, None]
    assert [session_number(t) for t in ("36", "Session 36", "36th session", "UPR 36")] == [36] * 4
    dates = [date_literal(t) for t in ("2020-11-09", "9 November 2020", "November 9, 2020",
                                       "2020-11-09T10:00:00Z", "2021", "2021-03")]
    assert [d.value if d else None for d in dates] == [
        "2020-11-09", "2020-11-09", "2020-11-09", "2020-11-09", "2021", "2021-03"]
    assert date_literal("09/11/2020") is None


def test_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for name, (canonical, aliases) in COLUMNS.items():
        for alias in (canonical, *aliases):
            assert seen.setdefault(normalise_header(alias), name) == name, alias


# ------------------------------------------------------------------ robustness and scale


CELL = st.lists(st.sampled_from(list('ab ;,"\n\r\t\'é\ufeff\x00') + [
    "Women", "3.7", "USA", "Noted", "6", "2020-11-09", "Space"]), max_size=6).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from([
           "Recommendation", "Response", "Action Category", "SDG targets", "Issues",
           "Recommending State", "Cycle", "Date", "x", ""]), max_size=6),
       rows=st.lists(st.lists(CELL, max_size=7), max_size=6),
       noise=st.binary(max_size=20), skip=st.booleans())
def test_random_tables_raise_only_input_errors(
    header: list[str], rows: list[list[str]], noise: bytes, skip: bool
) -> None:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    for data in ("\n".join(lines).encode(), noise):
        source = Source("random.csv", data)
        try:
            registry.read(source, LoadContext(skip_invalid=skip))
        except InputError:
            pass


def test_thousands_of_rows_load_in_one_pass(tmp_path: Path, store: GraphStore) -> None:
    path = tmp_path / "many.csv"
    rows = [f'"Recommendation number {n}",Chile,USA,Supported,{n % 5 + 1},Maternal mortality,'
            f"Women; Girls,3.1,3,36,A/HRC/46/15,26.{n},2020-11-09" for n in range(5000)]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    loaded = load(store, path)
    assert loaded.report.found["recommendations"] == 5000
    assert values(store, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a rg:Recommendation }") == ["5000"]
