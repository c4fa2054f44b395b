"""Gaussian copula: achieved rank correlations, exact marginals, PD repair, every error.

Tolerance tiers: the copula against a NumPy/SciPy evaluation of the same
formula 1e-12 (deterministic maths, two ndtri implementations agree to
~1e-16); achieved Spearman 0.02 at n = 1e5 (the sampling s.e. of Spearman's
rho is about (1 - rho^2) / sqrt(n) < 0.0032, so 0.02 is over 6 s.e.); KS
p > 0.01; marginal quantiles within 5 binomial s.e. sqrt(q (1 - q) / n);
published nearest-correlation examples to their 4 printed decimals.
The 0.02 bound alone could not tell 2 sin(pi rho / 6) from no conversion at
all (they differ by at most 0.0181), so the conversion is also pinned exactly
and checked by quadrature below.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st

from distributions import from_spec
from distributions.copula import (
    U_MAX,
    U_MIN,
    Copula,
    apply_copula,
    nearest_correlation,
    normal_to_spearman,
    prepare_copula,
    spearman_to_normal,
    validate_correlation,
)

W = "default.toml: correlation"
NAMES = ("power.spot_price_usd_per_mwh", "fleet.utilization_achieved_ratio", "demand.noise")
TARGET = np.array([[1.0, 0.6, -0.4], [0.6, 1.0, -0.3], [-0.4, -0.3, 1.0]])
MARGINALS = [
    from_spec({"dist": "lognormal", "p10": 55, "p90": 130}, "lognormal"),
    from_spec({"dist": "pert", "low": 0.7, "mode": 0.95, "high": 1.05}, "pert"),
    from_spec({"dist": "normal", "mean": 10, "sd": 2}, "normal"),
]
# Correlated inputs sit at design columns 0, 2, 4 of 6, in a different order
# from the matrix rows, so a mix-up of positions and rows would show.
COLUMNS = np.array([4, 0, 2], dtype=np.int64)
N = 100_000


@pytest.fixture(scope="module")
def correlated():
    """A seeded 100k x 6 block, its copula transform, and the mapped inputs."""
    u = np.random.default_rng(20261123).random((N, 6))
    cop = prepare_copula(TARGET, NAMES, W)
    out = np.empty_like(u)
    apply_copula(u, COLUMNS, cop.cholesky, out)
    x = np.column_stack([d.ppf(out[:, c]) for d, c in zip(MARGINALS, COLUMNS, strict=True)])
    return u, out, x


# -- Spearman <-> normal-score conversion ----------------------------------------


def test_spearman_to_normal_formula_and_shape():
    rho = np.array([[-1.0, -0.5, 0.0], [0.3, 0.5, 1.0]])
    r = spearman_to_normal(rho)
    assert r.shape == rho.shape
    np.testing.assert_allclose(r, 2 * np.sin(np.pi * rho / 6), rtol=0, atol=1e-15)
    assert r[0, 0] == -1.0 and r[1, 2] == 1.0  # endpoints exact, not 0.9999999999999999
    assert isinstance(spearman_to_normal(0.3), float)
    np.testing.assert_allclose(normal_to_spearman(r), rho, atol=1e-14)


def test_spearman_to_normal_matches_bivariate_normal_rank_correlation():
    # Independent check of Kruskal's identity: Spearman's rho of a bivariate
    # normal, by numerical integration of rho_S = 12 E[Phi(X) Phi(Y)] - 3.
    from scipy.integrate import quad

    for rho_s in (-0.7, 0.2, 0.9):
        r = spearman_to_normal(rho_s)
        # E[Phi(X) Phi(Y)] with Y = r X + sqrt(1 - r^2) W: E_W[Phi(Y) | X] = Phi(r X / sqrt(2 - r^2))
        val, _ = quad(
            lambda x, r=r: (
                st.norm.cdf(x) * st.norm.cdf(r * x / np.sqrt(2 - r * r)) * st.norm.pdf(x)
            ),
            -np.inf,
            np.inf,
            epsabs=1e-13,
        )
        assert 12 * val - 3 == pytest.approx(rho_s, abs=1e-9)


# -- apply_copula ----------------------------------------------------------------


def test_achieved_spearman_within_0_02(correlated):
    _, _, x = correlated
    achieved = st.spearmanr(x).statistic
    err = np.abs(achieved - TARGET)
    assert err.max() < 0.02, f"achieved {achieved}, max error {err.max():.4f}"


def test_achieved_spearman_equals_uniform_scale_spearman(correlated):
    # Inverse CDFs are increasing, so ranks (and Spearman's rho) are unchanged.
    _, out, x = correlated
    np.testing.assert_allclose(
        st.spearmanr(x).statistic, st.spearmanr(out[:, COLUMNS]).statistic, atol=1e-12
    )


def test_correlated_columns_still_uniform(correlated):
    _, out, _ = correlated
    for c in COLUMNS:
        assert st.kstest(out[:, c], "uniform").pvalue > 0.01
        assert U_MIN <= out[:, c].min() and out[:, c].max() <= U_MAX


def test_marginal_quantiles_match_targets(correlated):
    _, _, x = correlated
    q = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
    se = np.sqrt(q * (1 - q) / N)
    for j, d in enumerate(MARGINALS):
        achieved = d.cdf(np.quantile(x[:, j], q))
        assert np.all(np.abs(achieved - q) < 5 * se), (d.family, achieved - q)


def test_other_columns_copied_bit_for_bit(correlated):
    u, out, _ = correlated
    for c in (1, 3, 5):
        assert np.array_equal(out[:, c], u[:, c])


def test_matches_direct_formula(correlated):
    u, out, _ = correlated
    cop = prepare_copula(TARGET, NAMES, W)
    z = sc.ndtri(u[:, COLUMNS])
    expected = sc.ndtr(z @ cop.cholesky.T)
    np.testing.assert_allclose(out[:, COLUMNS], expected, rtol=0, atol=1e-12)


def test_identity_cholesky_leaves_u_unchanged(rng):
    u = rng.random((1000, 3))
    out = np.empty_like(u)
    apply_copula(u, np.array([0, 2], dtype=np.int64), np.eye(2), out)
    np.testing.assert_allclose(out, u, rtol=1e-14, atol=0)


def test_in_place(rng):
    u = rng.random((5000, 4))
    cop = prepare_copula(TARGET, NAMES, W)
    cols = np.array([3, 1, 0], dtype=np.int64)
    expected = np.empty_like(u)
    apply_copula(u, cols, cop.cholesky, expected)
    apply_copula(u, cols, cop.cholesky, u)
    assert np.array_equal(u, expected)


def test_same_result_for_one_and_two_threads(rng):
    # 50k rows = 13 parallel tasks of 4096 rows, so two threads do split the work.
    u = rng.random((50_000, 5))
    cop = prepare_copula(TARGET, NAMES, W)
    cols = np.array([1, 4, 2], dtype=np.int64)
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs at least 2 Numba threads to compare against 1")
    outs = []
    before = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            out = np.empty_like(u)
            apply_copula(u, cols, cop.cholesky, out)
            outs.append(out)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(outs[0], outs[1])


def test_exact_zero_and_one_are_clipped():
    u = np.array([[0.0, 0.5, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [np.nan, 0.5, 0.5]])
    cop = prepare_copula(TARGET, NAMES, W)
    out = np.empty_like(u)
    apply_copula(u[:3], np.array([0, 1, 2], dtype=np.int64), cop.cholesky, out[:3])
    assert np.all(np.isfinite(out[:3])) and np.all((out[:3] > 0) & (out[:3] < 1))
    # The marginals then stay finite even for unbounded families.
    assert np.all(np.isfinite(MARGINALS[0].ppf(out[:3].ravel())))
    # NaN is not hidden by the clip; it spreads to the columns mixed with it.
    apply_copula(u, np.array([0, 1, 2], dtype=np.int64), cop.cholesky, out)
    assert np.isnan(out[3]).all()


@pytest.mark.parametrize(
    ("u_shape", "cols", "chol_shape", "out_shape", "match"),
    [
        ((4, 3), [0, 1], (2, 2), (4, 2), "out must have the shape of u"),
        ((4, 3), [0, 1], (3, 3), (4, 3), "cholesky must be k x k"),
        ((4, 3), [0, 3], (2, 2), (4, 3), "outside 0 .. d-1"),
        ((4, 3), [-1, 0], (2, 2), (4, 3), "outside 0 .. d-1"),
        ((4, 3), [1, 1], (2, 2), (4, 3), "repeated"),
    ],
)
def test_apply_copula_argument_errors(u_shape, cols, chol_shape, out_shape, match):
    with pytest.raises(ValueError, match=match):
        apply_copula(
            np.full(u_shape, 0.5),
            np.array(cols, dtype=np.int64),
            np.eye(*chol_shape),
            np.empty(out_shape),
        )


# -- validate_correlation ---------------------------------------------------------


def test_validate_returns_symmetrised_copy():
    m = [[1, 0.3], [0.3 + 5e-13, 1]]
    a = validate_correlation(m, ["a", "b"], W)
    assert a.dtype == np.float64 and np.array_equal(a, a.T) and a[0, 1] == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("matrix", "names", "match"),
    [
        (
            [1, 0.2],
            ["a", "b"],
            r"^default\.toml: correlation: correlation matrix has shape \(2,\): it must be square",
        ),
        ([[1, 0.2, 0]], ["a"], r"shape \(1, 3\): it must be square"),
        ([[1, 0.2], [0.2, 1]], ["a", "b", "c"], r"is 2 x 2 but 3 names are given \(a, b, c\)"),
        (
            [[1, np.nan], [np.nan, 1]],
            ["a", "b"],
            r"correlation a ~ b = nan: must be a finite number",
        ),
        ([[1, 0], [0, np.inf]], ["a", "b"], r"correlation b ~ b = inf: must be a finite"),
        (
            [[1, 0.2], [0.2, 0.9]],
            ["a", "b"],
            r"correlation of b with itself = 0\.9: the diagonal must be 1",
        ),
        (
            [[1, 0.2], [0.3, 1]],
            ["a", "b"],
            r"not symmetric: a ~ b = 0\.2 but b ~ a = 0\.3; give the same value in both places",
        ),
        ([[1, 1.5], [1.5, 1]], ["a", "b"], r"correlation a ~ b = 1\.5: must be in \[-1, 1\]"),
        (
            [[1, 0, 0], [0, 1, -1.01], [0, -1.01, 1]],
            ["a", "b", "c"],
            r"b ~ c = -1\.01: must be in \[-1, 1\]",
        ),
    ],
)
def test_validate_errors(matrix, names, match):
    with pytest.raises(ValueError, match=match):
        validate_correlation(matrix, names, W)


# -- nearest_correlation ----------------------------------------------------------

# Higham (2002), section 1 (also N. J. Higham's blog "Computing the nearest correlation matrix").
HIGHAM_A = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
HIGHAM_X = np.array([[1.0, 0.7607, 0.1573], [0.7607, 1.0, 0.7607], [0.1573, 0.7607, 1.0]])
# MathWorks documentation of nearcorr (Statistics and Machine Learning Toolbox), first example.
MW_A = np.array(
    [
        [1.0, 0.0, 0.0, 0.0, -0.9360],
        [0.0, 1.0, -0.5500, -0.3645, -0.5300],
        [0.0, -0.5500, 1.0, -0.0351, 0.0875],
        [0.0, -0.3645, -0.0351, 1.0, 0.4557],
        [-0.9360, -0.5300, 0.0875, 0.4557, 1.0],
    ]
)
MW_X = np.array(
    [
        [1.0, 0.0372, 0.0100, -0.0219, -0.8478],
        [0.0372, 1.0, -0.5449, -0.3757, -0.4849],
        [0.0100, -0.5449, 1.0, -0.0381, 0.0996],
        [-0.0219, -0.3757, -0.0381, 1.0, 0.4292],
        [-0.8478, -0.4849, 0.0996, 0.4292, 1.0],
    ]
)


@pytest.mark.parametrize(("a", "expected"), [(HIGHAM_A, HIGHAM_X), (MW_A, MW_X)])
def test_nearest_correlation_published_examples(a, expected):
    assert np.linalg.eigvalsh(a)[0] < 0
    x = nearest_correlation(a)
    np.testing.assert_allclose(x, expected, atol=5.1e-5)  # 4 printed decimals
    assert np.array_equal(np.diag(x), np.ones(len(a)))
    assert np.array_equal(x, x.T)
    np.linalg.cholesky(x)  # positive definite
    assert np.linalg.eigvalsh(x)[0] > 0.5e-8


def test_nearest_correlation_beats_naive_clip_and_rescale():
    # The nearest matrix must be at least as close as a feasible alternative:
    # clip the negative eigenvalues and rescale to unit diagonal.
    # (A symmetric example such as INCONSISTENT would not do: there the two coincide.)
    a = MW_A
    w, v = np.linalg.eigh(a)
    c = (v * np.maximum(w, 1e-8)) @ v.T
    d = 1 / np.sqrt(np.diag(c))
    naive = c * np.outer(d, d)
    x = nearest_correlation(a)
    # Measured: 0.15990 against 0.16310.
    assert np.linalg.norm(x - a) < np.linalg.norm(naive - a) - 2e-3


def test_nearest_correlation_idempotent():
    x = nearest_correlation(MW_A)
    assert np.array_equal(nearest_correlation(x), x)
    valid = spearman_to_normal(TARGET)
    np.fill_diagonal(valid, 1.0)
    assert np.array_equal(nearest_correlation(valid), valid)


@pytest.mark.parametrize(
    ("matrix", "match"),
    [
        (np.ones((2, 3)), r"shape \(2, 3\): it must be square"),
        (np.array([[1, np.nan], [np.nan, 1]]), "non-finite"),
        (np.array([[1, 0.1], [0.2, 1]]), "not symmetric"),
    ],
)
def test_nearest_correlation_errors(matrix, match):
    with pytest.raises(ValueError, match=match):
        nearest_correlation(matrix)


def test_nearest_correlation_floor_error():
    with pytest.raises(ValueError, match=r"floor = 1\.0: must be in \[0, 1\)"):
        nearest_correlation(np.eye(2), floor=1.0)


# -- prepare_copula ---------------------------------------------------------------


def test_prepare_copula_valid_matrix():
    cop = prepare_copula(TARGET, NAMES, W)
    assert isinstance(cop, Copula)
    assert cop.warning is None and cop.names == NAMES
    assert np.array_equal(cop.spearman, TARGET)
    expected = 2 * np.sin(np.pi * TARGET / 6)
    np.fill_diagonal(expected, 1.0)
    np.testing.assert_allclose(cop.normal_corr, expected, atol=1e-15)
    np.testing.assert_allclose(cop.cholesky @ cop.cholesky.T, cop.normal_corr, atol=1e-14)
    assert np.array_equal(np.tril(cop.cholesky), cop.cholesky)
    np.testing.assert_allclose(cop.effective_spearman, TARGET, atol=1e-14)
    with pytest.raises(ValueError, match="read-only"):
        cop.cholesky[0, 0] = 2.0


def test_prepare_copula_positions():
    cop = prepare_copula(TARGET, NAMES, W)
    paths = ["x", NAMES[2], NAMES[0], "y", NAMES[1]]
    assert cop.positions(paths).tolist() == [2, 4, 1]
    with pytest.raises(
        ValueError,
        match=r"correlated inputs fleet\.utilization_achieved_ratio are not sampled columns",
    ):
        cop.positions(paths[:4])


INCONSISTENT = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])


def test_prepare_copula_repairs_with_warning():
    cop = prepare_copula(INCONSISTENT, ("a", "b", "c"), W)
    assert cop.warning is not None
    assert cop.warning.startswith(
        "default.toml: correlation: the correlations are not jointly possible"
    )
    assert "smallest eigenvalue -0.816" in cop.warning
    assert "nearest valid correlation matrix (Higham 2002)" in cop.warning
    assert "a ~ b: 0.9 -> 0.4826" in cop.warning and "b ~ c: -0.9 -> -0.4826" in cop.warning
    assert np.array_equal(cop.spearman, INCONSISTENT)  # kept as given
    assert np.array_equal(np.diag(cop.normal_corr), np.ones(3))
    np.testing.assert_allclose(cop.cholesky @ cop.cholesky.T, cop.normal_corr, atol=1e-14)
    # The repair is applied on the normal-score scale, where PD is required.
    a = spearman_to_normal(INCONSISTENT)
    np.fill_diagonal(a, 1.0)
    np.testing.assert_array_equal(cop.normal_corr, nearest_correlation(a))


def test_prepare_copula_refuses_without_repair():
    with pytest.raises(
        ValueError,
        match=r"^default\.toml: correlation: the correlations between a, b, c are not jointly possible: "
        r"the normal-score correlation matrix is not positive definite \(smallest eigenvalue -0\.816\)\. "
        r"Weaken the strongest correlations .* or allow repair",
    ):
        prepare_copula(INCONSISTENT, ("a", "b", "c"), W, repair=False)


def test_prepare_copula_validates():
    with pytest.raises(ValueError, match=r"^default\.toml: correlation: correlation a ~ b = 2\.0"):
        prepare_copula([[1, 2], [2, 1]], ["a", "b"], W)


def test_repaired_copula_achieves_its_effective_spearman(rng):
    cop = prepare_copula(INCONSISTENT, ("a", "b", "c"), W)
    u = rng.random((N, 3))
    out = np.empty_like(u)
    apply_copula(u, np.arange(3, dtype=np.int64), cop.cholesky, out)
    achieved = st.spearmanr(out).statistic
    assert np.abs(achieved - cop.effective_spearman).max() < 0.02
