"""Test helpers: random valid kernel inputs built from the catalogs and schema."""

import math

import numpy as np

from scenarios.catalog import load_hardware_catalog, load_model_catalog
from scenarios.schema import NUMERIC_FIELDS
from simulate.model import columns as col
from simulate.model.inputs import (
    HARDWARE_COLUMNS,
    MODEL_COLUMNS,
    REFRESH_HARDWARE_COLUMNS,
    TRAIN_HARDWARE_COLUMNS,
)

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
    for column, attr in REFRESH_HARDWARE_COLUMNS:
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
    # A third of the rows buy inference from a managed API (priced, half with a cache price).
    rows[:, col.IN_FLEET_API] = rng.random(n) < 1.0 / 3.0
    rows[:, col.IN_API_INPUT_USD_PER_1M] = rng.uniform(0.05, 3.0, n)
    rows[:, col.IN_API_CACHED_INPUT_USD_PER_1M] = np.where(
        rng.random(n) < 0.5, 0.0, rng.uniform(0.01, 1.0, n)
    )
    rows[:, col.IN_API_OUTPUT_USD_PER_1M] = rng.uniform(0.1, 10.0, n)
    rows[:, col.IN_API_PLATFORM_USD_PER_MONTH] = rng.uniform(0, 5e4, n)
    rows[:, col.IN_INTERRUPTIONS_PER_DAY] = np.where(
        rng.random(n) < 0.5, 0.0, rng.uniform(0, 0.5, n)
    )
    rows[:, col.IN_HOURS_LOST_PER_INTERRUPTION] = rng.uniform(0, 3.0, n)
    rows[:, col.IN_POWER_CAP_MW] = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0.1, 50.0, n))
    rows[:, col.IN_FINETUNE_CADENCE_DAYS] = np.where(
        rng.random(n) < 0.5, 0.0, rng.uniform(7.0, 400.0, n)
    )
    # Half the rented rows autoscale over a daily profile of 1-24 peak hours.
    rows[:, col.IN_AUTOSCALE] = rng.random(n) < 0.5
    rows[:, col.IN_PEAK_HOURS_PER_DAY] = rng.uniform(1.0, 24.0, n)
    rows[:, col.IN_SCALE_UP_HOURS] = rng.uniform(0.0, 0.5, n)
    # The priced components, each on in half the rows.
    for column, high in (
        (col.IN_STORAGE_TB, 50.0),
        (col.IN_MONITORING_USD_PER_MONTH, 5e4),
        (col.IN_LICENCES_USD_PER_MONTH, 5e4),
        (col.IN_FINOPS_FTE, 3.0),
        (col.IN_REDUNDANCY_FRACTION, 1.0),
    ):
        rows[:, column] = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0.0, high, n))
    # Half the rows commit a count of accelerators (below, near or above their fleet's
    # levels) at a 0-70% discount; only rented fleets use it.
    rows[:, col.IN_COMMITTED_ACCELERATORS] = np.where(
        rng.random(n) < 0.5, 0.0, np.floor(rng.uniform(1.0, 300.0, n))
    )
    rows[:, col.IN_COMMIT_DISCOUNT] = rng.uniform(0.0, 0.7, n)
    # A quarter of the rows are serverless endpoints billed per second (rented rows use
    # it), with idle timeouts from 0 to 10 minutes.
    rows[:, col.IN_PER_SECOND_BILLING] = rng.random(n) < 0.25
    rows[:, col.IN_IDLE_TIMEOUT_S] = rng.uniform(0.0, 600.0, n)
    # Half the rows buy or rent whole nodes of 2-16 accelerators.
    rows[:, col.IN_NODE_ACCELERATORS] = np.where(
        rng.random(n) < 0.5, 1.0, rng.choice([2.0, 4.0, 8.0, 16.0], n)
    )
    # The plan over time: growing or fading demand, price declines, resale, a horizon
    # that holds several hardware lives (so replacements happen) and partial years.
    rows[:, col.IN_GROWTH_PER_MONTH] = np.where(
        rng.random(n) < 0.5, 0.0, rng.uniform(-0.05, 0.08, n)
    )
    for column, high in (
        (col.IN_HW_PRICE_DECLINE_PER_YEAR, 0.3),
        (col.IN_CLOUD_RATE_DECLINE_PER_YEAR, 0.4),
        (col.IN_API_PRICE_DECLINE_PER_YEAR, 0.6),
        (col.IN_SALVAGE_FRACTION, 0.3),
    ):
        rows[:, column] = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0.0, high, n))
    rows[:, col.IN_DISCOUNT_RATE] = rng.uniform(0.0, 0.15, n)
    # A third of the rows refresh to another catalog accelerator after 1-5 years.
    refresh = rng.random(n) < 1.0 / 3.0
    rows[:, col.IN_REFRESH_YEAR] = np.where(refresh, rng.integers(1, 6, n), 0.0)
    for r in np.flatnonzero(refresh):
        entry = load_hardware_catalog()[hardware[rng.integers(len(hardware))]]
        for column, attr in REFRESH_HARDWARE_COLUMNS:
            rows[r, col.INPUT_INDEX[column]] = getattr(entry, attr)
    rows[:, col.IN_HORIZON_YEARS] = rng.uniform(0.3, 12.0, n)
    rows[:, col.IN_HARDWARE_LIFE_YEARS] = rng.uniform(0.8, 7.0, n)
    rows[:, col.IN_PRICE_INPUT_USD_PER_1M] = rng.uniform(0, 3.0, n)
    rows[:, col.IN_PRICE_OUTPUT_USD_PER_1M] = rng.uniform(0, 10.0, n)
    rows[:, col.IN_PRICE_USD_PER_REQUEST] = np.where(
        rng.random(n) < 0.5, 0.0, rng.uniform(0, 0.01, n)
    )
    rows[:, col.IN_PUE_CAPEX_USD] = rng.uniform(0, 3e7, n)
    rows[:, col.IN_STAFF_FTE] = rng.uniform(0, 10, n)
    rows[:, col.IN_FINETUNE_TOKENS] = rng.uniform(0, 1e11, n)
    # The mechanisms whose defaults switch them off, each on for a share of the rows.
    rows[:, col.IN_TTFT_SLO_S] = np.where(rng.random(n) < 0.5, np.inf, rng.uniform(0.05, 5, n))
    rows[:, col.IN_COMPUTE_BITS] = rng.choice([0.0, 4.0, 8.0, 16.0], n)
    rows[:, col.IN_HW_PEAK_FP4_FLOPS] *= rng.random(n) < 0.5
    rows[:, col.IN_HW_PEAK_FP4_FLOPS] += (rng.random(n) < 0.3) * 9e15
    rows[:, col.IN_PREFIX_CACHE_HIT_SHARE] = rng.choice([0.0, 0.3, 0.9], n)
    fixed = rng.random(n) < 0.3
    rows[:, col.IN_FIXED_INPUT_TOKENS] = np.where(fixed, rng.uniform(1, 4000, n), 0.0)
    rows[:, col.IN_FIXED_OUTPUT_TOKENS] = np.where(fixed, rng.uniform(1, 2000, n), 0.0)
    rows[:, col.IN_FIXED_BATCH] = np.where(rng.random(n) < 0.2, rng.integers(1, 256, n), 0.0)
    rows[:, col.IN_MEASURED_OUTPUT_TOKENS_PER_S] = np.where(
        rng.random(n) < 0.2, rng.uniform(100, 5000, n), 0.0
    )
    rows[:, col.IN_HW_SCALE_UP_SIZE] = rng.choice([1.0, 2.0, 8.0, 72.0], n)
    rows[:, col.IN_HW_LINK_BYTES_PER_S] *= rng.random(n) < 0.8
    rows[:, col.IN_TRAIN_MEASURED_MFU] = np.where(
        rng.random(n) < 0.2, rng.uniform(0.1, 0.6, n), 0.0
    )
    rows[:, col.IN_TRAIN_MFU_SIZE_EXPONENT] = rng.uniform(0, 0.4, n)
    rows[:, col.IN_TRAIN_FP8_SPEEDUP] = rng.uniform(1.0, 1.6, n)
    rows[:, col.IN_STEP_OVERHEAD_S] = rng.choice([0.0, 0.002, 0.01], n)
    rows[:, col.IN_TPOT_TAIL_FACTOR] = rng.choice([1.0, 1.5], n)
    moe = rng.random(n) < 0.3
    experts = rng.choice([8.0, 64.0, 256.0], n)
    routed = rows[:, col.IN_PARAMS_TOTAL] * rng.uniform(0.5, 0.97, n)
    per_token = np.minimum(experts, rng.choice([1.0, 2.0, 8.0], n))
    rows[:, col.IN_MOE_EXPERTS] = np.where(moe, experts, 0.0)
    rows[:, col.IN_MOE_EXPERTS_PER_TOKEN] = np.where(moe, per_token, 0.0)
    rows[:, col.IN_MOE_ROUTED_PARAMS] = np.where(moe, routed, 0.0)
    rows[:, col.IN_PARAMS_ACTIVE] = np.where(
        moe,
        rows[:, col.IN_PARAMS_TOTAL] - routed + routed * per_token / experts,
        rows[:, col.IN_PARAMS_ACTIVE],
    )
    return rows


