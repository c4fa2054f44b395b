"""Run the chunks of a job as tasks on a Dask cluster, with the local path's answer.

The layer is generic: :meth:`DaskExecutor.map_ordered` sends ``function(payload,
*task)`` to the workers, one task per item, and hands the results back in task
order. The payload (a run's :class:`~simulate.engine.chunks.ChunkJob`, a Sobol problem) is
pickled once on the client and unpickled once per worker process (cached by its
SHA-256), not once per task. The client holds at most ``window`` results:
tasks are submitted as earlier ones are consumed, and results that arrive early
wait in a reorder buffer that the window bounds.

Every task runs the very code the local executor runs
(:func:`simulate.engine.chunks.chunk_columns`, the Sobol and comparison tasks), on
block-aligned ranges whose random
streams depend only on the root seed and the block number, so a run on a
cluster is bit-identical to the same run on one machine.

Failures: a worker that dies loses the tasks it was running or holding; the
scheduler runs them again elsewhere (up to ``distributed.scheduler.allowed-failures``
deaths per task), and since a task always recomputes the same bytes, the
answer does not change. Past that limit, or on an error in a task, the
remaining tasks are cancelled and the error is raised; the caller deletes its
temporary output, so no partial result is left.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from simulate.engine.executor import detached

GATHER_BUDGET_BYTES = 2**30  # results held on the client at once when workers send samples back
TASKS_PER_THREAD = 2  # in flight per worker thread: one running, one queued behind it
STOP_TIMEOUT_SECONDS = 600.0
EXTRA_HINT = "install the optional extra: pip install 'lifecycle-tco[dask]'"

_PAYLOADS: OrderedDict[str, object] = OrderedDict()
_PAYLOADS_KEPT = 4
_PAYLOAD_LOCK = threading.Lock()


class SharedPayload:
    """An object pickled once on the client and unpickled once per worker process.

    Parameters
    ----------
    obj : object
        Anything picklable (a run's ``ChunkJob``, a Sobol problem).
    """

    def __init__(self, obj):
        self.blob = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self.token = hashlib.sha256(self.blob).hexdigest()

    def load(self):
        """The object, from this process's cache when an earlier task already loaded it."""
        with _PAYLOAD_LOCK:
            if self.token in _PAYLOADS:
                _PAYLOADS.move_to_end(self.token)
                return _PAYLOADS[self.token]
        obj = pickle.loads(self.blob)
        with _PAYLOAD_LOCK:
            _PAYLOADS[self.token] = obj
            while len(_PAYLOADS) > _PAYLOADS_KEPT:
                _PAYLOADS.popitem(last=False)
        return obj


def _call(function, payload: SharedPayload, numba_threads: int | None, *args):
    # Runs on a worker. Each task sets its thread's Numba thread count: by default one, so
    # a worker's Dask threads are its parallelism and the cores are not oversubscribed.
    # The result is detached: the thread reuses its buffers for its next task while Dask
    # still holds this result for the client.
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    return detached(function(payload.load(), *args))


class DaskExecutor:
    """Runs chunk tasks on a Dask cluster through a ``distributed.Client``.

    The same interface as :class:`simulate.engine.executor.LocalExecutor`
    (:meth:`map_ordered`, :meth:`describe`), plus :meth:`write_store` for runs whose
    workers write their chunks into a shared Zarr store.

    Parameters
    ----------
    client : distributed.Client
        A connected client.
    window : int or None
        Most tasks in flight or waiting to be consumed; default twice the
        cluster's worker threads (re-read as workers join), and for results sent
        back to the client at most :data:`GATHER_BUDGET_BYTES` of them.
    numba_threads : int or None
        Numba threads per task (default 1: the worker's Dask threads are the
        parallelism); None leaves the worker's setting.
    """

    in_process = False
    writes_stores = True

    def __init__(self, client, window: int | None = None, numba_threads: int | None = 1):
        if window is not None and (not isinstance(window, int) or window < 1):
            raise ValueError(f"window = {window!r}: must be a positive number of tasks")
        self.client = client
        self.window = window
        self.numba_threads = numba_threads
        self._threads = (0, -np.inf)

    def worker_threads(self) -> int:
        """Worker threads in the cluster now (cached for a second)."""
        count, when = self._threads
        if time.monotonic() - when > 1.0:
            count = sum(self.client.nthreads().values())
            self._threads = (count, time.monotonic())
        return count

    def describe(self) -> str:
        """The cluster in a few words, for provenance."""
        workers = self.client.nthreads()
        return (
            f"dask.distributed at {self.client.scheduler.address}: {len(workers)} workers, "
            f"{sum(workers.values())} threads"
        )

    def _window(self, result_bytes: int | None) -> int:
        if self.window is not None:
            return self.window
        window = max(2, TASKS_PER_THREAD * self.worker_threads())
        if result_bytes:
            window = min(window, max(2, GATHER_BUDGET_BYTES // result_bytes))
        return window

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
        """Run ``function(payload, *task)`` for every task on the cluster; consume in order.

        Parameters
        ----------
        function : callable
            A module-level function (workers import it by name).
        payload : object
            Shared by every task; pickled once, loaded once per worker process.
        tasks : sequence of tuple
            Extra arguments of each task.
        consume : callable(index, result)
            Called on the client with each task's result, in task order.
        interrupt : simulate.engine.interrupt.ChunkInterrupt or None
            Checked after each result (Ctrl-C between chunks).
        result_bytes : int or None
            Size of one result, to keep the results held on the client under
            :data:`GATHER_BUDGET_BYTES`.
        label : str
            Prefix of the task keys (seen on the Dask dashboard).

        Raises
        ------
        RuntimeError
            When a task was lost with every worker that tried it, or the
            connection to the scheduler was lost; the message says which.
        Exception
            A task's own error, re-raised; the remaining tasks are cancelled.
        """
        from distributed import as_completed

        shared = SharedPayload(payload)
        run_id = uuid.uuid4().hex[:8]
        index_of: dict[str, int] = {}
        in_flight = {}
        ready: dict[int, object] = {}
        next_submit = next_consume = 0
        done = as_completed()

        def submit_more():
            nonlocal next_submit
            window = self._window(result_bytes)
            while next_submit < len(tasks) and next_submit - next_consume < window:
                key = f"{label}-{run_id}-{next_submit}"
                future = self.client.submit(
                    _call, function, shared, self.numba_threads, *tasks[next_submit], key=key
                )
                index_of[future.key] = next_submit
                in_flight[next_submit] = future
                done.add(future)
                next_submit += 1

        try:
            submit_more()
            while next_consume < len(tasks):
                future = next(done)
                index = index_of.pop(future.key)
                ready[index] = _result(future, index, tasks[index])
                del in_flight[index]
                future.release()
                while next_consume in ready:
                    consume(next_consume, ready.pop(next_consume))
                    next_consume += 1
                if interrupt is not None:
                    interrupt.check()
                submit_more()
        except BaseException:
            if in_flight:
                with contextlib.suppress(Exception):
                    self.client.cancel(list(in_flight.values()))
                    # A cancelled task that already started runs to its end; wait, so that
                    # none writes into an output the caller is about to delete.
                    self.wait_until_stopped(f"{label}-{run_id}-")
            raise
        finally:
            done.clear()

    def wait_until_stopped(self, prefix: str, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Wait until no worker is still executing a task whose key starts with ``prefix``.

        Parameters
        ----------
        prefix : str
            Key prefix of one :meth:`map_ordered` call.
        timeout : float
            Give up after this many seconds (a hung task), raising TimeoutError.
        """
        deadline = time.monotonic() + timeout
        while any(self.client.run(_executing_keys, prefix).values()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"tasks {prefix}* still running after {timeout:.0f} s")
            time.sleep(0.05)

    def write_store(self, job, ranges, writer, consume, interrupt=None) -> None:
        """Compute a Monte Carlo run's chunks on the workers, each writing its own into a store.

        The store (a Zarr writer's temporary folder) must be on a filesystem every
        worker sees, and its storage chunks must not straddle two tasks; both are
        checked first.

        Parameters
        ----------
        job : simulate.engine.chunks.ChunkJob
            The run.
        ranges : sequence of (start, stop)
            Block-aligned chunks, in order.
        writer : results.store.ZarrWriter
            The open writer of the run's output.
        consume : callable(index)
            Called on the client in chunk order, once that chunk is written.
        interrupt : ChunkInterrupt or None
            Checked after each chunk.
        """
        from simulate.engine.chunks import chunk_to_zarr

        rows = max(stop - start for start, stop in ranges)
        store = str(Path(writer.tmp).resolve())
        for start, stop in ranges:
            if start % writer.chunk_rows or (
                (stop - start) % writer.chunk_rows and stop < writer.n
            ):
                raise ValueError(
                    f"chunk {start}..{stop} does not align with the store's chunks of "
                    f"{writer.chunk_rows} rows: concurrent writers would overwrite each other"
                )
        self.check_shared_path(store)
        self.map_ordered(
            chunk_to_zarr,
            job,
            [(start, stop, rows, store) for start, stop in ranges],
            lambda i, _: consume(i),
            interrupt=interrupt,
            label="tco-run-zarr",
        )

    def check_shared_path(self, path: str) -> None:
        """Raise ValueError unless every worker sees ``path`` (a shared filesystem)."""
        seen = self.client.run(os.path.isdir, path)
        blind = sorted(worker for worker, ok in seen.items() if not ok)
        if blind:
            raise ValueError(
                f"{path}: workers {', '.join(blind)} cannot see the output store; Zarr output "
                "from a Dask cluster needs a folder shared by the client and every worker "
                "(NFS, Lustre, ...), or write a .nc file (gathered on the client)"
            )


def _executing_keys(prefix: str, dask_worker=None) -> list[str]:
    # Runs on each worker (``client.run`` passes the worker): keys of tasks still running
    # there, cancelled or not.
    state = dask_worker.state
    running = set(getattr(state, "executing", ())) | set(getattr(state, "long_running", ()))
    return [str(ts.key) for ts in running if str(ts.key).startswith(prefix)]


def _result(future, index: int, task: tuple):
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        raise RuntimeError(
            f"task {index} ({_describe_task(task)}) was lost: every worker that ran it died "
            f"({exc}); raise distributed.scheduler.allowed-failures or give the workers more "
            "memory. Nothing was written."
        ) from None
    except Exception as exc:
        if future.client.status != "running":
            raise RuntimeError(
                f"lost the connection to the Dask scheduler at task {index}: {exc!r}. Nothing "
                "was written."
            ) from None
        raise


def _describe_task(task: tuple) -> str:
    if len(task) >= 2 and all(isinstance(v, int | np.integer) for v in task[:2]):
        return f"samples {task[0]:,}..{task[1]:,}"
    return "a chunk"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count).

    Returns
    -------
    int
        At least 1.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def dask_executor(
    scheduler: str | None = None, workers: int | None = None, **kwargs
) -> Iterator[DaskExecutor | None]:
    """A :class:`DaskExecutor` for a scheduler address or a local cluster, or None.

    Parameters
    ----------
    scheduler : str or None
        Address of a running scheduler (``tcp://host:8786``), or a scheduler file
        (a path ending in ``.json``, as written by ``dask scheduler
        --scheduler-file``).
    workers : int or None
        Start a local cluster of this many single-threaded worker processes on
        127.0.0.1 instead (closed on exit).
    **kwargs
        Passed to :class:`DaskExecutor`.

    Yields
    ------
    DaskExecutor or None
        None when neither is given (run locally).
    """
    if scheduler is None and workers is None:
        yield None
        return
    if scheduler is not None and workers is not None:
        raise ValueError("give a scheduler address or a number of local workers, not both")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ValueError(f"running on Dask needs dask.distributed: {EXTRA_HINT}") from None
    if workers is not None:
        if workers < 1:
            raise ValueError(f"workers = {workers}: need at least one local worker")
        cores = available_cores()
        if workers > cores:
            # Each worker is a single-threaded process: more than the cores only adds
            # memory (a few hundred MB each) and context switches.
            raise ValueError(
                f"--dask-workers {workers}: this machine has {cores} core(s) for this process; "
                f"use at most {cores}, or --scheduler ADDRESS for a cluster of several machines"
            )
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                # Loopback only (the dashboard has no authentication), on a free port so it
                # never clashes with another cluster. To expose one, start your own
                # scheduler (`dask scheduler`) and pass --scheduler.
                dashboard_address="127.0.0.1:0",
            ) as cluster,
            Client(cluster) as client,
        ):
            yield DaskExecutor(client, **kwargs)
        return
    try:
        if scheduler.endswith(".json"):
            client = Client(scheduler_file=scheduler, timeout=30)
        else:
            client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise ValueError(
            f"cannot reach the Dask scheduler at {scheduler}: {exc}; start one with "
            "`dask scheduler` (and workers with `dask worker ADDRESS`)"
        ) from None
    with client:
        yield DaskExecutor(client, **kwargs)
