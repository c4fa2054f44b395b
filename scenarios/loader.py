"""Read, override and validate scenario files into :class:`Scenario` objects.

A scenario file is TOML. Every numeric key (see :mod:`scenarios.schema`) takes

- a number: a constant;
- ``{dist = "...", ...}``: an uncertain factor (any family of :mod:`distributions`);
- ``{lever = "range", low = ..., high = ..., base = ...}`` or
  ``{lever = "choice", choices = [...], base = ...}``: a decision lever.

Categorical keys (``model.name``, ``hardware.accelerator``, ``fleet.ownership``,
``training.accelerator``, ``training.ownership``) take a string, a choice lever or
a choice distribution. ``[catalog.hardware.NAME]`` and ``[catalog.models.NAME]``
add or override catalog entries. Every error is a :class:`ScenarioError` naming
the file, the key path, the value and the fix.
"""

from __future__ import annotations

import copy
import hashlib
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from distributions import Distribution, from_spec
from distributions.copula import prepare_copula
from scenarios import catalog as cat
from scenarios.correlations import MATRIX_KEY, PAIR_KEY, parse_correlations
from scenarios.errors import ScenarioError, did_you_mean
from scenarios.schema import (
    CATEGORICAL_BY_PATH,
    FIELDS_BY_PATH,
    SECTIONS,
    TABLE_KEYS,
    TEXT_KEYS,
    NumericField,
)

BUILTIN_PACKAGE = "scenarios.builtin"
DEFAULT_SCENARIO = "default"
OWNERSHIP = ("owned", "cloud")
# Quantiles whose values must lie in a field's domain for a distribution to be accepted.
SUPPORT_CHECK_QUANTILES = (1e-9, 1.0 - 1e-9)


@dataclass(frozen=True)
class Lever:
    """A planner's decision: a range or a list of choices, with a base value.

    Attributes
    ----------
    kind : {"range", "choice"}
        Continuous range or discrete choices.
    low, high : float or None
        Range ends (range levers).
    choices : tuple or None
        Allowed values (choice levers); numbers or category names.
    base : float or str
        The value used when the lever is not being varied.
    """

    kind: str
    base: float | str
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None

    def describe(self) -> str:
        """Short text such as ``"lever 0.4..0.9 (base 0.6)"``."""
        if self.kind == "range":
            return f"lever {self.low:g}..{self.high:g} (base {_fmt(self.base)})"
        listed = ", ".join(_fmt(c) for c in self.choices)
        return f"lever [{listed}] (base {_fmt(self.base)})"


@dataclass(frozen=True)
class ScenarioInput:
    """One input of a scenario with its kind and specification.

    Attributes
    ----------
    path : str
        Dotted key path, e.g. ``"power.hedge_share"``.
    kind : {"constant", "factor", "lever"}
        Fixed value, uncertain factor or decision lever.
    categorical : bool
        Whether values are category names (accelerator, model, ownership).
    value : float or str or None
        The constant's value.
    distribution : Distribution or None
        The factor's distribution.
    lever : Lever or None
        The lever's specification.
    unit : str
        Unit of numeric values ("" for categorical ones).
    explicit : bool
        Whether the scenario file (or ``--set``) gave it; False for schema defaults.
    """

    path: str
    kind: str
    categorical: bool
    value: float | str | None = None
    distribution: Distribution | None = None
    lever: Lever | None = None
    unit: str = ""
    explicit: bool = True

    @property
    def categories(self) -> tuple:
        """The category names a categorical input can take (in index order)."""
        if self.kind == "constant":
            return (self.value,)
        if self.kind == "lever":
            return self.lever.choices
        return tuple(self.distribution.categories)

    def base_value(self) -> float | str:
        """Value at the base case: constants as given, levers at base, factors at their median.

        For a choice distribution the median is the category at cumulative probability 0.5.
        """
        if self.kind == "constant":
            return self.value
        if self.kind == "lever":
            return self.lever.base
        median = float(self.distribution.ppf(0.5))
        if self.categorical:
            return self.categories[int(median)]
        return median

    def describe(self) -> str:
        """How the input is specified, for tables and reports."""
        if self.kind == "constant":
            return _fmt(self.value)
        if self.kind == "lever":
            return self.lever.describe()
        return self.distribution.describe()


