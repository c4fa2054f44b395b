"""The lever search: risk measures, constraints, a known optimum and a brute-force grid."""

import numpy as np
import pytest

from scenarios.loader import load_scenario
from simulate.decisions.optimize import PlanEvaluator, measure, optimize, parse_constraint
from simulate.model import columns as col


def test_measures_on_a_known_sample():
    values = np.arange(1.0, 101.0)  # 1..100
    assert measure(values, "mean") == pytest.approx(50.5)
    assert measure(values, "p90") == pytest.approx(np.percentile(values, 90))
    assert measure(values, "cvar95") == pytest.approx(np.mean(values[values >= 95.05]))
    assert measure(values, "prob_over:80") == pytest.approx(0.2)
    assert measure(np.array([np.nan, 2.0, 4.0]), "mean") == 3.0


def test_constraint_parsing_and_errors():
    c = parse_constraint("tpot_s.p95<=0.05")
    assert (c.output, c.stat, c.upper, c.bound) == ("tpot_s", "p95", True, 0.05)
    assert parse_constraint("tokens_per_dollar.mean >= 1e5").upper is False
    for bad, message in (
        ("tpot_s<0.05", "OUTPUT.STAT"),
        ("tpot.p95<=0.05", "not an output"),
        ("tpot_s.p150<=1", "percentile"),
        ("tpot_s.median<=1", "pNN"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_constraint(bad)


def _only(levers, extra=()):
    # The default scenario with every lever but ``levers`` fixed at its base.
    fixed = {
        "hardware.accelerator": "H100",
        "fleet.utilization_target": "0.6",
        "serving.context_limit_tokens": "32768",
        "power.hedge_share": "0.5",
        "facility.pue_capex_usd": "0",
        "release.cadence_days": "180",
    }
    return load_scenario(
        "default", [f"{k}={v}" for k, v in fixed.items() if k not in levers] + list(extra)
    )


def test_finds_the_utilisation_knee():
    # Below the knee a higher target needs fewer accelerators; above it every late token
    # earns a large credit, so the cheapest target is the knee itself (achieved = target).
    scenario = _only(
        {"fleet.utilization_target"},
        [
            "fleet.utilization_achieved_ratio=1",
            "demand.peak_to_average=1",
            "fleet.sla_penalty_usd_per_1k_late_tokens=0.05",
        ],
    )
    ds = optimize(scenario, n=2000, seed=1)
    best = float(ds["fleet.utilization_target"].values[0])
    assert best == pytest.approx(0.75, abs=0.005)
    assert ds.attrs["improvement"] > 0.0  # the base target 0.6 is worse


def test_matches_a_brute_force_grid():
    scenario = _only({"hardware.accelerator", "facility.pue_capex_usd"})
    ds = optimize(scenario, n=2000, seed=4)
    evaluator = PlanEvaluator(scenario, 2000, 4)
    grid = []
    for accelerator in ("H100", "H200", "B200", "MI300X"):
        for capex in np.linspace(0.0, 2e7, 41):
            out, ok = evaluator.outputs(
                {"hardware.accelerator": accelerator, "facility.pue_capex_usd": capex}
            )
            grid.append((out[ok, col.OUT_LIFECYCLE_TOTAL].mean(), accelerator, capex))
    best_grid = min(grid)
    assert ds.attrs["best_objective"] <= best_grid[0] * (1 + 1e-9)
    assert str(ds["hardware.accelerator"].values[0]) == best_grid[1]
    # Every plan reported is the best of its accelerator, sorted best first.
    assert np.all(np.diff(ds["objective"].values) >= 0)
    assert bool(ds["not_worse"].values[0])


def test_constraints_are_met_and_cost_something():
    scenario = _only({"hardware.accelerator"})
    free = optimize(scenario, n=2000, seed=2)
    winner = str(free["hardware.accelerator"].values[0])
    evaluator = PlanEvaluator(scenario, 2000, 2)
    out, ok = evaluator.outputs({"hardware.accelerator": winner})
    cap = float(np.mean(out[ok, col.OUT_ENERGY_MWH_MONTH])) * 0.999
    bound = optimize(scenario, n=2000, seed=2, constraints=[f"energy_mwh_month.mean<={cap}"])
    chosen = str(bound["hardware.accelerator"].values[0])
    assert chosen != winner
    out, ok = evaluator.outputs({"hardware.accelerator": chosen})
    assert np.mean(out[ok, col.OUT_ENERGY_MWH_MONTH]) <= cap
    assert bound.attrs["best_objective"] >= free.attrs["best_objective"]


def test_impossible_constraints_and_bad_arguments():
    scenario = _only({"hardware.accelerator"})
    with pytest.raises(ValueError, match="no lever setting meets"):
        optimize(scenario, n=500, seed=0, constraints=["lifecycle_total.mean<=1"])
    with pytest.raises(ValueError, match="better when higher"):
        optimize(scenario, kpi="tokens_per_dollar", n=500)
    with pytest.raises(ValueError, match="objective"):
        optimize(scenario, objective="median", n=500)
    with pytest.raises(ValueError, match="no levers"):
        optimize(_only(set()), n=500)


def test_cli_prints_the_best_plan_and_writes_the_dataset(tmp_path):
    import json

    import xarray as xr
    from click.testing import CliRunner

    from results.kinds import result_kind
    from simulate.cli.main import main

    out = tmp_path / "opt.nc"
    args = [
        "optimize",
        "--set",
        "hardware.accelerator=H100",
        "--set",
        "serving.context_limit_tokens=32768",
    ]
    png = tmp_path / "plans.png"
    result = CliRunner().invoke(main, [*args, "-n", "500", "-o", str(out), "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert png.stat().st_size > 10_000
    assert "Best: " in result.output and "cadence_days = 365" in result.output
    with xr.open_dataset(out) as ds:
        assert result_kind(ds) == "optimize" and ds.attrs["improvement"] > 0
    payload = json.loads(CliRunner().invoke(main, [*args, "-n", "500", "--json"]).output)
    assert payload["best"]["release.cadence_days"] == 365.0
    bad = CliRunner().invoke(main, [*args, "-n", "500", "--constraint", "tpot_s<1"])
    assert bad.exit_code != 0 and "OUTPUT.STAT" in bad.output and "Traceback" not in bad.output


def test_ctrl_c_stops_cleanly_and_writes_nothing(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import simulate.decisions.optimize as module
    from simulate.cli.main import main

    calls = {"n": 0}
    real = module.PlanEvaluator.outputs

    def interrupted(self, setting):
        calls["n"] += 1
        if calls["n"] > 3:  # a few plans into the search
            raise KeyboardInterrupt
        return real(self, setting)

    monkeypatch.setattr(module.PlanEvaluator, "outputs", interrupted)
    out = tmp_path / "opt.nc"
    result = CliRunner().invoke(main, ["optimize", "-n", "300", "-o", str(out)])
    assert result.exit_code == 130
    assert "no result file was written" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
