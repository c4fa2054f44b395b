"""Exact order statistics in passes over chunks, checked against numpy on the whole column."""

import numpy as np
import pytest
import xarray as xr

from results.quantiles import bin_index, order_statistics
from results.summary import summarize, summarize_chunked


def chunked(columns, rows):
    def chunks():
        n = len(next(iter(columns.values())))
        for start in range(0, n, rows):
            yield {name: values[start : start + rows] for name, values in columns.items()}

    return chunks


def test_bin_index_is_monotone_and_puts_the_ends_in_the_end_bins(rng):
    values = np.sort(np.concatenate([rng.normal(size=1000), [-3.0, 3.0]]))
    values = values[(values >= -3.0) & (values <= 3.0)]
    index = bin_index(values, -3.0, 3.0, 17)
    assert np.all(np.diff(index) >= 0)
    assert index[0] == 0 and index[-1] == 16
    huge = bin_index(np.array([-1e308, 0.0, 1e308]), -1e308, 1e308, 4)  # width overflows
    assert list(huge) == [0, 2, 3]


@pytest.mark.parametrize(
    ("bins", "max_collect"), [(2**16, 2**20), (16, 40), (2, 1)], ids=["default", "small", "tiny"]
)
def test_order_statistics_equal_a_full_sort(rng, bins, max_collect):
    columns = {
        "lognormal": rng.lognormal(0.0, 2.0, 20_001),
        "ties": np.round(rng.normal(size=20_001), 1),
        "spike": np.where(rng.random(20_001) < 0.8, 3.0, rng.random(20_001)),
        "constant": np.full(20_001, 7.5),
    }
    ranks = {name: [0, 1, 999, 10_000, 19_999, 20_000] for name in columns}
    stats = {name: (v.size, v.min(), v.max()) for name, v in columns.items()}
    found = order_statistics(chunked(columns, 3001), stats, ranks, bins, max_collect)
    for name, values in columns.items():
        ordered = np.sort(values)
        assert found[name] == {k: ordered[k] for k in ranks[name]}, name


def test_the_first_pass_hook_sees_every_chunk_once(rng):
    values = rng.random(1000)
    seen = []
    order_statistics(
        chunked({"x": values}, 300),
        {"x": (1000, values.min(), values.max())},
        {"x": [500]},
        first_pass=lambda chunk: seen.append(chunk["x"].size),
    )
    assert seen == [300, 300, 300, 100]


def test_ranks_outside_the_column_are_refused():
    with pytest.raises(ValueError, match=r"ranks must lie in 0..9"):
        order_statistics(chunked({"x": np.arange(10.0)}, 4), {"x": (10, 0.0, 9.0)}, {"x": [10]})


def test_chunked_summary_of_a_zarr_store_matches_the_in_memory_summary(rng, tmp_path):
    pytest.importorskip("zarr")
    n = 50_003
    heavy = rng.lognormal(0.0, 1.5, n)
    heavy[rng.random(n) < 0.03] = np.nan  # infeasible samples are left out
    data = xr.Dataset(
        {
            "heavy": ("sample", heavy, {"units": "USD"}),
            "ties": ("sample", np.round(rng.normal(size=n), 2)),
            "single": ("sample", rng.normal(size=n).astype(np.float32)),
            "empty": ("sample", np.full(n, np.nan)),
        }
    )
    data.chunk({"sample": 4096}).to_zarr(tmp_path / "s.zarr", zarr_format=2, consolidated=True)
    stored = xr.open_zarr(tmp_path / "s.zarr")
    names = ["heavy", "ties", "single", "empty"]
    percentiles = (0.5, 5.0, 50.0, 95.0, 99.5)
    expected = summarize(data, names, percentiles)
    actual = summarize_chunked(stored, names, percentiles, chunk_rows=5000, bins=64)
    for name in names:
        e, a = expected[name].values, actual[name].values
        assert np.array_equal(e[2:], a[2:], equal_nan=True), name  # exact, not close
        np.testing.assert_allclose(a[:2], e[:2], rtol=1e-12)
        assert actual[name].attrs["n_valid"] == expected[name].attrs["n_valid"]
    assert actual["heavy"].attrs["units"] == "USD"
    # and with numpy's own percentile, up to the last bit of its interpolation formula
    finite = heavy[np.isfinite(heavy)]
    np.testing.assert_allclose(
        actual["heavy"].sel(bound="estimate").values[2:],
        np.percentile(finite, percentiles),
        rtol=1e-15,
    )


def test_tco_run_summarises_a_large_store_in_passes_with_the_same_numbers(tmp_path, monkeypatch):
    pytest.importorskip("zarr")
    import json

    from click.testing import CliRunner

    import results.summary
    from simulate.cli.main import main

    args = ["run", "-n", "40000", "--seed", "2", "--json", "--percentiles", "1,50,99"]
    in_memory = CliRunner().invoke(main, [*args, "--no-save"])
    monkeypatch.setattr(results.summary, "STREAMING_SUMMARY_SAMPLES", 0)
    streamed = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "r.zarr")])
    assert in_memory.exit_code == 0 and streamed.exit_code == 0, streamed.output
    expected = json.loads(in_memory.stdout)
    actual = json.loads(streamed.stdout)
    assert actual["infeasible"] == expected["infeasible"]
    for name, stats in expected["statistics"].items():
        for stat in ("p1", "p50", "p99"):
            assert actual["statistics"][name][stat] == stats[stat], (name, stat)
        for stat in ("mean", "std"):
            for bound, value in stats[stat].items():
                assert actual["statistics"][name][stat][bound] == pytest.approx(value, rel=1e-12)
