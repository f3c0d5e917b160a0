"""The report: Figure 1 whose PNG carries its own data, Table 1, sources, self-contained HTML."""

from __future__ import annotations

import csv
import re

import pytest

from sidedoor.data import observed
from sidedoor.data.figures import read_plotted
from sidedoor.report import write_report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return folder, write_report(folder)


def test_report_writes_the_promised_files(report):
    folder, written = report
    names = {p.name for p in written}
    assert {"figure1_overstayers.png", "figure1_overstayers.svg", "index.html",
            "table1_technical_interns.csv", "table1_technical_interns.html",
            "sources_by_series.csv"} <= names
    assert all(p.exists() and p.parent == folder for p in written)


def test_figure1_png_readback_equals_observed(report):
    folder, _ = report
    payload = read_plotted(folder / "figure1_overstayers.png")
    expected = observed("overstayers")
    assert payload["series"] == "overstayers"
    got = [(p["date"], p["category"], p["value"]) for p in payload["points"]]
    want = [(d.date().isoformat(), c, v) for d, c, v in
            zip(expected["reference_date"], expected["category"], expected["value"])]
    assert got == want and len(got) == 31


def test_table1_matches_the_paper(report):
    folder, _ = report
    with (folder / "table1_technical_interns.csv").open(encoding="utf-8") as handle:
        rows = {r["row"]: r for r in csv.DictReader(handle)}
    assert rows["Total"]["2019"] == "410972"
    assert rows["Vietnamese"]["2015"] == "57581"
    assert [rows["Disappeared"][str(y)] for y in range(2015, 2020)] == [
        "5803", "5058", "7089", "9052", "8796"]


def test_index_is_self_contained(report):
    folder, _ = report
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page
    assert not re.search(r'<(script|link|iframe)\b', page)
    assert not re.search(r'src="(https?:)?//', page)
    for section in ("figure1", "table1", "paper", "conflicts", "sources"):
        assert f'id="{section}"' in page
