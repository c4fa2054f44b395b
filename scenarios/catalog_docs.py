"""The tables of ``docs/catalog.md``, generated from the packaged catalog files.

``docs/catalog.md`` holds hand-written prose, then everything from "## Accelerators:
summary" on is this module's output, so every figure, source, date and note in the
document is the one the engine reads (``tests/test_catalog.py`` checks it is current).
Regenerate with ``python -m scenarios.catalog_docs``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

GENERATED_FROM = "## Accelerators: summary"
_SUMMARY = (
    ("bf16_dense_tflops", "BF16 TFLOP/s"),
    ("fp8_dense_tflops", "FP8 TFLOP/s"),
    ("fp4_dense_tflops", "FP4 TFLOP/s"),
    ("memory_gb", "memory GB"),
    ("memory_bandwidth_tbps", "bandwidth TB/s"),
    ("scale_up_bandwidth_gbps", "link GB/s"),
    ("scale_up_domain", "scale-up"),
    ("board_power_w", "board W"),
    ("purchase_price_usd", "purchase $"),
    ("cloud_usd_per_gpu_hour", "cloud $/GPU-h"),
    ("serving_compute_efficiency", "serving eff."),
    ("training_compute_efficiency", "training eff."),
)


def _read(name: str) -> dict:
    text = resources.files("scenarios").joinpath("catalog", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _value(figure) -> str:
    if not isinstance(figure, dict):
        return "-"
    if "value" in figure:
        return f"{figure['value']:g}"
    return f"{figure['low']:g}-{figure['high']:g}"


def _cell(text: str) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def _count(value: float) -> str:
    # Parameter and token counts in B and T, never in raw scientific notation.
    if value >= 1e12:
        return f"{value / 1e12:g} T"
    return f"{value / 1e9:g} B"


def catalog_tables() -> str:
    """The generated part of ``docs/catalog.md``: summaries and every figure's source.

    Returns
    -------
    str
        Markdown from the "Accelerators: summary" heading to the end of the file.
    """
    hardware = _read("hardware.toml")
    models = _read("models.toml")
    lines = [
        GENERATED_FROM,
        "",
        "Generated from the catalog files by `python -m scenarios.catalog_docs`; a dash is "
        "a figure the entry does not give (its default: no FP4 path, no link bandwidth, "
        "8 per scale-up domain, efficiency 1).",
        "",
        "| accelerator | " + " | ".join(label for _, label in _SUMMARY) + " |",
        "|---|" + "---|" * len(_SUMMARY),
    ]
    for name, entry in hardware.items():
        cells = [_value(entry.get(key)) for key, _ in _SUMMARY]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Accelerators: every figure with its source", ""]
    for name, entry in hardware.items():
        lines += [
            f"### {name}: {entry['long_name']}",
            "",
            "| figure | value | source | date | note |",
            "|---|---|---|---|---|",
        ]
        for key, figure in entry.items():
            if not isinstance(figure, dict):
                continue
            lines.append(
                f"| {key} | {_value(figure)} | {_cell(figure.get('source', ''))} | "
                f"{_cell(figure.get('date', ''))} | {_cell(figure.get('note', ''))} |"
            )
        lines.append("")
    lines += [
        "## Models: summary",
        "",
        "| model | params total | params active | layers | heads | KV heads | head dim | "
        "hidden | max context | KV values/token/layer | experts (per token) | training "
        "tokens | date |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in models.items():
        kv = m.get("kv_values_per_token_per_layer", 2 * m["n_kv_heads"] * m["head_dim"])
        experts = (
            f"{m['moe_experts']} ({m['moe_experts_per_token']})" if m.get("moe_experts") else "-"
        )
        tokens = _count(m["training_tokens"]) if "training_tokens" in m else "not published"
        lines.append(
            f"| {name} | {_count(m['params_total'])} | {_count(m['params_active'])} | "
            f"{m['n_layers']} | {m['n_heads']} | {m['n_kv_heads']} | {m['head_dim']} | "
            f"{m['hidden_size']} | {m['max_context_tokens']} | {kv} | {experts} | {tokens} | "
            f"{m.get('date', '')} |"
        )
    lines += ["", "## Models: sources and notes", ""]
    for name, m in models.items():
        note = f" {m['note']}" if "note" in m else ""
        lines.append(f"- **{name}** ({m.get('date', '')}): {_cell(m['source'])}.{note}")
    return "\n".join(lines) + "\n"


def write_catalog_doc(path: Path) -> None:
    """Replace the generated part of a ``docs/catalog.md`` with :func:`catalog_tables`.

    Parameters
    ----------
    path : Path
        The document; the prose before "## Accelerators: summary" is kept.
    """
    text = path.read_text(encoding="utf-8")
    prose = text.split(GENERATED_FROM, 1)[0]
    temporary = path.with_suffix(".md.tmp")
    temporary.write_text(prose + catalog_tables(), encoding="utf-8")
    temporary.replace(path)


if __name__ == "__main__":  # pragma: no cover
    write_catalog_doc(Path(__file__).resolve().parents[1] / "docs" / "catalog.md")
