"""Rankings read from saved sensitivity results (Sobol indices, tornado swings).

They read datasets only, so reports, plots and exports rank results without the
sensitivity engine that made them.
"""

from __future__ import annotations

import math

import numpy as np


def sobol_ranking(ds, kpi: str) -> list[tuple[str, str, float, float, float, float]]:
    """Parameters of one KPI sorted by total-order index, largest first.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate.sensitivity.sobol.sobol`.
    kpi : str
        A KPI of the dataset.

    Returns
    -------
    list of tuple
        ``(param, kind, S1, S1_conf, ST, ST_conf)``, indices dimensionless; NaN
        indices last.
    """
    sub = ds.sel(kpi=kpi)
    rows = [
        (
            str(p),
            str(kind),
            float(sub.S1.sel(param=p)),
            float(sub.S1_conf.sel(param=p)),
            float(sub.ST.sel(param=p)),
            float(sub.ST_conf.sel(param=p)),
        )
        for p, kind in zip(ds.param.values, ds.kind.values, strict=True)
    ]
    return sorted(rows, key=lambda r: (np.isnan(r[4]), -r[4] if not np.isnan(r[4]) else 0))


def tornado_ranking(ds, kpi: str) -> list[str]:
    """Params of a tornado dataset by their largest move of one KPI from base, largest first.

    Parameters
    ----------
    ds : xarray.Dataset
        A dataset from :func:`simulate.sensitivity.tornado.tornado`.
    kpi : str
        One of its ``kpi`` labels.

    Returns
    -------
    list of str
        Param key paths sorted by ``largest_shift`` (max over both ends of |KPI at the
        end - KPI at base|, in the KPI's unit) descending, so a non-monotone input whose
        both ends raise the KPI ranks where its effect belongs; NaN last; ties keep the
        dataset's order.

    Raises
    ------
    ValueError
        If ``kpi`` is not in the dataset.
    """
    from scenarios.errors import did_you_mean

    kpis = [str(v) for v in ds["kpi"].values]
    if kpi not in kpis:
        raise ValueError(f"KPI {kpi!r} is not in this tornado{did_you_mean(kpi, kpis)}: {kpis}")
    # The largest move from base either way; files written before it existed rank by
    # |high - low|.
    key = "largest_shift" if "largest_shift" in ds else "abs_swing"
    swings = ds[key].sel(kpi=kpi).values
    params = [str(v) for v in ds["param"].values]
    # NaN sorts last: key (is NaN, -|swing|); sorted() is stable, so ties keep their order.
    order = sorted(
        range(len(params)),
        key=lambda i: (math.isnan(swings[i]), 0.0 if math.isnan(swings[i]) else -swings[i]),
    )
    return [params[i] for i in order]
