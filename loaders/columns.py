"""The columns of a recommendation table, under every header they go by.

Headers are matched case-insensitively, ignoring punctuation and spacing,
against the canonical names and the headers of UPR Info and UHRI exports.

>>> columns = Columns.from_header(["Recommendation", "Recommending State(s)", "SuR", "Notes"])
>>> columns.index
{'text': 0, 'recommending_state': 1, 'state_under_review': 2}
>>> columns.ignored
['Notes']
>>> normalise_header("  Recommending state(s) ")
'recommending state s'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Canonical field name -> (header shown in messages and docs, other headers accepted).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("Recommendation", (
        "Recommendations", "Recommendation text", "Text", "Full text", "Annotation",
        "Recommendation (full text)",
    )),
    "recommending_state": ("Recommending State", (
        "Recommending States", "Recommending State(s)", "Source of recommendation",
        "Recommending Country", "Recommending Countries", "Recommended by",
    )),
    "state_under_review": ("State under Review", (
        "State under Review (SuR)", "SuR", "Country", "Countries", "Country under review",
        "Reviewed State",
    )),
    "response": ("Response", (
        "Position", "Response to recommendation", "SuR response", "Position of the State",
        "Status",
    )),
    "action_category": ("Action Category", ("Action", "Category", "Action type")),
    "themes": ("Issues", ("Issue", "Themes", "Theme", "Topics", "Topic", "Human rights themes")),
    "groups": ("Affected persons", (
        "Affected person", "Affected groups", "Affected group", "Groups", "Group",
        "Rights holders", "Rights-holders",
    )),
    "sdg_targets": ("SDG targets", (
        "SDG target", "SDGs", "SDG", "SDG goals", "Sustainable Development Goals",
    )),
    "cycle": ("Cycle", ("UPR cycle",)),
    "session": ("Session", ("UPR session", "Session number")),
    "symbol": ("Document symbol", ("Symbol", "Document", "UN symbol", "Document reference")),
    "paragraph": ("Paragraph", (
        "Paragraph number", "Paragraph no", "Para", "Recommendation number",
        "Recommendation no",
    )),
    "date": ("Date", ("Document date", "Publication date", "Date of review", "Review date")),
}

#: Fields whose cells may hold several values separated by ";".
MULTI_VALUED = frozenset({"recommending_state", "themes", "groups", "sdg_targets"})

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise_header(header: str) -> str:
    """Lower-case words of ``header``, punctuation and spacing folded."""
    return _NOT_WORD.sub(" ", header.casefold()).strip()


_ALIASES: dict[str, str] = {
    normalise_header(alias): name
    for name, (canonical, aliases) in COLUMNS.items()
    for alias in (canonical, *aliases)
}


def field_for(header: str) -> str | None:
    """Return the field a header stands for, if any.

    >>> field_for("STATE UNDER REVIEW"), field_for("Colour")
    ('state_under_review', None)
    """
    return _ALIASES.get(normalise_header(header))


def title(name: str) -> str:
    """The canonical header of field ``name``, as used in messages."""
    return COLUMNS[name][0]


@dataclass
class Columns:
    """Where each field is in a table: ``index[field]`` is a 0-based column."""

    header: list[str]
    index: dict[str, int] = field(default_factory=dict)
    #: Headers that name no field, kept out of the graph (and reported).
    ignored: list[str] = field(default_factory=list)
    #: Headers for a field an earlier column already gives (and reported).
    duplicates: list[str] = field(default_factory=list)

    @classmethod
    def from_header(cls, header: list[str]) -> Columns:
        """Match every header of a table to its field."""
        columns = cls(header)
        for position, text in enumerate(header):
            if not text:
                continue
            name = field_for(text)
            if name is None:
                columns.ignored.append(text)
            elif name in columns.index:
                columns.duplicates.append(text)
            else:
                columns.index[name] = position
        return columns

    def header_of(self, name: str) -> str:
        """The header, as written in the table, of field ``name``."""
        position = self.index.get(name)
        return self.header[position] if position is not None else title(name)

    def number_of(self, name: str) -> int | None:
        """The 1-based column number of field ``name``, if the table has it."""
        position = self.index.get(name)
        return None if position is None else position + 1

    def cells(self, row: list[str]) -> dict[str, str]:
        """Return the non-empty cells of ``row`` by field."""
        values = {}
        for name, position in self.index.items():
            if position < len(row) and row[position]:
                values[name] = row[position]
        return values


def split_values(cell: str, separators: str = ";") -> list[str]:
    """Split a multi-valued cell, dropping empty parts and repeated values.

    >>> split_values("Women; Girls;; women ;Girls")
    ['Women', 'Girls', 'women']
    >>> split_values("3.7, 5.6", ";,")
    ['3.7', '5.6']
    """
    parts = re.split("[" + re.escape(separators) + "]", cell)
    values: list[str] = []
    for part in parts:
        value = " ".join(part.split())
        if value and value not in values:
            values.append(value)
    return values
