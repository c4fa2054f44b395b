"""The chargeback of a platform result: expected cost, share and cost per 1k tokens per row.

One row per workload, per tier and for the platform, from the summary variables of
:func:`simulate.decisions.platform.platform_run`; used by ``tco platform``, ``tco
export`` and ``tco report``.
"""

from __future__ import annotations

import math

__all__ = ["chargeback_monthly", "chargeback_rows", "chargeback_table", "pool_rows"]


def _bounds(values) -> list[float]:
    return [float(v) for v in values]


def chargeback_rows(ds) -> dict:
    """The chargeback table of a platform result as plain numbers.

    Parameters
    ----------
    ds : xarray.Dataset
        A platform result.

    Returns
    -------
    dict
        ``workloads`` and ``tiers`` (lists of rows: name, expected ``cost`` [estimate,
        lower, upper] USD, ``cost_p5_p95`` USD, ``share`` bounds, ``capex_share`` bounds
        (CAPEX over the row's expected cost), ``token_cost_per_1k``
        bounds USD/1k tokens, ``cost_by_year``: the expected cost [estimate, lower, upper]
        of each year of the plan; workloads also ``tier``, ``model`` and ``pool``),
        ``platform`` (with ``token_cost_per_1k_by_year`` too) and ``pools``
        (:func:`pool_rows`).
    """
    by_year = "year" in ds.coords

    def years_of(name, pick):
        if not by_year:
            return []
        return [_bounds(v) for v in ds[name].sel(pick).values]

    def row(prefix, dim, name):
        pick = {dim: name}
        spread = ds[f"{prefix}_cost_percentiles"].sel(pick)
        return {
            "cost": _bounds(ds[f"{prefix}_cost_mean"].sel(pick).values),
            "cost_p5_p95": [float(spread.sel(percentile=5.0)), float(spread.sel(percentile=95.0))],
            "share": _bounds(ds[f"{prefix}_share"].sel(pick).values),
            "token_cost_per_1k": _bounds(ds[f"{prefix}_token_cost_per_1k"].sel(pick).values),
            "capex_share": _bounds(ds[f"{prefix}_capex_share"].sel(pick).values),
            "cost_by_year": years_of(f"{prefix}_year_cost_mean", pick),
        }

    workloads = [
        {
            "workload": str(w),
            "tier": str(ds["workload_tier"].sel(workload=w).values),
            "model": str(ds["workload_model"].sel(workload=w).values),
            "pool": str(ds["workload_pool"].sel(workload=w).values)
            if "workload_pool" in ds.coords
            else "",
            **row("workload", "workload", w),
        }
        for w in ds["workload"].values
    ]
    tiers = [{"tier": str(t), **row("tier", "tier", t)} for t in ds["tier"].values]
    spread = ds["platform_cost_percentiles"]
    platform = {
        "cost": _bounds(ds["platform_cost_mean"].values),
        "cost_p5_p95": [float(spread.sel(percentile=5.0)), float(spread.sel(percentile=95.0))],
        "token_cost_per_1k": _bounds(ds["platform_token_cost_per_1k_mean"].values),
        "capex_share": _bounds(ds["platform_capex_share"].values),
        "cost_by_year": years_of("platform_year_cost_mean", {}),
        "token_cost_per_1k_by_year": years_of("platform_year_token_cost_per_1k", {}),
    }
    return {"workloads": workloads, "tiers": tiers, "platform": platform, "pools": pool_rows(ds)}


def pool_rows(ds) -> list[dict]:
    """The shared pools of a platform result as plain numbers ([] without pools).

    Returns
    -------
    list of dict
        Per pool: ``pool``, ``node_accelerators``, ``members`` (workload names),
        ``nodes_by_year`` and ``packing_by_year`` (expected nodes at the daily peak, and the
        share of their accelerators replicas use), and [estimate, lower, upper] USD over the
        horizon of ``slot_cost`` (its empty slots), ``separate_cost`` (the empty slots were
        each workload on nodes of its own) and ``saving`` (the difference).
    """
    if "pool" not in ds.coords:
        return []
    members = {}
    for w, pool in zip(ds["workload"].values, ds["workload_pool"].values, strict=True):
        members.setdefault(str(pool), []).append(str(w))
    return [
        {
            "pool": str(p),
            "node_accelerators": int(ds["pool_node_accelerators"].sel(pool=p)),
            "members": members.get(str(p), []),
            "nodes_by_year": [float(v) for v in ds["pool_nodes_mean"].sel(pool=p).values],
            "packing_by_year": [float(v) for v in ds["pool_packing_mean"].sel(pool=p).values],
            "slot_cost": _bounds(ds["pool_slot_cost_mean"].sel(pool=p).values),
            "separate_cost": _bounds(ds["pool_separate_slot_cost_mean"].sel(pool=p).values),
            "saving": _bounds(ds["pool_saving_mean"].sel(pool=p).values),
        }
        for p in ds["pool"].values
    ]


