"""`sidedoor run` and `sidedoor runs ...`: the population engine and the run store."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the engine's commands to the root app."""
