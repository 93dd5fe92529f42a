"""Shared fixtures: real stores, a real CLI process, and the CI rule that a
skipped test is a failed test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rightsgraph.graph.store import GraphStore

DATA = Path(__file__).parent / "data"
BIN = Path(sys.executable).parent


@pytest.fixture
def store() -> Iterator[GraphStore]:
    """An in-memory store with the ontology graphs loaded."""
    yield GraphStore.memory()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A path for an on-disk store that does not exist yet."""
    return tmp_path / "store"


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def rightsgraph(store_dir: Path) -> RunCli:
    """Run the installed ``rightsgraph`` console script in a real process.

    ``rightsgraph("load", "a.ttl")`` runs ``rightsgraph --store STORE_DIR load a.ttl``.
    """

    def run(*args: str, store: Path | None = store_dir, stdin: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(BIN / "rightsgraph")]
        if store is not None:
            command += ["--store", str(store)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
        return subprocess.run(
            [*command, *args], input=stdin, capture_output=True, text=True,
            timeout=timeout, env=env,
        )

    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and os.environ.get("CI"):
        terminalreporter.write_line(
            f"CI: {len(skipped)} skipped test(s) count as failures", red=True
        )
        terminalreporter.config._rightsgraph_skipped = True  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if getattr(session.config, "_rightsgraph_skipped", False) and exitstatus == 0:
        session.exitstatus = 1
