"""The lever setting that minimises a risk measure of a KPI, under constraints, on CRN.

Every lever plan is evaluated on the same sampled factors (common random numbers: one
set of uniforms, drawn once), so the objective is a deterministic function of the levers
and two plans differ only through the levers. The search is exhaustive over the choice
levers (every combination: they are few, and cost is not monotone in categories) and,
within each combination, coordinate descent over the range levers with a bounded
scalar optimiser per lever (SciPy's bounded Brent method, plus both ends of the range,
where cost-optimal settings often sit). Sweeps repeat until no lever moves the objective
by more than 1e-9 relative (at most :data:`MAX_SWEEPS`). The lifecycle cost is a sum of
parts, each driven by few levers, so the interactions between range levers are weak and
coordinate descent converges in two or three sweeps; the choice levers, which interact
with everything (the accelerator sets the fleet, the power, the training), are not
searched by descent but enumerated.

Objectives of the KPI's samples: ``mean``, ``pNN`` (a percentile), ``cvarNN`` (the mean
of the worst (100 - NN)%), ``prob_over:BUDGET`` (the share above a budget). A plan is
admissible when at most ``max_infeasible`` of its samples are structurally infeasible
and every constraint ``output.stat <= value`` (or ``>=``) holds, ``stat`` as for the
objective. Intervals are paired bootstrap intervals over the samples.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.optimize import minimize_scalar

from results.provenance import provenance_attrs, scenario_attrs
from scenarios.scenario import Scenario
from simulate.engine.plan import sampling_plan
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import input_matrix

__all__ = ["Constraint", "PlanEvaluator", "measure", "optimize", "parse_constraint"]

MAX_SWEEPS = 4
BOOTSTRAP_RESAMPLES = 200
_STAT = re.compile(r"^(mean|p\d+(\.\d+)?|cvar\d+(\.\d+)?|prob_over:[-+0-9.eE]+)$")


def _check_stat(stat: str, where: str) -> None:
    if not _STAT.match(stat):
        raise ValueError(
            f"{where} = {stat!r}: use mean, pNN (e.g. p90), cvarNN (e.g. cvar95) or "
            "prob_over:BUDGET (e.g. prob_over:1e8)"
        )
    if stat.startswith("p") and not stat.startswith("prob") and not 0 < float(stat[1:]) < 100:
        raise ValueError(f"{where} = {stat!r}: the percentile must lie in (0, 100)")
    if stat.startswith("cvar") and not 0 < float(stat[4:]) < 100:
        raise ValueError(f"{where} = {stat!r}: the CVaR level must lie in (0, 100)")


def measure(values: np.ndarray, stat: str) -> float:
    """A risk measure of a sample (finite values only).

    Parameters
    ----------
    values : ndarray, shape (n,)
        Samples of a KPI, in its unit.
    stat : str
        ``mean``, ``pNN``, ``cvarNN`` (mean of the values at or above the NN-th
        percentile) or ``prob_over:BUDGET`` (share of values above BUDGET, in 1).

    Returns
    -------
    float
        In the KPI's unit, except ``prob_over`` (a share).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return math.nan
    if stat == "mean":
        return float(finite.mean())
    if stat.startswith("prob_over:"):
        return float(np.mean(finite > float(stat.split(":", 1)[1])))
    if stat.startswith("cvar"):
        level = float(stat[4:])
        threshold = np.percentile(finite, level)
        return float(finite[finite >= threshold].mean())
    return float(np.percentile(finite, float(stat[1:])))


@dataclass(frozen=True)
class Constraint:
    """``output.stat <= bound`` (or ``>=``), e.g. ``tpot_s.p95 <= 0.05``."""

    output: str
    stat: str
    upper: bool
    bound: float

    def holds(self, outputs: np.ndarray, usable: np.ndarray) -> bool:
        """Whether the plan's samples meet the constraint."""
        value = measure(outputs[usable, col.OUTPUT_INDEX[self.output]], self.stat)
        return value <= self.bound if self.upper else value >= self.bound

    def __str__(self) -> str:
        return f"{self.output}.{self.stat} {'<=' if self.upper else '>='} {self.bound:g}"