@dataclass
class Scenario:
    """A validated scenario: every input resolved, catalogs merged.

    Attributes
    ----------
    name, description : str
        From ``[scenario]``.
    source : str
        File path or ``builtin:NAME``.
    text : str
        The scenario file's content (provenance).
    overrides : tuple of str
        ``--set`` assignments applied on top of the file.
    inputs : dict of str to ScenarioInput
        Every key of the schema, defaults included, by path.
    hardware : dict of str to Accelerator
        The hardware catalog with the scenario's additions and overrides.
    models : dict of str to ModelArch
        The model catalog with the scenario's additions and overrides.
    copula : distributions.copula.Copula or None
        Rank correlations between uncertain factors (``[[correlation]]``), if any.
    """

    name: str
    description: str
    source: str
    text: str
    overrides: tuple[str, ...]
    inputs: dict[str, ScenarioInput]
    hardware: dict[str, Any] = field(repr=False)
    models: dict[str, Any] = field(repr=False)
    copula: Any = field(default=None, repr=False)
    _base: dict | None = field(default=None, init=False, repr=False, compare=False)
    cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """SHA-256 of the file content and the overrides (hex)."""
        digest = hashlib.sha256(self.text.encode())
        for item in self.overrides:
            digest.update(b"\0" + item.encode())
        return digest.hexdigest()

    def levers(self) -> list[ScenarioInput]:
        """Inputs that are decision levers, in schema order."""
        return [i for i in self.inputs.values() if i.kind == "lever"]

    def factors(self) -> list[ScenarioInput]:
        """Inputs that are uncertain factors, in schema order."""
        return [i for i in self.inputs.values() if i.kind == "factor"]

    def base_values(self) -> dict[str, float | str]:
        """Every input at its base value (levers at base, factors at their median).

        Computed once (a median costs an inverse-CDF set-up) and returned as a copy.
        """
        if self._base is None:
            self._base = {path: item.base_value() for path, item in self.inputs.items()}
        return dict(self._base)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ---------------------------------------------------------------- finding and reading files


def builtin_names() -> list[str]:
    """Names of the scenarios shipped inside the package, sorted.

    Returns
    -------
    list of str
        File stems of ``scenarios/builtin/*.toml``.
    """
    folder = resources.files(BUILTIN_PACKAGE.split(".")[0]).joinpath("builtin")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_text(name: str) -> str:
    """Content of a built-in scenario file.

    Parameters
    ----------
    name : str
        Built-in scenario name (file stem).

    Returns
    -------
    str
        The TOML text.
    """
    folder = resources.files(BUILTIN_PACKAGE.split(".")[0]).joinpath("builtin")
    return folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")


def read_scenario_source(name_or_path: str | Path | None) -> tuple[str, str]:
    """Find a scenario by file path or built-in name and return ``(source, text)``.

    Parameters
    ----------
    name_or_path : str, Path or None
        An existing TOML file, a built-in name, or None for the default scenario.

    Returns
    -------
    source : str
        The path, or ``builtin:NAME``.
    text : str
        The file content.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    path = Path(name_or_path)
    if path.is_file():
        try:
            return str(path), path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: cannot read the scenario file: {exc}") from exc
    name = str(name_or_path)
    names = builtin_names()
    if name in names:
        return f"builtin:{name}", builtin_text(name)
    if path.suffix == ".toml" or path.parent != Path("."):
        raise ScenarioError(
            f"{name}: no such scenario file (built-in scenarios: {', '.join(names)})"
        )
    raise ScenarioError(
        f"{name}: neither a scenario file nor a built-in scenario{did_you_mean(name, names)}; "
        f"built-in scenarios: {', '.join(names)} (see `tco scenarios`)"
    )


def load_scenario(
    name_or_path: str | Path | None = None, overrides: Sequence[str] = ()
) -> Scenario:
    """Read, override and validate a scenario.

    Parameters
    ----------
    name_or_path : str, Path or None
        A TOML file, a built-in scenario name, or None for the default scenario.
    overrides : sequence of str
        ``key.path=value`` assignments (TOML values; bare words are strings).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        On any bad input, naming the file, key path, value and fix.
    """
    source, text = read_scenario_source(name_or_path)
    return parse_scenario(text, source, overrides)


def parse_scenario(text: str, source: str, overrides: Sequence[str] = ()) -> Scenario:
    """Validate scenario TOML text (see :func:`load_scenario`).

    Parameters
    ----------
    text : str
        TOML content.
    source : str
        Name used in error messages (file path or ``builtin:NAME``).
    overrides : sequence of str
        ``key.path=value`` assignments.

    Returns
    -------
    Scenario
        The validated scenario.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from exc
    raw = apply_overrides(raw, overrides, source)
    return _validate(raw, text, source, tuple(overrides))


