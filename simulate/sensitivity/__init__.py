"""Sensitivity of the KPIs to every lever and factor: Sobol indices and tornado swings."""
