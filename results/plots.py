"""Plots of results (matplotlib, headless). Each takes ``ax=None`` and returns ``ax``."""

from __future__ import annotations

import numpy as np


def _axes(ax, size=(7.5, 5.0)):
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    # A bare Figure (no pyplot) works without a display and leaks no global state.
    return Figure(figsize=size, layout="constrained").add_subplot()


def sobol_bars(ds, kpi: str, ax=None, top: int | None = None):
    """Bar chart of S1 and ST with confidence bars, levers and factors told apart.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.sobol.sobol`.
    kpi : str
        The KPI to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes by default.
    top : int, optional
        Draw only the ``top`` parameters by total-order index.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    from simulate.sobol import ranking

    rows = ranking(ds, kpi)[:top] if top else ranking(ds, kpi)
    ax = _axes(ax, (7.5, 0.45 * len(rows) + 1.5))
    y = np.arange(len(rows))[::-1]
    names = [r[0] for r in rows]
    s1 = np.array([r[2] for r in rows])
    s1c = np.array([r[3] for r in rows])
    st = np.array([r[4] for r in rows])
    stc = np.array([r[5] for r in rows])
    lever = np.array([r[1] == "lever" for r in rows])
    height = 0.38
    ax.barh(
        y + height / 2,
        st,
        height,
        xerr=stc,
        color=np.where(lever, "#1f6fb4", "#9ab7d3"),
        label="ST (total order)",
        capsize=2,
    )
    ax.barh(
        y - height / 2,
        s1,
        height,
        xerr=s1c,
        color=np.where(lever, "#d9731a", "#f0c08f"),
        label="S1 (first order)",
        capsize=2,
    )
    ax.set_yticks(
        y,
        [
            f"{n}  [{'lever' if is_lever else 'factor'}]"
            for n, is_lever in zip(names, lever, strict=True)
        ],
    )
    unit = ds.kpi_units.sel(kpi=kpi).item()
    ax.set_xlabel("Sobol index (share of the variance of the KPI, 1)")
    ax.set_title(f"Sobol indices of {kpi} [{unit}]\nN = {ds.attrs['N']:,}, seed {ds.attrs['seed']}")
    ax.axvline(0.0, color="black", linewidth=0.6)
    ax.legend(loc="lower right", title="dark: lever, light: factor", fontsize=8)
    return ax
