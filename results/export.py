"""Flat tables of results for spreadsheets: CSV always, Parquet when pyarrow is installed.

One row per KPI (a run), per KPI and parameter (Sobol indices, tornado swings), or per
sample (``samples_table``). Every number stays a number: confidence bounds are separate
columns, not ``±`` text. Files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from results.atomic import atomic_path
from results.integrity import check_run_values
from results.kinds import result_kind
from results.summary import DEFAULT_PERCENTILES, infeasible_counts, summarize
from simulate.model import columns as col

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet"}
PARQUET_HINT = "pip install pyarrow (or pip install 'lifecycle-tco[parquet]')"


def share(count: int, n: int) -> float:
    """``count / n`` as a share in [0, 1]; NaN when there are no samples (``n = 0``)."""
    return count / n if n else float("nan")


def run_outputs(ds) -> list[str]:
    """Per-sample outputs of a run in kernel order, ``tco_index`` after the KPIs.

    Parameters
    ----------
    ds : xarray.Dataset
        A run dataset.

    Returns
    -------
    list of str
        Names of the stored outputs (sampled inputs and the bit mask left out).
    """
    names = [c.name for c in col.OUTPUTS if c.name in ds]
    at = max((names.index(k) for k in col.KPI_NAMES if k in names), default=-1) + 1
    return [*names[:at], "tco_index", *names[at:]]


def run_summary_table(
    ds,
    names: Sequence[str] | None = None,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
    where: str = "the dataset",
):
    """Summary of a run: one row per output with its statistics and confidence bounds.

    Parameters
    ----------
    ds : xarray.Dataset
        A run dataset (:func:`simulate.engine.montecarlo.run`).
    names : sequence of str, optional
        Variables to summarise; default every stored output (:func:`run_outputs`).
    percentiles : sequence of float
        Percentiles in (0, 100).
    confidence : float
        Confidence level of the bounds, in (0, 1).
    where : str
        The run's file, for the message refusing a damaged one.

    Returns
    -------
    pandas.DataFrame
        Columns ``variable``, ``unit``, ``long_name``; then per statistic (``mean``,
        ``std``, ``p5``, ...) the estimate and its ``_lower`` / ``_upper`` bounds, all in
        the row's ``unit``; ``n_samples``; ``n_valid`` (finite values used);
        ``excluded_share`` (share of samples left out as NaN, 0-1); ``infeasible_share``
        (share of samples with any infeasibility flag, 0-1, the same on every row; both
        NaN for a run of no samples); ``confidence`` (0-1).

    Raises
    ------
    results.integrity.DamagedResultError
        If the finite values disagree with the kernel's guarantees
        (:func:`results.integrity.check_run_values`).
    """
    import pandas as pd

    names = list(names) if names is not None else run_outputs(ds)
    summary = summarize(ds, names, percentiles, confidence)
    check_run_values(ds, summary, where)
    n = int(ds.sizes["sample"])
    infeasible = infeasible_counts(ds["infeasible"].values)["any"]
    rows = []
    for name in names:
        var = summary[name]
        row = {
            "variable": name,
            "unit": str(var.attrs.get("units", "")),
            "long_name": str(var.attrs.get("long_name", name)),
        }
        for stat in summary["statistic"].values:
            estimate, lower, upper = (float(v) for v in var.sel(statistic=stat).values)
            row |= {str(stat): estimate, f"{stat}_lower": lower, f"{stat}_upper": upper}
        n_valid = int(var.attrs["n_valid"])
        row |= {
            "n_samples": n,
            "n_valid": n_valid,
            "excluded_share": share(n - n_valid, n),
            "infeasible_share": share(infeasible, n),
            "confidence": float(confidence),
        }
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs = _provenance(ds)
    return table


def sobol_table(ds):
    """Sobol indices as rows: one per KPI and parameter, ranked by total-order index.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.sensitivity.sobol.sobol`.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``kpi_unit``, ``rank`` (1 = largest ST), ``param``, ``kind``;
        ``S1``, ``S1_lower``, ``S1_upper``, ``ST``, ``ST_lower``, ``ST_upper``
        (dimensionless shares of the KPI's variance; bounds are estimate -+ the
        bootstrap half-width); ``confidence`` (0-1), ``N`` (base samples),
        ``n_dropped`` (base points dropped as infeasible).
    """
    import pandas as pd

    from results.rankings import sobol_ranking

    confidence = float(ds.attrs.get("confidence", np.nan))
    rows = []
    for kpi, unit in zip(ds["kpi"].values, ds["kpi_units"].values, strict=True):
        dropped = int(ds["n_dropped"].sel(kpi=kpi))
        for rank, (param, kind, s1, s1c, st, stc) in enumerate(sobol_ranking(ds, str(kpi)), 1):
            rows.append(
                {
                    "kpi": str(kpi),
                    "kpi_unit": str(unit),
                    "rank": rank,
                    "param": param,
                    "kind": kind,
                    "S1": s1,
                    "S1_lower": s1 - s1c,
                    "S1_upper": s1 + s1c,
                    "ST": st,
                    "ST_lower": st - stc,
                    "ST_upper": st + stc,
                    "confidence": confidence,
                    "N": int(ds.attrs["N"]),
                    "n_dropped": dropped,
                }
            )
    table = pd.DataFrame(rows)
    table.attrs = _provenance(ds)
    return table


def compare_kpis(ds) -> list[str]:
    """KPIs a comparison dataset holds statistics for, in its order.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.decisions.compare.compare`.

    Returns
    -------
    list of str
        Names ``k`` with a ``k_median`` variable.
    """
    return [str(name)[: -len("_median")] for name in ds.data_vars if str(name).endswith("_median")]


def compare_table(ds):
    """Paired comparison statistics as rows: one per comparison (B vs baseline A) and KPI.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.decisions.compare.compare` (``tco compare -o FILE``).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``unit``, ``better`` (which direction is better), ``a``, ``b``
        (scenario labels); ``median_a``, ``median_b`` and ``difference`` (median of the
        per-sample B - A), each in ``unit`` with ``_lower`` and ``_upper`` bounds;
        ``prob_a_better`` with bounds, ``prob_tie`` and ``prob_a_worse`` (shares of the
        paired samples, 1); ``n_paired``; ``confidence``. The ``tco_index`` row
        (pooled bounds) has medians only.
    """
    import pandas as pd

    confidence = float(ds.attrs.get("confidence", np.nan))
    rows = []
    for comparison, a, b in zip(
        ds["comparison"].values, ds["comparison_a"].values, ds["comparison_b"].values, strict=True
    ):
        for kpi in compare_kpis(ds):
            medians = ds[f"{kpi}_median"]
            row = {
                "kpi": kpi,
                "unit": str(medians.attrs.get("units", "")),
                "better": str(medians.attrs.get("better", "")),
                "a": str(a),
                "b": str(b),
            }
            for key, label in (("median_a", a), ("median_b", b)):
                values = medians.sel(scenario=label)
                row |= _bounds(key, values)
            if f"{kpi}_difference" in ds:
                at = {"comparison": comparison}
                row |= _bounds("difference", ds[f"{kpi}_difference"].sel(at))
                row |= _bounds("prob_a_better", ds[f"{kpi}_prob_a_better"].sel(at))
                row |= {
                    "prob_tie": float(ds[f"{kpi}_prob_tie"].sel(at)),
                    "prob_a_worse": float(ds[f"{kpi}_prob_a_worse"].sel(at)),
                    "n_paired": int(ds[f"{kpi}_n_paired"].sel(at)),
                }
            row["confidence"] = confidence
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs = _provenance(ds)
    return table


def _bounds(key: str, values) -> dict[str, float]:
    """``key``, ``key_lower``, ``key_upper`` from a variable with a ``bound`` dim."""
    return {
        key: float(values.sel(bound="estimate")),
        f"{key}_lower": float(values.sel(bound="lower")),
        f"{key}_upper": float(values.sel(bound="upper")),
    }


def tornado_table(ds):
    """Tornado swings as rows: one per KPI and parameter, largest absolute swing first.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.sensitivity.tornado.tornado`.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``kpi_unit``, ``rank``, ``param``, ``kind``, ``method``,
        ``param_unit``; ``base_value`` (KPI at base, in ``kpi_unit``); per end
        (``low``, ``high``) the input ``setting`` (text), ``setting_value`` (number in
        ``param_unit``, empty for categories), the KPI ``value`` (in ``kpi_unit``) and
        why it is ``infeasible`` (empty if feasible); ``swing``, ``abs_swing`` and
        ``largest_shift`` (the ranking key: the largest move from base), in ``kpi_unit``.
    """
    import pandas as pd

    from results.rankings import tornado_ranking

    units = dict(zip(ds["param"].values.astype(str), ds["param_units"].values, strict=True))
    rows = []
    for kpi, kpi_unit in zip(ds["kpi"].values, ds["kpi_units"].values, strict=True):
        sub = ds.sel(kpi=kpi)
        for rank, param in enumerate(tornado_ranking(ds, str(kpi)), 1):
            at = sub.sel(param=param)
            row = {
                "kpi": str(kpi),
                "kpi_unit": str(kpi_unit),
                "rank": rank,
                "param": param,
                "kind": str(at["kind"].values),
                "method": str(at["method"].values),
                "param_unit": str(units[param]),
                "base_value": float(sub["base_value"]),
            }
            for end in ("low", "high"):
                row |= {
                    f"{end}_setting": str(at["setting"].sel(end=end).values),
                    f"{end}_setting_value": float(at["setting_value"].sel(end=end)),
                    f"{end}_value": float(at["value"].sel(end=end)),
                    f"{end}_infeasible": str(at["infeasible"].sel(end=end).values),
                }
            row |= {"swing": float(at["swing"]), "abs_swing": float(at["abs_swing"])}
            if "largest_shift" in at:
                row["largest_shift"] = float(at["largest_shift"])
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs = _provenance(ds)
    return table


# The row dimension of each decision result (tco breakeven, optimize, pareto, evpi).
DECISION_ROWS = {
    "breakeven": "value",
    "optimize": "plan",
    "pareto": "plan",
    "evpi": "factor",
    "sweep": "value",
}


def decision_table(ds, kind: str):
    """A decision result as rows: one per swept value, plan or factor.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``breakeven``, ``optimize``, ``pareto`` or ``evpi`` result.
    kind : str
        Its kind (:func:`results.kinds.result_kind`).

    Returns
    -------
    pandas.DataFrame
        The row coordinate first, then every variable along it (a variable with a
        ``bound`` dim as ``name``, ``name_lower``, ``name_upper``), column names with their
        units; the headline figures (break-even, best plan, EVPI...) in ``attrs``.
    """
    import pandas as pd

    if kind == "sweep":
        return _sweep_table(ds)
    dim = DECISION_ROWS[kind]
    columns = {column_label(dim, str(ds[dim].attrs.get("units", ""))): ds[dim].values}
    for name, da in ds.data_vars.items():
        units = str(da.attrs.get("units", ""))
        if da.dims == (dim,):
            columns[column_label(str(name), units)] = da.values
        elif da.dims == (dim, "bound"):
            for bound, suffix in (("estimate", ""), ("lower", "_lower"), ("upper", "_upper")):
                columns[column_label(f"{name}{suffix}", units)] = da.sel(bound=bound).values
    table = pd.DataFrame(columns)
    # Headline figures and provenance; the scenario texts stay in the dataset.
    table.attrs = {k: str(v) for k, v in ds.attrs.items() if not k.endswith("_toml")}
    return table


def _sweep_table(ds):
    """A sweep as rows: one per KPI and swept value."""
    import pandas as pd

    over = str(ds.attrs.get("over", "value"))
    rows = []
    for kpi in ds["kpi"].values.astype(str):
        unit = str(ds["kpi_units"].sel(kpi=kpi).item())
        sub = ds.sel(kpi=kpi)
        for i, value in enumerate(ds["value"].values):
            row = {
                "kpi": kpi,
                "unit": unit,
                column_label(over, ds["value"].attrs.get("units", "")): value,
            }
            for name in ("median", "median_low", "median_high", "p5", "p95", "mean"):
                row[name] = float(sub[name].values[i])
            row["infeasible_share"] = float(ds["infeasible_share"].values[i])
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs = {k: str(v) for k, v in ds.attrs.items() if not k.endswith("_toml")}
    return table


def summary_table(
    ds,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
    where: str = "the dataset",
):
    """The summary table of any result: run statistics, Sobol indices, tornado swings, a
    comparison, or a decision result (break-even, optimisation, Pareto, EVPI).

    Parameters
    ----------
    ds : xarray.Dataset
        A result (kind found by :func:`results.kinds.result_kind`).
    percentiles : sequence of float
        Percentiles in (0, 100) (runs only).
    confidence : float
        Confidence level of the bounds (runs only; Sobol results keep their own).
    where : str
        The file name, for error messages.

    Returns
    -------
    pandas.DataFrame
        :func:`run_summary_table`, :func:`sobol_table` or :func:`tornado_table`.

    Raises
    ------
    ValueError
        If the dataset is of no known kind.
    """
    kind = result_kind(ds, where)
    if kind == "run":
        return run_summary_table(ds, percentiles=percentiles, confidence=confidence, where=where)
    if kind == "sobol":
        return sobol_table(ds)
    if kind == "tornado":
        return tornado_table(ds)
    if kind == "compare":
        return compare_table(ds)
    if kind in DECISION_ROWS:
        return decision_table(ds, kind)
    if kind == "platform":
        from results.chargeback import chargeback_table

        return chargeback_table(ds)
    raise ValueError(f"{where}: results of kind {kind!r} have no summary table yet")


def column_label(name: str, units: str) -> str:
    """A column header with its units, e.g. ``"lifecycle_total [USD]"``.

    Parameters
    ----------
    name : str
        Variable name.
    units : str
        Its units (``"1"`` for dimensionless).

    Returns
    -------
    str
        ``"name [units]"``, or the bare name when there are no units.
    """
    return f"{name} [{units}]" if units else name


def samples_table(ds):
    """Every per-sample variable of a run as columns, headers with units.

    Parameters
    ----------
    ds : xarray.Dataset
        A run dataset; read whole into memory (about 8 bytes per value).

    Returns
    -------
    pandas.DataFrame
        ``sample`` then one column per variable, named ``"name [units]"``; categorical
        inputs as category names, ``infeasible`` as its bit mask (0: feasible).
    """
    import pandas as pd

    columns = {"sample": np.asarray(ds["sample"].values)}
    for name, var in ds.data_vars.items():
        if var.dims != ("sample",):
            continue
        values = np.asarray(var.values)
        if "flag_values" in var.attrs and "flag_meanings" in var.attrs:
            categories = np.array(str(var.attrs["flag_meanings"]).split())
            columns[str(name)] = categories[values.astype(np.int64)]
        elif name == "infeasible":
            columns["infeasible [bit mask]"] = values
        else:
            columns[column_label(str(name), str(var.attrs.get("units", "")))] = values
    table = pd.DataFrame(columns)
    table.attrs = _provenance(ds)
    return table


def _provenance(ds) -> dict[str, str]:
    keys = ("title", "scenario_name", "scenario", "scenario_sha256", "seed", "created")
    return {k: str(ds.attrs[k]) for k in keys if k in ds.attrs}


def table_format(path: str | Path) -> str:
    """The table format from a file's suffix.

    Parameters
    ----------
    path : str or Path
        Target file.

    Returns
    -------
    str
        ``"csv"`` or ``"parquet"``.

    Raises
    ------
    ValueError
        For any other suffix.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise ValueError(
            f"{path}: unknown table format {suffix or '(no suffix)'!r}; name the file "
            f"*.csv or *.parquet"
        )
    return TABLE_FORMATS[suffix]


def parquet_available() -> bool:
    """Whether pyarrow (the Parquet engine used here) can be imported."""
    return importlib.util.find_spec("pyarrow") is not None


def write_table(table, path: str | Path) -> Path:
    """Write a table to CSV or Parquet (from the suffix), atomically.

    Parameters
    ----------
    table : pandas.DataFrame
        The table; its index is not written.
    path : str or Path
        ``*.csv`` (UTF-8, comma-separated, floats at full precision, NaN as empty)
        or ``*.parquet`` (needs pyarrow).

    Returns
    -------
    Path
        The written path.

    Raises
    ------
    ValueError
        For an unknown suffix or a missing folder.
    ImportError
        For Parquet without pyarrow; the message says what to install.
    """
    path = Path(path)
    fmt = table_format(path)
    if fmt == "parquet" and not parquet_available():
        raise ImportError(f"{path}: writing Parquet needs pyarrow: {PARQUET_HINT}")
    with atomic_path(path) as tmp:
        if fmt == "csv":
            table.to_csv(tmp, index=False)
        else:
            table.to_parquet(tmp, engine="pyarrow", index=False)
    return path
