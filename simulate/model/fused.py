"""One parallel pass from unit-cube points to the stored variables of a chunk.

A Monte Carlo chunk used to take three passes over memory: the inverse CDFs wrote
the sampled values, the cost kernel wrote all 38 outputs of every sample, then the
stored ones were copied out. Each pass streamed its arrays through main memory
(a 262,144-sample chunk of outputs is 80 MB), so memory traffic, not arithmetic,
set the pace. Here each thread takes tiles of a few hundred samples: it maps the
tile's uniforms through the inverse CDFs, evaluates the kernel on each row and
copies only the requested variables to their destination, all within buffers
that stay in cache. Each sample's values depend only on its own uniforms, so the
result does not depend on the tile size or the thread count (tested against the
separate passes).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from distributions.jit import jit
from distributions.matrix import rows_block
from simulate.model import columns as col
from simulate.model.kernel import columns_valid, cost_valid_row, fill_nan, inputs_valid

# Samples per tile: the tile's outputs and sampled values (~50 x 256 doubles) stay in L2.
TILE = 256
# Row stride of the tile buffer: an odd number of 64-byte lines, so the kernel's 38
# writes of one sample land in distinct cache sets (see simulate.model.batch.variable_major_buffer).
TILE_STRIDE = TILE + 8
N_OUTPUTS = col.N_OUTPUTS

# Below this many rows one thread does the whole pass: waking the pool costs more than it
# saves, and a small job (tco calc, the TCO-index search, a short run) then never compiles
# the parallel entry, whose compilation alone takes seconds.
PARALLEL_MIN_ROWS = 16 * TILE

__all__ = [
    "PARALLEL_MIN_ROWS",
    "TILE",
    "fused_sample",
    "fused_sample_kernel",
]


def fused_sample(icdf, unit, base_row, expansion, selected, dest, flags, threads: int) -> None:
    """Run :func:`fused_sample_kernel` on ``threads`` threads, or serially for few rows.

    Parameters
    ----------
    icdf, unit, base_row, expansion, selected, dest, flags
        As for :func:`fused_sample_kernel`.
    threads : int
        Threads to split the rows over (``numba.get_num_threads()``).
    """
    args = (icdf, unit, base_row, expansion, selected, dest, flags)
    if threads <= 1 or unit.shape[0] < PARALLEL_MIN_ROWS:
        fused_rows(*args, 0, unit.shape[0], inputs_valid(base_row))
    else:
        fused_sample_kernel(*args, threads)


@jit(parallel=True)
def fused_sample_kernel(icdf, unit, base_row, expansion, selected, dest, flags, parts):
    """Inverse CDFs, the cost kernel and the copy-out of a chunk, in one parallel pass.

    Parameters
    ----------
    icdf : tuple of ndarray
        The design columns' inverse CDFs (:func:`distributions.inverse_cdfs`).
    unit : ndarray of float64, shape (n, dims)
        Unit-cube points (after the copula, if any), C-contiguous.
    base_row : ndarray of float64, shape (N_INPUTS,)
        Kernel inputs at the scenario's base values.
    expansion : tuple of ndarray
        How design columns set kernel input columns
        (:attr:`simulate.engine.plan.SamplingPlan.row_expansion`): ``source`` (int64,
        (m,)), the design column that sets kernel input column ``column[p]``;
        ``column`` (int64, (m,)), the kernel input columns that vary (each at most
        once); ``categories`` (int64, (m,)), 0 when the sampled value is the input
        itself, else the number of categories of a categorical design column, whose
        value (a category index) picks ``table[p, index]``; ``table`` (float64, (m,
        c)), the input value per category (catalog figures a choice drives).
    selected : ndarray of int64, shape (k,)
        Variables to store, by extended index: ``0 .. N_OUTPUTS - 1`` are kernel
        outputs (:data:`simulate.model.columns.OUTPUTS`), ``N_OUTPUTS + j`` is the sampled
        value of design column ``j`` (category index for a categorical column).
    dest : ndarray of float64, shape (k, n)
        Filled with the selected variables, one row each (any strides).
    flags : ndarray of int64, shape (n,)
        Filled with the infeasibility bit masks (:data:`simulate.model.columns.FLAG_REASONS`).
    parts : int
        Contiguous row ranges to split the work into (the thread count).
    """
    n = unit.shape[0]
    parts = max(1, min(parts, (n + TILE - 1) // TILE))
    # The base row is checked once; each sample then only needs its varied columns checked.
    base_valid = inputs_valid(base_row)
    # The parallel loop only hands out row ranges: its body is one call, so Numba's
    # parallel lowering stays small (it dominated the compile time when the whole tile
    # loop sat inside it) and the serial part compiles once.
    for part in numba.prange(parts):
        start, stop = part * n // parts, (part + 1) * n // parts
        fused_rows(icdf, unit, base_row, expansion, selected, dest, flags, start, stop, base_valid)


@jit
def fused_rows(
    icdf, unit, base_row, expansion, selected, dest, flags, part_start, part_stop, base_valid
):
    """Rows ``part_start .. part_stop`` of :func:`fused_sample_kernel`, tile by tile.

    Arguments as for :func:`fused_sample_kernel`; ``base_valid`` says whether the
    base row passed the domain check.
    """
    expand_source, expand_column, expand_categories, expand_table = expansion
    dims = unit.shape[1]
    m = expand_column.shape[0]
    k = selected.shape[0]
    row = base_row.copy()
    values = np.empty((TILE, dims))
    tile = np.empty((N_OUTPUTS + dims, TILE_STRIDE))
    for start in range(part_start, part_stop, TILE):
        rows = min(TILE, part_stop - start)
        # np.int64(0), not the literal 0: one compiled rows_block for every caller.
        rows_block(icdf, unit[start : start + rows], values, np.int64(0), rows)
        for i in range(rows):
            for p in range(m):
                value = values[i, expand_source[p]]
                categories = expand_categories[p]
                if categories > 0:
                    if value >= 0.0 and value < categories:
                        value = expand_table[p, int(value)]
                    else:
                        value = math.nan  # fails the domain check below
                row[expand_column[p]] = value
            if base_valid and columns_valid(row, expand_column):
                flags[start + i] = cost_valid_row(row, tile, i)
            else:
                fill_nan(tile, i)
                flags[start + i] = col.FLAG_INVALID_INPUT
            # After the kernel: it NaN-fills every row of the column it rejects.
            for j in range(dims):
                tile[N_OUTPUTS + j, i] = values[i, j]
        for r in range(k):
            source = selected[r]
            for i in range(rows):
                dest[r, start + i] = tile[source, i]
