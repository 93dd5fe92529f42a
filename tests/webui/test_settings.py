"""Every setting is documented, and the environment sets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsgraph.webui.settings import SETTINGS, load_settings

DOC = Path(__file__).parents[2] / "docs" / "settings.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_is_documented(setting) -> None:
    assert f"| {setting.name} |" in DOC.read_text(encoding="utf-8")


def test_environment_then_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTSGRAPH_QUERY_TIMEOUT", "3.5")
    monkeypatch.setenv("RIGHTSGRAPH_QUERY_WORKERS", "4")
    values = load_settings()
    assert values["QUERY_TIMEOUT"] == 3.5 and values["QUERY_WORKERS"] == 4
    assert load_settings({"QUERY_WORKERS": 1})["QUERY_WORKERS"] == 1
