"""A fair plain-NumPy evaluation of the cost model: the same equations, vectorised well.

The test oracle (:func:`simulate.model.reference.reference_outputs`) is written for
clarity: it reads strided columns of a row-major input matrix, carries every constant
as a full column and writes strided output columns. That is not how a careful NumPy
author would write it, so a kernel's lead over it overstates what compiling buys.
Here the oracle's own equations run on the inputs as a NumPy programmer would lay them
out: every varying column a contiguous array, every constant column a Python float
(broadcast, never materialised), outputs written to a column-major matrix. The
equations are not copied: they are the oracle's, so the baseline cannot drift from the
model. The domain check of invalid rows is skipped (the kernel does it), which favours
the baseline.
"""

from __future__ import annotations

import numpy as np

from simulate.model import columns as col
from simulate.model.reference import _reference_rows


class ColumnView:
    """``x[:, j]`` of an input matrix: a contiguous array, or a NumPy scalar when constant.

    Parameters
    ----------
    inputs : ndarray, shape (n, N_INPUTS)
        Kernel input rows.
    arrays_for : iterable of int, optional
        Columns to keep as arrays even when constant (where an equation indexes the
        result by a row mask).
    """

    def __init__(self, inputs: np.ndarray, arrays_for=()):
        self.shape = inputs.shape
        keep = set(arrays_for)
        self.columns = []
        for j in range(inputs.shape[1]):
            column = inputs[:, j]
            if j not in keep and column.size and (column == column[0]).all():
                self.columns.append(np.float64(column[0]))
            else:
                self.columns.append(np.ascontiguousarray(column))

    def __getitem__(self, key):
        rows, j = key
        if rows != slice(None):
            raise IndexError("the baseline reads whole columns only")
        return self.columns[j]


def fair_outputs(view: ColumnView) -> tuple[np.ndarray, np.ndarray]:
    """The oracle's equations on a :class:`ColumnView` into a column-major output matrix.

    Parameters
    ----------
    view : ColumnView
        The inputs (build it once; the conversion is the data layout, not the model).

    Returns
    -------
    outputs : ndarray, shape (n, N_OUTPUTS), Fortran order
    flags : ndarray of int64, shape (n,)
    """
    n = view.shape[0]
    out = np.empty((n, col.N_OUTPUTS), order="F")
    flags = np.zeros(n, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _reference_rows(view, out, flags)
    return out, flags
