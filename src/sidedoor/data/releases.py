"""Official figures that the shared tables lack, read from an official release later.

Why a file of its own: ``official/`` holds byte-identical copies of the project's shared
tables and stays that way. A figure found afterwards on an official page (the ISA's press
releases) goes here, with its URL, the item of the release and the Japanese sentence it was
read from (``quote``), so anyone can check it. These rows are official (``source_kind``
``data``); none is derived or estimated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sidedoor.data.paper import figure_frame
from sidedoor.data.schema import PACKAGE_DIR, FileSchema

RELEASE_FILE = FileSchema(
    file="release_figures.csv",
    columns=("series", "reference_date", "category", "value", "source_url", "source_note", "quote"),
    dates=("reference_date",), counts=("value",),
    required_text=("series", "category", "source_url", "source_note", "quote"),
    key=("series", "reference_date", "category"), folder=PACKAGE_DIR,
)


def load_release_figures(path: str | Path | None = None) -> pd.DataFrame:
    """Figures read from official releases (source_kind ``data``), each citing a
    ``moj.go.jp`` page and quoting its sentence."""
    return figure_frame(RELEASE_FILE, path, "data", extra=("quote",),
                        must_cite=("moj.go.jp", "a release figure must cite an official moj.go.jp page"))
