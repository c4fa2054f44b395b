"""Report section of a platform result: the chargeback table and the breakdown figure."""

from __future__ import annotations

from results.report.markup import _e, _section, _table, _tag, _try_figure, _with_bounds
from results.report.result import Result


def platform_section(result: Result, index: int) -> str:
    """The chargeback of a platform: per workload, per tier and the platform total.

    Parameters
    ----------
    result : Result
        A ``platform`` result (:func:`simulate.decisions.platform.platform_run`).
    index : int
        Position among the report's platform results (for anchors).

    Returns
    -------
    str
        An XHTML ``<section>``: one row per workload and tier and the platform, with the
        expected lifecycle cost (USD), its share and the cost per 1M tokens, each with its
        interval, and the figure of :func:`results.platform_plots.platform_breakdown`.
    """
    from results.chargeback import chargeback_rows
    from results.platform_plots import platform_breakdown

    ds = result.dataset
    rows = chargeback_rows(ds)
    attrs = ds.attrs
    title = f"Platform {attrs.get('platform_name', '')}: chargeback"

    def cells(name, tier, model, item):
        share = item.get("share", [1.0, 1.0, 1.0])
        return (
            _e(name),
            _e(tier),
            _e(model),
            _with_bounds(*item["cost"], "USD"),
            _with_bounds(*share, "1", "workload_share"),
            _with_bounds(*item["capex_share"], "1", "workload_share"),
            _with_bounds(*(v * 1000.0 for v in item["token_cost_per_1k"]), "USD/1M tokens"),
        )

    table = [cells(r["workload"], r["tier"], r["model"], r) for r in rows["workloads"]]
    table += [cells(f"tier {r['tier']}", r["tier"], "", r) for r in rows["tiers"]]
    table.append(cells("platform", "", "", rows["platform"]))
    headline = (
        f"{result.name}: {len(rows['workloads'])} workloads over "
        f"{float(attrs.get('horizon_years', 0)):g} years, {int(attrs.get('n_valid', 0)):,} of "
        f"{int(attrs.get('n_samples', 0)):,} samples with every workload feasible. Shares are "
        "expected cost over the platform's expected cost; tier totals are the sums of their "
        "workloads in every sample."
    )
    parts = [
        _tag("p", _e(headline)),
        _table(
            ["workload", "tier", "model", "expected cost", "share", "CAPEX share", "USD/1M tokens"],
            table,
            numeric=(3, 4, 5, 6),
        ),
        *_pool_parts(rows["pools"]),
        _try_figure(lambda: platform_breakdown(ds), title),
    ]
    return _section(f"platform-{index}", title, "".join(parts))


def _pool_parts(pools: list[dict]) -> list[str]:
    """The shared pools' table: members, nodes, packing and what sharing saves."""
    if not pools:
        return []
    rows = [
        (
            _e(p["pool"]),
            _e(", ".join(p["members"])),
            _e(str(p["node_accelerators"])),
            _e(", ".join(f"{v:,.1f}" for v in p["nodes_by_year"])),
            _e(", ".join(f"{v:.0%}" for v in p["packing_by_year"])),
            _with_bounds(*p["slot_cost"], "USD"),
            _with_bounds(*p["separate_cost"], "USD"),
            _with_bounds(*p["saving"], "USD"),
        )
        for p in pools
    ]
    return [
        _tag(
            "p",
            _e(
                "Shared pools: the workloads' replicas packed into whole nodes, the last "
                "node of each level partly empty; nodes are expected counts at the daily "
                "peak by year; empty slots are priced as the fleet is."
            ),
        ),
        _table(
            [
                "pool",
                "workloads",
                "accelerators per node",
                "nodes by year",
                "replicas fill",
                "empty slots",
                "on nodes of their own",
                "sharing saves",
            ],
            rows,
            numeric=(5, 6, 7),
        ),
    ]
