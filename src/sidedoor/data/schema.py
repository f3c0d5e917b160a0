"""Reading a shipped CSV against its declared schema, and the tidy row format.

Every shipped table is checked when it is read: a missing column, a count that is not a whole
non-negative number, a bad date or two rows for the same (series, reference_date, category)
stop the load with a :class:`DataSchemaError` naming the file, the CSV line and the column.
A silently wrong table would otherwise flow into calibration unnoticed.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sidedoor.data.errors import DataSchemaError

PACKAGE_DIR = Path(__file__).resolve().parent
OFFICIAL_DIR = PACKAGE_DIR / "official"

#: The tidy observed schema of docs/CONTRACTS.md.
TIDY_COLUMNS: tuple[str, ...] = (
    "series", "reference_date", "category", "value", "source_url", "source_note",
)
#: Bookkeeping kept with every row before the preferred one is chosen.
ROW_COLUMNS: tuple[str, ...] = TIDY_COLUMNS + ("source_kind", "source_file", "source_line")

_INTEGER = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class FileSchema:
    """What a CSV must contain: its columns and how the typed ones are checked."""

    file: str
    columns: tuple[str, ...]
    counts: tuple[str, ...] = ()  # whole numbers >= 0, required
    optional_counts: tuple[str, ...] = ()  # whole numbers >= 0, may be blank
    measures: tuple[str, ...] = ()  # decimals >= 0 (ratios, percentages), required
    optional_measures: tuple[str, ...] = ()
    years: tuple[str, ...] = ()  # four-digit years, required
    dates: tuple[str, ...] = ()  # ISO YYYY-MM-DD, required
    optional_dates: tuple[str, ...] = ()
    required_text: tuple[str, ...] = ("source_url", "source_note")
    key: tuple[str, ...] = ()  # the source columns that identify a row (named on duplicates)
    folder: Path = OFFICIAL_DIR  # where the shipped copy lives

    def resolve(self, path: str | Path | None) -> Path:
        """The shipped file unless a path is given (tests point loaders at bad copies)."""
        return Path(path) if path is not None else self.folder / self.file


@dataclass(frozen=True)
class SourceRow:
    """One checked CSV record: raw text, parsed typed values and its CSV line number."""

    file: Path
    line: int
    text: Mapping[str, str]
    parsed: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, column: str) -> Any:
        if column in self.parsed:
            return self.parsed[column]
        return self.text[column].strip()

    def fail(self, column: str, problem: str) -> DataSchemaError:
        """An error pointing at this row and column (for checks done by the loaders)."""
        return DataSchemaError(self.file, self.line, column, problem)


def _parse_count(raw: str) -> tuple[int | None, str | None]:
    text = raw.strip()
    if not text:
        return None, None
    if _INTEGER.match(text):
        number = int(text)
        return (None, f"negative count {number}") if number < 0 else (number, None)
    try:
        as_float = float(text)
    except ValueError:
        hint = " (thousands separators are not allowed)" if "," in text else ""
        return None, f"non-numeric count {raw!r}{hint}"
    if as_float < 0:
        return None, f"negative count {raw!r}"
    return None, f"count {raw!r} is not a whole number"


def _parse_measure(raw: str) -> tuple[float | None, str | None]:
    text = raw.strip()
    if not text:
        return None, None
    try:
        number = float(text)
    except ValueError:
        return None, f"non-numeric value {raw!r}"
    if number != number or number in (float("inf"), float("-inf")):
        return None, f"non-numeric value {raw!r}"
    if number < 0:
        return None, f"negative value {raw!r}"
    return number, None


def _parse_year(raw: str) -> tuple[int | None, str | None]:
    text = raw.strip()
    if not text:
        return None, None
    if re.fullmatch(r"\d{4}", text):
        return int(text), None
    return None, f"not a four-digit year: {raw!r}"


def _parse_date(raw: str) -> tuple[dt.date | None, str | None]:
    text = raw.strip()
    if not text:
        return None, None
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"not an ISO date (YYYY-MM-DD): {raw!r}"


def _check_row(schema: FileSchema, path: Path, line: int, text: dict[str, str]) -> SourceRow:
    parsed: dict[str, Any] = {}
    checks = (
        (schema.counts, _parse_count, True),
        (schema.optional_counts, _parse_count, False),
        (schema.measures, _parse_measure, True),
        (schema.optional_measures, _parse_measure, False),
        (schema.years, _parse_year, True),
        (schema.dates, _parse_date, True),
        (schema.optional_dates, _parse_date, False),
    )
    for columns, parse, required in checks:
        for column in columns:
            value, problem = parse(text[column])
            if problem:
                raise DataSchemaError(path, line, column, problem)
            if required and value is None:
                raise DataSchemaError(path, line, column, "empty value (required)")
            parsed[column] = value
    for column in schema.required_text:
        if not text[column].strip():
            raise DataSchemaError(path, line, column, "empty value (required)")
    return SourceRow(file=path, line=line, text=text, parsed=parsed)


def read_checked(schema: FileSchema, path: str | Path | None = None) -> list[SourceRow]:
    """Read a CSV, checking its header and every typed cell; rows keep their line numbers."""
    target = schema.resolve(path)
    with target.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataSchemaError(target, 1, schema.columns[0], "empty file (no header)")
        header = [name.strip() for name in header]
        for column in schema.columns:
            if column not in header:
                raise DataSchemaError(
                    target, 1, column, f"missing column (the header has: {', '.join(header)})"
                )
        rows: list[SourceRow] = []
        next_line = reader.line_num + 1
        for fields in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(value.strip() for value in fields):
                continue
            if len(fields) != len(header):
                column = header[min(len(fields), len(header) - 1)]
                raise DataSchemaError(
                    target, line, column,
                    f"{len(fields)} fields where the header has {len(header)}",
                )
            rows.append(_check_row(schema, target, line, dict(zip(header, fields))))
    return rows


def row_note(row: SourceRow, *, approximate: bool = False, extra: Iterable[str] = ()) -> str:
    """The row's source_note, with the caveats (approximate, notes, cross-check) attached."""
    parts = [row["source_note"]]
    parts.extend(text for text in extra if text)
    if approximate:
        parts.append("approximate figure")
    for column, label in (("notes", "note"), ("cross_check_note", "cross-check")):
        if column in row.text and row[column]:
            parts.append(f"{label}: {row[column]}")
    return "; ".join(parts)


