"""The Numba kernel against the independent NumPy reference, and its guarantees."""

import numba
import numpy as np
import pytest
from helpers import default_row, random_valid_inputs

from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.reference import reference_outputs

# Same equations, same operation order: only libm differences (erfc, exp, log) remain.
RTOL = 1e-12


def assert_agree(inputs):
    out, flags = model_outputs(inputs)
    ref_out, ref_flags = reference_outputs(inputs)
    np.testing.assert_array_equal(flags, ref_flags)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref_out))
    finite = np.isfinite(ref_out)
    np.testing.assert_allclose(out[finite], ref_out[finite], rtol=RTOL, atol=0.0)
    return out, flags


def test_kernel_matches_reference_on_random_valid_inputs(rng):
    inputs = random_valid_inputs(rng, 4000)
    _out, flags = assert_agree(inputs)
    # The random set must exercise both feasible and infeasible paths to mean anything.
    feasible = flags & col.STRUCTURAL_FLAGS == 0
    assert 0.5 < feasible.mean() < 1.0
    for bit in (col.FLAG_WEIGHTS_DO_NOT_FIT, col.FLAG_TRAINING_EXCEEDS_CADENCE):
        assert (flags & bit).any()


def test_kernel_matches_reference_on_invalid_inputs(rng):
    inputs = random_valid_inputs(rng, 50)
    inputs[0, col.IN_UTILIZATION_TARGET] = 1.5
    inputs[1, col.IN_SPOT_PRICE_USD_PER_MWH] = -10.0
    inputs[2, col.IN_PUE_BASE] = 0.9
    inputs[3, col.IN_PROMPT_SHARE] = 1.0
    inputs[4, col.IN_DECODE_MBU] = np.nan
    out, flags = assert_agree(inputs)
    assert np.all(flags[:5] == col.FLAG_INVALID_INPUT)
    assert np.isnan(out[:5]).all()


def test_domain_check_matches_reference_at_every_bound():
    # Each column at its bounds and one double either side of them: the kernel's
    # branch-free check (open bounds moved to the next double) against the reference.
    from simulate.model.kernel import DOMAIN_LOWER, DOMAIN_UPPER, inputs_valid
    from simulate.model.reference import _valid_rows

    base = default_row()
    rows = []
    for j in range(col.N_INPUTS):
        upper = DOMAIN_UPPER[j] if np.isfinite(DOMAIN_UPPER[j]) else 1e6
        for value in (
            DOMAIN_LOWER[j],
            np.nextafter(DOMAIN_LOWER[j], np.inf),
            np.nextafter(DOMAIN_LOWER[j], -np.inf),
            upper,
            np.nextafter(upper, np.inf),
            np.nan,
        ):
            row = base.copy()
            row[j] = value
            rows.append(row)
    rows = np.array(rows)
    kernel = np.array([inputs_valid(row) for row in rows])
    np.testing.assert_array_equal(kernel, _valid_rows(rows))
    assert 0.3 < kernel.mean() < 0.9  # both outcomes occur at many bounds


def test_no_unflagged_nan_or_inf(rng):
    inputs = random_valid_inputs(rng, 3000)
    inputs[::7, col.IN_TRAIN_TOKENS] = 1e300  # overflow territory
    out, flags = model_outputs(inputs)
    bad = ~np.all(np.isfinite(out), axis=1)
    assert bad.any()
    assert np.all(flags[bad] & col.STRUCTURAL_FLAGS)


def test_result_independent_of_thread_count(rng):
    inputs = random_valid_inputs(rng, 2000)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one, flags_one = model_outputs(inputs)
        numba.set_num_threads(max(2, before) if numba.config.NUMBA_NUM_THREADS > 1 else 1)
        many, flags_many = model_outputs(inputs)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one, many)
    np.testing.assert_array_equal(flags_one, flags_many)


def test_evaluate_rejects_wrong_shape():
    with pytest.raises(ValueError, match=rf"inputs must have shape \(n, {col.N_INPUTS}\)"):
        model_outputs(np.zeros((3, 5)))


def test_single_row_accepted():
    out, flags = model_outputs(default_row())
    assert out.shape == (1, col.N_OUTPUTS) and flags[0] == 0


def test_breakdown_adds_up(rng):
    inputs = random_valid_inputs(rng, 500)
    out, flags = model_outputs(inputs)
    ok = flags & col.STRUCTURAL_FLAGS == 0
    parts = [
        col.OUT_AMORTIZATION_MONTHLY,
        col.OUT_ENERGY_COST_MONTHLY,
        col.OUT_FACILITY_COST_MONTHLY,
        col.OUT_CLOUD_RENT_MONTHLY,
        col.OUT_OVERHEAD_MONTHLY,
        col.OUT_SLA_PENALTY_MONTHLY,
        col.OUT_API_CHARGES_MONTHLY,
    ]
    np.testing.assert_allclose(
        out[ok][:, parts].sum(axis=1), out[ok, col.OUT_INFERENCE_COST_MONTHLY], rtol=1e-12
    )
    # Input and output prices recover the lifecycle total from the tokens served.
    # The tokens over the horizon: the year dimension's (demand may grow).
    tokens = out[ok, col.OUT_TOKENS_YEAR : col.OUT_TOKENS_YEAR + col.MAX_YEARS].sum(axis=1)
    # The prompt share of the tokens served: fixed prompts (benchmark-style rows) or phi.
    fixed_prompt = np.minimum(
        inputs[ok, col.IN_FIXED_INPUT_TOKENS], inputs[ok, col.IN_CONTEXT_LIMIT_TOKENS]
    )
    phi = np.where(
        inputs[ok, col.IN_FIXED_OUTPUT_TOKENS] > 0,
        fixed_prompt / out[ok, col.OUT_AVG_SEQ_LEN],
        inputs[ok, col.IN_PROMPT_SHARE],
    )
    recovered = (
        out[ok, col.OUT_INPUT_COST_PER_1M] * tokens * phi
        + out[ok, col.OUT_OUTPUT_COST_PER_1M] * tokens * (1 - phi)
    ) / 1e6
    np.testing.assert_allclose(recovered, out[ok, col.OUT_LIFECYCLE_TOTAL], rtol=1e-10)
    # Token cost is lifecycle over tokens; cloud fleets pay no amortisation, owned pay no rent.
    np.testing.assert_allclose(
        out[ok, col.OUT_TOKEN_COST_PER_1K], out[ok, col.OUT_LIFECYCLE_TOTAL] / tokens * 1e3
    )
    cloud = inputs[ok, col.IN_FLEET_CLOUD] == 1
    assert np.all(out[ok][cloud, col.OUT_AMORTIZATION_MONTHLY] == 0)
    assert np.all(out[ok][~cloud, col.OUT_CLOUD_RENT_MONTHLY] == 0)
