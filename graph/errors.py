"""Errors that carry a message meant for the user.

Every failure the package expects (bad input, a store in use, a query that
does not parse) is a :class:`RightsgraphError`.  The CLI and the web UI show
its ``str()`` and never a traceback.
"""

from __future__ import annotations


class RightsgraphError(Exception):
    """An expected failure, with a message a user can act on.

    :param message: what went wrong and, where it helps, what to do.
    :param file: the file concerned, if any.
    :param line: 1-based line (or table row) where the problem is, if known.
    :param column: 1-based column, if known.

    >>> str(RightsgraphError("unexpected end of file", file="a.ttl", line=3, column=11))
    'a.ttl:3:11: unexpected end of file'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = [str(part) for part in (self.file, self.line, self.column) if part is not None]
        return ":".join(where) + ": " + self.message if where else self.message


class StoreLockedError(RightsgraphError):
    """The on-disk store is owned by another process."""


class QueryError(RightsgraphError):
    """A SPARQL query or update was refused or failed."""


class InputError(RightsgraphError):
    """A file, table or text could not be loaded."""
