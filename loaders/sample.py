"""The sample corpus shipped with the package (for ``rightsgraph demo`` and tests).

>>> sample_corpus_path().name
'womenlead-upr-2020-2021.txt'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_CORPUS = "data/womenlead-upr-2020-2021.txt"


def sample_corpus_path() -> Path:
    """The path of the bundled Women Lead Network corpus (see data/CREDITS.md)."""
    return Path(str(resources.files("rightsgraph.loaders").joinpath(SAMPLE_CORPUS)))
