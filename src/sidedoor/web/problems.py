"""A request the dashboard cannot serve, named by field, answered as FastAPI's own 422s are.

One exception for every check the models cannot express (a date outside the rules' period, a
rule value out of range, an unknown scenario name), so every 422 has the same shape,
``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``, as the OpenAPI schema says.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


class RequestProblem(ValueError):
    """``loc`` names the field (e.g. ``['body', 'changes', 0, 'value']``); ``message`` says why."""

    def __init__(self, loc: list[str | int], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


def problem_response(problem: RequestProblem) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": [
        {"loc": problem.loc, "msg": problem.message, "type": "value_error"}]})


async def handle_problem(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler: any route may simply raise ``RequestProblem``."""
    assert isinstance(exc, RequestProblem)
    return problem_response(exc)
