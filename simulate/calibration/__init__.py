"""Calibration: run the shipped published cases and compare the model with them."""
