"""Rank correlations between uncertain factors, as written in a scenario file.

Two forms, which may be combined::

    [[correlation]]
    between = ["power.spot_price_usd_per_mwh", "facility.pue"]
    spearman = 0.3

    [correlation_matrix]
    names = ["serving.request_tokens_mean", "fleet.utilization_achieved_ratio"]
    spearman = [[1, -0.2], [-0.2, 1]]

Pairs not mentioned are uncorrelated. The result is a Spearman matrix over the
named factors in scenario order; :func:`distributions.copula.prepare_copula`
turns it into a Gaussian copula (and checks that it is jointly possible).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from distributions.copula import validate_correlation
from scenarios.errors import ScenarioError, did_you_mean, shown

__all__ = ["MATRIX_KEY", "PAIR_KEY", "parse_correlations"]

PAIR_KEY = "correlation"
MATRIX_KEY = "correlation_matrix"
PAIR_FIELDS = ("between", "spearman")
MATRIX_FIELDS = ("names", "spearman")
_PAIR_EXAMPLE = (
    'e.g. [[correlation]] between = ["power.spot_price_usd_per_mwh", "facility.pue"], '
    "spearman = 0.3"
)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_rho(value: Any, where: str) -> float:
    if not _is_number(value):
        raise ScenarioError(
            f"{where} = {shown(value)}: must be a number in [-1, 1] (a Spearman rank correlation)"
        )
    rho = float(value)
    if not math.isfinite(rho) or abs(rho) > 1.0:
        raise ScenarioError(f"{where} = {shown(value)}: a Spearman correlation must be in [-1, 1]")
    return rho


def _check_name(name: Any, factor_paths: list[str], where: str) -> str:
    if not isinstance(name, str):
        raise ScenarioError(
            f"{where}: {shown(name)} must be a key path string such as 'facility.pue'"
        )
    if name not in factor_paths:
        raise ScenarioError(
            f"{where}: {shown(name)} is not an uncertain factor of this scenario"
            f"{did_you_mean(name, factor_paths)}; only continuous factors given as "
            "{dist = ...} can be correlated (constants, levers and choice factors cannot)"
        )
    return name


def _pairs_from_entries(entries: Any, factor_paths: list[str], where: str) -> list[tuple]:
    if isinstance(entries, dict):
        raise ScenarioError(
            f"{where}: [{PAIR_KEY}] must be an array of tables: write [[{PAIR_KEY}]] "
            "(double brackets), one per pair"
        )
    if not isinstance(entries, list):
        raise ScenarioError(
            f"{where}: {PAIR_KEY} = {shown(entries)}: must be an array of tables, {_PAIR_EXAMPLE}"
        )
    pairs = []
    for k, entry in enumerate(entries):
        at = f"{where}: {PAIR_KEY}[{k}]"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{at} = {shown(entry)}: must be a table, {_PAIR_EXAMPLE}")
        for key in entry:
            if key not in PAIR_FIELDS:
                raise ScenarioError(
                    f"{at}: unknown key '{key}'{did_you_mean(key, PAIR_FIELDS)}; "
                    f"[[{PAIR_KEY}]] takes between and spearman"
                )
        for key in PAIR_FIELDS:
            if key not in entry:
                raise ScenarioError(f"{at}: missing key '{key}', {_PAIR_EXAMPLE}")
        between = entry["between"]
        if not isinstance(between, list) or len(between) != 2:
            raise ScenarioError(
                f"{at}.between = {shown(between)}: must be a list of two factor key paths, "
                f"{_PAIR_EXAMPLE}"
            )
        a, b = (_check_name(name, factor_paths, f"{at}.between") for name in between)
        if a == b:
            raise ScenarioError(
                f"{at}.between = {shown(between)}: a factor cannot be correlated with itself "
                "(its correlation is 1); name two different factors"
            )
        rho = _check_rho(entry["spearman"], f"{at}.spearman")
        pairs.append((a, b, rho, at))
    return pairs


def _pairs_from_matrix(table: Any, factor_paths: list[str], where: str) -> list[tuple]:
    at = f"{where}: {MATRIX_KEY}"
    if not isinstance(table, dict):
        raise ScenarioError(
            f"{at} = {shown(table)}: must be a table [{MATRIX_KEY}] with names = [...] and "
            "spearman = [[...], ...]"
        )
    for key in table:
        if key not in MATRIX_FIELDS:
            raise ScenarioError(
                f"{at}: unknown key '{key}'{did_you_mean(key, MATRIX_FIELDS)}; "
                f"[{MATRIX_KEY}] takes names and spearman"
            )
    for key in MATRIX_FIELDS:
        if key not in table:
            raise ScenarioError(
                f"{at}: missing key '{key}'; [{MATRIX_KEY}] needs names = [...] (factor key "
                "paths) and spearman = [[...], ...] (one row per name)"
            )
    names = table["names"]
    if not isinstance(names, list) or len(names) < 2:
        raise ScenarioError(
            f"{at}.names = {shown(names)}: must be a list of at least two factor key paths"
        )
    names = [_check_name(name, factor_paths, f"{at}.names") for name in names]
    seen = set()
    for name in names:
        if name in seen:
            raise ScenarioError(f"{at}.names: '{name}' is listed twice; list each factor once")
        seen.add(name)
    rows = table["spearman"]
    k = len(names)
    if not isinstance(rows, list) or any(not isinstance(row, list) for row in rows):
        raise ScenarioError(
            f"{at}.spearman = {shown(rows)}: must be a list of {k} rows (lists of numbers), "
            "one per name"
        )
    if len(rows) != k or any(len(row) != k for row in rows):
        shape = f"{len(rows)} rows of lengths {[len(row) for row in rows]}"
        raise ScenarioError(
            f"{at}.spearman has {shape}: it must be {k} x {k}, one row and one column per name"
        )
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if not _is_number(value):
                raise ScenarioError(
                    f"{at}.spearman[{i}][{j}] ({names[i]} ~ {names[j]}) = {shown(value)}: "
                    "must be a number in [-1, 1]"
                )
    try:
        matrix = validate_correlation(rows, names, f"{at}.spearman")
    except ValueError as exc:
        # One exception type for all scenario input, so the loader can catch it.
        raise ScenarioError(str(exc)) from None
    return [
        (names[i], names[j], float(matrix[i, j]), f"{at}.spearman")
        for i in range(k)
        for j in range(i + 1, k)
    ]


def parse_correlations(
    raw: dict, factor_paths: list[str], where: str
) -> tuple[list[str], np.ndarray] | None:
    """Read the correlations a scenario declares between its uncertain factors.

    Parameters
    ----------
    raw : dict
        The whole parsed TOML document; only the ``correlation`` and
        ``correlation_matrix`` keys are read.
    factor_paths : list of str
        Key paths of the scenario's continuous uncertain factors, in scenario
        order (choice factors, constants and levers excluded by the caller).
    where : str
        The scenario file, first in every error message.

    Returns
    -------
    (names, spearman) or None
        ``names``: the correlated factors, a subset of ``factor_paths`` in its
        order; ``spearman``: their full Spearman matrix (float64, unit
        diagonal, 0 for pairs not given). None when the scenario declares no
        correlation.

    Raises
    ------
    ScenarioError
        (a ``ValueError``) for a name that is not a continuous uncertain factor
        (with a did-you-mean suggestion), a factor paired with itself, a pair
        given twice with different values, a value outside [-1, 1], wrong
        types, missing or unknown keys, or a matrix that is not square,
        symmetric or unit-diagonal. Joint feasibility (positive definiteness)
        is checked later, by :func:`distributions.copula.prepare_copula`.
    """
    pairs = []
    if PAIR_KEY in raw:
        pairs += _pairs_from_entries(raw[PAIR_KEY], factor_paths, where)
    if MATRIX_KEY in raw:
        pairs += _pairs_from_matrix(raw[MATRIX_KEY], factor_paths, where)
    involved = {name for a, b, _, _ in pairs for name in (a, b)}
    if not involved:
        return None
    names = [p for p in factor_paths if p in involved]
    index = {name: i for i, name in enumerate(names)}
    spearman = np.eye(len(names))
    given: dict[tuple[int, int], tuple[float, str]] = {}
    for a, b, rho, at in pairs:
        i, j = sorted((index[a], index[b]))
        if (i, j) in given and given[(i, j)][0] != rho:
            first, first_at = given[(i, j)]
            raise ScenarioError(
                f"{where}: the pair {names[i]} ~ {names[j]} is given twice with different "
                f"values: {shown(first)} ({first_at.removeprefix(where + ': ')}) and {shown(rho)} "
                f"({at.removeprefix(where + ': ')}); keep one"
            )
        given[(i, j)] = (rho, at)
        spearman[i, j] = spearman[j, i] = rho
    return names, spearman
