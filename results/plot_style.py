"""The look of every plot: a colour-blind-safe palette, human tick labels, readable text.

Kept apart from :mod:`results.plots` so every figure takes its colours and number
formats from one place, and a report can give a scenario the same colour in all
of its figures (:func:`scenario_colours`).
"""

from __future__ import annotations

from collections.abc import Iterable

from results.human import human, is_percent, tick_labels

__all__ = [
    "FONT_SMALL",
    "PALETTE",
    "axis_label",
    "human_axis",
    "label_above",
    "scenario_colours",
]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe and Ito's colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008):
blue, orange, bluish green, reddish purple, sky blue, vermillion, yellow, black."""

LEVER_COLOURS = ("#0072B2", "#E69F00")
"""Dark pair (ST, S1) for levers in Sobol bars."""
FACTOR_COLOURS = ("#88BDE0", "#F5CF80")
"""Light pair (ST, S1) for uncertain factors in Sobol bars."""

FONT_SMALL = 8.5
"""Smallest text size (points) on a figure: readable at 100% zoom at the report's 96 dpi."""


def scenario_colours(names: Iterable[str]) -> dict[str, str]:
    """One colour per scenario, in order, so a scenario looks the same in every figure.

    Parameters
    ----------
    names : iterable of str
        Scenario labels in the order they first appear (duplicates kept once).

    Returns
    -------
    dict of str to str
        Label to hex colour, cycling :data:`PALETTE` past eight scenarios.
    """
    unique = list(dict.fromkeys(str(n) for n in names))
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(unique)}


def _formatter(unit: str, name: str | None, log: bool):
    from matplotlib.ticker import Formatter

    class HumanFormatter(Formatter):
        """Tick labels from :func:`results.human.tick_labels`; no offset or exponent text."""

        def __call__(self, x, pos=None):
            return human(x, unit, name=name, digits=4)

        def format_ticks(self, values):
            return tick_labels(values, unit, name=name, log=log)

        def get_offset(self):
            return ""

    return HumanFormatter()


def human_axis(ax, which: str, unit: str = "", name: str | None = None) -> None:
    """Label an axis's ticks in human units ($20M, 1.9T, 25%), never ``1e8``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    which : {"x", "y"}
        The axis.
    unit : str
        Unit of the axis values.
    name : str, optional
        Quantity name (shares become %).
    """
    from matplotlib.ticker import MaxNLocator, NullFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    log = axis.get_scale() == "log"
    if not log and which == "x":
        # Human labels ($0.00125) are longer than matplotlib's; fewer ticks keep them apart.
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(_formatter(unit, name, log))
    if log:
        # Minor log ticks would be labelled 2x10^6-style; the decades suffice.
        axis.set_minor_formatter(NullFormatter())


def axis_label(text: str, unit: str = "", name: str | None = None) -> str:
    """An axis title with its unit in brackets: ``[USD]``, ``[%]`` for shares, ``[1]`` else.

    Parameters
    ----------
    text : str
        What the axis shows.
    unit : str
        Unit of the values.
    name : str, optional
        Quantity name (shares are drawn as %).

    Returns
    -------
    str
        ``"<text> [<unit>]"``.
    """
    if is_percent(name, unit or "1"):
        return f"{text} [%]"
    return f"{text} [{unit or '1'}]"


def label_above(ax, text: str, x: float, y: float, points: float = 3.0, **style) -> None:
    """Write a value just above a point of the axes (a bar's top, a median's dot), bold.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    text : str
        The label, already in human units.
    x, y : float
        The point, in data coordinates.
    points : float
        Gap above the point, in typographic points.
    **style
        Further text properties (e.g. ``color``).
    """
    ax.annotate(
        text,
        (x, y),
        xytext=(0, points),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=FONT_SMALL + 0.5,
        fontweight="bold",
        **style,
    )
