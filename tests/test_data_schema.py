"""Bad rows stop the load with a message naming the file, the CSV line and the column."""

from __future__ import annotations

import pytest

from sidedoor.data import DataSchemaError, load_overstayers_total, load_paper_figures, load_release_figures
from sidedoor.data.schema import OFFICIAL_DIR, PACKAGE_DIR

SOURCE = OFFICIAL_DIR / "overstayers_total.csv"


def _lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").splitlines(keepends=True)


def _write(tmp_path, lines, name="bad_overstayers.csv"):
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _replace_count(line: str, new: str) -> str:
    fields = line.split(",", 3)
    fields[2] = new
    return ",".join(fields)


def _assert_names(error: DataSchemaError, path, line: int, column: str) -> None:
    message = str(error)
    assert path.name in message
    assert f"line {line}" in message
    assert repr(column) in message
    assert (error.line, error.column) == (line, column)
    assert isinstance(error, ValueError)


def test_missing_column(tmp_path):
    lines = _lines()
    lines[0] = lines[0].replace("count", "cnt")
    path = _write(tmp_path, lines)
    with pytest.raises(DataSchemaError) as caught:
        load_overstayers_total(path)
    _assert_names(caught.value, path, 1, "count")
    assert "header" in str(caught.value)


def test_non_numeric_count(tmp_path):
    lines = _lines()
    lines[4] = _replace_count(lines[4], "about 290000")  # CSV line 5
    path = _write(tmp_path, lines)
    with pytest.raises(DataSchemaError, match="non-numeric") as caught:
        load_overstayers_total(path)
    _assert_names(caught.value, path, 5, "count")


def test_duplicate_key(tmp_path):
    lines = _lines()
    lines.append(lines[2])  # CSV line 3 again, as line len(lines)
    path = _write(tmp_path, lines)
    with pytest.raises(DataSchemaError, match="duplicate of line 3") as caught:
        load_overstayers_total(path)
    _assert_names(caught.value, path, len(lines), "reference_date")


def test_negative_count(tmp_path):
    lines = _lines()
    lines[9] = _replace_count(lines[9], "-5")  # CSV line 10
    path = _write(tmp_path, lines)
    with pytest.raises(DataSchemaError, match="negative") as caught:
        load_overstayers_total(path)
    _assert_names(caught.value, path, 10, "count")


def test_line_numbers_follow_multi_line_quoted_fields(tmp_path):
    lines = _lines()
    assert lines[1].endswith(",secondary source only for exact figure; first MoJ estimate\n")
    lines[1] = lines[1].replace(",secondary source", ',"secondary\nsource').replace(
        "estimate\n", 'estimate"\n')
    lines[2] = _replace_count(lines[2], "x")  # physical line 4 after the embedded newline
    path = _write(tmp_path, lines)
    with pytest.raises(DataSchemaError) as caught:
        load_overstayers_total(path)
    assert caught.value.line == 4


def test_paper_figure_must_cite_a_section(tmp_path):
    text = (PACKAGE_DIR / "paper_figures.csv").read_text(encoding="utf-8")
    path = _write(tmp_path, [text.replace("§1 (note 2)", "Introduction")], "paper.csv")
    with pytest.raises(DataSchemaError, match="section") as caught:
        load_paper_figures(path)
    _assert_names(caught.value, path, 2, "source_url")


def test_release_figure_must_cite_an_official_page(tmp_path):
    text = (PACKAGE_DIR / "release_figures.csv").read_text(encoding="utf-8")
    path = _write(tmp_path, [text.replace("https://www.moj.go.jp/isa/", "https://example.org/", 1)],
                  "releases.csv")
    with pytest.raises(DataSchemaError, match="moj.go.jp") as caught:
        load_release_figures(path)
    _assert_names(caught.value, path, 2, "source_url")


def test_release_figures_are_the_sentence_they_quote():
    """Each figure is read from its quoted sentence (digits only), and the three statuses of
    2019 stay below the release's 19,386 persons processed (deportations.csv)."""
    from sidedoor.data import observed

    frame = load_release_figures()
    for row in frame.itertuples():
        assert str(int(row.value)) in row.quote.replace(",", "")
    total = observed("deportations")
    total_2019 = float(total.loc[total["reference_date"] == "2019-12-31", "value"].iloc[0])
    assert frame["value"].sum() < total_2019 == 19386
