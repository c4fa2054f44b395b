"""The Pareto frontier of lever plans for two objectives, on common random numbers.

Every lever plan of a grid (each choice lever at every choice, each range lever at
``points`` values from its low to its high end, the base included when ``points`` is
odd) is evaluated on the same sampled factors (:class:`simulate.decisions.optimize.PlanEvaluator`),
and each objective ``OUTPUT.STAT`` (a risk measure, :func:`simulate.decisions.optimize.measure`)
is taken over its feasible samples. An objective is minimised when its output is better
lower (costs, latency, energy) and maximised when better higher (tokens per dollar). A
plan is on the frontier when no other plan is at least as good in both and better in
one (:func:`non_dominated`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from results.provenance import provenance_attrs, scenario_attrs
from scenarios.scenario import Scenario
from simulate.decisions.optimize import PlanEvaluator, _check_stat, measure
from simulate.model import columns as col

__all__ = ["non_dominated", "pareto", "parse_objective"]


def parse_objective(text: str) -> tuple[str, str]:
    """``OUTPUT.STAT`` (e.g. ``lifecycle_total.mean``, ``tpot_s.p95``) as (output, stat)."""
    match = re.match(r"^([a-z0-9_]+)\.(\S+)$", text.strip())
    if not match:
        raise ValueError(f"objective {text!r}: write OUTPUT.STAT, e.g. tpot_s.p95")
    output, stat = match.groups()
    if output not in col.OUTPUT_INDEX:
        from scenarios.errors import did_you_mean

        raise ValueError(
            f"objective {text!r}: {output!r} is not an output"
            f"{did_you_mean(output, col.OUTPUT_INDEX)}"
        )
    _check_stat(stat, f"objective {text!r}: statistic")
    return output, stat


def non_dominated(costs: np.ndarray) -> np.ndarray:
    """Which rows of ``costs`` (all minimised) no other row dominates.

    Parameters
    ----------
    costs : ndarray, shape (k, m)
        Objective values, lower is better; rows with a NaN or inf are never on the
        frontier.

    Returns
    -------
    ndarray of bool, shape (k,)
    """
    costs = np.asarray(costs, dtype=float)
    finite = np.all(np.isfinite(costs), axis=1)
    front = finite.copy()
    for i in np.flatnonzero(finite):
        others = costs[finite]
        dominated = np.all(others <= costs[i], axis=1) & np.any(others < costs[i], axis=1)
        front[i] = not dominated.any()
    return front


def _grid(item, points: int) -> list:
    if item.lever.kind == "choice":
        return list(item.lever.choices)
    values = np.linspace(float(item.lever.low), float(item.lever.high), points)
    if points % 2 == 1:
        values[points // 2] = float(item.lever.base)
    return sorted(set(float(v) for v in values))


def pareto(
    scenario: Scenario,
    objectives: Sequence[str] = ("lifecycle_total.mean", "tpot_s.p95"),
    n: int = 20_000,
    seed: int = 0,
    points: int = 3,
    max_infeasible: float = 0.01,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Evaluate a grid of lever plans and mark the Pareto frontier of two objectives.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (at least one lever).
    objectives : (str, str)
        ``OUTPUT.STAT`` each (see :func:`parse_objective`).
    n : int
        Samples per plan (the same sampled factors for every plan).
    seed : int
        Seed of the sampled factors.
    points : int
        Values per range lever (from low to high; the base replaces the middle one
        when odd).
    max_infeasible : float
        Plans with a larger share of structurally infeasible samples are left out.
    progress : callable(done, total), optional
        Called every 50 plans.

    Returns
    -------
    xarray.Dataset
        Dim ``plan``: ``objective_0``, ``objective_1`` (in their outputs' units),
        ``on_frontier``, ``is_base``, ``admissible`` and one variable per lever; attrs
        the objectives and their directions, the base plan's values, provenance.
    """
    if len(objectives) != 2:
        raise ValueError(f"objectives: give exactly two OUTPUT.STAT, got {len(objectives)}")
    parsed = [parse_objective(o) for o in objectives]
    if points < 2:
        raise ValueError(f"points = {points}: a range lever needs at least 2 values")
    levers = scenario.levers()
    if not levers:
        raise ValueError(f"scenario {scenario.name}: no levers to trade off")
    grids = [_grid(item, points) for item in levers]
    plans = list(itertools.product(*grids))
    evaluator = PlanEvaluator(scenario, n, seed)
    base = tuple(item.lever.base for item in levers)
    if base not in plans:
        plans.append(base)
    values = np.full((len(plans), 2), np.nan)
    admissible = np.zeros(len(plans), dtype=bool)
    for k, plan in enumerate(plans):
        outputs, usable = evaluator.outputs(dict(zip((i.path for i in levers), plan, strict=True)))
        if 1.0 - usable.mean() <= max_infeasible:
            admissible[k] = True
            for j, (output, stat) in enumerate(parsed):
                values[k, j] = measure(outputs[usable, col.OUTPUT_INDEX[output]], stat)
        if progress is not None and ((k + 1) % 50 == 0 or k + 1 == len(plans)):
            progress(k + 1, len(plans))
    signs = np.array(
        [
            -1.0 if col.better_direction(o) == "higher" and not s.startswith("prob") else 1.0
            for o, s in parsed
        ]
    )
    front = non_dominated(values * signs) & admissible
    is_base = np.array([plan == base for plan in plans])
    data_vars = {}
    for j, ((output, stat), text) in enumerate(zip(parsed, objectives, strict=True)):
        unit = "1" if stat.startswith("prob") else col.OUTPUTS[col.OUTPUT_INDEX[output]].unit
        data_vars[f"objective_{j}"] = (
            ("plan",),
            values[:, j],
            {
                "units": unit,
                "long_name": text,
                "better": "lower" if signs[j] > 0 else "higher",
                # What the number is, for labels: a probability or the output measured.
                "quantity": "probability" if stat.startswith("prob") else output,
            },
        )
    data_vars["on_frontier"] = (("plan",), front, {"long_name": "not dominated by any plan"})
    data_vars["is_base"] = (("plan",), is_base, {"long_name": "the scenario's base plan"})
    data_vars["admissible"] = (
        ("plan",),
        admissible,
        {"long_name": f"at most {max_infeasible:.0%} infeasible samples"},
    )
    for i, item in enumerate(levers):
        column = [plan[i] for plan in plans]
        dtype = str if isinstance(column[0], str) else np.float64
        data_vars[item.path] = (("plan",), np.array(column, dtype=dtype), {"long_name": "lever"})
    base_index = int(np.flatnonzero(is_base)[0])
    attrs = {
        **provenance_attrs("pareto", f"lifecycle-tco Pareto frontier of {scenario.name}"),
        "objectives": "; ".join(objectives),
        "n_samples": n,
        "seed": seed,
        "points_per_range_lever": points,
        "max_infeasible": max_infeasible,
        "plans": len(plans),
        "frontier_plans": int(front.sum()),
        "base_objective_0": float(values[base_index, 0]),
        "base_objective_1": float(values[base_index, 1]),
        "base_on_frontier": int(front[base_index]),
        "method": (
            "every lever plan of the grid on the same sampled factors (common random "
            "numbers); frontier: plans no other plan weakly dominates in both objectives"
        ),
    }
    attrs.update(scenario_attrs(scenario))
    for key, value in attrs.items():
        if isinstance(value, float) and math.isnan(value):
            attrs[key] = float("nan")
    return xr.Dataset(data_vars, coords={"plan": np.arange(len(plans))}, attrs=attrs)
