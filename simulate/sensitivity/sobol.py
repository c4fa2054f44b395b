"""Sobol sensitivity indices of every lever and factor (``tco sobol``).

Pipeline: SALib's Sobol/Saltelli design in the unit cube -> the same inverse CDFs
as ``tco run`` (levers uniform over their range, choice levers discrete uniform,
factors through their distributions) -> the same cost kernel -> Sobol estimators
for each KPI: the streaming Numba estimator of :mod:`simulate.sensitivity.sobol_estimators`
(default) or SALib's own ``sobol.analyze`` (``estimator="salib"``).

- Sobol indices assume independent inputs. A scenario's rank correlations are
  therefore not applied here: factors are sampled independently, and the result
  says so (``correlation_note``).
- Infeasible samples would poison the estimators (NaN). Every base point whose
  block of rows contains an infeasible sample is dropped, so the indices describe
  the feasible part of the input space; the number dropped is reported per KPI.
- Convergence (``target_ci``): N doubles, reusing the points already evaluated
  (the design for 2N starts with the design for N), until the widest confidence
  half-width among the top indices is below the target, or the budget is hit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from results.provenance import provenance_attrs, scenario_attrs
from scenarios.scenario import Scenario
from simulate.engine.chunks import sample_outputs_into
from simulate.engine.executor import local_if_none
from simulate.engine.plan import SamplingPlan, lever_distribution
from simulate.engine.seeding import (
    BLOCK_SIZE,
    SOBOL_BOOTSTRAP_KEY,
    SOBOL_DESIGN_KEY,
    as_seed_sequence,
    derived_seed,
    seed_to_int,
)
from simulate.model import columns as col
from simulate.model.tco_index import TCO_INDEX, scenario_bounds

DEFAULT_KPIS = (*col.KPI_NAMES,)
DEFAULT_N = 2**14
ESTIMATORS = ("numba", "salib")
TOP_K_FOR_CONVERGENCE = 3
EVALUATION_CHUNK = 16 * BLOCK_SIZE
INDEX_LABELS = {
    "S1": "first-order Sobol index (Saltelli 2010)",
    "S1_conf": "half-width of the bootstrap confidence interval of S1",
    "ST": "total-order Sobol index (Jansen 1999)",
    "ST_conf": "half-width of the bootstrap confidence interval of ST",
    "S2": "second-order Sobol index (Saltelli 2002)",
    "S2_conf": "half-width of the bootstrap confidence interval of S2",
    "n_dropped": "base points dropped because a sample in their block was infeasible",
}


@dataclass(frozen=True)
class SobolProblem:
    """The inputs varied by a Sobol analysis and how they are grouped.

    Attributes
    ----------
    plan : SamplingPlan
        Sampled inputs (one design column each) and their marginals.
    groups : tuple of str or None
        Group name of each input, SALib style (None: every input on its own).
    """

    plan: SamplingPlan
    groups: tuple[str, ...] | None

    @property
    def params(self) -> list[str]:
        """Names of the analysed parameters: inputs, or groups in first-seen order."""
        if self.groups is None:
            return self.plan.paths
        return list(dict.fromkeys(self.groups))

    @property
    def kinds(self) -> list[str]:
        """``lever``, ``factor`` or ``group`` for each parameter."""
        if self.groups is None:
            return [item.kind for item in self.plan.inputs]
        kinds = []
        for name in self.params:
            members = [i for i, g in zip(self.plan.inputs, self.groups, strict=True) if g == name]
            if len(members) == 1 and members[0].path == name:
                kinds.append(members[0].kind)
            else:
                kinds.append("group")
        return kinds

    def salib_problem(self) -> dict:
        """The problem dict of SALib (unit bounds: the transform happens afterwards)."""
        problem = {
            "num_vars": self.plan.dims,
            "names": self.plan.paths,
            "bounds": [[0.0, 1.0]] * self.plan.dims,
        }
        if self.groups is not None:
            problem["groups"] = list(self.groups)
        return problem


def sobol_problem(
    scenario: Scenario,
    levers_only: bool = False,
    factors_only: bool = False,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> SobolProblem:
    """Choose the inputs of a Sobol analysis.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    levers_only, factors_only : bool
        Vary only the levers (factors at their medians) or only the factors (levers at
        base). Default: both, in one ranking.
    groups : mapping of str to sequence of str, optional
        Group name -> member key paths; members are analysed together (SALib groups),
        inputs in no group on their own.

    Returns
    -------
    SobolProblem
        The plan and grouping.
    """
    if levers_only and factors_only:
        raise ValueError("levers_only and factors_only exclude each other; give at most one")
    inputs, dists = [], []
    for item in scenario.inputs.values():
        if item.kind == "lever" and not factors_only:
            inputs.append(item)
            dists.append(lever_distribution(item))
        elif item.kind == "factor" and not levers_only:
            inputs.append(item)
            dists.append(item.distribution)
    if len(inputs) < 2:
        raise ValueError(
            f"scenario {scenario.name}: a Sobol analysis needs at least two varied inputs, "
            f"found {len(inputs)}; declare levers or uncertain factors"
        )
    plan = SamplingPlan(scenario, tuple(inputs), tuple(dists))
    group_of = None
    if groups:
        paths = plan.paths
        group_of = {path: path for path in paths}
        for name, members in groups.items():
            for member in members:
                if member not in group_of:
                    from scenarios.errors import did_you_mean

                    raise ValueError(
                        f"group {name}: {member!r} is not a varied input of this analysis"
                        f"{did_you_mean(member, paths)}; varied inputs: {', '.join(paths)}"
                    )
                if group_of[member] != member:
                    raise ValueError(
                        f"group {name}: {member!r} is already in group {group_of[member]!r}"
                    )
                group_of[member] = name
        group_of = tuple(group_of[path] for path in paths)
    return SobolProblem(plan, group_of)


def saltelli_design(salib_problem: dict, n: int, second_order: bool, seed: int) -> np.ndarray:
    """SALib's ``sobol.sample`` (Saltelli's scheme), built with array operations.

    The same scrambled Sobol' base sequence (``scipy.stats.qmc.Sobol`` of 2D
    dimensions and ``seed``) and the same row order per base point: A, then A with
    each parameter (group) taken from B, then (second order) B with it taken from A,
    then B. SALib builds the rows in a Python loop over points and parameters, which
    was about half of ``tco sobol``; this is a few whole-array ``where``. Tested equal to
    SALib's output element for element.

    Parameters
    ----------
    salib_problem : dict
        SALib's problem dict (``num_vars``, ``bounds``, optional ``groups``).
    n : int
        Base sample count N.
    second_order : bool
        Include the rows second-order indices need.
    seed : int
        Scrambling seed.

    Returns
    -------
    ndarray of float64, shape (N * (2 Dg + 2), D) or (N * (Dg + 2), D)
        Dg the number of parameters or groups, D of inputs, scaled to the bounds.
    """
    from scipy.stats import qmc

    d = int(salib_problem["num_vars"])
    groups = salib_problem.get("groups")
    if groups:
        from SALib.util import compute_groups_matrix

        _, names = compute_groups_matrix(groups)
        member = np.array([[groups[j] == name for j in range(d)] for name in names])
    else:
        member = np.eye(d, dtype=bool)
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, None, :d], base[:, None, d:]
    blocks = [a, np.where(member[None], b, a)]
    if second_order:
        blocks.append(np.where(member[None], a, b))
    blocks.append(b)
    points = np.concatenate(blocks, axis=1).reshape(-1, d)
    bounds = np.asarray(salib_problem["bounds"], dtype=np.float64)
    lower, upper = bounds[:, 0], bounds[:, 1]
    # SALib's scale_samples, in the same order of operations: x * (upper - lower) + lower.
    np.add(np.multiply(points, upper - lower, out=points), lower, out=points)
    return points


def design(problem: SobolProblem, n: int, second_order: bool, seed: int) -> np.ndarray:
    """SALib's Sobol/Saltelli design in the open unit cube.

    Parameters
    ----------
    problem : SobolProblem
        The analysis.
    n : int
        Base sample count N (a power of two).
    second_order : bool
        Include the rows second-order indices need.
    seed : int
        Scrambling seed (the design for 2N starts with the design for N).

    Returns
    -------
    ndarray of float64, shape (N * (2 D + 2), d) or (N * (D + 2), d)
        D the number of parameters (groups), d the number of inputs.
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"N = {n}: the Sobol design needs N a power of two, e.g. 2**14 = 16384")
    points = saltelli_design(problem.salib_problem(), n, second_order, seed)
    # Keep the inverse CDFs finite at the cube's faces (in place: at N = 2**20 the design
    # is gigabytes).
    np.clip(points, np.finfo(np.float64).tiny, 1.0 - np.finfo(np.float64).epsneg, out=points)
    return points


