"""Shared pools: replicas of several workloads packed into whole nodes (scenarios.pools,
simulate.model.pooling), checked against the kernel's own whole-node fleets."""

import numpy as np
import pytest
from helpers import default_row, platform_file

from scenarios.errors import ScenarioError
from scenarios.platform import load_platform
from simulate.decisions.platform import platform_run
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.pooling import pool_slot_costs

N = 4096


def _workload(name, model, extends="default", pool="p", node=8, tables=""):
    pool_line = f'pool = "{pool}"\n' if pool else ""
    return f"""
[[workload]]
name = "{name}"
tier = "{"spot" if "spot" in extends else "dedicated"}"
extends = "{extends}"
{pool_line}[workload.model]
name = "{model}"
[workload.training]
tokens = 0
finetune_tokens = 0
[workload.fleet]
node_accelerators = {node}
sla_penalty_usd_per_1k_late_tokens = 0
{tables}
"""


OWNED_DEMAND = """[workload.demand]
requests_per_day = { dist = "lognormal", p10 = 1e5, p90 = 3e6 }
"""
OWNED_GROWING = """[workload.hardware]
price_decline_per_year = 0
[workload.demand]
requests_per_day = { dist = "lognormal", p10 = 1e5, p90 = 3e6 }
growth_per_month = { dist = "uniform", low = 0, high = 0.05 }
"""
SPOT_AUTOSCALED = """autoscale = 1
[workload.demand]
peak_hours_per_day = 8
peak_to_average = { dist = "pert", low = 1.5, mode = 2, high = 3 }
requests_per_day = { dist = "lognormal", p10 = 1e5, p90 = 3e6 }
growth_per_month = { dist = "uniform", low = 0, high = 0.05 }
"""


def _platform(*workloads) -> str:
    return '[platform]\nname = "pools"\n' + "".join(workloads)


def _node_slots(level, node):
    """Empty slots of the last node, ``k ceil(L / k) - L`` (the NumPy twin's)."""
    return np.ceil(level / node) * node - level


def _slot_hours(slots_peak, slots_off, peak_share, scale_up_hours):
    """Idle accelerator-hours a month of slots at two daily levels (model.md)."""
    return col.HOURS_PER_MONTH * (
        peak_share * slots_peak + (1.0 - peak_share) * slots_off
    ) + col.DAYS_PER_MONTH * scale_up_hours * (slots_peak - slots_off)


def _numpy_pool_slots(lines, months, node, peak_share, scale_up_hours):
    """The NumPy twin of pool_slot_costs, written from the equations of docs/platform.md."""
    valid = np.isfinite(lines[:, 0]) & np.isfinite(lines[:, 1])
    fleet, off, rate, capex_rate = (np.where(valid, lines[:, k], 0.0) for k in range(4))
    pool_hours = _slot_hours(
        _node_slots(fleet.sum(axis=0), node),
        _node_slots(off.sum(axis=0), node),
        peak_share,
        scale_up_hours,
    )
    used = peak_share * fleet + (1.0 - peak_share) * off
    total = used.sum(axis=0)
    share = np.where(total > 0.0, used / np.where(total > 0.0, total, 1.0), 1.0 / len(lines))
    hours = share * pool_hours * months[:, None]
    own = _slot_hours(_node_slots(fleet, node), _node_slots(off, node), peak_share, scale_up_hours)
    return {
        "cost": hours * rate,
        "capex": hours * capex_rate,
        "separate": (own * months[:, None] * rate).sum(axis=(0, 1)),
        "pooled_hours": pool_hours,
    }


def _ffd_bins(items, capacity):
    """First-fit decreasing, written out: the bins after packing ``items``."""
    free = []
    for item in sorted(items, reverse=True):
        for b, room in enumerate(free):
            if room >= item:
                free[b] -= item
                break
        else:
            free.append(capacity - item)
    return len(free)


