"""A run's chunks: everything needed to compute any chunk of samples, anywhere.

A run is cut into chunks of whole random blocks (:data:`simulate.engine.seeding.BLOCK_SIZE`
samples each, every block with its own child stream), so results are bit-identical
for any chunk size, thread count or executor. :class:`ChunkJob` holds a run's plan,
seed and TCO-index bounds; it pickles, so a Dask worker computes a chunk with the
very code the local loop runs. :func:`sample_outputs_into` is the step from
unit-cube points to the stored variables (inverse CDFs, the cost model, copy-out).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np

from results.provenance import infeasible_attrs, output_attrs, tco_index_attrs
from results.store import VariableSpec
from scenarios.scenario import Scenario
from simulate.engine.design import DESIGNS, unit_block
from simulate.engine.executor import thread_workspace
from simulate.engine.plan import SamplingPlan, sampling_plan
from simulate.engine.seeding import BLOCK_SIZE, as_seed_sequence
from simulate.model import columns as col
from simulate.model.batch import model_outputs, variable_major_buffer
from simulate.model.fused import fused_sample
from simulate.model.tco_index import DEFINITION, IndexBounds, scenario_bounds

STORE_LEVELS = ("standard", "yearly", "all")


def stored_outputs(store: str) -> list[str]:
    """Output columns kept per sample.

    Parameters
    ----------
    store : {"standard", "yearly", "all"}
        ``standard``: KPIs, internal factors and extras; ``yearly``: those and the
        year dimension (:data:`simulate.model.columns.YEAR_NAMES`, 164 bytes a sample
        in float32); ``all``: every kernel output (adds serving diagnostics and the
        monthly cost breakdown).

    Returns
    -------
    list of str
        Output names in kernel order.
    """
    if store not in STORE_LEVELS:
        raise ValueError(f"store = {store!r}: must be one of {', '.join(STORE_LEVELS)}")
    if store == "all":
        return [c.name for c in col.OUTPUTS]
    keep = {*col.KPI_NAMES, *col.FACTOR_NAMES, *col.EXTRA_NAMES}
    if store == "yearly":
        keep.update(col.YEAR_NAMES)
    return [c.name for c in col.OUTPUTS if c.name in keep]


def stored_bytes_per_sample(plan: SamplingPlan, store: str, precision: str) -> int:
    """Bytes one sample takes in a run's arrays or file, before any compression.

    Parameters
    ----------
    plan : SamplingPlan
        The run's sampling plan.
    store : {"standard", "yearly", "all"}
        The stored outputs.
    precision : {"float64", "float32"}
        Storage type of the float variables.

    Returns
    -------
    int
        The sum of the item sizes of every stored variable.
    """
    specs = _variable_specs(plan, stored_outputs(store), precision)
    return sum(np.dtype(spec.dtype).itemsize for spec in specs)


def _variable_specs(plan: SamplingPlan, outputs: list[str], dtype: str) -> list[VariableSpec]:
    specs = [VariableSpec(name, dtype, output_attrs(name)) for name in outputs]
    specs.append(VariableSpec("tco_index", dtype, tco_index_attrs(DEFINITION)))
    # The bit mask fits a byte (six reasons, at most 63): int8, not int64, in files and
    # in memory; 7 bytes a sample saved.
    specs.append(VariableSpec("infeasible", "int8", infeasible_attrs()))
    for item in plan.inputs:
        attrs = {"long_name": f"sampled input {item.path}", "kind": item.kind}
        if item.categorical:
            attrs["flag_values"] = " ".join(str(i) for i in range(len(item.categories)))
            attrs["flag_meanings"] = " ".join(item.categories)
            specs.append(VariableSpec(item.path, "int64", attrs))
        else:
            attrs["units"] = item.unit
            attrs["distribution"] = (
                item.distribution.describe() if item.kind == "factor" else item.describe()
            )
            specs.append(VariableSpec(item.path, dtype, attrs))
    return specs


def checked_sampling(n, design: str, chunk_blocks) -> tuple[int, int]:
    """Validate the size, design and chunking of a sampled job (a run, a comparison).

    Parameters
    ----------
    n : int
        Number of samples (a positive integer).
    design : str
        Unit-cube design, one of :data:`simulate.engine.design.DESIGNS`.
    chunk_blocks : int
        Blocks of :data:`~simulate.engine.seeding.BLOCK_SIZE` samples per chunk.

    Returns
    -------
    n, chunk : int
        The number of samples as an ``int`` and the samples per chunk.

    Raises
    ------
    ValueError
        Naming the argument, its value and what it must be.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n = {n!r}: the number of samples must be a positive integer")
    if design not in DESIGNS:
        raise ValueError(f"design = {design!r}: must be one of {', '.join(DESIGNS)}")
    if isinstance(chunk_blocks, bool) or not isinstance(chunk_blocks, int) or chunk_blocks < 1:
        raise ValueError(f"chunk_blocks = {chunk_blocks!r}: must be a positive integer")
    return int(n), chunk_blocks * BLOCK_SIZE


