"""A source as read from disk: its bytes, its name and checks on its text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rightsgraph.graph.errors import InputError

#: Largest file a loader reads by default (bytes); protects memory and the store.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """The bytes of one input, with the name used in messages.

    >>> Source("note.txt", "Caf\\u00e9".encode()).text()
    'Café'
    >>> Source("bad.txt", b"ok\\n\\xff").text()
    Traceback (most recent call last):
    ...
    rightsgraph.graph.errors.InputError: bad.txt:2:1: not UTF-8 text (byte 0xff); convert the file to UTF-8
    """

    name: str
    data: bytes
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def from_path(cls, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
        """Read ``path``, refusing missing, unreadable and oversized files."""
        path = Path(path)
        if not path.exists():
            raise InputError("no such file", file=str(path))
        if not path.is_file():
            raise InputError("not a regular file", file=str(path))
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes "
                "(load --max-size MB raises it)", file=str(path)
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
        return cls(str(path), data, path)

    @property
    def sha256(self) -> str:
        """The SHA-256 digest of the bytes, in hexadecimal."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def file_name(self) -> str:
        """The base name of the file."""
        return Path(self.name).name

    def text(self) -> str:
        """Decode the bytes as UTF-8 (a byte-order mark is dropped).

        :raises InputError: for empty, binary or non-UTF-8 input, naming the place.
        """
        data = self.data.removeprefix(b"\xef\xbb\xbf")
        if not data.strip():
            raise InputError("file is empty", file=self.name)
        nul = data.find(b"\x00")
        if nul >= 0:
            line, column = _position(data, nul)
            raise InputError(
                "binary data (NUL byte), not a text file", file=self.name, line=line, column=column
            )
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column = _position(data, exc.start)
            raise InputError(
                f"not UTF-8 text (byte 0x{data[exc.start]:02x}); convert the file to UTF-8",
                file=self.name,
                line=line,
                column=column,
            ) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of byte ``offset``."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column
