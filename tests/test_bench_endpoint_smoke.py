"""The endpoint benchmark runs end to end (a real server, client processes on
both sides) on two example queries with a tiny number of requests, and
reports and records its ratios."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_endpoint_benchmark_reports_the_ratios(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.endpoint_bench", "--requests", "2", "--clients", "2",
         "--queries", "2", "--results", str(results)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    assert re.search(r"^store: (the sample corpus|a synthetic graph)", run.stdout, re.MULTILINE)
    assert re.search(r"^overall ratio clients=2: endpoint/direct median = \d+\.\d\d ",
                     run.stdout, re.MULTILINE), run.stdout
    assert run.stdout.count("| 01-recommendations-by-theme |") == 1
    assert run.stdout.count("| 02-") == 1 and "| 03-" not in run.stdout  # --queries 2
    recorded = results.read_text(encoding="utf-8")
    assert "## Endpoint overhead, " in recorded and "- machine: nproc " in recorded
    assert "overall ratio clients=2" in recorded and "query workers " in recorded
