"""Import the labelling libraries on a background thread while the kernel computes.

A run needs xarray (and pandas under it) only once the samples exist, to label
them; and xarray imports ``dask.array`` the first time it wraps an array, when Dask
is installed, to know whether the array is a Dask one. Together that is about a
second of start-up on a 2-core workstation, spent holding the GIL. The kernel and
the file writer run without the GIL (Numba ``nogil`` threads, HDF5), so importing
the libraries beside them hides that second in the run instead of adding it to
the command's wall clock.

The main thread must not import these modules itself while the thread runs (it
would just wait for the thread); :func:`wait_for_imports` joins it first. An import
that fails here is left for the main thread to raise with its usual traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading

__all__ = ["LABELLING_MODULES", "prefetch_imports", "wait_for_imports"]

LABELLING_MODULES = ("xarray", "dask.array")
"""Modules a run labels its samples with; ``dask.array`` only when Dask is installed."""

_thread: threading.Thread | None = None
_lock = threading.Lock()


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        top = name.partition(".")[0]
        try:
            if importlib.util.find_spec(top) is not None:
                importlib.import_module(name)
        except Exception:  # the main thread's own import reports it properly
            return


def prefetch_imports(modules: tuple[str, ...] = LABELLING_MODULES) -> None:
    """Start importing ``modules`` on a daemon thread (once per process).

    Parameters
    ----------
    modules : tuple of str
        Dotted module names, imported in order; absent top-level packages are skipped.
    """
    global _thread
    with _lock:
        if _thread is not None:
            return
        _thread = threading.Thread(
            target=_import_all, args=(modules,), name="tco-prefetch", daemon=True
        )
        _thread.start()


def wait_for_imports() -> None:
    """Block until :func:`prefetch_imports` has finished (at once if never started)."""
    thread = _thread
    if thread is not None:
        thread.join()
