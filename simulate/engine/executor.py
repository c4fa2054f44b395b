"""Where a job's tasks run: here, or on a Dask cluster, behind one interface.

A run, a comparison and a Sobol analysis all cut their work into tasks
``function(payload, *task)`` (a chunk of samples, a slice of design points) and
consume the results in task order. An executor decides where the tasks run:

- :class:`LocalExecutor` runs them here, one after another, each on the Numba
  threads (the default);
- :class:`simulate.engine.distributed.DaskExecutor` sends them to the workers of a
  Dask cluster, a bounded window at a time.

Either way the task functions are the same module-level functions, and every
task's random streams depend only on the root seed and the block numbers, so the
answer is the same bits wherever it runs.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["LocalExecutor", "detached", "local_if_none", "release_workspace", "thread_workspace"]

_THREAD_STATE = threading.local()


class LocalExecutor:
    """Runs tasks in this process, in order, on the calling thread.

    Each task parallelises itself over the Numba threads. Results are consumed as
    they are made, so a task may return views of its thread's reused buffers
    (:func:`thread_workspace`).
    """

    #: Tasks share this process's memory: a run may fill its result arrays in place.
    in_process = True
    #: Workers that write output stores themselves (Dask workers writing Zarr) are elsewhere.
    writes_stores = False

    def describe(self) -> str:
        """Where the tasks run, for provenance."""
        return "local (Numba threads)"

    def map_ordered(
        self,
        function: Callable,
        payload,
        tasks: Sequence[tuple],
        consume: Callable[[int, object], None],
        *,
        interrupt=None,
        result_bytes: int | None = None,
        label: str = "tco-task",
    ) -> None:
        """Run ``function(payload, *task)`` for every task and consume each result in order.

        Parameters
        ----------
        function : callable
            The task function.
        payload : object
            Shared by every task.
        tasks : sequence of tuple
            Extra arguments of each task.
        consume : callable(index, result)
            Called with each task's result, in task order, before the next task runs.
        interrupt : simulate.engine.interrupt.ChunkInterrupt or None
            Checked after each task (Ctrl-C between chunks).
        result_bytes, label
            Accepted for the executor interface (used by the Dask executor).
        """
        for index, task in enumerate(tasks):
            consume(index, function(payload, *task))
            if interrupt is not None:
                interrupt.check()


def local_if_none(executor):
    """The executor given, or a :class:`LocalExecutor` for None."""
    return LocalExecutor() if executor is None else executor


def thread_workspace(job, rows: int):
    """This thread's kernel buffers for ``job`` (``job.workspace(rows)``), reused.

    Fresh memory costs page faults, so each thread keeps the buffers of the job it
    last ran; another job or size replaces them. Results that are views of these
    buffers are valid until the thread's next task (see :func:`detached`).

    Parameters
    ----------
    job : object
        Anything with a ``workspace(rows)`` method (a run's or a comparison's job).
    rows : int
        Largest chunk, samples.

    Returns
    -------
    object
        ``job.workspace(rows)``, made once per thread, job and size.
    """
    owner = getattr(_THREAD_STATE, "owner", None)
    if owner is None or owner() is not job or _THREAD_STATE.rows != rows:
        _THREAD_STATE.owner = weakref.ref(job)
        _THREAD_STATE.rows = rows
        _THREAD_STATE.workspace = job.workspace(rows)
    return _THREAD_STATE.workspace


def release_workspace() -> None:
    """Drop this thread's kernel buffers (:func:`thread_workspace`), once its job is done.

    A finished run's buffers (about 50 MB at the default chunk) would otherwise stay
    alive until the thread's next job, next to the run's result.
    """
    for name in ("owner", "rows", "workspace"):
        if hasattr(_THREAD_STATE, name):
            delattr(_THREAD_STATE, name)


def detached(result):
    """``result`` with every array an owned copy (lists and dicts followed).

    A Dask worker thread reuses its buffers for its next task while the scheduler
    still holds this task's result, so results leave a worker detached.

    Parameters
    ----------
    result : ndarray, dict, list, tuple or other
        A task's result.

    Returns
    -------
    Same structure, arrays copied; anything else as it is.
    """
    if isinstance(result, np.ndarray):
        return np.array(result, copy=True)
    if isinstance(result, dict):
        return {key: detached(value) for key, value in result.items()}
    if isinstance(result, list | tuple):
        return type(result)(detached(value) for value in result)
    return result
