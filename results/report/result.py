"""The results a report is made of: their kinds and the scenarios they carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from results.kinds import result_kind
from results.provenance import RESULT_KINDS, result_scenario_name


@dataclass(frozen=True)
class Result:
    """A result to report on.

    Attributes
    ----------
    name : str
        Where it came from (file name), shown in the report.
    dataset : xarray.Dataset
        The result.
    kind : str
        Its kind (:func:`results.kinds.result_kind`).
    """

    name: str
    dataset: object
    kind: str


def as_results(named: Sequence[tuple[str, object]], reported_only: bool = True) -> list[Result]:
    """Label datasets with their kind.

    Parameters
    ----------
    named : sequence of (str, xarray.Dataset)
        File name and dataset.
    reported_only : bool
        Refuse kinds a report cannot show yet (the decision results); exports take all.

    Returns
    -------
    list of Result
        In the given order.

    Raises
    ------
    ValueError
        If a dataset is of no known kind (the message names its file).
    """
    results = [Result(name, ds, result_kind(ds, name)) for name, ds in named]
    for result in results:
        if reported_only and result.kind not in REPORTED_KINDS:
            raise ValueError(
                f"{result.name}: a {result.kind} result cannot go into a report yet; give "
                "run, comparison, Sobol, tornado or decision files"
            )
    return results


REPORTED_KINDS = RESULT_KINDS
"""Every kind of result goes into a report."""


def _scenario_key(result: Result) -> str:
    attrs = result.dataset.attrs
    return str(attrs.get("scenario_sha256", "")) or str(result_scenario_name(attrs, result.name))


SCENARIO_ATTRS = ("label", "name", "description", "source", "overrides", "sha256", "toml")


def compared_scenarios(result: Result) -> list[Result]:
    """One pseudo-result per scenario of a comparison, carrying that scenario's attrs.

    Parameters
    ----------
    result : Result
        A comparison (``tco compare -o FILE``); its attrs hold ``scenario_<i>_name``,
        ``scenario_<i>_toml``, ... for i = 1, 2, ...

    Returns
    -------
    list of Result
        Datasets with no variables and the run-style attrs (``scenario_name``,
        ``scenario_toml``, ...), so the scenario sections read them like any result.
    """
    import xarray as xr

    attrs = result.dataset.attrs
    found = []
    i = 1
    while f"scenario_{i}_name" in attrs:
        own = {f"scenario_{key}": attrs.get(f"scenario_{i}_{key}", "") for key in SCENARIO_ATTRS}
        label = own.pop("scenario_label") or own["scenario_name"]
        found.append(Result(f"{result.name} [{label}]", xr.Dataset(attrs=own), "compare"))
        i += 1
    return found
