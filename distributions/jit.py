"""One jit decorator so every kernel is compiled with the same options.

Kernels are cached on disk (``cache=True``) so that short runs do not pay the
compile time twice, and use ``error_model="numpy"`` so a division by zero gives
inf/NaN (which the kernels then flag) instead of raising inside compiled code.
"""

from __future__ import annotations

import numba

__all__ = ["jit"]


def jit(*args, parallel: bool = False, **kwargs):
    """Compile a function with the project's Numba options.

    Parameters
    ----------
    *args
        Forwarded to :func:`numba.njit` (an optional signature or the function).
    parallel : bool, optional
        Compile with ``parallel=True`` so ``numba.prange`` loops run on all cores.
    **kwargs
        Extra options for :func:`numba.njit`; they override the defaults.

    Returns
    -------
    callable
        The compiled dispatcher, or a decorator when called without a function.
    """
    options = {"cache": True, "error_model": "numpy", "fastmath": False, "nogil": True}
    options.update(kwargs)
    if parallel:
        options["parallel"] = True
    return numba.njit(*args, **options)
