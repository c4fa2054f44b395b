"""The year dimension of a run, and the monthly cash flows it implies.

The kernel writes four lines per year of the plan (:data:`simulate.model.columns.YEAR_LINES`)
as ``<line>_year_<k>`` variables (stored with ``tco run --store yearly`` or ``all``).
Here they become variables with a ``year`` dimension, per-year KPIs (cost per 1M
tokens by year), and a monthly cash flow whose months add up to the lifecycle total:

- each year's OPEX (its cost less its CAPEX) is spread evenly over its months;
- each year's cash CAPEX (accelerators bought, net of trade-ins, the PUE CAPEX and the
  owned training cluster's depreciation) falls in its first month;
- the owned fleet's book value at the end (``residual_value``) is credited in the last.

Purchases minus the residual are the depreciation over the horizon, so the cash flows
and the accrual lifecycle total are the same money, in different months.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from simulate.model import columns as col

__all__ = [
    "has_years",
    "monthly_cash_flow_table",
    "monthly_cash_flows",
    "run_horizon_years",
    "year_count",
    "year_rows",
    "yearly",
]


def has_years(ds) -> bool:
    """Whether a run holds the year dimension (``tco run --store yearly`` or ``all``)."""
    return all(f"{line}_year_1" in ds for line in col.YEAR_LINES) and "residual_value" in ds


def _require(ds) -> None:
    if not has_years(ds):
        raise ValueError(
            "the run has no year dimension (cost_year_1 ... and residual_value): rerun "
            "with `tco run --store yearly`"
        )


def year_count(ds) -> int:
    """Years of the plan the run covers: the last year with tokens served, at most MAX_YEARS.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with the year dimension.

    Returns
    -------
    int
        1 .. :data:`simulate.model.columns.MAX_YEARS` (the last also holds any later year).
    """
    _require(ds)
    count = 1
    for k in range(1, col.MAX_YEARS + 1):
        tokens = np.asarray(ds[f"tokens_year_{k}"].values, dtype=float)
        if np.nanmax(np.where(np.isfinite(tokens), tokens, 0.0), initial=0.0) > 0.0:
            count = k
    return count


def yearly(ds) -> xr.Dataset:
    """The year lines of a run as variables with a ``year`` dimension, and cost per token.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with the year dimension (dimension ``sample``).

    Returns
    -------
    xarray.Dataset
        ``cost``, ``capex``, ``purchases`` (USD) and ``tokens``, each ``(sample, year)``,
        ``year`` = 1 .. :func:`year_count`; ``token_cost_per_1m`` (USD/1M tokens, the
        year's cost over its tokens); ``residual_value`` (USD, per sample).

    Raises
    ------
    ValueError
        If the run has no year dimension.
    """
    years = year_count(ds)
    units = {c.name: c.unit for c in col.OUTPUTS}
    data = {}
    for line in col.YEAR_LINES:
        stacked = np.stack(
            [np.asarray(ds[f"{line}_year_{k}"].values, dtype=float) for k in range(1, years + 1)],
            axis=-1,
        )
        data[line] = (("sample", "year"), stacked, {"units": units[f"{line}_year_1"]})
    with np.errstate(divide="ignore", invalid="ignore"):
        per_token = np.where(data["tokens"][1] > 0.0, data["cost"][1] / data["tokens"][1], np.nan)
    data["token_cost_per_1m"] = (
        ("sample", "year"),
        per_token * 1e6,
        {"units": "USD/1M tokens", "long_name": "the year's cost per 1M tokens served"},
    )
    data["residual_value"] = (
        ("sample",),
        np.asarray(ds["residual_value"].values, dtype=float),
        {"units": "USD"},
    )
    result = xr.Dataset(data, coords={"year": np.arange(1, years + 1)})
    result["year"].attrs["long_name"] = (
        f"year of the plan (year {col.MAX_YEARS} also holds any later year)"
    )
    return result


def cash_flow_months(cost, capex, purchases, residual, horizon_years: float) -> np.ndarray:
    """Cash out per month from the year lines: the months add up to the lifecycle total.

    Parameters
    ----------
    cost, capex, purchases : ndarray, shape (..., years)
        Each year's cost, its CAPEX (depreciation, PUE CAPEX) and its cash purchases, USD;
        ``years`` = ceil(horizon).
    residual : ndarray, shape (...)
        The owned fleet's book value at the end, USD.
    horizon_years : float
        The plan's horizon, years.

    Returns
    -------
    ndarray of float64, shape (..., ceil(12 x horizon))
        USD/month: OPEX spread over each year's months (a partial final month its
        fraction), cash CAPEX in a year's first month, the residual credited in the last.
        Linear in its inputs, so the cash flow of expected lines is the expected cash flow.
    """
    cost, capex, purchases = (np.asarray(a, dtype=float) for a in (cost, capex, purchases))
    months_total = math.ceil(12.0 * horizon_years - 1e-9)
    flows = np.zeros((*cost.shape[:-1], months_total))
    for k in range(cost.shape[-1]):
        first = 12 * k
        last = min(12 * (k + 1), months_total)  # a partial last year has fewer months
        year_months = min(12.0 * (k + 1), 12.0 * horizon_years) - first
        opex_per_month = (cost[..., k] - capex[..., k]) / year_months
        # Whole months carry a month's OPEX; a partial final month carries its fraction.
        for m in range(first, last):
            share = min(1.0, year_months - (m - first))
            flows[..., m] += opex_per_month * share
        flows[..., first] += purchases[..., k]
    flows[..., -1] -= np.asarray(residual, dtype=float)
    return flows


def monthly_cash_flows(ds, horizon_years: float) -> xr.DataArray:
    """Each sample's cash out per month of the plan; the months add up to the lifecycle total.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with the year dimension.
    horizon_years : float
        The plan's horizon (the scenario's ``scenario.horizon_years``), years; at most
        :data:`simulate.model.columns.MAX_YEARS` (later years are held as one).

    Returns
    -------
    xarray.DataArray
        USD, dims ``(sample, month)``, ``month`` = 1 .. ceil(12 x horizon): OPEX
        spread over each year's months, cash CAPEX in a year's first month, the residual
        value credited (negative) in the last month.

    Raises
    ------
    ValueError
        If the run has no year dimension, or the horizon is not positive or exceeds
        :data:`simulate.model.columns.MAX_YEARS` years.
    """
    _require(ds)
    if not 0.0 < horizon_years <= col.MAX_YEARS:
        raise ValueError(
            f"horizon_years = {horizon_years}: monthly cash flows need 0 < horizon <= "
            f"{col.MAX_YEARS} years (the year dimension holds later years as one)"
        )
    years = range(1, math.ceil(horizon_years - 1e-12) + 1)

    def lines(line):
        return np.stack([np.asarray(ds[f"{line}_year_{k}"].values, dtype=float) for k in years], -1)

    flows = cash_flow_months(
        lines("cost"),
        lines("capex"),
        lines("purchases"),
        np.asarray(ds["residual_value"].values, dtype=float),
        horizon_years,
    )
    months_total = flows.shape[-1]
    return xr.DataArray(
        flows,
        dims=("sample", "month"),
        coords={"month": np.arange(1, months_total + 1)},
        name="cash_flow",
        attrs={
            "units": "USD/month",
            "long_name": "cash out per month: OPEX, purchases in a year's first month, the "
            "residual value credited in the last",
        },
    )


def year_rows(ds, confidence: float = 0.95) -> list[dict]:
    """Per-year statistics of a run, for its table.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with the year dimension.
    confidence : float
        Confidence level of the mean's interval.

    Returns
    -------
    list of dict
        One per year: ``year``; ``cost`` (mean, lower, upper) and ``cost_p5``,
        ``cost_p95`` (USD); ``capex`` and ``purchases`` (means, USD); ``tokens`` (mean);
        ``token_cost_per_1m`` (USD/1M tokens: the mean cost over the mean tokens), over
        the samples whose year is finite.
    """
    from results.summary import summarize_values

    table = yearly(ds)
    rows = []
    for index, year in enumerate(table["year"].values):
        cost = table["cost"].values[:, index]
        ok = np.isfinite(cost)
        stats, _ = summarize_values(cost[ok], (5.0, 95.0), confidence)
        tokens = float(np.mean(table["tokens"].values[ok, index])) if ok.any() else math.nan
        mean_cost = float(stats[0, 0])
        rows.append(
            {
                "year": int(year),
                "cost": tuple(float(v) for v in stats[0]),
                "cost_p5": float(stats[2, 0]),
                "cost_p95": float(stats[3, 0]),
                "capex": float(np.mean(table["capex"].values[ok, index])) if ok.any() else math.nan,
                "purchases": float(np.mean(table["purchases"].values[ok, index]))
                if ok.any()
                else math.nan,
                "tokens": tokens,
                "token_cost_per_1m": mean_cost / tokens * 1e6 if tokens > 0 else math.nan,
            }
        )
    return rows


def monthly_cash_flow_table(ds, confidence: float = 0.95):
    """A run's monthly cash flows as a table: the mean and its interval, per month.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with the year dimension; its horizon is the sampled ``horizon_years`` (one
        value) or the ``horizon_years`` attribute.
    confidence : float
        Level of the interval of the mean.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``cash_flow [USD]`` (mean over the samples with a finite lifecycle
        total) with ``_lower`` / ``_upper``, and ``cumulative [USD]``; the months add
        up to the mean lifecycle total.

    Raises
    ------
    ValueError
        If the run has no year dimension or its horizon is not known.
    """
    import pandas as pd

    from results.summary import two_sided_z

    flows = monthly_cash_flows(ds, run_horizon_years(ds)).values
    ok = np.isfinite(ds["lifecycle_total"].values)
    flows = flows[ok]
    mean = flows.mean(axis=0)
    half = two_sided_z(confidence) * flows.std(axis=0, ddof=1) / np.sqrt(max(len(flows), 1))
    table = pd.DataFrame(
        {
            "month": np.arange(1, flows.shape[1] + 1),
            "cash_flow [USD]": mean,
            "cash_flow_lower [USD]": mean - half,
            "cash_flow_upper [USD]": mean + half,
            "cumulative [USD]": np.cumsum(mean),
        }
    )
    table.attrs = {k: str(v) for k, v in ds.attrs.items() if not k.endswith("_toml")}
    return table


def run_horizon_years(ds) -> float:
    """The horizon of a run, years: its one sampled value, or the ``horizon_years`` attribute.

    Raises
    ------
    ValueError
        If the horizon is sampled with several values (monthly flows need one calendar).
    """
    if "horizon_years" in ds:
        values = np.unique(np.asarray(ds["horizon_years"].values, dtype=float))
        if values.size != 1:
            raise ValueError(
                "the horizon is sampled: monthly cash flows need one horizon; fix "
                "scenario.horizon_years"
            )
        return float(values[0])
    if "horizon_years" in ds.attrs:
        return float(ds.attrs["horizon_years"])
    raise ValueError("the run does not record its horizon (scenario.horizon_years)")
