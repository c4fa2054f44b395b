"""Plots of results (matplotlib, headless). Each takes ``ax=None`` and returns ``ax``."""

from __future__ import annotations

import numpy as np

from results.provenance import result_label


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
        Output of :func:`simulate.sensitivity.sobol.sobol`.
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
    from results.plot_style import FACTOR_COLOURS, FONT_SMALL, LEVER_COLOURS
    from results.rankings import sobol_ranking

    rows = sobol_ranking(ds, kpi)[:top] if top else sobol_ranking(ds, kpi)
    ax = _axes(ax, (7.5, 0.45 * len(rows) + 1.5))
    y = np.arange(len(rows))[::-1]
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
        color=np.where(lever, LEVER_COLOURS[0], FACTOR_COLOURS[0]),
        label="ST (total order)",
        capsize=2,
    )
    ax.barh(
        y - height / 2,
        s1,
        height,
        xerr=s1c,
        color=np.where(lever, LEVER_COLOURS[1], FACTOR_COLOURS[1]),
        label="S1 (first order)",
        capsize=2,
    )
    # A group (--group, or a platform's workload) is labelled as one, not as a factor.
    ax.set_yticks(y, [f"{r[0]}  [{r[1]}]" for r in rows])
    unit = ds.kpi_units.sel(kpi=kpi).item()
    ax.set_xlabel("Sobol index (share of the variance of the KPI, 1)")
    ax.set_title(f"Sobol indices of {kpi} [{unit}]\nN = {ds.attrs['N']:,}, seed {ds.attrs['seed']}")
    ax.axvline(0.0, color="black", linewidth=0.6)
    ax.legend(loc="lower right", title="dark: lever, light: factor or group", fontsize=FONT_SMALL)
    return ax


def _units(da) -> str:
    return str(da.attrs.get("units", "") or "")


def _with_units(text: str, units: str) -> str:
    # "1" marks a dimensionless quantity in the schema.
    return f"{text} [{units or '1'}]"


def _setting_label(setting, value, unit: str, name: str) -> str:
    """An input setting for a label, in human units ($80M, 25%); category names as they are."""
    from results.human import human_setting

    try:
        numeric = not np.isnan(float(value))
    except (TypeError, ValueError):
        numeric = False
    return human_setting(value, unit, name, digits=3) if numeric else str(setting)


def tornado_chart(ds, kpi: str, ax=None, top: int | None = None):
    """Tornado chart: the KPI at each end of every input, one input moved at a time.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.sensitivity.tornado.tornado` (dims ``kpi``, ``param``, ``end``).
    kpi : str
        The KPI to draw; its units (``kpi_units``) label the x axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes by default.
    top : int, optional
        Draw only the ``top`` inputs by absolute swing.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: two bars per input (low end, high end) from the base
        value, the largest absolute swing on top, the end settings annotated.

    Raises
    ------
    ValueError
        If ``kpi`` is not in the dataset.
    """
    from results.human import human
    from results.plot_style import FONT_SMALL, PALETTE, human_axis
    from results.rankings import tornado_ranking

    params = tornado_ranking(ds, kpi)
    if top:
        params = params[:top]
    sub = ds.sel(kpi=kpi)
    units = str(sub["kpi_units"].item())
    base = float(sub["base_value"])
    ax = _axes(ax, (8.5, 0.42 * len(params) + 1.8))
    y = np.arange(len(params))[::-1]
    colours = {"low": PALETTE[0], "high": PALETTE[1]}
    param_units = (
        dict(zip(ds["param"].values.astype(str), ds["param_units"].values.astype(str), strict=True))
        if "param_units" in ds.coords
        else {}
    )
    span = np.nanmax(np.abs(sub["value"].sel(param=params).values - base)) if params else 0.0
    pad = 0.01 * span if span > 0 else 0.0
    ends = sub["value"].sel(param=params).transpose("param", "end")
    low_shift = np.nan_to_num(ends.sel(end="low").values.astype(float) - base)
    high_shift = np.nan_to_num(ends.sel(end="high").values.astype(float) - base)
    # Both ends on the same side of base (a non-monotone input): split the row into two
    # thin bars, so neither bar nor its label hides the other's.
    same_side = low_shift * high_shift > 0
    for end, offset in (("low", 0.15), ("high", -0.15)):
        values = sub["value"].sel(param=params, end=end).values.astype(float)
        widths = np.where(np.isnan(values), 0.0, values - base)
        rows = np.where(same_side, y + offset, y)
        ax.barh(
            rows,
            widths,
            np.where(same_side, 0.3, 0.6),
            left=base,
            color=colours[end],
            label=f"{end} end of the input",
        )
        settings = sub["setting"].sel(param=params, end=end).values
        numbers = (
            sub["setting_value"].sel(param=params, end=end).values
            if "setting_value" in sub
            else np.full(len(params), np.nan)
        )
        reasons = sub["infeasible"].sel(param=params, end=end).values
        for yi, value, width, setting, number, param, reason in zip(
            rows, values, widths, settings, numbers, params, reasons, strict=True
        ):
            setting = _setting_label(setting, number, param_units.get(param, ""), param)
            text = f"{setting} (infeasible)" if reason or np.isnan(value) else setting
            right = width > 0 or (width == 0 and end == "high")
            ax.annotate(
                text,
                (base + width + (pad if right else -pad), yi),
                ha="left" if right else "right",
                va="center",
                fontsize=FONT_SMALL,
                color="#333333",
            )
    ax.axvline(base, color="black", linewidth=0.8, label=f"base value {human(base, units)}")
    kinds = dict(zip(ds["param"].values.astype(str), ds["kind"].values.astype(str), strict=True))
    ax.set_yticks(y, [f"{p}  [{kinds[p]}]" for p in params])
    ax.margins(x=0.25)
    long_name = str(sub["kpi_long_name"].item()) if "kpi_long_name" in sub.coords else kpi
    ax.set_xlabel(_with_units(f"{kpi} ({long_name})", units))
    human_axis(ax, "x", units)
    ax.set_title(f"Tornado of {kpi}: {ds.attrs.get('scenario', '')}".rstrip(": "), fontsize=10)
    ax.legend(loc="lower right", fontsize=FONT_SMALL)
    return ax


