"""``--set key.path=value`` overrides: parse an assignment and apply it to the parsed file."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Sequence
from typing import Any

from scenarios.errors import ScenarioError, did_you_mean, shown
from scenarios.limits import MAX_DEPTH, check_key, check_tree
from scenarios.schema import CATEGORICAL_BY_PATH, FIELDS_BY_PATH, TEXT_KEYS


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
            f"{source} {shown(assignment)}: expected key.path=value, e.g. "
            "--set power.hedge_share=0.8"
        )
    parts = key.split(".")
    if len(parts) > MAX_DEPTH:
        raise ScenarioError(
            f"{source} {shown(key)}: a key path of {len(parts)} parts; scenario keys have at "
            "most 4 (catalog.hardware.NAME.FIELD), see docs/scenario.md"
        )
    for depth, part in enumerate(parts):
        check_key(part, ".".join(parts[:depth]), source)
    value_text = value_text.strip()
    try:
        value = tomllib.loads(f"v = {value_text}")["v"]
    except tomllib.TOMLDecodeError:
        if not value_text or any(ch in value_text for ch in "{}[]=\"'"):
            raise ScenarioError(
                f"{source} {shown(assignment)}: {shown(value_text)} is not a TOML value; "
                "quote strings and write tables inline, e.g. "
                'power.hedge_share={lever="range", low=0, high=1, base=0.5}'
            ) from None
        value = value_text
    except RecursionError:
        # Python's TOML reader recurses once per nested array or inline table.
        raise ScenarioError(
            f"{source} {shown(key)}: the value nests arrays or tables hundreds deep; no "
            f"scenario key takes more than 5 levels (at most {MAX_DEPTH}, docs/scenario.md)"
        ) from None
    check_tree(value, source, path=key, depth=len(parts))
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
                    f"--set {key}: {source}: {inner} is {shown(child)}, not a table; "
                    f"set the whole key instead, e.g. --set {inner}=VALUE"
                )
            node = child
        node[parts[-1]] = value
    return doc
