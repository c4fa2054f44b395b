"""Labels and provenance of result datasets: built here once, read here once.

Every result file (a run, a comparison, Sobol indices, a tornado) carries the same
provenance attributes under the same keys: its kind, the scenario (name,
description, source, ``--set`` overrides, SHA-256 and TOML text), when it was made
and with which package versions. Variables carry CF-style ``units`` and
``long_name``. The writers in ``simulate/`` call the builders below; readers
(reports, plots, exports) call the readers below, so no key is spelled twice.
"""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Mapping

from simulate.model import columns as col

__all__ = [
    "KIND_ATTR",
    "SCENARIO_KEYS",
    "infeasible_attrs",
    "output_attrs",
    "package_versions",
    "provenance_attrs",
    "result_scenario_name",
    "scenario_attrs",
    "tco_index_attrs",
]

KIND_ATTR = "lifecycle_tco_kind"  # "run", "compare", "sobol" or "tornado"
RESULT_KINDS = (
    "run",
    "compare",
    "sobol",
    "tornado",
    "breakeven",
    "optimize",
    "pareto",
    "evpi",
    "sweep",
    "platform",
)
# Scenario attributes, each stored as ``<prefix><key>`` (prefix ``scenario_``, or
# ``scenario_<i>_`` for the i-th scenario of a comparison).
SCENARIO_KEYS = ("name", "description", "source", "overrides", "sha256", "toml")
_VERSIONED = ("lifecycle-tco", "numpy", "numba", "scipy", "xarray", "SALib")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a result depends on.

    Returns
    -------
    dict of str to str
        ``python_version`` and ``<package>_version`` (``"not installed"`` when absent).
    """
    from importlib import metadata  # here: it costs a share of `tco --help`'s start-up

    versions = {"python_version": platform.python_version()}
    for package in _VERSIONED:
        key = f"{package.lower().replace('-', '_')}_version"
        try:
            versions[key] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[key] = "not installed"
    return versions


def provenance_attrs(kind: str, title: str) -> dict:
    """Attributes every result dataset starts with.

    Parameters
    ----------
    kind : {"run", "compare", "sobol", "tornado", "breakeven", "optimize", "pareto", "evpi", \
            "sweep", "platform"}
        What the dataset is (stored under :data:`KIND_ATTR`).
    title : str
        Human-readable title.

    Returns
    -------
    dict
        ``title``, ``Conventions``, the kind, ``created`` (UTC, ISO 8601) and
        :func:`package_versions`; strings only (NetCDF-safe).
    """
    if kind not in RESULT_KINDS:
        raise ValueError(f"kind = {kind!r}: must be one of {', '.join(RESULT_KINDS)}")
    return {
        "title": title,
        "Conventions": "CF-1.10",
        KIND_ATTR: kind,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        **package_versions(),
    }


def scenario_attrs(scenario, prefix: str = "scenario_") -> dict:
    """A scenario's provenance: name, description, source, overrides, SHA-256 and TOML.

    Parameters
    ----------
    scenario : scenarios.scenario.Scenario
        The validated scenario.
    prefix : str
        Key prefix: ``scenario_`` for a result of one scenario, ``scenario_<i>_`` for
        the i-th scenario of a comparison.

    Returns
    -------
    dict of str to str
        One entry per :data:`SCENARIO_KEYS` item.
    """
    values = {
        "name": scenario.name,
        "description": scenario.description,
        "source": scenario.source,
        "overrides": "\n".join(scenario.overrides),
        "sha256": scenario.sha256,
        "toml": scenario.text,
    }
    return {prefix + key: values[key] for key in SCENARIO_KEYS}


def result_scenario_name(attrs: Mapping, default: str = "unknown") -> str:
    """The scenario a result describes, as written by :func:`scenario_attrs`.

    Files written before the keys were unified stored a tornado's scenario under
    ``scenario``; a comparison has no single scenario and reads ``A vs B``.

    Parameters
    ----------
    attrs : mapping
        A result dataset's attributes.
    default : str
        Returned when the attributes name no scenario.

    Returns
    -------
    str
        The scenario name.
    """
    if "scenario_name" in attrs:
        return str(attrs["scenario_name"])
    if "scenario" in attrs:
        return str(attrs["scenario"])
    if "scenarios" in attrs:
        return " vs ".join(str(attrs["scenarios"]).split())
    return default


def result_label(attrs: Mapping, default: str = "unknown") -> str:
    """The scenario a result describes with its ``--set`` overrides: what tells runs apart.

    Parameters
    ----------
    attrs : mapping
        A result dataset's attributes (or a comparison scenario's, with ``prefix``
        already stripped).
    default : str
        Returned when the attributes name no scenario.

    Returns
    -------
    str
        ``"default"``, or ``"default [hardware.accelerator=B200]"`` for a run with
        overrides (several joined by ``"; "``).
    """
    overrides = str(attrs.get("scenario_overrides", "")).splitlines()
    return label_with_overrides(result_scenario_name(attrs, default), overrides)


def label_with_overrides(name: str, overrides) -> str:
    """``"default [hardware.accelerator=B200; ...]"``, or the bare name without overrides.

    Parameters
    ----------
    name : str
        The scenario name.
    overrides : iterable of str
        Its ``--set`` overrides (empty entries ignored).

    Returns
    -------
    str
    """
    given = [item for item in overrides if item]
    return f"{name} [{'; '.join(given)}]" if given else name


def output_attrs(name: str, *, better: bool = False) -> dict:
    """CF attributes of a kernel output variable.

    Parameters
    ----------
    name : str
        An output of :data:`simulate.model.columns.OUTPUTS`.
    better : bool
        Also record which way the output improves (comparisons phrase by it).

    Returns
    -------
    dict of str to str
        ``units``, ``long_name`` (and ``better``).
    """
    column = col.OUTPUTS[col.OUTPUT_INDEX[name]]
    attrs = {"units": column.unit, "long_name": column.long_name}
    if better:
        attrs["better"] = col.better_direction(name)
    return attrs


def tco_index_attrs(definition: str, *, pooled: bool = False, better: bool = False) -> dict:
    """CF attributes of the per-sample TCO index.

    Parameters
    ----------
    definition : str
        The index's definition, stored beside it.
    pooled : bool
        Bounds pooled over the scenarios of a comparison.
    better : bool
        Also record that lower is better.

    Returns
    -------
    dict of str to str
    """
    scale = " over the pooled bounds" if pooled else ""
    attrs = {
        "units": "1",
        "long_name": f"TCO index{scale} (0-1, higher is worse)",
        "definition": definition,
    }
    if better:
        attrs["better"] = "lower"
    return attrs


def infeasible_attrs() -> dict:
    """CF flag attributes of the ``infeasible`` bit mask.

    Returns
    -------
    dict of str to str
        ``long_name``, ``flag_masks`` and ``flag_meanings``
        (:data:`simulate.model.columns.FLAG_REASONS`).
    """
    codes = sorted(col.FLAG_REASONS)
    return {
        "long_name": "infeasibility bit mask (0: feasible)",
        "flag_masks": " ".join(str(c) for c in codes),
        "flag_meanings": " ".join(
            col.FLAG_REASONS[c].replace(" ", "_").replace(",", "") for c in codes
        ),
    }


def platform_attrs(platform) -> dict:
    """A platform's provenance attributes: its file, text and hash, as a result's scenario.

    Parameters
    ----------
    platform : scenarios.platform.Platform
        The validated platform (read by attribute: ``name``, ``source``, ``text``,
        ``sha256``, ``workloads``).

    Returns
    -------
    dict of str
        ``scenario_*`` (what a report shows as the result's scenario), ``platform_*`` and
        ``workloads`` (the names, space-separated).
    """
    return {
        "scenario_name": platform.name,
        "scenario_source": platform.source,
        "scenario_sha256": platform.sha256,
        "platform_name": platform.name,
        "platform_source": platform.source,
        "platform_toml": platform.text,
        "platform_sha256": platform.sha256,
        "workloads": " ".join(w.name for w in platform.workloads),
    }
