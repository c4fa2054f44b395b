"""Sobol indices of a decision: what drives the paired difference B - A, not the level.

The analysed function is ``D(x) = KPI_B(x) - KPI_A(x)`` over the union of the two
scenarios' uncertain factors (levers at their base in both). A factor both scenarios
share is one input: each scenario maps the same uniform through its own marginal, as
``tco compare`` does on common random numbers; a factor only one scenario has is an
input of that scenario alone. The design, estimators, bootstrap intervals and
infeasible-point policy are those of :func:`simulate.sensitivity.sobol.sobol`.
A factor with a large index on ``D`` moves the choice; one with a large index on the
level but none on ``D`` moves both options alike and cannot change the choice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from results.provenance import provenance_attrs, scenario_attrs
from scenarios.scenario import Scenario
from simulate.engine.plan import SamplingPlan, sampling_plan
from simulate.engine.seeding import (
    SOBOL_BOOTSTRAP_KEY,
    SOBOL_DESIGN_KEY,
    as_seed_sequence,
    derived_seed,
    seed_to_int,
)
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.sensitivity.sobol import (
    SobolProblem,
    _Analysis,
    _analyze,
    _indices_dataset,
    design,
)

__all__ = ["difference_problem", "sobol_difference"]


def difference_problem(a: Scenario, b: Scenario) -> tuple[SobolProblem, list[SamplingPlan]]:
    """The union of two scenarios' factors as one Sobol problem, and each scenario's plan.

    Parameters
    ----------
    a, b : Scenario
        The baseline A and the alternative B.

    Returns
    -------
    problem : SobolProblem
        One design column per distinct factor key path (A's first, then B's own).
    plans : [SamplingPlan, SamplingPlan]
        Each scenario's own factors and marginals.
    """
    plans = [sampling_plan(a), sampling_plan(b)]
    inputs, dists, seen = [], [], set()
    for plan in plans:
        for item, dist in zip(plan.inputs, plan.distributions, strict=True):
            if item.path not in seen:
                seen.add(item.path)
                inputs.append(item)
                dists.append(dist)
    if len(inputs) < 2:
        raise ValueError(
            f"scenarios {a.name} and {b.name}: a Sobol analysis of their difference needs "
            f"at least two uncertain factors, found {len(inputs)}"
        )
    return SobolProblem(SamplingPlan(a, tuple(inputs), tuple(dists)), None), plans


def _kpi_values(plan: SamplingPlan, union: list[str], points: np.ndarray, index: int):
    columns = [union.index(path) for path in plan.paths]
    values = plan.transform_independent(np.ascontiguousarray(points[:, columns]))
    outputs, flags = model_outputs(plan.kernel_inputs(values))
    kpi = outputs[:, index]
    return np.where((flags & col.STRUCTURAL_FLAGS) == 0, kpi, np.nan)


def sobol_difference(
    a: Scenario,
    b: Scenario,
    n: int = 2**14,
    seed: int = 0,
    kpis: Sequence[str] = ("lifecycle_total",),
    resamples: int = 100,
    confidence: float = 0.95,
):
    """First- and total-order Sobol indices of ``KPI_B - KPI_A`` for each KPI.

    Parameters
    ----------
    a, b : Scenario
        The baseline A and the alternative B.
    n : int
        Base sample count N (a power of two); model runs ``2 N (D + 2)``.
    seed : int
        Root seed of the design scrambling and the bootstrap.
    kpis : sequence of str
        Outputs whose paired difference is analysed.
    resamples, confidence : int, float
        Bootstrap resamples and level of the intervals.

    Returns
    -------
    xarray.Dataset
        As :func:`simulate.sensitivity.sobol.sobol`, with KPI labels ``"<kpi> (B - A)"``
        and both scenarios' provenance; kind ``sobol``.
    """
    for kpi in kpis:
        if kpi not in col.OUTPUT_INDEX:
            from scenarios.errors import did_you_mean

            raise ValueError(f"KPI {kpi!r} is not an output{did_you_mean(kpi, col.OUTPUT_INDEX)}")
    problem, plans = difference_problem(a, b)
    root = as_seed_sequence(seed)
    analysis = _Analysis(
        False,
        "numba",
        resamples,
        confidence,
        derived_seed(root, SOBOL_DESIGN_KEY),
        derived_seed(root, SOBOL_BOOTSTRAP_KEY),
    )
    points = design(problem, n, False, analysis.design_seed)
    union = problem.plan.paths
    outputs = np.empty((points.shape[0], len(kpis)))
    for k, kpi in enumerate(kpis):
        index = col.OUTPUT_INDEX[kpi]
        value_a = _kpi_values(plans[0], union, points, index)
        value_b = _kpi_values(plans[1], union, points, index)
        outputs[:, k] = value_b - value_a
    per_kpi = _analyze(problem, outputs, analysis)
    ds = _indices_dataset(problem, list(kpis), [(n, 0.0, per_kpi)], False, with_history=False)
    ds = ds.assign_coords(kpi=[f"{kpi} (B - A)" for kpi in kpis])
    only = {path for plan in plans for path in plan.paths} - (
        set(plans[0].paths) & set(plans[1].paths)
    )
    ds.attrs.update(
        {
            **provenance_attrs(
                "sobol", f"lifecycle-tco Sobol indices of {b.name} - {a.name} (paired)"
            ),
            **scenario_attrs(a),
            **scenario_attrs(a, prefix="scenario_a_"),
            **scenario_attrs(b, prefix="scenario_b_"),
            "difference": f"{b.name} - {a.name}, paired on common uniforms",
            "N": n,
            "model_evaluations": 2 * int(points.shape[0]),
            "seed": seed_to_int(root),
            "estimator": "numba",
            "resamples": resamples,
            "confidence": confidence,
            "varied_inputs": " ".join(union),
            "factors_in_one_scenario_only": " ".join(sorted(only)),
            "infeasible_policy": "base points with any infeasible sample (in A or B) in their "
            "block are dropped",
            "correlation_note": "factors sampled independently (correlations ignored)",
            "levers": "at their base in both scenarios (only the factors vary)",
        }
    )
    return ds
