"""Compare scenarios on common random numbers: paired samples, sharp differences.

Every scenario is sampled on the same unit-cube design. The design has one column
per uncertain factor of the *union* of the scenarios' factors, in the schema's
canonical order, and each scenario reads the columns of its own factors. So a
factor shared by A and B (same key path) gets the same uniforms in both, and
sample ``i`` of A and sample ``i`` of B differ only through what the scenarios
change: the decision compared, plus any factor one of them has and the other
does not (a column of its own). Where the marginals of a shared factor differ, the
same uniform maps through each one (comonotone values). Copulas apply per
scenario, on its own columns.

Blocks are drawn per :data:`simulate.engine.seeding.BLOCK_SIZE` samples as in
:func:`simulate.engine.montecarlo.run`, so a comparison is bit-identical whatever the chunk
size; and when a scenario's factors are the whole union (the usual case: scenarios
that differ only in a lever or a constant), its samples are exactly those of
``tco run`` with the same seed and design.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from results.paired import median_interval, paired_statistics
from results.provenance import (
    infeasible_attrs,
    output_attrs,
    provenance_attrs,
    scenario_attrs,
    tco_index_attrs,
)
from results.store import save_netcdf
from results.summary import BOUNDS
from scenarios.loader import load_scenario
from scenarios.scenario import Scenario
from scenarios.schema import CANONICAL_ORDER
from simulate.engine.chunks import (
    Workspace,
    checked_sampling,
    chunk_ranges,
    chunk_unit,
    sample_outputs,
    stored_outputs,
)
from simulate.engine.executor import local_if_none, thread_workspace
from simulate.engine.interrupt import ChunkInterrupt
from simulate.engine.montecarlo import IN_MEMORY_LIMIT_BYTES
from simulate.engine.plan import SamplingPlan, sampling_plan
from simulate.engine.seeding import (
    BLOCK_SIZE,
    INDEPENDENT_STREAM_KEY,
    as_seed_sequence,
    block_seed,
)
from simulate.model import columns as col
from simulate.model.tco_index import DEFINITION, pooled_bounds

DEFAULT_CHUNK_BLOCKS = 4  # 65,536 samples per chunk and scenario
DIFFERENCE_DIRECTION = "B - A: each scenario minus the first (baseline) scenario"


def resolve_scenarios(
    scenarios: Sequence[Scenario | str | Path], overrides: Sequence[str] = ()
) -> list[Scenario]:
    """Load the scenarios to compare.

    Parameters
    ----------
    scenarios : sequence of Scenario, str or Path
        Validated scenarios, scenario files or built-in names (at least two).
    overrides : sequence of str
        ``key.path=value`` assignments applied to every scenario given by name or path.

    Returns
    -------
    list of Scenario
        The validated scenarios, in the order given.
    """
    if isinstance(scenarios, str | Path) or len(scenarios) < 2:
        given = [str(scenarios)] if isinstance(scenarios, str | Path) else list(scenarios)
        raise ValueError(
            f"scenarios = {given!r}: a comparison needs at least two scenarios, "
            "e.g. accelerator-h100 accelerator-h200 (see `tco scenarios`)"
        )
    return [s if isinstance(s, Scenario) else load_scenario(s, overrides) for s in scenarios]


def scenario_labels(scenarios: Sequence[Scenario]) -> list[str]:
    """Unique labels for the ``scenario`` dimension: names, numbered when repeated."""
    labels, seen = [], {}
    for scenario in scenarios:
        seen[scenario.name] = seen.get(scenario.name, 0) + 1
        count = seen[scenario.name]
        labels.append(scenario.name if count == 1 else f"{scenario.name}#{count}")
    return labels


def factor_union(plans: Sequence[SamplingPlan]) -> list[str]:
    """Key paths of every sampled input of the plans, in the schema's canonical order.

    Parameters
    ----------
    plans : sequence of SamplingPlan
        One plan per scenario.

    Returns
    -------
    list of str
        The design's columns: the column of a path is shared by every plan that samples it.
    """
    paths = {path for plan in plans for path in plan.paths}
    return sorted(paths, key=CANONICAL_ORDER.__getitem__)


def check_kpis(kpis: Sequence[str]) -> list[str]:
    """Validate KPI names: kernel outputs (or ``tco_index``), no repeats.

    Parameters
    ----------
    kpis : sequence of str
        Names to compare.

    Returns
    -------
    list of str
        The names, in the order given.
    """
    kpis = list(kpis)
    if not kpis:
        raise ValueError("kpis: give at least one output name, e.g. token_cost_per_1k")
    for name in kpis:
        if name not in col.OUTPUT_INDEX and name != "tco_index":
            raise ValueError(
                f"kpi {name!r}: not an output of the model; choose from "
                f"{', '.join([*col.OUTPUT_INDEX, 'tco_index'])}"
            )
    if len(set(kpis)) != len(kpis):
        raise ValueError(f"kpis = {kpis!r}: a KPI is repeated; name each once")
    return kpis


def _scenario_root(root: np.random.SeedSequence, index: int, common: bool):
    if common:
        return root
    return block_seed(root, INDEPENDENT_STREAM_KEY + index)


@dataclass(frozen=True)
class CompareJob:
    """Everything needed to compute any chunk of a comparison, here or on a Dask worker.

    Attributes
    ----------
    plans : tuple of SamplingPlan
        One per scenario.
    picks : tuple of ndarray of int64
        Per scenario, the columns of the shared design holding its factors.
    union : tuple of str
        Key paths of the shared design's columns (every factor of any scenario).
    design : str
        Unit-cube design.
    root : numpy.random.SeedSequence
        The comparison's root seed.
    outputs : tuple of str
        Kernel outputs kept per sample.
    output_index : tuple of int
        Their kernel column numbers.
    common_random_numbers : bool
        Shared uniforms for shared factors (False: a stream per scenario).
    """

    plans: tuple[SamplingPlan, ...]
    picks: tuple[np.ndarray, ...]
    union: tuple[str, ...]
    design: str
    root: np.random.SeedSequence
    outputs: tuple[str, ...]
    output_index: tuple[int, ...]
    common_random_numbers: bool

    def workspace(self, rows: int) -> list[Workspace]:
        """Kernel buffers for chunks of up to ``rows`` samples, one set per scenario."""
        return [Workspace(rows) for _ in self.plans]

    def chunk(self, start: int, stop: int, workspaces: list[Workspace]) -> list[dict]:
        """Every scenario's samples ``start .. stop`` (block-aligned start).

        Parameters
        ----------
        start, stop : int
            Half-open sample range; ``start`` a multiple of ``BLOCK_SIZE``.
        workspaces : list of Workspace
            From :meth:`workspace`, with room for ``stop - start`` rows.

        Returns
        -------
        list of dict of str to ndarray
            Per scenario: its outputs, ``infeasible`` and its sampled factors by key
            path; outputs may be views of that scenario's workspace (valid until the
            next call with the same workspaces).
        """
        shared = None
        if self.common_random_numbers:
            shared = chunk_unit(self.design, self.root, start, stop, len(self.union))
        parts = []
        for s, plan in enumerate(self.plans):
            if shared is not None:
                unit = np.ascontiguousarray(shared[:, self.picks[s]])
            else:
                unit = chunk_unit(
                    self.design, _scenario_root(self.root, s, False), start, stop, plan.dims
                )
            parts.append(
                sample_outputs(
                    plan, unit, list(self.outputs), list(self.output_index), workspaces[s]
                )
            )
        return parts


def compare_chunk_task(job: CompareJob, start: int, stop: int, rows: int) -> list[dict]:
    """A comparison chunk, the task every executor runs: :meth:`CompareJob.chunk`.

    Parameters
    ----------
    job : CompareJob
        The comparison.
    start, stop : int
        Sample range.
    rows : int
        Workspace size (the run's chunk), so a worker thread reuses its buffers.

    Returns
    -------
    list of dict of str to ndarray
        As :meth:`CompareJob.chunk`: views of this thread's buffers, valid until its
        next task.
    """
    return job.chunk(start, stop, thread_workspace(job, rows))


def compare(
    scenarios: Sequence[Scenario | str | Path],
    n: int = 100_000,
    seed: int | None = None,
    design: str = "mc",
    *,
    overrides: Sequence[str] = (),
    kpis: Sequence[str] = col.KPI_NAMES,
    confidence: float = 0.95,
    output: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    common_random_numbers: bool = True,
    chunk_blocks: int = DEFAULT_CHUNK_BLOCKS,
    executor=None,
):
    """Sample scenarios on common random numbers and compare each with the first.

    Parameters
    ----------
    scenarios : sequence of Scenario, str or Path
        At least two scenarios (validated, files or built-in names); the first is the
        baseline A, every other one is a B compared with it.
    n : int
        Samples per scenario.
    seed : int or None
        Root seed; None draws fresh entropy (recorded in the ``seed`` attribute).
    design : {"mc", "lhs", "sobol"}
        Unit-cube design, shared by all scenarios.
    overrides : sequence of str
        ``key.path=value`` assignments applied to every scenario given by name or path.
    kpis : sequence of str
        Outputs to summarise and compare (default: the five KPIs); ``tco_index`` is
        always summarised per scenario.
    confidence : float
        Confidence level of every interval, in (0, 1).
    output : str, Path or None
        Write the dataset to this NetCDF file (atomically); None writes nothing.
    progress : callable(done, total) or None
        Called after each chunk with samples done (per scenario) and ``n``.
    common_random_numbers : bool
        True (the point of a comparison): shared factors get the same uniforms. False
        gives every scenario its own independent stream (for measuring what CRN gains).
    chunk_blocks : int
        Blocks of :data:`~simulate.engine.seeding.BLOCK_SIZE` samples per chunk; does not
        change the results.
    executor : simulate.engine.distributed.DaskExecutor or None
        Run the chunks as tasks on a Dask cluster (same code, same results); None
        runs them here on the Numba threads.

    Returns
    -------
    xarray.Dataset
        Dims (``scenario``, ``sample``): stored outputs, ``tco_index`` over the pooled
        bounds, ``infeasible`` bit mask and sampled factors (NaN where a scenario does
        not sample it). Per KPI: ``<kpi>_median`` (scenario, bound), and per comparison
        (B vs the baseline A) ``<kpi>_difference`` (median of B - A), ``<kpi>_prob_a_better``
        (with Wilson interval), ``<kpi>_prob_tie``, ``<kpi>_prob_a_worse``,
        ``<kpi>_n_paired``; ``tco_index_median``; provenance of every scenario in attrs.
    """
    import xarray as xr

    loaded = resolve_scenarios(scenarios, overrides)
    n, chunk = checked_sampling(n, design, chunk_blocks)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must lie in (0, 1), e.g. 0.95")
    kpis = check_kpis(kpis)
    job = compare_job(loaded, kpis, design, seed, common_random_numbers)
    executor = local_if_none(executor)
    samples, factors = _sample(job, n, chunk, executor, progress)
    bounds = pooled_bounds(loaded)
    samples["tco_index"] = bounds.index(samples["lifecycle_total"])

    labels, plans, union = scenario_labels(loaded), list(job.plans), job.union
    dataset = _dataset(loaded, labels, plans, union, samples, factors, kpis, confidence, xr)
    dataset.attrs.update(
        _attrs(loaded, labels, plans, union, n, str(job.root.entropy), design, chunk, bounds)
    )
    dataset.attrs["common_random_numbers"] = int(common_random_numbers)
    dataset.attrs["executor"] = executor.describe()
    dataset.attrs["confidence"] = float(confidence)
    if output is not None:
        save_netcdf(dataset, output)
    return dataset


def compare_job(scenarios, kpis, design, seed, common_random_numbers) -> CompareJob:
    """The plans, shared design columns, seed and stored outputs of a comparison.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The validated scenarios, the baseline first.
    kpis : list of str
        Checked KPI names (:func:`check_kpis`); stored beside the standard outputs.
    design : {"mc", "lhs", "sobol"}
        Unit-cube design.
    seed : int, SeedSequence or None
        Root seed.
    common_random_numbers : bool
        Shared uniforms for shared factors.

    Returns
    -------
    CompareJob
    """
    plans = [sampling_plan(s) for s in scenarios]
    union = factor_union(plans)
    column_of = {path: j for j, path in enumerate(union)}
    picks = [np.array([column_of[p] for p in plan.paths], dtype=np.int64) for plan in plans]
    outputs = stored_outputs("standard")
    # The cost parts too, so a comparison draws a breakdown per scenario.
    outputs += [k for k in (*kpis, *col.BREAKDOWN_NAMES) if k not in outputs and k != "tco_index"]
    outputs = [c.name for c in col.OUTPUTS if c.name in outputs]  # kernel order
    return CompareJob(
        plans=tuple(plans),
        picks=tuple(picks),
        union=tuple(union),
        design=design,
        root=as_seed_sequence(seed),
        outputs=tuple(outputs),
        output_index=tuple(col.OUTPUT_INDEX[name] for name in outputs),
        common_random_numbers=bool(common_random_numbers),
    )


def _sample(job: CompareJob, n: int, chunk: int, executor, progress):
    """Every scenario's samples, by chunks on the executor: outputs and sampled factors."""
    per_row = (len(job.outputs) + len(job.union) + 2) * 8
    if len(job.plans) * n * per_row > IN_MEMORY_LIMIT_BYTES:
        raise ValueError(
            f"n = {n:,}: {len(job.plans) * n * per_row / 2**30:.1f} GiB would be held in "
            f"memory for {len(job.plans)} scenarios; compare with fewer samples"
        )
    shape = (len(job.plans), n)
    samples = {name: np.empty(shape) for name in job.outputs}
    samples["infeasible"] = np.empty(shape, dtype=np.int64)
    factors = {path: np.full(shape, np.nan) for path in job.union}
    ranges = chunk_ranges(n, chunk)

    def consume(index: int, parts: list[dict[str, np.ndarray]]) -> None:
        start, stop = ranges[index]
        for s, (plan, columns) in enumerate(zip(job.plans, parts, strict=True)):
            for name in (*job.outputs, "infeasible"):
                samples[name][s, start:stop] = columns[name]
            for path in plan.paths:
                factors[path][s, start:stop] = columns[path]
        if progress is not None:
            progress(stop, n)

    rows = min(chunk, n)
    with ChunkInterrupt() as interrupt:
        executor.map_ordered(
            compare_chunk_task,
            job,
            [(start, stop, rows) for start, stop in ranges],
            consume,
            interrupt=interrupt,
            result_bytes=len(job.plans) * rows * (len(job.outputs) + len(job.union) + 1) * 8,
            label="tco-compare",
        )
    return samples, factors


def _dataset(loaded, labels, plans, union, samples, factors, kpis, confidence, xr):
    dims = ("scenario", "sample")
    data_vars = {
        c.name: (dims, samples[c.name], output_attrs(c.name, better=True))
        for c in col.OUTPUTS
        if c.name in samples
    }
    data_vars["tco_index"] = (
        dims,
        samples["tco_index"],
        tco_index_attrs(DEFINITION, pooled=True, better=True),
    )
    data_vars["infeasible"] = (dims, samples["infeasible"], infeasible_attrs())
    for path in union:
        items = [
            (label, plan.scenario.inputs[path])
            for label, plan in zip(labels, plans, strict=True)
            if path in plan.paths
        ]
        first = items[0][1]
        attrs = {
            "long_name": f"sampled input {path} (NaN: not sampled in that scenario)",
            "distribution": "; ".join(f"{label}: {item.describe()}" for label, item in items),
            "sampled_in": " ".join(label for label, _ in items),
        }
        if first.categorical:
            attrs["flag_meanings"] = " ".join(first.categories)
        else:
            attrs["units"] = first.unit
        data_vars[path] = (("scenario", "sample"), factors[path], attrs)
    data_vars |= _statistics(loaded, labels, samples, kpis, confidence)

    n = samples["infeasible"].shape[1]
    baseline = labels[0]
    others = labels[1:]
    coords = {
        "scenario": ("scenario", labels, {"long_name": "scenario compared"}),
        "sample": ("sample", np.arange(n), {"long_name": "sample index (paired across scenarios)"}),
        "bound": ("bound", list(BOUNDS), {"long_name": "estimate and confidence interval"}),
        "comparison": (
            "comparison",
            [f"{b} - {baseline}" for b in others],
            {"long_name": DIFFERENCE_DIRECTION},
        ),
        "comparison_a": ("comparison", [baseline] * len(others), {"long_name": "scenario A"}),
        "comparison_b": ("comparison", others, {"long_name": "scenario B"}),
    }
    return xr.Dataset(data_vars, coords=coords)


def _statistics(loaded, labels, samples, kpis, confidence) -> dict:
    out = {}
    summary_names = [*kpis, *(["tco_index"] if "tco_index" not in kpis else [])]
    for name in summary_names:
        unit = "1" if name == "tco_index" else col.OUTPUTS[col.OUTPUT_INDEX[name]].unit
        direction = col.better_direction(name)
        values = samples[name]
        medians = np.array([median_interval(values[s], confidence) for s in range(len(labels))])
        out[f"{name}_median"] = (
            ("scenario", "bound"),
            medians,
            {
                "units": unit,
                "long_name": f"median of {name} with its interval",
                "better": direction,
            },
        )
        if name not in kpis:
            continue
        rows = [
            paired_statistics(values[0], values[s], direction, confidence)
            for s in range(1, len(labels))
        ]
        better = {"lower": "lower", "higher": "higher", "none": "lower (no better direction)"}
        out[f"{name}_difference"] = (
            ("comparison", "bound"),
            np.array([r["difference"] for r in rows]),
            {
                "units": unit,
                "long_name": f"median of the paired differences of {name}, B - A",
            },
        )
        out[f"{name}_prob_a_better"] = (
            ("comparison", "bound"),
            np.array([r["prob_a_better"] for r in rows]),
            {
                "units": "1",
                "long_name": f"share of paired samples where A's {name} is {better[direction]}"
                " than B's (Wilson interval)",
            },
        )
        out[f"{name}_prob_tie"] = (
            ("comparison",),
            np.array([r["prob_tie"] for r in rows]),
            {
                "units": "1",
                "long_name": f"share of paired samples where A's and B's {name} are equal",
            },
        )
        out[f"{name}_prob_a_worse"] = (
            ("comparison",),
            np.array([r["prob_a_worse"] for r in rows]),
            {"units": "1", "long_name": f"share of paired samples where B's {name} is better"},
        )
        out[f"{name}_n_paired"] = (
            ("comparison",),
            np.array([r["n_paired"] for r in rows], dtype=np.int64),
            {"long_name": f"paired samples with {name} defined in both A and B"},
        )
    return out


def _attrs(loaded, labels, plans, union, n, seed_entropy, design, chunk, bounds) -> dict:
    shared = [p for p in union if all(p in plan.paths for plan in plans)]
    attrs = {
        **provenance_attrs("compare", "lifecycle-tco comparison of " + ", ".join(labels)),
        "seed": seed_entropy,
        "design": design,
        "n_samples": n,
        "block_size": BLOCK_SIZE,
        "chunk_size": chunk,
        "scenarios": " ".join(labels),
        "baseline": labels[0],
        "difference_direction": DIFFERENCE_DIRECTION,
        "factor_columns": " ".join(union),
        "shared_factors": " ".join(shared),
        "crn_method": (
            "one unit-cube design over the union of the scenarios' factors (canonical "
            "schema order), each scenario reading its own factors' columns; copulas per "
            "scenario (docs/compare.md)"
        ),
        "statistics_method": (
            "medians: order-statistic interval; difference: median of paired B - A with "
            "order-statistic interval; P(A better): share of pairs, Wilson interval; pairs "
            "with the output defined in both"
        ),
        "tco_index_definition": DEFINITION,
        "tco_index_best_usd": bounds.best_usd,
        "tco_index_worst_usd": bounds.worst_usd,
    }
    for i, (scenario, label) in enumerate(zip(loaded, labels, strict=True), start=1):
        prefix = f"scenario_{i}_"
        attrs |= scenario_attrs(scenario, prefix)
        attrs[prefix + "label"] = label
        attrs[prefix + "sampled_inputs"] = " ".join(plans[i - 1].paths)
    return attrs


def default_output_name(
    labels: Sequence[str], n: int, seed: int, overrides: Sequence[str] = ()
) -> str:
    """The default file name of a comparison: ``compare-A-vs-B[-set-<hash>]-nN-seedS.nc``.

    Overrides (applied to every scenario) add a short hash of themselves, so two
    comparisons that differ only by ``--set`` never share a name.
    """
    from scenarios.naming import result_file_name, safe_stem

    stem = "-vs-".join(safe_stem(label) for label in labels)
    return result_file_name(f"compare-{stem}", overrides, n, seed)
