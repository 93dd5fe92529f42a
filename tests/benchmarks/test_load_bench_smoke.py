"""The load benchmark at tiny sizes: it runs every phase, prints consistent figures,
appends a dated section to its results file, and names the phases it cannot run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

# benchmarks/ is a folder of the repository, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.load_bench import append_section, parser, report, run, summarise, table  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_prints_its_rates_and_ratio(tmp_path: Path) -> None:
    results_file = tmp_path / "RESULTS.md"
    results_file.write_text("# Benchmark results\n\n## earlier — someone else's section\n\nkept\n")
    command = [sys.executable, "-m", "benchmarks.load_bench", "--documents", "4",
               "--recommendations", "150", "--triples", "3000", "--corpus", str(tmp_path / "corpus"),
               "--work", str(tmp_path / "work"), "--results", str(results_file),
               "--json", str(tmp_path / "figures.json")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads((tmp_path / "figures.json").read_text())
    by = {r["phase"]: r for r in figures["results"]}
    assert set(by) == {"generate", "generate-ntriples", "documents", "tables", "ntriples",
                       "bulk_load"}
    assert (by["documents"]["items"], by["tables"]["items"], by["ntriples"]["items"]) == (4, 150, 3000)
    assert by["bulk_load"]["triples"] == 3000

    printed = re.search(r"speed ratio = (\d+\.\d\d) \(target ≥ 0.8\) — (met|NOT met)", done.stdout)
    assert printed is not None, done.stdout
    ratio = by["bulk_load"]["load"] / by["ntriples"]["load"]
    assert float(printed.group(1)) == round(ratio, 2) > 0
    assert printed.group(2) == ("met" if ratio >= 0.8 else "NOT met")
    for phase, unit in (("documents", "documents"), ("tables", "rows"), ("ntriples", "triples")):
        rate = by[phase]["items"] / by[phase]["load"]
        assert f"| {by[phase]['items']:,} {unit} | {by[phase]['load']:.1f} | {rate:,.1f} {unit}/s |" \
            in done.stdout
    assert "not the target sizes" in done.stdout

    text = results_file.read_text()
    assert text.startswith("# Benchmark results\n\n## earlier — someone else's section\n\nkept\n\n## ")
    assert text.count("— load_bench") == 1
    assert re.search(r"Machine: nproc \d+ .*RAM [\d.]+ GiB, Python 3\.\d+\.\d+, pyoxigraph 0\.\d+", text)
    appended = text.split("kept\n\n", 1)[1]
    assert appended.rstrip("\n") == done.stdout.rstrip("\n")  # the printed report, as appended
    assert "speed ratio" in appended and "| documents (rightsgraph) | 4 documents |" in appended


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

    broken = run(args, formats=(set(), "rightsgraph.loaders.registry does not import (E: x)"))
    assert {r.get("not_run") for r in broken[1:]} == {
        "rightsgraph.loaders.registry does not import (E: x)"}
    assert "NOT RUN: rightsgraph.loaders.registry does not import" in report(broken, {}, "cmd")


def test_appending_never_rewrites_what_others_wrote(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    append_section(path, "## mine\n")
    assert path.read_text().startswith("# Benchmark results\n")
    path.write_text(path.read_text() + "## theirs\n\nno newline at the end")
    before = path.read_text()
    append_section(path, "## mine again\n")
    assert path.read_text() == before + "\n\n## mine again\n"
