"""Grouped Sobol indices of a platform's totals.

Reference problems: a one-workload platform ungrouped is ``tco sobol --factors-only`` of
its scenario (same design, same kernel, same indices); two workloads with nothing
shared make the platform total a sum of independent parts, whose grouped first- and
total-order indices are known in closed form, ``Var(C_w) / (Var(C_a) + Var(C_b))``,
computed here by plain Monte Carlo.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import ONE_WORKLOAD_PLATFORM, platform_file

from scenarios.loader import load_scenario
from scenarios.platform import load_platform
from simulate.cli.main import main
from simulate.engine.chunks import sample_outputs_into
from simulate.model import columns as col
from simulate.sensitivity.platform_sobol import platform_sobol, platform_sobol_problem
from simulate.sensitivity.sobol import sobol

ONE = ONE_WORKLOAD_PLATFORM

# Two serving-only workloads, the second on spot with its own traffic, nothing shared.
APART = """
[platform]
name = "apart"
shared_factors = {shared}

[[workload]]
name = "small"
tier = "dedicated"
extends = "default"
[workload.training]
tokens = 0
finetune_tokens = 0

[[workload]]
name = "large"
tier = "spot"
extends = "serving-self-managed-spot"
[workload.demand]
requests_per_day = {{ dist = "lognormal", p10 = 2e6, p90 = 2e7 }}
"""


_file = platform_file


def test_a_one_workload_platform_ungrouped_is_sobol_of_its_scenario(tmp_path):
    platform = _file(tmp_path, ONE)
    grouped = platform_sobol(platform, n=2**7, seed=3, kpis=["platform_cost"], group_by="none")
    alone = sobol(
        load_scenario("default"), n=2**7, seed=3, kpis=["lifecycle_total"], factors_only=True
    )
    assert list(grouped.param.values) == list(alone.param.values)
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(grouped[key].values[0], alone[key].values[0], rtol=1e-12)


def test_independent_workloads_split_the_variance_as_their_own_variances(tmp_path):
    platform = load_platform(_file(tmp_path, APART.format(shared="[]")))
    ds = platform_sobol(platform, n=2**12, seed=0, kpis=["platform_cost"])
    assert list(ds.param.values) == ["small", "large"]
    assert list(ds.kind.values) == ["group", "group"]
    # Closed form of an additive function of independent parts, each variance by plain
    # Monte Carlo on independent uniforms.
    problem = platform_sobol_problem(platform)
    rng = np.random.default_rng(1)
    rows = 200_000
    points = rng.random((rows, len(problem.columns)))
    index = np.array([col.OUTPUT_INDEX["lifecycle_total"]], dtype=np.int64)
    variances = []
    for plan, pick in zip(problem.plans, problem.picks, strict=True):
        cost = np.empty((1, rows))
        flags = np.empty(rows, dtype=np.int64)
        sample_outputs_into(plan, points[:, pick], index, cost, flags, independent=True)
        variances.append(np.var(cost[0][(flags & col.STRUCTURAL_FLAGS) == 0]))
    expected = np.array(variances) / sum(variances)
    assert 0.05 < expected[0] < 0.95  # both parts matter: the test can tell them apart
    sub = ds.sel(kpi="platform_cost")
    for key in ("S1", "ST"):
        tolerance = np.maximum(2 * sub[f"{key}_conf"].values, 0.03)
        np.testing.assert_array_less(np.abs(sub[key].values - expected), tolerance)
    # No interactions between the parts: the first-order indices add up to one.
    assert abs(float(sub.S1.sum()) - 1.0) < 0.06


def test_shared_factors_stand_alone_and_the_groupings_name_what_they_group(tmp_path):
    platform = load_platform(_file(tmp_path, APART.format(shared='["hardware"]')))
    by_workload = platform_sobol_problem(platform, "workload")
    shared = [p for p in by_workload.params if p.startswith("hardware.")]
    assert shared and set(by_workload.params) == {"small", "large", *shared}
    assert all(len(by_workload.members(p)) == 1 for p in shared)
    assert all(m.startswith("small:") for m in by_workload.members("small"))
    by_tier = platform_sobol_problem(platform, "tier")
    assert set(by_tier.params) == {"dedicated", "spot", *shared}
    by_factor = platform_sobol_problem(platform, "factor")
    members = by_factor.members("demand.requests_per_day")
    assert members == ["small:demand.requests_per_day", "large:demand.requests_per_day"]
    ungrouped = platform_sobol_problem(platform, "none")
    assert ungrouped.params == list(ungrouped.columns)
    with pytest.raises(ValueError, match=r"group_by = 'model'.*workload, tier, factor, none"):
        platform_sobol_problem(platform, "model")


def test_a_grouping_with_one_parameter_is_refused(tmp_path):
    one_tier = APART.format(shared="[]").replace('tier = "spot"', 'tier = "dedicated"')
    platform = load_platform(_file(tmp_path, one_tier))
    with pytest.raises(ValueError, match=r"grouping by tier leaves 1 parameter.*--group-by none"):
        platform_sobol_problem(platform, "tier")


def test_tco_sobol_of_a_platform_prints_grouped_indices_and_writes_them(tmp_path):
    platform = _file(tmp_path, APART.format(shared='["hardware"]'))
    out = tmp_path / "s.nc"
    result = CliRunner().invoke(
        main, ["sobol", platform, "-N", "64", "--group-by", "tier", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Platform apart (grouped by tier)" in result.output
    assert "dedicated" in result.output and "platform_token_cost_per_1k" in result.output
    import xarray as xr

    with xr.open_dataset(out) as ds:
        assert ds.attrs["group_by"] == "tier"
        assert set(ds.kpi.values) == {"platform_cost", "platform_token_cost_per_1k"}
    as_json = CliRunner().invoke(
        main, ["sobol", platform, "-N", "64", "--kpi", "platform_present_value", "--json"]
    )
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.stdout)
    assert set(payload["indices"]["platform_present_value"]) >= {"small", "large"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--versus", "default"], "--versus apply to one scenario"),
        (["--group", "g=a,b"], "--group apply to one scenario"),
        (["--kpi", "lifecycle_total"], "not a platform KPI.*platform_cost"),
    ],
)
def test_options_of_one_scenario_are_refused_for_a_platform(tmp_path, args, message):
    platform = _file(tmp_path, APART.format(shared="[]"))
    result = CliRunner().invoke(main, ["sobol", platform, "-N", "64", *args])
    assert result.exit_code != 0
    assert re.search(message, result.output), result.output


def test_group_by_is_refused_for_one_scenario():
    result = CliRunner().invoke(main, ["sobol", "default", "-N", "64", "--group-by", "tier"])
    assert result.exit_code != 0
    assert "--group-by groups a platform's columns" in result.output
