"""Tornado: known one-at-a-time swings, dataset layout, NetCDF round trip and the CLI."""

import json
import os

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import simulate.sensitivity.tornado as tornado_module
from results.rankings import tornado_ranking
from scenarios.loader import load_scenario
from simulate.cli.tornado import tornado_command
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import input_matrix
from simulate.sensitivity.tornado import DEFAULT_KPIS, save_dataset, tornado

SPOT = "power.spot_price_usd_per_mwh"
ENERGY_KPIS = ["energy_cost_monthly", "inference_cost_monthly", "lifecycle_total"]
# A range lever whose low end is structurally infeasible (no batch meets a 2 ms TPOT).
TIGHT_SLO = 'serving.tpot_slo_s={lever="range", low=0.002, high=0.1, base=0.05}'
TIGHT_SLO_CHOICE = 'serving.tpot_slo_s={lever="choice", choices=[0.002, 0.05], base=0.05}'


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()


@pytest.fixture(scope="module")
def ds(scenario):
    kpis = [*DEFAULT_KPIS, "energy_cost_monthly", "power_price", "training_gpu_hours"]
    return tornado(scenario, kpis)


def direct(scenario, name, values):
    """KPI ``name`` from one direct evaluate call per value dict (others at base)."""
    rows = [input_matrix(scenario, v, 1)[0] for v in values]
    outputs, flags = model_outputs(np.array(rows))
    assert not flags.any()
    return outputs[:, col.OUTPUT_INDEX[name]]


# ---------------------------------------------------------------- known answers


def test_spot_price_swing_matches_direct_evaluations(scenario, ds):
    dist = scenario.inputs[SPOT].distribution
    p10, p90 = float(dist.ppf(0.1)), float(dist.ppf(0.9))
    assert p10 == pytest.approx(55.0, rel=1e-9) and p90 == pytest.approx(130.0, rel=1e-9)
    for kpi in ENERGY_KPIS:
        low, high = direct(scenario, kpi, [{SPOT: p10}, {SPOT: p90}])
        swing = float(ds["swing"].sel(kpi=kpi, param=SPOT))
        assert swing > 0
        assert swing == pytest.approx(high - low, rel=1e-12)
        np.testing.assert_allclose(
            ds["value"].sel(kpi=kpi, param=SPOT).values, [low, high], rtol=1e-12
        )
    np.testing.assert_allclose(
        ds["setting_value"].sel(kpi="lifecycle_total", param=SPOT).values, [p10, p90]
    )


def test_spot_price_swing_on_energy_cost_by_hand(scenario, ds):
    # energy_cost = inference MWh * (hedge * hedged + (1 - hedge) * spot): linear in spot,
    # so the swing is inference MWh * (1 - hedge) * (P90 - P10) = MWh * 0.5 * (130 - 55).
    mwh = float(ds["base_value"].sel(kpi="energy_cost_monthly")) / float(
        ds["base_value"].sel(kpi="power_price")
    )
    hedge = scenario.inputs["power.hedge_share"].lever.base
    expected = mwh * (1.0 - hedge) * (130.0 - 55.0)
    got = float(ds["swing"].sel(kpi="energy_cost_monthly", param=SPOT))
    assert got == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("param", ["power.hedge_share", "facility.pue_capex_usd", SPOT])
def test_inputs_that_cannot_move_training_gpu_hours_swing_exactly_zero(ds, param):
    assert float(ds["swing"].sel(kpi="training_gpu_hours", param=param)) == 0.0
    # ... while the same inputs do move a cost KPI, so the zero is not a wiring failure.
    assert float(ds["abs_swing"].sel(kpi="lifecycle_total", param=param)) > 0.0


def test_accelerator_choice_ends_are_cheapest_and_dearest(scenario, ds):
    param = "hardware.accelerator"
    choices = scenario.inputs[param].categories
    assert str(ds["kind"].sel(param=param).values) == "lever"
    assert str(ds["method"].sel(param=param).values) == "choice"
    for kpi in ("token_cost_per_1k", "lifecycle_total", "training_cost"):
        values = direct(scenario, kpi, [{param: name} for name in choices])
        low_name = choices[int(np.argmin(values))]
        high_name = choices[int(np.argmax(values))]
        settings = ds["setting"].sel(kpi=kpi, param=param).values.tolist()
        assert settings == [low_name, high_name]
        np.testing.assert_allclose(
            ds["value"].sel(kpi=kpi, param=param).values, [values.min(), values.max()], rtol=1e-12
        )
        assert float(ds["swing"].sel(kpi=kpi, param=param)) > 0
        assert np.isnan(ds["setting_value"].sel(kpi=kpi, param=param).values).all()


