"""Summary statistics: known answers and honest confidence intervals."""

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from results.summary import summarize, summarize_values


def test_known_answers_on_a_large_normal_sample():
    rng = np.random.default_rng(1)
    values = rng.normal(10.0, 2.0, 400_000)
    table, n = summarize_values(values, (5, 50, 95))
    assert n == 400_000
    # Tolerances are 5 standard errors at n = 4e5.
    assert table[0, 0] == pytest.approx(10.0, abs=5 * 2 / np.sqrt(n))
    assert table[1, 0] == pytest.approx(2.0, abs=5 * 2 / np.sqrt(2 * n))
    for row, q in zip(table[2:], (0.05, 0.5, 0.95), strict=True):
        true = stats.norm.ppf(q, 10, 2)
        assert row[1] <= row[0] <= row[2]
        assert row[0] == pytest.approx(true, abs=0.03)
    np.testing.assert_allclose(table[2:, 0], np.percentile(values, [5, 50, 95]), rtol=1e-15)


@pytest.mark.parametrize("statistic", [0, 1, 2, 3, 4])
def test_interval_coverage_is_near_nominal(statistic):
    # 400 replications of a skewed (lognormal) sample of 2,000: each interval must cover
    # the true value about 95% of the time (binomial 99.9% band for 400 trials: 0.91-0.985).
    rng = np.random.default_rng(statistic)
    sigma = 0.5
    truth = [
        np.exp(sigma**2 / 2),
        np.sqrt((np.exp(sigma**2) - 1) * np.exp(sigma**2)),
        stats.lognorm.ppf(0.05, sigma),
        stats.lognorm.ppf(0.5, sigma),
        stats.lognorm.ppf(0.95, sigma),
    ][statistic]
    covered = 0
    for _ in range(400):
        table, _ = summarize_values(rng.lognormal(0, sigma, 2000), (5, 50, 95))
        covered += table[statistic, 1] <= truth <= table[statistic, 2]
    assert 0.91 <= covered / 400 <= 0.985


def test_nan_samples_are_left_out_and_counted():
    values = np.array([1.0, 2.0, np.nan, 3.0, 4.0, np.nan])
    table, n = summarize_values(values, (50,))
    assert n == 4 and table[0, 0] == 2.5 and table[2, 0] == 2.5


def test_too_few_values_give_nan():
    table, n = summarize_values(np.array([np.nan, 1.0]))
    assert n == 1 and np.isnan(table).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 1.0}, r"confidence = 1.0: must lie in \(0, 1\)"),
        ({"percentiles": (0,)}, r"percentile 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarize_values(np.arange(10.0), **kwargs)


def test_summarize_dataset_labels():
    ds = xr.Dataset({"cost": ("sample", np.arange(100.0), {"units": "USD"})})
    out = summarize(ds, ["cost"], (10, 90), 0.9)
    assert list(out["statistic"].values) == ["mean", "std", "p10", "p90"]
    assert list(out["bound"].values) == ["estimate", "lower", "upper"]
    assert out["cost"].attrs["units"] == "USD" and out["cost"].attrs["n_valid"] == 100
    assert out.attrs["confidence"] == 0.9


def test_scaled_summary_equals_the_summary_of_the_scaled_samples():
    from results.summary import scaled_summary

    rng = np.random.default_rng(4)
    cost = rng.lognormal(0.0, 0.5, 10_001)
    ds = xr.Dataset({"per_1k": ("sample", cost, {"units": "USD/1k"})})
    direct = summarize(xr.Dataset({"per_1m": ("sample", cost * 1000.0)}), ["per_1m"])
    scaled = scaled_summary(summarize(ds, ["per_1k"]), "per_1k", "per_1m", 1000.0,
                            {"units": "USD/1M"})  # fmt: skip
    np.testing.assert_allclose(scaled["per_1m"].values, direct["per_1m"].values, rtol=1e-12)
    assert scaled["per_1m"].attrs == {"units": "USD/1M", "n_valid": 10_001}
    with pytest.raises(ValueError, match="must be positive"):
        scaled_summary(summarize(ds, ["per_1k"]), "per_1k", "neg", -1.0, {})
