"""Counterfactual scenarios: "what if the rules had been different?" (M8; paper §4-§6).

A scenario is a reform file plus a horizon. ``run_scenario`` runs the baseline and the reform
over parameter draws with common random numbers and reports differences in the overstayer
stock and the flows with 90% bands; ``list_scenarios`` lists the shipped reforms with the
question each one asks. API fixed in docs/CONTRACTS.md ("Scenarios").
"""

from sidedoor.institutions.reforms import ReformError
from sidedoor.scenarios.horizon import HorizonError
from sidedoor.scenarios.library import ScenarioInfo, list_scenarios, resolve_reform
from sidedoor.scenarios.run import COLUMNS, ScenarioResult, load_scenario_table, run_scenario, run_scenarios

__all__ = ["COLUMNS", "HorizonError", "ReformError", "ScenarioInfo", "ScenarioResult", "list_scenarios",
           "load_scenario_table", "resolve_reform", "run_scenario", "run_scenarios"]
