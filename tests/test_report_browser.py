"""The whole `make reproduce` report, model sections included, opened in headless Chromium with
the network cut: every section is there, every figure decodes, and nothing is fetched.

Slow (the report runs the engine: about 1.5 min on 2 cores); Chromium is Debian's, never a
downloaded one (see test_web_browser.py for the install line).
"""

from __future__ import annotations

import os

import pytest

from sidedoor.report import write_report

CHROMIUM = os.environ.get("SIDEDOOR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SECTIONS = ("figure1", "table1", "paper", "conflicts", "sources", "model-figure1", "model-table1",
            "model-asylum-spr", "model-scenarios", "model-validation", "model-pathways")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("full-report")
    write_report(folder, include_model=True)
    return folder


@pytest.mark.slow
def test_full_report_opens_offline_with_every_section_and_figure(report_dir):
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is missing ({CHROMIUM}): apt-get install -y chromium")
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(offline=True)
        page = context.new_page()

        def block(route) -> None:  # anything but the file itself and inline data is a leak
            url = route.request.url
            if not (url.startswith("file://") or url.startswith("data:")):
                requested.append(url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", block)
        page.goto((report_dir / "index.html").as_uri(), wait_until="load")
        ids = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.alt, e.complete && e.naturalWidth > 0])")
        text = page.inner_text("body")
        browser.close()
    assert requested == []
    assert set(SECTIONS) <= set(ids)
    # Figure 1 (data), model Figure 1, asylum/SPR, scenarios, pathways: all drawn.
    assert len(images) >= 5 and all(ok for _, ok in images), images
    assert "Goals" in text and "time-split stock MAPE" in text
