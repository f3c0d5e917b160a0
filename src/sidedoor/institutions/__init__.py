"""Institutions as code: legal statuses, allowed transitions, dated policy parameters,
pure rule functions and reforms (paper §4-§6; MECHANISMS.md M1-M8)."""

from sidedoor.institutions.parameters import (
    Parameter,
    ParameterError,
    ParameterSet,
    load_parameters,
)
from sidedoor.institutions.statuses import Status

__all__ = ["Parameter", "ParameterError", "ParameterSet", "Status", "load_parameters"]
