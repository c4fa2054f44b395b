"""The Monte Carlo engine: reproducibility, storage, labelling and clean failure."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from scenarios.loader import load_scenario
from simulate.engine.chunks import stored_outputs
from simulate.engine.montecarlo import run
from simulate.engine.seeding import BLOCK_SIZE
from simulate.model import columns as col
from simulate.model.inputs import input_matrix
from simulate.model.reference import reference_outputs

N = BLOCK_SIZE * 2 + 1234  # not a multiple of the block: the last block is short


def assert_same(a, b):
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()


@pytest.fixture(scope="module")
def reference_run(scenario):
    return run(scenario, n=N, seed=11)


def test_same_seed_same_result_whatever_the_chunk_size(scenario, reference_run):
    assert_same(reference_run, run(scenario, n=N, seed=11, chunk_blocks=1))
    assert_same(reference_run, run(scenario, n=N, seed=11, chunk_blocks=5))


def test_prefix_of_a_longer_run_is_the_shorter_run(scenario, reference_run):
    longer = run(scenario, n=N + BLOCK_SIZE, seed=11)
    assert_same(reference_run, longer.isel(sample=slice(0, N)))


def test_different_seeds_differ(scenario, reference_run):
    other = run(scenario, n=N, seed=12)
    assert not np.array_equal(
        other["token_cost_per_1k"].values, reference_run["token_cost_per_1k"].values
    )


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_other_designs_reproduce_and_sample_the_same_marginals(scenario, design, reference_run):
    a = run(scenario, n=N, seed=11, design=design)
    assert_same(a, run(scenario, n=N, seed=11, design=design, chunk_blocks=1))
    # Same marginals as plain Monte Carlo: medians agree within sampling error.
    for path in ("power.spot_price_usd_per_mwh", "facility.pue"):
        m_mc = np.median(reference_run[path].values)
        assert np.median(a[path].values) == pytest.approx(m_mc, rel=0.02)


def test_stored_values_are_the_kernel_outputs_of_the_stored_inputs(scenario, reference_run):
    # Rebuild kernel inputs from the stored sampled inputs and evaluate with the reference.
    values = {
        path: reference_run[path].values for path in reference_run.attrs["sampled_inputs"].split()
    }
    inputs = input_matrix(scenario, values, N)
    expected, flags = reference_outputs(inputs)
    np.testing.assert_array_equal(reference_run["infeasible"].values, flags)
    for name in stored_outputs("standard"):
        np.testing.assert_allclose(
            reference_run[name].values,
            expected[:, col.OUTPUT_INDEX[name]],
            rtol=1e-12,
            err_msg=name,
        )


def test_sampled_factors_follow_their_distributions(scenario, reference_run):
    from scipy.stats import kstest

    for item in scenario.factors():
        result = kstest(reference_run[item.path].values, item.distribution.cdf)
        assert result.pvalue > 1e-4, item.path


def test_levers_held_at_base(reference_run, scenario):
    assert "levers_at_base" in reference_run.attrs
    for lever in scenario.levers():
        assert lever.path not in reference_run.data_vars
        assert f"{lever.path}=" in reference_run.attrs["levers_at_base"]


def test_netcdf_round_trip_with_plain_open_dataset(scenario, tmp_path):
    path = tmp_path / "run.nc"
    ds = run(scenario, n=5000, seed=3, output=path)
    ds.close()
    with xr.open_dataset(path) as back:
        assert back.sizes["sample"] == 5000
        assert back["token_cost_per_1k"].attrs["units"] == "USD/1k tokens"
        assert back["lifecycle_total"].attrs["long_name"].startswith("lifecycle total")
        for name in back.data_vars:
            assert "long_name" in back[name].attrs, name
        assert back.attrs["seed"] == "3" and back.attrs["design"] == "mc"
        assert back.attrs["scenario_toml"] == scenario.text
        assert back.attrs["scenario_sha256"] == scenario.sha256
        for key in ("numpy_version", "numba_version", "lifecycle_tco_version", "created"):
            assert key in back.attrs
        in_memory = run(scenario, n=5000, seed=3)
        assert_same(in_memory, back.load())
    # attrs survive a second round trip through xarray
    with xr.open_dataset(path) as again:
        again.load().to_netcdf(tmp_path / "copy.nc", engine="h5netcdf")
    with xr.open_dataset(tmp_path / "copy.nc") as copy:
        assert copy.attrs["scenario_sha256"] == scenario.sha256
        assert copy["token_cost_per_1k"].attrs["units"] == "USD/1k tokens"


@pytest.mark.parametrize("categorical", [1, 2])
def test_in_memory_run_with_categorical_factors_equals_the_streamed_file(categorical, tmp_path):
    # In memory the kernel writes straight into the dataset's arrays; streamed, it goes
    # through a chunk buffer. One categorical factor takes the fused pass, two the
    # full-matrix path.
    overrides = ["hardware.accelerator={dist='choice', values=['H100', 'B200']}"]
    if categorical == 2:
        overrides.append("fleet.ownership={dist='choice', values=['owned', 'cloud']}")
    scenario = load_scenario(None, overrides)
    in_memory = run(scenario, n=BLOCK_SIZE + 99, seed=4, chunk_blocks=1)
    with run(scenario, n=BLOCK_SIZE + 99, seed=4, output=tmp_path / "run.nc") as streamed:
        assert_same(in_memory, streamed.load())
    accelerator = in_memory["hardware.accelerator"].values
    assert accelerator.dtype == np.int64 and set(np.unique(accelerator)) == {0, 1}
    # B200 samples take B200 catalog figures: cheaper tokens than H100 ones.
    cost = in_memory["token_cost_per_1k"].values
    assert np.nanmedian(cost[accelerator == 1]) < np.nanmedian(cost[accelerator == 0])


@pytest.mark.parametrize("design", ["mc", "lhs", "sobol"])
def test_chunk_blocks_drawn_on_threads_equal_blocks_drawn_in_turn(design):
    import numba

    from simulate.engine.chunks import chunk_unit
    from simulate.engine.design import unit_block
    from simulate.engine.seeding import as_seed_sequence

    root = as_seed_sequence(17)
    start, stop = 2 * BLOCK_SIZE, 5 * BLOCK_SIZE + 321  # three whole blocks and a short one
    one_by_one = np.vstack(
        [
            unit_block(design, root, b, min(BLOCK_SIZE, stop - b * BLOCK_SIZE), 5)
            for b in range(2, 6)
        ]
    )
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            np.testing.assert_array_equal(chunk_unit(design, root, start, stop, 5), one_by_one)
    finally:
        numba.set_num_threads(before)


def test_in_memory_float32_run_is_the_float64_run_rounded(scenario):
    # float64 in memory is written straight into the dataset; float32 goes through the
    # chunk buffer and a cast. Same samples either way.
    wide = run(scenario, n=3000, seed=8)
    narrow = run(scenario, n=3000, seed=8, precision="float32")
    for name in wide.data_vars:
        expected = wide[name].values
        if expected.dtype == np.float64:
            expected = expected.astype(np.float32)
        assert narrow[name].dtype == expected.dtype, name
        np.testing.assert_array_equal(narrow[name].values, expected, err_msg=name)


def test_zarr_store_round_trip(scenario, tmp_path):
    path = tmp_path / "run.zarr"
    ds = run(scenario, n=5000, seed=3, output=path, precision="float32")
    assert ds["token_cost_per_1k"].dtype == np.float32
    with xr.open_zarr(path) as back:
        assert back.attrs["seed"] == "3"
        expected = run(scenario, n=5000, seed=3)["token_cost_per_1k"].values.astype(np.float32)
        np.testing.assert_array_equal(back["token_cost_per_1k"].values, expected)


def test_interrupt_leaves_no_file(scenario, tmp_path):
    path = tmp_path / "run.nc"

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(scenario, n=BLOCK_SIZE * 20, seed=1, output=path, chunk_blocks=1, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_an_older_result_intact(scenario, tmp_path):
    path = tmp_path / "run.nc"
    run(scenario, n=1000, seed=1, output=path).close()
    before = path.read_bytes()

    def fail(done, total):
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        run(scenario, n=BLOCK_SIZE * 3, seed=2, output=path, chunk_blocks=1, progress=fail)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, r"n = 0: the number of samples must be a positive integer"),
        ({"n": 10, "design": "halton"}, r"design = 'halton': must be one of mc, lhs, sobol"),
        ({"n": 10, "seed": -1}, r"seed = -1: must be a non-negative integer"),
        ({"n": 10, "output": "/no/such/dir/run.nc"}, r"folder /no/such/dir does not exist"),
        ({"n": 10**10}, r"would be held in memory; give an output file"),
    ],
)
def test_bad_arguments(scenario, kwargs, message):
    with pytest.raises(ValueError, match=message):
        run(scenario, **kwargs)


def test_python_api_by_name(tmp_path):
    import simulate

    ds = simulate.run("default", n=2000, seed=5, overrides=["hardware.accelerator=B200"])
    assert ds.attrs["scenario_overrides"] == "hardware.accelerator=B200"
    assert ds.sizes["sample"] == 2000


SCRIPT = """
import sys
from simulate.engine.montecarlo import run
run("default", n={n}, seed=21, output=sys.argv[1]).close()
"""


@pytest.mark.slow
def test_bit_identical_with_one_or_two_numba_threads(tmp_path):
    paths = []
    for threads in ("1", "2"):
        path = tmp_path / f"t{threads}.nc"
        env = {**os.environ, "NUMBA_NUM_THREADS": threads}
        subprocess.run(
            [sys.executable, "-c", SCRIPT.format(n=N), str(path)],
            check=True,
            env=env,
            cwd=Path.cwd(),
        )
        paths.append(path)
    with xr.open_dataset(paths[0]) as one, xr.open_dataset(paths[1]) as two:
        assert_same(one.load(), two.load())
