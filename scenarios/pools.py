"""Shared pools of a platform: several workloads' replicas packed into one set of nodes.

A workload with ``pool = "NAME"`` runs its replicas on the nodes of that pool
(``fleet.node_accelerators`` accelerators each) together with the pool's other
workloads, instead of on nodes of its own. Replicas are whole powers of two of
accelerators (:func:`simulate.model.stages.replica_and_batch`), so packing them
first-fit decreasing into nodes of a power-of-two size fills every node but the last:
the pool needs ``k ceil(sum n_w / k)`` accelerators for fleets of ``n_w``, where nodes
of their own need ``sum k ceil(n_w / k)`` (:mod:`simulate.model.pooling`).

The members of a pool must be able to share a node: the same tier, ownership (owned or
cloud) and accelerator (with the same refresh), the same node size, and one daily
schedule when they autoscale (the same peak hours and scale-up time). Committed
capacity and per-second endpoints are not pooled.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from scenarios.errors import ScenarioError, shown

__all__ = ["NODE_PATH", "Pool", "build_pools"]

NODE_PATH = "fleet.node_accelerators"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: Keys every member of a pool must specify alike (a node holds one accelerator type,
#: one owner, one schedule), with what a difference means.
_ALIKE = (
    ("fleet.ownership", "a node is owned or rented, not both"),
    ("hardware.accelerator", "a node holds one accelerator type"),
    ("fleet.refresh_year", "the pool's nodes are refreshed together"),
    ("fleet.refresh_accelerator", "the pool's nodes are refreshed together"),
    (NODE_PATH, "one node size"),
    ("fleet.autoscale", "the pool scales as one"),
)
_ALIKE_AUTOSCALED = (
    ("demand.peak_hours_per_day", "an autoscaled pool follows one daily schedule"),
    ("fleet.scale_up_hours", "an autoscaled pool follows one daily schedule"),
)


@dataclass(frozen=True)
class Pool:
    """A shared pool of a platform.

    Attributes
    ----------
    name : str
        Its name (the ``pool`` coordinate of results).
    members : tuple of int
        Indices of its workloads in the platform, in file order.
    node_accelerators : int
        Accelerators per node.
    autoscaled : bool
        Whether the pool follows a two-level daily profile (rented, ``fleet.autoscale``).
    peak_share : float
        Share of the day at the peak, ``min(peak_hours_per_day / 24, 1)`` (1 for a pool
        that runs all day).
    scale_up_hours : float
        Hours paid per accelerator started at the daily scale-up, h.
    """

    name: str
    members: tuple[int, ...]
    node_accelerators: int
    autoscaled: bool
    peak_share: float
    scale_up_hours: float


def _spec(scenario, path: str) -> str:
    item = scenario.inputs[path]
    return item.describe()


def build_pools(workloads: list, pool_names: list[str], source: str, is_shared):
    """Check the pools of a platform and run their workloads by the accelerator.

    Parameters
    ----------
    workloads : list of scenarios.platform.Workload
        In file order.
    pool_names : list of str
        Each workload's ``pool`` ("" for none).
    source : str
        The platform file, for errors.
    is_shared : callable(path) -> bool
        Whether a factor is one draw for the whole platform.

    Returns
    -------
    workloads : list of Workload
        The pooled workloads with their ``pool`` and their scenarios with
        ``fleet.node_accelerators = 1``: the pool, not the kernel, rounds their replicas
        up to nodes.
    pools : tuple of Pool
        In order of first appearance.
    """
    order: dict[str, list[int]] = {}
    for index, name in enumerate(pool_names):
        if not name:
            continue
        if not isinstance(name, str) or not _NAME.match(name):
            raise ScenarioError(
                f"{source}: workload {workloads[index].name}: pool = {shown(name)}: give a "
                "name of letters, digits, '-', '_' or '.', e.g. pool = \"owned-h100\""
            )
        order.setdefault(name, []).append(index)
    pools = []
    rebuilt = list(workloads)
    for name, members in order.items():
        first = workloads[members[0]]
        where = f"{source}: pool {name}"
        tiers = {workloads[i].tier for i in members}
        if "serverless" in tiers:
            serverless = next(
                workloads[i].name for i in members if workloads[i].tier == "serverless"
            )
            raise ScenarioError(
                f"{where}: workload {serverless} is serverless: a managed or per-second "
                "endpoint packs its own replicas; pools hold dedicated or spot workloads"
            )
        if len(tiers) > 1:
            raise ScenarioError(
                f"{where}: its workloads are on tiers {', '.join(sorted(tiers))}; a pool is "
                "one tier's capacity: put them in one tier or in separate pools"
            )
        base = first.scenario.base_values()
        autoscaled = base["fleet.ownership"] == "cloud" and float(base["fleet.autoscale"]) > 0.5
        checks = _ALIKE + (_ALIKE_AUTOSCALED if autoscaled else ())
        for path, meaning in checks:
            spec = _spec(first.scenario, path)
            for i in members[1:]:
                other = _spec(workloads[i].scenario, path)
                if other != spec:
                    raise ScenarioError(
                        f"{where}: {path} is {spec} in {first.name} but {other} in "
                        f"{workloads[i].name} ({meaning}); set it alike or split the pool"
                    )
            item = first.scenario.inputs[path]
            if item.kind == "factor" and not is_shared(path) and len(members) > 1:
                raise ScenarioError(
                    f"{where}: {path} is an uncertain factor drawn per workload, so the "
                    "members would differ in a sample; make it a constant or a shared "
                    "factor (platform.shared_factors)"
                )
        if first.scenario.inputs[NODE_PATH].kind != "constant":
            raise ScenarioError(
                f"{where}: fleet.node_accelerators is a lever in {first.name}; a pool's node "
                "size is one constant (compare sizes with two platform files)"
            )
        node = float(base[NODE_PATH])
        if node <= 1.0:
            raise ScenarioError(
                f"{where}: fleet.node_accelerators is 1 (fleets by the accelerator), so there "
                "is nothing to pack; set [workload.fleet] node_accelerators = 8 (an 8-GPU "
                "server or instance) in each of its workloads"
            )
        for i in members:
            scenario = workloads[i].scenario
            for path, what in (
                ("fleet.committed_accelerators", "committed capacity"),
                ("fleet.per_second_billing", "per-second billing"),
            ):
                item = scenario.inputs[path]
                if item.kind != "constant" or float(item.value) != 0.0:
                    raise ScenarioError(
                        f"{where}: workload {workloads[i].name} sets {path} ({what}); a "
                        "shared pool is not modelled with it: remove the key or the pool"
                    )
            one = dataclasses.replace(scenario.inputs[NODE_PATH], value=1.0)
            rebuilt[i] = dataclasses.replace(
                workloads[i],
                scenario=dataclasses.replace(scenario, inputs={**scenario.inputs, NODE_PATH: one}),
                pool=name,
            )
        pools.append(
            Pool(
                name=name,
                members=tuple(members),
                node_accelerators=int(node),
                autoscaled=autoscaled,
                peak_share=min(float(base["demand.peak_hours_per_day"]) / 24.0, 1.0)
                if autoscaled
                else 1.0,
                scale_up_hours=float(base["fleet.scale_up_hours"]) if autoscaled else 0.0,
            )
        )
    return rebuilt, tuple(pools)
