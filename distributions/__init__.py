"""Probability distributions for uncertain inputs: validated specs and Numba inverse CDFs."""
