"""Turn a parsed scenario file into a :class:`~scenarios.scenario.Scenario`.

Checks every key against :mod:`scenarios.schema` (unknown keys, required keys,
domains), resolves each numeric and categorical input into a constant, an
uncertain factor or a lever, merges the file's catalog entries into the packaged
catalogs, and builds the rank-correlation copula. The accepted forms are listed
in :mod:`scenarios.loader`. Every error is a :class:`ScenarioError` naming the
file, the key path, the value and the fix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from distributions import from_spec
from distributions.copula import U_MAX, U_MIN, prepare_copula
from scenarios.catalog import load_hardware_catalog, load_model_catalog
from scenarios.catalog_entries import (
    accelerator_from_table,
    merge_accelerator,
    merge_model,
    model_from_table,
)
from scenarios.correlations import MATRIX_KEY, PAIR_KEY, parse_correlations
from scenarios.errors import ScenarioError, did_you_mean, shown
from scenarios.limits import MAX_FACTOR_MAGNITUDE, check_name
from scenarios.scenario import Lever, Scenario, ScenarioInput
from scenarios.schema import (
    CATEGORICAL_BY_PATH,
    FIELDS_BY_PATH,
    SECTIONS,
    TABLE_KEYS,
    TEXT_KEYS,
    NumericField,
)

OWNERSHIP = ("owned", "cloud")
# The inference side may also be bought per token from a managed API.
FLEET_OWNERSHIP = (*OWNERSHIP, "api")
# Quantiles whose values must lie in a field's domain for a distribution to be accepted.
SUPPORT_CHECK_QUANTILES = (1e-9, 1.0 - 1e-9)


def validate_scenario(raw: dict, text: str, source: str, overrides: tuple[str, ...]) -> Scenario:
    """Check a parsed scenario file and resolve it into a Scenario.

    Parameters
    ----------
    raw : dict
        The parsed TOML, ``--set`` overrides already applied.
    text : str
        The file's content, kept for provenance.
    source : str
        Name used in error messages (file path or ``builtin:NAME``).
    overrides : tuple of str
        The ``--set`` assignments that were applied, kept for provenance.

    Returns
    -------
    Scenario
        Every schema key resolved (defaults included), catalogs merged, correlations
        turned into a copula.

    Raises
    ------
    ScenarioError
        On any bad input, naming the file, key path, value and fix.
    """
    _reject_unknown_keys(raw, source)
    hardware = _merge_catalog(raw, "hardware", source)
    models = _merge_catalog(raw, "models", source)

    inputs: dict[str, ScenarioInput] = {}
    for path, spec_field in FIELDS_BY_PATH.items():
        section, key = path.split(".")
        spec = raw.get(section, {}).get(key)
        if spec is None:
            if spec_field.default is None:
                continue  # filled below where another source exists, else reported
            inputs[path] = ScenarioInput(
                path,
                "constant",
                False,
                value=spec_field.default,
                unit=spec_field.unit,
                explicit=False,
            )
            continue
        inputs[path] = _numeric_input(spec_field, spec, source)

    for path, cat_field in CATEGORICAL_BY_PATH.items():
        section, key = path.split(".")
        spec = raw.get(section, {}).get(key)
        if spec is None:
            if cat_field.default is None:
                raise ScenarioError(
                    f"{source}: {path} is required: {cat_field.help}; e.g. "
                    f"{_example_for(path, hardware, models)}"
                )
            inputs[path] = ScenarioInput(
                path, "constant", True, value=cat_field.default, explicit=False
            )
            continue
        inputs[path] = _categorical_input(path, spec, source)

    _check_categories(inputs, hardware, models, source)
    _check_precisions(inputs, hardware, source)
    _check_api_prices(inputs, source)
    _check_commitment(inputs, source)
    _check_nodes(inputs, source)
    _check_required(inputs, models, source)

    copula = _correlations(raw, inputs, source)

    meta = raw.get("scenario", {})
    for key in ("name", "description"):
        if key in meta and not isinstance(meta[key], str):
            raise ScenarioError(
                f"{source}: scenario.{key} = {shown(meta[key])}: must be a string; quote it"
            )
    if "name" in meta:
        # One printable line: it becomes a table title, a file name and a result attribute.
        check_name(meta["name"], f"{source}: scenario.name")
    default_name = Path(source.removeprefix("builtin:")).stem
    ordered = {p: inputs[p] for p in [*CATEGORICAL_BY_PATH, *FIELDS_BY_PATH] if p in inputs}
    return Scenario(
        name=meta.get("name", default_name),
        description=meta.get("description", ""),
        source=source,
        text=text,
        overrides=overrides,
        inputs=ordered,
        hardware=hardware,
        models=models,
        copula=copula,
    )


def _correlations(raw: dict, inputs: dict, source: str):
    # Only continuous uncertain factors can be correlated; order follows the schema.
    factor_paths = [
        path
        for path in [*CATEGORICAL_BY_PATH, *FIELDS_BY_PATH]
        if path in inputs
        and inputs[path].kind == "factor"
        and not inputs[path].categorical
        and inputs[path].distribution.categories is None
    ]
    parsed = parse_correlations(raw, factor_paths, source)
    if parsed is None:
        return None
    names, spearman = parsed
    try:
        return prepare_copula(spearman, names, f"{source}: correlations", repair=True)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from exc


def _reject_unknown_keys(raw: dict, source: str) -> None:
    for section, body in raw.items():
        if section in (PAIR_KEY, MATRIX_KEY):
            continue  # validated by scenarios.correlations
        if section not in SECTIONS:
            raise ScenarioError(
                f"{source}: unknown section [{section}]"
                f"{did_you_mean(section, [*SECTIONS, PAIR_KEY, MATRIX_KEY])}; "
                f"sections are {', '.join(SECTIONS)}, [[{PAIR_KEY}]] and [{MATRIX_KEY}]"
            )
        if not isinstance(body, dict):
            raise ScenarioError(
                f"{source}: {section} = {shown(body)}: must be a table, e.g. [{section}]"
            )
        if section == "catalog":
            for key in body:
                if f"catalog.{key}" not in TABLE_KEYS:
                    raise ScenarioError(
                        f"{source}: unknown table [catalog.{key}]"
                        f"{did_you_mean(key, ['hardware', 'models'])}; use [catalog.hardware.NAME] "
                        "or [catalog.models.NAME]"
                    )
            continue
        known = [
            p.split(".")[1]
            for p in [*FIELDS_BY_PATH, *CATEGORICAL_BY_PATH, *TEXT_KEYS]
            if p.startswith(section + ".")
        ]
        for key in body:
            if key not in known:
                raise ScenarioError(
                    f"{source}: unknown key {section}.{key}{did_you_mean(key, known)}; "
                    f"[{section}] takes {', '.join(sorted(known))}"
                )


def _merge_catalog(raw: dict, kind: str, source: str) -> dict:
    if kind == "hardware":
        base = dict(load_hardware_catalog())
        merge, build = merge_accelerator, accelerator_from_table
    else:
        base = dict(load_model_catalog())
        merge, build = merge_model, model_from_table
    tables = raw.get("catalog", {}).get(kind, {})
    if not isinstance(tables, dict):
        raise ScenarioError(f"{source}: catalog.{kind} must be a table of named entries")
    for name, table in tables.items():
        where = f"{source}: catalog.{kind}.{name}"
        if not isinstance(table, dict):
            raise ScenarioError(f"{where} = {shown(table)}: must be a table of figures")
        try:
            base[name] = (
                merge(base[name], table, where) if name in base else build(name, table, where)
            )
        except ScenarioError:
            raise
        except ValueError as exc:
            raise ScenarioError(str(exc)) from exc
    return base


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric_input(spec_field: NumericField, spec: Any, source: str) -> ScenarioInput:
    path = spec_field.path
    where = f"{source}: {path}"
    if _is_number(spec):
        _check_in_domain(spec_field, spec, where, spec)
        return ScenarioInput(path, "constant", False, value=float(spec), unit=spec_field.unit)
    if isinstance(spec, dict) and "lever" in spec:
        lever = _parse_lever(spec, where, numeric=True)
        values = (lever.low, lever.high) if lever.kind == "range" else lever.choices
        for value in values:
            _check_in_domain(spec_field, value, where, spec)
        return ScenarioInput(path, "lever", False, lever=lever, unit=spec_field.unit)
    if isinstance(spec, dict) and "dist" in spec:
        try:
            dist = from_spec(spec, where)
        except ValueError as exc:
            raise ScenarioError(str(exc)) from exc
        if dist.categories is not None and not all(_is_number(c) for c in dist.categories):
            raise ScenarioError(f"{where} = {shown(spec)}: choice values must be numbers here")
        for q in SUPPORT_CHECK_QUANTILES:
            value = float(dist.ppf(q))
            if not spec_field.contains(value):
                raise ScenarioError(
                    f"{where} = {dist.describe()}: its {q:.0e} quantile {value:g} lies outside "
                    f"the valid domain {spec_field.domain()} ({spec_field.unit}); use a bounded "
                    "family (truncnormal, pert, triangular, uniform, beta) or lognormal for "
                    "positive values"
                )
        _check_storable(dist, where)
        return ScenarioInput(path, "factor", False, distribution=dist, unit=spec_field.unit)
    raise ScenarioError(
        f"{where} = {shown(spec)}: expected a number ({spec_field.unit}), a distribution "
        '{dist = "pert", low = ..., mode = ..., high = ...} or a lever '
        '{lever = "range", low = ..., high = ..., base = ...}'
    )


def _check_storable(dist, where: str) -> None:
    # A factor's draws are stored per sample as float32 by default: a draw beyond
    # 3.4e38 became inf in the file (and a RuntimeWarning), whatever its sample's flag.
    for u in (U_MIN, U_MAX):  # the most extreme uniforms the engine draws
        value = float(dist.ppf(u))
        if not abs(value) < MAX_FACTOR_MAGNITUDE:
            raise ScenarioError(
                f"{where} = {dist.describe()}: draws values up to {value:g} (its "
                f"{'1 - 2^-53' if u > 0.5 else '2.2e-308'} quantile); "
                f"a sampled factor must stay below {MAX_FACTOR_MAGNITUDE:.3g} in magnitude, "
                "the float32 range of result files (docs/scenario.md, Limits): narrow it"
            )


def _check_in_domain(spec_field: NumericField, value: Any, where: str, spec: Any) -> None:
    if not _is_number(value):
        raise ScenarioError(
            f"{where} = {shown(spec)}: {shown(value)} is not a number; give a value in "
            f"{spec_field.unit}"
        )
    if not spec_field.contains(float(value)):
        raise ScenarioError(
            f"{where} = {shown(spec)}: {shown(value)} is outside the valid domain "
            f"{spec_field.domain()} "
            f"({spec_field.unit}: {spec_field.help})"
        )


def _parse_lever(spec: dict, where: str, numeric: bool) -> Lever:
    kind = spec["lever"]
    if kind == "range":
        allowed = {"lever", "low", "high", "base"}
    elif kind == "choice":
        allowed = {"lever", "choices", "base"}
    else:
        hint = did_you_mean(str(kind), ["range", "choice"])
        raise ScenarioError(f'{where}: lever = {shown(kind)}: must be "range" or "choice"{hint}')
    for key in spec:
        if key not in allowed:
            raise ScenarioError(
                f"{where}: unknown lever key {shown(key)}{did_you_mean(key, allowed)}; "
                f"a {kind} lever "
                f"takes {', '.join(sorted(allowed - {'lever'}))}"
            )
    for key in sorted(allowed - {"lever"}):
        if key not in spec:
            example = (
                '{lever = "range", low = 0.4, high = 0.9, base = 0.6}'
                if kind == "range"
                else '{lever = "choice", choices = ["H100", "B200"], base = "H100"}'
            )
            raise ScenarioError(f"{where}: {kind} lever needs '{key}', e.g. {example}")
    if kind == "range":
        if not numeric:
            raise ScenarioError(f"{where}: a categorical key takes a choice lever, not a range")
        low, high, base = spec["low"], spec["high"], spec["base"]
        for key, value in (("low", low), ("high", high), ("base", base)):
            if not _is_number(value):
                raise ScenarioError(f"{where}: lever {key} = {shown(value)}: must be a number")
        if not low < high:
            raise ScenarioError(
                f"{where}: lever low = {shown(low)} must be < high = {shown(high)}; swap them"
            )
        if not low <= base <= high:
            raise ScenarioError(
                f"{where}: lever base = {shown(base)} must lie in [low, high] = "
                f"[{shown(low)}, {shown(high)}]"
            )
        return Lever("range", float(base), low=float(low), high=float(high))
    choices = spec["choices"]
    if not isinstance(choices, list) or not choices:
        raise ScenarioError(f"{where}: lever choices = {shown(choices)}: must be a non-empty list")
    if numeric:
        bad = [c for c in choices if not _is_number(c)]
        if bad:
            raise ScenarioError(f"{where}: lever choices {shown(bad)} are not numbers")
        choices = [float(c) for c in choices]
    elif not all(isinstance(c, str) for c in choices):
        raise ScenarioError(f"{where}: lever choices = {shown(choices)}: must be names (strings)")
    if len(set(choices)) != len(choices):
        raise ScenarioError(f"{where}: lever choices = {shown(choices)}: repeated values")
    base = spec["base"]
    if numeric and _is_number(base):
        base = float(base)
    if base not in choices:
        raise ScenarioError(
            f"{where}: lever base = {shown(spec['base'])} is not one of the choices "
            f"{shown(spec['choices'])}"
        )
    return Lever("choice", base, choices=tuple(choices))


def _categorical_input(path: str, spec: Any, source: str) -> ScenarioInput:
    where = f"{source}: {path}"
    if isinstance(spec, str):
        return ScenarioInput(path, "constant", True, value=spec)
    if isinstance(spec, dict) and "lever" in spec:
        return ScenarioInput(path, "lever", True, lever=_parse_lever(spec, where, numeric=False))
    if isinstance(spec, dict) and spec.get("dist") == "choice":
        try:
            dist = from_spec(spec, where)
        except ValueError as exc:
            raise ScenarioError(str(exc)) from exc
        if not dist.categories or not all(isinstance(c, str) for c in dist.categories):
            raise ScenarioError(f"{where} = {shown(spec)}: choice values must be names (strings)")
        return ScenarioInput(path, "factor", True, distribution=dist)
    raise ScenarioError(
        f"{where} = {shown(spec)}: expected a name (string), a choice lever "
        '{lever = "choice", choices = [...], base = "..."} or {dist = "choice", values = [...]}'
    )


def _check_categories(inputs: dict, hardware: dict, models: dict, source: str) -> None:
    allowed: dict[str, Sequence[str]] = {
        "model.name": sorted(models),
        "hardware.accelerator": sorted(hardware),
        "fleet.ownership": FLEET_OWNERSHIP,
        "training.accelerator": ["same", *sorted(hardware)],
        "fleet.refresh_accelerator": ["same", *sorted(hardware)],
        "training.ownership": ["same", *OWNERSHIP],
    }
    for path, names in allowed.items():
        item = inputs[path]
        for value in item.categories:
            if value not in names:
                hint = did_you_mean(value, names)
                raise ScenarioError(
                    f"{source}: {path} = {shown(value)} is not known{hint}; choose one of "
                    f"{', '.join(names)}"
                    + (
                        " or add it under [catalog.hardware.NAME]"
                        if "accelerator" in path
                        else " or add it under [catalog.models.NAME]"
                        if path == "model.name"
                        else ""
                    )
                )


# Math paths: the catalog field that says a chip has the path, and its name.
_PATHS = {
    4.0: ("peak_fp4_flops", "FP4", "fp4_dense_tflops"),
    8.0: ("peak_fp8_flops", "FP8", "fp8_dense_tflops"),
}


def _check_api_prices(inputs: dict, source: str) -> None:
    """A managed-API fleet needs its token prices: all of them at 0 is a missing key."""
    if "api" not in inputs["fleet.ownership"].categories:
        return
    priced = [p for p in ("api.input_usd_per_1m", "api.output_usd_per_1m") if inputs[p].explicit]
    if len(priced) < 2:
        missing = [p for p in ("api.input_usd_per_1m", "api.output_usd_per_1m") if p not in priced]
        raise ScenarioError(
            f'{source}: fleet.ownership = "api" needs the API\'s prices; {", ".join(missing)} '
            "not given. Add e.g. [api] input_usd_per_1m = 0.4, output_usd_per_1m = 0.6 "
            "(USD per 1M tokens; docs/scenario.md)"
        )


def _check_nodes(inputs: dict, source: str) -> None:
    """``fleet.node_accelerators`` is a fixed server size: a whole power of two, for a fleet
    of self-run replicas (a managed API or a per-second endpoint has no nodes of yours)."""
    field = inputs["fleet.node_accelerators"]
    if not field.explicit:
        return
    if field.kind == "factor" or (field.kind == "lever" and field.lever.kind != "choice"):
        raise ScenarioError(
            f"{source}: fleet.node_accelerators must be a constant or a choice lever (the "
            "server size is a decision, not an uncertainty), e.g. node_accelerators = 8 or "
            '{ lever = "choice", choices = [1, 8], base = 8 }'
        )
    nodes = [float(field.value)] if field.kind == "constant" else list(field.lever.choices)
    for node in nodes:
        if node < 1.0 or node != 2.0 ** round(math.log2(node)):
            raise ScenarioError(
                f"{source}: fleet.node_accelerators = {node:g}: must be a power of two from 1 "
                "to 64 (replicas of 1, 2, 4 or 8 accelerators fill a node exactly), e.g. 8"
            )
    if max(nodes) == 1.0:
        return
    if inputs["fleet.ownership"].categories == ("api",):
        raise ScenarioError(
            f"{source}: fleet.node_accelerators = {node:g}, but the fleet is a managed API "
            "(no nodes of yours); remove the key or set fleet.ownership"
        )
    node = max(nodes)
    per_second = inputs["fleet.per_second_billing"]
    if per_second.kind != "constant" or per_second.value:
        raise ScenarioError(
            f"{source}: fleet.node_accelerators = {node:g} with fleet.per_second_billing: a "
            "serverless endpoint bills accelerator-seconds, not nodes; remove one of them"
        )


def _check_commitment(inputs: dict, source: str) -> None:
    """Committed capacity and per-second billing are a cloud's: set for a fleet that never
    rents they are keys that cannot mean what the user wrote, and together a contradiction."""
    ownership = inputs["fleet.ownership"].categories
    used = {
        path: inputs[path].explicit
        and not (inputs[path].kind == "constant" and not inputs[path].value)
        for path in ("fleet.committed_accelerators", "fleet.per_second_billing")
    }
    for path, what in (
        ("fleet.committed_accelerators", "reserves cloud capacity"),
        ("fleet.per_second_billing", "bills a cloud endpoint per second"),
    ):
        if used[path] and "cloud" not in ownership:
            raise ScenarioError(
                f"{source}: {path} {what}, but the fleet is {', '.join(ownership)}; set "
                'fleet.ownership = "cloud" or remove the key'
            )
    if all(used.values()):
        raise ScenarioError(
            f"{source}: fleet.committed_accelerators and fleet.per_second_billing exclude "
            "each other: a serverless endpoint billed per second has no reserved capacity; "
            "remove one of them"
        )


def _check_precisions(inputs: dict, hardware: dict, source: str) -> None:
    """A precision asked for explicitly that no accelerator of the scenario has is an error.

    When only some accelerators of a lever lack the path, those fall back to the next
    wider one (docs/model.md, "Precision"); when all of them lack it, the key cannot
    mean what the user wrote.
    """
    serving = inputs["hardware.accelerator"].categories
    training = inputs["training.accelerator"].categories
    if "same" in training:
        training = [*serving, *(t for t in training if t != "same")]
    checks = (
        ("serving.compute_bits", serving, "omit it to follow model.weight_bits"),
        ("training.precision_bits", training, "use precision_bits = 16"),
    )
    for path, accelerators, fix in checks:
        item = inputs[path]
        if not item.explicit or item.kind != "constant" or not item.value:
            continue
        bits = 4.0 if item.value <= 4.0 else 8.0 if item.value <= 8.0 else None
        if bits is None or (path == "training.precision_bits" and bits == 4.0):
            continue
        field, label, key = _PATHS[bits]
        lacking = [a for a in dict.fromkeys(accelerators) if getattr(hardware[a], field) <= 0]
        if lacking and len(lacking) == len(set(accelerators)):
            having = sorted(n for n, a in hardware.items() if getattr(a, field) > 0)
            raise ScenarioError(
                f"{source}: {path} = {item.value:g} asks for the {label} math path, which "
                f"{', '.join(lacking)} lack(s) (catalog {key} = 0); {fix}, or choose an "
                f"accelerator with {label}: {', '.join(having)}"
            )


def _check_required(inputs: dict, models: dict, source: str) -> None:
    for path, spec_field in FIELDS_BY_PATH.items():
        if path in inputs:
            continue
        if path == "training.tokens":
            lacking = [
                m for m in inputs["model.name"].categories if models[m].training_tokens is None
            ]
            if not lacking:
                continue  # taken from the model catalog, per sample
            raise ScenarioError(
                f"{source}: training.tokens is required because model(s) "
                f"{', '.join(lacking)} have no training_tokens in the catalog; e.g. "
                "[training] tokens = 15e12"
            )
        raise ScenarioError(
            f"{source}: {path} is required ({spec_field.unit}: {spec_field.help}); e.g. "
            f"[{path.split('.')[0]}] {path.split('.')[1]} = ..."
        )


def _example_for(path: str, hardware: dict, models: dict) -> str:
    section, key = path.split(".")
    if path == "model.name":
        return f'[{section}] {key} = "{sorted(models)[0]}"'
    if path == "hardware.accelerator":
        return f'[{section}] {key} = "H100"'
    return f'[{section}] {key} = "..."'


def is_finite_number(value: Any) -> bool:
    """Whether ``value`` is a finite int or float (not bool)."""
    return _is_number(value) and math.isfinite(value)
