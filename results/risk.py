"""Risk statements of a run: a budget's chance of being exceeded, and money in (margin, ROI).

- ``P(KPI > budget)``: the share of feasible samples above the budget, with the Wilson
  interval (:func:`results.paired.wilson_interval`).
- ``CVaR_q``: the mean of the samples at or above the q-th percentile (the expected cost
  in the worst ``1 - q`` of outcomes), beside the percentile itself (VaR).
- Money in, when the scenario charges prices (``[revenue]``): P(loss) = P(margin < 0)
  with its Wilson interval, the margin's and ROI's percentiles, and the payback month:
  the first release and the PUE CAPEX are paid up front, then each month earns the
  revenue less the inference cost and the later releases' training spread over the
  cadence, ``payback = (capex + T) / (revenue - inference - T / cadence_months)`` with
  ``T`` one release's training and fine-tuning; never when the monthly net is not
  positive or the payback falls beyond the horizon.
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


def payback_months(ds, scenario) -> np.ndarray:
    """Months until the cumulative cash of each sample turns positive (NaN: not in horizon).

    Parameters
    ----------
    ds : xarray.Dataset
        A run with ``revenue_monthly``, ``inference_cost_monthly``, ``training_cost`` and
        ``finetune_cost`` stored.
    scenario : Scenario
        Its scenario (horizon, release cadence and PUE CAPEX at their base: a run keeps
        the levers at base).

    Returns
    -------
    ndarray of float64
        Months, in (0, horizon]; NaN where the service does not pay back in the horizon.
    """
    base = scenario.base_values()
    horizon_months = float(base["scenario.horizon_years"]) * 12.0
    cadence_months = float(base["release.cadence_days"]) * 12.0 / 365.25
    release = np.asarray(ds["training_cost"].values + ds["finetune_cost"].values, dtype=float)
    net = (
        np.asarray(ds["revenue_monthly"].values, dtype=float)
        - np.asarray(ds["inference_cost_monthly"].values, dtype=float)
        - release / cadence_months
    )
    upfront = float(base["facility.pue_capex_usd"]) + release
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(net > 0.0, upfront / net, np.nan)
    return np.where(months <= horizon_months, months, np.nan)


def money_risk(ds, confidence: float = 0.95, scenario=None):
    """P(loss), margin and ROI of a run whose scenario charges prices; None otherwise.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with ``margin``, ``roi`` and ``revenue_monthly`` stored.
    confidence : float
        Level of the interval of P(loss).
    scenario : Scenario, optional
        Its scenario, for the payback month (:func:`payback_months`).

    Returns
    -------
    dict or None
        ``prob_loss`` (estimate, lower, upper), ``margin`` and ``roi`` percentiles
        (5, 50, 95), ``revenue_monthly`` median, and with a scenario ``payback_p50``
        (months, over the samples that pay back) and ``prob_payback`` (the share that
        pays back within the horizon); None when no revenue is charged.
    """
    if "margin" not in ds or "revenue_monthly" not in ds:
        return None
    stored = np.asarray(ds["revenue_monthly"].values)  # as stored: no float64 copy yet
    with np.errstate(invalid="ignore"):
        charged = bool(np.any(stored > 0.0))  # NaN compares False: infeasible rows skipped
    if not charged:
        return None
    revenue = stored.astype(float)
    margin = np.asarray(ds["margin"].values, dtype=float)
    roi = np.asarray(ds["roi"].values, dtype=float)
    ok = np.isfinite(margin)
    if not ok.any():
        return None  # every priced sample infeasible: no margin to describe
    losses = int(np.sum(margin[ok] < 0.0))
    low, high = wilson_interval(losses, int(ok.sum()), confidence)
    result = {
        "prob_loss": (losses / ok.sum(), low, high),
        "margin": tuple(float(v) for v in np.percentile(margin[ok], [5, 50, 95])),
        "roi": tuple(float(v) for v in np.percentile(roi[ok], [5, 50, 95])),
        "revenue_monthly": float(np.median(revenue[ok])),
    }
    if scenario is not None:
        months = payback_months(ds, scenario)[ok]
        paid = np.isfinite(months)
        result["prob_payback"] = float(paid.mean())
        result["payback_p50"] = float(np.median(months[paid])) if paid.any() else float("nan")
    return result
