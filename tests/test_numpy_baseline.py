"""The fair NumPy baseline of the benchmarks computes exactly what the oracle does."""

import importlib.util
from pathlib import Path

import numpy as np
from helpers import random_valid_inputs

from simulate.model.reference import reference_outputs

ROOT = Path(__file__).resolve().parents[1]


def _baseline():
    spec = importlib.util.spec_from_file_location(
        "numpy_baseline", ROOT / "benchmarks" / "numpy_baseline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_fair_baseline_equals_the_oracle(rng):
    baseline = _baseline()
    inputs = random_valid_inputs(rng, 3000)
    # Constant columns become scalars: make some constant, as a scenario's are.
    inputs[:, :40] = inputs[0, :40]
    view = baseline.ColumnView(inputs)
    assert any(isinstance(c, np.floating) for c in view.columns)
    out, flags = baseline.fair_outputs(view)
    expected, expected_flags = reference_outputs(inputs)
    assert np.array_equal(flags, expected_flags)
    assert np.allclose(out, expected, rtol=1e-12, atol=0.0, equal_nan=True)
