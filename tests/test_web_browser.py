"""The dashboard in a real browser (Playwright driving Debian's headless chromium): every page
loads and draws, the scenario builder runs a rule change with the real ``run_scenario`` and
shows the reform against the baseline, and its CSV download has the contract's columns.

Chromium is not optional here: without it these tests fail and say how to install it (CI
installs it). Screenshots of each page go to ``test-artifacts/``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sidedoor.web.testing import free_port

#: Debian's chromium (``SIDEDOOR_CHROMIUM`` may point elsewhere, e.g. to check the failure message).
CHROMIUM = os.environ.get("SIDEDOOR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
CSV_COLUMNS = ["series", "reference_date", "category", "baseline", "reform", "difference",
               "difference_q05", "difference_q95"]
#: A tiny real scenario run: one draw, 0.2% of persons, 1990-1995.
TINY_RUN = {"SIDEDOOR_WEB_DRAWS": "1", "SIDEDOOR_WEB_SCALE": "0.002", "SIDEDOOR_WEB_END": "1995-12"}


def _require_browser() -> None:
    """Fail (never skip) with the install line when the browser or its driver is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is missing: the browser tests need {CHROMIUM}. Install it "
                    "with `apt-get update && apt-get install -y chromium` (as root).", pytrace=False)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("the Python package playwright is missing: `pip install playwright` (the package only; "
                    "it drives Debian's chromium, so never run `playwright install`).", pytrace=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real dashboard (real scenario runs, tiny settings) in its own process on loopback."""
    _require_browser()
    store = tmp_path_factory.mktemp("web-browser") / "store.duckdb"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SIDEDOOR_TOKEN"} | TINY_RUN
    log = open(store.with_suffix(".log"), "wb")
    process = subprocess.Popen([sys.executable, "-m", "sidedoor.web.testing", "--port", str(port),
                                "--store", str(store)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            pytest.fail(f"the dashboard did not start: {store.with_suffix('.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the dashboard did not answer within 120 s")
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.errors = []  # uncaught script errors: a page with any is broken
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def _traces(page, selector: str) -> list[dict]:
    return page.evaluate(f"""() => (document.querySelector('{selector}').data || [])
        .map(t => ({{name: t.name, points: (t.y || []).filter(v => v !== null).length}}))""")


def test_observed_statistics_page(server, page):
    page.goto(f"{server}/observed")
    page.wait_for_selector("#series-chart .main-svg")
    assert "Overstayers" in page.inner_text("#series-title")
    assert page.locator("#series-sources li a[href^='http']").count() >= 1
    page.click("a[data-series='asylum_applications']")
    page.wait_for_function("document.querySelector('#series-title').textContent.includes('asylum_applications')")
    assert sum(t["points"] for t in _traces(page, "#series-chart")) >= 10
    _shot(page, "observed")
    assert page.errors == []


def test_model_page_labels_its_source(server, page):
    page.goto(f"{server}/model")
    page.wait_for_function("!document.querySelector('#fit-source').textContent.startsWith('Loading')")
    banner = page.inner_text("#fit-source")
    assert any(w in banner for w in ("Calibrated model", "Not calibrated", "Nothing to compare yet"))
    page.wait_for_selector(".fit-group .main-svg")
    assert page.locator("#fit-metrics tbody tr").count() >= 8
    _shot(page, "model")
    assert page.errors == []


def test_rules_page_timeline_and_graph_on_a_date(server, page):
    page.goto(f"{server}/rules")
    page.wait_for_selector("#timeline-chart .main-svg")
    page.wait_for_selector("#graph-chart .main-svg")
    page.wait_for_function("document.querySelectorAll('#transitions tbody tr').length > 0")
    in_2019 = page.locator("#transitions tbody tr").count()
    page.fill("#rules-date", "1985-01-01")
    page.click("#date-form button[type=submit]")
    page.wait_for_function(f"document.querySelectorAll('#transitions tbody tr').length !== {in_2019}")
    assert page.locator("#transitions tbody tr").count() < in_2019  # no TITP, no SSW, no 2010 permit yet
    _shot(page, "rules")
    assert page.errors == []


def test_pathways_page(server, page):
    page.goto(f"{server}/pathways")
    page.wait_for_selector("#trace-form")
    if page.locator("#archetype option").count() == 0:
        assert "not available" in page.inner_text("main")  # said plainly, not a blank form
    else:
        page.select_option("#archetype", "Thanh")
        page.fill("#trace-n", "50")
        page.click("#run-trace")
        page.wait_for_selector("#outcome-chart .main-svg", timeout=120_000)
        assert page.locator("#typical tbody tr").count() >= 1
        assert "Thanh" in page.inner_text("#trace-subject")
        row = page.locator("#attributes .attribute:has(input.key[value='sector'])")
        row.locator("input.val").fill("farming")  # not a sector: the page names the attribute
        page.click("#run-trace")
        page.wait_for_selector("#message:not([hidden])")
        assert "attributes.sector" in page.inner_text("#message")
    _shot(page, "pathways")
    assert page.errors == []


def test_scenario_builder_shows_a_bad_value_next_to_its_rule(server, page):
    page.goto(f"{server}/scenarios")
    rule = page.locator("tr.rule[data-parameter='titp.max_stay_months']")
    page.click("details.institution:has(tr.rule[data-parameter='titp.max_stay_months']) > summary")
    rule.locator("input.value").fill("100000")
    page.click("#run-custom")
    error = rule.locator(".field-error")
    error.wait_for(state="visible")
    assert "at most 600" in error.inner_text()
    assert "at most 600" in page.inner_text("#message")
    assert page.errors == []


def test_scenario_builder_runs_a_rule_change_against_the_baseline(server, page):
    page.goto(f"{server}/scenarios")
    assert page.locator("button.run-named").count() >= 5  # the named scenarios are listed
    rule = page.locator("tr.rule[data-parameter='entry_channels.visa_exempt_iran']")
    page.click("details.institution:has(tr.rule[data-parameter='entry_channels.visa_exempt_iran']) > summary")
    rule.locator("input.value").check()  # keep Iran's visa exemption after April 1992 (note 8)
    assert rule.locator("input.use").is_checked()
    assert rule.locator("input.start").input_value() == "1992-04-15"
    page.fill("#scenario-label", "Iran keeps its visa exemption")
    page.click("#run-custom")
    page.wait_for_selector("#job:not([hidden])")
    assert page.locator("#job-progress").count() == 1
    page.wait_for_selector("#result:not([hidden])", timeout=300_000)
    page.wait_for_selector("#result-chart .main-svg")
    traces = {t["name"]: t["points"] for t in _traces(page, "#result-chart")}
    assert traces.get("reform", 0) > 0 and traces.get("baseline", 0) > 0 and "reform 90% band" in traces
    assert page.locator("#difference-chart .main-svg").count() >= 1
    assert page.inner_text("#reading").strip()
    with page.expect_download() as download_info:
        page.click("#download-csv")
    path = download_info.value.path()
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == CSV_COLUMNS and len(rows) > 1
    _shot(page, "scenarios")
    page.wait_for_function("document.querySelectorAll('#saved-jobs tbody tr').length >= 1")
    assert "Iran keeps its visa exemption" in page.inner_text("#saved-jobs")
    assert page.errors == []
