"""Hostile input meets the command line: a clear one-line error or a sound result, fast.

Property-based (Hypothesis) runs of ``tco calc`` and ``tco run -n 2000`` on mutated
built-in scenarios (files and ``--set`` values) and of ``tco fit`` on hostile CSVs,
in-process through ``click.testing.CliRunner``. Every case must end in one of two ways:

- a non-zero exit whose last line is one ``Error: ...`` line, with no traceback and no
  exception other than ``SystemExit`` escaping the command; or
- exit 0 with every KPI finite and non-negative (or NaN where the run reports
  infeasible samples);

and take less than ``fuzz_mutations.SLOW_SECONDS`` (10 s). Warnings are errors here
(pytest's ``filterwarnings = error``), so a stray numpy warning fails a case too.

The default run is short (about 60 examples in all, well under a minute once the
kernels are compiled); ``TCO_FUZZ_EXAMPLES=N`` gives every test N examples for a longer
look, and ``tests/fuzz_campaign.py`` counts outcomes over thousands. The examples are
the same on every run (the "repeatable" Hypothesis profile of ``conftest.py`` sets
``derandomize=True``), so CI cannot fail on a case no earlier run saw;
``HYPOTHESIS_PROFILE=explore`` draws fresh ones.
"""

from __future__ import annotations

import os
import signal

import pytest
from fuzz_mutations import SLOW_SECONDS, describe, file_cases, fit_cases, invoke, set_cases
from hypothesis import HealthCheck, given, settings

_EXTRA = int(os.environ.get("TCO_FUZZ_EXAMPLES", "0"))


def _examples(default: int) -> int:
    return _EXTRA or default


FUZZ = dict(
    deadline=None,  # the limit is SLOW_SECONDS per case, asserted below
    database=None,  # derandomized: nothing to replay
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder for the case files, and the kernels compiled before any case is timed."""
    path = tmp_path_factory.mktemp("fuzz")
    for command in ("calc", "run", "fit"):
        case = {"command": command, "text": None, "scenario": "default", "overrides": []}
        if command == "fit":
            case = {"command": "fit", "csv": "v\n" + "\n".join(str(1 + i % 5) for i in range(20))}
        outcome, _, result = invoke(case, path)
        assert outcome == "accepted", result.output
    return path


def _alarm(signum, frame):
    raise TimeoutError(f"a fuzz case ran past {6 * SLOW_SECONDS:.0f} s")


def check(case: dict, folder) -> None:
    """Run one case; fail with its description unless it is accepted or cleanly refused."""
    # A backstop for a case that never ends (Python-level loops only): the 10 s limit
    # itself is measured, not enforced.
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(6 * SLOW_SECONDS))
    try:
        outcome, elapsed, result = invoke(case, folder)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    detail = f"{describe(case)}: {outcome} after {elapsed:.1f} s\n{result.output[-2000:]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(detail) from result.exception
    assert outcome in ("accepted", "refused"), detail
    assert elapsed < SLOW_SECONDS, detail


@settings(max_examples=_examples(150), **FUZZ)
@given(case=file_cases())
def test_mutated_scenario_files(case, folder):
    check(case, folder)


@settings(max_examples=_examples(150), **FUZZ)
@given(case=set_cases())
def test_set_values(case, folder):
    check(case, folder)


@settings(max_examples=_examples(40), **FUZZ)
@given(case=fit_cases())
def test_fit_csvs(case, folder):
    check(case, folder)
