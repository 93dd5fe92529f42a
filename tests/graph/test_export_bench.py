"""The export benchmark runs end to end on a tiny graph and reports its ratios."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "export_bench.py"


def test_export_benchmark_reports_the_ratios(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [sys.executable, str(BENCH), "--triples", "2000", "--repeat", "1", "--results", str(results)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "store: 2000 generated triples" in run.stdout
    for fmt in ("turtle", "trig"):
        assert re.search(rf"^ratio {fmt}: export/pyoxigraph throughput = \d+\.\d\d wall-clock",
                         run.stdout, re.MULTILINE), run.stdout
    recorded = results.read_text(encoding="utf-8")
    assert "## Export throughput, " in recorded and "- machine: nproc " in recorded
    assert "| export turtle | 2000 |" in recorded
