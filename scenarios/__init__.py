"""Scenario files, their validation, and the hardware and model catalogs."""
