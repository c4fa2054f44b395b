"""Pareto frontiers: the non-domination filter (property test) and a frontier of plans."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.loader import load_scenario
from simulate.cli.main import main
from simulate.decisions.pareto import non_dominated, pareto, parse_objective


def _dominates(a, b):
    return bool(np.all(a <= b) and np.any(a < b))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 20)),  # ties are frequent on purpose
        min_size=1,
        max_size=40,
    )
)
def test_frontier_is_exactly_the_non_dominated_points(points):
    costs = np.array(points, dtype=float)
    front = non_dominated(costs)
    for i in range(len(costs)):
        dominated = any(_dominates(costs[j], costs[i]) for j in range(len(costs)))
        assert front[i] == (not dominated)
    assert front.any()  # a finite set always has a non-dominated point


def test_non_finite_rows_are_never_on_the_frontier():
    costs = np.array([[1.0, 1.0], [np.nan, 0.0], [0.5, np.inf], [2.0, 0.5]])
    assert non_dominated(costs).tolist() == [True, False, False, True]


def test_objective_parsing():
    assert parse_objective("tpot_s.p95") == ("tpot_s", "p95")
    with pytest.raises(ValueError, match=r"OUTPUT\.STAT"):
        parse_objective("tpot_s")
    with pytest.raises(ValueError, match="not an output"):
        parse_objective("tpot.p95")


def test_frontier_of_the_default_levers_is_non_dominated_and_maximises_higher_outputs():
    scenario = load_scenario(
        "default",
        ["power.hedge_share=0.5", "facility.pue_capex_usd=0", "release.cadence_days=180"],
    )
    ds = pareto(scenario, ["lifecycle_total.mean", "tokens_per_dollar.mean"], n=1000, points=3)
    assert ds.attrs["plans"] == 4 * 3 * 3
    cost, tokens = ds["objective_0"].values, ds["objective_1"].values
    front = ds["on_frontier"].values
    assert ds["objective_1"].attrs["better"] == "higher"
    for i in np.flatnonzero(front):  # no plan is cheaper and at least as productive
        better = (
            (cost <= cost[i]) & (tokens >= tokens[i]) & ((cost < cost[i]) | (tokens > tokens[i]))
        )
        assert not better.any()
    assert int(ds["is_base"].sum()) == 1


def test_cli_prints_the_frontier_and_draws_it(tmp_path):
    png = tmp_path / "p.png"
    args = [
        "pareto",
        "--set",
        "power.hedge_share=0.5",
        "--set",
        "facility.pue_capex_usd=0",
        "--set",
        "release.cadence_days=180",
        "-n",
        "500",
    ]
    result = CliRunner().invoke(main, [*args, "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert "Pareto frontier of default" in result.output and "Base plan:" in result.output
    assert png.stat().st_size > 10_000
    payload = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    costs = [row["objectives"][0] for row in payload["frontier"]]
    assert costs == sorted(costs) and payload["plans"] == 36
    bad = CliRunner().invoke(main, [*args, "--objective", "tpot_s.p95"])
    assert bad.exit_code != 0 and "exactly two" in bad.output
