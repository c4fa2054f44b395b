"""Registry-driven invariants for every family (after scipy's test_continuous_basic).

Tolerance tiers (each with its reason):

- ppf vs scipy: ``rtol = 1e-10`` (the acceptance target; the kernels reach
  ~1e-14) plus ``atol = 1e-13 * scale`` for families whose quantile can cross
  zero inside the support (location families): there the result is
  ``loc + scale * z`` and its rounding is absolute, about ``eps * scale``, so
  relative error is meaningless at the crossing. Families whose quantile only
  reaches 0 at ``q = 0`` (lognormal, gamma and beta at loc 0) get
  ``atol = 1e-300``, i.e. purely relative, tails included.
- cdf(ppf(q)) vs q: ``1e-11`` relative on the small tail, plus the change in
  the cdf across a few ulps of ``x`` (near a bound such as x -> 1 the double
  ``x`` cannot resolve ``1 - q``), plus ``1e-15`` absolute because scipy forms
  some tails by subtraction (``triang.sf = 1 - cdf``, ``truncnorm.cdf`` as a
  difference of normal cdfs), which is only accurate to ~eps absolute.
- KS test of 4000 seeded draws: ``p > 0.001``.
- table path vs exact scalar solver: ``rtol = 1e-13`` (the table's verified
  error is ~1e-14).
"""

from __future__ import annotations

import math
import warnings

import numba
import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs

from distributions import FAMILIES, Distribution, pack, ppf_column, ppf_matrix, ppf_scalar
from distributions.jit import jit

F = FAMILIES


def _case(family, *params, scale=0.0):
    d = F[family].make(*params)
    label = f"{family}{params}"
    return pytest.param(d, scale, id=label)


BETA_SHAPES = (0.5, 1.0, 2.0, 5.0, 30.0)
CONTINUOUS = [
    _case("uniform", 0.0, 1.0, scale=1.0),
    _case("uniform", -3.0, 7.0, scale=10.0),
    _case("triangular", 0.0, 0.2, 1.0, scale=1.0),
    _case("triangular", 1.0, 1.0, 2.0, scale=1.0),
    _case("triangular", -2.0, 3.0, 3.0, scale=5.0),
    _case("pert", 1.1, 1.3, 1.6, 4.0, scale=0.5),
    _case("pert", 0.0, 0.01, 1.0, 4.0, scale=1.0),
    _case("pert", 0.0, 0.99, 1.0, 4.0, scale=1.0),
    _case("pert", 0.0, 0.0, 1.0, 4.0, scale=1.0),
    _case("pert", -5.0, 0.0, 10.0, 8.0, scale=15.0),
    _case("normal", 0.0, 1.0, scale=1.0),
    _case("normal", 100.0, 15.0, scale=15.0),
    _case("truncnormal", 0.0, 1.0, -1.0, 2.0, scale=1.0),
    _case("truncnormal", 0.0, 1.0, 0.0, math.inf, scale=1.0),
    _case("truncnormal", 0.0, 1.0, -math.inf, -2.0, scale=1.0),
    _case("truncnormal", 5.0, 2.0, 11.0, 17.0, scale=2.0),
    _case("lognormal", 50.0, 0.4),
    _case("lognormal", 1e-3, 2.0),
    *[_case("beta", a, b, 0.0, 1.0) for a in BETA_SHAPES for b in BETA_SHAPES],
    _case("beta", 2.0, 5.0, 10.0, 20.0, scale=10.0),
    *[_case("gamma", k, 2.0, 0.0) for k in (0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0)],
    _case("gamma", 3.0, 0.5, -1.0, scale=0.5),
]
QS = np.unique(
    np.concatenate(
        [np.logspace(-9, -1, 41), np.linspace(0.1, 0.9, 33), 1.0 - np.logspace(-1, -9, 41)]
    )
)


def _scipy_ppf(dist, q):
    # Boost's beta inverse gives up (with a RuntimeWarning, an error under our
    # pytest config) in a few far-tail spots, e.g. Beta(0.5, 2) below q = 7e-9.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return dist.ppf(q)