def chargeback_table(ds):
    """The chargeback as a table: one row per workload, per tier and for the platform.

    Parameters
    ----------
    ds : xarray.Dataset
        A platform result.

    Returns
    -------
    pandas.DataFrame
        Columns ``level`` (workload, tier, platform), ``name``, ``tier``, ``model``,
        ``pool`` (a workload's shared pool, "" for none), ``cost [USD]`` with
        ``_lower``/``_upper`` (the interval of the expected cost), ``cost_p5 [USD]``,
        ``cost_p95 [USD]``, ``share [1]``, ``capex_share [1]`` and ``token_cost_per_1k
        [USD/1k tokens]`` with their bounds, and ``cost_year_<k> [USD]``, the expected
        cost of each year of the plan; provenance in ``attrs``.
    """
    import pandas as pd

    rows = chargeback_rows(ds)
    records = []
    items = [
        *(("workload", r["workload"], r["tier"], r["model"], r) for r in rows["workloads"]),
        *(("tier", r["tier"], r["tier"], "", r) for r in rows["tiers"]),
        ("platform", str(ds.attrs.get("platform_name", "platform")), "", "", rows["platform"]),
    ]
    for level, name, tier, model, item in items:
        share = item.get("share", [1.0, 1.0, 1.0])
        record = {"level": level, "name": name, "tier": tier, "model": model}
        record["pool"] = item.get("pool", "")
        for key, unit, values in (
            ("cost", "USD", item["cost"]),
            ("share", "1", share),
            ("token_cost_per_1k", "USD/1k tokens", item["token_cost_per_1k"]),
            ("capex_share", "1", item["capex_share"]),
        ):
            record[f"{key} [{unit}]"] = values[0]
            record[f"{key}_lower [{unit}]"] = values[1]
            record[f"{key}_upper [{unit}]"] = values[2]
        record["cost_p5 [USD]"], record["cost_p95 [USD]"] = item["cost_p5_p95"]
        for k, values in enumerate(item["cost_by_year"], start=1):
            record[f"cost_year_{k} [USD]"] = values[0]
        records.append(record)
    table = pd.DataFrame.from_records(records)
    table.attrs = {k: str(v) for k, v in ds.attrs.items() if not k.endswith("_toml")}
    return table


def chargeback_monthly(ds):
    """The chargeback per month: each row's expected cost in every month of the plan.

    A year's expected cost is spread evenly over its months (accrual: owned hardware
    depreciated, so a purchase is not a spike); beside it the expected cash out (a
    purchase in the month it is paid, the residual value credited in the last month).
    The months of a row add up to its expected lifecycle cost in both columns.

    Parameters
    ----------
    ds : xarray.Dataset
        A platform result with the year dimension.

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``name``, ``tier``, ``month`` (1 ..), ``cost [USD]`` and, for
        results that hold it, ``cash out [USD]``.

    Raises
    ------
    ValueError
        If the result has no year dimension (made before it existed).
    """
    import pandas as pd

    if "year" not in ds.coords:
        raise ValueError("the platform result has no year dimension: rerun `tco platform`")
    horizon = float(ds.attrs["horizon_years"])
    years = ds.sizes["year"]
    # The months of each year of the plan; a longer horizon's later years sit in the last.
    months_in = [min(12.0, 12.0 * (horizon - y)) for y in range(years)]
    months_in[-1] = 12.0 * horizon - 12.0 * (years - 1)
    rows = chargeback_rows(ds)
    items = [
        *(("workload", r["workload"], r["tier"], r) for r in rows["workloads"]),
        *(("tier", r["tier"], r["tier"], r) for r in rows["tiers"]),
        ("platform", str(ds.attrs.get("platform_name", "platform")), "", rows["platform"]),
    ]
    # The expected cash out per month, where the result has it (made from 2026-12-04 on).
    cash = None
    if "workload_cash_flow_mean" in ds:
        cash = {
            "workload": lambda n: ds["workload_cash_flow_mean"].sel(workload=n).values,
            "tier": lambda n: ds["tier_cash_flow_mean"].sel(tier=n).values,
            "platform": lambda n: ds["platform_cash_flow_mean"].values,
        }
    records = []
    for level, name, tier, item in items:
        flows = cash[level](name) if cash is not None else None
        month = 0
        for year_cost, months in zip(item["cost_by_year"], months_in, strict=True):
            whole = math.ceil(months - 1e-9)
            for m in range(whole):
                share = min(1.0, months - m) / months
                month += 1
                records.append(
                    {
                        "level": level,
                        "name": name,
                        "tier": tier,
                        "month": month,
                        "cost [USD]": year_cost[0] * share,
                    }
                )
                if flows is not None and month <= flows.size:
                    records[-1]["cash out [USD]"] = float(flows[month - 1])
    table = pd.DataFrame.from_records(records)
    table.attrs = {k: str(v) for k, v in ds.attrs.items() if not k.endswith("_toml")}
    return table
