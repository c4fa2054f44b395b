"""Decisions between scenarios: comparisons on common random numbers."""