def _tail_excess(dist, x, q, rtol):
    """How far the small tail probability at x misses q, in units of the tolerance."""
    lower = q <= 0.5
    got = np.where(lower, dist.cdf(x), dist.sf(x))
    want = np.where(lower, q, 1.0 - q)
    with np.errstate(invalid="ignore", over="ignore"):
        slack = 4.0 * dist.pdf(x) * np.spacing(np.abs(x))
    slack = np.nan_to_num(slack, nan=np.inf)
    return np.abs(got - want) / (rtol * want + 1e-15 + slack)


@pytest.mark.parametrize(("d", "scale"), CONTINUOUS)
def test_ppf_matches_scipy(d: Distribution, scale: float):
    ref_dist = d._scipy()
    ref = _scipy_ppf(ref_dist, QS)
    ours = d.ppf(QS)
    # Points where scipy misses its own round trip are judged by scipy's cdf
    # instead (counted, so a broad failure of the reference cannot hide).
    bad_ref = _tail_excess(ref_dist, ref, QS, 1e-6) > 1
    assert bad_ref.sum() <= 6, f"scipy reference unusable at {bad_ref.sum()} points"
    atol = 1e-13 * scale if scale > 0 else 1e-300
    ok = ~bad_ref
    np.testing.assert_allclose(ours[ok], ref[ok], rtol=1e-10, atol=atol)
    if bad_ref.any():
        assert np.all(_tail_excess(ref_dist, ours[bad_ref], QS[bad_ref], 1e-11) <= 1)


@pytest.mark.parametrize(("d", "scale"), CONTINUOUS)
def test_cdf_of_ppf_is_identity(d: Distribution, scale: float):
    assert np.all(_tail_excess(d._scipy(), d.ppf(QS), QS, 1e-11) <= 1)


@pytest.mark.parametrize(("d", "scale"), CONTINUOUS)
def test_ks_against_scipy_cdf(d: Distribution, scale: float):
    u = np.random.default_rng(20240611).random(4000)
    res = st.kstest(d.ppf(u), d._scipy().cdf)
    assert res.pvalue > 1e-3


@pytest.mark.parametrize(("d", "scale"), CONTINUOUS)
def test_array_equals_scalar_loop(d: Distribution, scale: float):
    q = QS[::7]
    arr = d.ppf(q.reshape(-1, 1))
    assert arr.shape == (q.size, 1)
    loop = np.array([d.ppf(float(v)) for v in q])
    np.testing.assert_array_equal(arr[:, 0], loop)


@jit
def _inside_njit(code, params4, u):
    out = np.empty_like(u)
    ppf_column(code, params4, u, out)
    exact = np.empty_like(u)
    for i in range(u.size):
        exact[i] = ppf_scalar(code, params4, u[i])
    return out, exact


@pytest.mark.parametrize(("d", "scale"), CONTINUOUS)
def test_kernels_inside_njit(d: Distribution, scale: float):
    code, p4, _ = d.kernel_args()
    q = QS[::5]
    table_path, exact = _inside_njit(code, p4, q)
    np.testing.assert_array_equal(table_path, d.ppf(q))
    # The Chebyshev table (beta, PERT, gamma) against the exact solver.
    np.testing.assert_allclose(table_path, exact, rtol=1e-13, atol=1e-13 * scale or 1e-300)


@pytest.mark.parametrize(("d", "scale"), CONTINUOUS)
def test_moments_and_support(d: Distribution, scale: float):
    ref = d._scipy()
    assert d.mean() == pytest.approx(ref.mean(), rel=1e-9, abs=1e-12 * scale)
    assert d.median() == pytest.approx(ref.median(), rel=1e-10, abs=1e-13 * scale)
    assert d.support() == pytest.approx(ref.support())


@pytest.mark.parametrize(("d", "scale"), CONTINUOUS)
def test_edges_and_invalid_probabilities(d: Distribution, scale: float):
    lo, hi = d.support()
    assert d.ppf(0.0) == lo
    assert d.ppf(1.0) == hi
    assert np.all(np.isnan(d.ppf(np.array([-0.1, 1.1, np.nan]))))


def test_scipy_failure_point_against_mpmath():
    # scipy 1.17's beta.ppf(1e-9, 0.5, 2) returns 2.5e-24 with a warning
    # (its own cdf of that is 2.4e-12); the true quantile is 4.44e-19.
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    a, b, q = 0.5, 2.0, 1e-9
    ours = F["beta"].make(a, b).ppf(q)
    exact = mpmath.findroot(
        lambda x: mpmath.betainc(a, b, 0, x, regularized=True) - mpmath.mpf(q),
        mpmath.mpf(ours),
    )
    assert abs(ours - float(exact)) <= 1e-14 * float(exact)


