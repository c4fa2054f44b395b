"""Write a run's chunks on a background thread while the next chunk is computed.

A streamed run alternates two kinds of work: the kernel (Numba threads, no GIL)
and the file writer (h5py or Zarr, mostly in the C library and the kernel's page
cache, ``sys`` time). Done one after the other, the write of a 10-million-sample
run is as long as its computation on this kind of machine. Done side by side, the
write of chunk ``k`` overlaps the computation of chunk ``k + 1``.

The queue holds one chunk, so at most three chunks' columns live at once (one
being written, one waiting, one being computed): about 70 MB at the default
chunk of 131,072 samples and 185 bytes per sample. The file sees the chunks in
the same order with the same bytes as a serial run.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["BufferPool", "CoreShare", "WriteBehind"]

_DONE = object()


class WriteBehind:
    """A writer's ``write(start, columns)`` calls, made on a background thread in order.

    Parameters
    ----------
    writer : object
        Anything with ``write(start, columns)`` (a :mod:`results.store` writer).
        Only the background thread calls it once the first chunk is submitted.
    depth : int, optional
        Chunks that may wait for the writer (default 1).

    Notes
    -----
    A failure in the writer (disk full, a closed file) is raised by the next
    :meth:`submit` or by :meth:`close` in the calling thread, with its original
    type and traceback; chunks submitted after it are dropped. The caller keeps
    the writer's commit and abort: this class never touches the file otherwise.
    """

    def __init__(self, writer, depth: int = 1):
        if depth < 1:
            raise ValueError(f"depth = {depth}: must be at least 1")
        self._writer = writer
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._closed = False
        self._abandoned = False
        #: End of the last chunk the writer finished, samples (read by progress reports).
        self.written_stop = 0
        self._writing = False
        self._thread = threading.Thread(target=self._drain, name="tco-write-behind", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is not None or self._abandoned:
                if item[3] is not None:
                    item[3]()  # hand the buffers back even when the chunk is dropped
                continue  # drop the rest; the caller raises the first error
            start, stop, columns, release = item
            self._writing = True
            try:
                self._writer.write(start, columns)
            except BaseException as error:  # re-raised in the caller's thread
                self._error = error
            else:
                self.written_stop = stop
            finally:
                self._writing = False
                if release is not None:
                    release()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(
        self,
        start: int,
        stop: int,
        columns: Mapping[str, np.ndarray],
        release: Callable[[], None] | None = None,
    ) -> str:
        """Queue one chunk's columns for writing; blocks while the queue is full.

        Parameters
        ----------
        start, stop : int
            Half-open sample range of the chunk.
        columns : mapping of str to ndarray
            The chunk's stored variables. Without ``release``, arrays that are views
            of reused buffers (anything with a ``base``) are copied first, so the
            caller may reuse its buffers as soon as this returns.
        release : callable or None
            The caller hands ``columns`` over instead: nothing is copied, and
            ``release()`` is called on the background thread once the chunk is written
            (or dropped after a failure), when its buffers may be used again
            (:class:`BufferPool`).

        Returns
        -------
        {"writer", "compute", "even"}
            Which side kept the other waiting: ``"writer"`` when the queue was full
            (the caller waited for the writer), ``"compute"`` when the writer had
            nothing to do (it waited for this chunk), ``"even"`` otherwise.

        Raises
        ------
        BaseException
            The writer's first failure, if a previous chunk failed.
        """
        if self._closed:
            raise ValueError("submit after close: this write-behind is finished")
        self._raise_if_failed()
        owned = (
            dict(columns)
            if release is not None
            else {
                name: values if values.base is None else np.array(values, copy=True)
                for name, values in columns.items()
            }
        )
        item = (start, stop, owned, release)
        idle = self._queue.empty() and not self._writing
        try:
            self._queue.put_nowait(item)
            return "compute" if idle else "even"
        except queue.Full:
            pass
        # Wait in short slices so a writer that failed while the queue was full is
        # seen at once instead of blocking forever.
        while True:
            try:
                self._queue.put(item, timeout=0.05)
                return "writer"
            except queue.Full:
                self._raise_if_failed()
                if not self._thread.is_alive():
                    raise RuntimeError("the background writer stopped unexpectedly") from None

    def close(self) -> None:
        """Wait for every queued chunk to be written; raise the writer's failure if any."""
        if not self._closed:
            self._closed = True
            self._queue.put(_DONE)
            self._thread.join()
        self._raise_if_failed()

    def abandon(self) -> None:
        """Stop after the chunk being written, dropping queued ones (on error or Ctrl-C).

        Returns once the background thread has let go of the writer, so the caller
        may abort (close and delete) the file safely.
        """
        if self._closed:
            self._thread.join()
            return
        self._closed = True
        self._abandoned = True
        # Empty the queue so the sentinel fits, then wait for the thread.
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _DONE and item[3] is not None:
                item[3]()
        self._queue.put(_DONE)
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abandon()
        return False


