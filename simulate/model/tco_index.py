"""The TCO index: where a lifecycle total lies between the best and worst plans.

``TCO index = clip((lifecycle_total - best) / (worst - best), 0, 1)``, higher is
worse. ``best`` and ``worst`` are the lowest and highest lifecycle totals of the
scenario's lever plans (every lever at the low end, base or high end of its range,
or at any of its choices) with every uncertain factor at its median: the spread
that the decisions open up, on which the sampled outcomes of a plan then fall.
Plans are enumerated when there are at most :data:`MAX_LEVER_PLANS` of them (the
default scenario has 972), otherwise found by coordinate search from the base.

Scenarios that differ only in a lever's base (the accelerator, utilisation and
power comparison sets) therefore share one scale whether run alone or together,
and a cheaper outcome always scores lower. When scenarios are compared, ``best``
and ``worst`` are pooled: the minimum and maximum over all of them. A scenario
without levers has no plans to span; its bounds are then its factors at their 1st
and 99th percentiles (coordinate search), the scale of its own uncertainty.

(An earlier definition put every lever and factor at its extremes at once: its
bounds were so far apart that nearly every outcome sat at the bottom of the scale,
and each scenario searched from its own base found a scale of its own.)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scenarios.scenario import Scenario, ScenarioInput
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import input_matrix

# The name of the index where it stands beside the kernel outputs (runs, comparisons, Sobol).
TCO_INDEX = "tco_index"
FACTOR_END_QUANTILES = (0.01, 0.99)
MAX_SWEEPS = 4
# Above this many lever plans (3 values per range lever times the choices) the bounds
# come from a coordinate search instead of evaluating every plan.
MAX_LEVER_PLANS = 100_000

DEFINITION = (
    "TCO index = (lifecycle_total - best) / (worst - best), clipped to [0, 1], higher is worse; "
    "best/worst = lowest/highest lifecycle total over the lever plans (each lever at its range "
    "ends or base, or any choice) with the factors at their medians, pooled over the "
    "scenarios compared (no levers: factors at P1/P99)"
)


@dataclass(frozen=True)
class IndexBounds:
    """Best and worst lifecycle totals of a scenario space (USD)."""

    best_usd: float
    worst_usd: float
    best_values: dict
    worst_values: dict

    def index(self, lifecycle_total_usd, out=None):
        """TCO index of lifecycle totals (USD), in [0, 1]; NaN stays NaN.

        Parameters
        ----------
        lifecycle_total_usd : array_like of float
            Lifecycle totals, USD.
        out : ndarray of float64, optional
            Where to write the index (may be the input itself: a chunk's lifecycle
            totals are mapped in place, with no temporary arrays).

        Returns
        -------
        ndarray of float64
            The TCO index (``out`` when given), dimensionless.
        """
        span = self.worst_usd - self.best_usd
        value = np.asarray(lifecycle_total_usd, dtype=np.float64)
        if out is None:
            # A scalar in, a scalar out.
            return self.index(value, out=np.empty(value.shape))[()]
        if span <= 0.0:
            # np.where first: out may be the input, whose NaNs it must see.
            out[...] = np.where(np.isnan(value), np.nan, 0.0)
            return out
        np.subtract(value, self.best_usd, out=out)
        np.divide(out, span, out=out)
        return np.clip(out, 0.0, 1.0, out=out)


def _candidates(item: ScenarioInput, base) -> list:
    if item.categorical:
        return list(range(len(item.categories)))
    if item.kind == "lever":
        lever = item.lever
        if lever.kind == "range":
            return list(dict.fromkeys([lever.low, lever.base, lever.high]))
        return list(lever.choices)
    dist = item.distribution
    if dist.categories is not None:
        return sorted({float(v) for v in dist.categories})
    quantiles = np.array([FACTOR_END_QUANTILES[0], 0.5, FACTOR_END_QUANTILES[1]])
    low, _, high = dist.ppf(quantiles)  # one call: each call sets up the inverse CDF
    return [float(low), base, float(high)]


def _start(item: ScenarioInput, base):
    return item.categories.index(base) if item.categorical else base


def _bounded_inputs(scenario: Scenario) -> list[ScenarioInput]:
    """The inputs the bounds vary: the levers, or the factors when there is no lever."""
    levers = [i for i in scenario.inputs.values() if i.kind == "lever"]
    return levers or [i for i in scenario.inputs.values() if i.kind == "factor"]


def _candidate_table(scenario: Scenario, varied: list[ScenarioInput]) -> dict:
    candidates = scenario.cache.get("tco_index_candidates")
    if candidates is None:
        base = scenario.base_values()  # cached: a median costs an inverse-CDF set-up
        candidates = {item.path: _candidates(item, base[item.path]) for item in varied}
        scenario.cache["tco_index_candidates"] = candidates
    return candidates


def _feasible_totals(scenario: Scenario, values: dict, rows: int) -> np.ndarray:
    """Lifecycle totals (USD) of ``rows`` input rows; NaN where a row is infeasible."""
    outputs, flags = model_outputs(input_matrix(scenario, values, rows))
    usable = (flags & col.STRUCTURAL_FLAGS) == 0
    return np.where(usable, outputs[:, col.OUT_LIFECYCLE_TOTAL], np.nan)


def _enumerated_extremes(scenario: Scenario, varied, candidates) -> tuple:
    """Best and worst over every combination of the candidates (USD, values)."""
    paths = [item.path for item in varied]
    plans = list(itertools.product(*(candidates[p] for p in paths)))
    columns = {p: np.asarray([plan[k] for plan in plans]) for k, p in enumerate(paths)}
    totals = _feasible_totals(scenario, columns, len(plans))
    if np.isnan(totals).all():
        return np.nan, {}, np.nan, {}
    low, high = int(np.nanargmin(totals)), int(np.nanargmax(totals))
    return (
        float(totals[low]),
        dict(zip(paths, plans[low], strict=True)),
        float(totals[high]),
        dict(zip(paths, plans[high], strict=True)),
    )


def extreme_case(scenario: Scenario, worst: bool) -> tuple[float, dict]:
    """Lowest (``worst=False``) or highest lifecycle total by coordinate search.

    Each varied input (the levers; the factors when there is no lever) in turn takes
    the candidate value that lowers (raises) the total most with the others held,
    until a sweep changes nothing (at most :data:`MAX_SWEEPS`); the other inputs stay
    at their base values (factors at their medians).

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    worst : bool
        Maximise instead of minimise.

    Returns
    -------
    lifecycle_total_usd : float
        The extreme feasible lifecycle total found (USD).
    values : dict
        The input values (category indices for categorical inputs) that give it.
    """
    varied = _bounded_inputs(scenario)
    base = scenario.base_values()
    current = {item.path: _start(item, base[item.path]) for item in varied}
    candidates = _candidate_table(scenario, varied)
    extreme = _feasible_totals(scenario, current, 1)[0]
    for _ in range(MAX_SWEEPS):
        changed = False
        for item in varied:
            options = list(candidates[item.path])
            if current[item.path] not in options:
                options.append(current[item.path])
            values = dict(current)
            values[item.path] = np.asarray(options)
            totals = _feasible_totals(scenario, values, len(options))
            totals = np.where(np.isnan(totals), -np.inf if worst else np.inf, totals)
            pick = int(np.argmax(totals) if worst else np.argmin(totals))
            here = totals[options.index(current[item.path])]
            # Move only on a strict gain, so ties cannot make the search cycle.
            if (totals[pick] > here) if worst else (totals[pick] < here):
                current[item.path] = options[pick]
                changed = True
            extreme = totals[options.index(current[item.path])]
        if not changed:
            break
    return float(extreme), current


def scenario_bounds(scenario: Scenario) -> IndexBounds:
    """Best and worst lifecycle totals of one scenario (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.

    Returns
    -------
    IndexBounds
        Bounds in USD and the input values that reach them.
    """
    varied = _bounded_inputs(scenario)
    candidates = _candidate_table(scenario, varied)
    # Python integers: np.prod wraps around in int64 (64 two-way levers give 0 plans),
    # and the enumeration of 2**64 plans that followed never ended.
    plans = math.prod(len(candidates[item.path]) for item in varied)
    if varied and varied[0].kind == "lever" and plans <= MAX_LEVER_PLANS:
        best, best_values, worst, worst_values = _enumerated_extremes(scenario, varied, candidates)
    else:
        best, best_values = extreme_case(scenario, worst=False)
        worst, worst_values = extreme_case(scenario, worst=True)
    return IndexBounds(best, worst, best_values, worst_values)


def pooled_bounds(scenarios: Sequence[Scenario]) -> IndexBounds:
    """Bounds pooled over scenarios being compared: the lowest best and highest worst.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The scenarios compared.

    Returns
    -------
    IndexBounds
        Pooled bounds (values of the scenario that reached each).
    """
    each = [scenario_bounds(s) for s in scenarios]
    best = min(each, key=lambda b: b.best_usd)
    worst = max(each, key=lambda b: b.worst_usd)
    return IndexBounds(best.best_usd, worst.worst_usd, best.best_values, worst.worst_values)
