"""Checking and preparing what a run hands to the store: data frames and metadata values.

Validation happens before the transaction starts, so a malformed frame is reported with the
table's name instead of as a DuckDB cast error halfway through a write.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from sidedoor.store.schema import FRAME_COLUMNS

_STATUS_COLUMNS = ("from_status", "to_status")


@cache
def _label_table() -> np.ndarray:
    """Labels indexed by code (None where a code is unused).

    Imported on first use: ``sidedoor.institutions`` loads the parameter machinery, which
    reading the store (``sidedoor runs list``) does not need.
    """
    from sidedoor.institutions.statuses import Status

    labels = np.full(max(Status) + 1, None, dtype=object)
    for status in Status:
        labels[int(status)] = status.label
    return labels


def prepare(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's columns in table order, with engine status codes turned into labels.

    Statuses are stored as labels (``overstayer``), not uint8 codes, so the store reads
    on its own in SQL and in exports.
    """
    expected = FRAME_COLUMNS[table]
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{table}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected]
    if missing or extra:
        raise ValueError(
            f"{table}: columns must be exactly {list(expected)}; "
            f"missing {missing}, unexpected {extra}"
        )
    prepared = frame.loc[:, list(expected)]
    for column in _STATUS_COLUMNS:
        if column in prepared and ptypes.is_integer_dtype(prepared[column].dtype):
            prepared = prepared.assign(**{column: status_labels(prepared[column], table)})
    return prepared


def status_labels(codes: pd.Series, table: str) -> np.ndarray:
    """Vectorised ``Status(code).label`` for a column of engine codes."""
    labels = _label_table()
    values = codes.to_numpy(dtype=np.int64)
    bad = (values < 0) | (values >= len(labels))
    if not bad.any():
        bad = pd.isna(labels[values])
    if bad.any():
        raise ValueError(f"{table}.{codes.name}: unknown status codes {sorted(set(values[bad]))}")
    return labels[values]


def as_date(value: date | str | None) -> date | None:
    """A date from a date, Timestamp, numpy datetime or ISO string ('1990-01' = 1 Jan)."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return pd.Timestamp(value).date()


def to_json(value: Mapping[str, Any]) -> str:
    """Strict JSON for the parameter values (numpy, dates and NaN made portable)."""
    return json.dumps(_jsonable(value), allow_nan=False)


def _jsonable(value: Any) -> Any:
    """Recursively convert to JSON types; NaN/inf become null (JSON has no NaN)."""
    if isinstance(value, Mapping):
        return {_json_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (date, datetime)):  # pd.Timestamp is a datetime
        return _iso(value)
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    raise TypeError(f"parameter value {value!r} ({type(value).__name__}) cannot be stored as JSON")


def _json_key(key: Any) -> str:
    """JSON object keys are strings; dates keep their ISO form."""
    if isinstance(key, (date, datetime)):
        return _iso(key)
    return key.name if isinstance(key, Enum) else str(key)


def _iso(value: date) -> str:
    """ISO date, with the time only when a datetime is not at midnight."""
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return value.isoformat()
