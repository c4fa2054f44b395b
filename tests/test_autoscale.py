"""A daily load profile: a rented fleet that autoscales pays between the mean and the peak.

Properties over random valid rows (the kernel, checked against the NumPy twin elsewhere):
a cloud fleet that follows a peaky two-level profile pays for fewer accelerator-hours than
the same fleet held at its peak level all day, and for more than the mean demand needs at
the planned utilisation; an owned fleet pays for the peak whether or not it "autoscales";
a flat profile autoscaled is the fleet sized for it.
"""

import numpy as np
from helpers import random_valid_inputs, without_optional_mechanisms
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.model import columns as col
from simulate.model.batch import model_outputs

SETTINGS = settings(max_examples=40, deadline=None)


def _rows(seed, n=120):
    rng = np.random.default_rng(seed)
    rows = np.array([without_optional_mechanisms(r) for r in random_valid_inputs(rng, n)])
    rows[:, col.IN_PEAK_TO_AVERAGE] = rng.uniform(1.2, 3.0, n)
    # Peak hours so that the peak fits in the day; cold starts shorter than the off-peak.
    rows[:, col.IN_PEAK_HOURS_PER_DAY] = rng.uniform(2.0, 7.0, n)
    rows[:, col.IN_SCALE_UP_HOURS] = rng.uniform(0.0, 0.5, n)
    return rows


def _fixed_and_scaled(rows):
    """Outputs without and with autoscaling, and the rows feasible without it."""
    rows = rows.copy()
    rows[:, col.IN_AUTOSCALE] = 0.0
    fixed, flags = model_outputs(rows)
    rows[:, col.IN_AUTOSCALE] = 1.0
    scaled, _ = model_outputs(rows)
    ok = flags & col.STRUCTURAL_FLAGS == 0
    assert ok.any()
    return fixed, scaled, ok


def _feasible(out, flags):
    return (flags & col.STRUCTURAL_FLAGS == 0) & np.isfinite(out[:, col.OUT_CLOUD_RENT_MONTHLY])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_an_autoscaled_cloud_fleet_pays_between_the_mean_and_the_peak(seed):
    rows = _rows(seed)
    rows[:, col.IN_FLEET_CLOUD] = 1.0
    rows[:, col.IN_AUTOSCALE] = 1.0
    out, flags = model_outputs(rows)
    ok = _feasible(out, flags)
    assert ok.any()
    rows, out = rows[ok], out[ok]
    preempted = rows[:, col.IN_INTERRUPTIONS_PER_DAY] * rows[:, col.IN_HOURS_LOST_PER_INTERRUPTION]
    hourly = (
        rows[:, col.IN_HW_CLOUD_USD_PER_HOUR]
        * rows[:, col.IN_CLOUD_RATE_MULTIPLIER]
        * (1.0 + preempted / 24.0)
    )
    rent = out[:, col.OUT_CLOUD_RENT_MONTHLY]
    paid_hours = rent / hourly
    # The peak-level fleet all day: the accelerators the fleet has at its peak.
    at_peak = out[:, col.OUT_INFERENCE_ACCELERATORS] * col.HOURS_PER_MONTH
    assert np.all(paid_hours <= at_peak * (1.0 + 1e-12))
    # The mean demand at the planned utilisation, as a continuous fleet.
    planned = np.minimum(
        1.0, rows[:, col.IN_UTILIZATION_TARGET] * rows[:, col.IN_UTILIZATION_ACHIEVED_RATIO]
    )
    busy = out[:, col.OUT_UTILIZATION] * paid_hours
    assert np.all(paid_hours >= busy / planned * (1.0 - 1e-12))
    # Strictly cheaper than the peak wherever the off-peak fleet is smaller.
    held = rows.copy()
    held[:, col.IN_PEAK_TO_AVERAGE] = 1.0
    flat, _ = model_outputs(held)
    smaller = out[:, col.OUT_INFERENCE_ACCELERATORS] > flat[:, col.OUT_INFERENCE_ACCELERATORS]
    assert np.all(paid_hours[smaller] < at_peak[smaller])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_an_owned_fleet_pays_for_the_peak_whether_or_not_it_autoscales(seed):
    rows = _rows(seed)
    rows[:, col.IN_FLEET_CLOUD] = 0.0
    fixed, scaled, ok = _fixed_and_scaled(rows)
    np.testing.assert_array_equal(scaled[ok], fixed[ok])
    # Its accelerators cover the peak at full load.
    assert np.all(
        fixed[ok][:, col.OUT_UTILIZATION] * rows[ok][:, col.IN_PEAK_TO_AVERAGE] <= 1.0 + 1e-12
    )


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_a_flat_profile_autoscaled_is_the_fleet_sized_for_it(seed):
    rows = _rows(seed)
    rows[:, col.IN_FLEET_CLOUD] = 1.0
    rows[:, col.IN_PEAK_TO_AVERAGE] = 1.0
    fixed, scaled, ok = _fixed_and_scaled(rows)
    np.testing.assert_allclose(scaled[ok], fixed[ok], rtol=1e-12)