def kpis_at_design(
    problem: SobolProblem, points: np.ndarray, kpis: Sequence[str], executor=None
) -> np.ndarray:
    """KPIs at design points: independent marginals (no copula), then the cost kernel.

    Parameters
    ----------
    problem : SobolProblem
        The analysis.
    points : ndarray of float64, shape (rows, d)
        Unit-cube points.
    kpis : sequence of str
        Output names, or ``tco_index`` (the lifecycle total on the scenario's index
        scale, :mod:`simulate.model.tco_index`).
    executor : simulate.engine.distributed.DaskExecutor or None
        Evaluate the points in chunks as tasks on a Dask cluster (the same code
        per row, so the same bits); None evaluates them here.

    Returns
    -------
    ndarray of float64, shape (rows, len(kpis))
        KPI values; NaN where the sample is structurally infeasible.
    """
    index = tuple(col.OUTPUT_INDEX[_output_of(name)] for name in kpis)
    result = evaluate_in_chunks(
        kpis_at_points, (problem, index), points, len(kpis), executor, EVALUATION_CHUNK, "tco-sobol"
    )
    if TCO_INDEX in kpis:
        bounds = scenario_bounds(problem.plan.scenario)
        for k, name in enumerate(kpis):
            if name == TCO_INDEX:
                result[:, k] = bounds.index(result[:, k])
    for k, name in enumerate(kpis):
        threshold = tail_threshold(name)
        if threshold is not None:
            # 1 above the threshold, 0 at or below it, NaN (infeasible) kept.
            result[:, k] = np.where(np.isnan(result[:, k]), np.nan, result[:, k] > threshold)
    return result