# ---------------------------------------------------------------- overrides


def parse_assignment(assignment: str, source: str = "--set") -> tuple[str, Any]:
    """Split ``key.path=value`` and parse the value as TOML (bare words become strings).

    Parameters
    ----------
    assignment : str
        For example ``power.hedge_share=0.8`` or ``hardware.accelerator=B200``.
    source : str
        Name used in error messages.

    Returns
    -------
    tuple of (str, object)
        The key path and the parsed value.
    """
    key, sep, value_text = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(
            f"{source} {assignment!r}: expected key.path=value, e.g. --set power.hedge_share=0.8"
        )
    value_text = value_text.strip()
    try:
        value = tomllib.loads(f"v = {value_text}")["v"]
    except tomllib.TOMLDecodeError:
        if not value_text or any(ch in value_text for ch in "{}[]=\"'"):
            raise ScenarioError(
                f"{source} {assignment!r}: {value_text!r} is not a TOML value; quote strings "
                'and write tables inline, e.g. power.hedge_share={lever="range", low=0, '
                "high=1, base=0.5}"
            ) from None
        value = value_text
    return key, value


def apply_overrides(raw: dict, overrides: Sequence[str], source: str) -> dict:
    """Return a copy of the parsed file with ``--set`` assignments applied.

    A path may name a key (replacing its whole specification) or a parameter inside
    a key's table (``power.hedge_share.base=0.3``).

    Parameters
    ----------
    raw : dict
        The parsed TOML.
    overrides : sequence of str
        ``key.path=value`` assignments.
    source : str
        Scenario name for error messages.

    Returns
    -------
    dict
        The updated document.
    """
    doc = copy.deepcopy(raw)
    known = [*FIELDS_BY_PATH, *CATEGORICAL_BY_PATH, *TEXT_KEYS]
    for assignment in overrides:
        key, value = parse_assignment(assignment)
        parts = key.split(".")
        field_path = ".".join(parts[:2])
        is_catalog = parts[0] == "catalog" and len(parts) >= 4
        if field_path not in known and not is_catalog:
            raise ScenarioError(
                f"--set {key}: unknown key{did_you_mean(key, known)}; "
                "keys are listed in docs/scenario.md"
            )
        node = doc
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, dict):
                inner = ".".join(parts[: depth + 1])
                raise ScenarioError(
                    f"--set {key}: {source}: {inner} is {child!r}, not a table; "
                    f"set the whole key instead, e.g. --set {inner}=VALUE"
                )
            node = child
        node[parts[-1]] = value
    return doc


# ---------------------------------------------------------------- validation


def _validate(raw: dict, text: str, source: str, overrides: tuple[str, ...]) -> Scenario:
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
    _check_required(inputs, models, source)

    copula = _correlations(raw, inputs, source)

    meta = raw.get("scenario", {})
    for key in ("name", "description"):
        if key in meta and not isinstance(meta[key], str):
            raise ScenarioError(
                f"{source}: scenario.{key} = {meta[key]!r}: must be a string; quote it"
            )
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
                f"{source}: {section} = {body!r}: must be a table, e.g. [{section}]"
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
        base = dict(cat.load_hardware_catalog())
        merge, build = cat.merge_accelerator, cat.accelerator_from_table
    else:
        base = dict(cat.load_model_catalog())
        merge, build = cat.merge_model, cat.model_from_table
    tables = raw.get("catalog", {}).get(kind, {})
    if not isinstance(tables, dict):
        raise ScenarioError(f"{source}: catalog.{kind} must be a table of named entries")
    for name, table in tables.items():
        where = f"{source}: catalog.{kind}.{name}"
        if not isinstance(table, dict):
            raise ScenarioError(f"{where} = {table!r}: must be a table of figures")
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
            raise ScenarioError(f"{where} = {spec!r}: choice values must be numbers here")
        for q in SUPPORT_CHECK_QUANTILES:
            value = float(dist.ppf(q))
            if not spec_field.contains(value):
                raise ScenarioError(
                    f"{where} = {dist.describe()}: its {q:.0e} quantile {value:g} lies outside "
                    f"the valid domain {spec_field.domain()} ({spec_field.unit}); use a bounded "
                    "family (truncnormal, pert, triangular, uniform, beta) or lognormal for "
                    "positive values"
                )
        return ScenarioInput(path, "factor", False, distribution=dist, unit=spec_field.unit)
    raise ScenarioError(
        f"{where} = {spec!r}: expected a number ({spec_field.unit}), a distribution "
        '{dist = "pert", low = ..., mode = ..., high = ...} or a lever '
        '{lever = "range", low = ..., high = ..., base = ...}'
    )


