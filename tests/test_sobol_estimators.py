"""Sobol' estimators against SALib 1.6 (the oracle) and against analytic indices.

Tolerance tiers:
- point estimates vs SALib: 1e-12, the same NumPy operations on the same values;
- half-widths vs SALib with the same integer seed: 1e-10 relative, the same
  resamples summed in a different order (streamed vs NumPy pairwise);
- half-widths vs SALib with a different seed: ratio in [0.7, 1.4], bootstrap noise;
- estimates vs analytic indices at N = 2**14: 0.02 (0.01 for the linear model),
  Monte Carlo error of a scrambled Sobol' design (about 0.005 here).
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample

import distributions
from simulate.sensitivity import reference_problems as tf
from simulate.sensitivity.sobol_estimators import (
    SUM_BLOCK,
    analyze,
    analyze_many,
    drop_incomplete,
    first_order,
    second_order,
    split_outputs,
    total_order,
)

G_A12 = np.array([0, 0.5, 1, 2, 4.5, 9, 9, 20, 50, 99, 99, 99], dtype=float)
G_A6 = np.array([0, 1, 4.5, 9, 99, 99], dtype=float)


def _problem(D, bounds=(0.0, 1.0), groups=None):
    problem = {"num_vars": D, "names": [f"x{i}" for i in range(D)], "bounds": [bounds] * D}
    if groups is not None:
        problem["groups"] = groups
    return problem


def _unit_sample(problem, N, calc_second_order, seed=11):
    return salib_sample.sample(problem, N, calc_second_order=calc_second_order, seed=seed)


def _to_domain(U, low, high):
    """Unit cube -> natural domain through the project's inverse CDFs."""
    dist = distributions.from_spec({"dist": "uniform", "low": low, "high": high}, "test")
    return dist.ppf(U)


def _ishigami_Y(N, calc_second_order):
    U = _unit_sample(_problem(3), N, calc_second_order)
    return tf.ishigami(_to_domain(U, *tf.ISHIGAMI_BOUNDS))


def _g_Y(N, a, calc_second_order, groups=None):
    U = _unit_sample(_problem(a.size, groups=groups), N, calc_second_order)
    return tf.g_function(_to_domain(U, *tf.G_FUNCTION_BOUNDS), a)


GROUPS = ["g0", "g0", "g1", "g2", "g2", "g2", "g3", "g3", "g3", "g3", "g3", "g3"]

ORACLE_CASES = [
    # (id, problem, Y builder, D, second order)
    ("ishigami", _problem(3), lambda: _ishigami_Y(2**10, False), 3, False),
    ("ishigami-S2", _problem(3), lambda: _ishigami_Y(2**10, True), 3, True),
    ("G12", _problem(12), lambda: _g_Y(2**10, G_A12, False), 12, False),
    ("G12-S2", _problem(12), lambda: _g_Y(2**9, G_A12, True), 12, True),
    (
        "G12-groups-S2",
        _problem(12, groups=GROUPS),
        lambda: _g_Y(2**10, G_A12, True, GROUPS),
        4,
        True,
    ),
]


@pytest.mark.parametrize(
    ("problem", "make_Y", "D", "second"),
    [case[1:] for case in ORACLE_CASES],
    ids=[case[0] for case in ORACLE_CASES],
)
def test_matches_salib(problem, make_Y, D, second):
    """Point estimates to 1e-12; with the same seed, the same bootstrap as SALib."""
    Y = make_Y()
    ref = salib_analyze.analyze(problem, Y, calc_second_order=second, num_resamples=50, seed=7)
    # chunk_rows=100 streams SALib's index matrix in many row blocks.
    ours = analyze(Y, D, calc_second_order=second, num_resamples=50, seed=7, chunk_rows=100)
    keys = ["S1", "ST", "S2"] if second else ["S1", "ST"]
    assert set(ours) == {*keys, *(f"{k}_conf" for k in keys)}
    for key in keys:
        expected = np.asarray(ref[key])
        assert ours[key].shape == expected.shape
        np.testing.assert_allclose(ours[key], expected, rtol=1e-12, atol=1e-12, err_msg=key)
        np.testing.assert_allclose(
            ours[f"{key}_conf"], np.asarray(ref[f"{key}_conf"]), rtol=1e-10, atol=1e-14
        )
    if second:
        assert np.isnan(ours["S2"][np.tril_indices(D)]).all()
        assert np.isnan(ours["S2_conf"][np.tril_indices(D)]).all()
        assert np.isfinite(ours["S2_conf"][np.triu_indices(D, 1)]).all()


