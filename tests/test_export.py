"""Exports of results to CSV and Parquet: round trips, units in headers, clean errors."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from click.testing import CliRunner

from results import export
from results.store import open_result, save_netcdf
from results.summary import summarize
from scenarios.loader import load_scenario
from simulate.cli.main import main
from simulate.engine.montecarlo import run
from simulate.sensitivity.sobol import sobol
from simulate.sensitivity.tornado import save_dataset, tornado

CHOICE = "hardware.accelerator={dist='choice', values=['H100', 'H200'], weights=[0.5, 0.5]}"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    scenario = load_scenario(overrides=[CHOICE])
    run(scenario, n=2000, seed=21, output=folder / "run.nc")
    save_netcdf(
        sobol(scenario, n=64, kpis=["lifecycle_total"], levers_only=True, resamples=10),
        folder / "sobol.nc",
    )
    save_dataset(tornado(scenario, ["lifecycle_total", "token_cost_per_1k"]), folder / "tornado.nc")
    return folder


def _export(files, name, output, *extra):
    out = CliRunner().invoke(
        main,
        ["export", str(files / name), "-o", str(files / output), *extra],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    return files / output


def test_run_summary_csv_round_trips_to_the_summary(files):
    path = _export(
        files, "run.nc", "summary.csv", "--percentiles", "10,50,90", "--confidence", "0.9"
    )
    table = pd.read_csv(path)
    ds = open_result(files / "run.nc")
    names = list(table["variable"])
    assert names[:6] == ["token_cost_per_1k", "lifecycle_total", "training_cost",
                         "finetune_cost", "inference_cost_monthly", "tco_index"]  # fmt: skip
    summary = summarize(ds, names, (10, 50, 90), 0.9)
    for stat in ("mean", "std", "p10", "p50", "p90"):
        for suffix, bound in (("", "estimate"), ("_lower", "lower"), ("_upper", "upper")):
            expected = [float(summary[n].sel(statistic=stat, bound=bound)) for n in names]
            np.testing.assert_array_equal(table[stat + suffix].to_numpy(), expected)
    assert (table["p50_lower"] <= table["p50"]).all() and (table["p50"] <= table["p50_upper"]).all()
    assert list(table["unit"]) == [ds[n].attrs["units"] for n in names]
    n = ds.sizes["sample"]
    assert (table["n_samples"] == n).all()
    valid = [int(np.isfinite(ds[v].values).sum()) for v in names]
    np.testing.assert_array_equal(table["n_valid"], valid)
    np.testing.assert_allclose(table["excluded_share"], 1 - np.array(valid) / n)
    assert (table["infeasible_share"] == np.count_nonzero(ds["infeasible"].values) / n).all()
    assert (table["confidence"] == 0.9).all()


def test_sobol_and_tornado_tables(files):
    table = pd.read_csv(_export(files, "sobol.nc", "sobol.csv"), keep_default_na=False)
    ds = open_result(files / "sobol.nc")
    assert len(table) == ds.sizes["kpi"] * ds.sizes["param"]
    by_param = table.set_index("param")
    st = ds["ST"].sel(kpi="lifecycle_total").to_series()
    np.testing.assert_array_equal(by_param.loc[st.index, "ST"], st.to_numpy())
    conf = ds["ST_conf"].sel(kpi="lifecycle_total").to_series()
    np.testing.assert_allclose(by_param.loc[st.index, "ST_upper"], st + conf, rtol=1e-15)
    assert table.loc[table["rank"] == 1, "param"].item() == st.idxmax()
    assert set(table["kind"]) == {"lever"}

    table = pd.read_csv(_export(files, "tornado.nc", "tornado.csv"), keep_default_na=False)
    ds = open_result(files / "tornado.nc")
    assert len(table) == ds.sizes["kpi"] * ds.sizes["param"]
    for kpi, rows in table.groupby("kpi"):
        swing = ds["swing"].sel(kpi=kpi, param=list(rows["param"])).values
        np.testing.assert_array_equal(rows["swing"].to_numpy(dtype=float), swing)
        # Ranked by the largest move from base (the tornado's order).
        assert rows["largest_shift"].is_monotonic_decreasing
        assert (rows["kpi_unit"] == str(ds["kpi_units"].sel(kpi=kpi).item())).all()
        low = ds["value"].sel(kpi=kpi, param=list(rows["param"]), end="low").values
        np.testing.assert_array_equal(rows["low_value"].to_numpy(dtype=float), low)


def test_samples_export_names_units_and_decodes_categories(files):
    _export(files, "run.nc", "s.csv", "--samples", str(files / "samples.csv"))
    table = pd.read_csv(files / "samples.csv")
    ds = open_result(files / "run.nc")
    assert len(table) == ds.sizes["sample"]
    np.testing.assert_array_equal(table["lifecycle_total [USD]"], ds["lifecycle_total"].values)
    np.testing.assert_array_equal(
        table["power.spot_price_usd_per_mwh [USD/MWh]"], ds["power.spot_price_usd_per_mwh"].values
    )
    codes = ds["hardware.accelerator"].values
    names = np.array(ds["hardware.accelerator"].attrs["flag_meanings"].split())[codes]
    np.testing.assert_array_equal(table["hardware.accelerator"], names)
    assert set(table["hardware.accelerator"]) == {"H100", "H200"}
    assert "infeasible [bit mask]" in table.columns


def test_parquet_round_trip(files):
    pytest.importorskip("pyarrow")
    path = _export(files, "run.nc", "summary.parquet", "--samples", str(files / "samples.parquet"))
    table = pd.read_parquet(path)
    expected = export.run_summary_table(open_result(files / "run.nc"))
    pd.testing.assert_frame_equal(table, expected)
    samples = pd.read_parquet(files / "samples.parquet")
    np.testing.assert_array_equal(
        samples["tco_index [1]"], open_result(files / "run.nc")["tco_index"].values
    )


def test_parquet_without_pyarrow_says_what_to_install(files, monkeypatch):
    monkeypatch.setattr(export, "parquet_available", lambda: False)
    out = CliRunner().invoke(
        main, ["export", str(files / "run.nc"), "-o", str(files / "x.parquet")]
    )
    assert out.exit_code == 1
    assert "pip install pyarrow" in out.output and "lifecycle-tco[parquet]" in out.output
    assert not (files / "x.parquet").exists()


def test_bad_requests_fail_cleanly(files, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["export", str(files / "run.nc"), "-o", str(tmp_path / "t.xlsx")])
    assert out.exit_code == 1 and "name the file *.csv or *.parquet" in out.output
    out = runner.invoke(
        main,
        [
            "export",
            str(files / "sobol.nc"),
            "-o",
            str(tmp_path / "t.csv"),
            "--samples",
            str(tmp_path / "s.csv"),
        ],
    )
    assert out.exit_code == 1 and "--samples needs a Monte Carlo run" in out.output
    odd = tmp_path / "odd.nc"
    save_netcdf(xr.Dataset({"S1": ("kpi", [0.1])}), odd)
    out = runner.invoke(main, ["export", str(odd), "-o", str(tmp_path / "t.csv")])
    assert out.exit_code == 1 and "not a lifecycle-tco result" in out.output
    assert not list(tmp_path.glob("t.*")) and not list(tmp_path.glob(".*partial*"))


def test_write_table_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    target.write_text("old\n")
    table = pd.DataFrame({"a": [1.0, 2.0]})

    def broken(self, path, **kwargs):
        with open(path, "w") as half:
            half.write("half")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        export.write_table(table, target)
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]


def test_compare_table_matches_the_paired_samples(tmp_path):
    from simulate.decisions.compare import compare

    path = tmp_path / "cmp.nc"
    compare(
        ["accelerator-h100", "accelerator-b200"],
        n=3000,
        seed=4,
        kpis=["token_cost_per_1k", "lifecycle_total"],
        output=path,
    ).close()
    out = CliRunner().invoke(main, ["export", str(path), "-o", str(tmp_path / "cmp.csv")])
    assert out.exit_code == 0, out.output
    table = pd.read_csv(tmp_path / "cmp.csv")
    assert set(table["kpi"]) >= {"token_cost_per_1k", "lifecycle_total"}
    ds = xr.open_dataset(path)
    row = table.set_index("kpi").loc["token_cost_per_1k"]
    a = ds["token_cost_per_1k"].sel(scenario="accelerator-h100").values
    b = ds["token_cost_per_1k"].sel(scenario="accelerator-b200").values
    # Recomputed from the per-sample values, not read back from the statistics.
    assert row["median_a"] == pytest.approx(np.median(a), rel=1e-12)
    assert row["median_b"] == pytest.approx(np.median(b), rel=1e-12)
    assert row["difference"] == pytest.approx(np.median(b - a), rel=1e-12)
    assert row["prob_a_better"] == pytest.approx(np.mean(a < b), abs=1e-12)
    assert row["difference_lower"] <= row["difference"] <= row["difference_upper"]
    assert row["unit"] == "USD/1k tokens" and row["better"] == "lower"
    assert (row["a"], row["b"]) == ("accelerator-h100", "accelerator-b200")
    assert row["n_paired"] == 3000 and row["confidence"] == pytest.approx(0.95)
    ds.close()
