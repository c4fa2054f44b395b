"""Test helpers: random valid kernel inputs built from the catalogs and schema."""

import numpy as np

from scenarios.catalog import load_hardware_catalog, load_model_catalog
from scenarios.schema import NUMERIC_FIELDS
from simulate.model import columns as col
from simulate.model.inputs import HARDWARE_COLUMNS, MODEL_COLUMNS, TRAIN_HARDWARE_COLUMNS

# Multiplicative jitter applied to every numeric default, then clipped into its domain.
JITTER = (0.5, 1.6)


def default_row(accelerator="H100", model="llama-3.1-70b", requests_per_day=2e7):
    """One valid input row: schema defaults, catalog figures, owned fleet."""
    row = np.zeros(col.N_INPUTS)
    for field in NUMERIC_FIELDS:
        if field.default is not None:
            row[col.INPUT_INDEX[field.column]] = field.default
    hardware = load_hardware_catalog()[accelerator]
    arch = load_model_catalog()[model]
    for column, attr in HARDWARE_COLUMNS:
        row[col.INPUT_INDEX[column]] = getattr(hardware, attr)
    for column, attr in TRAIN_HARDWARE_COLUMNS:
        row[col.INPUT_INDEX[column]] = getattr(hardware, attr)
    for column, attr in MODEL_COLUMNS:
        row[col.INPUT_INDEX[column]] = getattr(arch, attr)
    row[col.IN_REQUESTS_PER_DAY] = requests_per_day
    row[col.IN_TRAIN_TOKENS] = arch.training_tokens or 2e12
    row[col.IN_WEIGHT_BITS] = 8.0
    row[col.IN_KV_BITS] = 8.0
    return row


def random_valid_inputs(rng, n):
    """``n`` random rows: random catalog hardware and model, every numeric input jittered."""
    hardware = list(load_hardware_catalog())
    models = list(load_model_catalog())
    rows = np.empty((n, col.N_INPUTS))
    for i in range(n):
        rows[i] = default_row(
            hardware[rng.integers(len(hardware))], models[rng.integers(len(models))]
        )
    for field in NUMERIC_FIELDS:
        j = col.INPUT_INDEX[field.column]
        values = rows[:, j] * rng.uniform(*JITTER, n)
        low = field.lower + (1e-6 if field.lower_open else 0.0)
        high = min(field.upper, 1e30) - (1e-6 if field.upper_open else 0.0)
        rows[:, j] = np.clip(values, low, high)
    rows[:, col.IN_REQUESTS_PER_DAY] *= rng.uniform(0.01, 10.0, n)
    rows[:, col.IN_WEIGHT_BITS] = rng.choice([4.0, 8.0, 16.0], n)
    rows[:, col.IN_KV_BITS] = rng.choice([8.0, 16.0], n)
    rows[:, col.IN_TRAIN_BITS] = rng.choice([8.0, 16.0], n)
    rows[:, col.IN_MAX_TENSOR_PARALLEL] = rng.choice([1.0, 2.0, 8.0, 16.0], n)
    rows[:, col.IN_FLEET_CLOUD] = rng.integers(0, 2, n)
    rows[:, col.IN_TRAIN_CLOUD] = rng.integers(0, 2, n)
    rows[:, col.IN_PUE_CAPEX_USD] = rng.uniform(0, 3e7, n)
    rows[:, col.IN_STAFF_FTE] = rng.uniform(0, 10, n)
    rows[:, col.IN_FINETUNE_TOKENS] = rng.uniform(0, 1e11, n)
    return rows
