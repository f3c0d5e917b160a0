"""`sidedoor reproduce`: the main job behind `make reproduce` (writes report/)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    def reproduce(
        output: Path = typer.Option(Path("report"), "--output", "-o", help="Report folder."),
        model: bool = typer.Option(True, "--model/--data-only",
                                   help="Include the model's sections (runs the engine)."),
    ) -> None:
        """Write the report (figures and tables) and print where it is."""
        from sidedoor.report import write_report

        console = Console()
        written = write_report(output, console=console, include_model=model)
        console.print(f"[bold green]Report written to {output.resolve()}[/]")
        for path in written:
            console.print(f"  {path}")

    # One command, two names: `sidedoor report` (the name) and `sidedoor reproduce`
    # (what `make reproduce` has always called).
    app.command("report", help="Write the report (figures and tables); same as `reproduce`.")(reproduce)
    app.command("reproduce", help="Write the report (figures and tables): the job behind "
                "`make reproduce`.")(reproduce)
