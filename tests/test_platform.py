"""A platform of several workloads: loading, common random numbers, exact attribution.

Reference problems: a one-workload platform is ``tco run`` of its scenario (same
samples); two copies of one workload with every factor shared cost the same in every
sample, and with nothing shared they do not; tier totals add up to the platform total
in every sample; ``ratio_of_means`` on known ratios.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import ONE_WORKLOAD_PLATFORM, TWIN_PLATFORM, platform_file

from scenarios.errors import ScenarioError
from scenarios.platform import builtin_platform_names, load_platform
from simulate.cli.main import main
from simulate.decisions.platform import platform_job, platform_run, ratio_of_means
from simulate.engine.montecarlo import run

ONE = ONE_WORKLOAD_PLATFORM

TWINS = TWIN_PLATFORM

MIXED = """
[platform]
name = "mixed"

[[workload]]
name = "big"
tier = "dedicated"
extends = "default"
[workload.training]
tokens = 0
finetune_tokens = 0

[[workload]]
name = "spot"
tier = "spot"
extends = "serving-self-managed-spot"
[workload.model]
name = "llama-3.1-8b"

[[workload]]
name = "small"
tier = "serverless"
extends = "serving-managed-api"
[workload.model]
name = "llama-3.2-1b"
"""


_file = platform_file


def test_a_one_workload_platform_is_tco_run_of_its_scenario(tmp_path):
    ds = platform_run(_file(tmp_path, ONE), n=3000, seed=11)
    ran = run("default", n=3000, seed=11, store="all")
    np.testing.assert_array_equal(ds["cost"].sel(workload="only").values, ran["lifecycle_total"])
    # The tokens of the default scenario's three years, summed as the platform sums them.
    tokens = sum(ran[f"tokens_year_{k}"].values for k in (1, 2, 3))
    np.testing.assert_array_equal(ds["tokens"].sel(workload="only").values, tokens)
    assert "tokens_year_4" in ran and np.all(ran["tokens_year_4"].values[np.isfinite(tokens)] == 0)
    np.testing.assert_array_equal(
        ds["platform_token_cost_per_1k"].values, ds["cost"].values[0] / ds["tokens"].values[0] * 1e3
    )


def test_tier_totals_add_up_to_the_platform_in_every_sample(tmp_path):
    ds = platform_run(_file(tmp_path, MIXED), n=4000, seed=2)
    assert list(ds["tier"].values) == ["dedicated", "spot", "serverless"]
    np.testing.assert_array_equal(ds["tier_cost"].sum("tier").values, ds["platform_cost"].values)
    np.testing.assert_allclose(
        ds["cost"].sum("workload").values, ds["platform_cost"].values, rtol=1e-13
    )
    # Expected costs and shares: the workloads' add up to the platform's.
    mean = ds["workload_cost_mean"].sel(bound="estimate").sum().item()
    assert mean == pytest.approx(ds["platform_cost_mean"].sel(bound="estimate").item(), rel=1e-12)
    assert ds["workload_share"].sel(bound="estimate").sum().item() == pytest.approx(1.0, abs=1e-12)
    assert ds["tier_share"].sel(bound="estimate").sum().item() == pytest.approx(1.0, abs=1e-12)
    # CAPEX: owned hardware only, so none on the rented tiers; it adds up like the cost.
    capex = ds["tier_capex_share"].sel(bound="estimate")
    assert capex.sel(tier="dedicated") > 0.3 and capex.sel(tier=["spot", "serverless"]).max() == 0
    est = {"bound": "estimate"}
    tiers_capex = (ds["tier_capex_share"].sel(est) * ds["tier_cost_mean"].sel(est)).sum().item()
    platform_capex = ds["platform_capex_share"].sel(est) * ds["platform_cost_mean"].sel(est)
    assert tiers_capex == pytest.approx(platform_capex.item(), rel=1e-9)
    assert (ds["capex"] <= ds["cost"]).all()
    low, high = ds["workload_share"].sel(bound="lower"), ds["workload_share"].sel(bound="upper")
    assert (low < ds["workload_share"].sel(bound="estimate")).all() and (high > low).all()


def test_a_workload_that_trains_costs_more_than_one_that_only_serves(tmp_path):
    served = platform_run(_file(tmp_path, MIXED), n=2000, seed=3)
    trained = platform_run(
        _file(tmp_path, MIXED.replace("tokens = 0\nfinetune_tokens = 0\n", ""), "t.toml"),
        n=2000,
        seed=3,
    )
    big = {"workload": "big"}
    assert (trained["cost"].sel(big) > served["cost"].sel(big)).all()
    # The other workloads are the same samples: their factors are their own columns.
    np.testing.assert_array_equal(
        trained["cost"].sel(workload="small"), served["cost"].sel(workload="small")
    )


def test_shared_factors_make_twins_identical_and_own_factors_do_not(tmp_path):
    every = '["power", "facility", "hardware", "fleet", "serving", "demand", "training"]'
    shared = platform_run(_file(tmp_path, TWINS.format(shared=every)), n=2000, seed=5)
    np.testing.assert_array_equal(
        shared["cost"].sel(workload="a"), shared["cost"].sel(workload="b")
    )
    own = platform_run(_file(tmp_path, TWINS.format(shared="[]"), "o.toml"), n=2000, seed=5)
    a, b = own["cost"].sel(workload="a").values, own["cost"].sel(workload="b").values
    assert not np.array_equal(a, b)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.1  # independent draws
    # The default sharing (site and market) correlates them, without making them equal.
    site = platform_run(
        _file(tmp_path, TWINS.format(shared='["power", "facility", "hardware"]'), "s.toml"),
        n=2000,
        seed=5,
    )
    a, b = site["cost"].sel(workload="a").values, site["cost"].sel(workload="b").values
    assert 0.05 < np.corrcoef(a, b)[0, 1] < 0.99


def test_the_design_columns_say_which_factors_are_shared(tmp_path):
    platform = load_platform(_file(tmp_path, TWINS.format(shared='["power"]')))
    job, design = platform_job(platform, "mc", 1)
    a, b = (
        dict(zip(plan.paths, picks, strict=True))
        for plan, picks in zip(job.plans, job.picks, strict=True)
    )
    assert a["power.spot_price_usd_per_mwh"] == b["power.spot_price_usd_per_mwh"]
    assert a["demand.requests_per_day"] != b["demand.requests_per_day"]
    assert "power.spot_price_usd_per_mwh" in design.shared
    assert "a:demand.requests_per_day" in design.columns
    assert len(design.columns) == len(job.union) == len(set(job.union))


def test_ratio_of_means_on_known_ratios():
    rng = np.random.default_rng(0)
    denominator = rng.uniform(1.0, 2.0, 50_000)
    exact = ratio_of_means(3.0 * denominator, denominator)
    assert exact[0] == pytest.approx(3.0) and exact[2] - exact[1] < 1e-9
    numerator = rng.normal(3.0, 1.0, 50_000)  # mean 3 over mean 1.5: ratio 2
    estimate, low, high = ratio_of_means(numerator, denominator)
    assert low < estimate < high and low < 2.0 < high and high - low < 0.05
    assert np.isnan(ratio_of_means(np.ones(1), np.ones(1))).all()


def test_the_builtin_platform_has_ten_models_from_1b_to_72b_on_three_tiers():
    assert "platform-10-models" in builtin_platform_names()
    platform = load_platform("platform-10-models")
    assert len(platform.workloads) == 10 and platform.tiers == ["dedicated", "spot", "serverless"]
    sizes = []
    for workload in platform.workloads:
        base = workload.scenario.base_values()
        sizes.append(float(workload.scenario.models[base["model.name"]].params_total))
        # Serving only: no pre-training and no fine-tuning, so no training cluster.
        assert base["training.tokens"] == 0 and base["training.finetune_tokens"] == 0
    assert min(sizes) < 1.5e9 and 60e9 < max(sizes) < 80e9


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('tier = "spot"', 'tier = "gold"'), r"tier = 'gold': choose one of dedicated, spot"),
        (('name = "spot"', 'name = "big"'), r"workload 'big' is named twice"),
        (
            ('tier = "spot"', 'tier = "serverless"'),
            r"workload spot: tier serverless on a cloud fleet .* per_second_billing = 1",
        ),
        (
            ('tier = "dedicated"', 'tier = "serverless"'),
            r"workload big: tier serverless .* needs fleet.ownership api or cloud",
        ),
        (("[platform]", '[scenario]\nname = "x"\n[platform]'), r"unknown table 'scenario'"),
        (('extends = "default"', 'extends = "no-such"'), r"no-such"),
        (('name = "llama-3.2-1b"', 'name = "llama-9"'), r"workload small: .*llama-9"),
        (('tier = "spot"\n', 'tier = "spot"\nhorizon_years = 5\n'), r"put horizon_years inside"),
    ],
)
def test_bad_platform_files_are_refused_with_the_file_workload_and_fix(tmp_path, edit, message):
    path = _file(tmp_path, MIXED.replace(*edit, 1))
    with pytest.raises(ScenarioError, match=message) as caught:
        load_platform(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_workloads_on_different_horizons_are_refused(tmp_path):
    text = MIXED + "[workload.scenario]\nhorizon_years = 5\n"
    with pytest.raises(ScenarioError, match=r"different horizons .*small 5"):
        load_platform(_file(tmp_path, text))


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScenarioError, match=r"binary.toml: cannot read"):
        load_platform(path)


def test_an_unknown_platform_name_lists_the_builtins():
    with pytest.raises(ScenarioError, match="platform-10-models"):
        load_platform("platform-10-model")


def test_tco_platform_prints_the_chargeback_and_writes_json(tmp_path):
    path = _file(tmp_path, MIXED)
    result = CliRunner().invoke(main, ["platform", str(path), "-n", "2000", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [r["workload"] for r in payload["workloads"]] == ["big", "spot", "small"]
    total = sum(r["cost"][0] for r in payload["tiers"])
    assert total == pytest.approx(payload["platform"]["cost"][0], rel=1e-12)
    result = CliRunner().invoke(
        main,
        [
            "platform",
            str(path),
            "-n",
            "2000",
            "-o",
            str(tmp_path / "p.nc"),
            "--plot",
            str(tmp_path / "p.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "tier serverless" in result.output and "platform" in result.output
    assert "e+" not in result.output  # human units, never raw scientific notation
    assert (tmp_path / "p.nc").is_file() and (tmp_path / "p.png").stat().st_size > 0
    # Another run is not written over it without --overwrite, and nothing is computed.
    again = CliRunner().invoke(
        main, ["platform", str(path), "-n", "3000", "-o", str(tmp_path / "p.nc")]
    )
    assert again.exit_code == 1 and "already holds a different run" in again.output


def test_export_and_report_carry_the_chargeback(tmp_path):
    from results.kinds import result_kind

    ds = platform_run(_file(tmp_path, MIXED), n=2000, seed=4, output=tmp_path / "p.nc")
    assert result_kind(ds) == "platform"
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(tmp_path / "p.nc"), "-o", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    import pandas as pd

    table = pd.read_csv(tmp_path / "p.csv")
    assert list(table["level"]) == ["workload"] * 3 + ["tier"] * 3 + ["platform"]
    tiers = table[table["level"] == "tier"]["cost [USD]"].sum()
    platform = table[table["level"] == "platform"]["cost [USD]"].item()
    assert tiers == pytest.approx(platform, rel=1e-12)
    result = runner.invoke(main, ["report", str(tmp_path / "p.nc"), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text()
    assert 'id="platform-1"' in html and "tier serverless" in html and "not drawn" not in html


def test_the_reports_command_makes_the_same_platform_again(tmp_path):
    import shlex

    from results.report import as_results
    from results.report.reproduce import reproduce_command

    path = _file(tmp_path, MIXED)
    first = platform_run(path, n=2000, seed=6, overrides=["power.hedge_share=0.7"])
    words = shlex.split(reproduce_command(as_results([("p.nc", first)])[0]))
    assert words[:3] == ["tco", "platform", str(path)] and "power.hedge_share=0.7" in words
    result = CliRunner().invoke(main, [*words[1:], "-o", str(tmp_path / "again.nc")])
    assert result.exit_code == 0, result.output
    import xarray as xr

    with xr.open_dataset(tmp_path / "again.nc") as again:
        np.testing.assert_array_equal(again["cost"].values, first["cost"].values)


GROWING = MIXED.replace(
    '[[workload]]\nname = "spot"',
    '[workload.demand]\ngrowth_per_month = 0.03\n\n[[workload]]\nname = "spot"',
)


def test_the_years_of_the_plan_add_up_to_the_lifecycle_cost(tmp_path):
    ds = platform_run(_file(tmp_path, GROWING), n=3000, seed=6)
    assert list(ds["year"].values) == [1, 2, 3]
    est = {"bound": "estimate"}
    # Year costs are float32 per sample: their sums agree with the float64 totals to ~1e-7.
    years = ds["workload_year_cost_mean"].sel(est).sum("year")
    np.testing.assert_allclose(years.values, ds["workload_cost_mean"].sel(est).values, rtol=1e-6)
    np.testing.assert_allclose(
        ds["tier_year_cost_mean"].sel(est).sum("tier").values,
        ds["platform_year_cost_mean"].sel(est).values,
        rtol=1e-12,
    )
    assert ds["platform_year_cost_mean"].sel(est).sum().item() == pytest.approx(
        ds["platform_cost_mean"].sel(est).item(), rel=1e-6
    )
    # The growing workload costs more every year; the flat ones the same each year.
    big = ds["workload_year_cost_mean"].sel(bound="estimate", workload="big").values
    assert big[0] < big[1] < big[2]
    spot = ds["workload_year_cost_mean"].sel(bound="estimate", workload="spot").values
    np.testing.assert_allclose(spot, spot[0], rtol=1e-6)


def test_the_chargeback_by_month_adds_up_to_each_row(tmp_path):
    from results.chargeback import chargeback_monthly, chargeback_rows

    ds = platform_run(_file(tmp_path, GROWING), n=2000, seed=7, output=tmp_path / "g.nc")
    monthly = chargeback_monthly(ds)
    rows = chargeback_rows(ds)
    platform = monthly[monthly["level"] == "platform"]
    assert list(platform["month"]) == list(range(1, 37))
    assert platform["cost [USD]"].sum() == pytest.approx(rows["platform"]["cost"][0], rel=1e-6)
    for row in rows["workloads"]:
        months = monthly[(monthly["level"] == "workload") & (monthly["name"] == row["workload"])]
        assert months["cost [USD]"].sum() == pytest.approx(row["cost"][0], rel=1e-6)
    out = CliRunner().invoke(
        main,
        ["export", str(tmp_path / "g.nc"), "-o", str(tmp_path / "g.csv"), "--by-month",
         str(tmp_path / "m.csv")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    import pandas as pd

    assert len(pd.read_csv(tmp_path / "m.csv")) == len(monthly)
    assert "cost_year_3 [USD]" in pd.read_csv(tmp_path / "g.csv").columns


def test_tco_run_of_a_platform_prints_its_chargeback(tmp_path):
    path = _file(tmp_path, MIXED)
    runner = CliRunner()
    result = runner.invoke(main, ["run", str(path), "-n", "1000", "--seed", "3", "--no-save"])
    assert result.exit_code == 0, result.output
    assert "Platform mixed: 3 workloads" in result.output and "By year" in result.output
    direct = runner.invoke(main, ["platform", str(path), "-n", "1000", "--seed", "3"])
    # The same table (the first line carries no timing).
    assert result.output == direct.output
    refused = runner.invoke(main, ["run", str(path), "-n", "1000", "--store", "yearly"])
    assert refused.exit_code != 0 and "--store apply to one scenario" in refused.output


def test_the_expected_cash_flows_are_a_runs_monthly_cash_flows_averaged(tmp_path):
    from results.chargeback import chargeback_monthly
    from results.years import monthly_cash_flows

    growing = ONE.replace('extends = "default"', 'extends = "default"\n[workload.demand]\n'
                          "growth_per_month = 0.03")  # fmt: skip
    ds = platform_run(_file(tmp_path, growing), n=3000, seed=4)
    ran = run("default", n=3000, seed=4, store="all", overrides=["demand.growth_per_month=0.03"])
    flows = monthly_cash_flows(ran, 3.0).values
    feasible = np.isfinite(ran["lifecycle_total"].values)
    expected = flows[feasible].mean(axis=0)
    got = ds["workload_cash_flow_mean"].sel(workload="only").values
    # The platform sums float64 lines; the run stores float32 ones: agreement to ~1e-6.
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    # The owned fleet's purchases are cash in each year's first month, not spread.
    assert got[0] > 5 * got[1] and got[12] > got[13]
    assert got.sum() == pytest.approx(ds["workload_cost_mean"].values[0, 0], rel=1e-9)
    monthly = chargeback_monthly(ds)
    row = monthly[monthly["level"] == "workload"]
    np.testing.assert_allclose(row["cash out [USD]"].values, got, rtol=1e-12)
