"""The sidedoor dashboard: observed statistics, the model's fit, the rules, a scenario builder
and individual pathways, served locally by ``sidedoor serve`` (FastAPI + uvicorn).

Pages are server-rendered HTML with small vanilla scripts over a JSON API (``/openapi.json``);
scenario runs are background jobs in a bounded queue, recorded in the DuckDB run store so a
restart loses no finished result. Off loopback the server requires a token, as Jupyter does.
"""

from sidedoor.web.app import create_app
from sidedoor.web.settings import AccessError, WebSettings, is_loopback

__all__ = ["AccessError", "WebSettings", "create_app", "is_loopback"]
