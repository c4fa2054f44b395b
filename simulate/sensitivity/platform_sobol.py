"""Sobol indices of a platform's total: which model's uncertainty, or which shared factor,
drives the platform's cost (``tco sobol PLATFORM``).

The analysed inputs are the platform's design columns (:func:`simulate.engine.platform_columns.
platform_columns`): one column per shared factor (one site, one hardware market), one per
workload and factor for the rest. The analysed functions are the platform's totals in a
state of the world: the sum over workloads of the lifecycle cost and of the present
value, with the shared pools' empty node slots in that state (:mod:`simulate.model.
pooling`), and the platform's cost per 1,000 tokens (total cost over total tokens).

With 140 columns for ten models, one index per column says little and costs ``N (D + 2)``
kernel runs per workload. So the columns are grouped (SALib groups, Jansen's and
Saltelli's estimators applied to the group as one input; Saltelli 2002, section 3):

- ``workload`` (default): all of a workload's own factors are one group named after it;
  each shared factor stays on its own. ``ST`` of ``assistant-70b`` is then the share of
  the platform total's variance that involves that model's demand, serving efficiency
  and staff; a shared factor's ``ST`` what one site or market adds.
- ``tier``: the own factors of every workload of a tier are one group.
- ``factor``: one factor across the workloads (``demand.requests_per_day`` of all ten
  models) is one group: which kind of uncertainty matters platform-wide.
- ``none``: every column alone.

Levers stay at their base, factors are sampled independently (Sobol indices assume
independent inputs), and a base point whose block holds a sample where any workload is
structurally infeasible is dropped, as in :func:`simulate.sensitivity.sobol.sobol`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from results.provenance import platform_attrs, provenance_attrs
from scenarios.platform import Platform, load_platform
from simulate.engine.chunks import sample_outputs_into
from simulate.engine.executor import local_if_none
from simulate.engine.plan import SamplingPlan
from simulate.engine.platform_columns import platform_columns, pooling_of, year_numbers
from simulate.engine.seeding import (
    SOBOL_BOOTSTRAP_KEY,
    SOBOL_DESIGN_KEY,
    as_seed_sequence,
    derived_seed,
    seed_to_int,
)
from simulate.model import columns as col
from simulate.model.pooling import pool_line_names, pools_slot_totals
from simulate.sensitivity.sobol import (
    EVALUATION_CHUNK,
    _Analysis,
    _check_options,
    _converge,
    _indices_dataset,
    evaluate_in_chunks,
)

__all__ = [
    "GROUP_BY",
    "PLATFORM_KPIS",
    "PlatformSobolProblem",
    "platform_sobol",
    "platform_sobol_problem",
]

#: Ways of grouping the platform's columns, and what each answers.
GROUP_BY = {
    "workload": "each workload's own factors as one group, each shared factor alone",
    "tier": "the own factors of a tier's workloads as one group, each shared factor alone",
    "factor": "one factor across the workloads as one group",
    "none": "every column alone",
}

#: Platform KPIs: name -> (unit, meaning).
PLATFORM_KPIS = {
    "platform_cost": ("USD", "platform lifecycle cost: the sum of the workloads' totals"),
    "platform_present_value": (
        "USD",
        "present value of the platform's cash flows: the sum of the workloads' present values",
    ),
    "platform_token_cost_per_1k": (
        "USD/1k tokens",
        "platform cost per 1,000 tokens: total cost over total tokens in the state",
    ),
}
DEFAULT_PLATFORM_KPIS = ("platform_cost", "platform_token_cost_per_1k")


@dataclass(frozen=True)
class PlatformSobolProblem:
    """The platform's design columns as one Sobol problem, grouped.

    Attributes
    ----------
    plans : tuple of SamplingPlan
        Each workload's sampling plan (its factors, levers at base).
    picks : tuple of ndarray of int64
        For each workload, the design column of each of its plan's inputs.
    columns : tuple of str
        Label of each design column: a shared factor's key path, or
        ``WORKLOAD:key.path``.
    groups : tuple of str
        Group of each column (SALib style).
    group_by : str
        A key of :data:`GROUP_BY`.
    """

    plans: tuple[SamplingPlan, ...]
    picks: tuple[np.ndarray, ...]
    columns: tuple[str, ...]
    groups: tuple[str, ...]
    group_by: str

    @property
    def params(self) -> list[str]:
        """Analysed parameters: the groups, in first-seen order."""
        return list(dict.fromkeys(self.groups))

    @property
    def kinds(self) -> list[str]:
        """``factor`` for a parameter that is one column, ``group`` otherwise."""
        sizes = {name: self.groups.count(name) for name in self.params}
        return ["factor" if sizes[name] == 1 else "group" for name in self.params]

    def members(self, param: str) -> list[str]:
        """The column labels of one parameter."""
        return [c for c, g in zip(self.columns, self.groups, strict=True) if g == param]

    def salib_problem(self) -> dict:
        """The problem dict of SALib on the unit cube (the transform happens afterwards)."""
        return {
            "num_vars": len(self.columns),
            "names": list(self.columns),
            "bounds": [[0.0, 1.0]] * len(self.columns),
            "groups": list(self.groups),
        }


def platform_sobol_problem(platform: Platform, group_by: str = "workload") -> PlatformSobolProblem:
    """Group a platform's design columns for a Sobol analysis.

    Parameters
    ----------
    platform : Platform
        A validated platform.
    group_by : str
        A key of :data:`GROUP_BY`.

    Returns
    -------
    PlatformSobolProblem
        Columns in the order of :func:`simulate.engine.platform_columns.platform_columns`.
    """
    if group_by not in GROUP_BY:
        raise ValueError(
            f"group_by = {group_by!r}: must be one of {', '.join(GROUP_BY)} "
            f"({'; '.join(f'{k}: {v}' for k, v in GROUP_BY.items())})"
        )
    design = platform_columns(platform)
    tier_of = {w.name: w.tier for w in platform.workloads}
    groups = []
    for label in design.columns:
        workload, sep, path = label.partition(":")
        if not sep:  # a shared factor, or any column of a one-workload platform
            groups.append(label)
            continue
        groups.append(
            {"workload": workload, "tier": tier_of[workload], "factor": path, "none": label}[
                group_by
            ]
        )
    if len(set(groups)) < 2:
        raise ValueError(
            f"platform {platform.name}: grouping by {group_by} leaves {len(set(groups))} "
            "parameter; a Sobol analysis needs at least two (try --group-by none)"
        )
    return PlatformSobolProblem(
        plans=design.plans,
        picks=design.picks,
        columns=design.columns,
        groups=tuple(groups),
        group_by=group_by,
    )


def platform_kpis_at_points(job, points: np.ndarray) -> np.ndarray:
    """The platform KPIs at one chunk of unit-cube points (a task of any executor).

    Parameters
    ----------
    job : tuple
        The workloads' plans and design columns, the KPI names, the years of the plan,
        and the platform's pools (:func:`simulate.engine.platform_columns.pooling_of`, None
        without pools).
    points : ndarray of float64, shape (rows, columns)
        Unit-cube points of the platform's design.

    Returns
    -------
    ndarray of float64, shape (rows, len(kpis))
        Each KPI in its unit (:data:`PLATFORM_KPIS`); NaN where a workload is
        structurally infeasible.
    """
    plans, picks, kpis, years, pooling = job
    rows = points.shape[0]
    wanted = ("lifecycle_total", "present_value", *(f"tokens_year_{k}" for k in years))
    tokens_end = len(wanted)
    if pooling is not None:
        wanted += pool_line_names(len(years))
    index = np.array([col.OUTPUT_INDEX[name] for name in wanted], dtype=np.int64)
    lines = {}
    cost = np.zeros(rows)
    present_value = np.zeros(rows)
    tokens = np.zeros(rows)
    infeasible = np.zeros(rows, dtype=bool)
    values = np.empty((len(index), rows))
    flags = np.empty(rows, dtype=np.int64)
    for w, (plan, pick) in enumerate(zip(plans, picks, strict=True)):
        sample_outputs_into(
            plan, np.ascontiguousarray(points[:, pick]), index, values, flags, independent=True
        )
        cost += values[0]
        present_value += values[1]
        tokens += values[2:tokens_end].sum(axis=0)
        infeasible |= (flags & col.STRUCTURAL_FLAGS) != 0
        if pooling is not None and w in pooling[2]:
            # A copy: ``values`` is the next workload's buffer.
            lines[w] = (
                values[tokens_end:].reshape(len(col.POOL_YEAR_LINES), len(years), rows).copy()
            )
    if pooling is not None:
        # The shared pools' empty node slots (simulate.model.pooling).
        pools, months, discounts = pooling
        slot_cost, slot_value = pools_slot_totals(pools, lines, months, discounts)
        cost += slot_cost
        present_value += slot_value
    with np.errstate(invalid="ignore", divide="ignore"):
        per_1k = cost / tokens * 1000.0
    by_name = {
        "platform_cost": cost,
        "platform_present_value": present_value,
        "platform_token_cost_per_1k": per_1k,
    }
    result = np.stack([by_name[k] for k in kpis], axis=1)
    result[infeasible] = np.nan
    return result


def platform_sobol(
    platform: Platform | str,
    n: int = 2**12,
    seed: int | np.random.SeedSequence = 0,
    kpis: Sequence[str] = DEFAULT_PLATFORM_KPIS,
    group_by: str = "workload",
    *,
    overrides: Sequence[str] = (),
    second_order: bool = False,
    resamples: int = 100,
    confidence: float = 0.95,
    target_ci: float | None = None,
    max_n: int = 2**18,
    progress=None,
    executor=None,
):
    """Grouped Sobol indices of a platform's totals.

    Parameters
    ----------
    platform : Platform or str
        A validated platform, or a platform file or built-in name.
    n : int
        Base sample count N (a power of two); kernel runs ``N (G + 2)`` per workload, G
        the number of groups. With ``target_ci``, the starting N.
    seed : int or SeedSequence
        Root seed of the design scrambling and the bootstrap.
    kpis : sequence of str
        Keys of :data:`PLATFORM_KPIS`.
    group_by : str
        A key of :data:`GROUP_BY`.
    overrides : sequence of str
        ``key.path=value`` applied to every workload when ``platform`` is a name or path.
    second_order : bool
        Also estimate second-order indices between the groups.
    resamples, confidence : int, float
        Bootstrap resamples and level of the intervals.
    target_ci, max_n : float or None, int
        Double N until the widest half-width among each KPI's top three indices is below
        ``target_ci``, at most to ``max_n``.
    progress : callable(message) or None
        Called with a line of text after each round.
    executor : simulate.engine.distributed.DaskExecutor or None
        Evaluate chunks of the design on a Dask cluster; None evaluates them here.

    Returns
    -------
    xarray.Dataset
        As :func:`simulate.sensitivity.sobol.sobol` (dims ``kpi``, ``param``): one
        parameter per group, ``kind`` ``group`` or ``factor``, and ``members`` (param)
        listing each group's columns; platform provenance in attrs.
    """
    if not isinstance(platform, Platform):
        platform = load_platform(platform, overrides)
    kpis = list(kpis)
    unknown = [k for k in kpis if k not in PLATFORM_KPIS]
    if unknown:
        from scenarios.errors import did_you_mean

        raise ValueError(
            f"KPI {unknown[0]!r} is not a platform KPI{did_you_mean(unknown[0], PLATFORM_KPIS)}"
            f"; platform KPIs: {', '.join(PLATFORM_KPIS)}"
        )
    _check_options((), "numba", resamples, confidence, target_ci, n, max_n)  # KPIs checked above
    problem = platform_sobol_problem(platform, group_by)
    years = year_numbers(platform.horizon_years)
    root = as_seed_sequence(seed)
    analysis = _Analysis(
        second_order,
        "numba",
        resamples,
        confidence,
        derived_seed(root, SOBOL_DESIGN_KEY),
        derived_seed(root, SOBOL_BOOTSTRAP_KEY),
    )
    task_job = (problem.plans, problem.picks, tuple(kpis), years, pooling_of(platform))
    executor = local_if_none(executor)

    def evaluate(points: np.ndarray) -> np.ndarray:
        return evaluate_in_chunks(
            platform_kpis_at_points,
            task_job,
            points,
            len(kpis),
            executor,
            EVALUATION_CHUNK,
            "tco-platform-sobol",
        )

    evaluations, history = _converge(
        problem, kpis, analysis, (n, target_ci, max_n), progress, evaluate
    )
    ds = _indices_dataset(
        problem,
        kpis,
        history,
        second_order,
        with_history=target_ci is not None,
        units=[PLATFORM_KPIS[k][0] for k in kpis],
    )
    ds = ds.assign_coords(members=("param", [" ".join(problem.members(p)) for p in problem.params]))
    ds.attrs.update(
        {
            **provenance_attrs("sobol", f"lifecycle-tco Sobol indices of platform {platform.name}"),
            **platform_attrs(platform),
            "group_by": group_by,
            "group_by_meaning": GROUP_BY[group_by],
            "kpi_meanings": "; ".join(f"{k}: {PLATFORM_KPIS[k][1]}" for k in kpis),
            "N": history[-1][0],
            # Kernel runs: every design row is evaluated once per workload.
            "model_evaluations": evaluations * len(platform.workloads),
            "seed": seed_to_int(root),
            "seed_method": "design scrambling and bootstrap seeds derived from the root seed's "
            "child streams (simulate.engine.seeding.derived_seed)",
            "second_order": int(second_order),
            "estimator": "numba",
            "resamples": resamples,
            "confidence": confidence,
            "varied_inputs": " ".join(problem.columns),
            "groups": " ".join(
                f"{c}={g}" for c, g in zip(problem.columns, problem.groups, strict=True)
            ),
            "levers": "at their base in every workload (only the factors vary)",
            "infeasible_policy": "base points with a sample where any workload is structurally "
            "infeasible in their block are dropped (indices describe the feasible input space)",
            "correlation_note": "factors sampled independently (correlations ignored)",
            "executor": executor.describe(),
            "target_ci": np.nan if target_ci is None else target_ci,
        }
    )
    return ds
