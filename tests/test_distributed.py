"""Runs on a Dask cluster give the local answer, bit for bit, even when a worker dies.

A local cluster of two single-threaded worker processes on 127.0.0.1 stands in
for a real one; runs are a few blocks long so the file stays quick.
"""

import json
import logging
import operator
import os
import signal

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

# Every test here starts or uses a local cluster of worker processes: the slow set.
pytestmark = pytest.mark.slow

from click.testing import CliRunner  # noqa: E402

from simulate.engine.distributed import DaskExecutor, SharedPayload, dask_executor  # noqa: E402
from simulate.engine.montecarlo import run  # noqa: E402
from simulate.engine.seeding import BLOCK_SIZE  # noqa: E402
from simulate.sensitivity import sobol as sobol_module  # noqa: E402

N = 5 * BLOCK_SIZE + 321  # six chunks of one block, the last one short


def assert_same_run(expected, actual):
    assert sorted(expected.data_vars) == sorted(actual.data_vars)
    for name in expected.data_vars:
        a, b = expected[name].values, actual[name].values
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b, equal_nan=True), name


@pytest.fixture(scope="module")
def quiet_logs():
    # Worker start-up and shutdown log at INFO/WARNING on the client's loggers; keep the
    # test output readable (nothing here is a Python warning, which would fail the test).
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def local_reference():
    """The local runs every cluster run must reproduce (also warms the Numba cache)."""
    return {
        design: run("default", n=N, seed=11, design=design, chunk_blocks=1)
        for design in ("mc", "sobol")
    }


@pytest.fixture(scope="module")
def executor(quiet_logs, local_reference):
    with dask_executor(workers=2) as dask:
        yield dask


@pytest.mark.parametrize("design", ["mc", "sobol"])
def test_run_on_the_cluster_is_bit_identical_to_the_local_run(executor, local_reference, design):
    remote = run("default", n=N, seed=11, design=design, chunk_blocks=1, executor=executor)
    assert_same_run(local_reference[design], remote)
    assert remote.attrs["executor"].startswith("dask.distributed")


def test_workers_write_the_zarr_store_themselves(executor, local_reference, tmp_path):
    path = tmp_path / "run.zarr"
    done = []
    remote = run(
        "default",
        n=N,
        seed=11,
        chunk_blocks=1,
        output=path,
        executor=executor,
        progress=lambda d, t: done.append((d, t)),
    )
    assert_same_run(local_reference["mc"], remote)
    assert done == [(min((i + 1) * BLOCK_SIZE, N), N) for i in range(6)]  # in order
    assert [p.name for p in tmp_path.iterdir()] == ["run.zarr"]  # no temporary left


def test_netcdf_output_is_gathered_on_the_client(executor, local_reference, tmp_path):
    local_file = run("default", n=N, seed=11, chunk_blocks=2, output=tmp_path / "run.nc")
    remote_dask = run(
        "default", n=N, seed=11, chunk_blocks=2, output=tmp_path / "dask.nc", executor=executor
    )
    assert_same_run(local_reference["mc"], local_file)
    assert_same_run(local_file, remote_dask)


def test_sobol_on_the_cluster_gives_the_same_indices(executor, monkeypatch):
    from scenarios.loader import load_scenario

    scenario = load_scenario("default")
    monkeypatch.setattr(sobol_module, "EVALUATION_CHUNK", 1000)  # several tasks
    local = sobol_module.sobol(scenario, n=256, seed=3, resamples=10)
    remote = sobol_module.sobol(scenario, n=256, seed=3, resamples=10, executor=executor)
    for key in ("S1", "S1_conf", "ST", "ST_conf", "n_dropped"):
        assert np.array_equal(local[key].values, remote[key].values, equal_nan=True), key


def test_platform_sobol_on_the_cluster_gives_the_same_indices(executor, monkeypatch):
    from simulate.sensitivity import platform_sobol as platform_sobol_module

    monkeypatch.setattr(platform_sobol_module, "EVALUATION_CHUNK", 700)  # several tasks
    args = dict(n=64, seed=3, resamples=10, group_by="tier")
    local = platform_sobol_module.platform_sobol("platform-10-models", **args)
    remote = platform_sobol_module.platform_sobol("platform-10-models", **args, executor=executor)
    for key in ("S1", "S1_conf", "ST", "ST_conf", "n_dropped"):
        assert np.array_equal(local[key].values, remote[key].values, equal_nan=True), key


def test_cli_run_with_a_scheduler_address_prints_the_local_summary(executor, tmp_path):
    from simulate.cli.main import main

    address = executor.client.scheduler.address
    args = ["run", "-n", str(2 * BLOCK_SIZE + 5), "--seed", "4", "--no-save", "--json"]
    local = CliRunner().invoke(main, args)
    remote = CliRunner().invoke(main, [*args, "--scheduler", address])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    drop = ("seconds", "engine_seconds")
    expected = {k: v for k, v in json.loads(local.stdout).items() if k not in drop}
    assert {k: v for k, v in json.loads(remote.stdout).items() if k not in drop} == expected


@pytest.mark.parametrize("common_random_numbers", [True, False])
def test_compare_on_the_cluster_is_bit_identical_to_the_local_comparison(
    executor, common_random_numbers
):
    from simulate.decisions.compare import compare

    kwargs = {
        "n": 2 * BLOCK_SIZE + 77,
        "seed": 6,
        "kpis": ["token_cost_per_1k", "lifecycle_total"],
        "chunk_blocks": 1,
        "common_random_numbers": common_random_numbers,
    }
    scenarios = ["accelerator-h100", "accelerator-b200", "fleet-cloud"]
    local = compare(scenarios, **kwargs)
    remote = compare(scenarios, executor=executor, **kwargs)
    assert_same_run(local, remote)
    assert remote.attrs["executor"].startswith("dask.distributed")


