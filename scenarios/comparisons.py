"""The built-in comparison sets: scenarios that differ in one decision, for ``tco compare``.

Each set answers one question of the product card (seed documents) by changing one
decision of the default scenario; the first member is the baseline. The scenario
files live in ``scenarios/builtin/`` with every uncertain factor at the default's
key path, so a comparison samples them on common random numbers.
"""

from __future__ import annotations

COMPARISON_SETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accelerator": (
        "H100 vs H200 vs B200 vs MI300X for the same model and demand",
        ("accelerator-h100", "accelerator-h200", "accelerator-b200", "accelerator-mi300x"),
    ),
    "fleet": (
        "owned vs cloud on demand vs cloud spot for the same fleet",
        ("fleet-owned", "fleet-cloud", "fleet-spot"),
    ),
    "utilization": (
        "high (85%, above the SLA knee) vs low (45%) utilisation target",
        ("utilization-high", "utilization-low"),
    ),
    "serving": (
        "a managed API paid per token vs self-managed Kubernetes on spot instances",
        ("serving-managed-api", "serving-self-managed-spot"),
    ),
    "power": (
        "all power hedged at a fixed price vs all bought at spot",
        ("power-hedged", "power-unhedged"),
    ),
}


def comparison_members() -> set[str]:
    """Names of every built-in scenario that belongs to a comparison set."""
    return {name for _, members in COMPARISON_SETS.values() for name in members}
