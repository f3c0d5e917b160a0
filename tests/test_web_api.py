"""The dashboard's JSON API and pages, in process: every route answers, controls follow the
rules' metadata, bad input is a 4xx naming the field, and nothing is loaded from a CDN."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sidedoor.institutions.parameters import BOUNDED_UNITS
from sidedoor.web import WebSettings, create_app
from sidedoor.web.rulebook import policy_rules
from sidedoor.web.testing import StandInScenario, stand_in_tracer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
WEB = Path(__file__).parents[1] / "src" / "sidedoor" / "web"
PAGES = ("/observed", "/model", "/rules", "/scenarios", "/pathways")
CSV_COLUMNS = "series,reference_date,category,baseline,reform,difference,difference_q05,difference_q95"


@pytest.fixture()
def client(tmp_path):
    settings = WebSettings(store=tmp_path / "store.duckdb", queue_capacity=3)
    app = create_app(settings, runners={"scenario": StandInScenario(0.01)}, tracer=stand_in_tracer,
                     warm=False)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def _wait(client, job_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/scenarios/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert '<script src="/assets/vendor/plotly.min.js"></script>' in response.text


@pytest.mark.parametrize("path", ["/api/series", "/api/series/overstayers", "/api/rules?date=2018-06-01",
                                  "/api/rules/timeline", "/api/rules/reformable", "/api/model", "/api/runs",
                                  "/api/scenarios", "/api/scenarios/named", "/api/archetypes", "/openapi.json"])
def test_every_api_route_answers(client, path):
    assert client.get(path).status_code == 200


def test_series_detail_has_definition_sources_and_points(client):
    detail = client.get("/api/series/overstayers").json()
    assert detail["definition"] and detail["points"]
    assert all(link["url"] for link in detail["source_links"])
    peak = max(detail["points"], key=lambda p: p["value"])
    assert (peak["reference_date"], peak["value"]) == ("1993-05-01", 298646.0)  # M7: the 1993 peak
    assert client.get("/api/series/no_such_series").status_code == 404


def test_rules_on_a_date_follow_the_dated_policies(client):
    before = client.get("/api/rules?date=2009-01-01").json()
    after = client.get("/api/rules?date=2011-01-01").json()

    def permit(data):
        return any(t["source"] == "asylum_applicant" and t["target"] == "asylum_applicant_work_permit"
                   for t in data["transitions"])

    assert not permit(before) and permit(after)  # M5: the 2010 work-permit side door
    early = client.get("/api/rules?date=1900-01-01").json()
    assert all(r["value"] is None for r in early["rules"])  # no rule existed yet: "not yet"
    bad = client.get("/api/rules?date=not-a-date")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "date"]


def test_controls_are_derived_from_parameter_metadata(client):
    controls = {c["parameter"]: c for c in client.get("/api/rules/reformable").json()}
    reformable = [p for p in policy_rules() if p.reformable]
    assert set(controls) == {p.name for p in reformable}
    for p in reformable:
        c = controls[p.name]
        if p.unit == "bool":
            assert c["widget"] == "toggle"
        elif p.unit in BOUNDED_UNITS:
            assert (c["widget"], c["minimum"], c["maximum"]) == ("slider", 0.0, 1.0)
        elif p.unit in ("months", "multiplier"):
            assert c["widget"] == "number" and c["minimum"] == 0 and c["maximum"] > 0
        assert c["valid_range"]
    page = client.get("/scenarios").text
    assert page.count('class="rule"') == len(reformable)


def test_scenario_job_runs_and_its_csv_has_the_contract_columns(client):
    body = {"changes": [{"parameter": "asylum.screening_active", "value": False, "start": "2018-01-15"}],
            "draws": 3}
    submitted = client.post("/api/scenarios", json=body)
    assert submitted.status_code == 202, submitted.text
    assert submitted.headers["location"].endswith(submitted.json()["job_id"])
    job = _wait(client, submitted.json()["job_id"])
    assert job["status"] == "done" and job["progress"] == 1 and job["total_steps"] == 3
    result = client.get(job["links"]["result"]).json()
    assert "overstayers" in result["series"] and result["rows"]
    csv = client.get(job["links"]["csv"])
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == CSV_COLUMNS
    assert re.match(r"^overstayers,\d{4}-\d{2}-\d{2},total,", csv.text.splitlines()[-1]) or "asylum" in csv.text
    listed = client.get("/api/scenarios").json()["jobs"]
    assert [j["job_id"] for j in listed] == [job["job_id"]]


def test_named_scenarios_run_by_name_only(client):
    names = [s["name"] for s in client.get("/api/scenarios/named").json()]
    assert "no-2018-screening" in names
    ok = client.post("/api/scenarios", json={"scenario": "no-2018-screening", "draws": 1})
    assert ok.status_code == 202
    for name in ("../../etc/passwd", "/etc/passwd", "no-2018-screening.yaml", "__import__('os')"):
        response = client.post("/api/scenarios", json={"scenario": name})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "scenario"]


@pytest.mark.parametrize("change, field, words", [
    ({"parameter": "asylum.screening_share_a", "value": 1.7, "start": "2018-01-15"}, "value", "[0.0, 1.0]"),
    ({"parameter": "asylum.screening_share_a", "value": -0.1, "start": "2018-01-15"}, "value", "[0.0, 1.0]"),
    ({"parameter": "titp.max_stay_months", "value": 10**9, "start": "2000-01-01"}, "value", "at most 600"),
    ({"parameter": "titp.max_stay_months", "value": 6.5, "start": "2000-01-01"}, "value", "whole number"),
    ({"parameter": "asylum.screening_actve", "value": False, "start": "2018-01-15"}, "parameter", "did you mean"),
    ({"parameter": "asylum.recognition_active", "value": False, "start": "2018-01-15"}, "parameter", "not reformable"),
    ({"parameter": "asylum.screening_active", "value": "false", "start": "2018-01-15"}, "value", "true/false"),
    ({"parameter": "asylum.screening_active", "value": None, "start": "2018-01-15"}, "value", "true/false"),
    ({"parameter": "spr.regime", "value": "amnesty", "start": "2010-01-01"}, "value", "allowed"),
    ({"parameter": "asylum.screening_active", "value": False, "start": "2100-01-01"}, "start", "outside"),
    ({"parameter": "asylum.screening_active", "value": False, "start": "2018-01-15", "stop": "2017-01-01"},
     "stop", "not after"),
    ({"parameter": "asylum.screening_active", "value": False, "start": "2018-01-15", "evil": 1},
     "evil", "Extra inputs"),
])
def test_bad_rule_changes_name_the_field(client, change, field, words):
    response = client.post("/api/scenarios", json={"changes": [{"parameter": "titp.job_mobility", "value": True,
                                                                "start": "1993-04-05"}, change]})
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"][:3] == ["body", "changes", 1] and problem["loc"][3] == field
    assert words in problem["msg"]


@pytest.mark.parametrize("body, loc", [
    ({}, ["body", "changes"]),
    ({"scenario": "null", "changes": [{"parameter": "titp.job_mobility", "value": True, "start": "1993-04-05"}]},
     ["body"]),
    ({"scenario": "null", "draws": 0}, ["body", "draws"]),
    ({"scenario": "null", "draws": 10_000}, ["body", "draws"]),
    ({"scenario": "null", "scale": 2}, ["body", "scale"]),
    ({"scenario": "null", "end": "1990-13"}, ["body", "end"]),
    ({"scenario": "null", "end": "1990-06"}, ["body", "end"]),
    ({"scenario": "null", "path": "/etc/passwd"}, ["body", "path"]),
])
def test_bad_requests_name_the_field(client, body, loc):
    response = client.post("/api/scenarios", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc


def test_malformed_json_is_a_clear_422(client):
    response = client.post("/api/scenarios", content=b'{"changes": [', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"][0]["msg"]
    assert "input" not in response.json()["detail"][0]  # the request is never echoed back


def test_unknown_jobs_and_unfinished_results(client):
    assert client.get("/api/scenarios/j20200101-000000-abcdef").status_code == 404
    assert client.get("/api/scenarios/not-a-job-id").status_code == 422
    assert client.get("/api/runs/no-such-run").status_code == 404
    assert client.get("/api/runs/no-such-run/scenario").status_code == 404


def test_traces_check_their_request(client):
    assert client.post("/api/traces", json={"archetype": "Thanh", "n": 100}).status_code == 200
    response = client.post("/api/traces", json={"archetype": "Thanh", "attributes": {"origin": "Vietnam"}})
    assert response.status_code in (200, 422)  # the stand-in tracer accepts; the real one refuses both
    assert client.post("/api/traces", json={"archetype": "Thanh", "n": 10**7}).status_code == 422


def test_assets_are_local_and_no_page_links_a_cdn(client):
    plotly = client.get("/assets/vendor/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    for asset in ("sidedoor.css", "common.js", "scenarios.js", "favicon.svg"):
        assert client.get(f"/assets/{asset}").status_code == 200
    external = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.I)
    for page in PAGES:
        assert not external.search(client.get(page).text), page
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("static/*")]:
        text = path.read_text(encoding="utf-8")
        assert not external.search(text) and "cdn" not in text.lower(), path
    assert client.get("/docs").status_code == 404  # FastAPI's docs page would load a CDN


def test_model_page_falls_back_to_a_stored_run_and_says_so(client, tmp_path):
    import pandas as pd

    from sidedoor.store import RunStore

    fit = client.get("/api/model").json()
    if fit["source"] == "calibration":  # a shipped calibration wins over any stored run
        assert fit["bands"] and "posterior predictive" in fit["label"]
        assert any(p["q05"] is not None for g in fit["groups"] for p in g["points"])
        return
    assert fit["source"] == "none" and "sidedoor run" in fit["label"]
    outputs = pd.DataFrame({"series": "overstayers", "reference_date": pd.to_datetime(["1993-05-01", "2014-01-01"]),
                            "category": "total", "value": [250_000.0, 70_000.0]})
    run_id = RunStore(tmp_path / "store.duckdb").save_run(
        kind="simulation", seed=3, scale=0.1, start_month="1990-01", end_month="2020-12", parameters={},
        reform=None, outputs=outputs)
    fit = client.get("/api/model").json()
    assert (fit["source"], fit["bands"], fit["run_id"]) == ("stored_run", False, run_id)
    assert "NOT a calibrated" in fit["label"]
    stock = next(g for g in fit["groups"] if g["name"] == "overstayer_stock")
    assert stock["metrics"]["coverage90"] is None  # one run has no band: no coverage is claimed
    peak = next(p for p in stock["points"] if p["reference_date"] == "1993-05-01")
    assert (peak["observed"], peak["simulated"], peak["q05"]) == (298646.0, 250_000.0, None)


def test_stored_scenario_runs_are_listed_and_viewable(client, tmp_path):
    from sidedoor.scenarios.run import encode_table
    from sidedoor.store import RunStore
    from sidedoor.web.testing import stand_in_table

    table = stand_in_table({"scenario": "null"})
    run_id = RunStore(tmp_path / "store.duckdb").save_run(
        kind="scenario", seed=1, scale=0.1, start_month="1990-01", end_month="2000-12",
        parameters={"headline": {"note": "made by a test"}}, reform={"name": "null"},
        outputs=encode_table(table), label="scenario null: test")
    listed = client.get("/api/scenarios").json()["stored_runs"]
    assert [r["run_id"] for r in listed] == [run_id]
    result = client.get(f"/api/runs/{run_id}/scenario").json()
    assert result["headline"] == {"note": "made by a test"} and len(result["rows"]) == len(table)
    assert client.get(f"/api/runs/{run_id}/scenario.csv").text.splitlines()[0] == CSV_COLUMNS
    assert client.get(f"/api/runs/{run_id}").json()["kind"] == "scenario"
    assert [r["run_id"] for r in client.get("/api/runs").json()] == [run_id]
    assert client.get("/api/runs?kind=scenario").json()[0]["n_outputs"] == 5 * len(table)
    assert client.get("/api/runs?kind=bogus").json()["detail"][0]["loc"] == ["query", "kind"]


@pytest.mark.parametrize("body, loc", [
    ({"archetype": "Nobody"}, ["body", "archetype"]),
    ({"archetype": "Thanh", "attributes": {"sector": "farming"}}, ["body", "attributes", "sector"]),
    ({"archetype": "Thanh", "attributes": {"debt_jpy": -5}}, ["body", "attributes", "debt_jpy"]),
    ({"archetype": "Thanh", "attributes": {"__class__": "x"}}, ["body", "attributes", "__class__"]),
    ({"attributes": {"nationality": "Vietnam"}}, ["body", "attributes"]),
    ({"archetype": "Thanh", "scenario": "no-such-reform"}, ["body", "scenario"]),
    ({}, ["body"]),
])
def test_real_tracer_refuses_bad_requests_by_field(tmp_path, body, loc):
    app = create_app(WebSettings(store=tmp_path / "s.duckdb"), runners={"scenario": StandInScenario()},
                     warm=False)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        response = c.post("/api/traces", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc


def test_model_page_shows_a_calibration_with_its_bands(client, monkeypatch):
    """The calibrated path, with a synthetic predictive summary standing in for a shipped one."""
    from sidedoor.web import fit

    targets = fit._targets()
    predictive = targets.frame[["series", "reference_date", "category"]].copy()
    predictive["median"] = targets.frame["value"] * 1.1
    predictive["q05"], predictive["q95"] = predictive["median"] * 0.8, predictive["median"] * 1.2
    summary = {"series": {"overstayer_stock": {"mape": 10.0, "coverage90": 0.9, "n_points": 31},
                          "all": {"mape": 12.0, "coverage90": 0.85, "n_points": 300}},
               "goals": [{"goal": "in-sample stock MAPE", "target": "<= 5%", "measured": 10.0, "met": False}],
               "posterior": {"name": "default", "status": "finished"}, "predictive": {"draws": 50},
               "label": "test"}
    monkeypatch.setattr(fit, "_calibration", lambda: (predictive, summary))
    got = client.get("/api/model").json()
    assert (got["source"], got["bands"]) == ("calibration", True)
    assert "status: finished" in got["label"] and "50 draws" in got["label"]
    stock = next(g for g in got["groups"] if g["name"] == "overstayer_stock")
    assert stock["metrics"] == {"mape": 10.0, "coverage90": 0.9, "n_points": 31}
    assert all(p["q05"] < p["simulated"] < p["q95"] for p in stock["points"])
    assert got["goals"][0]["met"] is False and got["overall"]["n_points"] == 300