def distribution_plot(
    datasets,
    variable: str,
    ax=None,
    labels=None,
    bins: int = 80,
    upper_percentile=99.5,
    colours: dict[str, str] | None = None,
):
    """Histogram and empirical CDF of one output across run datasets, percentiles labelled.

    Parameters
    ----------
    datasets : xarray.Dataset or sequence of xarray.Dataset
        Run datasets (:func:`simulate.engine.montecarlo.run`), overlaid in one plot.
    variable : str
        The per-sample variable to draw; its ``units`` attr labels the x axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw the histogram; the CDFs go on a twin y axis. A new
        figure's axes by default.
    labels : sequence of str, optional
        Legend label per dataset; default each dataset's ``scenario_name`` attr.
    bins : int
        Histogram bins, shared by all datasets (one common range).
    upper_percentile : float or None
        The x axis ends at the largest of the datasets' values at this percentile, so
        a long right tail (cost distributions have them) does not squeeze the bulk
        into a few bins; the shares stay shares of all samples, and the title says
        how much is cut. None draws the whole range.
    colours : dict of str to str, optional
        Colour per label (:func:`results.plot_style.scenario_colours`), so a report
        draws a scenario alike in every figure; default the palette in order.

    Returns
    -------
    matplotlib.axes.Axes
        The histogram axes: y is the share of all samples in each bin (%, bars of
        equal width, so heights are proportional to the density); the CDF axes
        (cumulative share, %) is its twin. P5, P50 and P95 of each dataset are
        dashed, solid and dotted vertical lines, their values written on the axis
        (one run) or beside the median line (several): the legend names only the runs.

    Raises
    ------
    ValueError
        If a dataset lacks the variable, the labels do not match the datasets,
        or a dataset has no finite value.
    """
    from results.human import human
    from results.plot_style import FONT_SMALL, axis_label, human_axis, scenario_colours

    if hasattr(datasets, "data_vars"):
        datasets = [datasets]
    datasets = list(datasets)
    if labels is None:
        labels = [result_label(d.attrs, f"run {i + 1}") for i, d in enumerate(datasets)]
    if len(labels) != len(datasets):
        raise ValueError(f"{len(labels)} labels for {len(datasets)} datasets")
    samples = []
    for label, d in zip(labels, datasets, strict=True):
        if variable not in d:
            raise ValueError(f"dataset {label!r} has no variable {variable!r}")
        x = np.asarray(d[variable].values, dtype=float).ravel()
        x = x[np.isfinite(x)]
        if x.size == 0:
            raise ValueError(f"dataset {label!r}: {variable!r} has no finite value")
        samples.append(x)
    units = _units(datasets[0][variable])
    long_name = str(datasets[0][variable].attrs.get("long_name", variable))
    colours = {**scenario_colours(labels), **(colours or {})}
    ax = _axes(ax)
    cdf_ax = ax.twinx()
    lo = min(float(x.min()) for x in samples)
    hi = max(float(x.max()) for x in samples)
    if upper_percentile is not None:
        if not 0 < upper_percentile <= 100:
            raise ValueError(f"upper_percentile = {upper_percentile}: must lie in (0, 100]")
        hi = max(float(np.percentile(x, upper_percentile)) for x in samples)
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    beyond = max(float(np.mean(x > edges[-1])) for x in samples)
    styles = {5: "--", 50: "-", 95: ":"}
    marks = []  # (value, text, colour) written on the top axis
    for i, (label, x) in enumerate(zip(labels, samples, strict=True)):
        colour = colours[label]
        shown = x[x <= edges[-1]]
        # Weights: each bar is its share of *all* samples, cut tail included.
        ax.hist(
            shown,
            bins=edges,
            weights=np.full(shown.size, 1.0 / x.size),
            color=colour,
            alpha=0.35,
            label=label,
        )
        xs = np.sort(x)
        cdf_ax.plot(xs, np.arange(1, xs.size + 1) / xs.size, color=colour, linewidth=1.2)
        for q, value in zip(styles, np.percentile(x, list(styles)), strict=True):
            ax.axvline(value, color=colour, linestyle=styles[q], linewidth=1.0)
            if len(samples) == 1 or q == 50:
                marks.append((value, q, colour, i))
    if len(samples) == 1:
        top = ax.secondary_xaxis("top")
        top.set_xticks([m[0] for m in marks], [f"P{m[1]}\n{human(m[0], units)}" for m in marks])
        top.tick_params(labelsize=FONT_SMALL)
    else:
        # Several runs: each median written beside its line, staggered so none hides another.
        for value, q, colour, i in marks:
            ax.annotate(
                f" P{q} {human(value, units)}",
                (value, 0.97 - 0.07 * i),
                xycoords=("data", "axes fraction"),
                ha="left",
                va="top",
                fontsize=FONT_SMALL,
                color=colour,
                fontweight="bold",
            )
    ax.set_xlabel(axis_label(f"{variable} ({long_name})", units))
    human_axis(ax, "x", units)
    width = edges[1] - edges[0]
    ax.set_ylabel(f"share of samples per {human(width, units, digits=2)} bin [%]")
    human_axis(ax, "y", "1", name="sample_share")
    cdf_ax.set_ylabel("cumulative share of samples [%]")
    cdf_ax.set_ylim(0.0, 1.0)
    human_axis(cdf_ax, "y", "1", name="sample_share")
    ax.set_xlim(edges[0], edges[-1])
    title = f"Distribution of {variable}"
    if beyond > 0:
        title += f"\n(x axis to P{upper_percentile:g}; up to {beyond:.1%} of samples lie beyond)"
    ax.set_title(title, fontsize=10)
    from matplotlib.lines import Line2D

    handles, names = ax.get_legend_handles_labels()
    keys = [Line2D([], [], color="0.3", linestyle=style) for style in styles.values()]
    ax.legend(
        [*handles, *keys],
        [*names, "P5", "P50 (median)", "P95"],
        loc="center right",
        fontsize=FONT_SMALL,
    )
    return ax


