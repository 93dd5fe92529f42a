"""Property tests: random text, Markdown, HTML and bytes either load or are refused
with an InputError; no other exception, and offsets always point at the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsgraph.graph.errors import InputError
from rightsgraph.loaders import registry
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.source import Source
from rightsgraph.ontology.terms import RG

SETTINGS = settings(max_examples=100, deadline=3000,
                    suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from([
    "We", "urge", "the", "Government", "of", "Canada", "to:", "Ensure", "Women", "Lead",
    "Network", "WLN", "U.N.", "CEDAW", "committed", "to", "They", "have", "concerned", "March",
    "17th", "2021", "from", "15", "26", "November", "Friday,", "event", "session", "Campaign",
    "Commission", "on", "Status", "[i]", "[xiv]", "[3]", "[^1]", "[^a]:", "https://x.org/a",
    "Alliance", "(ABC)", "gender-based", "violence", "Black", "and", "Indigenous", "women",
    "“", "”", ".", ",", ":", "*", "•", "-", "1.", "#", "Notes", "References", "Appendix",
    "Recommendations", "&amp;", "<", ">", "\u00a0", "é", "\t",
])
LINE = st.lists(WORDS, max_size=14).map(" ".join)
PAGE = st.lists(LINE, max_size=12).map(lambda lines: "\n".join(lines))
MARKDOWN = st.lists(
    st.one_of(LINE, LINE.map(lambda s: "# " + s), LINE.map(lambda s: "- " + s),
              LINE.map(lambda s: "1. " + s), LINE.map(lambda s: "[^1]: " + s),
              st.sampled_from(["---", "title: x", "```", "", "> quote", "    indented", "===",
                               "[1]: note", "| a | b |", "<!-- c -->"])),
    max_size=15,
).map("\n".join)
TAGS = st.sampled_from([
    "<p>", "</p>", "<ul>", "</ul>", "<li>", "</li>", "<ol class='references'>", "</ol>",
    "<li id='ref1'>", "<sup>", "</sup>", "<a href='#ref1'>", "<a href='#fn2'>", "</a>",
    "<article>", "</article>", "<header>", "</header>", "<h1>", "</h1>", "<h2>", "</h2>",
    "<nav>", "</nav>", "<script>", "</script>", "<style>", "</style>", "<time datetime='2021-03-17'>",
    "</time>", "<br>", "<div class='byline'>", "</div>", "<main>", "</main>", "<!-- x -->",
    "<title>", "</title>", "&rsquo;", "&#8617;", "&#x41;", "&bogus;", "<", "&", "<![CDATA[x]]>",
])
HTML = st.lists(st.one_of(TAGS, LINE), max_size=40).map("".join)


def check(name: str, data: bytes) -> None:
    try:
        loaded = registry.read(Source(name, data), LoadContext())
    except InputError as exc:
        assert exc.file == name and str(exc).startswith(name)
        return
    assert isinstance(loaded, Loaded)
    if name.endswith((".txt", ".md")):
        text = data.decode("utf-8").removeprefix("\ufeff")
        starts: dict[object, int] = {}
        ends: dict[object, int] = {}
        values: dict[object, str] = {}
        for t in loaded.triples:
            if t.predicate == RG.startOffset:
                starts[t.subject] = int(t.object.value)
            elif t.predicate == RG.endOffset:
                ends[t.subject] = int(t.object.value)
            elif t.predicate == RG.text:
                values[t.subject] = t.object.value
        for subject, start in starts.items():
            assert text[start:ends[subject]] == values[subject]


@SETTINGS
@given(PAGE)
def test_random_text_loads_or_is_refused(page: str) -> None:
    check("page.txt", page.encode())


@SETTINGS
@given(MARKDOWN)
def test_random_markdown_loads_or_is_refused(page: str) -> None:
    check("page.md", page.encode())


@SETTINGS
@given(HTML)
def test_random_html_loads_or_is_refused(page: str) -> None:
    check("page.html", page.encode())


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["a.txt", "a.md", "a.html"]))
def test_random_bytes_load_or_are_refused(data: bytes, name: str) -> None:
    check(name, data)
