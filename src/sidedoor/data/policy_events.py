"""Dated visa-policy events (exemptions suspended or granted, new statuses, new procedures).

Events are not counts. :func:`visa_policy_events` returns them as events with their date
precision; the tidy view (series ``visa_policy_events``) marks each with value 1 under the
category ``country: event_type``. A year-precision event is dated January 1 of its year and
says so in its source_note: the month is unknown, not January.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from sidedoor.data.schema import FileSchema, SourceRow, read_checked, record, tidy_frame

EVENT_FILE = FileSchema(
    file="visa_policy_changes.csv",
    columns=("date", "date_precision", "country", "event", "event_type", "source_url",
             "source_note", "cross_check_url", "notes"),
    required_text=("date", "date_precision", "country", "event", "event_type", "source_url",
                   "source_note"),
    key=("date", "country", "event_type"),
)
EVENT_COLUMNS = ("date", "precision", "country", "event", "event_type", "sources",
                 "source_url", "source_note", "cross_check_url", "notes")


def _event_date(row: SourceRow) -> dt.date:
    """The event's date; a year-precision date becomes January 1 of that year."""
    text, precision = row["date"], row["date_precision"]
    if precision == "day":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise row.fail("date", f"precision 'day' needs YYYY-MM-DD, found {text!r}") from None
    if precision in ("year", "approx. year"):
        pattern = r"~?(\d{4})" if precision == "approx. year" else r"(\d{4})"
        match = re.fullmatch(pattern, text)
        if not match:
            raise row.fail("date", f"precision {precision!r} needs a year, found {text!r}")
        return dt.date(int(match.group(1)), 1, 1)
    raise row.fail("date_precision", f"unknown precision {precision!r}")


def visa_policy_events(path: str | Path | None = None) -> pd.DataFrame:
    """One row per event: date, precision, country, event, event_type, sources (tuple of
    URLs), and the raw provenance columns."""
    rows = read_checked(EVENT_FILE, path)
    events = [{
        "date": pd.Timestamp(_event_date(row)),
        "precision": row["date_precision"],
        "country": row["country"],
        "event": row["event"],
        "event_type": row["event_type"],
        "sources": tuple(u for u in (row["source_url"], row["cross_check_url"]) if u),
        "source_url": row["source_url"],
        "source_note": row["source_note"],
        "cross_check_url": row["cross_check_url"],
        "notes": row["notes"],
    } for row in rows]
    frame = pd.DataFrame(events, columns=list(EVENT_COLUMNS))
    frame["date"] = frame["date"].astype("datetime64[ns]")
    return frame


def load_visa_policy_events(path: str | Path | None = None) -> pd.DataFrame:
    """Series ``visa_policy_events`` in the tidy schema: value 1 (an event indicator)."""
    rows = read_checked(EVENT_FILE, path)
    records = []
    for row in rows:
        precision = row["date_precision"]
        dating = ("" if precision == "day" else
                  " (dated January 1 of that year; month unknown)")
        note = f"event: {row['event']}; date precision: {precision}{dating}; " \
               f"{row['source_note']}" + (f"; note: {row['notes']}" if row["notes"] else "")
        records.append(record(
            row, series="visa_policy_events", reference_date=_event_date(row),
            category=f"{row['country']}: {row['event_type']}", value=1, source_note=note,
            precision=precision, event=row["event"], cross_check_url=row["cross_check_url"],
        ))
    return tidy_frame(records, EVENT_FILE.resolve(path), EVENT_FILE.key)
