"""Refuse damaged result files instead of summarising them.

The writers (:mod:`results.store`) give every chunk of every variable a checksum:
HDF5's Fletcher32 filter in NetCDF files, numcodecs' CRC32 filter in Zarr stores.
The storage library verifies it whenever a chunk is read, and :func:`guard_reads`
turns a failure into a :class:`DamagedResultError` that names the file and the
variable. What a checksum cannot see is checked when a file is opened:

- chunks that are not stored (:func:`check_stored_chunks`): a Zarr store reads a
  missing chunk file as its fill value, so a store whose chunk files were deleted
  would summarise as zeros;
- a sample count that disagrees with the one the writer recorded, a run with no
  samples, a run variable off the ``sample`` dimension (:func:`check_dataset`);
- in a run's summary, the finite values the kernel guarantees
  (:func:`check_run_values`): every output is NaN exactly where a structural
  infeasibility flag is set, and the flags are the six known bits.

Files written before checksums existed still open; they get every check but the
checksum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from results.provenance import KIND_ATTR
from simulate.model import columns as col

__all__ = [
    "DamagedResultError",
    "check_dataset",
    "check_run_values",
    "check_stored_chunks",
    "guard_reads",
    "refusal",
]

#: Errors the storage libraries raise for a chunk they cannot read back: h5py an
#: ``OSError`` ("filter returned failure during read"), numcodecs a ``RuntimeError``
#: (checksum mismatch, a Blosc stream that does not decompress) or a ``ValueError``.
READ_ERRORS = (OSError, RuntimeError, ValueError)

#: Every bit the kernel may set in the ``infeasible`` mask.
KNOWN_FLAGS = sum(col.FLAG_REASONS)


class DamagedResultError(ValueError):
    """A result file that is damaged, truncated or incomplete.

    The message is one line: the file, what is wrong, and what to do.
    """


def refusal(path, problem: str, attrs: Mapping | None = None) -> DamagedResultError:
    """The error refusing a damaged result file, with what to do about it.

    Parameters
    ----------
    path : str or Path
        The file or store.
    problem : str
        What is wrong, e.g. ``"variable x fails its checksum"``.
    attrs : mapping, optional
        The file's global attributes when they could be read: a run's seed and size
        make the advice precise.

    Returns
    -------
    DamagedResultError
        To raise; its message is a single line.
    """
    attrs = attrs or {}
    if str(attrs.get(KIND_ATTR, "")) == "run" and "seed" in attrs and attrs.get("n_samples"):
        # The same seed and size give the same samples bit for bit.
        fix = (
            f"re-run it (tco run with --seed {attrs['seed']} -n {int(attrs['n_samples'])} "
            "writes the same samples) or restore it from a copy"
        )
    elif KIND_ATTR in attrs:
        fix = f"re-run the tco {attrs[KIND_ATTR]} command that wrote it, or restore it from a copy"
    else:
        fix = "re-run the command that wrote it, or restore it from a copy"
    text = f"{path}: {problem}; the file is damaged or incomplete and was refused. To fix: {fix}"
    return DamagedResultError(" ".join(text.split()))


def _library_detail(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------- before xarray opens


def check_stored_chunks(path, fmt: str) -> None:
    """Refuse a file or store in which a chunk of some variable is not stored.

    Cheap: it reads chunk indexes (NetCDF) or lists chunk keys (Zarr), never data.

    Parameters
    ----------
    path : str or Path
        A ``.nc`` file or a ``.zarr`` store.
    fmt : {"netcdf", "zarr"}
        Its storage format.

    Raises
    ------
    DamagedResultError
        If the file cannot be opened as its format (truncated, overwritten) or an
        array has fewer chunks stored than its shape needs.
    """
    if fmt == "zarr":
        _check_zarr_chunks(Path(path))
    else:
        _check_netcdf_chunks(Path(path))


def _check_netcdf_chunks(path: Path) -> None:
    import h5py

    try:
        file = h5py.File(path, "r")
    except OSError as exc:
        detail = _library_detail(exc)
        if "truncated" in detail:
            raise refusal(path, f"is truncated ({detail})") from None
        # Not HDF5 at all (another kind of file given by mistake): xarray's own error
        # says so when it tries to open it.
        return
    with file:
        attrs = _h5_attrs(file)
        datasets = []

        def collect(name, obj):
            if isinstance(obj, h5py.Dataset):
                datasets.append((name, obj))

        file.visititems(collect)
        for name, data in datasets:
            if data.chunks is None or data.size == 0:
                continue  # contiguous or empty: no chunk index to check
            expected = math.prod(-(-s // c) for s, c in zip(data.shape, data.chunks, strict=True))
            stored = data.id.get_num_chunks()
            if stored < expected:
                raise refusal(
                    path,
                    f"variable {name} has {stored} of its {expected} chunks stored (the file "
                    "was not written to the end)",
                    attrs,
                )


def _h5_attrs(file) -> dict:
    out = {}
    for key in (KIND_ATTR, "seed", "n_samples"):
        try:
            value = file.attrs[key]
        except (KeyError, OSError):
            continue
        # NetCDF numbers are stored as one-element arrays, strings as str or bytes.
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(())[()]
        if isinstance(value, bytes):
            value = value.decode(errors="replace")
        out[key] = value.item() if isinstance(value, np.generic) else value
    return out


def _check_zarr_chunks(path: Path) -> None:
    import zarr

    try:
        group = zarr.open_group(str(path), mode="r")
        arrays = list(group.arrays())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # zarr raises several types for missing or unparsable metadata.
        raise refusal(path, f"is not a readable Zarr store ({_library_detail(exc)})") from None
    attrs = dict(group.attrs)
    for name, array in arrays:
        if array.size == 0 or not _has_checksum(array):
            # Stores written before checksums left out chunks of zeros (Zarr's default),
            # which cannot be told apart from deleted ones: only their shape is checked.
            continue
        # A missing chunk file reads as the fill value, not as an error: count them.
        stored, expected = array.nchunks_initialized, array.nchunks
        if stored < expected:
            raise refusal(
                path,
                f"variable {name} has {stored} of its {expected} chunk files (missing chunks "
                "would read as fill values)",
                attrs,
            )


def _has_checksum(array) -> bool:
    # Written by this package's ZarrWriter since checksums: a CRC32 filter, every chunk stored.
    filters = getattr(array.metadata, "filters", None) or ()
    return any(getattr(f, "codec_id", None) == "crc32" for f in filters)


# ---------------------------------------------------------------- after xarray opens


def _is_run(ds) -> bool:
    # A run as its writer declares it, or (older files) a dataset along samples alone.
    declared = ds.attrs.get(KIND_ATTR)
    return str(declared) == "run" if declared is not None else set(ds.dims) == {"sample"}


def check_dataset(ds, path) -> None:
    """Refuse a result whose shape disagrees with what its writer recorded.

    Parameters
    ----------
    ds : xarray.Dataset
        The result, opened lazily (only dimensions and attributes are read).
    path : str or Path
        Its file, for the message.

    Raises
    ------
    DamagedResultError
        If the ``sample`` dimension is empty or differs from the ``n_samples``
        attribute the writer stored, or a variable of a run is not along ``sample``.
    """
    if "sample" not in ds.dims:
        return
    n = int(ds.sizes["sample"])
    if n == 0:
        raise refusal(path, "holds no samples (its sample dimension is empty)", ds.attrs)
    recorded = ds.attrs.get("n_samples")  # runs and comparisons: samples along ``sample``
    if recorded is not None and int(recorded) != n:
        raise refusal(
            path,
            f"holds {n:,} samples but its writer recorded n_samples = {int(recorded):,} (the "
            "file was cut or altered)",
            ds.attrs,
        )
    if _is_run(ds):
        for name, var in ds.data_vars.items():
            if var.dims != ("sample",):
                raise refusal(
                    path,
                    f"variable {name} has dimensions {var.dims}, not ('sample',) as in every run",
                    ds.attrs,
                )


class _CheckedArray(BackendArray):
    """A lazily read variable whose read failures name the file and the variable.

    Built on xarray's backend protocol (indexer keys resolved by
    ``explicit_indexing_adapter``), so the dataset stays lazy and uncached: each
    access reads the stored chunks again, and their checksums are verified each time.
    """

    def __init__(self, variable, path, name: str, attrs: Mapping):
        self.variable = variable
        self.shape = variable.shape
        self.dtype = variable.dtype
        self.path, self.name, self.attrs = path, name, attrs

    def __getitem__(self, key):
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._read
        )

    def _read(self, key: tuple):
        try:
            return np.asarray(self.variable[key].values)
        except READ_ERRORS as exc:
            raise refusal(
                self.path,
                f"variable {self.name} cannot be read back: a stored chunk fails its checksum "
                f"or does not decode ({_library_detail(exc)})",
                self.attrs,
            ) from None


def guard_reads(ds, path):
    """The same dataset, whose reads raise :class:`DamagedResultError` on a damaged chunk.

    Parameters
    ----------
    ds : xarray.Dataset
        A result opened lazily with xarray (index coordinates already in memory).
    path : str or Path
        Its file, for messages.

    Returns
    -------
    xarray.Dataset
        Same variables, attributes and encodings, still lazy; closing it closes ``ds``.
    """
    attrs = dict(ds.attrs)

    def wrapped(name, var):
        array = _CheckedArray(var, path, name, attrs)
        return xr.Variable(var.dims, indexing.LazilyIndexedArray(array), var.attrs, var.encoding)

    indexed = set(ds.xindexes)
    data_vars = {name: wrapped(name, ds.variables[name]) for name in ds.data_vars}
    coords = {
        name: ds.variables[name] if name in indexed else wrapped(name, ds.variables[name])
        for name in ds.coords
    }
    guarded = xr.Dataset(data_vars, coords=coords, attrs=ds.attrs)
    guarded.encoding = dict(ds.encoding)
    guarded.set_close(ds.close)
    return guarded


# ---------------------------------------------------------------- during a run's summary


def check_run_values(ds, summary, path) -> None:
    """Refuse a run whose finite values disagree with what the kernel guarantees.

    The kernel writes NaN into every output of a sample with a structural flag
    (:data:`simulate.model.columns.STRUCTURAL_FLAGS`) and finite values into every
    output of the others; the TCO index follows the lifecycle total. So each output's
    finite count (``n_valid``, counted by the summary anyway) must equal the samples
    without a structural flag. This costs one pass over the one-byte mask.

    Parameters
    ----------
    ds : xarray.Dataset
        The run.
    summary : xarray.Dataset
        Its :func:`results.summary.summarize` (``n_valid`` in each variable's attrs).
    path : str or Path
        The run's file, for the message.

    Raises
    ------
    DamagedResultError
        If the mask holds an unknown bit, or an output has finite values where the
        writer stored NaN, or (float64 storage) NaN where it stored a finite value.

    Notes
    -----
    Float32 storage may legitimately turn a float64 value above 3.4e38 into inf, so
    for float32 variables only the first direction is checked. Sampled inputs are
    not checked: no step of the writer guarantees them finite.
    """
    flags = ds["infeasible"].values
    unknown = np.count_nonzero(flags & ~np.asarray(KNOWN_FLAGS, dtype=flags.dtype))
    if unknown or (flags < 0).any():
        raise refusal(
            path,
            f"its infeasible mask holds values outside the known flags (0 to {KNOWN_FLAGS})",
            ds.attrs,
        )
    expected = flags.size - int(np.count_nonzero(flags & col.STRUCTURAL_FLAGS))
    for name in summary.data_vars:
        if name not in col.OUTPUT_INDEX and name != "tco_index":
            continue
        n_valid = int(summary[name].attrs["n_valid"])
        strict = ds[name].dtype == np.float64
        if n_valid > expected or (strict and n_valid < expected):
            raise refusal(
                path,
                f"variable {name} has {n_valid:,} finite values where its writer stored "
                f"{expected:,} (one per sample without a structural infeasibility flag)",
                ds.attrs,
            )
