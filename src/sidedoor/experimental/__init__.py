"""Unstable tools (as in Mesa's ``experimental``): useful now, API may change without notice."""
