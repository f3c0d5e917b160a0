"""Inputs of the population engine: entries by status and nationality, visitor entries, the
initial population and the labour-demand driver, built from the official statistics with every
filled gap marked (``Inputs.derivations``; the rules are documented in engine/INPUTS.md).

``build_inputs(params, start, end) -> Inputs`` (docs/CONTRACTS.md) and ``inputs_table(inputs)``
(annual totals with a derived flag) are the public API.
"""

from sidedoor.engine.inputs.build import build_inputs, clear_cache
from sidedoor.engine.inputs.derivations import Inputs, inputs_table

__all__ = ["Inputs", "build_inputs", "clear_cache", "inputs_table"]
