"""Routes: one model's traffic split between workloads on two tiers, the share a lever.

Reference problems: the parts of a routed model serve exactly its unsplit tokens in every
state (they read the same draws and their demands are scaled quantiles); the tornado's
ends of a share lever are the platforms with that share fixed; every family's scaled
distribution has the scaled quantiles.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import platform_file

from distributions import from_spec
from scenarios.errors import ScenarioError
from scenarios.platform import load_platform
from simulate.decisions.platform import platform_run
from simulate.sensitivity.platform_sobol import platform_sobol_problem
from simulate.sensitivity.platform_tornado import platform_tornado

PARENT = """
[platform]
name = "routed"

[[workload]]
name = "chat"
tier = "spot"
extends = "serving-self-managed-spot"
[workload.model]
name = "llama-3.1-8b"
[workload.training]
tokens = 0
finetune_tokens = 0
[workload.demand]
requests_per_day = { dist = "lognormal", p10 = 5e6, p90 = 5e7 }
"""

ROUTE = """
[[workload]]
name = "overflow"
tier = "dedicated"
extends = "fleet-cloud"
route_of = "chat"
share = SHARE
[workload.model]
name = "llama-3.1-8b"
[workload.training]
tokens = 0
finetune_tokens = 0
"""


_file = platform_file


def _routed(tmp_path, share="0.3", name="p.toml"):
    return _file(tmp_path, PARENT + ROUTE.replace("SHARE", share), name)


def test_the_parts_of_a_routed_model_serve_its_unsplit_tokens_in_every_state(tmp_path):
    alone = platform_run(_file(tmp_path, PARENT, "alone.toml"), n=4096, seed=5)
    routed = platform_run(_routed(tmp_path), n=4096, seed=5)
    assert list(routed.workload.values) == ["chat", "overflow"]
    np.testing.assert_allclose(
        routed.platform_tokens.values, alone.platform_tokens.values, rtol=1e-9
    )
    # The overflow serves 30% of the tokens in every state, the parent the rest.
    share = routed.tokens.sel(workload="overflow").values / routed.platform_tokens.values
    np.testing.assert_allclose(share, 0.3, rtol=1e-9)
    assert routed.attrs["factor_columns"].count("chat:demand.requests_per_day") == 1


def test_a_route_reads_its_parents_draws_and_groups_with_it(tmp_path):
    platform = load_platform(_routed(tmp_path))
    problem = platform_sobol_problem(platform, "workload")
    # Factors both parts sample are the parent's columns; the route's own ones its own.
    assert "chat:demand.requests_per_day" in problem.members("chat")
    assert not any(c.startswith("overflow:demand.") for c in problem.columns)
    route = platform.workloads[1]
    assert route.route_of == "chat" and route.share.base == 0.3
    median = route.scenario.inputs["demand.requests_per_day"].distribution.median()
    parent = platform.workloads[0].scenario.inputs["demand.requests_per_day"].distribution
    assert median == pytest.approx(0.3 / 0.7 * parent.median(), rel=1e-12)


def test_the_tornado_ends_of_a_share_are_the_platforms_with_it_fixed(tmp_path):
    lever = '{ lever = "range", low = 0.1, high = 0.6, base = 0.3 }'
    ds = platform_tornado(_routed(tmp_path, lever), ["platform_cost"], include_levers=True)
    ends = ds.value.sel(kpi="platform_cost", param="overflow:route.share").values
    for end, share in zip(ends, ("0.1", "0.6"), strict=True):
        fixed = platform_tornado(
            _routed(tmp_path, share, f"{share}.toml"), ["platform_cost"]
        ).base_value.values[0]
        assert end == pytest.approx(fixed, rel=1e-9)
    assert ends[0] != pytest.approx(ends[1], rel=1e-3)  # the split matters
    # Without --levers the share is not swung.
    assert "overflow:route.share" not in platform_tornado(_routed(tmp_path, lever)).param.values


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (PARENT + ROUTE.replace("SHARE", "0.3").replace('"chat"', '"chatt"'), "no such workload"),
        (PARENT + ROUTE.replace("SHARE", "1.2"), "strictly between 0 and 1"),
        (
            PARENT
            + ROUTE.replace("SHARE", "0.6")
            + ROUTE.replace("SHARE", "0.5").replace('name = "overflow"', 'name = "more"'),
            "must add up to less than 1",
        ),
        (
            PARENT
            + ROUTE.replace("SHARE", "0.3").replace(
                '"llama-3.1-8b"\n[workload.t', '"mistral-7b"\n[workload.t'
            ),
            "a route serves chat's model",
        ),
        (
            PARENT + ROUTE.replace("SHARE", "0.3") + "[workload.demand]\npeak_to_average = 2\n",
            "takes its \\[demand\\]",
        ),
        (PARENT.replace('tier = "spot"', 'tier = "spot"\nshare = 0.3'), "share applies to a route"),
        (PARENT + ROUTE.replace("share = SHARE\n", ""), "a route needs its share"),
    ],
)
def test_bad_routes_are_refused_with_the_workload_and_fix(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        load_platform(_file(tmp_path, text))


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "lognormal", "p10": 1e6, "p90": 1e7},
        {"dist": "pert", "low": 1, "mode": 2, "high": 5},
        {"dist": "uniform", "low": 1, "high": 3},
        {"dist": "triangular", "low": 1, "mode": 2, "high": 4},
        {"dist": "normal", "mean": 5, "sd": 1},
        {"dist": "truncnormal", "mean": 5, "sd": 1, "low": 3, "high": 8},
        {"dist": "gamma", "shape": 2, "scale": 3},
        {"dist": "beta", "a": 2, "b": 3, "low": 1, "high": 4},
        {"dist": "choice", "values": [1, 2, 3]},
        {"dist": "empirical", "values": [1, 5, 2, 8]},
    ],
)
def test_a_scaled_distribution_has_the_scaled_quantiles(spec):
    dist = from_spec(spec, "x")
    u = np.array([0.01, 0.3, 0.5, 0.9, 0.999])
    np.testing.assert_allclose(dist.scaled(0.3).ppf(u), 0.3 * dist.ppf(u), rtol=1e-12)
    assert dist.scaled(0.3).family == dist.family


def test_tco_platform_says_which_workloads_are_routes(tmp_path):
    from click.testing import CliRunner

    from simulate.cli.main import main

    result = CliRunner().invoke(main, ["platform", _routed(tmp_path), "-n", "2000"])
    assert result.exit_code == 0, result.output
    assert "Routes: overflow serves 30% of chat's requests" in result.output


def test_a_share_what_if_runs_on_common_random_numbers(tmp_path):
    lever = '{ lever = "range", low = 0.1, high = 0.6, base = 0.3 }'
    path = _routed(tmp_path, lever)
    low = platform_run(load_platform(path, shares={"overflow": 0.1}), n=2048, seed=2)
    high = platform_run(load_platform(path, shares={"overflow": 0.6}), n=2048, seed=2)
    # The same states: the same tokens in every sample, split otherwise.
    np.testing.assert_allclose(low.platform_tokens.values, high.platform_tokens.values, rtol=1e-9)
    share = high.tokens.sel(workload="overflow").values / high.platform_tokens.values
    np.testing.assert_allclose(share, 0.6, rtol=1e-9)
    assert not np.allclose(low.platform_cost.values, high.platform_cost.values)
    with pytest.raises(ScenarioError, match=r"outside its lever's range \[0.1, 0.6\]"):
        load_platform(path, shares={"overflow": 0.9})
    with pytest.raises(ScenarioError, match="not a route of this platform"):
        load_platform(path, shares={"chat": 0.2})
