"""Turn scenario input values into the kernel's input matrix.

Numeric inputs go straight into their columns; categorical inputs (model,
accelerators, ownership) are looked up in the scenario's catalogs, per sample,
so a lever over accelerator generations changes every hardware column at once.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from scenarios.scenario import Scenario, ScenarioInput
from scenarios.schema import FIELDS_BY_PATH
from simulate.model import columns as col

HARDWARE_COLUMNS = (
    ("hw_peak_bf16_flops", "peak_bf16_flops"),
    ("hw_peak_fp8_flops", "peak_fp8_flops"),
    ("hw_memory_bytes", "memory_bytes"),
    ("hw_bandwidth_bytes_per_s", "memory_bandwidth_bytes_per_s"),
    ("hw_board_power_w", "board_power_w"),
    ("hw_purchase_price_usd", "purchase_price_usd"),
    ("hw_cloud_usd_per_hour", "cloud_usd_per_hour"),
    ("hw_peak_fp4_flops", "peak_fp4_flops"),
    ("hw_scale_up_size", "scale_up_size"),
    ("hw_link_bytes_per_s", "scale_up_link_bytes_per_s"),
    ("hw_compute_eff_low", "compute_efficiency_low"),
    ("hw_compute_eff_high", "compute_efficiency_high"),
    ("hw_bandwidth_eff_low", "bandwidth_efficiency_low"),
    ("hw_bandwidth_eff_high", "bandwidth_efficiency_high"),
)
TRAIN_HARDWARE_COLUMNS = (
    ("train_peak_bf16_flops", "peak_bf16_flops"),
    ("train_peak_fp8_flops", "peak_fp8_flops"),
    ("train_board_power_w", "board_power_w"),
    ("train_purchase_price_usd", "purchase_price_usd"),
    ("train_cloud_usd_per_hour", "cloud_usd_per_hour"),
    ("train_eff_low", "training_efficiency_low"),
    ("train_eff_high", "training_efficiency_high"),
)
MODEL_COLUMNS = (
    ("params_total", "params_total"),
    ("params_active", "params_active"),
    ("n_layers", "n_layers"),
    ("kv_values_per_token_per_layer", "kv_values_per_token_per_layer"),
    ("attention_dim", "attention_dim"),
    ("hidden_size", "hidden_size"),
    ("moe_experts", "moe_experts"),
    ("moe_experts_per_token", "moe_experts_per_token"),
    ("moe_routed_params", "moe_routed_params"),
)
REFRESH_HARDWARE_COLUMNS = tuple((f"refresh_{c}", attr) for c, attr in HARDWARE_COLUMNS)
# Columns set from categorical inputs (catalog look-ups and ownership flags).
CATEGORY_DRIVEN_COLUMNS = (
    *(c for c, _ in HARDWARE_COLUMNS),
    *(c for c, _ in REFRESH_HARDWARE_COLUMNS),
    *(c for c, _ in TRAIN_HARDWARE_COLUMNS),
    *(c for c, _ in MODEL_COLUMNS),
    "train_tokens",
    "fleet_cloud",
    "fleet_api",
    "train_cloud",
)


def category_indices(item: ScenarioInput, value, n: int) -> np.ndarray:
    """Indices into ``item.categories`` for ``n`` samples.

    Parameters
    ----------
    item : ScenarioInput
        A categorical input.
    value : str or array_like of int
        One category name for every sample, or per-sample indices.
    n : int
        Number of samples.

    Returns
    -------
    ndarray of int64, shape (n,)
        Category indices.
    """
    categories = item.categories
    if isinstance(value, str):
        if value not in categories:
            raise ValueError(f"{item.path} = {value!r}: not one of {list(categories)}")
        return np.full(n, categories.index(value), dtype=np.int64)
    idx = np.broadcast_to(np.asarray(value), (n,)).astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= len(categories)):
        raise ValueError(f"{item.path}: category index outside 0..{len(categories) - 1}")
    return idx


def _lookup(table: list, attrs: tuple, idx: np.ndarray, out: np.ndarray) -> None:
    values = np.array([[float(getattr(entry, a)) for _, a in attrs] for entry in table])
    for j, (column, _) in enumerate(attrs):
        out[:, col.INPUT_INDEX[column]] = values[idx, j]


def input_matrix(
    scenario: Scenario,
    values: Mapping[str, object] | None = None,
    n: int = 1,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Build the kernel's ``(n, N_INPUTS)`` input matrix.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    values : mapping of str to value, optional
        Per-input values by key path: numbers or arrays of shape (n,) for numeric
        inputs, a category name or an index array for categorical ones. Inputs not
        given take their base value.
    n : int
        Number of samples (rows).
    out : ndarray of float64, shape (n, N_INPUTS), optional
        Buffer to fill (reused across chunks to avoid fresh allocations).

    Returns
    -------
    ndarray of float64, shape (n, N_INPUTS)
        C-contiguous kernel inputs.
    """
    values = dict(values or {})
    x = np.empty((n, col.N_INPUTS), dtype=np.float64) if out is None else out
    # Start from the base row and overwrite only what varies: one pass over the
    # matrix instead of one strided pass per input column.
    x[:] = _base_row(scenario)
    for path, value in values.items():
        spec_field = FIELDS_BY_PATH.get(path)
        if spec_field is not None:
            x[:, col.INPUT_INDEX[spec_field.column]] = value
        elif path not in scenario.inputs:
            raise ValueError(f"{path}: not an input of scenario {scenario.name}")
    categorical = {p: v for p, v in values.items() if scenario.inputs[p].categorical}
    if categorical:
        resolved = _resolve_all(scenario, categorical, n)
        for column in CATEGORY_DRIVEN_COLUMNS:
            if column == "train_tokens" and "training.tokens" in scenario.inputs:
                continue  # given in the scenario (maybe sampled), not from the model catalog
            x[:, col.INPUT_INDEX[column]] = resolved[:, col.INPUT_INDEX[column]]
    return x


