"""The compiled moments of a summary against NumPy, NaN and float32 included."""

import numpy as np
import pytest

from results.moments import centred_sums, finite_values
from results.summary import summarize_values


def test_finite_values_and_centred_sums_match_numpy(rng):
    x = rng.lognormal(10.0, 1.0, 100_001)
    x[::7] = np.nan
    x[3] = np.inf
    data = finite_values(x)
    expected = x[np.isfinite(x)]
    assert np.array_equal(data, expected)
    mean = expected.mean()
    sum_sq, sum_4th = centred_sums(data, mean)
    centred = expected - mean
    assert sum_sq == pytest.approx(centred @ centred, rel=1e-12)
    assert sum_4th == pytest.approx(np.sum(centred**4), rel=1e-12)
    as_float32 = finite_values(x.astype(np.float32))
    assert as_float32.dtype == np.float32 and as_float32.size == expected.size  # kept as stored


def test_summary_statistics_are_unchanged_by_the_compiled_path(rng):
    x = rng.gamma(2.0, 3.0, 50_000)
    x[::11] = np.nan
    table, n = summarize_values(x, (5.0, 50.0, 95.0), 0.95)
    finite = x[np.isfinite(x)]
    assert n == finite.size
    assert table[0, 0] == finite.mean()
    assert table[1, 0] == pytest.approx(finite.std(ddof=1), rel=1e-12)
    assert table[2:, 0] == pytest.approx(np.percentile(finite, [5, 50, 95]), rel=1e-15)
    assert np.isfinite(x).sum() < x.size  # the input was not reordered or cleaned in place


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: rng.lognormal(10.0, 2.0, 200_003),
        lambda rng: rng.integers(0, 5, 100_000).astype(np.float64),  # heavy ties
        lambda rng: np.full(1000, 3.5),  # constant
        lambda rng: np.concatenate([np.zeros(99_990), rng.uniform(1e9, 2e9, 10)]),  # one bin
        lambda rng: rng.standard_cauchy(50_001).astype(np.float32),
        lambda rng: np.array([2.0]),
    ],
)
def test_select_ranks_is_exact(rng, make):
    from results.moments import select_ranks

    data = make(rng)
    ranks = np.unique(
        np.r_[0, data.size // 20, data.size // 2, data.size - 1, rng.integers(0, data.size, 9)]
    )
    before = data.copy()
    assert np.array_equal(select_ranks(data, ranks), np.sort(data)[ranks].astype(np.float64))
    assert np.array_equal(data, before)