def parse_constraint(text: str) -> Constraint:
    """Parse ``output.stat<=value`` or ``output.stat>=value``.

    Parameters
    ----------
    text : str
        E.g. ``"tpot_s.p95<=0.05"``, ``"lifecycle_total.p90<=1.2e8"``.

    Returns
    -------
    Constraint
    """
    match = re.match(r"^\s*([a-z0-9_]+)\.(\S+?)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$", text)
    if not match:
        raise ValueError(
            f"constraint {text!r}: write OUTPUT.STAT<=VALUE or >=, e.g. tpot_s.p95<=0.05"
        )
    output, stat, op, bound = match.groups()
    if output not in col.OUTPUT_INDEX:
        from scenarios.errors import did_you_mean

        raise ValueError(
            f"constraint {text!r}: {output!r} is not an output"
            f"{did_you_mean(output, col.OUTPUT_INDEX)}"
        )
    _check_stat(stat, f"constraint {text!r}: statistic")
    return Constraint(output, stat, op == "<=", float(bound))


class PlanEvaluator:
    """The model on one fixed set of sampled factors, for any lever setting.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario; its levers are set per call, its factors sampled once.
    n : int
        Samples.
    seed : int
        Seed of the uniforms (NumPy's default generator).
    """

    def __init__(self, scenario: Scenario, n: int, seed: int):
        if n < 100:
            raise ValueError(f"n = {n}: an optimisation needs at least 100 samples per plan")
        self.scenario = scenario
        self.n = n
        plan = sampling_plan(scenario)
        unit = np.random.default_rng(seed).random((n, plan.dims))
        values = plan.transform(unit)
        self._factors = {}
        for j, item in enumerate(plan.inputs):
            column = values[:, j]
            self._factors[item.path] = column.astype(np.int64) if item.categorical else column
        self._buffer = np.empty((n, col.N_INPUTS))
        self.evaluations = 0

    def outputs(self, setting: dict) -> tuple[np.ndarray, np.ndarray]:
        """Outputs ``(n, N_OUTPUTS)`` and the structural-feasibility mask of a setting.

        Parameters
        ----------
        setting : dict
            Lever key path to value (a choice name for categorical levers).
        """
        values = {**self._factors, **setting}
        outputs, flags = model_outputs(input_matrix(self.scenario, values, self.n, self._buffer))
        self.evaluations += 1
        return outputs, (flags & col.STRUCTURAL_FLAGS) == 0


@dataclass
class _Search:
    evaluator: PlanEvaluator
    kpi: int
    objective: str
    constraints: Sequence[Constraint]
    max_infeasible: float
    cache: dict

    def score(self, setting: dict) -> float:
        """The objective of a setting; inf when it is not admissible."""
        key = tuple(
            sorted(
                (k, v if isinstance(v, str) else round(float(v), 12)) for k, v in setting.items()
            )
        )
        if key in self.cache:
            return self.cache[key]
        outputs, usable = self.evaluator.outputs(setting)
        value = math.inf
        if 1.0 - usable.mean() <= self.max_infeasible and all(
            c.holds(outputs, usable) for c in self.constraints
        ):
            value = measure(outputs[usable, self.kpi], self.objective)
            if not math.isfinite(value):
                value = math.inf
        self.cache[key] = value
        return value

    def descend(self, setting: dict, ranges: Sequence) -> tuple[dict, float]:
        """Coordinate descent over the range levers from ``setting``."""
        best = self.score(setting)
        for _ in range(MAX_SWEEPS):
            before = best
            for item in ranges:
                low, high = float(item.lever.low), float(item.lever.high)

                def along(v, path=item.path, current=setting):
                    return self.score({**current, path: float(v)})

                found = minimize_scalar(
                    along,
                    bounds=(low, high),
                    method="bounded",
                    options={"xatol": (high - low) * 1e-3, "maxiter": 30},
                )
                candidates = [(along(low), low), (along(high), high)]
                if np.isfinite(found.fun):
                    candidates.append((float(found.fun), float(found.x)))
                candidates.append((best, setting[item.path]))
                value, where = min(candidates, key=lambda c: c[0])
                if value < best:
                    setting, best = {**setting, item.path: where}, value
            gained = best < before - 1e-9 * abs(before) if math.isfinite(before) else best < before
            if not gained:
                break
        return setting, best


def _bootstrap(a: np.ndarray, b: np.ndarray | None, stat: str, rng, confidence: float):
    """Bootstrap interval of ``measure(a)`` or, with ``b``, of ``measure(b) - measure(a)``."""
    n = a.shape[0]
    draws = np.empty(BOOTSTRAP_RESAMPLES)
    for k in range(BOOTSTRAP_RESAMPLES):
        pick = rng.integers(0, n, n)
        draws[k] = (
            measure(a[pick], stat) if b is None else measure(b[pick], stat) - measure(a[pick], stat)
        )
    tail = 50.0 * (1.0 - confidence)
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return math.nan, math.nan
    return float(np.percentile(finite, tail)), float(np.percentile(finite, 100.0 - tail))


