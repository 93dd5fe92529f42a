"""Commands against a store that ``rightsgraph serve`` owns, with real
processes: ``load`` stops with a message that says how to proceed (never a
RocksDB lock trace), and ``backup`` goes through the server; ``restore``
gives back the same N-Quads, compared by hash."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from pyoxigraph import RdfFormat, Store

BIN = Path(sys.executable).parent / "rightsgraph"
SAMPLE = Path(__file__).parents[2] / "loaders" / "data" / "womenlead-upr-2020-2021.txt"
DOC = Path(__file__).parents[1] / "data" / "docs" / "mexico-upr-followup.md"
TOKEN = "reliability-token"
MARKER = "<https://example.org/backup-marker> <https://example.org/p> \"taken while serving\""


def cli(store: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSGRAPH_")}
    if token is not None:
        env["RIGHTSGRAPH_UPDATE_TOKEN"] = token
    return subprocess.run([str(BIN), "--store", str(store), *args], capture_output=True,
                          text=True, timeout=120, env=env)


def nquads_digest(location: Path) -> str:
    """SHA-256 of the sorted N-Quads of the store at ``location`` (nobody may own it)."""
    data = Store.read_only(str(location)).dump(format=RdfFormat.N_QUADS) or b""
    return hashlib.sha256(b"".join(line + b"\n" for line in sorted(data.splitlines()))).hexdigest()


def sources(fetch, url: str) -> int:  # type: ignore[no-untyped-def]
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a rg:SourceGraph } }"
    reply = fetch("GET", f"{url}/sparql?query={quote(query)}",
                  headers={"Accept": "application/sparql-results+json"})
    assert reply.status == 200, reply.text
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.slow
def test_load_backup_and_restore_while_serving(live_server, server_tools,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    fetch, stop_server = server_tools.fetch, server_tools.stop_server
    backups = tmp_path / "backups"
    backups.mkdir()
    url = live_server(data=[SAMPLE], UPDATE_TOKEN=TOKEN, BACKUP_DIR=backups)
    before = sources(fetch, url)

    # load: refused with what to do, the server untouched
    loading = cli(url.store, "load", str(DOC))
    assert loading.returncode == 1
    message = loading.stderr
    assert message.startswith("rightsgraph: error: ") and message.count("\n") == 1, message
    assert f"`rightsgraph serve` (process {url.pid}, {url}/)" in message
    assert f"kill {url.pid}" in message and f"{url}/sparql/update" in message
    for trace in ("Traceback", "RocksDB", "LOCK", "IO error", "Resource temporarily"):
        assert trace not in message
    assert sources(fetch, url) == before

    # a change through the server, then a backup through the server
    update = fetch("POST", f"{url}/sparql/update", body=f"INSERT DATA {{ {MARKER} }}",
                   headers={"Content-Type": "application/sparql-update",
                            "Authorization": f"Bearer {TOKEN}"})
    assert update.status == 204, update.text
    target = backups / "first"
    no_token = cli(url.store, "backup", str(target))
    assert no_token.returncode == 1 and "RIGHTSGRAPH_UPDATE_TOKEN" in no_token.stderr
    taken = cli(url.store, "backup", str(target), token=TOKEN)
    assert taken.returncode == 0, taken.stderr
    manifest = json.loads((target / "rightsgraph-backup.json").read_text())
    assert f"sha256 {manifest['digest']}" in taken.stdout

    # a backup into an existing directory is refused, through the server and directly
    again = cli(url.store, "backup", str(target), token=TOKEN)
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    outside = cli(url.store, "backup", str(tmp_path / "elsewhere"), token=TOKEN)
    assert outside.returncode == 1 and f"inside {backups.resolve()}" in outside.stderr
    assert not (tmp_path / "elsewhere").exists()

    stop_server(url.process)
    served = nquads_digest(url.store)  # what the server held (it writes nothing on its own)
    assert served == manifest["digest"]
    restored = tmp_path / "restored"
    result = cli(restored, "restore", str(target))
    assert result.returncode == 0, result.stderr
    assert nquads_digest(restored) == served
    assert MARKER.encode() in (Store.read_only(str(restored)).dump(format=RdfFormat.N_QUADS) or b"")
    refused = cli(restored, "restore", str(target))
    assert refused.returncode == 1 and "is not empty" in refused.stderr

    existing = tmp_path / "existing"
    existing.mkdir()
    direct = cli(url.store, "backup", str(existing))  # no server now: the CLI opens the store
    assert direct.returncode == 1 and "already exists" in direct.stderr
    assert list(existing.iterdir()) == []
    second = tmp_path / "second"
    assert cli(url.store, "backup", str(second)).returncode == 0
    assert json.loads((second / "rightsgraph-backup.json").read_text())["digest"] == served


def test_a_damaged_backup_is_not_restored(tmp_path: Path) -> None:
    store, backup = tmp_path / "store", tmp_path / "backup"
    assert cli(store, "load", str(DOC)).returncode == 0
    assert cli(store, "backup", str(backup)).returncode == 0
    manifest = backup / "rightsgraph-backup.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "quads": data["quads"] + 1}))
    result = cli(tmp_path / "restored", "restore", str(backup))
    assert result.returncode == 1 and "damaged" in result.stderr
    assert not (tmp_path / "restored").exists()