def _check_in_domain(spec_field: NumericField, value: Any, where: str, spec: Any) -> None:
    if not _is_number(value):
        raise ScenarioError(
            f"{where} = {spec!r}: {value!r} is not a number; give a value in {spec_field.unit}"
        )
    if not spec_field.contains(float(value)):
        raise ScenarioError(
            f"{where} = {spec!r}: {value!r} is outside the valid domain {spec_field.domain()} "
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
        raise ScenarioError(f'{where}: lever = {kind!r}: must be "range" or "choice"{hint}')
    for key in spec:
        if key not in allowed:
            raise ScenarioError(
                f"{where}: unknown lever key {key!r}{did_you_mean(key, allowed)}; a {kind} lever "
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
                raise ScenarioError(f"{where}: lever {key} = {value!r}: must be a number")
        if not low < high:
            raise ScenarioError(
                f"{where}: lever low = {low!r} must be < high = {high!r}; swap them"
            )
        if not low <= base <= high:
            raise ScenarioError(
                f"{where}: lever base = {base!r} must lie in [low, high] = [{low!r}, {high!r}]"
            )
        return Lever("range", float(base), low=float(low), high=float(high))
    choices = spec["choices"]
    if not isinstance(choices, list) or not choices:
        raise ScenarioError(f"{where}: lever choices = {choices!r}: must be a non-empty list")
    if numeric:
        bad = [c for c in choices if not _is_number(c)]
        if bad:
            raise ScenarioError(f"{where}: lever choices {bad!r} are not numbers")
        choices = [float(c) for c in choices]
    elif not all(isinstance(c, str) for c in choices):
        raise ScenarioError(f"{where}: lever choices = {choices!r}: must be names (strings)")
    if len(set(choices)) != len(choices):
        raise ScenarioError(f"{where}: lever choices = {choices!r}: repeated values")
    base = spec["base"]
    if numeric and _is_number(base):
        base = float(base)
    if base not in choices:
        raise ScenarioError(
            f"{where}: lever base = {spec['base']!r} is not one of the choices {spec['choices']!r}"
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
            raise ScenarioError(f"{where} = {spec!r}: choice values must be names (strings)")
        return ScenarioInput(path, "factor", True, distribution=dist)
    raise ScenarioError(
        f"{where} = {spec!r}: expected a name (string), a choice lever "
        '{lever = "choice", choices = [...], base = "..."} or {dist = "choice", values = [...]}'
    )


def _check_categories(inputs: dict, hardware: dict, models: dict, source: str) -> None:
    allowed: dict[str, Sequence[str]] = {
        "model.name": sorted(models),
        "hardware.accelerator": sorted(hardware),
        "fleet.ownership": OWNERSHIP,
        "training.accelerator": ["same", *sorted(hardware)],
        "training.ownership": ["same", *OWNERSHIP],
    }
    for path, names in allowed.items():
        item = inputs[path]
        for value in item.categories:
            if value not in names:
                hint = did_you_mean(value, names)
                raise ScenarioError(
                    f"{source}: {path} = {value!r} is not known{hint}; choose one of "
                    f"{', '.join(names)}"
                    + (
                        " or add it under [catalog.hardware.NAME]"
                        if "accelerator" in path
                        else " or add it under [catalog.models.NAME]"
                        if path == "model.name"
                        else ""
                    )
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
