"""The assumptions behind a result: every lever and factor with its range, unit and source.

The scenario TOML stored in a result's attributes is the source of truth: it is parsed
again with :func:`scenarios.loader.parse_scenario`. A key's source is the comment its
author wrote above it or beside it in the file; its meaning comes from the schema; the
figures of the catalog entries the scenario uses carry their own sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scenarios.schema import CATEGORICAL_BY_PATH, FIELDS_BY_PATH

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"]+)\s*=")

# Accelerator figures in SI units -> (label, divisor, human unit).
HARDWARE_FIGURES = (
    ("peak_bf16_flops", "BF16 dense peak", 1e12, "TFLOP/s"),
    ("peak_fp8_flops", "FP8 dense peak", 1e12, "TFLOP/s"),
    ("memory_bytes", "memory", 1e9, "GB"),
    ("memory_bandwidth_bytes_per_s", "memory bandwidth", 1e12, "TB/s"),
    ("board_power_w", "board power", 1.0, "W"),
    ("purchase_price_usd_low", "purchase price, low", 1.0, "USD"),
    ("purchase_price_usd_high", "purchase price, high", 1.0, "USD"),
    ("cloud_usd_per_hour_low", "cloud rate, low", 1.0, "USD/h"),
    ("cloud_usd_per_hour_high", "cloud rate, high", 1.0, "USD/h"),
)


@dataclass(frozen=True)
class Assumption:
    """One input of a scenario as a report shows it.

    Attributes
    ----------
    path : str
        Dotted key path, e.g. ``"power.hedge_share"``.
    kind : {"lever", "factor", "constant"}
        Decision lever, uncertain factor or fixed value.
    specification : str
        The range, choices or distribution (``ScenarioInput.describe``).
    unit : str
        Unit of the values ("" for categories).
    meaning : str
        What the key means (from :mod:`scenarios.schema`).
    source : str
        The scenario file's comment on the key ("" when it has none).
    """

    path: str
    kind: str
    specification: str
    unit: str
    meaning: str
    source: str


@dataclass(frozen=True)
class CatalogFigure:
    """One figure of a catalog entry used by the scenario.

    Attributes
    ----------
    entry : str
        Catalog name (accelerator or model).
    figure : str
        What the figure is.
    value : str
        The value with its unit.
    source : str
        Source and date.
    """

    entry: str
    figure: str
    value: str
    source: str


def _strip_inline_comment(line: str) -> tuple[str, str]:
    """Split a TOML line into code and comment, ignoring ``#`` inside strings."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:i], line[i + 1 :].strip()
    return line, ""


def toml_comments(text: str) -> dict[str, str]:
    """Comments attached to each key of a TOML document.

    A key's comment is the block of ``#`` lines directly above it (no blank line in
    between) followed by its inline comment.

    Parameters
    ----------
    text : str
        TOML content.

    Returns
    -------
    dict of str to str
        Dotted key path -> comment text (lines joined by spaces); keys without a
        comment are absent. ``""`` maps to the file's opening comment block.
    """
    comments: dict[str, str] = {}
    section = ""
    block: list[str] = []
    preamble_done = False
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#"):
            block.append(stripped.lstrip("#").strip())
            continue
        if not stripped:
            if block and not preamble_done:
                comments[""] = " ".join(block)
                preamble_done = True
            block = []
            continue
        preamble_done = True
        code, inline = _strip_inline_comment(raw)
        header = _HEADER.match(code)
        if header:
            section = header.group(1).replace('"', "")
            block = []
            continue
        key = _KEY.match(code)
        if key:
            name = key.group(1).replace('"', "")
            path = f"{section}.{name}" if section else name
            # "# tokens: from the catalog" above another key speaks of the absent key.
            named = block[0].split(":", 1)[0].strip() if block and ":" in block[0] else ""
            if named and named != name and f"{section}.{named}" in FIELDS_BY_PATH:
                comments[f"{section}.{named}"] = " ".join(block)
                block = []
            text_parts = [*block, inline] if inline else block
            if text_parts:
                comments[path] = " ".join(text_parts)
        block = []
    return comments


