"""Peak memory of a process tree, sampled while it runs.

``ru_maxrss`` gives the peak of one process; a benchmark that starts a
server, a browser or the ``oxigraph`` command runs several at once.
:class:`TreeMemory` samples the resident set size of a process and all its
descendants (every half second by default: each sample reads every
``/proc/*/stat``, which costs CPU the benchmark would rather have), adds
them up, and keeps the largest sum.  A short spike between samples can be
missed; the benchmarks also report each process's own ``ru_maxrss``.

Example:
    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "x = bytearray(50_000_000)"])
    >>> with TreeMemory(child.pid) as memory:
    ...     _ = child.wait()
    >>> memory.peak_bytes >= 0
    True
"""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path
from types import TracebackType

_PAGE = os.sysconf("SC_PAGE_SIZE")


def children_of() -> dict[int, list[int]]:
    """Every process's children, read from ``/proc/*/stat``."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        # The command name (field 2) is in parentheses and may hold spaces.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def tree_rss(root: int) -> int:
    """The summed resident set size, in bytes, of ``root`` and its descendants now."""
    tree = children_of()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * _PAGE
    return total


class TreeMemory:
    """Samples :func:`tree_rss` of ``root`` in a thread until the block ends."""

    def __init__(self, root: int, interval: float = 0.5) -> None:
        self.root = root
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak_bytes = max(self.peak_bytes, tree_rss(self.root))
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


def children_peak_bytes() -> int:
    """The largest peak RSS of one waited-for child process so far (``ru_maxrss``)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
