"""The chargeback figure of a platform: each workload's expected cost, stacked by tier."""

from __future__ import annotations

import numpy as np

__all__ = ["platform_breakdown"]


def platform_breakdown(ds, ax=None):
    """Expected lifecycle cost per workload (bars, coloured by tier) and per tier (stacked).

    Parameters
    ----------
    ds : xarray.Dataset
        A platform result (:func:`simulate.decisions.platform.platform_run`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from results.human import human
    from results.plot_style import FONT_SMALL, PALETTE, human_axis

    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(8.0, 0.4 * ds.sizes["workload"] + 2.6), layout="constrained")
        ax = ax.add_subplot()
    tiers = [str(t) for t in ds["tier"].values]
    colour = {tier: PALETTE[i % len(PALETTE)] for i, tier in enumerate(tiers)}
    names = [str(w) for w in ds["workload"].values]
    tier_of = [str(t) for t in ds["workload_tier"].values]
    mean = ds["workload_cost_mean"].sel(bound="estimate").values
    low = ds["workload_cost_mean"].sel(bound="lower").values
    high = ds["workload_cost_mean"].sel(bound="upper").values
    # Workloads bottom-up in file order; one stacked bar per tier on top.
    y = np.arange(len(names))[::-1] + 1.5
    for i in range(len(names)):
        ax.barh(y[i], mean[i], color=colour[tier_of[i]])
    ax.errorbar(
        mean,
        y,
        xerr=[np.maximum(mean - low, 0.0), np.maximum(high - mean, 0.0)],
        fmt="none",
        ecolor="black",
        capsize=2,
        linewidth=0.8,
    )
    left = 0.0
    for tier in tiers:
        value = float(ds["tier_cost_mean"].sel(tier=tier, bound="estimate"))
        ax.barh(0, value, left=left, color=colour[tier], label=tier)
        left += value
    ax.set_yticks([*y, 0], [*names, "platform, by tier"], fontsize=8)
    total = float(ds["platform_cost_mean"].sel(bound="estimate"))
    ax.set_xlabel("expected lifecycle cost [USD]")
    human_axis(ax, "x", "USD")
    ax.legend(loc="upper right", fontsize=FONT_SMALL, title="tier")
    ax.set_title(
        f"Platform {ds.attrs.get('platform_name', '')}: {human(total, 'USD')} expected over "
        f"{float(ds.attrs.get('horizon_years', 0)):g} years",
        fontsize=10,
    )
    return ax