def scenario_from_attrs(attrs) -> tuple[object | None, str]:
    """Parse the scenario stored in a result's attributes again.

    Parameters
    ----------
    attrs : mapping
        Result attributes with ``scenario_toml`` (and optionally ``scenario_source``,
        ``scenario_overrides``, ``scenario_sha256``).

    Returns
    -------
    scenario : scenarios.scenario.Scenario or None
        The parsed scenario, or None when the result stores no scenario text.
    note : str
        Why the scenario could not be rebuilt, or a caveat about it ("" if none).
    """
    from scenarios.errors import ScenarioError
    from scenarios.loader import parse_scenario

    text = attrs.get("scenario_toml")
    if not text:
        return None, "this result does not store the scenario file"
    source = str(attrs.get("scenario_source", "scenario"))
    overrides = [s for s in str(attrs.get("scenario_overrides", "")).split("\n") if s]
    try:
        scenario = parse_scenario(str(text), source, overrides)
    except ScenarioError as exc:
        return None, f"the stored scenario no longer validates: {exc}"
    expected = attrs.get("scenario_sha256")
    if expected and scenario.sha256 != expected:
        return scenario, (
            "the stored hash does not match the scenario file plus recorded overrides; "
            "the result was made with --set overrides it does not record, so the table "
            "shows the file without them"
        )
    return scenario, ""


def _meaning(path: str) -> str:
    if path in FIELDS_BY_PATH:
        return FIELDS_BY_PATH[path].help
    if path in CATEGORICAL_BY_PATH:
        return CATEGORICAL_BY_PATH[path].help
    return ""


def assumptions(scenario, include_constants: bool = False) -> list[Assumption]:
    """Levers and uncertain factors of a scenario (and optionally its explicit constants).

    Parameters
    ----------
    scenario : scenarios.scenario.Scenario
        A validated scenario.
    include_constants : bool
        Also list the constants the scenario file sets explicitly (schema defaults
        are left out).

    Returns
    -------
    list of Assumption
        Levers first, then factors, then constants, each in schema order.
    """
    comments = toml_comments(scenario.text)
    overridden = {s.split("=", 1)[0].strip() for s in scenario.overrides}
    kinds = ("lever", "factor", "constant") if include_constants else ("lever", "factor")
    rows = []
    for kind in kinds:
        for item in scenario.inputs.values():
            if item.kind != kind or (kind == "constant" and not item.explicit):
                continue
            source = comments.get(item.path, "")
            if item.path in overridden:
                source = f"set on the command line (--set); {source}".rstrip("; ")
            rows.append(
                Assumption(
                    path=item.path,
                    kind=kind,
                    specification=item.describe(),
                    unit=item.unit,
                    meaning=_meaning(item.path),
                    source=source,
                )
            )
    return rows


def _used_names(scenario, paths: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    for path in paths:
        item = scenario.inputs.get(path)
        if item is None:
            continue
        for name in item.categories:
            if name != "same" and name not in names:
                names.append(str(name))
    return names


def catalog_figures(scenario) -> list[CatalogFigure]:
    """Figures of the catalog entries (accelerators, models) the scenario can use.

    Parameters
    ----------
    scenario : scenarios.scenario.Scenario
        A validated scenario (its catalogs include the file's additions).

    Returns
    -------
    list of CatalogFigure
        Every accelerator that ``hardware.accelerator`` or ``training.accelerator``
        can take, with its figures in human units; every model ``model.name`` can
        take, with its parameter counts and source.
    """
    rows = []
    for name in _used_names(scenario, ("hardware.accelerator", "training.accelerator")):
        acc = scenario.hardware.get(name)
        if acc is None:
            continue
        for field, label, divisor, unit in HARDWARE_FIGURES:
            value = getattr(acc, field) / divisor
            rows.append(
                CatalogFigure(name, label, f"{value:,.4g} {unit}", acc.sources.get(field, ""))
            )
    for name in _used_names(scenario, ("model.name",)):
        arch = scenario.models.get(name)
        if arch is None:
            continue
        figures = [
            ("parameters (total)", f"{arch.params_total / 1e9:,.4g} billion"),
            ("parameters (active per token)", f"{arch.params_active / 1e9:,.4g} billion"),
            ("layers", f"{arch.n_layers}"),
            ("KV values per token per layer", f"{arch.kv_values_per_token_per_layer}"),
        ]
        if arch.training_tokens:
            figures.append(("pre-training tokens", f"{arch.training_tokens / 1e12:,.4g} trillion"))
        rows.extend(CatalogFigure(name, label, value, arch.source) for label, value in figures)
    return rows