def optimize(
    scenario: Scenario,
    kpi: str = "lifecycle_total",
    objective: str = "mean",
    constraints: Sequence[str | Constraint] = (),
    n: int = 100_000,
    seed: int = 0,
    max_infeasible: float = 0.01,
    confidence: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Search the scenario's levers for the setting that minimises ``objective`` of ``kpi``.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (at least one lever).
    kpi : str
        Output minimised, in its unit (a cost: outputs that are better when higher are
        refused, see :func:`simulate.model.columns.better_direction`).
    objective : str
        ``mean``, ``pNN``, ``cvarNN`` or ``prob_over:BUDGET`` (see :func:`measure`).
    constraints : sequence of str or Constraint
        E.g. ``"tpot_s.p95<=0.05"`` (see :func:`parse_constraint`).
    n : int
        Samples per plan (the same factors for every plan).
    seed : int
        Seed of the sampled factors and of the bootstrap.
    max_infeasible : float
        Largest share of structurally infeasible samples a plan may have (0-1).
    confidence : float
        Level of the bootstrap intervals.
    progress : callable(done, total), optional
        Called after each combination of the choice levers.

    Returns
    -------
    xarray.Dataset
        Dim ``plan`` (the best setting of each combination of the choice levers, best
        first): ``objective`` with ``objective_low``/``_high``, ``difference_to_best``
        with its interval, ``not_worse`` (the interval includes 0), one variable per
        lever with its setting; attrs: the best setting, the base plan's objective and
        the paired improvement over it with its interval, the method and provenance.
    """
    if kpi not in col.OUTPUT_INDEX:
        from scenarios.errors import did_you_mean

        raise ValueError(f"KPI {kpi!r} is not an output{did_you_mean(kpi, col.OUTPUT_INDEX)}")
    _check_stat(objective, "objective")
    if not 0.0 <= max_infeasible < 1.0:
        raise ValueError(f"max_infeasible = {max_infeasible}: must lie in [0, 1)")
    parsed = [c if isinstance(c, Constraint) else parse_constraint(c) for c in constraints]
    levers = scenario.levers()
    if not levers:
        raise ValueError(
            f"scenario {scenario.name}: no levers to optimise; declare at least one "
            '{lever = "range", ...} or {lever = "choice", ...}'
        )
    if col.better_direction(kpi) == "higher":
        raise ValueError(
            f"KPI {kpi!r} is better when higher; the search minimises: choose a cost, e.g. "
            "lifecycle_total or token_cost_per_1k"
        )
    evaluator = PlanEvaluator(scenario, n, seed)
    search = _Search(evaluator, col.OUTPUT_INDEX[kpi], objective, parsed, max_infeasible, {})
    choices = [i for i in levers if i.lever.kind == "choice"]
    ranges = [i for i in levers if i.lever.kind == "range"]
    base = {i.path: i.lever.base for i in levers}
    combos = list(itertools.product(*(i.lever.choices for i in choices)))
    results = []
    for k, combo in enumerate(combos):
        start = {**base, **dict(zip((i.path for i in choices), combo, strict=True))}
        setting, value = search.descend(start, ranges)
        results.append((value, setting))
        if progress is not None:
            progress(k + 1, len(combos))
    results.sort(key=lambda r: r[0])
    return _dataset(
        scenario,
        evaluator,
        search,
        results,
        base,
        kpi,
        objective,
        parsed,
        seed,
        confidence,
        max_infeasible,
    )


def _dataset(
    scenario,
    evaluator,
    search,
    results,
    base,
    kpi,
    objective,
    constraints,
    seed,
    confidence,
    max_infeasible,
):
    rng = np.random.default_rng(seed + 1)
    index = col.OUTPUT_INDEX[kpi]
    best_value, best_setting = results[0]
    if not math.isfinite(best_value):
        raise ValueError(
            f"scenario {scenario.name}: no lever setting meets the constraints "
            f"({', '.join(map(str, constraints)) or 'none'}) with at most {max_infeasible:.0%} "
            "infeasible samples; relax a constraint or widen the levers"
        )
    best_out, best_ok = evaluator.outputs(best_setting)
    best_kpi = np.where(best_ok, best_out[:, index], np.nan)
    rows = []
    for value, setting in results:
        if not math.isfinite(value):
            rows.append((value, setting, math.nan, math.nan, math.nan, math.nan, math.nan, False))
            continue
        out, ok = evaluator.outputs(setting)
        values = np.where(ok, out[:, index], np.nan)
        low, high = _bootstrap(values, None, objective, rng, confidence)
        difference = value - best_value
        d_low, d_high = _bootstrap(best_kpi, values, objective, rng, confidence)
        not_worse = bool(d_low <= 0.0 <= d_high) or setting == best_setting
        rows.append((value, setting, low, high, difference, d_low, d_high, not_worse))
    base_value = search.score(base)
    base_out, base_ok = evaluator.outputs(base)
    base_kpi = np.where(base_ok, base_out[:, index], np.nan)
    improvement_low, improvement_high = _bootstrap(base_kpi, best_kpi, objective, rng, confidence)
    unit = col.OUTPUTS[index].unit
    objective_unit = "1" if objective.startswith("prob_over") else unit
    lever_vars = {}
    for path in base:
        settings = [setting[path] for _, setting, *_ in rows]
        dtype = str if isinstance(settings[0], str) else np.float64
        lever_vars[path] = (
            ("plan",),
            np.array(settings, dtype=dtype),
            {"long_name": f"setting of the lever {path}"},
        )
    data_vars = {
        "objective": (("plan",), np.array([r[0] for r in rows]), {"units": objective_unit}),
        "objective_low": (("plan",), np.array([r[2] for r in rows]), {"units": objective_unit}),
        "objective_high": (("plan",), np.array([r[3] for r in rows]), {"units": objective_unit}),
        "difference_to_best": (
            ("plan",),
            np.array([r[4] for r in rows]),
            {"units": objective_unit, "long_name": "objective minus the best plan's (paired)"},
        ),
        "difference_low": (("plan",), np.array([r[5] for r in rows]), {"units": objective_unit}),
        "difference_high": (("plan",), np.array([r[6] for r in rows]), {"units": objective_unit}),
        "not_worse": (
            ("plan",),
            np.array([r[7] for r in rows]),
            {"long_name": "paired bootstrap interval of the difference to the best includes 0"},
        ),
        **lever_vars,
    }
    attrs = {
        **provenance_attrs("optimize", f"lifecycle-tco optimisation of {scenario.name}"),
        "kpi": kpi,
        "kpi_units": unit,
        "objective": objective,
        "objective_units": objective_unit,
        "constraints": "; ".join(map(str, constraints)),
        "max_infeasible": max_infeasible,
        "best_objective": best_value,
        "best_setting": _setting_words(best_setting),
        "base_objective": base_value,
        "base_setting": _setting_words(base),
        "improvement": base_value - best_value,
        "improvement_low": -improvement_high,
        "improvement_high": -improvement_low,
        "n_samples": evaluator.n,
        "seed": seed,
        "confidence": confidence,
        "evaluations": evaluator.evaluations,
        "choice_levers": " ".join(
            item.path for item in scenario.levers() if item.lever.kind == "choice"
        ),
        "method": (
            "exhaustive over the choice levers; within each combination coordinate descent "
            "over the range levers (SciPy bounded Brent per lever, plus both range ends), "
            "all plans on the same sampled factors (common random numbers); intervals: "
            f"paired bootstrap over samples ({BOOTSTRAP_RESAMPLES} resamples)"
        ),
    }
    attrs.update(scenario_attrs(scenario))
    attrs = {k: (float(v) if isinstance(v, np.floating) else v) for k, v in attrs.items()}
    return xr.Dataset(data_vars, coords={"plan": np.arange(len(rows))}, attrs=attrs)


def _setting_words(setting: dict) -> str:
    """A lever plan as text for people: ``hardware.accelerator = MI300X; ... = 72.45%``.

    Numbers are written in their input's units to four significant digits (the exact
    values are the dataset's lever variables).
    """
    from results.human import human, trim_zeros
    from scenarios.schema import FIELDS_BY_PATH

    words = []
    for key, value in setting.items():
        if isinstance(value, str):
            words.append(f"{key} = {value}")
            continue
        unit = getattr(FIELDS_BY_PATH.get(key), "unit", "")
        words.append(f"{key} = {trim_zeros(human(float(value), unit, name=key, digits=4))}")
    return "; ".join(words)
