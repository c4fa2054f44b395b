"""The TCO index: where a lifecycle total lies between the best and worst cases.

``TCO index = clip((lifecycle_total - best) / (worst - best), 0, 1)``, higher is
worse. ``best`` and ``worst`` are the lowest and highest lifecycle totals of the
scenario space: every lever at an end of its range (or any of its choices) and
every factor at its 1st or 99th percentile (or any category), chosen to minimise
(best) or maximise (worst) cost. Because cost is not monotone in every input
(utilisation has an SLA knee; accelerator generations are categories), the ends
are found by coordinate search from the base case (each input tried at its
candidate values with the others held, sweeps repeated until nothing changes).
When scenarios are compared, ``best`` and ``worst`` are pooled: the minimum and
maximum over all of them, so one index scale serves every scenario.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scenarios.scenario import Scenario, ScenarioInput
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import input_matrix

FACTOR_END_QUANTILES = (0.01, 0.99)
MAX_SWEEPS = 4

DEFINITION = (
    "TCO index = (lifecycle_total - best) / (worst - best), clipped to [0, 1], higher is worse; "
    "best/worst = lowest/highest lifecycle total with every lever at a range end or choice and "
    "every factor at its P1 or P99 (coordinate search from the base case), pooled over the "
    "scenarios compared"
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
        return [lever.low, lever.base, lever.high] if lever.kind == "range" else list(lever.choices)
    dist = item.distribution
    if dist.categories is not None:
        return sorted({float(v) for v in dist.categories})
    quantiles = np.array([FACTOR_END_QUANTILES[0], 0.5, FACTOR_END_QUANTILES[1]])
    low, _, high = dist.ppf(quantiles)  # one call: each call sets up the inverse CDF
    return [float(low), base, float(high)]


def _start(item: ScenarioInput, base):
    return item.categories.index(base) if item.categorical else base


def extreme_case(scenario: Scenario, worst: bool) -> tuple[float, dict]:
    """Lowest (``worst=False``) or highest lifecycle total over the scenario space.

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
    varied = [i for i in scenario.inputs.values() if i.kind != "constant"]
    base = scenario.base_values()  # cached: a median costs an inverse-CDF set-up
    current = {item.path: _start(item, base[item.path]) for item in varied}
    candidates = scenario.cache.get("tco_index_candidates")
    if candidates is None:
        candidates = {item.path: _candidates(item, base[item.path]) for item in varied}
        scenario.cache["tco_index_candidates"] = candidates
    outputs, flags = model_outputs(input_matrix(scenario, current, 1))
    extreme = outputs[0, col.OUT_LIFECYCLE_TOTAL]
    for _ in range(MAX_SWEEPS):
        changed = False
        for item in varied:
            options = list(candidates[item.path])
            if current[item.path] not in options:
                options.append(current[item.path])
            values = dict(current)
            values[item.path] = np.asarray(options)
            outputs, flags = model_outputs(input_matrix(scenario, values, len(options)))
            usable = (flags & col.STRUCTURAL_FLAGS) == 0
            totals = np.where(
                usable, outputs[:, col.OUT_LIFECYCLE_TOTAL], -np.inf if worst else np.inf
            )
            pick = int(np.argmax(totals) if worst else np.argmin(totals))
            here = totals[options.index(current[item.path])]
            # Move only on a strict gain, so ties cannot make the search cycle.
            if (totals[pick] > here) if worst else (totals[pick] < here):
                current[item.path] = options[pick]
                changed = True
            extreme = totals[options.index(current[item.path])]
        if not changed:
            break
    best_value = extreme
    return float(best_value), current


def scenario_bounds(scenario: Scenario) -> IndexBounds:
    """Best and worst lifecycle totals of one scenario.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.

    Returns
    -------
    IndexBounds
        Bounds in USD and the input values that reach them.
    """
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