def test_confidence_within_bootstrap_noise_of_salib():
    """Independent resamples (different seeds) give half-widths within bootstrap noise.

    With R = 200 resamples the standard deviation of the estimates is itself
    estimated with relative error about 1 / sqrt(2 (R - 1)) = 5 % for near-normal
    replicates, so the ratio of two independent estimates has about 7 %: the band
    [0.7, 1.4] is more than 4 of those standard deviations on each side, room for the
    heavier-tailed replicates of near-zero indices, yet it catches a wrong scale
    (a missing Z, ddof or sqrt(2)) or resampling the wrong unit.
    """
    problem = _problem(3)
    Y = _ishigami_Y(2**12, True)
    ref = salib_analyze.analyze(problem, Y, calc_second_order=True, num_resamples=200, seed=1)
    ours = analyze(Y, 3, calc_second_order=True, num_resamples=200, seed=2)
    for key in ("S1_conf", "ST_conf", "S2_conf"):
        r = ours[key] / np.asarray(ref[key])
        r = r[np.isfinite(r)]
        assert r.size == 3
        assert np.all((r > 0.7) & (r < 1.4)), (key, r)
        # and the half-widths are not trivially equal: the seeds differ
        assert not np.allclose(r, 1.0, rtol=1e-6)


def test_pure_estimators_match_salib_on_resample_matrices(rng):
    """The NumPy functions broadcast over trailing axes exactly like SALib's."""
    A, B, ABj, ABk, BAj = rng.normal(size=(5, 64, 7)) + np.arange(7)
    np.testing.assert_allclose(first_order(A, ABj, B), salib_analyze.first_order(A, ABj, B))
    np.testing.assert_allclose(total_order(A, ABj, B), salib_analyze.total_order(A, ABj, B))
    np.testing.assert_allclose(
        second_order(A, ABj, ABk, BAj, B), salib_analyze.second_order(A, ABj, ABk, BAj, B)
    )


def test_pure_estimators_constant_output_warn_and_return_zero():
    A = np.ones(8)
    with pytest.warns(RuntimeWarning, match="constant model outputs"):
        assert first_order(A, A + np.arange(8), A) == 0.0


