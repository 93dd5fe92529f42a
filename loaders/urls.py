"""URLs in note text, even when glued to the words before them.

>>> found = find_urls("Black Mama’s Matter-the COVID 19 Response-https://blackmamasmatter.org/a/.")
>>> [(u.url, u.start) for u in found]
[('https://blackmamasmatter.org/a/', 42)]
>>> normalise_url("HTTPS://WWW.Example.org/a#") == normalise_url("https://www.example.org/a")
True
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote

from pyoxigraph import NamedNode

# "http(s)://" may follow any character (a dash, a letter); "www." must start a word.
_URL = re.compile(r"(?:https?://|(?<![\w.@/])www\.)[^\s<>\"“”‘’{}|\\^`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'’”)]}*"
_PAIRS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class FoundUrl:
    """A URL and where it stands in the text it was found in."""

    url: str
    start: int
    end: int


def find_urls(text: str) -> list[FoundUrl]:
    """Return the URLs of ``text``, without trailing punctuation."""
    found = []
    for match in _URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            closer = url[-1]
            if closer in _PAIRS and url.count(_PAIRS[closer]) >= url.count(closer):
                break  # a balanced bracket belongs to the URL (Wikipedia style)
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        found.append(FoundUrl(url, match.start(), match.start() + len(url)))
    return found


def absolute(url: str) -> str:
    """Return ``url`` with a scheme (``www.x`` becomes ``http://www.x``)."""
    return url if "://" in url else "http://" + url


def normalise_url(url: str) -> str:
    """Return the form two spellings of one URL share: lower-case scheme and
    host, no empty fragment, no trailing slash."""
    url = absolute(url)
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    path = path.rstrip("#")
    result = f"{scheme.lower()}://{host.lower()}{slash}{path}"
    return result.rstrip("/")


def url_key(url: str) -> str:
    """Return the 16 hexadecimal digits that name the source of ``url``."""
    return hashlib.sha1(normalise_url(url).encode()).hexdigest()[:16]


def url_node(url: str) -> NamedNode | None:
    """Return ``url`` as an IRI (percent-encoding what an IRI may not hold),
    or ``None`` if it cannot be one.

    >>> url_node("https://a.org/a[1]").value
    'https://a.org/a%5B1%5D'
    """
    url = absolute(url)
    for safe in (None, _SAFE, _SAFE.replace("%", "")):
        candidate = url if safe is None else quote(url, safe=safe)
        try:
            return NamedNode(candidate)
        except ValueError:
            continue
    return None


_SAFE = ":/?#&=%+@!$'()*,;~-._"
