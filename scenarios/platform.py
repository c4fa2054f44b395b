"""Read a platform file: several workloads (models), each a scenario, on serving tiers.

A platform file is TOML::

    [platform]
    name = "my-platform"
    description = "..."
    shared_factors = ["power", "facility", "hardware"]   # the default

    [[workload]]
    name = "assistant-70b"        # unique; letters, digits, '-', '_', '.'
    tier = "dedicated"            # dedicated, spot or serverless
    extends = "default"           # a built-in scenario or a scenario file
    pool = "owned-h100"           # optional: share a pool's nodes (scenarios.pools)
    [workload.model]              # any scenario table, merged over the parent's
    name = "llama-3.1-70b"

Each workload is the scenario it ``extends`` with its own tables merged on top
(:func:`scenarios.loader.merge_tables`), validated like any scenario file. The tier
is a label with a checked meaning: ``dedicated`` pools are an owned or cloud fleet
(``fleet.ownership`` owned or cloud), ``spot`` pools a cloud fleet at spot rates
(``cloud``), ``serverless`` endpoints a managed API paid per token (``api``) or a
serverless GPU endpoint billed per second (``cloud`` with ``fleet.per_second_billing``).

``shared_factors`` lists key-path prefixes: an uncertain factor under one of them
(``power.spot_price_usd_per_mwh``) is one draw for the whole platform, the same site
and the same market for every workload; every other factor (demand, serving
efficiency, staff, API prices) is drawn for each workload on its own, so the demand
of ten models is not assumed to move as one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from scenarios.errors import ScenarioError, did_you_mean, shown
from scenarios.limits import read_toml
from scenarios.loader import merge_tables, resolve_extends
from scenarios.overrides import apply_overrides
from scenarios.plausibility import check_plausible
from scenarios.pools import Pool, build_pools
from scenarios.routes import parse_share, scaled_demand
from scenarios.scenario import Lever, Scenario
from scenarios.sources import is_file, read_scenario_file
from scenarios.validate import validate_scenario

__all__ = [
    "DEFAULT_SHARED_FACTORS",
    "TIERS",
    "Platform",
    "Workload",
    "builtin_platform_names",
    "load_platform",
]

PLATFORM_PACKAGE = "scenarios.platforms"

#: Tier: the fleet ownerships it allows (``fleet.ownership``), and what it is.
TIERS: dict[str, tuple[tuple[str, ...], str]] = {
    "dedicated": (("owned", "cloud"), "a pool of its own, owned or reserved cloud capacity"),
    "spot": (("cloud",), "cloud spot capacity with preemptions (a self-managed cluster)"),
    "serverless": (
        ("api", "cloud"),
        "a managed endpoint paid per token, or a serverless GPU endpoint billed per second "
        "(fleet.per_second_billing = 1)",
    ),
}

#: Key-path prefixes of the factors drawn once for the whole platform by default: one
#: site (power, facility) and one hardware market.
DEFAULT_SHARED_FACTORS = ("power", "facility", "hardware")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_PLATFORM_KEYS = ("name", "description", "shared_factors")
_WORKLOAD_KEYS = ("name", "tier", "extends", "route_of", "share", "pool")
MAX_WORKLOADS = 64


@dataclass(frozen=True)
class Workload:
    """One model of a platform.

    Attributes
    ----------
    name : str
        Its name in the platform (the ``workload`` coordinate of results).
    tier : str
        ``dedicated``, ``spot`` or ``serverless`` (:data:`TIERS`).
    scenario : Scenario
        The validated scenario it runs (for a route or a routed parent, with its share of
        the requests: :mod:`scenarios.routes`).
    route_of : str
        The workload whose traffic it shares ("" for none).
    share : Lever or None
        A route's share of its parent's requests (a constant is a lever whose range is
        its value); None for other workloads.
    pool : str
        The shared pool whose nodes it runs on ("" for nodes of its own;
        :mod:`scenarios.pools`).
    """

    name: str
    tier: str
    scenario: Scenario
    route_of: str = ""
    share: Lever | None = None
    pool: str = ""

    @property
    def traffic(self) -> str:
        """Whose traffic it serves: its parent's name for a route, else its own."""
        return self.route_of or self.name


