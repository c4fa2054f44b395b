"""Quantile-quantile plots of observed data against a fitted distribution.

matplotlib is imported inside the functions, so importing this module costs
nothing, and figures are built with ``matplotlib.figure.Figure`` (not pyplot),
so no GUI backend is ever selected: safe on headless machines and with Agg.
"""

from __future__ import annotations

import numpy as np

__all__ = ["qq_plot"]


def _label(text: str, units: str | None) -> str:
    # "1" is the schema's mark for dimensionless quantities: no bracket then.
    return f"{text} [{units}]" if units and units != "1" else text


def qq_plot(values, distribution, ax=None, title=None, units=None):
    """Plot sorted observations against the fitted distribution's quantiles.

    Points on the 1:1 line mean the fit reproduces the data; a bend at one
    end shows a tail that is too light or too heavy.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        Observations, in the units of the quantity.
    distribution : distributions.Distribution
        The fitted distribution; its ``ppf`` gives the theoretical quantiles.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure (``ax.figure``) of 4.5 x 4.5 in.
    title : str, optional
        Axes title; default ``"QQ plot: <family>"``.
    units : str, optional
        Units of the data for the axis labels, e.g. ``"USD/MWh"``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Plotting positions are Hazen's ``(i - 0.5) / n``, i = 1..n, which stay
    inside (0, 1) so unbounded families give finite quantiles.
    """
    x = np.sort(np.asarray(values, dtype=float).ravel())
    if x.size == 0:
        raise ValueError("qq_plot: no values to plot")
    q = (np.arange(1, x.size + 1) - 0.5) / x.size
    theo = np.asarray(distribution.ppf(q), dtype=float)
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(4.5, 4.5), layout="constrained").add_subplot()
    ax.scatter(theo, x, s=8, alpha=0.6, color="C0", label="observations", zorder=2)
    lo = float(min(theo.min(), x.min()))
    hi = float(max(theo.max(), x.max()))
    ax.plot([lo, hi], [lo, hi], color="0.3", lw=1, ls="--", label="1:1", zorder=1)
    ax.set_xlabel(_label(f"fitted {distribution.family} quantile", units))
    ax.set_ylabel(_label("observed quantile", units))
    ax.set_title(title if title is not None else f"QQ plot: {distribution.family}")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper left", frameon=False)
    return ax
