"""`sidedoor serve`: the local dashboard (FastAPI + uvicorn).

Binds to 127.0.0.1 by default. Any other address makes the dashboard reachable from other
machines, so it then requires a token (``--token`` or ``SIDEDOOR_TOKEN``), which every page
and API call must present, as Jupyter does; the command refuses to start without one.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import typer
from rich.console import Console

BAD_INPUT = 2


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the root app."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to bind (off loopback needs --token)."),
        port: int = typer.Option(8000, min=0, max=65535, help="Port (0 picks a free one)."),
        store: Path = typer.Option(None, help="DuckDB run store (default $SIDEDOOR_STORE or "
                                              "./.sidedoor/sidedoor.duckdb)."),
        token: str = typer.Option(None, envvar="SIDEDOOR_TOKEN", show_envvar=True,
                                  help="Access token; required when binding off loopback."),
        workers: int = typer.Option(None, min=1, max=8, help="Scenario runs at a time (default 1)."),
        queue: int = typer.Option(None, min=1, max=100, help="Scenario runs that may wait (default 4)."),
        generate_token: bool = typer.Option(False, "--generate-token", help="Make a random token."),
    ) -> None:
        """Serve the dashboard: observed statistics, the model, the rules, scenarios, pathways."""
        import uvicorn

        from sidedoor.web import AccessError, WebSettings, create_app

        console = Console(stderr=True)
        if generate_token and not token:
            token = secrets.token_urlsafe(24)
        try:
            settings = WebSettings.from_env(host=host, port=port, store=store, token=token,
                                            workers=workers, queue_capacity=queue)
        except (AccessError, ValueError) as exc:
            console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(BAD_INPUT) from None
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        address = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"
        console.print(f"sidedoor dashboard on [bold]{address}{'?token=' + settings.token if settings.token else ''}[/]",
                      highlight=False)
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                    timeout_graceful_shutdown=3)
