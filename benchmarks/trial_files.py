"""What the signal and disk-full trials share: the ``tco`` command and checks of a result."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def tco(*args: str) -> list[str]:
    """The ``tco`` command line of this interpreter, with ``args``."""
    return [sys.executable, "-m", "simulate.cli.main", *args]


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed_of(path: Path) -> str | None:
    """The ``seed`` attribute of a complete, readable run file, else None."""
    import xarray as xr

    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            float(ds["token_cost_per_1k"].sum())  # read it: a damaged file fails here
            return str(ds.attrs.get("seed"))
    except Exception:
        return None