def test_range_lever_ends_and_signed_swing(scenario, ds):
    # A longer release cadence means fewer retrainings: the KPI falls as the lever rises.
    param = "release.cadence_days"
    lever = scenario.inputs[param].lever
    assert ds["setting"].sel(kpi="lifecycle_total", param=param).values.tolist() == [
        f"{lever.low:g}",
        f"{lever.high:g}",
    ]
    swing = float(ds["swing"].sel(kpi="lifecycle_total", param=param))
    assert swing < 0
    assert float(ds["abs_swing"].sel(kpi="lifecycle_total", param=param)) == -swing


def test_base_value_is_the_base_case(scenario, ds):
    outputs, flags = model_outputs(input_matrix(scenario, None, 1))
    assert flags[0] == 0
    for kpi in ds["kpi"].values:
        assert float(ds["base_value"].sel(kpi=kpi)) == outputs[0, col.OUTPUT_INDEX[str(kpi)]]


def test_one_kernel_call_for_the_whole_analysis(scenario, monkeypatch):
    calls = []

    def counting(inputs, *args, **kwargs):
        calls.append(len(inputs))
        return model_outputs(inputs, *args, **kwargs)

    monkeypatch.setattr(tornado_module, "model_outputs", counting)
    out = tornado(scenario, ["lifecycle_total"])
    assert len(calls) == 1
    assert calls[0] == out.attrs["rows_evaluated"] > len(out["param"])


def test_every_lever_and_factor_is_a_param(scenario, ds):
    expected = {i.path for i in scenario.inputs.values() if i.kind != "constant"}
    assert set(ds["param"].values.tolist()) == expected
    for path in expected:
        assert str(ds["kind"].sel(param=path).values) == scenario.inputs[path].kind


# ---------------------------------------------------------------- infeasible ends


def test_infeasible_range_end_is_nan_with_reason():
    ds = tornado(load_scenario(None, [TIGHT_SLO]), ["lifecycle_total"])
    at = ds.sel(kpi="lifecycle_total", param="serving.tpot_slo_s")
    assert np.isnan(float(at["value"].sel(end="low")))
    assert not np.isnan(float(at["value"].sel(end="high")))
    assert "SLO unreachable" in str(at["infeasible"].sel(end="low").values)
    assert str(at["infeasible"].sel(end="high").values) == ""
    assert np.isnan(float(at["swing"]))
    assert tornado_ranking(ds, "lifecycle_total")[-1] == "serving.tpot_slo_s"


def test_infeasible_choice_is_left_out_of_the_ends():
    ds = tornado(load_scenario(None, [TIGHT_SLO_CHOICE]), ["lifecycle_total"])
    at = ds.sel(kpi="lifecycle_total", param="serving.tpot_slo_s")
    assert at["setting"].values.tolist() == ["0.05", "0.05"]
    assert not np.isnan(at["value"].values).any()
    note = str(ds["infeasible_choices"].sel(param="serving.tpot_slo_s").values)
    assert note.startswith("0.002:") and "SLO unreachable" in note


# ---------------------------------------------------------------- ranking and validation


def test_ranked_by_the_largest_move_from_base(ds):
    for kpi in ds["kpi"].values:
        order = tornado_ranking(ds, str(kpi))
        sub = ds.sel(kpi=kpi, param=order)
        moves = np.nanmax(np.abs(sub["value"].values - float(sub["base_value"])), axis=-1)
        assert sorted(order) == sorted(ds["param"].values.tolist())
        assert np.allclose(moves, sub["largest_shift"].values)
        assert np.all(np.diff(moves) <= 0)
    # Signed swings do not decide the order: the cadence lever (negative) ranks first.
    assert tornado_ranking(ds, "lifecycle_total")[0] == "release.cadence_days"


def _synthetic_tornado(values, base):
    """A tornado dataset of one KPI from given end values (params a, b, c)."""
    values = np.asarray(values, dtype=float)[None, :, :]
    swing = values[..., 1] - values[..., 0]
    return xr.Dataset(
        {
            "value": (("kpi", "param", "end"), values),
            "swing": (("kpi", "param"), swing),
            "abs_swing": (("kpi", "param"), np.abs(swing)),
            "largest_shift": (("kpi", "param"), np.nanmax(np.abs(values - base), axis=-1)),
            "base_value": (("kpi",), [base]),
        },
        coords={
            "kpi": ["cost"],
            "param": ["monotone", "u_shaped", "small"],
            "end": ["low", "high"],
        },
    )


def test_a_u_shaped_input_ranks_first_when_its_move_is_largest():
    # A U-shaped response: both ends raise the cost by 30%; |high - low| is 0.
    # The monotone input moves it -10% and +15%: a larger swing, a smaller effect.
    ds = _synthetic_tornado([[90.0, 115.0], [130.0, 130.0], [99.0, 101.0]], base=100.0)
    assert float(ds["abs_swing"].sel(kpi="cost", param="u_shaped")) == 0.0
    assert tornado_ranking(ds, "cost") == ["u_shaped", "monotone", "small"]


