"""Ctrl-C is deferred to chunk boundaries, and a second one is immediate."""

import os
import signal

import pytest

from simulate.engine.interrupt import ChunkInterrupt


def test_first_ctrl_c_sets_a_flag_and_check_raises():
    with ChunkInterrupt() as interrupt:
        interrupt.check()  # nothing pending
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupt.requested
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()


def test_second_ctrl_c_raises_at_once():
    with ChunkInterrupt():
        os.kill(os.getpid(), signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)


def test_previous_handler_restored():
    before = signal.getsignal(signal.SIGINT)
    with ChunkInterrupt():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before


def test_sigterm_is_deferred_like_ctrl_c():
    before = signal.getsignal(signal.SIGTERM)
    with ChunkInterrupt() as interrupt:
        os.kill(os.getpid(), signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.slow
def test_sigterm_during_a_run_leaves_no_partial_file(tmp_path):
    import subprocess
    import sys
    import time

    out = tmp_path / "big.nc"
    process = subprocess.Popen(
        [sys.executable, "-m", "simulate.cli.main", "run", "-n", "20000000", "--seed", "1",
         "-o", str(out)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".*partial*")) and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.05)
    assert list(tmp_path.glob(".*partial*")), "the run never started writing"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err.decode()
    assert b"no result file was written" in err
    assert not list(tmp_path.iterdir())
