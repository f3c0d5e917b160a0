"""How a dashboard server is set up: address, token, store, job limits and default run sizes.

Kept apart from the app so the CLI, the tests and the benchmark build the same settings, and
so the environment (``SIDEDOOR_TOKEN``, ``SIDEDOOR_WEB_*``) is read in one place only.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

#: Host names that always mean this machine (besides literal loopback addresses).
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class AccessError(ValueError):
    """The server would be reachable from other machines without a token."""


def is_loopback(host: str) -> bool:
    """True when ``host`` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name or 0.0.0.0/:: would expose the server: treat as remote


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class WebSettings:
    """Everything ``create_app`` needs; ``from_env`` fills unset fields from the environment.

    ``scenario_draws``/``scenario_scale``/``scenario_end`` are the defaults a scenario run
    gets when the request leaves them out: tests and CI set them tiny through
    ``SIDEDOOR_WEB_DRAWS``/``SIDEDOOR_WEB_SCALE``/``SIDEDOOR_WEB_END``.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    store: Path | None = None
    token: str | None = None
    workers: int = 1
    queue_capacity: int = 4
    scenario_draws: int = 20
    scenario_scale: float = 0.1
    scenario_end: str = "2025-12"
    max_draws: int = 200
    trace_default_n: int = 1000
    trace_max_n: int = 5000
    allowed_hosts: tuple[str, ...] = field(default=())

    @classmethod
    def from_env(cls, **given: object) -> WebSettings:
        """Settings from keyword arguments, falling back on the environment, then defaults."""
        env = {
            "token": os.environ.get("SIDEDOOR_TOKEN") or None,
            "store": Path(os.environ["SIDEDOOR_STORE"]) if os.environ.get("SIDEDOOR_STORE") else None,
            "workers": _env_int("SIDEDOOR_WEB_WORKERS", cls.workers),
            "queue_capacity": _env_int("SIDEDOOR_WEB_QUEUE", cls.queue_capacity),
            "scenario_draws": _env_int("SIDEDOOR_WEB_DRAWS", cls.scenario_draws),
            "scenario_scale": _env_float("SIDEDOOR_WEB_SCALE", cls.scenario_scale),
            "scenario_end": os.environ.get("SIDEDOOR_WEB_END") or cls.scenario_end,
            "trace_default_n": _env_int("SIDEDOOR_WEB_TRACE_N", cls.trace_default_n),
        }
        chosen = {k: v for k, v in given.items() if v is not None}
        settings = replace(cls(), **{**env, **chosen})
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that would expose the server or make the queue meaningless."""
        if not is_loopback(self.host) and not self.token:
            raise AccessError(
                f"binding to {self.host} makes the dashboard reachable from other machines; "
                "give a token with --token or the SIDEDOOR_TOKEN environment variable "
                "(or bind to 127.0.0.1)")
        if self.workers < 1 or self.queue_capacity < 1:
            raise ValueError("workers and queue capacity must be at least 1")
        if not 1 <= self.scenario_draws <= self.max_draws:
            raise ValueError(f"scenario draws must lie in 1..{self.max_draws}")
        if not 0 < self.scenario_scale <= 1:
            raise ValueError("scenario scale must lie in (0, 1]")
        if not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", self.scenario_end):
            raise ValueError(f"scenario end must be a month YYYY-MM, got {self.scenario_end!r}")

    @property
    def needs_token(self) -> bool:
        return bool(self.token)