def test_the_utilisation_target_ranks_by_its_move_not_its_swing(scenario):
    # Both ends of the default utilisation target raise the token cost (about +20%):
    # its |swing| is near zero, its largest move is not.
    ds = tornado(scenario, ["token_cost_per_1k"])
    order = tornado_ranking(ds, "token_cost_per_1k")
    by_swing = sorted(
        order, key=lambda p: -float(ds["abs_swing"].sel(kpi="token_cost_per_1k", param=p))
    )
    target = "fleet.utilization_target"
    assert order.index(target) < by_swing.index(target)
    ends = ds["value"].sel(kpi="token_cost_per_1k", param=target).values
    assert (ends > float(ds["base_value"].sel(kpi="token_cost_per_1k"))).all()


def test_ranked_unknown_kpi(ds):
    with pytest.raises(ValueError, match="did you mean 'lifecycle_total'"):
        tornado_ranking(ds, "lifecycle_totl")


def test_unknown_kpi_is_a_value_error_with_suggestion(scenario):
    with pytest.raises(ValueError, match="did you mean 'token_cost_per_1k'"):
        tornado(scenario, ["token_cost_per1k"])


@pytest.mark.parametrize("quantiles", [(0.9, 0.1), (0.0, 0.9), (0.1,), (0.1, 1.0)])
def test_bad_quantiles(scenario, quantiles):
    with pytest.raises(ValueError, match="factor_quantiles"):
        tornado(scenario, ["lifecycle_total"], quantiles)


def test_wider_quantiles_widen_factor_swings_only(scenario, ds):
    wide = tornado(scenario, ["lifecycle_total"], (0.05, 0.95))
    narrow = ds.sel(kpi="lifecycle_total")
    wide = wide.sel(kpi="lifecycle_total")
    assert float(wide["abs_swing"].sel(param=SPOT)) > float(narrow["abs_swing"].sel(param=SPOT))
    assert float(wide["abs_swing"].sel(param="release.cadence_days")) == float(
        narrow["abs_swing"].sel(param="release.cadence_days")
    )
    np.testing.assert_allclose(wide.attrs["factor_quantiles"], [0.05, 0.95])


# ---------------------------------------------------------------- layout and storage


def test_layout(ds):
    assert ds["value"].dims == ("kpi", "param", "end")
    assert ds["setting"].dims == ("kpi", "param", "end")
    assert ds["infeasible"].dims == ("kpi", "param", "end")
    assert ds["swing"].dims == ("kpi", "param") and ds["abs_swing"].dims == ("kpi", "param")
    assert ds["base_value"].dims == ("kpi",)
    assert ds["end"].values.tolist() == ["low", "high"]
    assert set(ds["kind"].values.tolist()) == {"lever", "factor"}
    units = dict(zip(ds["kpi"].values.tolist(), ds["kpi_units"].values.tolist(), strict=True))
    assert units["token_cost_per_1k"] == "USD/1k tokens" and units["lifecycle_total"] == "USD"
    assert ds["param_units"].sel(param=SPOT).item() == "USD/MWh"
    np.testing.assert_allclose(
        ds["swing"].values, ds["value"].sel(end="high").values - ds["value"].sel(end="low").values
    )
    np.testing.assert_array_equal(ds["abs_swing"].values, np.abs(ds["swing"].values))
    assert (ds["infeasible"].values == "").all()
    for key in ("scenario_name", "scenario_source", "scenario_sha256", "swing_definition"):
        assert ds.attrs[key]
    assert ds.attrs["scenario_sha256"] == load_scenario().sha256
    np.testing.assert_allclose(ds.attrs["factor_quantiles"], [0.1, 0.9])
    # Mixed KPI units: no single CF units attribute, the coordinate says where they are.
    assert "units" not in ds["value"].attrs and "kpi_units" in ds["value"].attrs["comment"]


def test_single_unit_kpis_carry_cf_units(scenario):
    one = tornado(scenario, ["lifecycle_total"])
    for var in ("value", "swing", "abs_swing", "base_value"):
        assert one[var].attrs["units"] == "USD"


def test_netcdf_round_trip_keeps_values_and_attrs(ds, tmp_path):
    path = save_dataset(ds, tmp_path / "tornado.nc")
    assert path.exists() and os.listdir(tmp_path) == ["tornado.nc"]
    with xr.open_dataset(path) as back:
        back = back.load()
    xr.testing.assert_identical(back.drop_attrs(), ds.drop_attrs())
    for key, value in ds.attrs.items():
        np.testing.assert_array_equal(back.attrs[key], value)
    assert back["value"].attrs == ds["value"].attrs
    assert back["kpi_units"].values.tolist() == ds["kpi_units"].values.tolist()


