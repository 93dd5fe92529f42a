"""Bad pages: a clear message naming the file and the place, nothing partial loaded."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rightsgraph.graph.errors import InputError
from rightsgraph.graph.store import GraphStore
from rightsgraph.loaders import registry
from rightsgraph.loaders.context import LoadContext
from rightsgraph.loaders.report import Loaded
from rightsgraph.loaders.sample import sample_corpus_path
from rightsgraph.loaders.source import Source
from rightsgraph.ontology.terms import RG

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def read(name: str, data: bytes, context: LoadContext | None = None) -> Loaded:
    return registry.read(Source(name, data), context or LoadContext())


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html"])
@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_an_empty_page_is_refused_at_its_start(name: str, data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        read(name, data)
    assert str(caught.value) == f"{name}:1:1: file is empty"


@pytest.mark.parametrize("name", ["page.txt", "page.md", "page.html"])
def test_binary_and_non_utf8_pages_are_refused_where_the_bad_byte_is(name: str) -> None:
    with pytest.raises(InputError) as binary:
        read(name, b"Title\n\nSome text\x00\x01\x02")
    assert str(binary.value).startswith(f"{name}:3:10: binary data")
    with pytest.raises(InputError) as latin:
        read(name, "Title\n\nCaf\u00e9 au lait".encode("latin-1"))
    assert str(latin.value) == (f"{name}:3:4: not UTF-8 text (byte 0xe9); "
                                "convert the file to UTF-8")


def test_a_50_mb_page_fails_fast(tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    with page.open("wb") as out:
        chunk = b"<p>" + b"x" * 1020 + b"</p>\n"
        for _ in range(50 * 1024):
            out.write(chunk)
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        registry.read(Source.from_path(page), LoadContext())
    assert time.monotonic() - started < 5
    # the place is the first byte over the limit: 5,242,880 = 5,100 lines of 1,028 bytes + 80
    assert str(caught.value) == (
        f"{page}:5101:81: page is 52,633,600 bytes, over the limit of 5,242,880 bytes for "
        "text, Markdown and HTML; split it into smaller files")


def test_the_page_limit_is_a_setting() -> None:
    small = LoadContext(max_document_bytes=10)
    with pytest.raises(InputError, match="over the limit of 10 bytes"):
        read("a.txt", b"0123456789ABC", small)
    assert read("a.txt", b"0123456789", small).report.found["passages"] == 1


def test_a_page_of_only_scripts_and_navigation_has_no_text() -> None:
    page = b"<html><body><nav>Home</nav><script>alert(1)</script></body></html>"
    with pytest.raises(InputError, match=r"^page\.html:1:1: no text found"):
        read("page.html", page)


def test_scripts_are_ignored_and_reported() -> None:
    page = (b"<html><head><title>T</title></head><body>\n<p>Real text here.</p>\n"
            b"<script>document.write('<p>Injected text</p>')</script></body></html>")
    loaded = read("page.html", page)
    texts = [t.object.value for t in loaded.triples if t.predicate == RG.text]
    assert texts == ["Real text here."]
    assert [d.describe("page.html") for d in loaded.report.doubts] == [
        "page.html:3:1: <script> element ignored"]


def test_markers_without_notes_and_notes_without_markers_are_reported() -> None:
    page = (b"A post\n\nThe first claim.[1] The second claim.[4]\n\nNotes\n\n"
            b"[1] https://example.org/one\n\n[2] A note nobody cites.\n")
    loaded = read("post.txt", page)
    doubts = [d.describe("post.txt") for d in loaded.report.doubts]
    assert "post.txt:3:38: footnote marker [4] has no definition" in doubts
    assert "post.txt:9:5: note [2] is not referenced by any marker" in doubts
    markers = [t.object.value for t in loaded.triples if t.predicate == RG.marker]
    assert sorted(markers) == ["1", "2"]  # nothing invented for [4]
    assert loaded.report.found["unmatched footnote markers"] == 1


# ---------------------------------------------------------------- the command line


def _state(store_dir: Path) -> tuple[int, list[str]]:
    with GraphStore.open(store_dir) as store:
        return store.count(), [g.value for g in store.named_graphs()]


BAD_PAGES = [
    ("empty.md", b"", "1:1"),
    ("binary.txt", b"Hello\n\x00\x00", "2:1"),
    ("latin.html", "<p>Ol\u00e1</p>".encode("latin-1"), "1:6"),
]


def test_the_cli_reports_one_line_and_leaves_the_store_unchanged(
    rightsgraph: RunCli, store_dir: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Title\n\nA paragraph.\n", encoding="utf-8")
    assert rightsgraph("load", str(good)).returncode == 0
    before = _state(store_dir)
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nAnother paragraph.\n", encoding="utf-8")
    for name, data, place in BAD_PAGES:
        bad = tmp_path / name
        bad.write_bytes(data)
        result = rightsgraph("load", str(other), str(bad))
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"rightsgraph: error: {bad}:{place}: ")
        assert _state(store_dir) == before  # not even other.md was loaded


def test_the_cli_report_prints_counts_and_doubts(rightsgraph: RunCli, tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# T\n\nA claim.[^9] Text by the Feminist Collective of Nowhere.\n",
                    encoding="utf-8")
    result = rightsgraph("load", "--report", str(sample_corpus_path()), str(page))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "9 recommendations" in out and "6 commitments" in out and "27 footnotes" in out
    assert "womenlead-upr-2020-2021.txt:103: event 'Briefing' has no date" in out
    assert "notes.md:3:9: footnote marker [^9] has no definition" in out
    assert ("notes.md:3:26: organisation 'Feminist Collective of Nowhere' is not in the "
            "registry (found by pattern)") in out


def test_the_cli_picks_the_loader_by_extension_or_format(rightsgraph: RunCli,
                                                         tmp_path: Path) -> None:
    page = tmp_path / "page.data"
    page.write_text("# A title\n\nWe urge the Government of Canada to:\n\n- Ratify OP-CEDAW.\n",
                    encoding="utf-8")
    assert rightsgraph("load", str(page)).returncode == 1
    result = rightsgraph("load", "--format", "markdown", "--report", str(page))
    assert result.returncode == 0, result.stderr
    assert "1 recommendations" in result.stdout