class CoreShare:
    """The kernel's Numba threads while a background writer needs a core of its own.

    On a machine with few cores the writer thread and the kernel's threads compete
    for them; when the writer is the slower side (a slow disk, or a page cache that
    is slow to grow), every core the kernel takes from it lengthens the run. After
    each chunk, :meth:`after_chunk` gives the kernel one thread fewer when the chunk
    waited for the writer and one more (up to the number it started with) when the
    writer waited for the chunk. It changes only the calling thread's setting
    (``numba.set_num_threads`` is per thread) and never the results: chunks are the
    same bits on any number of threads.

    Parameters
    ----------
    most : int, optional
        Largest thread count; by default the calling thread's current one (never
        more than ``numba.config.NUMBA_NUM_THREADS``).
    """

    def __init__(self, most: int | None = None):
        import numba

        self._numba = numba
        if most is not None and int(most) < 1:
            raise ValueError(f"most = {most}: must be at least 1")
        # Never more than Numba's pool holds (set_num_threads refuses that).
        limit = numba.config.NUMBA_NUM_THREADS
        self.most = min(numba.get_num_threads() if most is None else int(most), limit)
        self.threads = self.most
        self._before = numba.get_num_threads()

    def after_chunk(self, waited_for: str) -> int:
        """Adjust the thread count after a chunk; ``waited_for`` as :meth:`WriteBehind.submit`.

        Returns
        -------
        int
            The kernel's threads for the next chunk.
        """
        if waited_for == "writer" and self.threads > 1:
            self.threads -= 1
        elif waited_for == "compute" and self.threads < self.most:
            self.threads += 1
        self._numba.set_num_threads(self.threads)
        return self.threads

    def restore(self) -> None:
        """Put back the thread count the calling thread had before."""
        self._numba.set_num_threads(self._before)


class BufferPool:
    """Sets of chunk buffers handed to the writer and back, so a run reuses the same memory.

    A chunk's stored columns cast to their storage type are new arrays each time
    (24 MB at the default chunk), and the allocator gives freed ones back to the
    system, so every chunk touched fresh pages: page faults as many as the bytes the
    run writes. The pool keeps the sets the writer has finished with and hands them
    out again; it holds at most as many as were in flight at once (the one being
    written, the queued ones and the one being filled).

    Parameters
    ----------
    make : callable
        Returns a new set of buffers (called when none is free).
    """

    def __init__(self, make: Callable[[], object]):
        self._make = make
        self._free: queue.SimpleQueue = queue.SimpleQueue()
        #: Sets made so far (the pool's memory is this many sets).
        self.made = 0

    def take(self):
        """A free set of buffers, or a new one."""
        try:
            return self._free.get_nowait()
        except queue.Empty:
            self.made += 1
            return self._make()

    def give(self, buffers) -> None:
        """Return a set taken from :meth:`take` (from any thread)."""
        self._free.put(buffers)