def test_save_is_atomic_on_error(ds, tmp_path, monkeypatch):
    target = tmp_path / "t.nc"
    target.write_text("old")

    def broken(self, path, *args, **kwargs):
        with open(path, "w") as handle:
            handle.write("half")
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        save_dataset(ds, target)
    assert os.listdir(tmp_path) == ["t.nc"] and target.read_text() == "old"


def test_save_into_missing_folder(ds, tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        save_dataset(ds, tmp_path / "nope" / "t.nc")


# ---------------------------------------------------------------- CLI


@pytest.fixture
def runner():
    return CliRunner()


def test_cli_prints_tables_and_writes_file(runner, tmp_path):
    out = tmp_path / "t.nc"
    result = runner.invoke(tornado_command, ["--kpi", "lifecycle_total", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "lifecycle_total [USD]: base $76." in text
    assert "swing (USD)" in text and "release.cadence_days" in text
    lines = [line for line in text.splitlines() if line.startswith("  ")]
    table = lines[1:]  # after the header
    # Sorted by the largest move from base: the cadence lever first, its short cadence
    # raising the cost (right of the axis) and its long one lowering it (left).
    assert table[0].split()[0] == "release.cadence_days"
    left, right = table[0].rstrip().rsplit(" ", 1)[-1].split("|")
    assert left.count("#") > 0 and right.count("#") > left.count("#")
    assert "90 d -> $" in table[0] and "(+" in table[0] and "(-" in table[0]
    bars = [max(part.count("#") for part in line.rstrip().rsplit(" ", 1)[-1].split("|"))
            for line in table]  # fmt: skip
    assert bars[0] == max(bars) and bars == sorted(bars, reverse=True)
    assert "Wrote" in text
    with xr.open_dataset(out) as back:
        assert back["kpi"].values.tolist() == ["lifecycle_total"]


def test_cli_default_kpis(runner):
    result = runner.invoke(tornado_command, [])
    assert result.exit_code == 0, result.output
    for kpi in DEFAULT_KPIS:
        assert f"{kpi} [" in result.output


def test_cli_json_and_set(runner):
    result = runner.invoke(
        tornado_command,
        ["--kpi", "energy_cost_monthly", "--json", "--set", "power.hedge_share=0.0"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    params = data["kpis"]["energy_cost_monthly"]["params"]
    assert data["kpis"]["energy_cost_monthly"]["units"] == "USD/month"
    moves = [p["largest_shift"] for p in params]
    assert moves == sorted(moves, reverse=True)
    # With no hedge the hedge share is a constant, not a lever.
    assert "power.hedge_share" not in {p["param"] for p in params}
    spot = next(p for p in params if p["param"] == SPOT)
    assert spot["low"]["setting"] == "55" and spot["high"]["setting"] == "130"


def test_cli_unknown_kpi_is_a_clean_error(runner):
    result = runner.invoke(tornado_command, ["--kpi", "nosuch"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "KPI 'nosuch': unknown output" in result.output and "lifecycle_total" in result.output
    typo = runner.invoke(tornado_command, ["--kpi", "lifecycle_totl"])
    assert typo.exit_code == 1 and "did you mean 'lifecycle_total'" in typo.output


def test_cli_bad_scenario_and_quantiles(runner):
    result = runner.invoke(tornado_command, ["--set", "power.hedge_sahre=0.3"])
    assert result.exit_code == 1 and "did you mean" in result.output
    assert isinstance(result.exception, SystemExit)
    bad = runner.invoke(tornado_command, ["--quantiles", "90,10"])
    assert bad.exit_code == 2 and "increasing percentages" in bad.output


def test_cli_quantiles_change_factor_swings(runner):
    def swings(args):
        result = runner.invoke(tornado_command, ["--kpi", "lifecycle_total", "--json", *args])
        assert result.exit_code == 0, result.output
        params = json.loads(result.stdout)["kpis"]["lifecycle_total"]["params"]
        return {p["param"]: (p["kind"], p["abs_swing"]) for p in params}

    narrow = swings([])
    wide = swings(["--quantiles", "5,95"])
    for param, (kind, value) in narrow.items():
        if kind == "factor" and value > 0:
            assert wide[param][1] != value, param
        if kind == "lever":
            assert wide[param][1] == value, param
    assert wide[SPOT][1] > narrow[SPOT][1]


def test_cli_infeasible_end_is_reported(runner):
    result = runner.invoke(tornado_command, ["--kpi", "lifecycle_total", "--set", TIGHT_SLO])
    assert result.exit_code == 0, result.output
    assert "0.002 s -> infeasible" in result.output
    assert "SLO unreachable" in result.output
