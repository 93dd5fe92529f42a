"""The load test runs end to end for a few seconds: a real server, every kind
of request, zero errors, and a dated section with the p95 latency."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_test_smoke(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## an earlier section\n\nkept\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "benchmarks.load_test", "--clients", "4", "--seconds", "6",
                          "--results", str(results)], capture_output=True, text=True, timeout=180,
                         cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    for kind in ("workbench query", "entity page", "graph.json", "export"):
        assert re.search(rf"^\| {kind} \| [1-9]\d* \| 0 \|", run.stdout, re.MULTILINE), run.stdout
    assert re.search(r"errors: 0; p95 latency \(all requests\): \d+\.\d ms", run.stdout)
    recorded = results.read_text(encoding="utf-8")
    assert "## an earlier section\n\nkept" in recorded
    assert re.search(r"\n## \d{4}-\d\d-\d\d \d\d:\d\d UTC — load_test\n", recorded)