def tidy_frame(
    records: list[dict[str, Any]], file: Path, key: tuple[str, ...],
) -> pd.DataFrame:
    """Tidy rows -> DataFrame, refusing two rows for one (series, reference_date, category)."""
    seen: dict[tuple[str, dt.date, str, str], int] = {}
    for record in records:
        ident = (record["series"], record["reference_date"], record["category"],
                 record["source_kind"])
        if ident in seen:
            raise DataSchemaError(
                file, record["source_line"], ", ".join(key),
                f"duplicate of line {seen[ident]}: series {ident[0]!r}, reference date "
                f"{ident[1].isoformat()}, category {ident[2]!r} appears twice",
            )
        seen[ident] = record["source_line"]
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        frame = pd.DataFrame(columns=list(ROW_COLUMNS))
    frame["reference_date"] = pd.to_datetime(frame["reference_date"]).astype("datetime64[ns]")
    frame["value"] = frame["value"].astype("float64")
    frame["source_line"] = frame["source_line"].astype("int64")
    extras = [c for c in frame.columns if c not in ROW_COLUMNS]
    return frame[list(ROW_COLUMNS) + extras]


def record(
    row: SourceRow, *, series: str, reference_date: dt.date, category: str, value: float,
    source_note: str | None = None, source_kind: str = "data", **extra: Any,
) -> dict[str, Any]:
    """One tidy record from a checked source row (provenance and line carried along)."""
    return {
        "series": series,
        "reference_date": reference_date,
        "category": category,
        "value": float(value),
        "source_url": row["source_url"],
        "source_note": source_note if source_note is not None else row_note(row),
        "source_kind": source_kind,
        "source_file": row.file.name,
        "source_line": row.line,
        **extra,
    }


def year_end(year: int) -> dt.date:
    """Calendar-year flows are dated on the last day of the year (docs/CONTRACTS.md)."""
    return dt.date(year, 12, 31)


def first_half_end(year: int) -> dt.date:
    """Half-year flows are dated on the last day of the half-year."""
    return dt.date(year, 6, 30)
