"""`sidedoor data ...`: list, show (table/csv/json), plot, and clear errors."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from sidedoor.cli import app
from sidedoor.data import TIDY_COLUMNS, series_keys
from sidedoor.timeline import overstayer_reference_dates

runner = CliRunner()


def test_show_overstayers_csv_prints_the_schema_and_real_dates():
    result = runner.invoke(app, ["data", "show", "overstayers", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(TIDY_COLUMNS)
    body = rows[1:]
    assert len(body) == 31
    dates = [r[1] for r in body]
    assert dates == [d.isoformat() for d in overstayer_reference_dates(1990, 2020)]
    assert dates[:3] == ["1990-07-01", "1991-05-01", "1992-05-01"]
    assert dates[6:8] == ["1996-05-01", "1997-01-01"] and dates[-1] == "2020-01-01"
    assert body[3][3] == "298646" and all(r[4] and r[5] for r in body)


def test_show_json_and_table():
    result = runner.invoke(app, ["data", "show", "asylum_applications", "-f", "json"])
    records = json.loads(result.stdout)
    assert set(records[0]) == set(TIDY_COLUMNS)
    assert {"reference_date": "2017-12-31", "value": 19629}.items() <= next(
        r for r in records if r["reference_date"] == "2017-12-31").items()
    table = runner.invoke(app, ["data", "show", "departure_orders"])
    assert table.exit_code == 0 and "8,713" in table.stdout


def test_list_names_every_series():
    result = runner.invoke(app, ["data", "list"])
    assert result.exit_code == 0
    for key in series_keys():
        assert key in result.stdout


def test_unknown_series_exits_2_listing_known_keys():
    for command in (["data", "show", "nope"], ["data", "plot", "nope", "-o", "x.png"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "unknown series 'nope'" in result.output
        assert "overstayers_by_status" in result.output
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit)


def test_plot_writes_svg_and_rejects_other_formats(tmp_path):
    target = tmp_path / "deportations.svg"
    result = runner.invoke(app, ["data", "plot", "deportations", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "Persons processed in deportation procedures" in text or "<svg" in text
    bad = runner.invoke(app, ["data", "plot", "deportations", "-o", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2 and "use .png or .svg" in bad.output
