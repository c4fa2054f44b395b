"""The fused pass (inverse CDFs + kernel + copy-out) against the separate passes."""

import numba
import numpy as np
import pytest

from scenarios.loader import load_scenario, parse_scenario
from scenarios.sources import builtin_text
from simulate.engine.chunks import sample_outputs_into
from simulate.engine.plan import sampling_plan
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.fused import TILE

ONE_CATEGORICAL = ["hardware.accelerator={dist='choice', values=['H100', 'B200', 'MI300X']}"]
TWO_CATEGORICAL = [
    *ONE_CATEGORICAL,
    "fleet.ownership={dist='choice', values=['owned', 'cloud'], weights=[0.5, 0.5]}",
]


def separate_passes(plan, unit):
    """Every extended variable of every row (kernel outputs, then sampled values)."""
    values = plan.transform(unit)
    outputs, flags = model_outputs(plan.kernel_inputs(values))
    return np.hstack([outputs, values]), flags


def selection(plan):
    # An arbitrary order with a repeat, outputs and sampled inputs mixed.
    last_input = col.N_OUTPUTS + plan.dims - 1
    return np.array(
        [col.OUTPUT_INDEX["token_cost_per_1k"], last_input, 0, col.N_OUTPUTS, 0, 5],
        dtype=np.int64,
    )


@pytest.mark.parametrize(
    "overrides, levers",
    [([], False), ([], True), (ONE_CATEGORICAL, False), (TWO_CATEGORICAL, False)],
    ids=["factors", "with-levers", "one-categorical", "two-categorical"],
)
def test_fused_pass_equals_separate_passes_for_any_thread_count(overrides, levers):
    plan = sampling_plan(load_scenario(None, overrides), include_levers=levers)
    assert plan.fused_pass_applies == (overrides != TWO_CATEGORICAL)
    # Tiles split mid-way and a short last tile per thread.
    n = 5 * TILE + 37
    unit = np.random.default_rng(3).random((n, plan.dims))
    expected, expected_flags = separate_passes(plan, unit)
    selected = selection(plan)
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            # Rows padded apart, as the engine's blocks are.
            dest = np.full((len(selected), n + 9), -1.0)[:, :n]
            flags = np.full(n, -1, dtype=np.int64)
            sample_outputs_into(plan, unit, selected, dest, flags)
            np.testing.assert_array_equal(dest, expected[:, selected].T)
            np.testing.assert_array_equal(flags, expected_flags)
    finally:
        numba.set_num_threads(before)
    assert np.any(expected_flags == 0)


def test_rejected_rows_keep_their_sampled_values_and_flags():
    plan = sampling_plan(load_scenario(None, ONE_CATEGORICAL))
    unit = np.random.default_rng(4).random((40, plan.dims))
    tokens = plan.paths.index("serving.request_tokens_mean")
    unit[0, tokens] = 0.0  # a lognormal at q = 0 is 0: outside the positive domain
    unit[1, tokens] = np.nan
    expected, expected_flags = separate_passes(plan, unit)
    # A probability outside [0, 1] has no category (the separate passes cannot even
    # build that row's inputs, so it is checked on its own below).
    accelerator = plan.paths.index("hardware.accelerator")
    unit[2, accelerator] = 1.5
    selected = np.arange(col.N_OUTPUTS + plan.dims, dtype=np.int64)
    dest = np.empty((len(selected), len(unit)))
    flags = np.empty(len(unit), dtype=np.int64)
    sample_outputs_into(plan, unit, selected, dest, flags)
    np.testing.assert_array_equal(flags[:3], col.FLAG_INVALID_INPUT)
    keep = np.arange(len(unit)) != 2
    np.testing.assert_array_equal(flags[keep], expected_flags[keep])
    np.testing.assert_array_equal(dest[:, keep], expected.T[:, keep])
    # Outputs NaN, the sampled value that caused it still there.
    assert np.all(np.isnan(dest[: col.N_OUTPUTS, :3]))
    assert dest[col.N_OUTPUTS + tokens, 0] == 0.0
    assert np.isnan(dest[col.N_OUTPUTS + accelerator, 2])


def test_correlated_scenario_goes_through_the_copula():
    text = builtin_text("default") + (
        '\n[[correlation]]\nbetween = ["power.spot_price_usd_per_mwh", "facility.pue"]\n'
        "spearman = 0.6\n"
    )
    plan = sampling_plan(parse_scenario(text, "correlated.toml"))
    unit = np.random.default_rng(5).random((2000, plan.dims))
    expected, expected_flags = separate_passes(plan, unit)
    selected = np.arange(col.N_OUTPUTS + plan.dims, dtype=np.int64)
    dest = np.empty((len(selected), len(unit)))
    flags = np.empty(len(unit), dtype=np.int64)
    sample_outputs_into(plan, unit, selected, dest, flags)
    np.testing.assert_array_equal(dest, expected.T)
    np.testing.assert_array_equal(flags, expected_flags)
    # The copula did act: without it the sampled spot prices differ.
    independent = plan.transform_independent(unit)
    spot = plan.paths.index("power.spot_price_usd_per_mwh")
    assert not np.array_equal(dest[col.N_OUTPUTS + spot], independent[:, spot])


@pytest.mark.parametrize(
    "bad, message",
    [
        (lambda p: {"unit": np.zeros((4, p.dims + 1))}, "unit must have shape"),
        (lambda p: {"dest": np.zeros((2, 4))}, "dest must have shape"),
        (lambda p: {"selected": np.array([col.N_OUTPUTS + p.dims])}, "selected indices"),
    ],
)
def test_bad_shapes_are_refused(bad, message):
    plan = sampling_plan(load_scenario())
    args = {
        "unit": np.full((4, plan.dims), 0.5),
        "selected": np.array([0]),
        "dest": np.zeros((1, 4)),
        "flags": np.zeros(4, dtype=np.int64),
    }
    args.update(bad(plan))
    if "selected" in bad(plan):
        args["dest"] = np.zeros((len(args["selected"]), 4))
    with pytest.raises(ValueError, match=message):
        sample_outputs_into(plan, args["unit"], args["selected"], args["dest"], args["flags"])
