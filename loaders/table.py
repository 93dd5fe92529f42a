"""Tables as analysts bring them: CSV, TSV, Excel workbooks and JSON arrays.

Each reader yields the header, then the data rows one at a time with the
number a spreadsheet shows for them (the header is row 1; in JSON, the n-th
object is record n).  Cells come back as stripped text; empty rows are
skipped.  Nothing here knows what the columns mean (see ``columns.py``).

>>> table = read_table(Source("t.csv", b'\\xef\\xbb\\xbfText,State\\n"two\\nlines",Chile\\n\\nx,Peru\\n'),
...                    "csv")
>>> table.header
['Text', 'State']
>>> list(table.rows)
[(2, ['two\\nlines', 'Chile']), (4, ['x', 'Peru'])]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rightsgraph.graph.errors import InputError
from rightsgraph.loaders.source import Source

#: Table formats and the kind of row number each reports.
TABLE_FORMATS: dict[str, str] = {"csv": "row", "tsv": "row", "xlsx": "row", "json": "record"}

# The csv module's default (128 KiB) is too small for some recommendation texts;
# the file size cap already bounds a cell.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

Rows = Iterator[tuple[int, list[str]]]


@dataclass
class Table:
    """A header and a lazy sequence of ``(row number, cells)``."""

    header: list[str]
    rows: Rows
    unit: str = "row"  # what a row number counts: "row" or "record"


def read_table(source: Source, table_format: str) -> Table:
    """Read ``source`` as a table of format ``csv``, ``tsv``, ``xlsx`` or ``json``.

    :raises InputError: if the file is not such a table or has no header.
    """
    if table_format == "xlsx":
        return _read_xlsx(source)
    if table_format == "json":
        return _read_json(source)
    return _read_delimited(source, "\t" if table_format == "tsv" else None)


# ------------------------------------------------------------------ CSV and TSV


def _read_delimited(source: Source, delimiter: str | None) -> Table:
    text = source.text().removeprefix("\ufeff")
    if delimiter is None:
        delimiter = _guess_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = _numbered(reader, source)
    for _number, cells in records:
        return Table(_header(cells), records)
    raise InputError("the table has no header row", file=source.name)


def _guess_delimiter(text: str) -> str:
    """Comma, unless the first line has semicolons or tabs and no commas."""
    first = text.split("\n", 1)[0]
    if "," not in first:
        for candidate in (";", "\t"):
            if candidate in first:
                return candidate
    return ","


def _numbered(reader: Any, source: Source) -> Rows:
    """Number the records as a spreadsheet would (blank lines count), skip empty ones."""
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"unreadable table: {exc}", file=source.name,
                             line=number + 1) from None
        number += 1
        stripped = [cell.strip() for cell in cells]
        if any(stripped):
            yield number, stripped


def _header(cells: list[str]) -> list[str]:
    """The first non-empty row, with spacing normalised and trailing empty cells dropped."""
    header = [" ".join(cell.split()) for cell in cells]
    while header and not header[-1]:
        header.pop()
    return header


# ------------------------------------------------------------------ Excel


def _read_xlsx(source: Source) -> Table:
    from openpyxl import load_workbook  # imported here: only Excel users pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"not an Excel .xlsx workbook ({exc})", file=source.name) from None
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        book.close()
        raise InputError("the workbook has no worksheet", file=source.name)
    rows = _xlsx_rows(book, sheet)
    for _number, cells in rows:
        return Table(_header(cells), rows)
    raise InputError("the first worksheet is empty", file=source.name)


def _xlsx_rows(book: Any, sheet: Any) -> Rows:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_xlsx_text(value) for value in values]
                if any(cells):
                    yield number, cells
    finally:
        book.close()


def _xlsx_text(value: object) -> str:
    """Cell value as text: whole floats lose their ``.0``, dates are ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ------------------------------------------------------------------ JSON


def _read_json(source: Source) -> Table:
    try:
        data = json.loads(source.text())
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", file=source.name, line=exc.lineno,
                         column=exc.colno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=source.name) from None
    if isinstance(data, dict):
        if "@context" in data or "@graph" in data:
            raise InputError("this is JSON-LD, not a table; load it with --format jsonld",
                             file=source.name)
        data = data.get("recommendations")
    if not isinstance(data, list):
        raise InputError('expected a list of objects or {"recommendations": [...]}',
                         file=source.name)
    header: dict[str, None] = {}
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError(f"record {number} is not an object", file=source.name, line=number)
        header.update(dict.fromkeys(" ".join(str(key).split()) for key in item))
    keys = list(header)
    return Table(keys, _json_rows(data, keys, source), unit="record")


def _json_rows(data: list[dict[str, Any]], keys: list[str], source: Source) -> Rows:
    for number, item in enumerate(data, start=1):
        cells = dict.fromkeys(keys, "")
        for key, value in item.items():
            cells[" ".join(str(key).split())] = _json_text(value, source, number, str(key))
        yield number, list(cells.values())


def _json_text(value: object, source: Source, number: int, key: str) -> str:
    """A JSON value as cell text; a list becomes a ";"-separated cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value).strip()
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "; ".join(str(v).strip() for v in value)
    raise InputError(f"record {number}, {key!r}: expected text, a number or a list of them",
                     file=source.name, line=number)
