"""Fuzz the JSON API from its own OpenAPI schema (schemathesis): no input gives a 5xx, and
every answer matches the schema it promises. Scenario jobs and traces use the fast stand-ins,
so the submit path is fuzzed too without running the engine."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from sidedoor.web import WebSettings, create_app
from sidedoor.web.app import warm_caches
from sidedoor.web.testing import StandInScenario, stand_in_tracer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Built at import: schemathesis needs the app to collect one test per API operation.
STORE_DIR = Path(tempfile.mkdtemp(prefix="sidedoor-web-schema-"))
APP = create_app(WebSettings(store=STORE_DIR / "store.duckdb", queue_capacity=4,
                             allowed_hosts=("testserver",)),
                 runners={"scenario": StandInScenario(0.0)}, tracer=stand_in_tracer, warm=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_queue():
    """Start the job workers (the ASGI test client does not run the app's lifespan) and load
    the cached data first, so a cold import is not mistaken for a hanging route."""
    warm_caches(APP.state.dashboard)
    APP.state.dashboard.queue.start()
    yield
    APP.state.dashboard.queue.stop()
    shutil.rmtree(STORE_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx_and_keeps_its_schema(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
    # Schema-valid bodies may still be refused with a 422 by design (an unknown rule name, a
    # value outside its rule's range): the reform validation is richer than the schema.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
