"""Provenance: the ``tco`` command that makes each result again, and the provenance section."""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence

import numpy as np

from results.assumptions import scenario_from_attrs
from results.provenance import result_scenario_name
from results.report.markup import _e, _section, _table, _tag
from results.report.result import Result, compared_scenarios


def _scenario_attrs(attrs) -> dict:
    """A result's own scenario attributes; a comparison's baseline (scenario 1) for it."""
    if "scenario_source" not in attrs and "scenario_1_source" in attrs:
        return {
            key.replace("scenario_1_", "scenario_", 1): value
            for key, value in attrs.items()
            if key.startswith("scenario_1_")
        }
    return attrs


def _scenario_argument(attrs) -> str:
    attrs = _scenario_attrs(attrs)
    source = str(attrs.get("scenario_source", ""))
    if source.startswith("builtin:"):
        return source.split(":", 1)[1]
    return source or result_scenario_name(attrs)


def _set_options(attrs) -> list[str]:
    attrs = _scenario_attrs(attrs)
    overrides = [s for s in str(attrs.get("scenario_overrides", "")).split("\n") if s]
    return [part for item in overrides for part in ("--set", item)]


def scenario_words(attrs) -> list[str]:
    """The scenario argument and ``--set`` options that name a result's scenario again."""
    return [_scenario_argument(attrs), *_set_options(attrs)]


def _run_command(ds, store: str | None = None) -> str:
    attrs = ds.attrs
    words = ["tco", "run", _scenario_argument(attrs), *_set_options(attrs)]
    words += ["-n", str(attrs.get("n_samples", ds.sizes.get("sample", "")))]
    words += ["--seed", str(attrs.get("seed", "")), "--design", str(attrs.get("design", "mc"))]
    if store is None and "amortization_monthly" in ds:
        store = "all"
    elif store is None and "cost_year_1" in ds:
        store = "yearly"
    if store in ("all", "yearly"):
        words += ["--store", store]
    if "lifecycle_total" in ds and ds["lifecycle_total"].dtype == np.float64:
        words += ["--precision", "float64"]  # the command line's default is float32
    return shlex.join(words)


def _sobol_command(ds) -> str:
    from simulate.model.columns import KPI_NAMES as DEFAULT_KPIS

    attrs = ds.attrs
    n = int(ds["history_n"].values[0]) if "history_n" in ds else int(attrs["N"])
    words = ["tco", "sobol", _scenario_argument(attrs), "-N", str(n), "--seed", str(attrs["seed"])]
    kpis = [str(k) for k in ds["kpi"].values]
    if kpis != list(DEFAULT_KPIS):
        words += [part for k in kpis for part in ("--kpi", k)]
    if int(attrs.get("second_order", 0)):
        words.append("--second-order")
    scenario, _ = scenario_from_attrs(attrs)
    varied = set(str(attrs.get("varied_inputs", "")).split())
    if scenario is not None and varied:
        if varied == {i.path for i in scenario.levers()} and scenario.factors():
            words.append("--levers-only")
        elif varied == {i.path for i in scenario.factors()} and scenario.levers():
            words.append("--factors-only")
    groups: dict[str, list[str]] = {}
    for item in str(attrs.get("groups", "")).split():
        path, _, group = item.partition("=")
        groups.setdefault(group, []).append(path)
    words += [part for g, paths in groups.items() for part in ("--group", f"{g}={','.join(paths)}")]
    words += ["--resamples", str(attrs["resamples"]), "--confidence", f"{attrs['confidence']:g}"]
    words += ["--estimator", str(attrs["estimator"])]
    target = float(attrs.get("target_ci", math.nan))
    if not math.isnan(target):
        words += ["--target-ci", f"{target:g}"]
    return shlex.join(words)


def _compare_command(ds) -> str:
    from results.export import compare_kpis
    from simulate.model.columns import KPI_NAMES

    attrs = ds.attrs
    parts = compared_scenarios(Result("", ds, "compare"))
    words = ["tco", "compare", *(_scenario_argument(p.dataset.attrs) for p in parts)]
    words += _set_options(parts[0].dataset.attrs) if parts else []
    words += ["-n", str(attrs.get("n_samples", ds.sizes.get("sample", "")))]
    words += ["--seed", str(attrs.get("seed", "")), "--design", str(attrs.get("design", "mc"))]
    kpis = [k for k in compare_kpis(ds) if k != "tco_index"]
    if kpis != list(KPI_NAMES):
        words += [part for k in kpis for part in ("--kpi", k)]
    if "confidence" in attrs:
        words += ["--confidence", f"{float(attrs['confidence']):g}"]
    return shlex.join(words)


def _tornado_command(ds) -> str:
    attrs = ds.attrs
    low, high = (float(q) * 100 for q in np.atleast_1d(attrs["factor_quantiles"]))
    words = ["tco", "tornado", _scenario_argument(attrs), *_set_options(attrs)]
    words += [part for k in ds["kpi"].values.astype(str) for part in ("--kpi", k)]
    words += ["--quantiles", f"{low:g},{high:g}"]
    return shlex.join(words)


