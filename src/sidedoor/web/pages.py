"""The dashboard's HTML pages (server-rendered shells) and its local assets.

Pages carry what is known without a computation (series list, rule timeline, the scenario
builder's controls, the archetypes), rendered from the same cached data the API serves; the
small scripts in ``static/`` fetch the rest from the JSON API and draw it with plotly. Every
asset comes from this package or the plotly package, so a page works with no network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

log = logging.getLogger("sidedoor.web")
HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
PAGES = (
    ("observed", "/observed", "Observed statistics"),
    ("model", "/model", "The model"),
    ("rules", "/rules", "The rules"),
    ("scenarios", "/scenarios", "Scenario builder"),
    ("pathways", "/pathways", "Pathways"),
)
CACHE = {"Cache-Control": "public, max-age=86400"}


def plotly_js() -> Path:
    """plotly.min.js as shipped in the plotly package's ``package_data`` (no CDN)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        raise FileNotFoundError(f"plotly.min.js not found at {path}; reinstall plotly")
    return path


#: Rendered pages by (page, variant). A page depends only on read-only data (and, for the
#: observed page, on which of the known series is chosen), so each is rendered once, in a
#: worker thread, and then served straight from the event loop: under twenty polling clients
#: the thread hop of a synchronous route was the slowest part of a page load.
_RENDERED: dict[tuple[str, str], str] = {}
Context = tuple[dict[str, Any], bool]  # template variables, and whether all data was there


def _render(page: str, variant: str, build: Callable[[], Context]) -> str:
    context, complete = build()
    title = next(t for p, _, t in PAGES if p == page)
    html = TEMPLATES.get_template(f"{page}.html").render(page=page, title=title, pages=PAGES, **context)
    if complete:  # a page missing some data is rendered again next time
        _RENDERED[(page, variant)] = html
    return html


async def _page(page: str, build: Callable[[], Context], variant: str = "") -> HTMLResponse:
    html = _RENDERED.get((page, variant))
    if html is None:
        html = await run_in_threadpool(_render, page, variant, build)
    return HTMLResponse(html)


def _safe(build, fallback):
    """Page context that must not break the page: on failure the page says it is missing."""
    try:
        return build()
    except Exception as exc:  # the API route shows the full error; the page stays usable
        log.warning("page data unavailable: %s", exc)
        return fallback


def _observed(chosen: str) -> Context:
    from sidedoor.web.observations import series_list

    listed = _safe(lambda: list(series_list()), [])
    groups = {kind: [s for s in listed if s.kind == kind] for kind in ("target", "input", "reference")}
    return {"groups": groups, "chosen": chosen}, bool(listed)


def _rules() -> Context:
    from sidedoor.web.rulebook import policy_timeline

    changes = _safe(lambda: list(policy_timeline()), [])  # ?date= is read by the page script
    return {"date": "2019-01-01", "changes": changes}, bool(changes)


def _scenarios(settings: Any) -> Context:
    from sidedoor.web.rulebook import rule_controls
    from sidedoor.web.scenario_runs import named_scenarios

    controls = _safe(lambda: list(rule_controls()), [])
    by_institution: dict[str, list] = {}
    for control in controls:
        by_institution.setdefault(control.institution, []).append(control)
    named = _safe(lambda: list(named_scenarios()), [])
    return ({"by_institution": by_institution, "named": named, "settings": settings},  # ?job= read by script
            bool(controls and named))


def _pathways(settings: Any) -> Context:
    from sidedoor.web.scenario_runs import named_scenarios
    from sidedoor.web.tracing import archetypes

    found = _safe(archetypes, None)
    named = _safe(lambda: list(named_scenarios()), [])
    return ({"archetypes": found or [], "available": found is not None, "named": named,
             "settings": settings}, found is not None and bool(named))


def mount(app: FastAPI) -> None:
    """Add the pages and assets to ``app`` (kept out of the OpenAPI schema: they are HTML)."""
    settings = app.state.dashboard.settings

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/observed", status_code=307)

    @app.get("/observed", include_in_schema=False, response_class=HTMLResponse)
    async def observed_page(series: str = "overstayers") -> HTMLResponse:
        from sidedoor.data.series import SERIES

        chosen = series if series in SERIES else "overstayers"
        return await _page("observed", lambda: _observed(chosen), chosen)

    @app.get("/model", include_in_schema=False, response_class=HTMLResponse)
    async def model_page() -> HTMLResponse:
        return await _page("model", lambda: ({}, True))

    @app.get("/rules", include_in_schema=False, response_class=HTMLResponse)
    async def rules_page() -> HTMLResponse:
        return await _page("rules", _rules)

    @app.get("/scenarios", include_in_schema=False, response_class=HTMLResponse)
    async def scenarios_page() -> HTMLResponse:
        return await _page("scenarios", lambda: _scenarios(settings))

    @app.get("/pathways", include_in_schema=False, response_class=HTMLResponse)
    async def pathways_page() -> HTMLResponse:
        return await _page("pathways", lambda: _pathways(settings))

    @app.get("/assets/vendor/plotly.min.js", include_in_schema=False)
    def plotly_asset() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript", headers=CACHE)

    app.mount("/assets", StaticFiles(directory=str(HERE / "static")), name="assets")