def without_optional_mechanisms(row):
    """``row`` with the mechanisms that defaults switch off switched off again.

    Fixed request lengths, a fixed batch, a TTFT bound, a measured throughput, a
    prefix cache, a managed API, committed cloud capacity and per-second billing each change what a property
    test sweeps; tests of the plain roofline start from a row without them.
    """
    row = row.copy()
    for column in (
        col.IN_FIXED_INPUT_TOKENS,
        col.IN_FIXED_OUTPUT_TOKENS,
        col.IN_FIXED_BATCH,
        col.IN_MEASURED_OUTPUT_TOKENS_PER_S,
        col.IN_PREFIX_CACHE_HIT_SHARE,
        col.IN_TRAIN_MEASURED_MFU,
        col.IN_FLEET_API,
        col.IN_AUTOSCALE,
        col.IN_COMMITTED_ACCELERATORS,
        col.IN_PER_SECOND_BILLING,
    ):
        row[column] = 0.0
    row[col.IN_NODE_ACCELERATORS] = 1.0
    row[col.IN_TTFT_SLO_S] = np.inf
    return row


def read_human(text: str) -> float:
    """The number a person reads from human-unit text: ``$71.3M``, ``12.5%``, ``1,547``."""
    text = text.strip()
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("-").lstrip("$").replace(",", "")
    if body.endswith("%"):
        return sign * float(body[:-1]) / 100.0
    scale = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    factor = 1.0
    if body and body[-1] in scale:
        factor, body = scale[body[-1]], body[:-1]
    return sign * float(body) * factor


def shows(text: str, value: float, digits: int = 3) -> bool:
    """Whether human-unit ``text`` (its first number) shows ``value`` to ``digits`` digits."""
    first = text.split("[", 1)[0].split(" ", 1)[0].split("<", 1)[0]
    return math.isclose(read_human(first), value, rel_tol=0.51 * 10 ** (1 - digits), abs_tol=1e-12)


#: A platform of one workload, the default scenario, nothing shared: ``tco run`` of it.
ONE_WORKLOAD_PLATFORM = """
[platform]
name = "one"
shared_factors = []

[[workload]]
name = "only"
tier = "dedicated"
extends = "default"
"""


# Two workloads of the default scenario; ``{shared}`` is the shared_factors list. Tables
# appended to it go to the second workload.
TWIN_PLATFORM = """
[platform]
name = "twins"
shared_factors = {shared}

[[workload]]
name = "a"
tier = "dedicated"
extends = "default"

[[workload]]
name = "b"
tier = "dedicated"
extends = "default"
"""


def platform_file(tmp_path, text: str, name: str = "p.toml") -> str:
    """Write a platform file's ``text`` under ``tmp_path``; return its path as text."""
    path = tmp_path / name
    path.write_text(text)
    return str(path)
