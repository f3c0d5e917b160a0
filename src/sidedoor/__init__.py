"""sidedoor: how Japan's institutions turn legal entrants into unauthorized overstayers.

Rules as code (``sidedoor.institutions``), the official statistics (``sidedoor.data``), a
monthly agent-based microsimulation (``sidedoor.engine``) and the DuckDB run store
(``sidedoor.store``). Source: Kato & Liu-Farrer, "Becoming 'Illegal'".
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "simulate"]


def simulate(*args, **kwargs):
    """Run the population engine; see :func:`sidedoor.engine.simulate` (imported lazily)."""
    from sidedoor.engine import simulate as _simulate

    return _simulate(*args, **kwargs)