def test_cli_compare_with_a_scheduler_address_prints_the_local_statistics(executor):
    from simulate.cli.main import main

    address = executor.client.scheduler.address
    args = ["compare", "power-hedged", "power-unhedged", "-n", str(BLOCK_SIZE + 9)]
    args += ["--seed", "2", "--no-save", "--json"]
    local = CliRunner().invoke(main, args)
    remote = CliRunner().invoke(main, [*args, "--scheduler", address])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    drop = ("seconds", "engine_seconds")
    expected = {k: v for k, v in json.loads(local.stdout).items() if k not in drop}
    assert {k: v for k, v in json.loads(remote.stdout).items() if k not in drop} == expected


def test_cli_sobol_with_a_scheduler_address_prints_the_local_indices(executor):
    from simulate.cli.main import main

    args = ["sobol", "-N", "64", "--resamples", "10", "--kpi", "token_cost_per_1k", "--json"]
    local = CliRunner().invoke(main, args)
    remote = CliRunner().invoke(main, [*args, "--scheduler", executor.client.scheduler.address])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_cli_refuses_a_scheduler_and_local_workers_together():
    from simulate.cli.main import main

    result = CliRunner().invoke(main, ["run", "--scheduler", "tcp://x:1", "--dask-workers", "2"])
    assert result.exit_code == 2
    assert "give --scheduler or --dask-workers, not both" in result.output


def test_map_ordered_consumes_results_in_task_order_with_a_small_window(executor):
    consumed = []
    small = DaskExecutor(executor.client, window=2, numba_threads=None)
    small.map_ordered(
        operator.mul, 3, [(i,) for i in range(9)], lambda i, r: consumed.append((i, r))
    )
    assert consumed == [(i, 3 * i) for i in range(9)]


def test_an_error_in_a_task_is_raised_and_the_rest_cancelled(executor):
    consumed = []
    with pytest.raises(ZeroDivisionError):
        executor.map_ordered(
            operator.truediv, 1.0, [(2,), (0,), *[(1,)] * 6], lambda i, r: consumed.append(i)
        )
    assert consumed in ([], [0])


def test_interrupting_a_cluster_run_leaves_no_file(executor, tmp_path):
    def interrupt(done, total):
        if done >= 2 * BLOCK_SIZE:
            raise KeyboardInterrupt

    for name in ("run.zarr", "run.nc"):
        with pytest.raises(KeyboardInterrupt):
            run(
                "default",
                n=N,
                seed=1,
                chunk_blocks=1,
                output=tmp_path / name,
                executor=executor,
                progress=interrupt,
            )
    assert list(tmp_path.iterdir()) == []


def test_zarr_output_needs_a_folder_every_worker_sees(executor, tmp_path):
    with pytest.raises(ValueError, match="shared by the client and every worker"):
        executor.check_shared_path(str(tmp_path / "not-there"))


def test_the_payload_is_loaded_once_per_process():
    payload = SharedPayload({"plan": [1, 2, 3]})
    assert payload.load() is payload.load()
    assert SharedPayload({"plan": [1, 2, 3]}).token == payload.token


def test_the_local_dashboard_listens_on_loopback_only(executor):
    link = executor.client.dashboard_link
    assert link.startswith("http://127.0.0.1:"), link


def test_more_local_workers_than_cores_are_refused():
    from simulate.engine.distributed import available_cores

    too_many = available_cores() + 1
    with pytest.raises(ValueError, match=f"--dask-workers {too_many}: this machine has"):
        with dask_executor(workers=too_many):
            pass


def test_scheduler_and_local_workers_exclude_each_other():
    with pytest.raises(ValueError, match="not both"), dask_executor("tcp://x:1", 2):
        pass


def test_a_worker_killed_mid_run_changes_nothing(executor, local_reference, tmp_path):
    # Last in the file: the nanny restarts the killed worker, and no test should depend
    # on that. The kill happens while the run is under way: after the first chunk is
    # consumed, with later chunks not yet submitted (the window holds four of six).
    killed = []
    pids = executor.client.run(os.getpid)

    def kill_a_busy_worker(done, total):
        if killed:
            return
        busy = [w for w, keys in executor.client.processing().items() if keys] or list(pids)
        os.kill(pids[busy[0]], signal.SIGKILL)
        killed.append(busy[0])

    path = tmp_path / "run.zarr"
    remote = run(
        "default",
        n=N,
        seed=11,
        chunk_blocks=1,
        output=path,
        executor=executor,
        progress=kill_a_busy_worker,
    )
    assert killed
    assert_same_run(local_reference["mc"], remote)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.zarr"]


def test_a_platform_on_the_cluster_is_bit_identical_to_the_local_one(executor):
    from simulate.decisions.platform import platform_run

    kwargs = {"n": BLOCK_SIZE + 91, "seed": 3, "chunk_blocks": 1}
    local = platform_run("platform-10-models", **kwargs)
    remote = platform_run("platform-10-models", executor=executor, **kwargs)
    assert_same_run(local, remote)
    assert remote.attrs["executor"].startswith("dask.distributed")