def test_first_fit_decreasing_fills_nodes_but_the_last(rng):
    # The pooling formula's premise (Coffman, Garey, Johnson 1987): replicas of 1-8
    # accelerators (powers of two) need exactly ceil(sum / 8) nodes of 8.
    for _ in range(300):
        items = rng.choice([1, 2, 4, 8], size=rng.integers(1, 60))
        bins = _ffd_bins(list(items), 8)
        assert bins == int(np.ceil(items.sum() / 8))
        lines = np.zeros((1, 4, 1, 1))
        lines[0, 0] = lines[0, 1] = items.sum()
        nodes = pool_slot_costs(lines, np.array([12.0]), 8)["nodes"]
        assert nodes[0, 0] == bins


def _random_lines(rng, members=5, years=3, n=300):
    replicas = rng.choice([1, 2, 4], size=(members, 1, 1))
    peak = rng.integers(1, 40, size=(members, years, n)) * replicas * 1.0
    off = np.floor(peak * rng.uniform(0.3, 1.0, size=peak.shape) / replicas) * replicas
    rate = rng.uniform(1.0, 4.0, size=peak.shape)
    lines = np.stack([peak, off, rate, 0.4 * rate], axis=1)
    lines[0, 0, 0, :5] = np.nan  # an infeasible member in five samples
    return lines


def test_compiled_pool_pass_matches_its_numpy_twin(rng):
    lines = _random_lines(rng)
    months = np.array([12.0, 12.0, 6.0])
    got = pool_slot_costs(lines, months, 8, 1 / 3, 0.25)
    want = _numpy_pool_slots(lines, months, 8, 1 / 3, 0.25)
    for key in ("cost", "capex", "separate"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-9)
    # The members' shares add up to the pool's slot-hours, priced at each one's rate.
    np.testing.assert_allclose(
        (got["cost"] / lines[:, 2]).sum(axis=0)[:, 5:],
        (want["pooled_hours"] * months[:, None])[:, 5:],
        rtol=1e-12,
    )


def test_a_pool_never_has_more_empty_slots_than_nodes_of_their_own(rng):
    lines = _random_lines(rng)
    lines[:, 2] = 1.0  # one rate: slot-hours compare directly
    slots = pool_slot_costs(lines, np.array([12.0, 12.0, 6.0]), 8, 1 / 3, 0.25)
    assert np.all(slots["cost"].sum(axis=(0, 1)) <= slots["separate"] + 1e-9)
    assert np.all(slots["packing"] <= 1.0) and np.all(slots["packing"] > 0.0)


def test_kernel_rounds_each_level_to_whole_nodes():
    row = default_row()
    row[col.IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS] = 0.0
    by_accelerator, _ = model_outputs(row[None, :])
    tp = by_accelerator[0, col.OUT_TENSOR_PARALLEL]
    fleet = by_accelerator[0, col.OUT_INFERENCE_ACCELERATORS]
    node = 4.0 * tp
    assert fleet % node != 0.0  # the fleet leaves slots, or the test means nothing
    row[col.IN_NODE_ACCELERATORS] = node
    on_nodes, _ = model_outputs(row[None, :])
    assert on_nodes[0, col.OUT_INFERENCE_ACCELERATORS] == node * np.ceil(fleet / node)
    # The empty slots cost what the kernel says an idle slot costs, every hour.
    slots = node * np.ceil(fleet / node) - fleet
    years = int(np.ceil(row[col.IN_HORIZON_YEARS]))
    expected = sum(
        slots
        * 12.0
        * min(row[col.IN_HORIZON_YEARS] - k, 1.0)
        * col.HOURS_PER_MONTH
        * by_accelerator[0, col.OUT_SLOT_USD_PER_HOUR_YEAR + k]
        for k in range(years)
    )
    added = on_nodes[0, col.OUT_LIFECYCLE_TOTAL] - by_accelerator[0, col.OUT_LIFECYCLE_TOTAL]
    assert added == pytest.approx(expected, rel=1e-9)
    # A node no wider than the replica changes nothing.
    row[col.IN_NODE_ACCELERATORS] = tp
    same, _ = model_outputs(row[None, :])
    np.testing.assert_array_equal(same, by_accelerator)


