"""The packaged hardware and model catalogs: read once, validated, looked up by name.

The catalogs ship as package data (``scenarios/catalog/hardware.toml`` and
``scenarios/catalog/models.toml``) in human units, each figure with its source and
date; :mod:`scenarios.catalog_entries` turns each entry into a frozen dataclass in
SI units. The files are parsed once per process.
"""

from __future__ import annotations

import functools
import importlib.resources
import tomllib
from collections.abc import Mapping
from typing import Any, TypeVar

from scenarios.catalog_entries import (
    Accelerator,
    ModelArch,
    _did_you_mean,
    accelerator_from_table,
    model_from_table,
)

__all__ = [
    "load_hardware_catalog",
    "load_model_catalog",
    "lookup",
]

_T = TypeVar("_T")

_HARDWARE_FILE = "hardware.toml"
_MODELS_FILE = "models.toml"


def _read_packaged(filename: str) -> dict[str, Any]:
    resource = importlib.resources.files("scenarios").joinpath("catalog", filename)
    try:
        return tomllib.loads(resource.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{filename}: not valid TOML: {exc}") from exc


@functools.cache
def _hardware_catalog() -> tuple[tuple[str, Accelerator], ...]:
    raw = _read_packaged(_HARDWARE_FILE)
    return tuple(
        (
            name,
            accelerator_from_table(name, table, f"{_HARDWARE_FILE}: {name}", require_sources=True),
        )
        for name, table in raw.items()
    )


@functools.cache
def _model_catalog() -> tuple[tuple[str, ModelArch], ...]:
    raw = _read_packaged(_MODELS_FILE)
    return tuple(
        (name, model_from_table(name, table, f"{_MODELS_FILE}: {name}", require_sources=True))
        for name, table in raw.items()
    )


def load_hardware_catalog() -> dict[str, Accelerator]:
    """Load the packaged hardware catalog.

    The file is parsed and validated once per process; each call returns a new
    dict (of the same frozen entries) that the caller may extend.

    Returns
    -------
    dict[str, Accelerator]
        Catalog name -> accelerator, in file order, SI units.

    Raises
    ------
    ValueError
        If the packaged file is invalid.
    """
    return dict(_hardware_catalog())


def load_model_catalog() -> dict[str, ModelArch]:
    """Load the packaged model catalog.

    Returns
    -------
    dict[str, ModelArch]
        Catalog name -> model architecture, in file order.

    Raises
    ------
    ValueError
        If the packaged file is invalid.
    """
    return dict(_model_catalog())


def lookup(catalog: Mapping[str, _T], name: str, where: str) -> _T:
    """Return ``catalog[name]``, or raise a ValueError that suggests known names.

    Parameters
    ----------
    catalog : Mapping
        A catalog, e.g. from :func:`load_hardware_catalog`.
    name : str
        The catalog name asked for.
    where : str
        Where the name came from, for the error message.

    Returns
    -------
    Accelerator or ModelArch
        The entry.

    Raises
    ------
    ValueError
        If ``name`` is not in the catalog; the message offers the closest name
        and lists the known ones.
    """
    if name in catalog:
        return catalog[name]
    known = sorted(catalog)
    raise ValueError(
        f"{where} = {name!r}: unknown name; {_did_you_mean(name, known)}"
        f"known names: {', '.join(known)}"
    )
