"""The load benchmark names the phases it cannot run and never rewrites what others
wrote.  (A tiny run of every phase is in test_run_all_smoke.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/ is a folder of the repository, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.load_bench import (  # noqa: E402
    QUIET_WINDOW,
    _cpu_ticks,
    append_section,
    best_rounds,
    parser,
    report,
    run,
    summarise,
    table,
    wait_until_quiet,
)


def test_phases_whose_loader_is_missing_are_named_not_run(tmp_path: Path) -> None:
    args = parser().parse_args(["--documents", "2", "--recommendations", "5", "--triples", "0",
                                "--corpus", str(tmp_path / "corpus"), "--work", str(tmp_path)])
    results = run(args, formats=({"ntriples", "turtle"}, ""))
    by = {r["phase"]: r for r in results}
    assert by["documents"]["not_run"].startswith("no loader registered for ")
    assert "csv" in by["tables"]["not_run"]
    lines = "\n".join(table(results))
    assert "| documents (rightsgraph) | NOT RUN: no loader registered for" in lines
    assert summarise(results) == {}

    assert by["raw-documents"]["not_run"] == "the documents phase did not run"

    broken = run(args, formats=(set(), "rightsgraph.loaders.registry does not import (E: x)"))
    assert {r.get("not_run") for r in broken[1:]} == {
        "rightsgraph.loaders.registry does not import (E: x)", "the documents phase did not run",
        "the tables phase did not run"}
    assert "NOT RUN: rightsgraph.loaders.registry does not import" in report(broken, {}, "cmd")


def test_appending_never_rewrites_what_others_wrote(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    append_section(path, "## mine\n")
    assert path.read_text().startswith("# Benchmark results\n")
    path.write_text(path.read_text() + "## theirs\n\nno newline at the end")
    before = path.read_text()
    append_section(path, "## mine again\n")
    assert path.read_text() == before + "\n\n## mine again\n"


def test_a_phase_waits_for_quiet_cpus_no_longer_than_its_limit() -> None:
    ticks = _cpu_ticks()
    assert ticks is not None and 0 <= ticks[0] <= ticks[1]
    waited = wait_until_quiet(0.1)  # one reading of QUIET_WINDOW seconds, then the limit is past
    assert QUIET_WINDOW <= waited < QUIET_WINDOW + 5


def test_the_rounds_of_a_phase_count_by_the_faster() -> None:
    results = [{"phase": "ntriples", "load": 3.0, "note": "n"}, {"phase": "http_post", "load": 2.5},
               {"phase": "ntriples", "load": 2.0, "note": "n"}, {"phase": "http_post", "failed": "x"}]
    merged = best_rounds(results)
    assert [r["phase"] for r in merged] == ["ntriples", "http_post", "http_post"]
    assert merged[0]["load"] == 2.0
    assert merged[0]["note"] == "n; the fastest of 2 interleaved rounds: 3.0 s, 2.0 s"
    assert merged[1] == {"phase": "http_post", "load": 2.5}, "one timed round: as it was"
