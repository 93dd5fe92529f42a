"""The graph benchmark at a tiny size: it builds its store, serves it, times
/graph.json and the page in Chromium, and reports every figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_reports_every_figure(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## earlier — someone else's section\n\nkept\n")
    command = [sys.executable, "-m", "benchmarks.graph_bench", "--recommendations", "300",
               "--repeat", "2", "--work", str(tmp_path / "work"), "--results", str(results),
               "--json", str(tmp_path / "figures.json")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["units"] == 300 and figures["nodes"] > 10 and figures["edges"] > 10
    for measure in ("server_start", "graph_json_first", "graph_json_warm", "graph_json_filtered",
                    "evidence_json", "search_json", "page_first", "page_second", "page_second_data",
                    "page_second_ready"):
        assert figures[measure] > 0, measure
    assert figures["outside_requests"] == 0 and figures["index_built"] is True
    assert figures["raw_pairs"] > 10 and figures["raw_pairs_seconds"] > 0
    assert figures["raw_scan_quads"] > 300 * 5
    text = results.read_text()
    assert text.startswith("# Benchmark results\n\n## earlier — someone else's section\n\nkept\n")
    assert "— graph_bench" in text and "| /graph.json, warm (median) |" in text
    assert "Target /graph.json within 1 s" in text and "Target page settled within 3 s" in text
    assert "/graph.json first / raw = " in text
    # A second run reuses the store it built.
    again = subprocess.run([*command[:-2], "--no-results", "--no-browser", "--no-raw"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "(store reused)" in again.stdout and "server start, index up to date" in again.stdout
