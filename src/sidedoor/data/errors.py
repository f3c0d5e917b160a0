"""Errors raised by the data layer, so callers can tell bad data from bad requests."""

from __future__ import annotations

from pathlib import Path


class DataSchemaError(ValueError):
    """A shipped (or user-supplied) table breaks its schema.

    The message names the file, the CSV line (1-based, the header being line 1) and the
    column, so the row can be found and fixed in a text editor.
    """

    def __init__(self, file: str | Path, line: int, column: str, problem: str) -> None:
        self.file = str(file)
        self.line = line
        self.column = column
        self.problem = problem
        where = "line 1 (the header)" if line == 1 else f"line {line}"
        super().__init__(
            f"{self.file}: {where}, column {column!r}: {problem} "
            "(CSV line numbers count the header as line 1)"
        )


class UnknownSeriesError(KeyError):
    """A series key that the registry does not know; the message lists the known keys."""

    def __init__(self, key: str, known: list[str]) -> None:
        self.key = key
        self.known = list(known)
        super().__init__(key)

    def __str__(self) -> str:
        return f"unknown series {self.key!r}; known series: {', '.join(self.known)}"
