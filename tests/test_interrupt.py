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
