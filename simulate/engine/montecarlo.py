"""A Monte Carlo run: design -> inverse CDFs -> cost kernel -> labelled dataset.

The chunks of a run (:mod:`simulate.engine.chunks`) are computed by an executor
(:mod:`simulate.engine.executor`: here, or on a Dask cluster) and streamed to a
NetCDF file or Zarr store when an output path is given, so a run never holds more
than a few chunks of samples in memory; without one, the dataset is built in
memory (refused above :data:`IN_MEMORY_LIMIT_BYTES`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import numpy as np

from results.provenance import provenance_attrs, scenario_attrs
from results.store import open_result, open_writer
from scenarios.loader import load_scenario
from scenarios.scenario import Scenario
from simulate.engine.chunks import (
    checked_sampling,
    chunk_columns,
    chunk_columns_into,
    chunk_ranges,
    make_job,
)
from simulate.engine.executor import local_if_none, release_workspace
from simulate.engine.interrupt import ChunkInterrupt, InterruptedAfterSave
from simulate.engine.plan import SamplingPlan
from simulate.engine.prefetch import prefetch_imports, wait_for_imports
from simulate.engine.seeding import BLOCK_SIZE
from simulate.engine.write_behind import BufferPool, CoreShare, WriteBehind
from simulate.model.tco_index import DEFINITION

DEFAULT_CHUNK_BLOCKS = 8  # 131,072 samples per chunk: ~150 MB of working arrays
IN_MEMORY_LIMIT_BYTES = 4 * 2**30
WRITE_BEHIND_DEPTH = 1


def run_attrs(
    scenario: Scenario, plan: SamplingPlan, n: int, seed_entropy: str, design: str, chunk: int
) -> dict:
    """Provenance attributes of a run's dataset.

    Parameters
    ----------
    scenario : Scenario
        The scenario run.
    plan : SamplingPlan
        Sampled inputs.
    n : int
        Number of samples.
    seed_entropy : str
        The root seed's entropy (the ``--seed`` that reproduces the run).
    design : str
        Unit-cube design.
    chunk : int
        Samples per chunk.

    Returns
    -------
    dict
        Strings and numbers only (NetCDF-safe).
    """
    levers = "; ".join(f"{i.path}={i.base_value()}" for i in scenario.levers())
    correlations = ""
    if scenario.copula is not None:
        names, rho = scenario.copula.names, scenario.copula.effective_spearman
        correlations = "; ".join(
            f"{names[a]} ~ {names[b]}: spearman {rho[a, b]:.4g}"
            for a in range(len(names))
            for b in range(a + 1, len(names))
            if rho[a, b] != 0.0
        )
    return {
        **provenance_attrs("run", f"lifecycle-tco Monte Carlo run of scenario {scenario.name}"),
        **scenario_attrs(scenario),
        "seed": seed_entropy,
        "design": design,
        "n_samples": n,
        "block_size": BLOCK_SIZE,
        "chunk_size": chunk,
        "sampled_inputs": " ".join(plan.paths),
        "levers_at_base": levers,
        "correlations": correlations or "none (independent factors)",
        "correlation_method": "Gaussian copula on the unit-cube columns (docs/correlations.md)",
        # The calendar of the year dimension and the monthly cash flows (a sampled
        # horizon is a variable of its own as well).
        "horizon_years": float(scenario.base_values()["scenario.horizon_years"]),
    }


def run(
    scenario: Scenario | str | Path | None = None,
    n: int = 100_000,
    seed: int | None = None,
    design: str = "mc",
    *,
    overrides: Sequence[str] = (),
    output: str | Path | None = None,
    fmt: str | None = None,
    store: str = "standard",
    precision: str = "float64",
    chunk_blocks: int = DEFAULT_CHUNK_BLOCKS,
    progress: Callable[[int, int], None] | None = None,
    executor=None,
    read_back: Collection[str] | None = None,
):
    """Run the Monte Carlo simulation of a scenario.

    Parameters
    ----------
    scenario : Scenario, str, Path or None
        A validated scenario, a scenario file, a built-in name, or None for the
        default scenario.
    n : int
        Number of samples.
    seed : int or None
        Root seed; None draws fresh entropy (recorded in the ``seed`` attribute,
        so the run can still be repeated).
    design : {"mc", "lhs", "sobol"}
        Unit-cube design (see :mod:`simulate.engine.design`).
    overrides : sequence of str
        ``key.path=value`` assignments when ``scenario`` is a name or path.
    output : str, Path or None
        Stream samples to this ``.nc`` file or ``.zarr`` store and return the
        dataset opened lazily from it; None keeps the run in memory.
    fmt : {"netcdf", "zarr"} or None
        Storage format; by default from the output's suffix.
    store : {"standard", "yearly", "all"}
        Which outputs to keep per sample (see :func:`stored_outputs`).
    precision : {"float64", "float32"}
        Storage type of per-sample values (float32 halves the file).
    chunk_blocks : int
        Blocks of :data:`~simulate.engine.seeding.BLOCK_SIZE` samples per chunk; does not
        change the results, only memory use and progress granularity.
    progress : callable(done, total) or None
        Called after each chunk with samples done and the total.
    executor : simulate.engine.distributed.DaskExecutor or None
        Run the chunks as tasks on a Dask cluster (same kernel, same seeding, so
        the same bits); None runs them here, in Numba threads.
    read_back : collection of str or None
        With ``output``: the variables the caller reads right after the run (its
        summary). The file's cached pages of the others are released as they are
        written, so a large run does not fill the page cache (see
        :func:`results.store.open_writer`); None keeps them all. Never changes the
        results.

    Returns
    -------
    xarray.Dataset
        Dims ``sample``: every stored output (CF ``units``, ``long_name``), the
        per-sample ``tco_index``, ``infeasible`` bit mask and the sampled inputs;
        provenance in attrs.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    n, chunk = checked_sampling(n, design, chunk_blocks)
    if precision not in ("float64", "float32"):
        raise ValueError(f"precision = {precision!r}: must be float64 or float32")
    executor = local_if_none(executor)
    job = make_job(scenario, design, seed, store, precision)
    attrs = run_attrs(scenario, job.plan, n, str(job.root.entropy), design, chunk)
    attrs |= {
        "tco_index_definition": DEFINITION,
        "tco_index_best_usd": job.bounds.best_usd,
        "tco_index_worst_usd": job.bounds.worst_usd,
        "executor": executor.describe(),
    }
    ranges = chunk_ranges(n, chunk)

    def report(stop: int) -> None:
        if progress is not None:
            progress(stop, n)

    try:
        with ChunkInterrupt() as interrupt:
            if output is not None:
                path = _run_to_store(
                    job, n, ranges, attrs, output, fmt, executor, interrupt, report, read_back
                )
                # A signal during the commit itself was held back so the rename stays
                # whole: the file is complete, and the caller learns both facts.
                if interrupt.requested:
                    raise InterruptedAfterSave(path)
                wait_for_imports()
                return open_result(path)
            memory = _run_in_memory(job, n, ranges, executor, interrupt, report)
            interrupt.check()
    finally:
        if executor.in_process:
            release_workspace()
    wait_for_imports()
    import xarray as xr

    data_vars = {s.name: ("sample", memory[s.name], s.attrs) for s in job.specs}
    # No ``sample`` coordinate (as in the files): the position is the index.
    return xr.Dataset(data_vars, attrs=attrs)


