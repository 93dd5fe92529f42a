"""Checks and builders for IRIs the package mints or accepts from users."""

from __future__ import annotations

import re
import unicodedata

from pyoxigraph import NamedNode

from rightsgraph.graph.errors import RightsgraphError

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_SAFE_SCHEMES = ("http", "https", "urn")


def checked_iri(value: str, *, what: str = "IRI") -> NamedNode:
    """Return ``value`` as a :class:`~pyoxigraph.NamedNode` if it is an absolute
    http, https or urn IRI, or raise :class:`RightsgraphError`.

    >>> checked_iri("https://example.org/g").value
    'https://example.org/g'
    >>> checked_iri("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    rightsgraph.graph.errors.RightsgraphError: IRI must use http, https or urn: 'javascript:alert(1)'
    """
    if not _ABSOLUTE.match(value):
        raise RightsgraphError(f"{what} is not an absolute IRI: {value!r}")
    if value.split(":", 1)[0].lower() not in _SAFE_SCHEMES:
        raise RightsgraphError(f"{what} must use http, https or urn: {value!r}")
    try:
        return NamedNode(value)
    except ValueError as exc:
        raise RightsgraphError(f"{what} is not valid ({exc}): {value!r}") from None


def slug(text: str, *, max_length: int = 80) -> str:
    """Return a lower-case ASCII slug of ``text`` for use in an IRI path.

    >>> slug("Women’s Rights Working Group — Intervention (Geneva)")
    'womens-rights-working-group-intervention-geneva'
    >>> slug("!!!")
    'x'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    result = "-".join(words)[:max_length].strip("-")
    return result or "x"
