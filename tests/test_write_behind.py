"""The background writer of streamed runs: same bytes, failures surface, nothing left behind."""

import threading
import time

import numpy as np
import pytest
import xarray as xr

from scenarios.loader import load_scenario
from simulate.engine.montecarlo import run
from simulate.engine.seeding import BLOCK_SIZE
from simulate.engine.write_behind import BufferPool, CoreShare, WriteBehind


class RecordingWriter:
    """Keeps copies of what it is asked to write, optionally failing or stalling."""

    def __init__(self, fail_at=None, delay=0.0):
        self.writes = []
        self.fail_at = fail_at
        self.delay = delay
        self.threads = set()

    def write(self, start, columns):
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)
        if self.fail_at is not None and start == self.fail_at:
            raise OSError(28, "No space left on device")
        self.writes.append((start, {k: v.copy() for k, v in columns.items()}))


def test_chunks_written_in_order_off_the_calling_thread():
    writer = RecordingWriter(delay=0.01)
    with WriteBehind(writer) as behind:
        for start in range(0, 50, 10):
            behind.submit(start, start + 10, {"x": np.arange(start, start + 10.0)})
    assert [start for start, _ in writer.writes] == [0, 10, 20, 30, 40]
    assert behind.written_stop == 50
    assert threading.current_thread().name not in writer.threads


def test_views_of_reused_buffers_are_copied_before_submit_returns():
    writer = RecordingWriter(delay=0.02)
    buffer = np.zeros(8)
    with WriteBehind(writer) as behind:
        for value in (1.0, 2.0, 3.0):
            buffer[:] = value
            behind.submit(int(value), int(value) + 1, {"x": buffer[:4]})
    assert [columns["x"][0] for _, columns in writer.writes] == [1.0, 2.0, 3.0]


def test_writer_failure_is_raised_in_the_caller_with_its_type():
    writer = RecordingWriter(fail_at=10)
    with pytest.raises(OSError, match="No space left"):
        with WriteBehind(writer) as behind:
            for start in range(0, 1000, 10):
                behind.submit(start, start + 10, {"x": np.ones(10)})
    # Nothing after the failing chunk reached the writer.
    assert [start for start, _ in writer.writes] == [0]


def test_failure_of_the_last_chunk_is_raised_by_close():
    writer = RecordingWriter(fail_at=10)
    behind = WriteBehind(writer)
    behind.submit(0, 10, {"x": np.ones(10)})
    behind.submit(10, 20, {"x": np.ones(10)})
    with pytest.raises(OSError):
        behind.close()


def test_abandon_drops_queued_chunks_and_releases_the_writer():
    writer = RecordingWriter(delay=0.05)
    with pytest.raises(KeyboardInterrupt):
        with WriteBehind(writer, depth=3) as behind:
            for start in range(0, 40, 10):
                behind.submit(start, start + 10, {"x": np.ones(10)})
            raise KeyboardInterrupt
    assert not behind._thread.is_alive()
    assert len(writer.writes) < 4


def test_bad_depth():
    with pytest.raises(ValueError, match="depth = 0"):
        WriteBehind(RecordingWriter(), depth=0)


def test_submit_says_which_side_waited():
    # A slow writer: the second and third chunks find the queue full.
    slow = RecordingWriter(delay=0.2)
    with WriteBehind(slow) as behind:
        said = [behind.submit(s, s + 1, {"x": np.ones(1)}) for s in range(3)]
    assert said[0] == "compute"  # the writer had nothing to do yet
    assert said[-1] == "writer"
    # A fast writer that is idle by the time the next chunk comes.
    fast = RecordingWriter()
    with WriteBehind(fast) as behind:
        said = []
        for s in range(3):
            said.append(behind.submit(s, s + 1, {"x": np.ones(1)}))
            time.sleep(0.05)
    assert said == ["compute"] * 3


def test_released_buffers_are_handed_back_after_their_write_and_reused():
    writer = RecordingWriter(delay=0.01)
    pool = BufferPool(lambda: {"x": np.empty(4)})
    with WriteBehind(writer) as behind:
        for value in range(20):
            buffers = pool.take()
            buffers["x"][:] = value
            behind.submit(value, value + 1, buffers, release=lambda b=buffers: pool.give(b))
    # Each chunk's values were written before its buffers were filled again.
    assert [columns["x"][0] for _, columns in writer.writes] == list(range(20))
    # The one being written, the queued one and the one being filled, at most.
    assert 1 <= pool.made <= 3


def test_buffers_of_dropped_chunks_are_handed_back_too():
    writer = RecordingWriter(fail_at=1)
    given = []
    with pytest.raises(OSError):
        with WriteBehind(writer, depth=3) as behind:
            for start in range(0, 6):
                behind.submit(
                    start, start + 1, {"x": np.ones(1)}, release=lambda s=start: given.append(s)
                )
                time.sleep(0.01)
    assert sorted(given) == sorted(set(given)) and 0 in given and 1 in given


def test_core_share_leaves_the_writer_a_core_and_gives_it_back():
    import numba

    before = numba.get_num_threads()
    most = numba.config.NUMBA_NUM_THREADS
    assert CoreShare(most=most + 5).most == most  # never above Numba's pool
    cores = CoreShare(most=most)
    try:
        fewer = [cores.after_chunk("writer") for _ in range(most + 1)]
        assert fewer == [max(most - k, 1) for k in range(1, most + 2)]
        assert numba.get_num_threads() == 1
        assert cores.after_chunk("even") == 1
        more = [cores.after_chunk("compute") for _ in range(most + 1)]
        assert more == [min(1 + k, most) for k in range(1, most + 2)]
    finally:
        cores.restore()
    assert numba.get_num_threads() == before
    with pytest.raises(ValueError, match="most = 0"):
        CoreShare(most=0)


def test_streamed_run_restores_the_thread_count(tmp_path):
    import numba

    before = numba.get_num_threads()
    scenario = load_scenario(None)
    run(scenario, n=3 * BLOCK_SIZE, seed=1, output=tmp_path / "r.nc", chunk_blocks=1).close()
    assert numba.get_num_threads() == before


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_streamed_run_of_many_chunks_equals_the_in_memory_run(precision, suffix, tmp_path):
    scenario = load_scenario(None)
    n = 5 * BLOCK_SIZE + 77  # six chunks of one block: the writer overlaps several
    in_memory = run(scenario, n=n, seed=12, precision=precision)
    path = tmp_path / f"run{suffix}"
    run(scenario, n=n, seed=12, output=path, precision=precision, chunk_blocks=1).close()
    opener = xr.open_zarr if suffix == ".zarr" else xr.open_dataset
    with opener(path) as streamed:
        for name in in_memory.data_vars:
            np.testing.assert_array_equal(
                streamed[name].values, in_memory[name].values, err_msg=name
            )


def test_disk_full_during_a_streamed_run_leaves_no_file(tmp_path, monkeypatch):
    from results import store

    real_write = store.NetCDFWriter.write

    def full_after_two_chunks(self, start, columns):
        if start >= 2 * BLOCK_SIZE:
            raise OSError(28, "No space left on device")
        real_write(self, start, columns)

    monkeypatch.setattr(store.NetCDFWriter, "write", full_after_two_chunks)
    with pytest.raises(OSError, match="No space left"):
        run(
            load_scenario(None),
            n=6 * BLOCK_SIZE,
            seed=1,
            output=tmp_path / "run.nc",
            chunk_blocks=1,
        )
    assert list(tmp_path.iterdir()) == []
