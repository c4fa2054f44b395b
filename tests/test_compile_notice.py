"""The first-run notice: a real Numba compilation is announced, with its duration."""

import io

import numba

from simulate.cli.compile_notice import NOTICE, compile_notice


def test_a_fresh_compilation_is_announced_and_timed():
    stream = io.StringIO()

    with compile_notice(stream, after_seconds=0.0):

        @numba.njit(cache=False)
        def fresh(x):  # a new function: Numba must compile it here
            return x * 2.0 + 1.0

        assert fresh(1.0) == 3.0
        import time

        time.sleep(0.4)  # the notice's ticker looks every 0.25 s
    text = stream.getvalue()
    assert NOTICE in text and "compiled in" in text


def test_nothing_is_said_without_a_compilation():
    stream = io.StringIO()
    with compile_notice(stream, after_seconds=0.0):
        sum(range(10))
    assert stream.getvalue() == ""