def _base_row(scenario: Scenario) -> np.ndarray:
    row = scenario.cache.get("base_row")
    if row is None:
        row = scenario.cache["base_row"] = _resolve_all(scenario, None, 1)[0]
    return row


def _resolve_all(
    scenario: Scenario, values: Mapping[str, object] | None = None, n: int = 1
) -> np.ndarray:
    """Every column resolved from scratch (the slow path behind :func:`input_matrix`).

    Used once per scenario for the base row, and for categorical inputs, whose
    categories drive several catalog columns at once.
    """
    values = dict(values or {})
    base = scenario.base_values()
    x = np.empty((n, col.N_INPUTS), dtype=np.float64)
    x.fill(np.nan)  # any column left unset is caught by the kernel's domain check
    for path, spec_field in FIELDS_BY_PATH.items():
        if path in scenario.inputs:
            x[:, col.INPUT_INDEX[spec_field.column]] = values.get(path, base[path])

    inputs = scenario.inputs

    def indices(path: str) -> np.ndarray:
        return category_indices(inputs[path], values.get(path, base[path]), n)

    models = [scenario.models[name] for name in inputs["model.name"].categories]
    model_idx = indices("model.name")
    _lookup(models, MODEL_COLUMNS, model_idx, x)
    if "training.tokens" not in inputs:
        tokens = np.array([m.training_tokens for m in models], dtype=np.float64)
        x[:, col.IN_TRAIN_TOKENS] = tokens[model_idx]

    accelerators = [scenario.hardware[name] for name in inputs["hardware.accelerator"].categories]
    hw_idx = indices("hardware.accelerator")
    _lookup(accelerators, HARDWARE_COLUMNS, hw_idx, x)

    # The refresh accelerator: a catalog entry, or "same" (the serving accelerator's).
    _lookup(accelerators, REFRESH_HARDWARE_COLUMNS, hw_idx, x)
    refresh_names = inputs["fleet.refresh_accelerator"].categories
    refresh_table = [scenario.hardware[name] if name != "same" else None for name in refresh_names]
    refresh_idx = indices("fleet.refresh_accelerator")
    other = np.array([entry is not None for entry in refresh_table])[refresh_idx]
    if other.any():
        named = [entry for entry in refresh_table if entry is not None]
        named_idx = np.cumsum([entry is not None for entry in refresh_table]) - 1
        sub = np.empty((int(other.sum()), col.N_INPUTS))
        _lookup(named, REFRESH_HARDWARE_COLUMNS, named_idx[refresh_idx[other]], sub)
        for column, _ in REFRESH_HARDWARE_COLUMNS:
            x[other, col.INPUT_INDEX[column]] = sub[:, col.INPUT_INDEX[column]]

    train_item = inputs["training.accelerator"]
    train_idx = indices("training.accelerator")
    train_names = train_item.categories
    train_table = [scenario.hardware[name] if name != "same" else None for name in train_names]
    same = np.array([name == "same" for name in train_names])[train_idx]
    named = [entry for entry in train_table if entry is not None]
    if named:
        named_idx = np.cumsum([entry is not None for entry in train_table]) - 1
        rows = ~same
        sub = np.empty((int(rows.sum()), col.N_INPUTS))
        _lookup(named, TRAIN_HARDWARE_COLUMNS, named_idx[train_idx[rows]], sub)
        for column, _ in TRAIN_HARDWARE_COLUMNS:
            x[rows, col.INPUT_INDEX[column]] = sub[:, col.INPUT_INDEX[column]]
    if same.any():
        # "same": the training columns of the serving accelerator's own catalog entry.
        sub = np.empty((int(same.sum()), col.N_INPUTS))
        _lookup(accelerators, TRAIN_HARDWARE_COLUMNS, hw_idx[same], sub)
        for column, _ in TRAIN_HARDWARE_COLUMNS:
            x[same, col.INPUT_INDEX[column]] = sub[:, col.INPUT_INDEX[column]]

    fleet_names = inputs["fleet.ownership"].categories
    fleet_cloud = np.array([name == "cloud" for name in fleet_names], dtype=np.float64)
    fleet_api = np.array([name == "api" for name in fleet_names], dtype=np.float64)
    x[:, col.IN_FLEET_CLOUD] = fleet_cloud[indices("fleet.ownership")]
    x[:, col.IN_FLEET_API] = fleet_api[indices("fleet.ownership")]
    train_names = inputs["training.ownership"].categories
    train_code = np.array(
        [{"owned": 0.0, "cloud": 1.0, "same": -1.0}[name] for name in train_names]
    )[indices("training.ownership")]
    # "same" follows the fleet; an organisation buying inference from an API rents its
    # training cluster.
    fleet_rents = np.maximum(x[:, col.IN_FLEET_CLOUD], x[:, col.IN_FLEET_API])
    x[:, col.IN_TRAIN_CLOUD] = np.where(train_code < 0, fleet_rents, train_code)
    return np.ascontiguousarray(x)


def base_matrix(scenario: Scenario) -> np.ndarray:
    """The one-row input matrix at the scenario's base values.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.

    Returns
    -------
    ndarray of float64, shape (1, N_INPUTS)
        Levers at base, factors at their medians, constants as given.
    """
    return input_matrix(scenario, None, 1)
