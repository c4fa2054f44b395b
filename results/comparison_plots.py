"""A comparison for a slide: each scenario's interval, medians labelled, paired difference below.

Overlaid histograms of three scenarios read as "uncertain" even when one option
wins in 99.99% of the sampled worlds: the spread they show is mostly shared
(common random numbers). The lower panel draws what decides, the per-sample
difference B - A, with the probability that B wins.
"""

from __future__ import annotations

import numpy as np

from results.human import human, human_percent
from results.plot_style import (
    FONT_SMALL,
    axis_label,
    human_axis,
    label_above,
    scenario_colours,
)

__all__ = ["comparison_plot", "interval_rows"]

PERCENTILES = (5, 25, 50, 75, 95)
"""The glyph: a thin line from P5 to P95, a thick bar from P25 to P75, a dot at the median."""


def interval_rows(values) -> np.ndarray:
    """P5, P25, P50, P75, P95 of the finite values of each row.

    Parameters
    ----------
    values : array_like, shape (rows, samples)
        One row per scenario or per paired difference; NaN dropped.

    Returns
    -------
    numpy.ndarray, shape (rows, 5)
        The percentiles in :data:`PERCENTILES` order; NaN for a row with no finite value.
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    out = np.full((values.shape[0], len(PERCENTILES)), np.nan)
    for i, row in enumerate(values):
        row = row[np.isfinite(row)]
        if row.size:
            out[i] = np.percentile(row, PERCENTILES)
    return out


def _glyphs(ax, stats, colours, unit, name):
    y = np.arange(len(stats))[::-1]
    for yi, row, colour in zip(y, stats, colours, strict=True):
        if np.isnan(row[2]):
            continue
        ax.hlines(yi, row[0], row[4], color=colour, linewidth=2.0)
        ax.hlines(yi, row[1], row[3], color=colour, linewidth=9.0, alpha=0.55)
        ax.plot(row[2], yi, "o", ms=8, markerfacecolor="white", markeredgecolor=colour, mew=2)
        label_above(ax, human(row[2], unit, name=name), row[2], yi, points=9.0, color="#1d1d1d")
    ax.set_ylim(-0.7, len(stats) - 0.3)
    return y


def comparison_plot(ds, kpi: str, colours: dict[str, str] | None = None):
    """Interval chart of one KPI per scenario, with the paired difference as its own panel.

    Parameters
    ----------
    ds : xarray.Dataset
        A comparison (:func:`simulate.decisions.compare.compare`), dims
        (``scenario``, ``sample``); the first scenario is the baseline A.
    kpi : str
        A per-sample variable of the comparison.
    colours : dict of str to str, optional
        Colour per scenario; default :func:`results.plot_style.scenario_colours`.

    Returns
    -------
    matplotlib.axes.Axes
        The upper axes (one row per scenario: P5-P95 line, P25-P75 bar, median dot
        and its value). The lower axes of the same figure holds one row per other
        scenario B: the per-sample difference B - A on the same glyph, zero marked,
        and P(B better) beside it.

    Raises
    ------
    ValueError
        If the dataset is not a comparison or lacks the KPI.
    """
    from matplotlib.figure import Figure

    from simulate.model.columns import better_direction

    if "scenario" not in ds.dims or "sample" not in ds.dims:
        raise ValueError("a comparison plot needs a tco compare result (dims scenario, sample)")
    if kpi not in ds:
        raise ValueError(f"the comparison has no per-sample variable {kpi!r}")
    labels = [str(s) for s in ds["scenario"].values]
    colours = {**scenario_colours(labels), **(colours or {})}
    values = np.asarray(ds[kpi].transpose("scenario", "sample").values, dtype=float)
    unit = str(ds[kpi].attrs.get("units", "") or "")
    long_name = str(ds[kpi].attrs.get("long_name", kpi))
    others = labels[1:]
    figure = Figure(
        figsize=(8.0, 1.9 + 0.62 * len(labels) + 0.62 * len(others)), layout="constrained"
    )
    top, bottom = figure.subplots(
        2, 1, height_ratios=[len(labels) + 0.6, max(len(others), 1) + 0.6]
    )
    y = _glyphs(top, interval_rows(values), [colours[n] for n in labels], unit, kpi)
    top.set_yticks(y, labels)
    top.set_xlabel(axis_label(f"{kpi} ({long_name})", unit, kpi))
    human_axis(top, "x", unit, kpi)
    top.set_title(
        f"{kpi} per scenario: median (dot), P25-P75 (bar), P5-P95 (line)\n"
        f"{values.shape[1]:,} paired samples each",
        fontsize=10,
    )
    top.margins(x=0.08)
    direction = better_direction(kpi)
    if not others:
        bottom.set_visible(False)
        return top
    differences = values[1:] - values[0]
    y = _glyphs(bottom, interval_rows(differences), [colours[n] for n in others], unit, kpi)
    bottom.axvline(0.0, color="black", linewidth=0.9)
    words = []
    for row in differences:
        ok = np.isfinite(row)
        wins = row[ok] > 0 if direction == "higher" else row[ok] < 0
        share = float(np.mean(wins)) if ok.any() else np.nan
        if direction == "higher":
            event = "better"
        else:
            event = "cheaper" if direction == "lower" and unit.startswith("USD") else "lower"
        text = f"P(B {event}) = {human_percent(share)}"
        ties = float(np.mean(row[ok] == 0)) if ok.any() else 0.0
        if ties >= 0.005:
            text += f", ties {human_percent(ties)}"
        words.append(text)
    bottom.set_yticks(y, [f"B = {b}\n{w}" for b, w in zip(others, words, strict=True)])
    bottom.set_xlabel(axis_label(f"paired difference B - A, A = {labels[0]}", unit, kpi))
    human_axis(bottom, "x", unit, kpi)
    bottom.set_title(
        "Paired difference, sample by sample (the same sampled world in A and B)", fontsize=10
    )
    bottom.margins(x=0.08)
    for axes in (top, bottom):
        axes.tick_params(labelsize=FONT_SMALL + 0.5)
        axes.grid(axis="x", color="0.9")
        axes.set_axisbelow(True)
    return top
