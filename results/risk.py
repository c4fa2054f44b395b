"""Risk statements of a run: a budget's chance of being exceeded, and money in (margin, ROI).

- ``P(KPI > budget)``: the share of feasible samples above the budget, with the Wilson
  interval (:func:`results.paired.wilson_interval`).
- ``CVaR_q``: the mean of the samples at or above the q-th percentile (the expected cost
  in the worst ``1 - q`` of outcomes), beside the percentile itself (VaR).
- Money in, when the scenario charges prices (``[revenue]``): P(loss) = P(margin < 0)
  with its Wilson interval, and the margin's and ROI's percentiles.
"""

from __future__ import annotations

import numpy as np

from results.paired import wilson_interval

__all__ = ["budget_risk", "money_risk"]


def budget_risk(values: np.ndarray, budget: float, confidence: float = 0.95, tail: float = 95.0):
    """Chance of exceeding a budget and the tail beyond it.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Samples of a cost (e.g. the lifecycle total, USD); non-finite ones are left out.
    budget : float
        The budget, in the cost's unit.
    confidence : float
        Level of the interval of the probability.
    tail : float
        Percentile of the VaR/CVaR statement, in (0, 100).

    Returns
    -------
    dict
        ``prob_over`` (estimate, lower, upper), ``var`` and ``cvar`` (in the cost's
        unit), ``tail`` and ``n``.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError("no feasible samples: the budget's risk is undefined")
    over = int(np.sum(finite > budget))
    low, high = wilson_interval(over, finite.size, confidence)
    var = float(np.percentile(finite, tail))
    return {
        "budget": float(budget),
        "prob_over": (over / finite.size, low, high),
        "var": var,
        "cvar": float(finite[finite >= var].mean()),
        "tail": tail,
        "n": int(finite.size),
    }


def money_risk(ds, confidence: float = 0.95):
    """P(loss), margin and ROI of a run whose scenario charges prices; None otherwise.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with ``margin``, ``roi`` and ``revenue_monthly`` stored.
    confidence : float
        Level of the interval of P(loss).

    Returns
    -------
    dict or None
        ``prob_loss`` (estimate, lower, upper), ``margin`` and ``roi`` percentiles
        (5, 50, 95) and ``revenue_monthly`` median; None when no revenue is charged.
    """
    if "margin" not in ds or "revenue_monthly" not in ds:
        return None
    revenue = np.asarray(ds["revenue_monthly"].values, dtype=float)
    if not np.any(revenue[np.isfinite(revenue)] > 0.0):
        return None
    margin = np.asarray(ds["margin"].values, dtype=float)
    roi = np.asarray(ds["roi"].values, dtype=float)
    ok = np.isfinite(margin)
    losses = int(np.sum(margin[ok] < 0.0))
    low, high = wilson_interval(losses, int(ok.sum()), confidence)
    return {
        "prob_loss": (losses / ok.sum(), low, high),
        "margin": tuple(float(v) for v in np.percentile(margin[ok], [5, 50, 95])),
        "roi": tuple(float(v) for v in np.percentile(roi[ok], [5, 50, 95])),
        "revenue_monthly": float(np.median(revenue[ok])),
    }
