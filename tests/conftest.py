"""Shared fixtures: real stores, a real CLI process, a real server
(``live_server`` from tests/webui/conftest.py, with its helpers as
``server_tools``), and the CI rule that a skipped test is a failed test."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from rightsgraph.graph.store import GraphStore

DATA = Path(__file__).parent / "data"
BIN = Path(sys.executable).parent

# tests/webui/conftest.py starts real servers; the suites outside tests/webui
# (reliability, security) use its fixture and helpers too.
_WEBUI = "rightsgraph_tests_webui_conftest"
if _WEBUI not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        _WEBUI, Path(__file__).parent / "webui" / "conftest.py")
    assert _spec is not None and _spec.loader is not None
    sys.modules[_WEBUI] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules[_WEBUI])
live_server = sys.modules[_WEBUI].live_server


@pytest.fixture(scope="session")
def server_tools() -> ModuleType:
    """tests/webui/conftest.py as a module: ``fetch``, ``stop_server``, ``free_port``..."""
    return sys.modules[_WEBUI]


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
