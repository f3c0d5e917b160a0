"""Who may reach the dashboard: loopback by default; off loopback only with a token, which
every page and API call must then present (query once -> cookie, or a bearer header)."""

from __future__ import annotations

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sidedoor.cli.serve import register
from sidedoor.web import AccessError, WebSettings, create_app, is_loopback
from sidedoor.web.testing import StandInScenario, stand_in_tracer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TOKEN = "s3cret-token-for-tests"


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("example.org", False), ("", False),
])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "myhost"])
def test_binding_off_loopback_requires_a_token(host, monkeypatch):
    monkeypatch.delenv("SIDEDOOR_TOKEN", raising=False)
    with pytest.raises(AccessError, match="--token"):
        WebSettings.from_env(host=host)
    assert WebSettings.from_env(host=host, token=TOKEN).needs_token
    monkeypatch.setenv("SIDEDOOR_TOKEN", TOKEN)
    assert WebSettings.from_env(host=host).token == TOKEN


def test_serve_command_refuses_an_open_address_without_a_token(monkeypatch):
    monkeypatch.delenv("SIDEDOOR_TOKEN", raising=False)
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command keeps typer from flattening the app
        """Placeholder."""

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "--token" in result.output


def _client(tmp_path, token):
    settings = WebSettings(host="0.0.0.0" if token else "127.0.0.1", store=tmp_path / "s.duckdb",
                           token=token)
    app = create_app(settings, runners={"scenario": StandInScenario(0.0)}, tracer=stand_in_tracer,
                     warm=False)
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.mark.parametrize("path", ["/observed", "/scenarios", "/api/series", "/api/scenarios",
                                  "/openapi.json", "/assets/common.js", "/assets/vendor/plotly.min.js"])
def test_with_a_token_every_page_and_call_needs_it(tmp_path, path):
    with _client(tmp_path, TOKEN) as client:
        refused = client.get(path)
        assert refused.status_code == 401 and "token" in refused.json()["detail"]
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_query_token_sets_a_cookie_that_later_requests_use(tmp_path):
    with _client(tmp_path, TOKEN) as client:
        first = client.get(f"/scenarios?token={TOKEN}")
        assert first.status_code == 200
        assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
        assert client.get("/api/scenarios/named").status_code == 200  # the cookie is enough now
        posted = client.post("/api/scenarios", json={"scenario": "null", "draws": 1})
        assert posted.status_code == 202
        client.cookies.clear()
        assert client.get("/api/scenarios/named").status_code == 401
        assert client.get("/scenarios?token=wrong").status_code == 401


def test_browsers_get_a_readable_refusal(tmp_path):
    with _client(tmp_path, TOKEN) as client:
        page = client.get("/observed", headers={"Accept": "text/html"})
        assert page.status_code == 401 and "text/html" in page.headers["content-type"]
        assert "token" in page.text


def test_without_a_token_only_this_machine_may_be_named_as_host(tmp_path):
    with _client(tmp_path, None) as client:
        assert client.get("/api/series").status_code == 200
        assert client.get("/api/series", headers={"Host": "localhost:8000"}).status_code == 200
        assert client.get("/api/series", headers={"Host": "[::1]:8000"}).status_code == 200
        rebound = client.get("/api/series", headers={"Host": "attacker.example:8000"})
        assert rebound.status_code == 403 and "not this machine" in rebound.json()["detail"]


def test_serve_command_serves_with_its_token(tmp_path):
    """``sidedoor serve`` end to end, on loopback with a token (the lead wires it into the CLI)."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from sidedoor.web.testing import free_port

    port = free_port()
    program = ("import typer; from sidedoor.cli.serve import register; app = typer.Typer(); register(app); "
               "app.command()(lambda: None); app()")
    env = {k: v for k, v in os.environ.items() if k != "SIDEDOOR_TOKEN"}
    server = subprocess.Popen([sys.executable, "-c", program, "serve", "--port", str(port), "--store",
                               str(tmp_path / "s.duckdb"), "--token", TOKEN],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            try:
                answer = httpx.get(f"{base}/api/series", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert answer.status_code == 401
        assert httpx.get(f"{base}/api/series", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        page = httpx.get(f"{base}/observed?token={TOKEN}")
        assert page.status_code == 200 and "sidedoor_token" in page.headers["set-cookie"]
    finally:
        server.terminate()
        server.wait(15)
    assert f"?token={TOKEN}" in server.stderr.read().decode()  # the address to open is printed
