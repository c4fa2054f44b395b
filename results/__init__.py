"""Labelled results: tables and xarray datasets built from kernel outputs."""