def chunk_ranges(n: int, chunk: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each chunk of a run: starts on block boundaries.

    Parameters
    ----------
    n : int
        Number of samples.
    chunk : int
        Samples per chunk, a multiple of :data:`~simulate.engine.seeding.BLOCK_SIZE`.

    Returns
    -------
    list of tuple of int
        Half-open sample ranges covering ``0 .. n`` in order.
    """
    if chunk % BLOCK_SIZE:
        raise ValueError(f"chunk = {chunk}: must be a multiple of BLOCK_SIZE = {BLOCK_SIZE}")
    return [(start, min(start + chunk, n)) for start in range(0, n, chunk)]


@dataclass(frozen=True)
class ChunkJob:
    """Everything needed to compute any chunk of a run, in this process or on a worker.

    It pickles (plain data, the plan and the root seed), so a Dask worker gets
    the very object the local loop uses and runs the same :meth:`columns`.

    Attributes
    ----------
    plan : SamplingPlan
        Sampled inputs.
    design : str
        Unit-cube design.
    root : numpy.random.SeedSequence
        The run's root seed (each block derives its own stream from it).
    outputs : tuple of str
        Stored kernel outputs.
    output_index : tuple of int
        Their kernel column numbers.
    specs : tuple of VariableSpec
        Every stored variable with its storage dtype.
    bounds : IndexBounds
        Best and worst lifecycle totals for the TCO index.
    """

    plan: SamplingPlan
    design: str
    root: np.random.SeedSequence
    outputs: tuple[str, ...]
    output_index: tuple[int, ...]
    specs: tuple[VariableSpec, ...]
    bounds: IndexBounds

    @property
    def float64(self) -> bool:
        """Whether real-valued variables are stored as float64 (the kernel's own type)."""
        return all(spec.dtype != "float32" for spec in self.specs)

    @property
    def block_names(self) -> list[str]:
        """Stored variables computed as float64 rows of a block, in row order.

        The stored outputs, ``tco_index`` and every sampled input (categorical ones
        as category indices, converted to int64 when stored).
        """
        return [*self.outputs, "tco_index", *self.plan.paths]

    @property
    def selected(self) -> np.ndarray:
        """Extended variable index of each block row (see :func:`sample_outputs_into`).

        ``tco_index`` starts as a copy of the lifecycle total, mapped in place.
        """
        return np.array(
            [
                *self.output_index,
                col.OUTPUT_INDEX["lifecycle_total"],
                *(col.N_OUTPUTS + j for j in range(self.plan.dims)),
            ],
            dtype=np.int64,
        )

    def workspace(self, rows: int) -> Workspace:
        """Kernel buffers for chunks of up to ``rows`` samples."""
        return Workspace(rows)

    def fill(self, start: int, stop: int, block: np.ndarray, flags: np.ndarray) -> None:
        """Compute samples ``start .. stop`` (block-aligned start) into caller's arrays.

        Parameters
        ----------
        start, stop : int
            Half-open sample range; ``start`` a multiple of ``BLOCK_SIZE``.
        block : ndarray of float64, shape (len(block_names), stop - start)
            Filled with :attr:`block_names`, one row each (rows may be strided apart).
        flags : ndarray of int64, shape (stop - start,)
            Filled with the infeasibility bit masks.
        """
        unit = chunk_unit(self.design, self.root, start, stop, self.plan.dims)
        sample_outputs_into(self.plan, unit, self.selected, block, flags)
        tco_index = block[len(self.outputs)]
        self.bounds.index(tco_index, out=tco_index)

    def allocate(self, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Arrays of a whole in-memory run for :meth:`fill_memory` (float64 storage).

        Parameters
        ----------
        n : int
            Number of samples.

        Returns
        -------
        block : ndarray of float64, shape (len(block_names), n)
            Rows padded apart (:func:`simulate.model.batch.variable_major_buffer`).
        memory : dict of str to ndarray
            Every stored variable by name: rows of ``block``, and int64 arrays for
            ``infeasible`` and categorical inputs.
        """
        block = variable_major_buffer(len(self.block_names), n)
        memory = dict(zip(self.block_names, block, strict=True))
        memory["infeasible"] = np.empty(n, dtype=np.int64)
        for spec in self.specs:
            if spec.dtype == "int64":
                memory[spec.name] = np.empty(n, dtype=np.int64)
        return block, memory

    def fill_memory(
        self, start: int, stop: int, block: np.ndarray, memory: dict[str, np.ndarray]
    ) -> None:
        """:meth:`fill` straight into the arrays of :meth:`allocate`, samples ``start .. stop``."""
        self.fill(start, stop, block[:, start:stop], memory["infeasible"][start:stop])
        for row, name in enumerate(self.block_names):
            if memory[name].dtype == np.int64:
                memory[name][start:stop] = block[row, start:stop]

    def columns(
        self,
        start: int,
        stop: int,
        workspace: Workspace,
        out: dict[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """Stored variables of samples ``start .. stop`` (block-aligned start).

        Parameters
        ----------
        start, stop : int
            Half-open sample range; ``start`` a multiple of ``BLOCK_SIZE``.
        workspace : Workspace
            Buffers with room for ``stop - start`` rows.
        out : dict of str to ndarray, optional
            Buffers of :meth:`column_buffers` to cast into instead of new arrays.

        Returns
        -------
        dict of str to ndarray
            One array per stored variable, in its storage dtype; float64 columns
            may be views of ``workspace`` (copy them before the next chunk), and with
            ``out`` every column is a view of its buffer.
        """
        rows = stop - start
        names = self.block_names
        block = workspace.block(len(names), rows)
        flags = workspace.flags[:rows]
        self.fill(start, stop, block, flags)
        columns = dict(zip(names, block, strict=True))
        columns["infeasible"] = flags
        if out is None:
            return {s.name: columns[s.name].astype(s.dtype, copy=False) for s in self.specs}
        stored = {}
        for spec in self.specs:
            target = out[spec.name][:rows]
            np.copyto(target, columns[spec.name], casting="unsafe")
            stored[spec.name] = target
        return stored

    def column_buffers(self, rows: int) -> dict[str, np.ndarray]:
        """One chunk's stored variables as empty arrays of their storage dtype (``rows`` each)."""
        return {spec.name: np.empty(rows, dtype=spec.dtype) for spec in self.specs}


def make_job(
    scenario: Scenario,
    design: str = "mc",
    seed: int | np.random.SeedSequence | None = None,
    store: str = "standard",
    precision: str = "float64",
) -> ChunkJob:
    """Everything :func:`run` needs to compute its chunks (plan, seed, TCO-index bounds).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    design, seed, store, precision
        As for :func:`run`.

    Returns
    -------
    ChunkJob
        The run's chunk computation; costs the TCO-index bounds search.
    """
    plan = sampling_plan(scenario)
    outputs = stored_outputs(store)
    return ChunkJob(
        plan,
        design,
        as_seed_sequence(seed),
        tuple(outputs),
        tuple(col.OUTPUT_INDEX[name] for name in outputs),
        tuple(_variable_specs(plan, outputs, precision)),
        scenario_bounds(scenario),
    )


class Workspace:
    """Buffers reused by every chunk of a run (fresh memory costs page faults).

    Parameters
    ----------
    rows : int
        Largest chunk, samples.
    """

    def __init__(self, rows: int):
        self.rows = rows
        self.flags = np.empty(rows, dtype=np.int64)
        self._block = variable_major_buffer(0, rows)

    def block(self, variables: int, rows: int) -> np.ndarray:
        """A ``(variables, rows)`` float64 view, rows padded apart; grown on demand."""
        if self._block.shape[0] < variables:
            self._block = variable_major_buffer(variables, self.rows)
        return self._block[:variables, :rows]


def chunk_unit(
    design: str, root: np.random.SeedSequence, start: int, stop: int, dims: int
) -> np.ndarray:
    """Unit-cube points of samples ``start .. stop`` (block-aligned start).

    Parameters
    ----------
    design : {"mc", "lhs", "sobol"}
        Unit-cube design.
    root : SeedSequence
        The run's root sequence.
    start, stop : int
        Sample range; ``start`` is a multiple of :data:`~simulate.engine.seeding.BLOCK_SIZE`.
    dims : int
        Design columns.

    Returns
    -------
    ndarray of float64, shape (stop - start, dims)
        The points, block by block (each block from its own stream).
    """
    unit = np.empty((stop - start, dims))

    def fill(blocks: range) -> None:
        for block in blocks:
            first = block * BLOCK_SIZE - start
            rows = min(BLOCK_SIZE, stop - start - first)
            unit_block(design, root, block, rows, dims, out=unit[first : first + rows])

    blocks = range(start // BLOCK_SIZE, (stop + BLOCK_SIZE - 1) // BLOCK_SIZE)
    # Blocks are independent streams and NumPy draws without the GIL, so the blocks
    # of a chunk are drawn on as many threads as Numba may use (same bits as one).
    threads = min(numba.get_num_threads(), len(blocks))
    if threads <= 1:
        fill(blocks)
    else:
        tasks = [_block_pool().submit(fill, blocks[t::threads]) for t in range(threads)]
        for task in tasks:
            task.result()
    return unit


_POOL: tuple[int, ThreadPoolExecutor] | None = None


def _block_pool() -> ThreadPoolExecutor:
    """This process's thread pool for drawing blocks (made anew after a fork)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(numba.config.NUMBA_NUM_THREADS, "tco-blocks"))
    return _POOL[1]


def sample_outputs_into(
    plan: SamplingPlan,
    unit: np.ndarray,
    selected: np.ndarray,
    dest: np.ndarray,
    flags: np.ndarray,
    independent: bool = False,
) -> None:
    """Evaluate the kernel on unit-cube points, writing only the variables asked for.

    Parameters
    ----------
    plan : SamplingPlan
        Sampled inputs; ``unit`` has one column per ``plan.inputs`` entry.
    unit : ndarray of float64, shape (rows, plan.dims)
        Design points in (0, 1), before the copula.
    selected : ndarray of int64, shape (k,)
        Extended variable indices: ``0 .. N_OUTPUTS - 1`` kernel outputs
        (:data:`simulate.model.columns.OUTPUTS`), ``N_OUTPUTS + j`` the sampled value of
        ``plan.inputs[j]`` (category index for a categorical input).
    dest : ndarray of float64, shape (k, rows)
        Filled with the selected variables, one row each (any strides).
    flags : ndarray of int64, shape (rows,)
        Filled with the infeasibility bit masks.
    independent : bool
        Ignore the scenario's correlations (Sobol estimators assume independent
        inputs); by default the copula is applied first.

    Notes
    -----
    With at most one categorical input varying (every Monte Carlo run of the
    built-in scenarios) this is one fused parallel pass
    (:func:`simulate.model.fused.fused_sample_kernel`); otherwise the full input
    matrix is built and evaluated, with the same results.
    """
    rows = unit.shape[0]
    selected = np.ascontiguousarray(selected, dtype=np.int64)
    if unit.ndim != 2 or unit.shape[1] != plan.dims:
        raise ValueError(f"unit must have shape (rows, {plan.dims}), got {unit.shape}")
    if dest.shape != (len(selected), rows) or flags.shape != (rows,):
        raise ValueError(
            f"dest must have shape ({len(selected)}, {rows}) and flags ({rows},), got "
            f"{dest.shape} and {flags.shape}"
        )
    if len(selected) and (selected.min() < 0 or selected.max() >= col.N_OUTPUTS + plan.dims):
        raise ValueError(f"selected indices must lie in 0 .. {col.N_OUTPUTS + plan.dims - 1}")
    unit = np.ascontiguousarray(unit) if independent else plan.correlate(unit)
    if plan.fused_pass_applies:
        fused_sample(
            plan.inverse_cdfs,
            unit,
            plan.base_row,
            plan.row_expansion,
            selected,
            dest,
            flags,
            threads=numba.get_num_threads(),
        )
        return
    values = plan.transform_independent(unit)
    outputs, _ = model_outputs(plan.kernel_inputs(values), None, flags)
    for row, index in enumerate(selected):
        if index < col.N_OUTPUTS:
            dest[row] = outputs[:, index]
        else:
            dest[row] = values[:, index - col.N_OUTPUTS]


def sample_outputs(
    plan: SamplingPlan,
    unit: np.ndarray,
    outputs: list[str],
    output_index: list[int],
    workspace: Workspace,
) -> dict[str, np.ndarray]:
    """Evaluate the kernel on unit-cube points: inputs and outputs by name.

    Parameters
    ----------
    plan : SamplingPlan
        Sampled inputs; ``unit`` has one column per ``plan.inputs`` entry.
    unit : ndarray of float64, shape (rows, plan.dims)
        Design points in (0, 1), before the copula.
    outputs : list of str
        Output names to return.
    output_index : list of int
        Their kernel columns.
    workspace : Workspace
        Buffers of at least ``rows`` rows; the returned outputs are views into it,
        valid until the next evaluation with the same workspace.

    Returns
    -------
    dict of str to ndarray
        Each output, ``infeasible`` (bit mask) and each sampled input by key path.
    """
    rows = unit.shape[0]
    selected = [*output_index, *(col.N_OUTPUTS + j for j in range(plan.dims))]
    block = workspace.block(len(selected), rows)
    flags = workspace.flags[:rows]
    sample_outputs_into(plan, unit, np.asarray(selected, dtype=np.int64), block, flags)
    columns = {name: block[r] for r, name in enumerate(outputs)}
    columns["infeasible"] = flags
    for j, item in enumerate(plan.inputs):
        value = block[len(outputs) + j]
        columns[item.path] = value.astype(np.int64) if item.categorical else value
    return columns


def chunk_columns(job: ChunkJob, start: int, stop: int, rows: int) -> dict[str, np.ndarray]:
    """A chunk's stored variables: the task every executor runs for a run's chunk.

    Parameters
    ----------
    job : ChunkJob
        The run.
    start, stop : int
        Half-open sample range; ``start`` a multiple of ``BLOCK_SIZE``.
    rows : int
        The run's largest chunk, so the thread's buffers are reused chunk after chunk.

    Returns
    -------
    dict of str to ndarray
        As :meth:`ChunkJob.columns`: views of this thread's buffers, valid until its
        next task.
    """
    return job.columns(start, stop, thread_workspace(job, rows))


def chunk_columns_into(
    job: ChunkJob, start: int, stop: int, rows: int, out: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """:func:`chunk_columns` cast into the caller's buffers (:meth:`ChunkJob.column_buffers`).

    Returns
    -------
    dict of str to ndarray
        Views of ``out``'s arrays, ``stop - start`` rows each.
    """
    return job.columns(start, stop, thread_workspace(job, rows), out=out)


def chunk_to_zarr(job: ChunkJob, start: int, stop: int, rows: int, store: str) -> int:
    """Compute a chunk and write it into a Zarr store (a Dask worker's task).

    Parameters
    ----------
    job : ChunkJob
        The run.
    start, stop, rows : int
        As for :func:`chunk_columns`.
    store : str
        The run's temporary store, on a filesystem the worker sees.

    Returns
    -------
    int
        Samples written.
    """
    from results.store import write_zarr_region

    write_zarr_region(store, start, chunk_columns(job, start, stop, rows))
    return stop - start