def _run_in_memory(job, n, ranges, executor, interrupt, report) -> dict[str, np.ndarray]:
    """Every stored variable of the run as an in-memory array, by name."""
    per_row = sum(np.dtype(s.dtype).itemsize for s in job.specs)
    if n * per_row > IN_MEMORY_LIMIT_BYTES:
        raise ValueError(
            f"n = {n:,}: {n * per_row / 2**30:.1f} GiB would be held in memory; give an "
            "output file (-o run.nc, or run.zarr) to stream the samples to disk"
        )
    if executor.in_process:
        prefetch_imports()  # labelling libraries, while the kernel runs (no GIL)
    if executor.in_process and job.float64:
        # The kernel writes straight into the dataset's arrays: no copy per chunk.
        block, memory = job.allocate(n)

        def fill(job, start, stop):
            job.fill_memory(start, stop, block, memory)

        executor.map_ordered(
            fill, job, ranges, lambda i, _: report(ranges[i][1]), interrupt=interrupt
        )
        # The kernel writes int64 bit masks; the dataset stores them as its spec says (int8).
        for spec in job.specs:
            if memory[spec.name].dtype != np.dtype(spec.dtype):
                memory[spec.name] = memory[spec.name].astype(spec.dtype)
        return memory
    memory = {s.name: np.empty(n, dtype=s.dtype) for s in job.specs}

    def consume(index: int, columns: dict[str, np.ndarray]) -> None:
        start, stop = ranges[index]
        for name, values in columns.items():
            memory[name][start:stop] = values
        report(stop)

    _map_chunks(job, ranges, executor, consume, interrupt)
    return memory


