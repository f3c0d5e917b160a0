"""The population engine: a vectorized monthly microsimulation of how Japan's institutions
turn legal entrants into unauthorized overstayers (1990-2025)."""

from sidedoor.engine.simulate import SimulationResult, simulate

__all__ = ["SimulationResult", "simulate"]
