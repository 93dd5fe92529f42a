"""The list benchmark at a tiny size: it builds its store, indexes it, times every list page
from the index beside the SPARQL reference, and appends its section without touching others."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_reports_every_list(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## earlier — someone else's section\n\nkept\n")
    command = [sys.executable, "-m", "benchmarks.list_bench", "--recommendations", "300",
               "--repeat", "2", "--work", str(tmp_path / "work"), "--results", str(results)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = results.read_text()
    assert text.startswith("# Benchmark results\n\n## earlier — someone else's section\n\nkept\n")
    assert "— list_bench" in text and "| recommendations: items | 300 |" in text
    for name in ("recommendations", "statements", "organisations", "documents"):
        assert f"| {name}, bare (warm, median) |" in text, name
    assert "| SPARQL reference: recommendations, bare |" in text and "index / SPARQL = " in text