@dataclass(frozen=True)
class Platform:
    """A validated platform file.

    Attributes
    ----------
    name, description : str
        From ``[platform]``.
    source : str
        The file path, or ``builtin:NAME``.
    text : str
        The file's content (provenance).
    shared_factors : tuple of str
        Key-path prefixes of the factors drawn once for all workloads.
    workloads : tuple of Workload
        In file order.
    horizon_years : float
        The horizon every workload shares, years.
    pools : tuple of scenarios.pools.Pool
        The shared pools, in order of first appearance (empty for none).
    """

    name: str
    description: str
    source: str
    text: str
    shared_factors: tuple[str, ...]
    workloads: tuple[Workload, ...]
    horizon_years: float
    pools: tuple[Pool, ...] = ()

    @property
    def sha256(self) -> str:
        """SHA-256 of the platform file's text (hex), its identity in provenance."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def tiers(self) -> list[str]:
        """The tiers used, in the order of :data:`TIERS`."""
        used = {w.tier for w in self.workloads}
        return [tier for tier in TIERS if tier in used]

    def is_shared(self, path: str) -> bool:
        """Whether the factor at ``path`` is one draw for the whole platform."""
        return any(path == p or path.startswith(p + ".") for p in self.shared_factors)


def builtin_platform_names() -> list[str]:
    """Names of the platforms shipped in the package (``scenarios/platforms/*.toml``), sorted."""
    folder = resources.files(PLATFORM_PACKAGE.split(".")[0]).joinpath("platforms")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def names_a_platform(name_or_path: str | Path | None) -> bool:
    """Whether a scenario argument names a platform: a built-in one or a file of one.

    A file is a platform when a line of it opens the ``[platform]`` table; an
    unreadable file is not (the scenario loader then reports it).
    """
    if name_or_path is None:
        return False
    if str(name_or_path) in builtin_platform_names():
        return True
    path = Path(name_or_path)
    if not is_file(path):
        return False
    try:
        text = read_scenario_file(path)
    except (OSError, ScenarioError):
        return False
    return any(line.strip() == "[platform]" for line in text.splitlines())


def _read_platform_source(name_or_path: str | Path) -> tuple[str, str]:
    path = Path(name_or_path)
    if is_file(path):
        return str(path), read_scenario_file(path)
    names = builtin_platform_names()
    name = str(name_or_path)
    if name in names:
        folder = resources.files(PLATFORM_PACKAGE.split(".")[0]).joinpath("platforms")
        return f"builtin:{name}", folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")
    raise ScenarioError(
        f"{shown(name)}: neither a platform file nor a built-in platform"
        f"{did_you_mean(name, names)}; built-in platforms: {', '.join(names)}"
    )


def load_platform(name_or_path: str | Path, overrides=(), shares=None) -> Platform:
    """Read and validate a platform file or built-in platform.

    Parameters
    ----------
    name_or_path : str or Path
        A platform TOML file, or a built-in platform name
        (:func:`builtin_platform_names`).
    overrides : sequence of str
        ``key.path=value`` assignments applied to every workload's scenario (after its
        own tables).
    shares : mapping of str to float, optional
        Route name -> its share of its parent's requests, in place of the file's base
        (a what-if: inside a share lever's range, or any value in (0, 1) for a constant).

    Returns
    -------
    Platform

    Raises
    ------
    ScenarioError
        Any bad input, naming the file, the workload, the key, the value and the fix;
        a workload's scenario errors name the workload.
    """
    source, text = _read_platform_source(name_or_path)
    raw = read_toml(text, source)
    unknown = sorted(set(raw) - {"platform", "workload"})
    if unknown:
        raise ScenarioError(
            f"{source}: unknown table {shown(unknown[0])}; a platform file holds [platform] "
            "and [[workload]] entries (scenario tables go inside a workload, e.g. "
            "[workload.model])"
        )
    head = raw.get("platform")
    if not isinstance(head, dict):
        raise ScenarioError(
            f"{source}: no [platform] table; start the file with [platform] and a name, e.g. "
            'name = "my-platform"'
        )
    for key in head:
        if key not in _PLATFORM_KEYS:
            raise ScenarioError(
                f"{source}: platform.{key}: unknown key{did_you_mean(key, _PLATFORM_KEYS)}; "
                f"[platform] takes {', '.join(_PLATFORM_KEYS)}"
            )
    name = _text(head, "name", source, "platform.name", required=True)
    description = _text(head, "description", source, "platform.description", required=False)
    shared = head.get("shared_factors", list(DEFAULT_SHARED_FACTORS))
    if not isinstance(shared, list) or not all(isinstance(p, str) and p for p in shared):
        raise ScenarioError(
            f"{source}: platform.shared_factors = {shown(shared)}: give a list of key-path "
            'prefixes, e.g. ["power", "facility", "hardware"], or [] for none'
        )
    entries = raw.get("workload")
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(
            f"{source}: no [[workload]] entries; add at least one, e.g. [[workload]] with "
            'name = "chat", tier = "dedicated", extends = "default"'
        )
    if len(entries) > MAX_WORKLOADS:
        raise ScenarioError(
            f"{source}: {len(entries)} workloads; a platform holds at most {MAX_WORKLOADS}"
        )
    workloads = _workloads(entries, source, text, tuple(overrides), dict(shares or {}))
    names = [w.name for w in workloads]
    for i, workload_name in enumerate(names):
        if workload_name in names[:i]:
            raise ScenarioError(
                f"{source}: workload {shown(workload_name)} is named twice; give each "
                "workload its own name"
            )
    horizons = {float(w.scenario.base_values()["scenario.horizon_years"]) for w in workloads}
    if len(horizons) > 1:
        by = ", ".join(
            f"{w.name} {w.scenario.base_values()['scenario.horizon_years']:g}" for w in workloads
        )
        raise ScenarioError(
            f"{source}: the workloads have different horizons (years: {by}); a platform is "
            "one plan over one horizon: set scenario.horizon_years the same in every workload"
        )
    pool_names = [entry.get("pool", "") for entry in entries]
    workloads, pools = build_pools(
        workloads,
        pool_names,
        source,
        lambda path: any(path == p or path.startswith(p + ".") for p in shared),
    )
    return Platform(
        name=name,
        description=description,
        source=source,
        text=text,
        shared_factors=tuple(shared),
        workloads=tuple(workloads),
        horizon_years=horizons.pop(),
        pools=pools,
    )


def _text(table: dict, key: str, source: str, path: str, required: bool) -> str:
    value = table.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"{source}: {path} = {shown(value)}: give a non-empty string")
    return value


def _workloads(
    entries: list, source: str, text: str, overrides: tuple[str, ...], shares: dict
) -> list:
    """Every workload in file order: the others first, then the routes, which take their
    parent's [demand]; then each part of a routed model scaled to its share."""
    built: dict[int, tuple[Workload, dict]] = {}
    routes = [i for i, e in enumerate(entries) if isinstance(e, dict) and "route_of" in e]
    for index, entry in enumerate(entries):
        if index not in routes:
            built[index] = _workload(entry, index, source, text, overrides)
    by_name = {w.name: (w, demand) for w, demand in built.values()}
    for index in routes:
        entry = entries[index]
        parent = entry["route_of"]
        where = f"{source}: workload {entry.get('name', index + 1)}"
        if parent not in by_name:
            known = sorted(by_name)
            raise ScenarioError(
                f"{where}: route_of = {shown(parent)}: no such workload (routes cannot chain)"
                f"{did_you_mean(str(parent), known)}; workloads: {', '.join(known)}"
            )
        if "demand" in entry:
            raise ScenarioError(
                f"{where}: a route serves a share of {parent}'s traffic and takes its [demand]; "
                "remove [workload.demand] here (set the split with share)"
            )
        built[index] = _workload(entry, index, source, text, overrides, demand=by_name[parent][1])
    workloads = [_with_share(built[i][0], shares, source) for i in range(len(entries))]
    unknown = sorted(set(shares) - {w.name for w in workloads if w.route_of})
    if unknown:
        routes = [w.name for w in workloads if w.route_of]
        raise ScenarioError(
            f"{source}: --share {unknown[0]}: not a route of this platform"
            f"{did_you_mean(unknown[0], routes)}; routes: {', '.join(routes) or 'none'}"
        )
    return _split_routed_demand(workloads, source)


def _with_share(workload: Workload, shares: dict, source: str) -> Workload:
    """``workload`` with its share's base replaced by ``shares[name]``, when given."""
    if workload.name not in shares or workload.share is None:
        return workload
    value = shares[workload.name]
    lever = workload.share
    where = f"{source}: --share {workload.name}={value:g}"
    if lever.low < lever.high:
        if not lever.low <= value <= lever.high:
            raise ScenarioError(
                f"{where}: outside its lever's range [{lever.low:g}, {lever.high:g}]; widen "
                "the range in the file or choose a share inside it"
            )
        lever = Lever("range", float(value), low=lever.low, high=lever.high)
    else:
        lever = parse_share(float(value), where)
    return replace(workload, share=lever)


def _split_routed_demand(workloads: list, source: str) -> list:
    """Scale each routed parent and its routes to their shares of the parent's requests."""
    routed: dict[str, list[Workload]] = {}
    for w in workloads:
        if w.route_of:
            routed.setdefault(w.route_of, []).append(w)
    if not routed:
        return workloads
    scaled = {}
    for parent_name, parts in routed.items():
        parent = next(w for w in workloads if w.name == parent_name)
        model = parent.scenario.base_values()["model.name"]
        for part in parts:
            if part.scenario.base_values()["model.name"] != model:
                raise ScenarioError(
                    f"{source}: workload {part.name}: a route serves {parent_name}'s model "
                    f"({model}), not {part.scenario.base_values()['model.name']}; set "
                    f'[workload.model] name = "{model}"'
                )
        highest = sum(part.share.high for part in parts)
        if highest >= 1.0:
            raise ScenarioError(
                f"{source}: workload {parent_name}: its routes take up to {highest:g} of its "
                f"requests ({', '.join(f'{p.name} {p.share.high:g}' for p in parts)}); "
                "the shares must add up to less than 1 so that it keeps some"
            )
        rest = 1.0 - sum(part.share.base for part in parts)
        where = f"{source}: workload {parent_name}"
        scaled[parent_name] = replace(parent, scenario=scaled_demand(parent.scenario, rest, where))
        for part in parts:
            where = f"{source}: workload {part.name}"
            scaled[part.name] = replace(
                part, scenario=scaled_demand(part.scenario, part.share.base, where)
            )
    return [scaled.get(w.name, w) for w in workloads]


def _workload(
    entry, index: int, source: str, text: str, overrides: tuple[str, ...], demand=None
) -> tuple[Workload, dict]:
    """One workload entry validated, and its resolved [demand] table (for its routes).

    ``demand`` is a route's parent's [demand] table, merged over the route's own tables.
    """
    where = f"{source}: workload {index + 1}"
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where}: not a table; write each as [[workload]] with its keys")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ScenarioError(
            f"{where}: name = {shown(name)}: give a name of letters, digits, '-', '_' or '.' "
            '(at most 64), e.g. name = "chat-8b"'
        )
    where = f"{source}: workload {name}"
    tier = entry.get("tier")
    if tier not in TIERS:
        raise ScenarioError(
            f"{where}: tier = {shown(tier)}: choose one of {', '.join(TIERS)}"
            f"{did_you_mean(str(tier), list(TIERS))}"
        )
    parent = entry.get("extends")
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            f"{where}: extends = {shown(parent)}: give the scenario this workload runs, a "
            'built-in name or a file, e.g. extends = "default"'
        )
    for key, value in entry.items():
        if key not in _WORKLOAD_KEYS and not isinstance(value, dict):
            raise ScenarioError(
                f"{where}: {key} = {shown(value)}: a workload takes name, tier, extends and "
                f"scenario tables such as [workload.model]; put {key} inside its table"
            )
    raw = {
        key: value
        for key, value in entry.items()
        if key not in ("name", "tier", "route_of", "share", "pool")
    }
    # The scenario's name is the workload's, so provenance and messages say which one.
    raw = merge_tables(raw, {"scenario": {"name": name}})
    # The workload's scenario text for provenance: the platform file, marked with the
    # workload, plus (from resolve_extends) a line per parent with its hash.
    scenario_source = where if source.startswith("builtin:") else source
    try:
        raw, workload_text = resolve_extends(raw, f"{text}\n# workload {name}\n", source)
        if demand is not None:
            raw = merge_tables(raw, {"demand": demand})
        raw = apply_overrides(raw, overrides, scenario_source)
        scenario = validate_scenario(raw, workload_text, where, overrides)
    except ScenarioError as error:
        message = str(error)
        if not message.startswith(where):
            message = f"{where}: {message}"
        raise ScenarioError(message) from None
    check_plausible(scenario)
    ownership = scenario.base_values().get("fleet.ownership")
    allowed, meaning = TIERS[tier]
    if ownership not in allowed:
        raise ScenarioError(
            f"{where}: tier {tier} ({meaning}) needs fleet.ownership {' or '.join(allowed)}, "
            f"but the scenario has {shown(ownership)}; change the tier or set "
            "[workload.fleet] ownership"
        )
    per_second = float(scenario.base_values().get("fleet.per_second_billing", 0.0)) > 0.5
    if tier == "serverless" and ownership == "cloud" and not per_second:
        raise ScenarioError(
            f"{where}: tier serverless on a cloud fleet is a serverless GPU endpoint; set "
            '[workload.fleet] per_second_billing = 1 (or extends = "serving-serverless-gpu"), '
            "or put the workload on the dedicated or spot tier"
        )
    if tier != "serverless" and per_second:
        raise ScenarioError(
            f"{where}: fleet.per_second_billing = 1 is a serverless GPU endpoint; put the "
            "workload on tier serverless"
        )
    share = None
    if "route_of" in entry:
        if "share" not in entry:
            raise ScenarioError(
                f"{where}: a route needs its share of {entry['route_of']}'s requests, e.g. "
                "share = 0.3"
            )
        share = parse_share(entry["share"], where)
    elif "share" in entry:
        raise ScenarioError(
            f'{where}: share applies to a route; add route_of = "PARENT" (the workload whose '
            "traffic this one takes a share of)"
        )
    workload = Workload(
        name=name, tier=tier, scenario=scenario, route_of=entry.get("route_of", ""), share=share
    )
    return workload, dict(raw.get("demand", {}))
