"""The Sobol pipeline on the cost model: layout, options, infeasibility, convergence."""

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from results.rankings import sobol_ranking
from scenarios.loader import load_scenario, parse_scenario
from scenarios.sources import builtin_text
from simulate.sensitivity.sobol import design, kpis_at_design, sobol, sobol_problem

SMALL_N = 2**10


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()


@pytest.fixture(scope="module")
def small(scenario):
    return sobol(scenario, n=SMALL_N, seed=1, kpis=["token_cost_per_1k", "lifecycle_total"])


def test_layout_and_labels(small, scenario):
    assert small.sizes == {"kpi": 2, "param": len(scenario.levers()) + len(scenario.factors())}
    for name in ("S1", "S1_conf", "ST", "ST_conf"):
        assert small[name].dims == ("kpi", "param")
        assert small[name].attrs["units"] == "1"
    kinds = dict(zip(small.param.values, small.kind.values, strict=True))
    assert kinds["hardware.accelerator"] == "lever" and kinds["facility.pue"] == "factor"
    assert small.attrs["N"] == SMALL_N and small.attrs["seed"] == 1
    assert small.attrs["scenario_sha256"] == scenario.sha256
    assert small.attrs["model_evaluations"] == SMALL_N * (small.sizes["param"] + 2)
    assert np.all(small.n_dropped.values == 0)


def test_indices_are_sensible(small):
    st = small.ST.sel(kpi="token_cost_per_1k")
    assert np.all(np.isfinite(st)) and float(st.max()) <= 1.2
    # Power price barely moves the cost of a token on an owned fleet (energy ~3% of it);
    # demand and the accelerator generation move it a lot.
    assert float(st.sel(param="demand.requests_per_day")) > 0.1
    assert float(st.sel(param="power.spot_price_usd_per_mwh")) < 0.02


def test_numba_and_salib_estimators_agree_on_point_estimates(scenario):
    kw = {"n": SMALL_N, "seed": 3, "kpis": ["lifecycle_total"], "levers_only": True}
    ours = sobol(scenario, estimator="numba", **kw)
    salib = sobol(scenario, estimator="salib", **kw)
    for key in ("S1", "ST"):
        np.testing.assert_allclose(ours[key].values, salib[key].values, rtol=1e-12, atol=1e-12)
    for key in ("S1_conf", "ST_conf"):
        ratio = ours[key].values / salib[key].values
        assert np.all((ratio > 0.5) & (ratio < 2.0)), key  # different bootstrap draws


def test_levers_only_factors_only_and_groups(scenario):
    levers = sobol(scenario, n=SMALL_N, kpis=["lifecycle_total"], levers_only=True)
    assert set(levers.kind.values) == {"lever"} and levers.sizes["param"] == 6
    factors = sobol(scenario, n=SMALL_N, kpis=["lifecycle_total"], factors_only=True)
    assert set(factors.kind.values) == {"factor"}
    grouped = sobol(
        scenario,
        n=SMALL_N,
        kpis=["lifecycle_total"],
        levers_only=True,
        groups={"power": ["power.hedge_share", "facility.pue_capex_usd"]},
    )
    assert "power" in grouped.param.values and grouped.sizes["param"] == 5
    assert dict(zip(grouped.param.values, grouped.kind.values, strict=True))["power"] == "group"


def test_second_order_shapes(scenario):
    ds = sobol(scenario, n=SMALL_N, kpis=["lifecycle_total"], levers_only=True, second_order=True)
    assert ds.S2.dims == ("kpi", "param", "param2") and ds.S2.shape == (1, 6, 6)
    assert np.isfinite(ds.S2.values[0, 0, 1])


def test_infeasible_samples_are_dropped_by_block_and_counted():
    # With one-GPU replicas, the 70B model fits in FP8 on H200/B200/MI300X but not on H100:
    # every base point that samples H100 in any of its rows is dropped.
    text = builtin_text("default").replace("max_tensor_parallel = 8", "max_tensor_parallel = 1")
    scenario = parse_scenario(text, "tp1.toml")
    ds = sobol(scenario, n=SMALL_N, kpis=["lifecycle_total"], levers_only=True)
    dropped = int(ds.n_dropped.sel(kpi="lifecycle_total"))
    assert 0 < dropped < SMALL_N
    assert np.all(np.isfinite(ds.ST.values))


def test_convergence_doubles_n_and_reuses_points(scenario):
    ds = sobol(
        scenario, n=2**8, kpis=["lifecycle_total"], levers_only=True, target_ci=0.02, max_n=2**12
    )
    steps = ds.history_n.values
    assert list(steps) == [2**8 * 2**k for k in range(len(steps))]
    assert ds.attrs["N"] == steps[-1]
    assert ds.attrs["model_evaluations"] == steps[-1] * (6 + 2)  # earlier points were reused
    widths = ds.history_widest_half_width.values
    assert widths[-1] < 0.02 or steps[-1] == 2**12
    assert ds.history_ST.dims == ("step", "kpi", "param")


