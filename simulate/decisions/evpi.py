"""Expected value of information: what learning a factor before choosing between A and B is worth.

With costs ``C_A``, ``C_B`` sampled on common random numbers and ``D = C_B - C_A``, the
choice made now takes the lower expected cost, ``E[C_A] + min(0, E[D])``. Knowing every
factor first would let each outcome take its cheaper option:

- EVPI (perfect information) ``= min(0, E[D]) - E[min(0, D)]``, from the paired samples
  directly;
- EVPPI of one factor ``X`` (partial) ``= min(0, E[D]) - E_X[min(0, E[D | X])]``: learn
  ``X`` only, then choose.

``E[D | X]`` is estimated by the mean of ``D`` within equal-count bins of ``X`` (ranked:
a factor shared with different marginals is binned by its common uniform). Bin means are
noisy, and ``min(0, .)`` turns noise into a positive bias; it is removed by subtracting
the same estimate with ``X`` randomly permuted (which carries no information, so its
mean is the bias alone). Intervals: bootstrap over samples of the debiased estimate.
Both are in the KPI's unit (USD for a cost) and never negative in expectation; a factor
that cannot flip the choice has an EVPPI of 0 within its interval. Method: the binned
(nonparametric regression) estimator of Strong & Oakley, "An efficient method for
computing single-parameter partial expected value of perfect information", Medical
Decision Making 33 (2013).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from results.provenance import provenance_attrs, scenario_attrs
from simulate.decisions.compare import compare, resolve_scenarios
from simulate.model import columns as col

__all__ = ["binned_evppi", "evpi", "value_of_information"]

DEFAULT_BINS = 50
PERMUTATIONS = 20
BOOTSTRAP_RESAMPLES = 100


def binned_evppi(difference: np.ndarray, factor: np.ndarray, bins: int) -> float:
    """Raw (biased) EVPPI of ``factor`` for the paired differences ``difference``.

    Parameters
    ----------
    difference : ndarray, shape (n,)
        ``C_B - C_A`` per paired sample (finite).
    factor : ndarray, shape (n,)
        The factor's value per sample.
    bins : int
        Equal-count bins of the factor's ranks.

    Returns
    -------
    float
        ``min(0, mean(D)) - mean over bins of min(0, bin mean of D)`` (bin-size weighted).
    """
    order = np.argsort(factor, kind="stable")
    edges = np.linspace(0, difference.size, bins + 1).astype(np.int64)
    sums = np.add.reduceat(difference[order], edges[:-1])
    counts = np.diff(edges)
    conditional = sums / counts
    return float(
        min(0.0, difference.mean())
        - np.sum(np.minimum(0.0, conditional) * counts) / difference.size
    )


def _debiased(difference, factor, bins, rng) -> tuple[float, float]:
    raw = binned_evppi(difference, factor, bins)
    null = [binned_evppi(difference, rng.permutation(factor), bins) for _ in range(PERMUTATIONS)]
    return raw - float(np.mean(null)), float(np.mean(null))


def value_of_information(
    scenarios: Sequence[str],
    n: int = 50_000,
    seed: int = 0,
    kpi: str = "lifecycle_total",
    overrides: Sequence[str] = (),
    bins: int = DEFAULT_BINS,
    confidence: float = 0.95,
) -> xr.Dataset:
    """EVPI and per-factor EVPPI of the choice between two scenarios, in the KPI's unit.

    Parameters
    ----------
    scenarios : (str, str)
        A and B, built-in names or scenario files.
    n : int
        Paired samples.
    seed : int
        Seed of the comparison and of the permutations and bootstrap.
    kpi : str
        A cost output (better when lower), default the lifecycle total (USD).
    overrides : sequence of str
        ``key.path=value`` applied to both scenarios.
    bins : int
        Equal-count bins per factor (at least 2, at most n / 20).
    confidence : float
        Level of the bootstrap intervals.

    Returns
    -------
    xarray.Dataset
        Dim ``factor`` (every sampled factor, highest EVPPI first): ``evppi``,
        ``evppi_low``, ``evppi_high`` and ``bias`` (the permutation estimate removed);
        attrs: ``evpi`` with its interval, the expected costs of A and B, the choice
        without further information, the method and provenance.
    """
    if len(scenarios) != 2:
        raise ValueError(
            f"got {len(scenarios)} scenario(s): the value of information needs A and B"
        )
    if kpi not in col.OUTPUT_INDEX or col.better_direction(kpi) == "higher":
        raise ValueError(f"KPI {kpi!r}: choose a cost output, e.g. lifecycle_total")
    if not 2 <= bins <= n // 20:
        raise ValueError(f"bins = {bins}: need 2 <= bins <= n / 20 = {n // 20}")
    loaded = resolve_scenarios(list(scenarios), overrides)
    ds = compare(loaded, n=n, seed=seed, kpis=[kpi], confidence=confidence)
    a, b = ds[kpi].values
    paired = np.isfinite(a) & np.isfinite(b)
    difference = (b - a)[paired]
    if difference.size < 20 * bins:
        raise ValueError(f"only {difference.size} paired samples are feasible in both; raise n")
    rng = np.random.default_rng(seed + 7)
    factors = ds.attrs["factor_columns"].split()
    tail = 50.0 * (1.0 - confidence)
    rows = []
    for path in factors:
        values = ds[path].values
        column = np.where(np.isfinite(values[0]), values[0], values[1])[paired]
        estimate, bias = _debiased(difference, column, bins, rng)
        draws = []
        for _ in range(BOOTSTRAP_RESAMPLES):
            pick = rng.integers(0, difference.size, difference.size)
            draws.append(binned_evppi(difference[pick], column[pick], bins) - bias)
        low, high = np.percentile(draws, [tail, 100.0 - tail])
        rows.append((path, estimate, float(low), float(high), bias))
    rows.sort(key=lambda r: -r[1])
    evpi = float(min(0.0, difference.mean()) - np.minimum(0.0, difference).mean())
    evpi_draws = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        d = difference[rng.integers(0, difference.size, difference.size)]
        evpi_draws.append(min(0.0, d.mean()) - np.minimum(0.0, d).mean())
    unit = col.OUTPUTS[col.OUTPUT_INDEX[kpi]].unit
    mean_a, mean_b = float(a[paired].mean()), float(b[paired].mean())
    attrs = {
        **provenance_attrs(
            "evpi", f"lifecycle-tco value of information: {loaded[0].name} or {loaded[1].name}"
        ),
        "kpi": kpi,
        "kpi_units": unit,
        "scenario_a": loaded[0].name,
        "scenario_b": loaded[1].name,
        "expected_a": mean_a,
        "expected_b": mean_b,
        "choice_now": loaded[0].name if mean_a <= mean_b else loaded[1].name,
        "evpi": evpi,
        "evpi_low": float(np.percentile(evpi_draws, tail)),
        "evpi_high": float(np.percentile(evpi_draws, 100.0 - tail)),
        "n_paired": int(difference.size),
        "n_samples": n,
        "seed": seed,
        "bins": bins,
        "confidence": confidence,
        "method": (
            "EVPI = min(0, E[D]) - E[min(0, D)], D = B - A per paired sample; EVPPI of a factor: "
            f"E[D | X] by the mean of D in {bins} equal-count bins of X (Strong & Oakley 2013), "
            f"minus the mean of {PERMUTATIONS} estimates with X permuted (the bias); bootstrap "
            f"intervals ({BOOTSTRAP_RESAMPLES} resamples)"
        ),
    }
    for i, scenario in enumerate(loaded):
        attrs.update(scenario_attrs(scenario, prefix=f"scenario_{i}_"))
    data_vars = {
        name: (("factor",), np.array([r[k] for r in rows]), {"units": unit, "long_name": text})
        for k, name, text in (
            (1, "evppi", "expected value of perfect information on this factor alone"),
            (2, "evppi_low", "lower end of its bootstrap interval"),
            (3, "evppi_high", "upper end of its bootstrap interval"),
            (4, "bias", "binning bias removed (the estimate with the factor permuted)"),
        )
    }
    return xr.Dataset(data_vars, coords={"factor": [r[0] for r in rows]}, attrs=attrs)


# The Python name of `tco evpi`, like breakeven, optimize and pareto.
evpi = value_of_information
