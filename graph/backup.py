"""Backups of an on-disk store, and restoring them into a new store.

A backup is a directory holding a RocksDB checkpoint of the store (taken by
pyoxigraph's :meth:`~pyoxigraph.Store.backup`: a consistent snapshot, cheap
because unchanged files are hard-linked when the backup is on the same file
system) and ``rightsgraph-backup.json``, which records when it was taken, how
many quads it holds and the SHA-256 digest of its sorted N-Quads.  Restoring
copies the checkpoint into a new store directory and checks the digest, so a
damaged backup is refused rather than served.

Only the process that owns a store can back it up; while ``rightsgraph
serve`` owns it, the server does it on request (``POST /admin/backup``).

>>> import tempfile, pathlib
>>> from pyoxigraph import Literal, NamedNode, Triple
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with GraphStore.open(folder / "store", with_ontology=False) as store:
...     _ = store.replace_graph(NamedNode("https://example.org/g"), [Triple(
...         NamedNode("https://example.org/s"), NamedNode("https://example.org/p"), Literal("o"))])
...     taken = backup_store(store, folder / "backup")
>>> taken.quads
1
>>> restore_store(folder / "backup", folder / "restored").digest == taken.digest
True
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.provenance import package_version
from rightsgraph.graph.store import LOCK_FILE, GraphStore

__all__ = ["BackupInfo", "MANIFEST", "backup_store", "dataset_digest", "restore_store"]

#: The file that describes a backup, inside the backup directory.
MANIFEST = "rightsgraph-backup.json"


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: when it was taken, its quads and their digest."""

    taken_at: str
    quads: int
    digest: str
    version: str

    @classmethod
    def read(cls, directory: Path) -> BackupInfo:
        """Read the manifest of the backup in ``directory``."""
        try:
            data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            return cls(str(data["taken_at"]), int(data["quads"]), str(data["digest"]),
                       str(data["version"]))
        except FileNotFoundError:
            raise RightsgraphError(f"{directory} is not a rightsgraph backup (no {MANIFEST})") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise RightsgraphError(f"{directory / MANIFEST} is damaged: {exc}") from None


def dataset_digest(store: Store) -> tuple[int, str]:
    """Return the number of quads of ``store`` and the SHA-256 of its sorted N-Quads lines."""
    lines = sorted((store.dump(format=RdfFormat.N_QUADS) or b"").splitlines())
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line)
        digest.update(b"\n")
    return len(lines), digest.hexdigest()


def backup_store(store: GraphStore, target: str | os.PathLike[str]) -> BackupInfo:
    """Write a backup of the on-disk ``store`` into the new directory ``target``.

    :raises RightsgraphError: if ``target`` exists (a backup never overwrites
        anything), its parent is missing, or the store lives in memory.
    """
    path = Path(target)
    if store.location is None:
        raise RightsgraphError("only an on-disk store can be backed up this way; back up a "
                               "remote server with its own tools, or export the data")
    if path.exists() or path.is_symlink():
        raise RightsgraphError(f"{path} already exists; give a new directory for the backup")
    if not path.parent.is_dir():
        raise RightsgraphError(f"{path.parent} does not exist; create it first")
    store.raw.flush()
    try:
        store.raw.backup(str(path))
    except OSError as exc:
        shutil.rmtree(path, ignore_errors=True)
        raise RightsgraphError(f"cannot write the backup into {path}: {exc}") from None
    try:
        count, digest = dataset_digest(Store.read_only(str(path)))
        info = BackupInfo(datetime.now(UTC).isoformat(timespec="seconds"), count, digest,
                          package_version())
        (path / MANIFEST).write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    return info


def restore_store(backup: str | os.PathLike[str], target: str | os.PathLike[str]) -> BackupInfo:
    """Restore the backup in ``backup`` as a new store in ``target``.

    ``target`` must not exist or be an empty directory; nothing is written
    there unless the restored data matches the backup's digest.

    :raises RightsgraphError: if ``backup`` is not a sound backup or
        ``target`` holds anything.
    """
    source, path = Path(backup), Path(target)
    info = BackupInfo.read(source)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise RightsgraphError(f"{path} is not empty; restore into a new directory "
                               "(stop any server using it first)")
    partial = path.with_name(path.name + ".restoring")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        shutil.copytree(source, partial, ignore=shutil.ignore_patterns(MANIFEST, LOCK_FILE))
        count, digest = dataset_digest(Store(str(partial)))
        if (count, digest) != (info.quads, info.digest):
            raise RightsgraphError(
                f"the backup in {source} is damaged: it holds {count} quads with digest "
                f"{digest[:12]}..., its manifest says {info.quads} quads, {info.digest[:12]}..."
            )
        if path.exists():
            path.rmdir()
        os.replace(partial, path)
    except OSError as exc:
        raise RightsgraphError(f"cannot restore into {path}: {exc}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return info
