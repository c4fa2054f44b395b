"""Catalog entries: the Accelerator and ModelArch dataclasses, and one entry from a TOML table.

The packaged catalogs and the scenario files give each entry in human units, each
figure with its source and date. This module validates one such table and turns it
into a frozen dataclass in SI units, or merges a partial table into an existing
entry (a scenario's ``[catalog.hardware.NAME]`` or ``[catalog.models.NAME]``).

Every input error is a :class:`ValueError` whose message names where the table
came from, the key, the bad value and the fix, e.g.
``"hardware.toml: H100.memory_gb = -80: must be > 0 (memory in decimal GB)"``.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from distributions.messages import shown

__all__ = [
    "Accelerator",
    "ModelArch",
    "accelerator_from_table",
    "merge_accelerator",
    "merge_model",
    "model_from_table",
]


# --------------------------------------------------------------------------- #
# Data classes
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Accelerator:
    """One accelerator (GPU) of the hardware catalog, in SI units.

    Attributes
    ----------
    name : str
        Catalog name, e.g. ``"H100"``.
    long_name : str
        Full product name.
    vendor : str
        Vendor, e.g. ``"NVIDIA"``.
    peak_bf16_flops : float
        Dense (no 2:4 sparsity) BF16 tensor peak, FLOP/s.
    peak_fp8_flops : float
        Dense FP8 tensor peak, FLOP/s; 0 when the chip has no FP8 tensor path.
    memory_bytes : float
        Usable device memory, bytes.
    memory_bandwidth_bytes_per_s : float
        Peak device-memory bandwidth, bytes/s.
    board_power_w : float
        Board or module power limit (TDP), W.
    purchase_price_usd_low, purchase_price_usd_high : float
        Range of the purchase price per accelerator, $.
    cloud_usd_per_hour_low, cloud_usd_per_hour_high : float
        Range of the cloud rental rate, $ per GPU-hour.
    peak_fp4_flops : float
        Dense FP4 (NVFP4 / MXFP4) tensor peak, FLOP/s; 0 when there is no FP4 path.
    scale_up_size : int
        Accelerators in one scale-up domain (NVLink or Infinity Fabric: 8 in an
        HGX/OAM node, 72 in a GB200 NVL72 rack); replicas larger than this cross
        the scale-out network.
    scale_up_link_bytes_per_s : float
        Scale-up (NVLink / Infinity Fabric) bandwidth per accelerator, one way, B/s;
        0 when not given (tensor-parallel all-reduces then cost only their latency).
    compute_efficiency_low, compute_efficiency_high : float
        Range of the serving software's achieved FLOP/s relative to the reference
        stack (H100 with TensorRT-LLM = 1): multiplies the scenario's decode and
        prefill MFU. A newer part or a less mature stack reaches a lower share of
        its peak.
    bandwidth_efficiency_low, bandwidth_efficiency_high : float
        The same for achieved memory bandwidth (multiplies the decode MBU).
    training_efficiency_low, training_efficiency_high : float
        The same for training MFU (reference: H100 at the Llama 3 runs' MFU = 1).
    sources : dict[str, str]
        Field name -> ``"source (date)"`` for every figure above.
    """

    name: str
    long_name: str
    vendor: str
    peak_bf16_flops: float
    peak_fp8_flops: float
    memory_bytes: float
    memory_bandwidth_bytes_per_s: float
    board_power_w: float
    purchase_price_usd_low: float
    purchase_price_usd_high: float
    cloud_usd_per_hour_low: float
    cloud_usd_per_hour_high: float
    peak_fp4_flops: float = 0.0
    scale_up_size: float = 8.0
    scale_up_link_bytes_per_s: float = 0.0
    compute_efficiency_low: float = 1.0
    compute_efficiency_high: float = 1.0
    bandwidth_efficiency_low: float = 1.0
    bandwidth_efficiency_high: float = 1.0
    training_efficiency_low: float = 1.0
    training_efficiency_high: float = 1.0
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def purchase_price_usd(self) -> float:
        """Typical purchase price per accelerator, $: midpoint of low and high."""
        return 0.5 * (self.purchase_price_usd_low + self.purchase_price_usd_high)

    @property
    def cloud_usd_per_hour(self) -> float:
        """Typical cloud rate, $ per GPU-hour: midpoint of low and high."""
        return 0.5 * (self.cloud_usd_per_hour_low + self.cloud_usd_per_hour_high)


@dataclass(frozen=True)
class ModelArch:
    """Architecture of one model of the model catalog.

    Attributes
    ----------
    name : str
        Catalog name, e.g. ``"llama-3.1-70b"``.
    long_name : str
        Full model name.
    params_total : float
        Total parameter count (all experts for a mixture of experts).
    params_active : float
        Parameters used per token; equals ``params_total`` for a dense model.
    n_layers, n_heads, n_kv_heads, head_dim, hidden_size : int
        Transformer shape as in the checkpoint's ``config.json``.
    max_context_tokens : int
        Longest context the model supports, tokens.
    kv_values_per_token_per_layer : int
        Values held in the KV cache per token per layer (``2 * n_kv_heads *
        head_dim`` for multi-head or grouped-query attention).
    training_tokens : float or None
        Pre-training tokens, where published.
    source : str
        Source and date of the figures.
    attention_dim : int
        Width of attention per layer for FLOP counting, ``n_heads * head_dim`` for
        multi-head and grouped-query attention (larger for DeepSeek's MLA, whose
        absorbed attention works on 576-wide latent vectors per head).
    moe_experts, moe_experts_per_token : int
        Routed experts per MoE layer and experts each token is routed to (0, 0 for a
        dense model).
    moe_routed_params : float
        Parameters in all routed experts of all layers (0 for a dense model): the
        weights a decode step reads only for the experts its batch touches.
    """

    name: str
    long_name: str
    params_total: float
    params_active: float
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    hidden_size: int
    max_context_tokens: int
    kv_values_per_token_per_layer: int
    training_tokens: float | None
    source: str
    attention_dim: int = 0
    moe_experts: int = 0
    moe_experts_per_token: int = 0
    moe_routed_params: float = 0.0

    def kv_bytes_per_token(self, kv_bits: float | np.ndarray) -> float | np.ndarray:
        """KV-cache bytes one token occupies across all layers.

        Parameters
        ----------
        kv_bits : float or ndarray
            Bits per cached value (16 for BF16/FP16, 8 for FP8), > 0.

        Returns
        -------
        float or ndarray
            ``n_layers * kv_values_per_token_per_layer * kv_bits / 8``, bytes per token.
        """
        _check_bits(kv_bits, "kv_bits")
        return self.n_layers * self.kv_values_per_token_per_layer * kv_bits / 8

    def weight_bytes(self, weight_bits: float | np.ndarray) -> float | np.ndarray:
        """Bytes taken by all weights (every expert of a mixture of experts).

        Parameters
        ----------
        weight_bits : float or ndarray
            Bits per weight (16, 8, 4, or a fractional average such as 4.5), > 0.

        Returns
        -------
        float or ndarray
            ``params_total * weight_bits / 8``, bytes.
        """
        _check_bits(weight_bits, "weight_bits")
        return self.params_total * weight_bits / 8


def _check_bits(bits: float | np.ndarray, label: str) -> None:
    arr = np.asarray(bits, dtype=float)
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{label} = {bits!r}: must be finite and > 0 (bits per value)")


# --------------------------------------------------------------------------- #
# Field specifications
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Figure:
    """One numeric hardware figure: TOML key -> dataclass field(s) and unit."""

    key: str
    attrs: tuple[str, ...]  # one attribute for a value, (low, high) for a range
    scale: float  # multiply the file's human unit by this to get SI
    unit: str  # human unit, for error messages
    allow_zero: bool = False
    optional: bool = False  # absent from a new entry: the dataclass default


_HW_FIGURES: tuple[_Figure, ...] = (
    _Figure("bf16_dense_tflops", ("peak_bf16_flops",), 1e12, "dense BF16 peak in TFLOP/s"),
    _Figure(
        "fp8_dense_tflops",
        ("peak_fp8_flops",),
        1e12,
        "dense FP8 peak in TFLOP/s; 0 when the chip has no FP8 path",
        allow_zero=True,
    ),
    _Figure("memory_gb", ("memory_bytes",), 1e9, "memory in decimal GB"),
    _Figure("memory_bandwidth_tbps", ("memory_bandwidth_bytes_per_s",), 1e12, "bandwidth in TB/s"),
    _Figure("board_power_w", ("board_power_w",), 1.0, "board power in W"),
    _Figure(
        "purchase_price_usd",
        ("purchase_price_usd_low", "purchase_price_usd_high"),
        1.0,
        "$ per accelerator",
    ),
    _Figure(
        "cloud_usd_per_gpu_hour",
        ("cloud_usd_per_hour_low", "cloud_usd_per_hour_high"),
        1.0,
        "$ per GPU-hour",
    ),
    _Figure(
        "fp4_dense_tflops",
        ("peak_fp4_flops",),
        1e12,
        "dense FP4 peak in TFLOP/s; 0 when the chip has no FP4 path",
        allow_zero=True,
        optional=True,
    ),
    _Figure(
        "scale_up_domain",
        ("scale_up_size",),
        1.0,
        "accelerators in one NVLink / Infinity Fabric domain",
        optional=True,
    ),
    _Figure(
        "scale_up_bandwidth_gbps",
        ("scale_up_link_bytes_per_s",),
        1e9,
        "scale-up link bandwidth per accelerator, one way, GB/s (half the bidirectional figure)",
        allow_zero=True,
        optional=True,
    ),
    _Figure(
        "serving_compute_efficiency",
        ("compute_efficiency_low", "compute_efficiency_high"),
        1.0,
        "achieved serving FLOP/s relative to H100 + TensorRT-LLM (1 = the same share of peak)",
        optional=True,
    ),
    _Figure(
        "serving_bandwidth_efficiency",
        ("bandwidth_efficiency_low", "bandwidth_efficiency_high"),
        1.0,
        "achieved decode bandwidth relative to H100 + TensorRT-LLM",
        optional=True,
    ),
    _Figure(
        "training_compute_efficiency",
        ("training_efficiency_low", "training_efficiency_high"),
        1.0,
        "achieved training MFU relative to the H100 reference runs",
        optional=True,
    ),
)
_HW_STRINGS = ("long_name", "vendor")
_HW_KEYS = (*_HW_STRINGS, *(f.key for f in _HW_FIGURES), "note")
_VALUE_KEYS = ("value", "source", "date", "note")
_RANGE_KEYS = ("low", "high", "source", "date", "note")

_MODEL_INTS = (
    "n_layers",
    "n_heads",
    "n_kv_heads",
    "head_dim",
    "hidden_size",
    "max_context_tokens",
)
_MODEL_REQUIRED = ("long_name", "params_total", *_MODEL_INTS, "source")
_MODEL_OPTIONAL = (
    "params_active",
    "kv_values_per_token_per_layer",
    "training_tokens",
    "attention_dim",
    "moe_experts",
    "moe_experts_per_token",
    "moe_routed_params",
    "date",
    "note",
)
_MODEL_KEYS = (*_MODEL_REQUIRED, *_MODEL_OPTIONAL)


# --------------------------------------------------------------------------- #
# Small validation helpers
# --------------------------------------------------------------------------- #


def _fmt(value: Any) -> str:
    """Show a value as the user wrote it in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and abs(value) >= 1e6:
        return f"{value:.6g}"  # 2e+10 reads better than 20000000000.0
    if isinstance(value, int | float):
        return str(value)
    return shown(value)  # strings quoted; long lists and deep tables shortened


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _reject_unknown(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            # TOML reads a bare dotted name such as [llama-3.1-8b] as nested tables.
            dotted = (
                '; a name containing dots must be quoted in TOML, e.g. ["llama-3.1-8b"]'
                if isinstance(table[key], Mapping)
                else ""
            )
            raise ValueError(
                f"{where}.{key}: unknown key; {_did_you_mean(key, allowed)}"
                f"allowed keys: {', '.join(allowed)}{dotted}"
            )


def _number(value: Any, label: str, unit: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite number > 0 (or >= 0)."""
    # bool is an int subclass; `true` in a TOML file is never a meant number.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{label} = {_fmt(value)}: must be a number ({unit})")
    if not math.isfinite(value):
        raise ValueError(f"{label} = {_fmt(value)}: must be finite ({unit})")
    if allow_zero and value < 0:
        raise ValueError(f"{label} = {_fmt(value)}: must be >= 0 ({unit})")
    if not allow_zero and value <= 0:
        raise ValueError(f"{label} = {_fmt(value)}: must be > 0 ({unit})")
    return float(value)


def _integer(value: Any, label: str, unit: str) -> int:
    """Return ``value`` as a positive int; integral floats (``8.192e3``) are accepted."""
    number = _number(value, label, unit)
    if number != int(number):
        raise ValueError(f"{label} = {_fmt(value)}: must be a whole number ({unit})")
    return int(number)


def _string(value: Any, label: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{label} = {_fmt(value)}: must be a non-empty string ({what})")
    return value


def _require(table: Mapping[str, Any], keys: tuple[str, ...], where: str, hint: str) -> None:
    missing = [key for key in keys if key not in table]
    if missing:
        raise ValueError(f"{where}: missing required key(s) {', '.join(missing)} ({hint})")


def _source_text(table: Mapping[str, Any], label: str, require_sources: bool) -> str | None:
    """Check the ``source``/``date`` strings of a figure table; return "source (date)"."""
    for key in ("source", "date", "note"):
        if key in table:
            _string(table[key], f"{label}.{key}", f"the figure's {key}")
    if require_sources:
        missing = [key for key in ("source", "date") if key not in table]
        if missing:
            raise ValueError(
                f"{label}: missing {' and '.join(missing)}; every catalog figure needs "
                'source = "..." and date = "YYYY-MM"'
            )
    if "source" not in table:
        return None
    return f"{table['source']} ({table['date']})" if "date" in table else table["source"]


# --------------------------------------------------------------------------- #
# Hardware
# --------------------------------------------------------------------------- #


def _parse_figure(
    fig: _Figure, raw: Any, where: str, require_sources: bool
) -> tuple[dict[str, float], str | None]:
    """Parse one hardware figure into SI values keyed by attribute, and its source."""
    label = f"{where}.{fig.key}"
    is_range = len(fig.attrs) == 2
    if isinstance(raw, Mapping):
        allowed = _RANGE_KEYS if is_range else _VALUE_KEYS
        _reject_unknown(raw, allowed, label)
        needed = ("low", "high") if is_range else ("value",)
        _require(raw, needed, label, f"give {' and '.join(needed)} in {fig.unit}")
        source = _source_text(raw, label, require_sources)
        numbers = [raw[k] for k in needed]
    else:
        if require_sources:
            raise ValueError(
                f"{label} = {_fmt(raw)}: the packaged catalog needs a table "
                f"{{{'low = ..., high = ...' if is_range else 'value = ...'}, "
                'source = "...", date = "..."}'
            )
        source = None
        if is_range and isinstance(raw, list):
            if len(raw) != 2:
                raise ValueError(
                    f"{label} = {_fmt(raw)}: give [low, high], a single number, "
                    f"or {{low = ..., high = ...}} ({fig.unit})"
                )
            numbers = list(raw)
        else:
            # A plain number for a range means a known, certain price: low = high.
            numbers = [raw, raw] if is_range else [raw]
    names = ("low", "high") if is_range else ("value",)
    values = [
        _number(
            num,
            f"{label}.{n}" if is_range and isinstance(raw, Mapping | list) else label,
            fig.unit,
            allow_zero=fig.allow_zero,
        )
        for num, n in zip(numbers, names, strict=True)
    ]
    if is_range and values[0] > values[1]:
        raise ValueError(
            f"{label} = {{low = {_fmt(numbers[0])}, high = {_fmt(numbers[1])}}}: "
            f"low must be <= high ({fig.unit}); swap them"
        )
    return {attr: v * fig.scale for attr, v in zip(fig.attrs, values, strict=True)}, source


def _build_accelerator(
    name: str,
    table: Mapping[str, Any],
    where: str,
    base: Accelerator | None,
    require_sources: bool,
) -> Accelerator:
    if not isinstance(table, Mapping):
        raise ValueError(
            f"{where} = {_fmt(table)}: must be a table of accelerator figures "
            f"(keys: {', '.join(_HW_KEYS)})"
        )
    _reject_unknown(table, _HW_KEYS, where)
    if base is None:
        _require(
            table,
            (*_HW_STRINGS, *(f.key for f in _HW_FIGURES if not f.optional)),
            where,
            "a new accelerator needs every figure; to change some figures of a catalog "
            "accelerator, use its catalog name",
        )
        values: dict[str, Any] = {"name": name}
        sources: dict[str, str] = {}
    else:
        values = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
        values["name"] = name
        sources = dict(base.sources)
    if "note" in table:
        _string(table["note"], f"{where}.note", "a free-text note")
    for key in _HW_STRINGS:
        if key in table:
            values[key] = _string(table[key], f"{where}.{key}", key.replace("_", " "))
    for fig in _HW_FIGURES:
        if fig.key not in table:
            continue
        parsed, source = _parse_figure(fig, table[fig.key], where, require_sources)
        values.update(parsed)
        for attr in fig.attrs:
            sources[attr] = source if source is not None else f"user value, {where}"
    values["sources"] = sources
    return Accelerator(**values)


def accelerator_from_table(
    name: str, table: Mapping[str, Any], where: str, *, require_sources: bool = False
) -> Accelerator:
    """Parse one accelerator table (catalog file or scenario file) into an Accelerator.

    Parameters
    ----------
    name : str
        Catalog name of the accelerator, e.g. ``"H100"``.
    table : Mapping
        The TOML table, in human units: ``long_name``, ``vendor``,
        ``bf16_dense_tflops`` (TFLOP/s), ``fp8_dense_tflops`` (TFLOP/s, 0 if none),
        ``memory_gb`` (decimal GB), ``memory_bandwidth_tbps`` (TB/s),
        ``board_power_w`` (W), ``purchase_price_usd`` ($ per accelerator) and
        ``cloud_usd_per_gpu_hour`` ($ per GPU-hour); optional ``note``. A value
        figure is a plain number or ``{value, source, date, note}``; a range figure
        is a number (low = high), ``[low, high]`` or ``{low, high, source, date,
        note}``.
    where : str
        Where the table came from, for error messages, e.g.
        ``"scenario.toml: hardware.catalog.MYGPU"``.
    require_sources : bool, optional
        Demand ``source`` and ``date`` on every figure (the packaged catalog does).

    Returns
    -------
    Accelerator
        The accelerator in SI units.

    Raises
    ------
    ValueError
        On an unknown or missing key, a non-numeric, non-finite or non-positive
        figure, or a range with low > high.
    """
    return _build_accelerator(name, table, where, None, require_sources)


def merge_accelerator(base: Accelerator, overrides: Mapping[str, Any], where: str) -> Accelerator:
    """Return ``base`` with the figures given in ``overrides`` replaced.

    Parameters
    ----------
    base : Accelerator
        The catalog entry to start from.
    overrides : Mapping
        A partial accelerator table in the units and forms accepted by
        :func:`accelerator_from_table`; only the keys present are changed.
    where : str
        Where the overrides came from, for error messages.

    Returns
    -------
    Accelerator
        A new accelerator; figures not overridden keep their value and source.

    Raises
    ------
    ValueError
        As :func:`accelerator_from_table`.
    """
    return _build_accelerator(base.name, overrides, where, base, require_sources=False)


# --------------------------------------------------------------------------- #
# Models
# --------------------------------------------------------------------------- #


def _build_model(
    name: str,
    table: Mapping[str, Any],
    where: str,
    base: ModelArch | None,
    require_sources: bool,
) -> ModelArch:
    if not isinstance(table, Mapping):
        raise ValueError(
            f"{where} = {_fmt(table)}: must be a table of model figures "
            f"(keys: {', '.join(_MODEL_KEYS)})"
        )
    _reject_unknown(table, _MODEL_KEYS, where)
    if base is None:
        required = (*_MODEL_REQUIRED, "date") if require_sources else _MODEL_REQUIRED
        _require(
            table,
            required,
            where,
            "a new model needs its full architecture; to change some figures of a "
            "catalog model, use its catalog name",
        )
    label = f"{where}."
    values: dict[str, Any] = (
        {"name": name} if base is None else {**dataclasses.asdict(base), "name": name}
    )
    if "long_name" in table:
        values["long_name"] = _string(table["long_name"], label + "long_name", "model name")
    for key in ("date", "note"):
        if key in table:
            _string(table[key], label + key, f"the model's {key}")
    if "params_total" in table:
        values["params_total"] = _number(
            table["params_total"], label + "params_total", "parameter count, e.g. 70.6e9"
        )
    if "params_active" in table:
        values["params_active"] = _number(
            table["params_active"], label + "params_active", "parameters per token, e.g. 37e9"
        )
    elif base is None or base.params_active == base.params_total:
        # Dense by default, and a dense base stays dense when only its size changes.
        values["params_active"] = values["params_total"]
    for key in _MODEL_INTS:
        if key in table:
            values[key] = _integer(table[key], label + key, "a positive whole number")
    if "kv_values_per_token_per_layer" in table:
        values["kv_values_per_token_per_layer"] = _integer(
            table["kv_values_per_token_per_layer"],
            label + "kv_values_per_token_per_layer",
            "cached values per token per layer, e.g. 576 for DeepSeek-V3 MLA",
        )
    elif base is None or base.kv_values_per_token_per_layer == 2 * base.n_kv_heads * base.head_dim:
        # The default follows the attention shape unless the base set its own count (MLA).
        values["kv_values_per_token_per_layer"] = 2 * values["n_kv_heads"] * values["head_dim"]
    if "training_tokens" in table:
        values["training_tokens"] = _number(
            table["training_tokens"], label + "training_tokens", "pre-training tokens, e.g. 15.6e12"
        )
    elif base is None:
        values["training_tokens"] = None
    _model_moe_and_attention(values, table, label, base)
    if "source" in table:
        source = _string(table["source"], label + "source", "where the figures come from")
        values["source"] = f"{source} ({table['date']})" if "date" in table else source
    elif base is not None and len(table) > 0:
        values["source"] = f"{base.source}; overridden in {where}"

    if values["params_active"] > values["params_total"]:
        raise ValueError(
            f"{label}params_active = {_fmt(values['params_active'])}: must be <= "
            f"params_total = {_fmt(values['params_total'])} (active parameters per token "
            "cannot exceed the total)"
        )
    if values["n_kv_heads"] > values["n_heads"]:
        raise ValueError(
            f"{label}n_kv_heads = {values['n_kv_heads']}: must be <= n_heads = "
            f"{values['n_heads']} (grouped-query attention shares KV heads)"
        )
    return ModelArch(**values)


def _model_moe_and_attention(values: dict, table: Mapping[str, Any], label: str, base) -> None:
    """Attention width and mixture-of-experts figures, checked against each other."""
    if "attention_dim" in table:
        values["attention_dim"] = _integer(
            table["attention_dim"], label + "attention_dim", "attention width per layer"
        )
    elif base is None or base.attention_dim == base.n_heads * base.head_dim:
        values["attention_dim"] = values["n_heads"] * values["head_dim"]
    for key in ("moe_experts", "moe_experts_per_token"):
        if key in table:
            number = _number(
                table[key], label + key, "a whole number, 0 for a dense model", allow_zero=True
            )
            if number != int(number):
                raise ValueError(f"{label}{key} = {_fmt(table[key])}: must be a whole number")
            values[key] = int(number)
        elif base is None:
            values[key] = 0
    if "moe_routed_params" in table:
        values["moe_routed_params"] = _number(
            table["moe_routed_params"],
            label + "moe_routed_params",
            "parameters in all routed experts, 0 for a dense model",
            allow_zero=True,
        )
    elif base is None:
        values["moe_routed_params"] = 0.0
    experts, per_token = values["moe_experts"], values["moe_experts_per_token"]
    routed = values["moe_routed_params"]
    if experts == 0 and per_token == 0 and routed == 0:
        return
    fix = (
        "give all three of moe_experts (routed experts per layer), moe_experts_per_token "
        "and moe_routed_params (their parameters in all layers), or none for a dense model"
    )
    if not (experts > 0 and 0 < per_token <= experts and 0 < routed <= values["params_total"]):
        raise ValueError(
            f"{label}moe_experts = {experts}, moe_experts_per_token = {per_token}, "
            f"moe_routed_params = {_fmt(routed)}: inconsistent; {fix} (0 < per token <= "
            "experts, routed <= params_total)"
        )
    implied = values["params_total"] - routed + routed * per_token / experts
    if abs(implied - values["params_active"]) > 0.05 * values["params_active"]:
        raise ValueError(
            f"{label}params_active = {_fmt(values['params_active'])}: the MoE figures imply "
            f"{_fmt(implied)} active parameters (params_total - moe_routed_params + "
            "moe_routed_params * moe_experts_per_token / moe_experts); make them agree "
            "within 5%"
        )


def model_from_table(
    name: str, table: Mapping[str, Any], where: str, *, require_sources: bool = False
) -> ModelArch:
    """Parse one model table (catalog file or scenario file) into a ModelArch.

    Parameters
    ----------
    name : str
        Catalog name of the model, e.g. ``"llama-3.1-70b"``.
    table : Mapping
        The TOML table: ``long_name``, ``params_total`` (count), ``n_layers``,
        ``n_heads``, ``n_kv_heads``, ``head_dim``, ``hidden_size``,
        ``max_context_tokens`` (tokens) and ``source`` are required; optional are
        ``params_active`` (count, default ``params_total``),
        ``kv_values_per_token_per_layer`` (default ``2 * n_kv_heads * head_dim``),
        ``training_tokens`` (tokens), ``date`` and ``note``.
    where : str
        Where the table came from, for error messages.
    require_sources : bool, optional
        Demand ``date`` too (the packaged catalog does).

    Returns
    -------
    ModelArch
        The model architecture.

    Raises
    ------
    ValueError
        On an unknown or missing key, a bad number, ``params_active >
        params_total`` or ``n_kv_heads > n_heads``.
    """
    return _build_model(name, table, where, None, require_sources)


def merge_model(base: ModelArch, overrides: Mapping[str, Any], where: str) -> ModelArch:
    """Return ``base`` with the fields given in ``overrides`` replaced.

    A dense base stays dense (``params_active`` follows ``params_total``) and a
    default KV size follows ``n_kv_heads`` and ``head_dim`` unless the overrides
    set them explicitly.

    Parameters
    ----------
    base : ModelArch
        The catalog entry to start from.
    overrides : Mapping
        A partial model table, keys as in :func:`model_from_table`.
    where : str
        Where the overrides came from, for error messages.

    Returns
    -------
    ModelArch
        A new model architecture.

    Raises
    ------
    ValueError
        As :func:`model_from_table`.
    """
    return _build_model(base.name, overrides, where, base, require_sources=False)
