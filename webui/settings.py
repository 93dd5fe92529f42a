"""Settings of the web application: one table of (name, default, help).

Each setting can be given in the mapping passed to
:func:`rightsgraph.webui.app.create_app`, or in the environment as
``RIGHTSGRAPH_<NAME>``.  ``docs/settings.md`` documents every one of them,
and a test checks that it does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rightsgraph.graph.store import DEFAULT_LOCATION
from rightsgraph.ontology.terms import DEFAULT_INSTANCE_BASE


@dataclass(frozen=True)
class Setting:
    """One configurable value of the web application."""

    name: str
    default: Any
    help: str

    def parse(self, text: str) -> Any:
        """Convert an environment value to the type of the default."""
        if isinstance(self.default, bool):
            return text.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(self.default, int):
            return int(text)
        if isinstance(self.default, float):
            return float(text)
        return text


SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", DEFAULT_LOCATION,
            "Directory of the embedded store the app owns, or the http(s) URL of a SPARQL server."),
    Setting("STORE_TIMEOUT", 30.0,
            "Seconds to wait for a remote store's answer (pages, loads); then 503 or an error."),
    Setting("STORE_USER", "", "User name for a remote store's protected services (Virtuoso writes)."),
    Setting("STORE_PASSWORD", "", "Password of STORE_USER (or set RIGHTSGRAPH_STORE_PASSWORD_FILE)."),
    Setting("BASE", DEFAULT_INSTANCE_BASE, "Base IRI of instance data."),
    Setting("QUERY_TIMEOUT", 10.0,
            "Seconds a SPARQL query may run; a longer one is stopped and answered with 504."),
    Setting("QUERY_WORKERS", 0,
            "Worker processes that run SPARQL queries at the same time; 0: one per core."),
    Setting("MAX_REQUEST_BYTES", 1_000_000, "Largest request body accepted; larger gets 413."),
    Setting("HTML_ROW_LIMIT", 1000,
            "Rows shown in the workbench's result table; a notice says when more exist."),
    Setting("MAX_RESULT_BYTES", 50_000_000,
            "Largest query result served (downloads included); larger gets 422."),
    Setting("UPDATE_TOKEN", "",
            "Bearer token that /sparql/update requires; when empty, updates are refused."),
    Setting("CORS_ORIGIN", "*",
            "Access-Control-Allow-Origin sent on read-only SPARQL responses."),
    Setting("RATE_LIMIT_PER_MINUTE", 1200,
            "Queries a minute each client address may send to /sparql; more get 429; 0: no limit."),
    Setting("RATE_LIMIT_BURST", 600,
            "Queries a client may send to /sparql at once before the per-minute rate applies."),
    Setting("SECRET_KEY", "",
            "Key that signs the CSRF tokens of forms; when empty, a random key per process."),
    Setting("BACKUP_DIR", "",
            "Directory inside which /admin/backup may write backups; when empty, it is refused."),
)


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then ``RIGHTSGRAPH_*`` variables, then ``overrides``.

    >>> load_settings({"QUERY_TIMEOUT": 2})["QUERY_TIMEOUT"]
    2
    """
    values = {s.name: s.default for s in SETTINGS}
    for setting in SETTINGS:
        env = os.environ.get(f"RIGHTSGRAPH_{setting.name}")
        if env is not None:
            values[setting.name] = setting.parse(env)
    values.update(overrides or {})
    return values
