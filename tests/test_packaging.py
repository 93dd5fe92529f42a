"""The package installs with its data: ontology files, corpus, templates."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import rightsgraph.ontology

ROOT = Path(__file__).parents[1]


def test_suite_runs_against_the_installed_package() -> None:
    location = Path(rightsgraph.ontology.__file__).resolve()
    if os.environ.get("RIGHTSGRAPH_EXPECT_INSTALLED"):
        assert "site-packages" in location.parts, location
        assert not location.is_relative_to(ROOT / "ontology"), location
    assert (location.parent / "rightsgraph.ttl").is_file()


def test_wheel_carries_every_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(tmp_path.glob("rightsgraph-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for ttl in (ROOT / "ontology").glob("*.ttl"):
        assert f"rightsgraph/ontology/{ttl.name}" in names
    assert "rightsgraph/loaders/data/womenlead-upr-2020-2021.txt" in names
    assert "rightsgraph/loaders/data/CREDITS.md" in names
    for part in ("graph", "loaders", "webui", "ontology"):
        assert f"rightsgraph/{part}/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "rightsgraph = rightsgraph.webui.cli:main" in text