@pytest.mark.parametrize(
    "extends, model, tables",
    [
        ("default", "llama-3.1-8b", OWNED_DEMAND),
        ("default", "llama-3.1-8b", OWNED_GROWING),
        ("serving-self-managed-spot", "llama-3.1-8b", SPOT_AUTOSCALED),
    ],
    ids=["owned", "owned-growing", "spot-autoscaled"],
)
def test_a_pool_of_one_is_the_kernels_whole_nodes(tmp_path, extends, model, tables):
    pooled = platform_file(
        tmp_path, _platform(_workload("w", model, extends, "p", 8, tables)), "pooled.toml"
    )
    own = platform_file(
        tmp_path, _platform(_workload("w", model, extends, "", 8, tables)), "own.toml"
    )
    a = platform_run(pooled, n=N, seed=3)
    b = platform_run(own, n=N, seed=3)
    assert a["pool_slot_cost_mean"].values[0, 0] > 0.0
    np.testing.assert_allclose(a["cost"].values, b["cost"].values, rtol=1e-9)
    np.testing.assert_allclose(a["capex"].values, b["capex"].values, rtol=1e-9)
    np.testing.assert_allclose(a["year_cost"].values, b["year_cost"].values, rtol=1e-5)
    np.testing.assert_allclose(
        a["pool_saving_mean"].values[0], 0.0, atol=1e-6 * a["platform_cost_mean"].values[0]
    )


@pytest.mark.parametrize(
    "extends, tables",
    [("default", OWNED_GROWING), ("serving-self-managed-spot", SPOT_AUTOSCALED)],
    ids=["owned", "spot"],
)
def test_sharing_saves_what_separate_nodes_would_waste(tmp_path, extends, tables):
    models = ("llama-3.1-8b", "mistral-7b", "qwen2.5-14b")
    pooled = platform_file(
        tmp_path,
        _platform(*(_workload(f"w{i}", m, extends, "p", 8, tables) for i, m in enumerate(models))),
        "pooled.toml",
    )
    own = platform_file(
        tmp_path,
        _platform(*(_workload(f"w{i}", m, extends, "", 8, tables) for i, m in enumerate(models))),
        "own.toml",
    )
    a = platform_run(pooled, n=N, seed=5)
    b = platform_run(own, n=N, seed=5)
    assert a.attrs["n_valid"] == b.attrs["n_valid"]
    saving = a["pool_saving_mean"].values[0, 0]
    assert saving > 0.0
    # Nodes of their own cost the pool's total minus its slots plus their own slots.
    assert b["platform_cost_mean"].values[0] == pytest.approx(
        a["platform_cost_mean"].values[0] + saving, rel=1e-9
    )
    assert np.all(a["pool_packing_mean"].values <= 1.0)
    # Tiers and workloads still add up to the platform in every sample.
    np.testing.assert_allclose(a["cost"].values.sum(axis=0), a["platform_cost"].values, rtol=1e-12)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda t: t.replace(
                'tier = "dedicated"\nextends = "default"',
                'tier = "serverless"\nextends = "serving-managed-api"',
                1,
            ).replace("node_accelerators = 8", "node_accelerators = 1", 1),
            "is serverless",
        ),
        (lambda t: t.replace("node_accelerators = 8", "node_accelerators = 1"), "nothing to pack"),
        (lambda t: t.replace("node_accelerators = 8", "node_accelerators = 6", 1), "power of two"),
        (
            lambda t: t.replace(
                'name = "mistral-7b"',
                'name = "mistral-7b"\n[workload.hardware]\naccelerator = "A100-80GB"',
            ),
            "hardware.accelerator",
        ),
        (
            lambda t: t.replace(
                "node_accelerators = 8", "node_accelerators = 8\ncommitted_accelerators = 8", 1
            ),
            "committed",
        ),
    ],
    ids=["serverless", "node-1", "not-power-of-two", "accelerators-differ", "committed"],
)
def test_pools_refuse_what_cannot_share_a_node(tmp_path, change, message):
    text = _platform(
        _workload("a", "llama-3.1-8b", tables=OWNED_DEMAND),
        _workload("b", "mistral-7b", tables=OWNED_DEMAND),
    )
    with pytest.raises(ScenarioError, match=message):
        load_platform(platform_file(tmp_path, change(text)))


