"""The cost model on a matrix of ready-made input rows (validating wrapper).

A few rows (``tco calc``, the TCO-index search, the tornado) go through the same
compiled pass as a Monte Carlo chunk (:func:`simulate.model.fused.fused_sample`),
with every column marked ``PASSTHROUGH`` so the inverse-CDF step copies the values:
a fresh install compiles one kernel for them and the runs. Many rows go to the
parallel row loop (:func:`simulate.model.kernel.cost_rows`), which skips that copy
(about 4x faster per row) and compiles only when first needed.
"""

from __future__ import annotations

import functools

import numba
import numpy as np

from simulate.model import columns as col

__all__ = ["model_outputs", "variable_major_buffer"]


def variable_major_buffer(variables: int, rows: int) -> np.ndarray:
    """An uninitialised ``(variables, rows)`` float64 array whose rows do not alias in cache.

    The kernel writes one sample to every row at once. With rows a power-of-two
    number of bytes apart (262,144 samples are 2 MiB) all those writes map to the
    same cache set and evict each other; padding each row to an odd number of
    64-byte lines spreads them over distinct sets (the kernel ran ~1.5x faster).
    The padding is at least one line, so the array is never contiguous: the
    compiled pass then always sees the same array type and compiles once.

    Parameters
    ----------
    variables : int
        Number of rows (output variables).
    rows : int
        Samples per variable.

    Returns
    -------
    ndarray of float64, shape (variables, rows)
        A view with padded row stride; each row is contiguous.
    """
    lines = -(-rows // 8) + 1
    lines += 1 - lines % 2
    return np.empty((variables, lines * 8))[:, :rows]


@functools.cache
def _passthrough_columns():
    """Inverse CDFs and row expansion that copy every input column as it is (built once)."""
    from distributions.kernels import PASSTHROUGH
    from distributions.matrix import prepare_columns

    codes = np.full(col.N_INPUTS, PASSTHROUGH, dtype=np.int64)
    prepared = prepare_columns(codes, np.zeros((col.N_INPUTS, 4)))
    icdf = (
        codes,
        *prepared,
        np.zeros((col.N_INPUTS, 2, 1)),
        np.zeros(col.N_INPUTS, dtype=np.int64),
    )
    every = np.arange(col.N_INPUTS, dtype=np.int64)
    zeros = np.zeros(col.N_INPUTS, dtype=np.int64)
    return icdf, (every, every.copy(), zeros, np.zeros((col.N_INPUTS, 1)))


def model_outputs(
    inputs: np.ndarray, outputs: np.ndarray | None = None, flags: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the lifecycle cost model on a matrix of samples.

    Parameters
    ----------
    inputs : array_like of float, shape (n, N_INPUTS) or (N_INPUTS,)
        One sample per row, columns and units as in :data:`simulate.model.columns.INPUTS`.
    outputs : ndarray of float64, shape (n, N_OUTPUTS), optional
        Buffer to fill with the outputs.
    flags : ndarray of int64, shape (n,), optional
        Buffer for the flags.

    Returns
    -------
    outputs : ndarray of float64, shape (n, N_OUTPUTS)
        KPIs, internal factors and extras (:data:`simulate.model.columns.OUTPUTS`),
        each in its unit; NaN only where the row's flag marks it structurally
        infeasible. Without an ``outputs`` buffer, a view of a variable-major array.
    flags : ndarray of int64, shape (n,)
        Infeasibility bit masks (0: feasible; see
        :func:`simulate.model.columns.describe_flags`).

    Raises
    ------
    ValueError
        If the array does not have ``N_INPUTS`` columns, or a buffer does not match.
    """
    from simulate.model.fused import PARALLEL_MIN_ROWS, fused_sample
    from simulate.model.kernel import VALID_ROW

    x = np.ascontiguousarray(inputs, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != col.N_INPUTS:
        raise ValueError(
            f"inputs must have shape (n, {col.N_INPUTS}), got {np.shape(inputs)}; build them "
            "with simulate.model.inputs.input_matrix"
        )
    n = x.shape[0]
    if flags is None:
        flags = np.empty(n, dtype=np.int64)
    if (outputs is not None and outputs.shape != (n, col.N_OUTPUTS)) or flags.shape != (n,):
        raise ValueError("outputs/flags buffers do not match the number of input rows")
    threads = numba.get_num_threads()
    if n >= PARALLEL_MIN_ROWS and threads > 1:
        from simulate.model.kernel import cost_rows

        if outputs is None:
            outputs = np.empty((n, col.N_OUTPUTS))
        cost_rows(x, outputs, flags)
        return outputs, flags
    icdf, expansion = _passthrough_columns()
    by_variable = variable_major_buffer(col.N_OUTPUTS, n)
    every_output = np.arange(col.N_OUTPUTS, dtype=np.int64)
    fused_sample(icdf, x, VALID_ROW, expansion, every_output, by_variable, flags, threads=1)
    if outputs is None:
        return by_variable.T, flags
    outputs[...] = by_variable.T
    return outputs, flags
