"""Statistics of paired samples: two scenarios evaluated on the same random numbers.

With common random numbers, sample ``i`` of scenario A and sample ``i`` of
scenario B share every uncertain factor they have in common, so the per-sample
difference ``d_i = B_i - A_i`` isolates the decision that differs between them.

- median of the paired differences ``d``: the sample median, with the
  distribution-free order-statistic interval of :func:`results.summary.summarize_values`
  (ranks ``n/2 -+ z sqrt(n/4)``, the binomial normal approximation). When every
  difference is the same (zero for identical scenarios), estimate and interval are
  that value.
- P(A better than B): the share of paired samples where A is strictly better
  (lower for costs, higher for throughput and efficiency), with the Wilson score
  interval for a binomial proportion (Wilson 1927; Agresti & Coull 1998), which stays
  inside [0, 1] and is sensible at 0 and 1. Ties (``A_i == B_i``) are counted apart;
  for an output with no better direction the share is of samples where A is lower.

Only rows where both values are finite are paired (structurally infeasible samples
have NaN costs); the number of pairs is returned.
"""

from __future__ import annotations

import numpy as np

from results.summary import summarize_values, two_sided_z


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Parameters
    ----------
    successes : int
        Number of successes.
    trials : int
        Number of trials.
    confidence : float
        Confidence level, in (0, 1).

    Returns
    -------
    lower, upper : float
        Interval bounds in [0, 1]; NaN when ``trials`` is 0.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must lie in (0, 1), e.g. 0.95")
    if trials <= 0:
        return float("nan"), float("nan")
    z = two_sided_z(confidence)
    share = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (share + z * z / (2.0 * trials)) / denominator
    half = z * np.sqrt(share * (1.0 - share) / trials + z * z / (4.0 * trials * trials))
    half /= denominator
    # Exact 0 and 1 shares keep their end: rounding must not push the bound past it.
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == trials else min(1.0, centre + half)
    return float(lower), float(upper)


def median_interval(values: np.ndarray, confidence: float = 0.95) -> np.ndarray:
    """Median of the finite values with its order-statistic confidence interval.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Samples; non-finite entries are left out.
    confidence : float
        Confidence level, in (0, 1).

    Returns
    -------
    ndarray of float64, shape (3,)
        Estimate, lower, upper (NaN with fewer than two finite values).
    """
    table, _ = summarize_values(values, (50.0,), confidence)
    return table[2]


def paired_statistics(
    a: np.ndarray, b: np.ndarray, direction: str = "lower", confidence: float = 0.95
) -> dict:
    """Compare paired samples of one output in scenarios A and B.

    Parameters
    ----------
    a, b : ndarray, shape (n,)
        Per-sample values of A and B, row ``i`` of both drawn with the same random
        numbers; non-finite rows (in either) are left out.
    direction : {"lower", "higher", "none"}
        Which way the output improves (:func:`simulate.model.columns.better_direction`);
        ``"none"`` counts A lower as "better".
    confidence : float
        Confidence level of the intervals, in (0, 1).

    Returns
    -------
    dict
        ``difference``: ndarray (3,), median of ``B - A`` (output units) with its
        interval; ``prob_a_better``: ndarray (3,), share of pairs where A is strictly
        better, with its Wilson interval; ``prob_tie`` and ``prob_a_worse``: shares of
        ties and of pairs where B is strictly better; ``n_paired``: number of pairs.
    """
    if direction not in ("lower", "higher", "none"):
        raise ValueError(f"direction = {direction!r}: must be lower, higher or none")
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a and b must be 1-D arrays of equal length; got {a.shape} and {b.shape}")
    both = np.isfinite(a) & np.isfinite(b)
    a, b = a[both], b[both]
    n_paired = int(a.size)
    difference = b - a
    median = median_interval(difference, confidence)
    a_better = int(np.count_nonzero(b < a if direction == "higher" else a < b))
    ties = int(np.count_nonzero(a == b))
    if n_paired:
        share = a_better / n_paired
        prob_tie = ties / n_paired
        prob_worse = (n_paired - a_better - ties) / n_paired
    else:
        share = prob_tie = prob_worse = float("nan")
    lower, upper = wilson_interval(a_better, n_paired, confidence)
    return {
        "difference": median,
        "prob_a_better": np.array([share, lower, upper]),
        "prob_tie": prob_tie,
        "prob_a_worse": prob_worse,
        "n_paired": n_paired,
    }
