"""`sidedoor rules ...` through typer's CliRunner."""

from typer.testing import CliRunner

from sidedoor.cli.rules import app

runner = CliRunner()


def test_show_lists_rules_in_force_with_provenance():
    result = runner.invoke(app, ["show", "--date", "2016-06-01"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "asylum.work_permit_enabled" in out and "students.work_hours_term" in out
    assert "calibrated (uniform" in out and "2010-03-01" in out
    assert "asylum.screening_share_a" not in out  # not yet in force in 2016


def test_diff_lists_the_four_big_changes_of_2009_2019():
    result = runner.invoke(app, ["diff", "2009-01-01", "2019-01-01"])
    assert result.exit_code == 0, result.output
    for name in ("asylum.work_permit_enabled", "asylum.screening_active", "spr.regime", "ssw.legislated"):
        assert name in result.output, name
    assert "tightened_post_2012" in result.output


def test_graph_writes_an_svg(tmp_path):
    out = tmp_path / "graph.svg"
    result = runner.invoke(app, ["graph", "-o", str(out), "--date", "2019-06-01"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("<?xml") and "M5 Refugee recognition system" in text


def test_check_reform_summarises_a_shipped_reform():
    result = runner.invoke(app, ["check-reform", "no-2018-screening"])
    assert result.exit_code == 0, result.output
    assert "valid reform" in result.output and "asylum.screening_active" in result.output


def test_bad_date_exits_2_without_traceback():
    result = runner.invoke(app, ["show", "--date", "2016-13-01"])
    assert result.exit_code == 2
    assert "not a date" in result.output and "Traceback" not in result.output


def test_bad_reform_exits_2_with_file_key_reason(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: y\nreference: z\nchanges:\n  - {parameter: nope, value: 1, start: 2000-01-01}\n")
    result = runner.invoke(app, ["check-reform", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output and "changes[0].parameter" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_reform_file_exits_2(tmp_path):
    result = runner.invoke(app, ["check-reform", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "cannot read" in result.output