def test_narrow_truncnormal_against_mpmath():
    # A +-1e-6 window: the interval mass needs erf (no cancellation); scipy's
    # truncnorm.cdf loses ~2% at q = 1e-9 here, so mpmath is the reference.
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    d = F["truncnormal"].make(0.0, 1.0, -1e-6, 1e-6)
    lo, hi = mpmath.mpf(-1e-6), mpmath.mpf(1e-6)
    mass = mpmath.ncdf(hi) - mpmath.ncdf(lo)
    for q in (1e-9, 1e-3, 0.3, 0.7, 1 - 1e-9):
        exact = mpmath.findroot(
            lambda x, q=q: (mpmath.ncdf(x) - mpmath.ncdf(lo)) / mass - mpmath.mpf(q),
            lo + 2e-6 * q,
        )
        assert abs(d.ppf(q) - float(exact)) <= 1e-15 * 1e-6


def test_normal_far_tails():
    # Wichura's third branch (r > 5) and the complement path above 1/2.
    q = np.logspace(-300, -10, 60)
    d = F["normal"].make(0.0, 1.0)
    np.testing.assert_allclose(d.ppf(q), st.norm.ppf(q), rtol=1e-14)
    upper = 1.0 - np.logspace(-16, -3, 40)  # ppf(1 - s) relies on 1 - q being exact
    np.testing.assert_allclose(d.ppf(upper), st.norm.ppf(upper), rtol=1e-14)


# -- choice and empirical ------------------------------------------------------


def test_choice_is_generalized_inverse():
    d = F["choice"].make([30.0, 10.0, 20.0], [1.0, 2.0, 1.0])
    assert d.params == (10.0, 20.0, 30.0)
    assert d.weights == pytest.approx((0.5, 0.25, 0.25))
    q = np.array([0.0, 0.3, 0.5, 0.5000001, 0.75, 0.76, 1.0])
    np.testing.assert_array_equal(d.ppf(q), [10, 10, 10, 20, 20, 30, 30])
    assert d.mean() == pytest.approx(17.5)
    np.testing.assert_allclose(d.cdf([9.0, 10.0, 25.0, 30.0]), [0.0, 0.5, 0.75, 1.0])


def test_choice_categories_return_indices():
    d = F["choice"].make(["low", "mid", "high"])
    assert d.categories == ("low", "mid", "high")
    np.testing.assert_array_equal(d.ppf([0.1, 0.5, 0.9]), [0.0, 1.0, 2.0])
    assert math.isnan(d.mean())


@settings(max_examples=40, deadline=None)
@given(
    data=hs.lists(hs.floats(-1e6, 1e6), min_size=2, max_size=30),
    q=hs.lists(hs.floats(0.0, 1.0), min_size=1, max_size=20),
)
def test_empirical_matches_numpy_quantile(data, q):
    d = F["empirical"].make(data)
    np.testing.assert_array_equal(d.ppf(np.array(q)), np.quantile(data, q, method="linear"))


# -- ppf_matrix ------------------------------------------------------------------


def _matrix_dists():
    return [
        F["pert"].make(1.1, 1.3, 1.6),
        F["lognormal"].make(80.0, 0.5),
        F["choice"].make(["a", "b", "c"], [0.2, 0.3, 0.5]),
        F["beta"].make(0.5, 30.0),
        F["empirical"].make([3.0, 1.0, 4.0, 1.5, 9.0]),
        F["gamma"].make(0.3, 2.0),
        F["truncnormal"].make(1.0, 2.0, 0.0, 3.0),
    ]


