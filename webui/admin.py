"""What a running server does for commands that cannot open its store.

One process owns a store.  While ``rightsgraph serve`` owns it, the server
writes ``rightsgraph.server.json`` (its URL and process id) into the store
directory, so that another ``rightsgraph`` command can say which server
holds the store and how to reach it; ``rightsgraph backup`` then asks the
server to take the backup (``POST /admin/backup``, with the update token, into
a directory inside the ``BACKUP_DIR`` setting).
"""

from __future__ import annotations

import hmac
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

from rightsgraph.graph.backup import BackupInfo, backup_store
from rightsgraph.graph.errors import RightsgraphError
from rightsgraph.graph.store import LOCK_FILE
from rightsgraph.webui.errors import ApiError
from rightsgraph.webui.state import store

bp = Blueprint("admin", __name__)

#: The file a running server leaves in its store directory.
SERVER_FILE = "rightsgraph.server.json"


def require_token() -> None:
    """Refuse the request unless it carries ``Authorization: Bearer <UPDATE_TOKEN>``."""
    token = str(current_app.config["UPDATE_TOKEN"] or "")
    if not token:
        raise ApiError(403, "administration is disabled on this server (no UPDATE_TOKEN is set)")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise ApiError(401, "this needs a valid bearer token",
                       headers={"WWW-Authenticate": 'Bearer realm="rightsgraph update"'})


@bp.route("/admin/backup", methods=["POST"])
def backup() -> Response:
    """Back up the store into ``{"directory": ...}``, a new directory inside BACKUP_DIR."""
    require_token()
    root = str(current_app.config["BACKUP_DIR"] or "")
    if not root:
        raise ApiError(403, "backups through the server are disabled; start it with "
                            "RIGHTSGRAPH_BACKUP_DIR set to the directory that may hold them")
    payload = request.get_json(silent=True)
    directory = payload.get("directory") if isinstance(payload, dict) else None
    if not isinstance(directory, str) or not directory:
        raise ApiError(400, 'send {"directory": "/absolute/path"} as JSON')
    target = Path(directory)
    allowed = Path(root).resolve()
    if not target.is_absolute() or not _inside(target.parent, allowed):
        raise ApiError(403, f"backups through the server go inside {allowed}")
    try:
        with store() as graph_store:
            info = backup_store(graph_store, target)
    except RightsgraphError as exc:
        raise ApiError(409 if target.exists() else 400, str(exc)) from None
    return jsonify({"directory": str(target), "taken_at": info.taken_at, "quads": info.quads,
                    "digest": info.digest, "version": info.version})


def _inside(path: Path, root: Path) -> bool:
    resolved = path.resolve()
    return resolved == root or root in resolved.parents


# ---------------------------------------------------------------- the other side


def announce(location: str | os.PathLike[str], url: str) -> Path:
    """Record in the store directory that this process serves it at ``url``."""
    path = Path(location) / SERVER_FILE
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}) + "\n", encoding="utf-8")
    return path


def running_server(location: str | os.PathLike[str]) -> tuple[str, int] | None:
    """The URL and process id of the server that owns the store, if one does."""
    folder = Path(location)
    try:
        data = json.loads((folder / SERVER_FILE).read_text(encoding="utf-8"))
        holder = (folder / LOCK_FILE).read_text(encoding="utf-8").strip()
        url, pid = str(data["url"]), int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (url, pid) if holder == str(pid) else None


def request_backup(url: str, target: Path, token: str) -> BackupInfo:
    """Ask the server at ``url`` to back up its store into ``target``."""
    body = json.dumps({"directory": str(target)}).encode()
    call = urllib.request.Request(
        url.rstrip("/") + "/admin/backup", data=body, method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(call, timeout=600) as answer:  # noqa: S310 (our own server)
            data = json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read())["error"]
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {exc.code}"
        raise RightsgraphError(f"the server at {url} refused the backup: {message}") from None
    except (OSError, ValueError) as exc:
        raise RightsgraphError(f"cannot reach the server at {url}: {exc}") from None
    return BackupInfo(data["taken_at"], int(data["quads"]), data["digest"], data["version"])