def test_split_outputs_follows_salib_layout():
    D, N = 3, 4
    Y = np.arange(N * (2 * D + 2), dtype=float)
    A, B, AB, BA = split_outputs(Y, D, True)
    ref = salib_analyze.separate_output_values(Y, D, N, True)
    for ours, theirs in zip((A, B, AB, BA), ref, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    A, B, AB, BA = split_outputs(Y[: N * (D + 2)], D, False)
    assert BA is None
    np.testing.assert_array_equal(AB[1], [6.0, 7.0, 8.0])  # block 1 = rows 5..9
    np.testing.assert_array_equal(B, [4.0, 9.0, 14.0, 19.0])


# --------------------------------------------------------------------- reference models


def test_ishigami_pipeline_recovers_analytic_indices():
    Y = _ishigami_Y(2**14, False)
    res = analyze(Y, 3, num_resamples=20, seed=3)
    exact = tf.ishigami_indices(7.0, 0.1)
    np.testing.assert_allclose(res["S1"], exact["S1"], atol=0.02)
    np.testing.assert_allclose(res["ST"], exact["ST"], atol=0.02)


def test_ishigami_second_order_recovers_analytic_s13():
    # Saltelli 2002's S2 is noisier: 0.03 at N = 2**13 (measured error ~0.01).
    Y = _ishigami_Y(2**13, True)
    res = analyze(Y, 3, calc_second_order=True, num_resamples=20, seed=3)
    exact = tf.ishigami_indices()
    upper = np.triu_indices(3, 1)
    np.testing.assert_allclose(res["S2"][upper], exact["S2"][upper], atol=0.03)


def test_g_function_pipeline_recovers_analytic_indices():
    Y = _g_Y(2**14, G_A6, False)
    res = analyze(Y, G_A6.size, num_resamples=20, seed=3)
    exact = tf.g_function_indices(G_A6)
    np.testing.assert_allclose(res["S1"], exact["S1"], atol=0.02)
    np.testing.assert_allclose(res["ST"], exact["ST"], atol=0.02)


def test_linear_pipeline_recovers_analytic_indices():
    c = np.array([1.0, -2.0, 3.0, 0.5, 0.0])
    U = _unit_sample(_problem(c.size), 2**14, False)
    Y = tf.linear(_to_domain(U, *tf.LINEAR_BOUNDS), c)
    res = analyze(Y, c.size, num_resamples=20, seed=3)
    exact = tf.linear_indices(c)
    np.testing.assert_allclose(res["S1"], exact["S1"], atol=0.01)
    np.testing.assert_allclose(res["ST"], exact["ST"], atol=0.01)


def test_analytic_indices_are_consistent():
    """Sums that the ANOVA decomposition fixes, independently of any sampling."""
    ish = tf.ishigami_indices()
    assert ish["S1"].sum() + np.nansum(ish["S2"]) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(ish["S1"], [0.3139, 0.4424, 0.0], atol=1e-4)  # literature
    np.testing.assert_allclose(ish["ST"], [0.5576, 0.4424, 0.2437], atol=1e-4)
    g = tf.g_function_indices(G_A6)
    assert np.all(g["ST"] >= g["S1"])
    assert g["S1"].sum() < 1.0
    lin = tf.linear_indices([3.0, 4.0])
    np.testing.assert_allclose(lin["S1"], [9 / 25, 16 / 25], rtol=1e-15)


def test_models_match_salib_test_functions(rng):
    from SALib.test_functions import Ishigami, Sobol_G

    X = rng.uniform(-np.pi, np.pi, size=(50, 3))
    np.testing.assert_allclose(tf.ishigami(X), Ishigami.evaluate(X), rtol=1e-14)
    U = rng.random((50, 6))
    np.testing.assert_allclose(tf.g_function(U, G_A6), Sobol_G.evaluate(U, G_A6), rtol=1e-14)


# --------------------------------------------------------------------- NaN and validation


def test_drop_incomplete_removes_exactly_the_blocks_with_nan(rng):
    D, N = 3, 10
    step = D + 2
    Y = rng.normal(size=(N * step, 2))
    Y[0 * step + 0, 0] = np.nan  # block 0, row A, output 0
    Y[5 * step + step - 1, 1] = np.nan  # block 5, row B, output 1
    Y[7 * step + 2, :] = np.nan  # block 7, two outputs
    Y[7 * step + 3, 0] = np.nan  # block 7 again
    clean, n_dropped = drop_incomplete(Y, D, False)
    assert n_dropped == 3
    kept = [k for k in range(N) if k not in (0, 5, 7)]
    expected = Y.reshape(N, step, 2)[kept].reshape(-1, 2)
    np.testing.assert_array_equal(clean, expected)
    y1, n1 = drop_incomplete(Y[:, 1], D, False)  # one output: only block 5 and 7
    assert n1 == 2
    assert y1.shape == ((N - 2) * step,)


def test_drop_incomplete_then_analyze_matches_salib(rng):
    D = 3
    Y = _ishigami_Y(2**9, False)
    bad_rows = rng.choice(Y.size, size=40, replace=False)
    Y[bad_rows] = np.nan
    clean, n_dropped = drop_incomplete(Y, D, False)
    assert 0 < n_dropped <= 40
    assert clean.size == (2**9 - n_dropped) * (D + 2)
    with pytest.raises(ValueError, match=r"NaN in \d+ rows .*drop_incomplete"):
        analyze(Y, D)
    ours = analyze(clean, D, num_resamples=30, seed=4)
    ref = salib_analyze.analyze(
        _problem(3), clean, calc_second_order=False, num_resamples=30, seed=4
    )
    np.testing.assert_allclose(ours["S1"], ref["S1"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours["ST_conf"], ref["ST_conf"], rtol=1e-10)


def test_analyze_rejects_bad_input():
    Y = np.random.default_rng(0).normal(size=5 * 17)
    with pytest.raises(ValueError, match="not a multiple of 5 = D \\+ 2 with D = 3"):
        analyze(Y[:-1], 3)
    with pytest.raises(ValueError, match="2 \\* D \\+ 2"):
        analyze(Y, 3, calc_second_order=True)
    with pytest.raises(ValueError, match="infinite"):
        analyze(np.where(np.arange(Y.size) == 3, np.inf, Y), 3)
    with pytest.raises(ValueError, match="output 0 is constant"):
        analyze(np.ones(Y.size), 3)
    with pytest.raises(ValueError, match="num_resamples = 1"):
        analyze(Y, 3, num_resamples=1)
    with pytest.raises(ValueError, match=r"conf_level = 1\.5"):
        analyze(Y, 3, conf_level=1.5)
    with pytest.raises(ValueError, match="D = 0"):
        analyze(Y, 0)
    with pytest.raises(ValueError, match="use analyze_many"):
        analyze(np.c_[Y, Y], 3)


# --------------------------------------------------------------------- determinism


@pytest.mark.slow
def test_several_outputs_equal_one_at_a_time():
    U = _unit_sample(_problem(6), 2**10, True)
    X = _to_domain(U, 0.0, 1.0)
    Ym = np.column_stack([tf.g_function(X, G_A6), tf.linear(X, np.arange(1.0, 7.0)), X[:, 0]])
    many = analyze_many(Ym, 6, calc_second_order=True, num_resamples=40, seed=9)
    for o in range(Ym.shape[1]):
        one = analyze(Ym[:, o], 6, calc_second_order=True, num_resamples=40, seed=9)
        for key, value in one.items():
            np.testing.assert_array_equal(many[key][o], value, err_msg=key)


def test_same_seed_same_result_other_seed_other_intervals():
    Y = _g_Y(2**10, G_A6, False)
    first = analyze(Y, 6, num_resamples=30, seed=123)
    again = analyze(Y, 6, num_resamples=30, seed=np.random.default_rng(123))
    other = analyze(Y, 6, num_resamples=30, seed=124)
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])
    np.testing.assert_array_equal(first["S1"], other["S1"])
    assert not np.array_equal(first["S1_conf"], other["S1_conf"])


def test_results_independent_of_threads_and_chunking():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs at least 2 Numba threads")
    N = 3 * SUM_BLOCK // 2  # not a whole number of summation blocks
    D = 4
    Y = np.random.default_rng(5).normal(size=N * (2 * D + 2)) ** 3
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = analyze(Y, D, calc_second_order=True, num_resamples=16, seed=8)
        numba.set_num_threads(2)
        two = analyze(Y, D, calc_second_order=True, num_resamples=16, seed=8)
        chunked = analyze(Y, D, calc_second_order=True, num_resamples=16, seed=8, chunk_rows=999)
    finally:
        numba.set_num_threads(previous)
    for key in one:
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)
        np.testing.assert_array_equal(one[key], chunked[key], err_msg=key)