def test_ppf_matrix_maps_each_column_independently():
    dists = _matrix_dists()
    codes, params, tables, table_len = pack(dists)
    u = np.random.default_rng(7).random((5000, len(dists)))
    out = np.empty_like(u)
    ppf_matrix(codes, params, u, out, tables, table_len)
    for j, d in enumerate(dists):
        np.testing.assert_array_equal(out[:, j], d.ppf(np.ascontiguousarray(u[:, j])))
    # Reordering the columns reorders the output and nothing else.
    perm = np.array([3, 0, 6, 1, 5, 2, 4])
    out2 = np.empty_like(u)
    c2, p2, t2, l2 = pack([dists[i] for i in perm])
    ppf_matrix(c2, p2, np.ascontiguousarray(u[:, perm]), out2, t2, l2)
    np.testing.assert_array_equal(out2, out[:, perm])


def test_ppf_matrix_without_tables():
    dists = [F["normal"].make(0.0, 1.0), F["pert"].make(0.0, 0.3, 1.0)]
    codes, params, _, _ = pack(dists)
    u = np.random.default_rng(3).random((100, 2))
    out = np.empty_like(u)
    ppf_matrix(codes, params, u, out)
    np.testing.assert_array_equal(out[:, 1], dists[1].ppf(np.ascontiguousarray(u[:, 1])))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_ppf_matrix_independent_of_thread_count():
    dists = _matrix_dists()
    codes, params, tables, table_len = pack(dists)
    u = np.random.default_rng(11).random((20001, len(dists)))
    outs = []
    before = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            out = np.empty_like(u)
            ppf_matrix(codes, params, u, out, tables, table_len)
            outs.append(out)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(outs[0], outs[1])


# -- property tests --------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    low=hs.floats(-1e3, 1e3),
    width=hs.floats(1e-3, 1e3),
    frac=hs.floats(0.0, 1.0),
    shape=hs.floats(0.5, 20.0),
)
def test_pert_property(low, width, frac, shape):
    high = low + width
    mode = min(max(low + frac * width, low), high)
    d = F["pert"].make(low, mode, high, shape)
    x = d.ppf(QS)
    assert np.all(np.diff(x) >= 0)
    assert np.all((x >= low) & (x <= high))
    ref = _scipy_ppf(d._scipy(), QS)
    good = _tail_excess(d._scipy(), ref, QS, 1e-6) <= 1
    np.testing.assert_allclose(x[good], ref[good], rtol=1e-10, atol=1e-13 * width)


@settings(max_examples=25, deadline=None)
@given(a=hs.floats(0.3, 60.0), b=hs.floats(0.3, 60.0))
def test_beta_property_round_trip(a, b):
    d = F["beta"].make(a, b)
    x = d.ppf(QS)
    assert np.all(np.diff(x) >= 0)
    assert np.all(_tail_excess(d._scipy(), x, QS, 1e-10) <= 1)


def test_prepared_matrix_equals_ppf_matrix_for_every_family_and_thread_count():
    import numba

    from distributions import from_spec, ppf_matrix_prepared, prepare_columns

    specs = [
        {"dist": "constant", "value": 3.0},
        {"dist": "uniform", "low": 1.0, "high": 4.0},
        {"dist": "triangular", "low": 0.0, "mode": 1.0, "high": 5.0},
        {"dist": "pert", "low": 1.1, "mode": 1.3, "high": 1.6},
        {"dist": "normal", "mean": 2.0, "sd": 0.5},
        {"dist": "truncnormal", "mean": 0.5, "sd": 0.3, "low": 0.0, "high": 1.0},
        {"dist": "lognormal", "p10": 50.0, "p90": 140.0},
        {"dist": "beta", "a": 0.5, "b": 30.0},
        {"dist": "gamma", "shape": 0.3, "scale": 2.0},
        {"dist": "choice", "values": [1.0, 2.0, 8.0], "weights": [0.2, 0.5, 0.3]},
        {"dist": "empirical", "values": [3.0, 1.0, 2.0, 9.0, 4.0]},
    ]
    dists = [from_spec(spec, "test") for spec in specs]
    codes, params, tables, table_len = pack(dists)
    prepared = prepare_columns(codes, params)
    u = np.random.default_rng(3).random((5000, len(dists)))
    u[0] = 1e-12
    u[1] = 1.0 - 1e-12
    expected = np.empty_like(u)
    ppf_matrix(codes, params, u, expected, tables, table_len)
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            got = np.empty_like(u)
            ppf_matrix_prepared((codes, *prepared, tables, table_len), u, got)
            np.testing.assert_array_equal(got, expected)
    finally:
        numba.set_num_threads(before)
