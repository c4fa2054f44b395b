"""Tell what a result dataset is (a run, Sobol indices, a tornado) from its contents.

Kinds are recognised from dimensions and variables together with the kind the
writer declared (:data:`results.provenance.KIND_ATTR`), never from the file name,
so a renamed file is still read correctly. Files written before that attribute
existed are recognised by their ``title``. New kinds are added by appending a
:class:`ResultKind` to :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from results.provenance import KIND_ATTR


@dataclass(frozen=True)
class ResultKind:
    """One kind of result file.

    Attributes
    ----------
    name : str
        Short name used by the report and export code (``"run"``, ``"sobol"``, ...).
    description : str
        What it is and which command writes it, for messages.
    matches : callable(xarray.Dataset) -> bool
        Whether a dataset is of this kind.
    """

    name: str
    description: str
    matches: Callable[[object], bool]


def _title(ds) -> str:
    return str(ds.attrs.get("title", ""))


def _declared(ds, kind: str, legacy_title: Callable[[str], bool]) -> bool:
    # The writer's declaration; older files only say it in their title.
    if KIND_ATTR in ds.attrs:
        return str(ds.attrs[KIND_ATTR]) == kind
    return legacy_title(_title(ds))


def _is_run(ds) -> bool:
    return (
        set(ds.dims) == {"sample"}
        and "tco_index" in ds
        and "infeasible" in ds
        and _declared(ds, "run", lambda title: title.startswith("lifecycle-tco Monte Carlo run"))
    )


def _is_sobol(ds) -> bool:
    return (
        {"kpi", "param"} <= set(ds.dims)
        and all(name in ds for name in ("S1", "ST", "S1_conf", "ST_conf"))
        and _declared(ds, "sobol", lambda title: "Sobol indices" in title)
    )


def _is_tornado(ds) -> bool:
    return (
        {"kpi", "param", "end"} <= set(ds.dims)
        and all(name in ds for name in ("value", "swing", "base_value", "setting"))
        and _declared(ds, "tornado", lambda title: title.startswith("Tornado"))
    )


def _is_compare(ds) -> bool:
    # By shape alone: runs stacked along a scenario dimension (xarray.concat) read as a
    # comparison whatever their declared kind.
    return {"scenario", "sample"} <= set(ds.dims)


def _is_breakeven(ds) -> bool:
    return (
        ({"value", "bound"} <= set(ds.dims) or {"value", "value2"} <= set(ds.dims))
        and "difference" in ds
        and str(ds.attrs.get(KIND_ATTR, "")) == "breakeven"
    )


def _is_optimize(ds) -> bool:
    return (
        "plan" in ds.dims and "objective" in ds and str(ds.attrs.get(KIND_ATTR, "")) == "optimize"
    )


def _is_pareto(ds) -> bool:
    return (
        "plan" in ds.dims and "on_frontier" in ds and str(ds.attrs.get(KIND_ATTR, "")) == "pareto"
    )


def _is_sweep(ds) -> bool:
    return (
        {"value", "kpi"} <= set(ds.dims)
        and "median" in ds
        and str(ds.attrs.get(KIND_ATTR, "")) == "sweep"
    )


def _is_evpi(ds) -> bool:
    return "factor" in ds.dims and "evppi" in ds and str(ds.attrs.get(KIND_ATTR, "")) == "evpi"


def _is_platform(ds) -> bool:
    return (
        {"workload", "tier", "sample"} <= set(ds.dims)
        and "workload_share" in ds
        and _declared(ds, "platform", lambda title: title.startswith("lifecycle-tco platform"))
    )


KINDS: list[ResultKind] = [
    ResultKind("run", "a Monte Carlo run (`tco run -o FILE`)", _is_run),
    ResultKind("compare", "a scenario comparison (`tco compare -o FILE`)", _is_compare),
    ResultKind("sobol", "Sobol indices (`tco sobol -o FILE`)", _is_sobol),
    ResultKind("tornado", "a tornado (`tco tornado -o FILE`)", _is_tornado),
    ResultKind("breakeven", "a break-even sweep (`tco breakeven -o FILE`)", _is_breakeven),
    ResultKind("optimize", "an optimisation (`tco optimize -o FILE`)", _is_optimize),
    ResultKind("pareto", "a Pareto frontier (`tco pareto -o FILE`)", _is_pareto),
    ResultKind("evpi", "a value of information (`tco evpi -o FILE`)", _is_evpi),
    ResultKind("sweep", "a sweep of one input (`tco sweep -o FILE`)", _is_sweep),
    ResultKind("platform", "a multi-model platform (`tco platform -o FILE`)", _is_platform),
]
"""Known kinds, tried in order; the first that matches wins."""


def result_kind(ds, where: str = "the dataset") -> str:
    """The kind of a result dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        An opened result.
    where : str
        Its file name, for the error message.

    Returns
    -------
    str
        The :attr:`ResultKind.name` of the first matching kind.

    Raises
    ------
    ValueError
        If no known kind matches; the message lists what was found and what is known.
    """
    for kind in KINDS:
        if kind.matches(ds):
            return kind.name
    dims = ", ".join(f"{d}={n}" for d, n in ds.sizes.items()) or "none"
    variables = ", ".join(list(ds.data_vars)[:8]) or "none"
    known = "; ".join(k.description for k in KINDS)
    raise ValueError(
        f"{where}: not a lifecycle-tco result this command can read (dims {dims}; variables "
        f"{variables}; title {_title(ds)!r}). Known kinds: {known}"
    )
