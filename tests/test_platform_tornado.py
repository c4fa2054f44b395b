"""Tornado of a platform's totals.

Reference problems: a one-workload platform (levers included) is ``tco tornado`` of its
scenario; with nothing shared, a workload's own swing on the platform total is its own
scenario's swing, the other workload staying at base; twins that share the hardware
market move the platform twice as far as one of them does.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import ONE_WORKLOAD_PLATFORM, TWIN_PLATFORM, platform_file

from scenarios.loader import load_scenario
from scenarios.platform import load_platform
from simulate.cli.main import main
from simulate.model.base_case import calculate
from simulate.sensitivity.platform_tornado import platform_tornado
from simulate.sensitivity.tornado import tornado

ONE = ONE_WORKLOAD_PLATFORM

# The second twin has traffic of its own.
TWINS = (
    TWIN_PLATFORM
    + """[workload.demand]
requests_per_day = {{ dist = "lognormal", p10 = 1e6, p90 = 1e7 }}
"""
)


_file = platform_file


def test_a_one_workload_platform_is_the_tornado_of_its_scenario(tmp_path):
    ds = platform_tornado(_file(tmp_path, ONE), ["platform_cost"], include_levers=True)
    alone = tornado(load_scenario("default"), ["lifecycle_total"])
    assert list(ds.param.values) == list(alone.param.values)
    np.testing.assert_allclose(ds.value.values, alone.value.values, rtol=1e-12)
    assert (ds.setting.values == alone.setting.values).all()
    assert set(ds.workload.values) == {"shared"}


def test_an_own_factor_moves_the_platform_as_it_moves_its_workload(tmp_path):
    platform = load_platform(_file(tmp_path, TWINS.format(shared="[]")))
    ds = platform_tornado(platform, ["platform_cost"])
    alone = [tornado(w.scenario, ["lifecycle_total"]) for w in platform.workloads]
    base = [float(t.base_value.values[0]) for t in alone]
    assert float(ds.base_value.values[0]) == pytest.approx(sum(base), rel=1e-12)
    path = "demand.requests_per_day"
    for w, other in ((0, 1), (1, 0)):
        name = platform.workloads[w].name
        expected = alone[w].value.sel(kpi="lifecycle_total", param=path).values + base[other]
        got = ds.value.sel(kpi="platform_cost", param=f"{name}:{path}").values
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        assert str(ds.workload.sel(param=f"{name}:{path}").values) == name
    # The two demands differ: the workloads' own swings are told apart.
    swings = [float(ds.swing.sel(kpi="platform_cost", param=f"{w}:{path}")) for w in "ab"]
    assert swings[0] != pytest.approx(swings[1], rel=0.05)


def test_a_shared_factor_moves_every_workload_at_once(tmp_path):
    shared = load_platform(_file(tmp_path, TWINS.format(shared='["hardware"]')))
    ds = platform_tornado(shared, ["platform_cost"])
    path = "hardware.price_multiplier"
    assert path in ds.param.values and f"a:{path}" not in ds.param.values
    assert str(ds.workload.sel(param=path).values) == "shared"
    alone = [tornado(w.scenario, ["lifecycle_total"]) for w in shared.workloads]
    expected = sum(float(t.swing.sel(kpi="lifecycle_total", param=path)) for t in alone)
    assert float(ds.swing.sel(kpi="platform_cost", param=path)) == pytest.approx(expected)
    # Levers stay per workload even under a shared prefix, and only when asked for.
    assert not any(str(k) == "lever" for k in ds.kind.values)
    with_levers = platform_tornado(shared, ["platform_cost"], include_levers=True)
    assert "a:hardware.accelerator" in with_levers.param.values


def test_the_platform_cost_per_1k_is_the_total_over_the_tokens(tmp_path):
    platform = load_platform(_file(tmp_path, TWINS.format(shared="[]")))
    ds = platform_tornado(platform, ["platform_cost", "platform_token_cost_per_1k"])
    base_cost = float(ds.base_value.sel(kpi="platform_cost"))
    per_1k = float(ds.base_value.sel(kpi="platform_token_cost_per_1k"))
    tokens = sum(
        calculate(w.scenario).outputs[f"tokens_year_{k}"]
        for w in platform.workloads
        for k in range(1, 4)  # the default scenario's 3-year horizon
    )
    assert per_1k == pytest.approx(base_cost / tokens * 1000.0, rel=1e-9)


def test_tco_tornado_of_a_platform_prints_the_top_params(tmp_path):
    platform = _file(tmp_path, TWINS.format(shared='["hardware"]'))
    out = tmp_path / "t.nc"
    result = CliRunner().invoke(main, ["tornado", platform, "--top", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Tornado of platform twins" in result.output
    assert "more params move it less" in result.output
    assert out.exists()


def test_unknown_kpis_and_levers_for_one_scenario_are_refused(tmp_path):
    platform = _file(tmp_path, TWINS.format(shared="[]"))
    result = CliRunner().invoke(main, ["tornado", platform, "--kpi", "lifecycle_total"])
    assert result.exit_code != 0 and "not a platform KPI" in result.output
    result = CliRunner().invoke(main, ["tornado", "default", "--levers"])
    assert result.exit_code != 0 and "--levers applies to a platform" in result.output
