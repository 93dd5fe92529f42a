"""Processes the benchmarks start: a free loopback port, and a stop that
always ends the whole process group (the server and its query workers).

>>> 1024 <= free_port() <= 65535
True
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess


def free_port() -> int:
    """A loopback TCP port that nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_server(process: subprocess.Popen[bytes], *, grace: float = 30.0) -> None:
    """Stop ``process`` and its group (started with ``start_new_session=True``):
    SIGTERM, then SIGKILL if it has not ended within ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=grace)
