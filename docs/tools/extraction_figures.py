"""Print the precision and recall of the document loaders on every gold document.

Run from the repository root (the figures in docs/extraction.md come from here):

    .venv/bin/python docs/tools/extraction_figures.py          # the table
    .venv/bin/python docs/tools/extraction_figures.py --misses # and what was missed
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "loaders"))

from extraction_gold import gold_files, gold_path, load_gold, score_document, table  # noqa: E402

from rightsgraph.graph.store import GraphStore  # noqa: E402
from rightsgraph.loaders.batch import parse_paths, store_loaded  # noqa: E402
from rightsgraph.loaders.context import LoadContext  # noqa: E402


def main() -> None:
    store = GraphStore.memory()
    paths = [gold_path(name) for name in gold_files()]
    store_loaded(store, parse_paths(paths, LoadContext()))
    scores = {name: score_document(store, load_gold(name)) for name in gold_files()}
    print(table(scores))
    if "--misses" in sys.argv:
        for name, kinds in scores.items():
            for kind, score in kinds.items():
                for miss in score.misses:
                    print(f"{name}: {kind}: {miss}")


if __name__ == "__main__":
    main()