def test_a_pooled_workload_runs_by_the_accelerator_in_the_kernel(tmp_path):
    text = _platform(
        _workload("a", "llama-3.1-8b", tables=OWNED_DEMAND),
        _workload("b", "mistral-7b", tables=OWNED_DEMAND),
        _workload("c", "mistral-7b", pool="", tables=OWNED_DEMAND),
    )
    platform = load_platform(platform_file(tmp_path, text))
    (pool,) = platform.pools
    assert pool.members == (0, 1) and pool.node_accelerators == 8
    nodes = [w.scenario.base_values()["fleet.node_accelerators"] for w in platform.workloads]
    assert nodes == [1.0, 1.0, 8.0]
    assert [w.pool for w in platform.workloads] == ["p", "p", ""]


def test_sobol_and_tornado_of_a_pool_of_one_are_those_of_its_whole_nodes(tmp_path):
    # A rented pool: its slots are rent, so even the present value is the kernel's.
    from simulate.sensitivity.platform_sobol import PLATFORM_KPIS, platform_sobol
    from simulate.sensitivity.platform_tornado import platform_tornado

    tables = SPOT_AUTOSCALED
    extends, model = "serving-self-managed-spot", "llama-3.1-8b"
    pooled = platform_file(
        tmp_path, _platform(_workload("w", model, extends, "p", 8, tables)), "pooled.toml"
    )
    own = platform_file(
        tmp_path, _platform(_workload("w", model, extends, "", 8, tables)), "own.toml"
    )
    kpis = list(PLATFORM_KPIS)
    a = platform_tornado(pooled, kpis)
    b = platform_tornado(own, kpis)
    np.testing.assert_allclose(a["base_value"].values, b["base_value"].values, rtol=1e-9)
    np.testing.assert_allclose(a["value"].values, b["value"].values, rtol=1e-9)
    s_a = platform_sobol(pooled, n=256, kpis=kpis, resamples=10)
    s_b = platform_sobol(own, n=256, kpis=kpis, resamples=10)
    np.testing.assert_allclose(s_a["ST"].values, s_b["ST"].values, rtol=1e-7, atol=1e-9)


def test_tornado_of_a_pool_moves_the_shared_slots(tmp_path):
    from simulate.sensitivity.platform_tornado import platform_tornado

    text = _platform(
        _workload("a", "llama-3.1-8b", tables=OWNED_DEMAND),
        _workload("b", "mistral-7b", tables=OWNED_DEMAND),
    )
    pooled = platform_tornado(platform_file(tmp_path, text, "pooled.toml"), ["platform_cost"])
    own = platform_tornado(
        platform_file(tmp_path, text.replace('pool = "p"\n', ""), "own.toml"), ["platform_cost"]
    )
    # The pool's base costs less than nodes of their own, and each end too.
    assert pooled["base_value"].values[0] < own["base_value"].values[0]
    assert np.all(pooled["value"].values <= own["value"].values + 1e-6)


def test_a_pooled_platforms_months_add_up_to_its_cost(tmp_path):
    text = _platform(
        _workload("a", "llama-3.1-8b", tables=OWNED_GROWING),
        _workload("b", "mistral-7b", tables=OWNED_GROWING),
    )
    ds = platform_run(platform_file(tmp_path, text), n=N, seed=2)
    assert ds["pool_slot_cost_mean"].values[0, 0] > 0.0
    for prefix in ("workload", "platform"):
        months = ds[f"{prefix}_cash_flow_mean"].sum("month").values
        cost = ds[f"{prefix}_cost_mean"].values[..., 0]
        np.testing.assert_allclose(months, cost, rtol=1e-9)
