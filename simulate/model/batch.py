"""Thin, validating wrapper around the cost kernel."""

from __future__ import annotations

import numpy as np

from simulate.model import columns as col
from simulate.model.kernel import cost_rows, cost_rows_serial

# Below this many rows the thread pool's wake-up costs more than it saves.
PARALLEL_MIN_ROWS = 512


def evaluate(
    inputs: np.ndarray, outputs: np.ndarray | None = None, flags: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the lifecycle cost model on a matrix of samples.

    Parameters
    ----------
    inputs : array_like of float, shape (n, N_INPUTS) or (N_INPUTS,)
        One sample per row, columns and units as in :data:`simulate.model.columns.INPUTS`.
    outputs : ndarray of float64, shape (n, N_OUTPUTS), optional
        Buffer for the outputs (reused across chunks: fresh memory costs page faults).
    flags : ndarray of int64, shape (n,), optional
        Buffer for the flags.

    Returns
    -------
    outputs : ndarray of float64, shape (n, N_OUTPUTS)
        KPIs, internal factors and extras (:data:`simulate.model.columns.OUTPUTS`); NaN
        only where the row's flag marks it structurally infeasible.
    flags : ndarray of int64, shape (n,)
        Infeasibility bit masks (0: feasible; see :func:`simulate.model.columns.describe_flags`).

    Raises
    ------
    ValueError
        If the array does not have ``N_INPUTS`` columns.
    """
    x = np.ascontiguousarray(inputs, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != col.N_INPUTS:
        raise ValueError(
            f"inputs must have shape (n, {col.N_INPUTS}), got {np.shape(inputs)}; build them "
            "with simulate.model.inputs.input_matrix"
        )
    if outputs is None:
        outputs = np.empty((x.shape[0], col.N_OUTPUTS), dtype=np.float64)
    if flags is None:
        flags = np.empty(x.shape[0], dtype=np.int64)
    if outputs.shape != (x.shape[0], col.N_OUTPUTS) or flags.shape != (x.shape[0],):
        raise ValueError("outputs/flags buffers do not match the number of input rows")
    kernel = cost_rows if x.shape[0] >= PARALLEL_MIN_ROWS else cost_rows_serial
    kernel(x, outputs, flags)
    return outputs, flags


def variable_major_buffer(variables: int, rows: int) -> np.ndarray:
    """An uninitialised ``(variables, rows)`` float64 array whose rows do not alias in cache.

    The kernel writes one sample to every row at once. With rows a power-of-two
    number of bytes apart (262,144 samples are 2 MiB) all those writes map to the
    same cache set and evict each other; padding each row to an odd number of
    64-byte lines spreads them over distinct sets (the kernel ran ~1.5x faster).

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
    lines = -(-rows // 8)
    lines += 1 - lines % 2
    return np.empty((variables, lines * 8))[:, :rows]
