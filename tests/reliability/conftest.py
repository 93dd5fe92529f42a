"""The real-server fixtures of tests/webui (``live_server``), shared here, and
their helpers as the ``server_tools`` fixture (``fetch``, ``stop_server``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

_NAME = "rightsgraph_tests_webui_conftest"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        _NAME, Path(__file__).parents[1] / "webui" / "conftest.py")
    assert _spec is not None and _spec.loader is not None
    sys.modules[_NAME] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules[_NAME])
webui = sys.modules[_NAME]

live_server = webui.live_server


@pytest.fixture(scope="session")
def server_tools() -> ModuleType:
    """tests/webui/conftest.py as a module: ``fetch``, ``stop_server``, ``free_port``..."""
    return webui