def test_design_prefix_property(scenario):
    problem = sobol_problem(scenario, levers_only=True)
    small, large = design(problem, 64, False, 5), design(problem, 128, False, 5)
    np.testing.assert_array_equal(small, large[: len(small)])
    values = kpis_at_design(problem, small, ["lifecycle_total"])
    assert values.shape == (64 * 8, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 1000}, r"N = 1000: the Sobol design needs N a power of two"),
        (
            {"kpis": ["token_cost"]},
            r"KPI 'token_cost' is not an output \(did you mean 'token_cost_per_1k'\?\)",
        ),
        ({"levers_only": True, "factors_only": True}, r"exclude each other"),
        ({"groups": {"g": ["power.hedge_sahre"]}}, r"'power.hedge_sahre' is not a varied input"),
        ({"estimator": "fast"}, r"estimator = 'fast'"),
    ],
)
def test_bad_arguments(scenario, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sobol(scenario, **({"n": SMALL_N} | kwargs))


@pytest.mark.slow
def test_top_three_levers_stable_across_seeds(scenario):
    tops = []
    for seed in (0, 1, 2):
        ds = sobol(scenario, seed=seed, kpis=["token_cost_per_1k"])  # default N
        levers = [r[0] for r in sobol_ranking(ds, "token_cost_per_1k") if r[1] == "lever"]
        tops.append(levers[:3])
    assert tops[0] == tops[1] == tops[2]


def test_cli_ranked_table_and_file(tmp_path):
    from simulate.cli.main import main

    path = tmp_path / "s.nc"
    result = CliRunner().invoke(
        main, ["sobol", "-N", "512", "--kpi", "token_cost_per_1k", "--levers-only", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "hardware.accelerator" in result.output and "ST" in result.output
    with xr.open_dataset(path) as ds:
        assert ds.attrs["N"] == 512 and "S1" in ds
    bad = CliRunner().invoke(main, ["sobol", "-N", "500"])
    assert bad.exit_code != 0 and "power of two" in bad.output and "Traceback" not in bad.output
    bad = CliRunner().invoke(main, ["sobol", "--group", "nonsense"])
    assert bad.exit_code != 0 and "expected NAME=a,b" in bad.output


def test_correlated_scenario_warns_and_says_so_in_the_dataset():
    text = builtin_text("default") + (
        '[[correlation]]\nbetween = ["power.spot_price_usd_per_mwh", "facility.pue"]\n'
        "spearman = 0.4\n"
    )
    ds = sobol(parse_scenario(text, "c.toml"), n=SMALL_N, kpis=["lifecycle_total"])
    assert "assume independent inputs" in ds.attrs["correlation_note"]


def test_tco_index_is_a_kpi_on_the_scenario_scale(scenario):
    # The index is the scenario's clipped affine map of the lifecycle total, point by point.
    from simulate.model.tco_index import scenario_bounds

    problem = sobol_problem(scenario)
    points = design(problem, 64, False, seed=2)
    values = kpis_at_design(problem, points, ["tco_index", "lifecycle_total"])
    expected = scenario_bounds(scenario).index(values[:, 1])
    np.testing.assert_array_equal(values[:, 0], expected)
    assert 0.0 <= np.nanmin(values[:, 0]) and np.nanmax(values[:, 0]) <= 1.0
    ds = sobol(scenario, n=256, seed=1, kpis=["tco_index"])
    assert ds.kpi_units.values.tolist() == ["1"]
    top = sobol_ranking(ds, "tco_index")[0][0]
    assert top in {"release.cadence_days", "hardware.accelerator", "demand.requests_per_day"}


def test_tail_indicator_is_a_kpi(scenario):
    # lifecycle_total>1e8 is 1 where the total exceeds 100 M USD: its Sobol indices say
    # what drives the bad outcomes; its design values are the step of the total's.
    problem = sobol_problem(scenario)
    points = design(problem, 64, False, seed=3)
    values = kpis_at_design(problem, points, ["lifecycle_total>1e8", "lifecycle_total"])
    np.testing.assert_array_equal(values[:, 0], (values[:, 1] > 1e8).astype(float))
    assert 0.0 < values[:, 0].mean() < 1.0
    ds = sobol(scenario, n=512, seed=1, kpis=["lifecycle_total>1e8"])
    assert ds.kpi_units.values.tolist() == ["1"]
    top = {r[0] for r in sobol_ranking(ds, "lifecycle_total>1e8")[:4]}
    assert top & {"demand.requests_per_day", "serving.request_tokens_mean"}
    assert top & {"release.cadence_days", "hardware.accelerator"}
    with pytest.raises(ValueError, match="tail indicator"):
        sobol(scenario, n=256, kpis=["lifecycle_totl>1e8"])