def evaluate_in_chunks(task, job, points, width: int, executor, chunk: int, label: str):
    """``task(job, rows)`` over chunks of ``chunk`` design rows, here or on a cluster.

    Parameters
    ----------
    task : callable(job, ndarray) -> ndarray of shape (rows, width)
        A module-level function (Dask pickles it).
    job : object
        Its first argument, the same for every chunk.
    points : ndarray of float64, shape (rows, d)
        Unit-cube design points.
    width : int
        Values per row the task returns.
    executor : simulate.engine.distributed.DaskExecutor or None
        Where the chunks run; None here.
    chunk : int
        Rows per task.
    label : str
        The tasks' name on a cluster.

    Returns
    -------
    ndarray of float64, shape (rows, width)
        The chunks' results in row order.
    """
    result = np.empty((points.shape[0], width))
    ranges = [
        (start, min(start + chunk, points.shape[0])) for start in range(0, points.shape[0], chunk)
    ]

    def consume(i, values):
        start, stop = ranges[i]
        result[start:stop] = values

    local_if_none(executor).map_ordered(
        task,
        job,
        [(points[start:stop],) for start, stop in ranges],
        consume,
        result_bytes=chunk * width * 8,
        label=label,
    )
    return result


def tail_threshold(kpi: str) -> float | None:
    """The threshold of a tail-indicator KPI ``OUTPUT>VALUE`` (e.g. ``lifecycle_total>1e8``).

    Its Sobol indices split the variance of the indicator ``1[OUTPUT > VALUE]``, whose
    mean is the probability of exceeding the threshold: what drives the bad outcomes,
    rather than the level. None for a plain output name.
    """
    if ">" not in kpi:
        return None
    output, _, value = kpi.partition(">")
    if output not in col.OUTPUT_INDEX:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _output_of(kpi: str) -> str:
    # The TCO index is a clipped affine map of the lifecycle total, a tail indicator a
    # step of its output; both are applied afterwards.
    if kpi == TCO_INDEX:
        return "lifecycle_total"
    return kpi.partition(">")[0] if tail_threshold(kpi) is not None else kpi


