"""The gallery of example queries shown in the workbench.

Each ``graph/examples/*.rq`` file starts with ``# title:`` and
``# description:`` comment lines; the rest is the query.  Tests run every
example on the sample corpus and check that it returns rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Example:
    """A named example query."""

    name: str
    title: str
    description: str
    query: str


@cache
def examples() -> tuple[Example, ...]:
    """Return the example queries, in file-name order."""
    folder = resources.files("rightsgraph.graph").joinpath("examples")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        body: list[str] = []
        for line in text.splitlines():
            if line.startswith("# ") and ":" in line and not body:
                key, _, value = line[2:].partition(":")
                meta[key.strip()] = value.strip()
            else:
                body.append(line)
        found.append(Example(entry.name[:-3], meta.get("title", entry.name),
                             meta.get("description", ""), "\n".join(body).strip() + "\n"))
    return tuple(found)