def _decision_command(ds, kind: str) -> str:
    """The ``tco`` command that makes a decision result again (from its attributes)."""
    attrs = ds.attrs
    if kind in ("breakeven", "evpi"):
        words = ["tco", kind, attrs["scenario_a"], attrs["scenario_b"]]
        # Both scenarios got the same --set; the swept keys were set per value, not by it.
        swept = tuple(f"{attrs[k]}=" for k in ("over", "over2") if k in attrs)
        given = str(attrs.get("scenario_0_overrides", "")).split("\n")
        for item in (o for o in given if o and not o.startswith(swept or ("\0",))):
            words += ["--set", item]
    else:
        words = ["tco", kind, _scenario_argument(attrs), *_set_options(attrs)]
    if kind == "breakeven":
        values = ds["value"].values
        words += ["--over", attrs["over"], "--range", f"{values[0]:g}:{values[-1]:g}"]
        words += ["--points", str(len(values))]
        if "over2" in attrs:
            values2 = ds["value2"].values
            words += ["--and", attrs["over2"], "--range2", f"{values2[0]:g}:{values2[-1]:g}"]
    if kind == "sweep":
        values = ds["value"].values
        words.insert(3, attrs["over"])
        low, high = float(values[0]), float(values[-1])
        words += ["--range", f"{low!r}:{high!r}", "--points", str(len(values))]
        words += ["--scale", str(attrs.get("scale", "linear"))]
        for kpi in str(attrs.get("kpis", "")).split():
            words += ["--kpi", kpi]
    if kind == "optimize":
        words += ["--objective", attrs["objective"]]
        for constraint in filter(None, str(attrs.get("constraints", "")).split("; ")):
            words += ["--constraint", constraint.replace(" ", "")]
    if kind == "pareto":
        for objective in str(attrs["objectives"]).split("; "):
            words += ["--objective", objective]
        words += ["--points", str(int(attrs["points_per_range_lever"]))]
    if kind in ("breakeven", "optimize", "evpi"):
        words += ["--kpi", attrs["kpi"]]
    if kind == "evpi":
        words += ["--bins", str(int(attrs["bins"]))]
    words += ["-n", str(int(attrs["n_samples"] if "n_samples" in attrs else attrs["n_paired"]))]
    words += ["--seed", str(attrs["seed"])]
    return shlex.join(words)


def _platform_command(ds) -> str:
    attrs = ds.attrs
    source = str(attrs.get("platform_source", ""))
    words = ["tco", "platform", source.removeprefix("builtin:")]
    for item in filter(None, str(attrs.get("platform_overrides", "")).split("\n")):
        words += ["--set", item]
    words += ["-n", str(int(attrs["n_samples"])), "--seed", str(attrs["seed"])]
    if "confidence" in attrs:
        words += ["--confidence", f"{float(attrs['confidence']):g}"]
    return shlex.join(words)


def reproduce_command(result: Result) -> str:
    """The ``tco`` command that makes this result again.

    Parameters
    ----------
    result : Result
        Any result of a known kind.

    Returns
    -------
    str
        A shell-quoted command line; add ``-o FILE`` to write the result. A scenario
        file argument must still have the recorded SHA-256.
    """
    command = {
        "platform": _platform_command,
        "run": _run_command,
        "compare": _compare_command,
        "sobol": _sobol_command,
        "tornado": _tornado_command,
    }
    if result.kind in command:
        return command[result.kind](result.dataset)
    return _decision_command(result.dataset, result.kind)


def provenance_section(results: Sequence[Result]) -> str:
    """Seed, size, design, scenario hash, versions and the command of every result.

    Parameters
    ----------
    results : sequence of Result
        The report's results.

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    parts = []
    for result in results:
        attrs = result.dataset.attrs
        size = {
            "run": lambda a: f"{int(a.get('n_samples', 0)):,} samples, design {a.get('design')}",
            "sobol": lambda a: f"N = {int(a['N']):,} ({int(a['model_evaluations']):,} model runs)",
            "tornado": lambda a: f"{int(a.get('rows_evaluated', 0)):,} model evaluations",
            "compare": lambda a: (
                f"{int(a.get('n_samples', 0)):,} paired samples per scenario, design "
                f"{a.get('design')}"
            ),
        }.get(result.kind, lambda a: f"{int(a.get('n_samples', 0)):,} samples per evaluation")(
            attrs
        )
        rows = [
            ("kind", result.kind),
            ("title", attrs.get("title", "")),
            ("created", attrs.get("created", "not recorded")),
            ("seed", attrs.get("seed", "none (deterministic)")),
            ("size", size),
            ("scenario", f"{result_scenario_name(attrs)} ({attrs.get('scenario_source', '')})"),
            ("scenario SHA-256", attrs.get("scenario_sha256", "")),
        ]
        rows += [(k, v) for k, v in attrs.items() if k.endswith("_version")]
        body = [(_e(k), _e(v)) for k, v in rows]
        body.append(("command to reproduce", _tag("code", _e(reproduce_command(result)))))
        parts.append(_tag("h3", _e(result.name)))
        parts.append(_table(["", "value"], body))
    return _section("provenance", "Provenance", "".join(parts))