BREAKDOWN_MONTHLY = (
    ("amortization_monthly", "inference: amortisation"),
    ("energy_cost_monthly", "inference: energy"),
    ("facility_cost_monthly", "inference: facility"),
    ("cloud_rent_monthly", "inference: cloud rent"),
    ("overhead_monthly", "inference: overhead"),
    ("sla_penalty_monthly", "inference: SLA credits"),
    ("api_charges_monthly", "inference: managed API charges"),
)
"""Monthly cost variables of a ``store="all"`` run, and their labels."""

BREAKDOWN_OTHER = ("releases_in_horizon", "training_cost", "finetune_cost", "pue_capex")
"""One-off parts; ``finetunes_in_horizon`` is used when stored (older runs: one per release)."""


def _finetunes(v, ds):
    """Fine-tuning runs per sample: their own cadence, or one per release in older runs."""
    if "finetunes_in_horizon" in ds:
        return np.asarray(ds["finetunes_in_horizon"].values, dtype=float)
    return v["releases_in_horizon"]


def _horizon_months(ds, horizon_years):
    """Months of the horizon per sample (array) or as a scalar."""
    if horizon_years is not None:
        if not horizon_years > 0:
            raise ValueError(f"horizon_years = {horizon_years}: must be positive")
        return 12.0 * float(horizon_years)
    if "horizon_years" in ds:
        return 12.0 * np.asarray(ds["horizon_years"].values, dtype=float)
    if "horizon_years" in ds.attrs:
        return 12.0 * float(ds.attrs["horizon_years"])
    # Not sampled: recover it from the kernel's identity
    # lifecycle_total = releases * (training + finetune) + months * inference_monthly + pue_capex.
    needed = ("lifecycle_total", "inference_cost_monthly")
    if all(name in ds for name in needed):
        v = {n: np.asarray(ds[n].values, dtype=float) for n in (*needed, *BREAKDOWN_OTHER)}
        one_off = (
            v["releases_in_horizon"] * v["training_cost"] + _finetunes(v, ds) * v["finetune_cost"]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            months = (v["lifecycle_total"] - one_off - v["pue_capex"]) / v["inference_cost_monthly"]
        months = months[np.isfinite(months) & (v["inference_cost_monthly"] > 0)]
        if months.size:
            return float(np.median(months))
    raise ValueError(
        "cannot find the horizon: the dataset has no sampled horizon_years and no "
        "lifecycle_total/inference_cost_monthly to derive it from; pass horizon_years=..."
    )


def breakdown_means(ds, horizon_years: float | None = None) -> tuple[list[tuple[str, float]], int]:
    """Mean lifecycle cost per component over the feasible samples of one run.

    Parameters
    ----------
    ds : xarray.Dataset
        A run stored with every output (``tco run --store all``), or one scenario
        of a comparison.
    horizon_years : float, optional
        Horizon in years; default the sampled ``horizon_years`` or the one implied by
        the lifecycle identity.

    Returns
    -------
    list of (str, float)
        Component label and its mean over feasible samples, in USD; the means add
        up to the mean ``lifecycle_total`` of those samples.
    int
        Feasible samples used.

    Raises
    ------
    ValueError
        If breakdown variables are missing (the message names them), the horizon
        cannot be found, or no sample is feasible.
    """
    names = [name for name, _ in BREAKDOWN_MONTHLY]
    missing = [n for n in (*BREAKDOWN_OTHER, *names) if n not in ds]
    if missing:
        raise ValueError(
            f"the dataset lacks the cost breakdown variables {', '.join(missing)}: "
            "rerun with `tco run --store all` (engine.run(..., store='all'))"
        )
    months = _horizon_months(ds, horizon_years)
    v = {n: np.asarray(ds[n].values, dtype=float) for n in (*BREAKDOWN_OTHER, *names)}
    parts = [
        ("training", v["releases_in_horizon"] * v["training_cost"]),
        ("fine-tuning", _finetunes(v, ds) * v["finetune_cost"]),
        *((label, v[name] * months) for name, label in BREAKDOWN_MONTHLY),
        ("PUE CAPEX", v["pue_capex"]),
    ]
    if "lifecycle_total" in ds:
        # The plan over time (growth, purchases in steps, price declines) moves the total
        # away from the steady month times the horizon: shown as a part of its own so the
        # parts still add up to the lifecycle total.
        total = np.asarray(ds["lifecycle_total"].values, dtype=float)
        plan = total - sum(np.broadcast_to(p, total.shape) for _, p in parts)
        ok = np.isfinite(plan)
        # Beyond float32 rounding of the stored parts (~1e-7 each).
        if ok.any() and np.abs(plan[ok]).mean() > 1e-5 * np.abs(total[ok]).mean():
            parts.append(("plan over time: growth, steps, price changes", plan))
    stacked = np.vstack([np.broadcast_to(p, v["training_cost"].shape) for _, p in parts])
    feasible = np.isfinite(stacked).all(axis=0)
    if not feasible.any():
        raise ValueError("no feasible sample: every sample has a NaN cost component")
    means = stacked[:, feasible].mean(axis=1)
    return [(label, float(m)) for (label, _), m in zip(parts, means, strict=True)], int(
        feasible.sum()
    )


BREAKDOWN_COLOURS = (
    "#0072B2", "#56B4E9", "#E69F00", "#F0E442", "#009E73",
    "#CC79A7", "#D55E00", "#999999", "#000000", "#7A5195", "#8C564B",
)  # fmt: skip
"""One colour per cost component (Okabe-Ito order, then grey, black, a purple and a brown)."""


def cost_breakdown(ds, ax=None, horizon_years: float | None = None, labels=None):
    """Stacked bars of the mean lifecycle cost by component: one bar per run or scenario.

    Components: training (releases x training cost per release), fine-tuning
    (releases x fine-tuning cost per release), the inference cost lines (monthly
    mean x 12 x horizon in years) and the one-off PUE CAPEX. Means are over
    feasible samples (NaN dropped); they add up to the mean ``lifecycle_total``.
    Components that are zero in every bar are left out of the legend.

    Parameters
    ----------
    ds : xarray.Dataset or sequence of xarray.Dataset
        Run datasets stored with ``store="all"`` (``tco run --store all``), or a
        comparison (``tco compare -o``: one bar per scenario).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes by default.
    horizon_years : float, optional
        Horizon in years. Default: the sampled input ``horizon_years`` if stored,
        else derived per run from ``lifecycle_total`` and its components.
    labels : sequence of str, optional
        Bar labels; default the scenario names.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; y axis in USD ($ with k/M/B), each bar's total written on top.

    Raises
    ------
    ValueError
        If breakdown variables are missing (the message names them), or the
        horizon cannot be found.
    """
    from results.human import human
    from results.plot_style import FONT_SMALL, human_axis, label_above

    if hasattr(ds, "data_vars"):
        if "scenario" in ds.dims:
            names = [str(v) for v in ds["scenario"].values]
            runs = [ds.sel(scenario=v) for v in ds["scenario"].values]
        else:
            names, runs = [result_label(ds.attrs, "run")], [ds]
    else:
        runs = list(ds)
        names = [result_label(r.attrs, f"run {i + 1}") for i, r in enumerate(runs)]
    names = list(labels) if labels is not None else names
    if len(names) != len(runs):
        raise ValueError(f"{len(names)} labels for {len(runs)} datasets")
    bars = [breakdown_means(r, horizon_years) for r in runs]
    components = [label for label, _ in bars[0][0]]
    means = np.array([[m for _, m in parts] for parts, _ in bars])
    totals = means.sum(axis=1)
    # Room for the legend on the right whatever the number of bars.
    ax = _axes(ax, (6.5 + 1.3 * (len(runs) - 1), 5.5))
    x = np.arange(len(runs))
    bottom = np.zeros(len(runs))
    for j, (label, colour) in enumerate(zip(components, BREAKDOWN_COLOURS, strict=False)):
        if not means[:, j].any():
            continue
        share = means[:, j].sum() / totals.sum() if totals.sum() else 0.0
        text = f"{label}: {human(means[0, j], 'USD')} ({share:.0%})" if len(runs) == 1 else label
        ax.bar(x, means[:, j], 0.6, bottom=bottom, color=colour, label=text)
        bottom += means[:, j]
    for xi, total in zip(x, totals, strict=True):
        label_above(ax, human(total, "USD"), xi, total)
    feasible = [count for _, count in bars]
    ax.set_xticks(x, [f"{n}\n({c:,} feasible)" for n, c in zip(names, feasible, strict=True)])
    ax.set_xlim(-0.6, len(runs) - 0.4)
    ax.set_ylim(0, 1.08 * float(totals.max()) if totals.max() > 0 else 1.0)
    ax.set_ylabel("mean lifecycle cost [USD]")
    human_axis(ax, "y", "USD")
    ax.set_xlabel("mean over the feasible samples")
    if len(runs) == 1:
        months = _horizon_months(runs[0], horizon_years)
        years = float(np.mean(months)) / 12.0
        ax.set_title(
            f"Lifecycle cost breakdown: {names[0]}\n"
            f"total {human(totals[0], 'USD')} over {years:.3g} years",
            fontsize=10,
        )
    else:
        ax.set_title("Lifecycle cost breakdown per scenario (mean)", fontsize=10)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=FONT_SMALL, reverse=True)
    return ax