def _run_to_store(
    job, n, ranges, attrs, output, fmt, executor, interrupt, report, read_back=None
) -> Path:
    """Stream the run's chunks to a NetCDF file or Zarr store; the committed path."""
    chunk = max(stop - start for start, stop in ranges)
    # Workers writing one Zarr store side by side need storage chunks that never
    # straddle two tasks: a divisor of the task's chunk.
    storage_rows = math.gcd(chunk, BLOCK_SIZE * 4)
    if executor.in_process:
        storage_rows = min(chunk, BLOCK_SIZE * 4)
    writer = open_writer(
        output, n, list(job.specs), attrs, storage_rows, fmt=fmt, read_back=read_back
    )
    try:
        if executor.writes_stores and writer.shared_by_workers:
            executor.write_store(job, ranges, writer, lambda i: report(ranges[i][1]), interrupt)
        elif executor.in_process:
            _compute_while_writing(job, ranges, executor, writer, interrupt, report)
        else:

            def consume(index: int, columns: dict[str, np.ndarray]) -> None:
                writer.write(ranges[index][0], columns)
                report(ranges[index][1])

            _map_chunks(job, ranges, executor, consume, interrupt)
        # Ctrl-C while the last chunks were being written: stop before the commit.
        interrupt.check()
        return writer.commit()
    except BaseException:
        writer.abort()
        raise


def _compute_while_writing(job, ranges, executor, writer, interrupt, report) -> None:
    # Chunk k is written on a background thread while chunk k + 1 is computed: the
    # kernel releases the GIL, and the writer spends its time in HDF5/Zarr and the
    # kernel's page cache, so the two overlap (see simulate.engine.write_behind).
    prefetch_imports()  # labelling libraries, while the kernel and the writer run (no GIL)
    # When the writer is the slower side, the kernel leaves it a core (CoreShare).
    cores = CoreShare()
    rows = max(stop - start for start, stop in ranges)
    # Chunks are cast into buffers the writer hands back: the same memory all run long.
    pool = BufferPool(lambda: job.column_buffers(rows))

    def task(job, start, stop, rows):
        buffers = pool.take()
        return buffers, chunk_columns_into(job, start, stop, rows, buffers)

    try:
        with WriteBehind(writer, depth=WRITE_BEHIND_DEPTH) as behind:

            def consume(index: int, result: tuple[dict, dict]) -> None:
                start, stop = ranges[index]
                buffers, columns = result
                waited = behind.submit(start, stop, columns, release=lambda: pool.give(buffers))
                cores.after_chunk(waited)
                if behind.written_stop:
                    report(behind.written_stop)

            _map_chunks(job, ranges, executor, consume, interrupt, task=task)
    finally:
        cores.restore()
    report(ranges[-1][1])


def _map_chunks(job, ranges, executor, consume, interrupt, task=chunk_columns) -> None:
    # The chunks' stored variables, computed by the executor's tasks, consumed in order.
    rows = max(stop - start for start, stop in ranges)
    row_bytes = sum(np.dtype(spec.dtype).itemsize for spec in job.specs)
    executor.map_ordered(
        task,
        job,
        [(start, stop, rows) for start, stop in ranges],
        consume,
        interrupt=interrupt,
        result_bytes=rows * row_bytes,
        label="tco-run",
    )