def _kpi_unit(kpi: str) -> str:
    if kpi == TCO_INDEX or tail_threshold(kpi) is not None:
        return "1"
    return col.OUTPUTS[col.OUTPUT_INDEX[kpi]].unit


def kpis_at_points(job: tuple[SobolProblem, tuple[int, ...]], points: np.ndarray) -> np.ndarray:
    """KPIs at one chunk of design points (the task of :func:`kpis_at_design`).

    Parameters
    ----------
    job : (SobolProblem, tuple of int)
        The analysis and the kernel output columns of the KPIs.
    points : ndarray of float64, shape (rows, d)
        Unit-cube points.

    Returns
    -------
    ndarray of float64, shape (rows, len(index))
        KPI values; NaN where infeasible.
    """
    problem, index = job
    rows = points.shape[0]
    kpis = np.empty((len(index), rows))
    flags = np.empty(rows, dtype=np.int64)
    sample_outputs_into(
        problem.plan, points, np.asarray(index, dtype=np.int64), kpis, flags, independent=True
    )
    return kpis.T


def _analyze(problem, outputs, analysis):
    # Indices of every KPI column of ``outputs``, with the chosen estimator.
    from simulate.sensitivity.sobol_estimators import analyze, drop_incomplete

    second_order = analysis.second_order
    options = {
        "calc_second_order": second_order,
        "num_resamples": analysis.resamples,
        "conf_level": analysis.confidence,
        "seed": analysis.bootstrap_seed,
    }
    d = len(problem.params)
    per_kpi = []
    for k in range(outputs.shape[1]):
        y, dropped = drop_incomplete(outputs[:, k], d, second_order)
        if y.size == 0:
            nan = np.full(d, np.nan)
            result = {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
            if second_order:
                result |= {"S2": np.full((d, d), np.nan), "S2_conf": np.full((d, d), np.nan)}
        elif analysis.estimator == "salib":
            from SALib.analyze import sobol as sobol_analyze

            result = sobol_analyze.analyze(problem.salib_problem(), y, **options)
            result = {key: np.asarray(value) for key, value in result.items()}
        else:
            result = analyze(y, d, **options)
        per_kpi.append((result, dropped))
    return per_kpi


def _widest_top_half_width(per_kpi, k=TOP_K_FOR_CONVERGENCE) -> float:
    widest = 0.0
    for result, _ in per_kpi:
        st = np.nan_to_num(np.asarray(result["ST"]), nan=-np.inf)
        top = np.argsort(st)[::-1][:k]
        for key in ("S1_conf", "ST_conf"):
            widths = np.asarray(result[key])[top]
            if np.isfinite(widths).any():
                widest = max(widest, float(np.nanmax(widths)))
    return widest


def sobol(
    scenario: Scenario,
    n: int = DEFAULT_N,
    seed: int | np.random.SeedSequence = 0,
    kpis: Sequence[str] = DEFAULT_KPIS,
    second_order: bool = False,
    levers_only: bool = False,
    factors_only: bool = False,
    groups: Mapping[str, Sequence[str]] | None = None,
    estimator: str = "numba",
    resamples: int = 100,
    confidence: float = 0.95,
    target_ci: float | None = None,
    max_n: int = 2**20,
    progress=None,
    executor=None,
):
    """Sobol indices of every lever and factor for each KPI.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    n : int
        Base sample count N (a power of two). With ``target_ci``, the starting N.
    seed : int or SeedSequence
        Root seed (:func:`simulate.engine.seeding.as_seed_sequence`; 0 by default, so an
        analysis repeats unless asked otherwise). The design's scrambling and the
        bootstrap draw from two child streams of it (never SALib's unseeded 0).
    kpis : sequence of str
        Outputs to analyse (any name of :data:`simulate.model.columns.OUTPUTS`).
    second_order : bool
        Also estimate second-order indices S2 (twice the model evaluations).
    levers_only, factors_only : bool
        Restrict the varied inputs (see :func:`sobol_problem`).
    groups : mapping of str to sequence of str, optional
        Grouped indices (SALib groups).
    estimator : {"numba", "salib"}
        The streaming Numba estimator, or SALib's ``sobol.analyze``.
    resamples : int
        Bootstrap resamples for the confidence intervals.
    confidence : float
        Confidence level of the intervals.
    target_ci : float, optional
        Keep doubling N until the widest confidence half-width among each KPI's top
        three indices (by ST) is below this, or ``max_n`` is reached.
    max_n : int
        Budget for N with ``target_ci``.
    progress : callable(message) or None
        Called with a line of text after each evaluation round.
    executor : simulate.engine.distributed.DaskExecutor or None
        Evaluate the design's points as tasks on a Dask cluster (bit-identical
        indices); None evaluates them here.

    Returns
    -------
    xarray.Dataset
        Dims ``kpi``, ``param`` (and ``param2`` with second order): ``S1``,
        ``S1_conf``, ``ST``, ``ST_conf`` (``S2``, ``S2_conf``), ``n_dropped`` per
        KPI, the ``kind`` of each parameter; with ``target_ci`` the convergence
        history (dim ``step``); N, seed and provenance in attrs.
    """
    _check_options(kpis, estimator, resamples, confidence, target_ci, n, max_n)
    problem = sobol_problem(scenario, levers_only, factors_only, groups)
    kpis = list(kpis)
    root = as_seed_sequence(seed)
    analysis = _Analysis(
        second_order,
        estimator,
        resamples,
        confidence,
        derived_seed(root, SOBOL_DESIGN_KEY),
        derived_seed(root, SOBOL_BOOTSTRAP_KEY),
    )
    evaluations, history = _converge(
        problem,
        kpis,
        analysis,
        (n, target_ci, max_n),
        progress,
        lambda points: kpis_at_design(problem, points, kpis, executor),
    )
    ds = _indices_dataset(problem, kpis, history, second_order, with_history=target_ci is not None)
    correlation_note = (
        "scenario declares rank correlations; Sobol indices assume independent inputs, so the "
        "factors were sampled independently here (correlations ignored)"
        if scenario.copula is not None and not levers_only
        else "inputs independent"
    )
    ds.attrs.update(
        {
            **provenance_attrs("sobol", f"lifecycle-tco Sobol indices of scenario {scenario.name}"),
            **scenario_attrs(scenario),
            "N": history[-1][0],
            "model_evaluations": evaluations,
            "seed": seed_to_int(root),
            "seed_method": "design scrambling and bootstrap seeds derived from the root seed's "
            "child streams (simulate.engine.seeding.derived_seed)",
            "second_order": int(second_order),
            "estimator": estimator,
            "resamples": resamples,
            "confidence": confidence,
            "varied_inputs": " ".join(problem.plan.paths),
            "groups": ""
            if problem.groups is None
            else " ".join(
                f"{p}={g}" for p, g in zip(problem.plan.paths, problem.groups, strict=True)
            ),
            "levers": "uniform over their range; choice levers discrete uniform",
            "infeasible_policy": "base points with any infeasible sample in their block are "
            "dropped (indices describe the feasible input space)",
            "correlation_note": correlation_note,
            "executor": local_if_none(executor).describe(),
            "target_ci": np.nan if target_ci is None else target_ci,
        }
    )
    return ds


def _check_options(kpis, estimator, resamples, confidence, target_ci, n, max_n) -> None:
    unknown = [
        k
        for k in kpis
        if k not in col.OUTPUT_INDEX and k != TCO_INDEX and tail_threshold(k) is None
    ]
    if unknown:
        from scenarios.errors import did_you_mean

        raise ValueError(
            f"KPI {unknown[0]!r} is not an output{did_you_mean(unknown[0], col.OUTPUT_INDEX)}; "
            f"KPIs: {', '.join(col.KPI_NAMES)}, {TCO_INDEX}, or a tail indicator such as "
            "lifecycle_total>1e8 (any output of `tco calc --json` works)"
        )
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator = {estimator!r}: must be one of {', '.join(ESTIMATORS)}")
    if not isinstance(resamples, int) or resamples < 2:
        raise ValueError(f"resamples = {resamples!r}: need at least 2 bootstrap resamples")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must lie in (0, 1)")
    if target_ci is not None and not target_ci > 0:
        raise ValueError(f"target_ci = {target_ci}: must be a positive half-width, e.g. 0.02")
    if max_n < n:
        raise ValueError(f"max_n = {max_n} is below N = {n}")


@dataclass(frozen=True)
class _Analysis:
    """How each round is designed and analysed (see :func:`sobol`)."""

    second_order: bool
    estimator: str
    resamples: int
    confidence: float
    design_seed: int
    bootstrap_seed: int


def _converge(problem, kpis, analysis: _Analysis, budget, progress, evaluate):
    """Design, evaluate, analyse; with a target half-width double N until it is met.

    ``budget`` is ``(N, target_ci, max_n)``; ``evaluate(points)`` returns the KPIs at
    unit-cube design points, shape (rows, len(kpis)), NaN where infeasible. Returns the
    number of model evaluations and the history: per round ``(N, widest top-index
    half-width, per-KPI results)``, the last round being the answer.
    """
    n, target_ci, max_n = budget
    second_order = analysis.second_order
    outputs = np.empty((0, len(kpis)))
    history = []
    current = n
    while True:
        points = design(problem, current, second_order, analysis.design_seed)
        new = points[outputs.shape[0] :]  # the design for 2N starts with the one for N
        outputs = np.vstack([outputs, evaluate(new)])
        per_kpi = _analyze(problem, outputs, analysis)
        widest = _widest_top_half_width(per_kpi)
        history.append((current, widest, per_kpi))
        if progress is not None:
            progress(
                f"N = {current:,}: {outputs.shape[0]:,} model evaluations, widest top-index "
                f"half-width {widest:.4f}"
            )
        if target_ci is None or widest < target_ci or current * 2 > max_n:
            return int(outputs.shape[0]), history
        current *= 2


def _indices_dataset(problem, kpis, history, second_order, with_history, units=None):
    """The indices of the last round (and the convergence history) as a labelled dataset.

    ``units`` gives each KPI's unit; None reads them from the kernel's outputs.
    """
    import xarray as xr

    per_kpi = history[-1][2]
    params = problem.params
    data = {}
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        data[key] = (("kpi", "param"), np.array([np.asarray(r[key]) for r, _ in per_kpi]))
    if second_order:
        for key in ("S2", "S2_conf"):
            data[key] = (
                ("kpi", "param", "param2"),
                np.array([np.asarray(r[key]) for r, _ in per_kpi]),
            )
    data["n_dropped"] = (("kpi",), np.array([dropped for _, dropped in per_kpi]))
    if with_history:
        data["history_n"] = (("step",), np.array([h[0] for h in history]))
        data["history_widest_half_width"] = (("step",), np.array([h[1] for h in history]))
        for key in ("S1", "ST"):
            data[f"history_{key}"] = (
                ("step", "kpi", "param"),
                np.array([[np.asarray(r[key]) for r, _ in h[2]] for h in history]),
            )
    coords = {
        "kpi": kpis,
        "param": params,
        "kind": ("param", problem.kinds),
        "kpi_units": ("kpi", units or [_kpi_unit(k) for k in kpis]),
    }
    if second_order:
        coords["param2"] = params
    ds = xr.Dataset(data, coords=coords)
    for name, label in INDEX_LABELS.items():
        if name in ds:
            ds[name].attrs.update({"long_name": label, "units": "1"})
    return ds
