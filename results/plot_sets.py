"""Which plots a result file supports, drawing one by name, and the standard set per result.

A result file is one of the datasets the ``tco`` commands write;
:func:`results.kinds.result_kind` tells them apart by their contents, not by file name:

========  =====================================================  =========================
kind      written by                                             plots
========  =====================================================  =========================
run       ``tco run`` (dim ``sample``)                           distribution, breakdown,
                                                                 scatter
compare   ``tco compare`` (dims ``scenario``, ``sample``)        comparison, breakdown,
                                                                 distribution
sobol     ``tco sobol`` (dims ``kpi``, ``param``; ``ST``)        sobol, convergence
tornado   ``tco tornado`` (dims ``kpi``, ``param``, ``end``)     tornado
breakeven ``tco breakeven`` (dim ``value``, or a map)            breakeven
optimize  ``tco optimize`` (dim ``plan``)                        optimize
pareto    ``tco pareto`` (dim ``plan``)                          pareto
evpi      ``tco evpi`` (dim ``factor``)                          evpi
sweep     ``tco sweep`` (dims ``value``, ``kpi``)                 sweep
========  =====================================================  =========================

Plotting stays in :mod:`results.plots`; this module only chooses and labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from results.figures import FIGURE_FORMATS, save_figure
from results.kinds import result_kind
from results.provenance import result_label

__all__ = [
    "DEFAULT_KPI",
    "PLOT_KINDS",
    "default_plots",
    "draw",
    "kpis_of",
    "plot_file_name",
    "result_kind",
    "write_plots",
]

DEFAULT_KPI = "token_cost_per_1k"

# Plot kind -> (result kinds it accepts, one-line description for --help).
PLOT_KINDS = {
    "distribution": (("run", "compare"), "histogram and CDF of a KPI, P5/P50/P95 labelled"),
    "comparison": (
        ("compare",),
        "each scenario's interval of a KPI, medians labelled, paired difference below",
    ),
    "breakdown": (
        ("run", "compare"),
        "mean lifecycle cost by component, a bar per run (runs need tco run --store all)",
    ),
    "scatter": (("run",), "a KPI against its most influential sampled input"),
    "sobol": (("sobol",), "S1 and ST with confidence bars, levers and factors told apart"),
    "convergence": (("sobol",), "widest CI half-width and ST against N (needs --target-ci)"),
    "tornado": (("tornado",), "KPI at each end of every input, one input moved at a time"),
    "breakeven": (
        ("breakeven",),
        "paired difference B - A along the swept input, break-even marked (a map for two)",
    ),
    "optimize": (("optimize",), "best plan of each choice combination with its interval"),
    "pareto": (("pareto",), "lever plans in two objectives, the frontier and the base plan"),
    "evpi": (("evpi",), "value of learning each factor first, and the EVPI"),
    "sweep": (("sweep",), "a KPI's median and 90% band along one input, the best marked"),
}
DECISION_PLOTS = ("breakeven", "optimize", "pareto", "evpi", "sweep")
"""Plots of decision results: one each, named after the result kind."""


def _label(ds) -> str:
    return result_label(ds.attrs, "result")


def _split_compare(ds):
    """A compare dataset as one dataset per scenario, with their labels."""
    names = [str(s) for s in ds["scenario"].values]
    return [ds.sel(scenario=s) for s in ds["scenario"].values], names


def _runs_and_labels(datasets, kinds):
    """One dataset and label per run: a comparison split into its scenarios."""
    runs, labels = [], []
    for item, kind in zip(datasets, kinds, strict=True):
        parts, names = _split_compare(item) if kind == "compare" else ([item], [_label(item)])
        runs += parts
        labels += names
    return runs, labels


def kpis_of(ds) -> list[str]:
    """KPIs a result holds, in its own order.

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset.

    Returns
    -------
    list of str
        The ``kpi`` coordinate of a Sobol or tornado result; for runs and
        comparisons, the KPIs of :data:`simulate.model.columns.KPI_NAMES` that are stored.
    """
    if "kpi" in ds.dims:
        return [str(k) for k in ds["kpi"].values]
    from simulate.model.columns import KPI_NAMES

    return [name for name in KPI_NAMES if name in ds]


def draw(
    plot: str,
    datasets: Sequence,
    kpi: str = DEFAULT_KPI,
    top: int | None = None,
    sobol=None,
    colours: dict[str, str] | None = None,
):
    """Draw one plot of one or more results on a new figure.

    Parameters
    ----------
    plot : str
        A key of :data:`PLOT_KINDS`.
    datasets : sequence of xarray.Dataset
        The results; several only for ``distribution`` (overlaid) and ``breakdown``
        (a bar each).
    kpi : str
        The KPI (per-sample variable for ``distribution``; ignored by ``breakdown``
        and ``convergence``, which draw their own quantities).
    top : int, optional
        Draw only the ``top`` inputs (``sobol``, ``tornado``; ``convergence``: the
        number of ST curves, default 5).
    sobol : xarray.Dataset, optional
        For ``scatter``: take the input of largest ST from this Sobol result.
    colours : dict of str to str, optional
        Colour per scenario label (``distribution``, ``comparison``), so one report
        draws a scenario alike in every figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` to save).

    Raises
    ------
    ValueError
        Unknown plot, a result of the wrong kind for it, several results for a
        single-result plot, or what the plot function itself rejects.
    """
    from results import plots

    if plot not in PLOT_KINDS:
        raise ValueError(f"plot kind {plot!r} is unknown; choose one of {', '.join(PLOT_KINDS)}")
    accepted = PLOT_KINDS[plot][0]
    kinds = [result_kind(ds) for ds in datasets]
    for kind in kinds:
        if kind not in accepted:
            raise ValueError(
                f"a {plot} plot needs a {' or '.join(accepted)} result, not a {kind} result"
            )
    if not datasets:
        raise ValueError("no result to plot")
    if plot not in ("distribution", "breakdown") and len(datasets) > 1:
        raise ValueError(f"a {plot} plot draws one result; {len(datasets)} were given")
    ds = datasets[0]
    if plot == "distribution":
        runs, labels = _runs_and_labels(datasets, kinds)
        return plots.distribution_plot(runs, kpi, labels=labels, colours=colours)
    if plot == "comparison":
        from results.comparison_plots import comparison_plot

        return comparison_plot(ds, kpi, colours=colours)
    if plot == "breakdown":
        if len(datasets) == 1:
            return plots.cost_breakdown(ds)
        runs, labels = _runs_and_labels(datasets, kinds)
        return plots.cost_breakdown(runs, labels=labels)
    if plot == "scatter":
        return plots.scatter_top_factor(ds, kpi, sobol=sobol)
    if plot == "sobol":
        return plots.sobol_bars(ds, kpi, top=top)
    if plot == "convergence":
        return plots.convergence_plot(ds, kpi=kpi, top=top or 5)
    if plot == "breakeven":
        return plots.breakeven_map_plot(ds) if "value2" in ds.dims else plots.breakeven_curve(ds)
    if plot == "optimize":
        return plots.optimize_plans_plot(ds)
    if plot == "pareto":
        return plots.pareto_plot(ds)
    if plot == "evpi":
        return plots.evpi_bars(ds, top=top or 12)
    if plot == "sweep":
        return plots.sweep_plot(ds, kpi=kpi if kpi in ds["kpi"].values else None)
    return plots.tornado_chart(ds, kpi, top=top)


def _has_breakdown(ds) -> bool:
    from results.plots import BREAKDOWN_MONTHLY, BREAKDOWN_OTHER

    return all(name in ds for name in (*BREAKDOWN_OTHER, *(n for n, _ in BREAKDOWN_MONTHLY)))


def default_plots(ds, kpis: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """The standard plots of a result: ``(plot kind, kpi)`` pairs.

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset.
    kpis : sequence of str, optional
        KPIs to draw; default every KPI the result holds (:func:`kpis_of`).

    Returns
    -------
    list of (str, str)
        Runs: a distribution per KPI, the scatter of the first KPI against its top
        input, the cost breakdown when every component was stored. Comparisons: an
        interval chart with the paired difference per KPI, and the breakdown per
        scenario. Sobol: bars per KPI, convergence when the run had a CI target.
        Tornado: a chart per KPI. Decision results: their one plot.
    """
    kind = result_kind(ds)
    if kind in DECISION_PLOTS:
        return [(kind, "")]
    kpis = list(kpis) if kpis else kpis_of(ds)
    if kind == "run":
        pairs = [("distribution", k) for k in kpis]
        if kpis:
            pairs.append(("scatter", kpis[0]))
        if _has_breakdown(ds):
            pairs.append(("breakdown", ""))
        return pairs
    if kind == "compare":
        pairs = [("comparison", k) for k in kpis if k != "tco_index"]
        if _has_breakdown(ds):
            pairs.append(("breakdown", ""))
        return pairs
    if kind == "sobol":
        pairs = [("sobol", k) for k in kpis]
        if "history_n" in ds:
            pairs.append(("convergence", kpis[0] if kpis else ""))
        return pairs
    return [("tornado", k) for k in kpis]


def plot_file_name(plot: str, kpi: str, fmt: str = "png") -> str:
    """File name of a standard plot: ``<plot>-<kpi>.<fmt>`` (or ``<plot>.<fmt>``)."""
    return f"{plot}-{kpi}.{fmt}" if kpi and plot != "breakdown" else f"{plot}.{fmt}"


def write_plots(ds, folder, kpis: Sequence[str] | None = None, fmt: str = "png") -> list[Path]:
    """Write the standard plots of a result into a folder (created if missing).

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset.
    folder : str or os.PathLike
        Target folder.
    kpis : sequence of str, optional
        KPIs to draw (default: all the result holds).
    fmt : {"png", "svg", "pdf"}
        File format.

    Returns
    -------
    list of pathlib.Path
        The files written, each atomically (temp file, then rename).

    Raises
    ------
    ValueError
        Unsupported format, or a folder path that is an existing file.
    """
    if f".{fmt}" not in FIGURE_FORMATS:
        raise ValueError(f"plot format {fmt!r}: use one of png, svg, pdf")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--plots {folder}: a file of that name exists; give a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for plot, kpi in default_plots(ds, kpis):
        ax = draw(plot, [ds], kpi=kpi or DEFAULT_KPI)
        written.append(save_figure(ax.figure, folder / plot_file_name(plot, kpi, fmt)))
    return written
