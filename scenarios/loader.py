"""Read, override and validate scenario files into :class:`~scenarios.scenario.Scenario` objects.

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

This module only runs the steps in order: :mod:`scenarios.sources` finds and reads
the file, :mod:`scenarios.overrides` applies ``--set`` assignments and
:mod:`scenarios.validate` checks and resolves the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scenarios.errors import ScenarioError, shown
from scenarios.limits import MAX_SCENARIO_BYTES, read_toml
from scenarios.overrides import apply_overrides
from scenarios.plausibility import check_plausible
from scenarios.scenario import Scenario
from scenarios.sources import is_file, read_scenario_source
from scenarios.validate import validate_scenario


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
    raw = read_toml(text, source)
    raw, text = resolve_extends(raw, text, source)
    raw = apply_overrides(raw, overrides, source)
    scenario = validate_scenario(raw, text, source, tuple(overrides))
    check_plausible(scenario)
    return scenario


MAX_EXTENDS_DEPTH = 8
"""Scenarios a chain of ``extends`` may pass through (a loop is an error long before)."""


def merge_tables(parent: dict, child: dict) -> dict:
    """``child`` over ``parent``: tables merged key by key, anything else replaced.

    Parameters
    ----------
    parent, child : dict
        Parsed TOML documents.

    Returns
    -------
    dict
        A new document: every key of either; where both hold a table, the two merged
        again; arrays (such as ``[[correlation]]`` blocks) and values taken from the child.
    """
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def resolve_extends(
    raw: dict, text: str, source: str, seen: tuple[str, ...] = (), read: int | None = None
):
    """Apply ``extends = "PARENT"``: the parent scenario with this file's keys on top.

    Parameters
    ----------
    raw : dict
        The parsed scenario.
    text : str
        Its TOML text.
    source : str
        Where it came from (a path, or ``builtin:NAME``); a relative parent path is
        read from the child file's folder.
    seen : tuple of str
        Sources already on the chain (to refuse loops).
    read : int, optional
        Bytes of scenario text read so far on the chain, this file's included (default:
        this file's size). The whole chain is held to the size limit of one file.

    Returns
    -------
    raw : dict
        The merged document, without ``extends``.
    text : str
        The file's text with one comment line per parent naming it and the SHA-256 of
        its text, so the scenario's hash (and a result's provenance) changes when a
        parent does, and the stored text still parses on its own.

    Raises
    ------
    ScenarioError
        A non-string ``extends``, a missing parent, a loop, a chain of more than
        :data:`~scenarios.limits.MAX_SCENARIO_BYTES` in all, or a chain deeper than
        :data:`MAX_EXTENDS_DEPTH`.
    """
    import hashlib

    if "extends" not in raw:
        return raw, text
    parent = raw.pop("extends")
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            f"{source}: extends = {shown(parent)}: give the parent scenario as a string, e.g. "
            'extends = "default"'
        )
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            f"{source}: extends = {shown(parent)}: more than {MAX_EXTENDS_DEPTH} scenarios deep; "
            "extend the scenario you need directly"
        )
    where = Path(source).parent if not source.startswith("builtin:") else Path(".")
    candidate = where / parent
    target = str(candidate) if is_file(candidate) else parent
    parent_source, parent_text = read_scenario_source(target)
    if parent_source in (*seen, source):
        chain = " -> ".join((*seen, source, parent_source))
        raise ScenarioError(f"{source}: extends = {shown(parent)} makes a loop: {chain}")
    # Each file is within the limit; eight of them would be 32 MiB and 8 s of parsing.
    read = (len(text.encode("utf-8", "surrogatepass")) if read is None else read) + len(
        parent_text.encode("utf-8", "surrogatepass")
    )
    if read > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{source}: extends = {shown(parent)}: the scenario and its parents hold "
            f"{read:,} bytes; at most {MAX_SCENARIO_BYTES:,} in all (docs/scenario.md, "
            "Limits): extend a smaller parent"
        )
    parent_raw = read_toml(parent_text, f"{parent_source} (extended by {source})")
    parent_raw, parent_text = resolve_extends(
        parent_raw, parent_text, parent_source, (*seen, source), read
    )
    digest = hashlib.sha256(parent_text.encode()).hexdigest()
    note = f"\n# extends {parent_source} (SHA-256 {digest})\n"
    return merge_tables(parent_raw, raw), text + note