def convergence_plot(ds, ax=None, kpi: str | None = None, top: int = 5):
    """Convergence of a Sobol run with a CI target: widest half-width and ST vs N.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.sensitivity.sobol.sobol` run with ``target_ci``
        (``history_n``, ``history_widest_half_width``, ``history_ST``).
    ax : matplotlib.axes.Axes, optional
        Where to draw the half-width; ST goes on a twin y axis. A new figure's
        axes by default.
    kpi : str, optional
        KPI whose ST to draw; default the first.
    top : int
        Number of parameters (largest final ST) whose ST is drawn.

    Returns
    -------
    matplotlib.axes.Axes
        The half-width axes (x: base sample size N, log2 scale; y: index, 1).

    Raises
    ------
    ValueError
        If the dataset has no convergence history.
    """
    needed = ("history_n", "history_widest_half_width", "history_ST")
    if any(name not in ds for name in needed):
        raise ValueError(
            "this Sobol dataset has no convergence history: run `tco sobol --target-ci W` "
            "(sobol(..., target_ci=W))"
        )
    from results.human import human
    from results.rankings import sobol_ranking

    kpi = str(ds["kpi"].values[0]) if kpi is None else kpi
    n = np.asarray(ds["history_n"].values, dtype=float)
    ax = _axes(ax)
    ax.plot(
        n,
        ds["history_widest_half_width"].values,
        "o-",
        color="black",
        linewidth=1.6,
        label="widest top-index CI half-width",
    )
    target = float(ds.attrs.get("target_ci", np.nan))
    if np.isfinite(target):
        ax.axhline(
            target, color="black", linestyle=":", linewidth=1.0, label=f"target {human(target)}"
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(n, [f"{int(v):,}" for v in n])
    ax.set_xlabel("base sample size N [samples] (log2 scale)")
    ax.set_ylabel("widest CI half-width of the top indices [1]")
    st_ax = ax.twinx()
    rows = sobol_ranking(ds, kpi)[:top]
    history = ds["history_ST"].sel(kpi=kpi)
    from results.plot_style import PALETTE

    for i, (param, kind, *_) in enumerate(rows):
        st_ax.plot(
            n,
            history.sel(param=param).values,
            "s--",
            linewidth=1.0,
            color=PALETTE[(i + 1) % len(PALETTE)],  # black (index 7) is the half-width's
            label=f"ST {param} [{kind}]",
        )
    st_ax.set_ylabel(f"total-order index ST of {kpi} [1]")
    handles = [*ax.get_legend_handles_labels()[0], *st_ax.get_legend_handles_labels()[0]]
    ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    ax.set_title(f"Sobol convergence ({kpi}), final N = {int(n[-1]):,}")
    return ax


def _ranks(x):
    return np.argsort(np.argsort(x, kind="stable"), kind="stable").astype(float)


def top_factor(ds, kpi: str) -> str:
    """The sampled input with the largest absolute Spearman correlation with a KPI.

    Parameters
    ----------
    ds : xarray.Dataset
        A run dataset (sampled inputs listed in the ``sampled_inputs`` attr).
    kpi : str
        The KPI.

    Returns
    -------
    str
        Key path of the sampled input (categorical inputs skipped).

    Raises
    ------
    ValueError
        If the dataset has no numeric sampled input.
    """
    best, best_rho = None, -1.0
    y = np.asarray(ds[kpi].values, dtype=float)
    for name in str(ds.attrs.get("sampled_inputs", "")).split():
        if name not in ds or "flag_values" in ds[name].attrs:
            continue
        x = np.asarray(ds[name].values, dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
            continue
        rho = abs(float(np.corrcoef(_ranks(x[ok]), _ranks(y[ok]))[0, 1]))
        if rho > best_rho:
            best, best_rho = name, rho
    if best is None:
        raise ValueError("the dataset has no numeric sampled input to plot against")
    return best


def scatter_top_factor(
    ds, kpi: str, sobol=None, factor: str | None = None, ax=None, max_points: int = 20000
):
    """Scatter of a KPI against its most influential sampled input.

    Parameters
    ----------
    ds : xarray.Dataset
        A run dataset (:func:`simulate.engine.montecarlo.run`).
    kpi : str
        The KPI (y axis, in its units).
    sobol : xarray.Dataset, optional
        Sobol dataset: the input of largest ST for ``kpi`` that ``ds`` sampled is used.
    factor : str, optional
        The input to use (x axis, in its units); overrides ``sobol``.
        Default: the largest absolute Spearman correlation (:func:`top_factor`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes by default.
    max_points : int
        At most this many points, taking every k-th finite sample (deterministic).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If the KPI or factor is not in ``ds``, or no Sobol parameter was sampled in ``ds``.
    """
    if kpi not in ds:
        raise ValueError(f"the run dataset has no KPI {kpi!r}")
    if factor is None and sobol is not None:
        from results.rankings import sobol_ranking

        if kpi not in sobol["kpi"].values:
            raise ValueError(f"the Sobol dataset has no KPI {kpi!r}")
        sampled = [row[0] for row in sobol_ranking(sobol, kpi) if row[0] in ds]
        if not sampled:
            raise ValueError(
                "none of the Sobol dataset's parameters is a sampled input of the run "
                "dataset: pass factor=... or omit sobol"
            )
        factor = sampled[0]
        how = "largest ST"
    elif factor is None:
        factor = top_factor(ds, kpi)
        how = "largest |Spearman rho|"
    else:
        how = "chosen"
    if factor not in ds:
        raise ValueError(f"the run dataset has no variable {factor!r}")
    if max_points < 1:
        raise ValueError(f"max_points = {max_points}: must be at least 1")
    x = np.asarray(ds[factor].values, dtype=float)
    y = np.asarray(ds[kpi].values, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    step = max(1, -(-x.size // max_points))
    x, y = x[::step], y[::step]
    ax = _axes(ax)
    from results.plot_style import PALETTE, axis_label, human_axis

    ax.scatter(x, y, s=4, alpha=0.35, color=PALETTE[0], edgecolors="none", rasterized=True)
    ax.set_xlabel(axis_label(factor, _units(ds[factor]), factor))
    ax.set_ylabel(axis_label(kpi, _units(ds[kpi]), kpi))
    human_axis(ax, "x", _units(ds[factor]), factor)
    human_axis(ax, "y", _units(ds[kpi]), kpi)
    ax.set_title(
        f"{kpi} vs {factor} ({how})\n{x.size:,} points (every {step}th of the finite samples)"
        if step > 1
        else f"{kpi} vs {factor} ({how})\n{x.size:,} points"
    )
    return ax


def breakeven_curve(ds, ax=None):
    """The paired difference B - A against the swept input, with the break-even marked.

    Parameters
    ----------
    ds : xarray.Dataset
        A break-even sweep (:func:`simulate.decisions.breakeven.breakeven`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from results.human import human
    from results.plot_style import FONT_SMALL, PALETTE, human_axis

    ax = _axes(ax)
    values = ds["value"].values
    difference = ds["difference"].values
    units = ds.attrs.get("kpi_units", "")
    over, over_units = ds.attrs.get("over", "value"), ds.attrs.get("over_units", "")
    ax.fill_between(
        values,
        ds["difference_p5"].values,
        ds["difference_p95"].values,
        color=PALETTE[0],
        alpha=0.15,
        label="P5-P95 of the paired outcomes (90% band)",
    )
    ax.fill_between(
        values,
        difference[:, 1],
        difference[:, 2],
        color=PALETTE[0],
        alpha=0.4,
        label=f"{ds.attrs.get('confidence', 0.95):.0%} interval of the median",
    )
    ax.plot(values, difference[:, 0], color=PALETTE[0], marker="o", ms=3, label="median B - A")
    ax.axhline(0.0, color="black", linewidth=0.8)
    estimate = ds.attrs.get("breakeven", float("nan"))
    if np.isfinite(estimate):
        low, high = ds.attrs.get("breakeven_low"), ds.attrs.get("breakeven_high")
        ax.axvline(
            estimate,
            color=PALETTE[5],
            linewidth=1.0,
            label=f"break-even {human(estimate, over_units, name=over, with_unit=True)}",
        )
        if np.isfinite(low) and np.isfinite(high):
            ax.axvspan(low, high, color=PALETTE[5], alpha=0.15)
    if ds.attrs.get("interpolation") == "log":
        ax.set_xscale("log")
    ax.set_xlabel(_with_units(f"swept {over}", over_units))
    ax.set_ylabel(_with_units(f"{ds.attrs.get('kpi', '')} B - A", units))
    human_axis(ax, "x", over_units, over)
    human_axis(ax, "y", units, ds.attrs.get("kpi"))
    ax.set_title(
        f"Break-even: B = {ds.attrs.get('scenario_b', 'B')} against A = "
        f"{ds.attrs.get('scenario_a', 'A')}\n(for a cost, below 0: B cheaper)",
        fontsize=10,
    )
    ax.legend(loc="best", fontsize=FONT_SMALL)
    return ax


def pareto_plot(ds, ax=None):
    """Every lever plan of a Pareto run in its two objectives, the frontier and the base.

    Parameters
    ----------
    ds : xarray.Dataset
        A Pareto frontier (:func:`simulate.decisions.pareto.pareto`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from results.plot_style import FONT_SMALL, PALETTE, human_axis

    ax = _axes(ax)
    x, y = ds["objective_0"].values, ds["objective_1"].values
    front = ds["on_frontier"].values.astype(bool)
    base = ds["is_base"].values.astype(bool)
    ax.scatter(x[~front], y[~front], s=10, color="0.7", label="lever plans")
    order = np.argsort(x[front])
    ax.plot(
        x[front][order],
        y[front][order],
        color=PALETTE[5],
        marker="o",
        ms=5,
        label="Pareto frontier",
    )
    ax.scatter(x[base], y[base], marker="*", s=180, color=PALETTE[0], zorder=5, label="base plan")
    for name, which in (("objective_0", "x"), ("objective_1", "y")):
        da = ds[name]
        label = _with_units(
            f"{da.attrs.get('long_name', name)} ({da.attrs.get('better', '')} is better)",
            _units(da),
        )
        (ax.set_xlabel if which == "x" else ax.set_ylabel)(label)
        human_axis(ax, which, _units(da), str(da.attrs.get("quantity", name)))
    ax.set_title(
        f"Pareto frontier: {ds.attrs.get('scenario_name', '')}, {int(front.sum())} of "
        f"{front.size} plans",
        fontsize=10,
    )
    ax.legend(loc="best", fontsize=FONT_SMALL)
    return ax


def breakeven_map_plot(ds, ax=None):
    """The median paired difference over two swept inputs, with the break-even contour.

    Parameters
    ----------
    ds : xarray.Dataset
        A break-even map (:func:`simulate.decisions.breakeven.breakeven_map`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    x, y = ds["value"].values, ds["value2"].values
    z = ds["difference"].values
    limit = float(np.nanmax(np.abs(z))) or 1.0
    filled = ax.contourf(x, y, z, levels=21, cmap="RdBu_r", vmin=-limit, vmax=limit)
    from results.plot_style import human_axis

    bar = ax.figure.colorbar(
        filled, ax=ax, label=_with_units("median B - A", ds.attrs.get("kpi_units", ""))
    )
    human_axis(bar.ax, "y", ds.attrs.get("kpi_units", ""), ds.attrs.get("kpi"))
    if np.nanmin(z) < 0.0 < np.nanmax(z):
        zero = ax.contour(x, y, z, levels=[0.0], colors="black", linewidths=1.5)
        ax.clabel(zero, fmt={0.0: "break-even"}, fontsize=8)
    if ds.attrs.get("interpolation") == "log":
        ax.set_xscale("log")
    ax.set_xlabel(_with_units(ds.attrs.get("over", "value"), ds.attrs.get("over_units", "")))
    ax.set_ylabel(_with_units(ds.attrs.get("over2", "value2"), ds.attrs.get("over2_units", "")))
    human_axis(ax, "x", ds.attrs.get("over_units", ""), ds.attrs.get("over"))
    human_axis(ax, "y", ds.attrs.get("over2_units", ""), ds.attrs.get("over2"))
    ax.set_title(
        f"B = {ds.attrs.get('scenario_b', 'B')} against A = {ds.attrs.get('scenario_a', 'A')}:"
        f"\nmedian {ds.attrs.get('kpi', '')} B - A (blue: B cheaper)",
        fontsize=10,
    )
    return ax


def _setting_text(value, unit: str = "", name: str | None = None) -> str:
    from results.human import human_setting

    return human_setting(value, unit, name, digits=3)


def optimize_plans_plot(ds, ax=None):
    """The best plan of each choice combination: objective with its interval, best first.

    Parameters
    ----------
    ds : xarray.Dataset
        An optimisation (:func:`simulate.decisions.optimize.optimize`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    value = ds["objective"].values
    shown = np.flatnonzero(np.isfinite(value))
    ax = _axes(ax, (8.0, 0.4 * len(shown) + 1.6))
    choice_levers = str(ds.attrs.get("choice_levers", "")).split()
    labels = [
        ", ".join(
            _setting_text(ds[lever].values[i], _units(ds[lever]), lever) for lever in choice_levers
        )
        or f"plan {i + 1}"
        for i in shown
    ]
    low = value[shown] - ds["objective_low"].values[shown]
    high = ds["objective_high"].values[shown] - value[shown]
    from results.plot_style import PALETTE, human_axis

    colors = [PALETTE[0] if bool(ds["not_worse"].values[i]) else "0.6" for i in shown]
    y = np.arange(len(shown))[::-1]
    ax.barh(y, value[shown], xerr=[low, high], color=colors, capsize=2)
    ax.set_yticks(y, labels, fontsize=8)
    units = ds.attrs.get("objective_units", "")
    ax.set_xlabel(
        _with_units(f"{ds.attrs.get('objective', '')} of {ds.attrs.get('kpi', '')}", units)
    )
    human_axis(ax, "x", units, ds.attrs.get("kpi"))
    ax.set_title(
        "Best plan of each choice combination (blue: not significantly worse than the best)",
        fontsize=10,
    )
    return ax


def evpi_bars(ds, ax=None, top: int = 12):
    """Expected value of perfect information per factor, with intervals, and the EVPI.

    Parameters
    ----------
    ds : xarray.Dataset
        A value of information (:func:`simulate.decisions.evpi.value_of_information`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    top : int
        Factors shown (highest EVPPI first).

    Returns
    -------
    matplotlib.axes.Axes
    """
    sub = ds.isel(factor=slice(0, top))
    ax = _axes(ax, (8.0, 0.4 * sub.sizes["factor"] + 1.8))
    y = np.arange(sub.sizes["factor"])[::-1]
    value = sub["evppi"].values
    errors = [
        np.maximum(value - sub["evppi_low"].values, 0.0),
        np.maximum(sub["evppi_high"].values - value, 0.0),
    ]
    from results.human import human
    from results.plot_style import FONT_SMALL, PALETTE, human_axis

    ax.barh(y, value, xerr=errors, color=PALETTE[0], capsize=2)
    ax.set_yticks(y, sub["factor"].values.astype(str), fontsize=8)
    evpi = float(ds.attrs.get("evpi", np.nan))
    if np.isfinite(evpi):
        units = ds.attrs.get("kpi_units", "")
        ax.axvline(
            evpi, color=PALETTE[5], linewidth=1.0, label=f"EVPI (all factors) {human(evpi, units)}"
        )
        ax.legend(loc="lower right", fontsize=FONT_SMALL)
    ax.set_xlabel(
        _with_units("EVPPI: value of learning the factor first", ds.attrs.get("kpi_units", ""))
    )
    human_axis(ax, "x", ds.attrs.get("kpi_units", ""), ds.attrs.get("kpi"))
    ax.set_title(
        f"Value of information: {ds.attrs.get('scenario_a', 'A')} or "
        f"{ds.attrs.get('scenario_b', 'B')}",
        fontsize=10,
    )
    return ax


def sweep_plot(ds, ax=None, kpi: str | None = None):
    """A KPI's median and 90% band along the swept input, the best median marked.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep (:func:`simulate.decisions.sweep.sweep`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    kpi : str, optional
        The KPI; default the sweep's first.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from results.human import human, trim_zeros
    from results.plot_style import FONT_SMALL, PALETTE, axis_label, human_axis
    from simulate.model.columns import better_direction

    kpi = str(ds["kpi"].values[0]) if kpi is None else kpi
    sub = ds.sel(kpi=kpi)
    unit = str(sub["kpi_units"].item())
    over, over_units = ds.attrs.get("over", "value"), ds.attrs.get("over_units", "")
    x = ds["value"].values
    ax = _axes(ax)
    ax.fill_between(
        x, sub["p5"], sub["p95"], color=PALETTE[0], alpha=0.15, label="P5-P95 (90% of outcomes)"
    )
    ax.fill_between(
        x,
        sub["median_low"],
        sub["median_high"],
        color=PALETTE[0],
        alpha=0.45,
        label=f"{float(ds.attrs.get('confidence', 0.95)):.0%} interval of the median",
    )
    median = sub["median"].values
    ax.plot(x, median, color=PALETTE[0], marker="o", ms=4, label="median")
    if np.isfinite(median).any():
        pick = np.nanargmax if better_direction(kpi) == "higher" else np.nanargmin
        i = int(pick(median))
        ax.plot(x[i], median[i], "*", ms=14, color=PALETTE[5], zorder=5)
        ax.annotate(
            f"best median {human(median[i], unit, kpi)} at "
            f"{trim_zeros(human(x[i], over_units, name=over, digits=4))}",
            (x[i], median[i]),
            xytext=(0, -16),
            textcoords="offset points",
            ha="center",
            fontsize=FONT_SMALL,
            color=PALETTE[5],
            fontweight="bold",
        )
    if ds.attrs.get("scale") == "log":
        ax.set_xscale("log")
    ax.set_xlabel(axis_label(f"swept {over}", over_units, over))
    ax.set_ylabel(axis_label(kpi, unit, kpi))
    human_axis(ax, "x", over_units, over)
    human_axis(ax, "y", unit, kpi)
    ax.set_title(
        f"{kpi} along {over}: {ds.attrs.get('scenario_name', '')}\n"
        f"{int(ds.attrs.get('n_samples', 0)):,} samples per value, common random numbers",
        fontsize=10,
    )
    ax.legend(loc="best", fontsize=FONT_SMALL)
    return ax
