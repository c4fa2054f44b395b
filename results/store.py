"""Stream per-sample results to NetCDF (h5netcdf) or Zarr without holding a run in memory.

A writer is opened with the run's size and variables, receives one chunk of rows
at a time, and on ``commit`` renames its temporary file into place; on ``abort``
(an error or Ctrl-C) it deletes it. Nothing half-written is ever left under the
requested name.

Every chunk of every variable carries a checksum (Fletcher32 in NetCDF, CRC32 in
Zarr), verified whenever it is read; :func:`open_result` also checks a file's chunks
and shape before anything is summarised (:mod:`results.integrity`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from results.atomic import (
    atomic_path,
    check_replaceable,
    partial_path,
    recover_stale_temporaries,
    remove_path,
    replace_with,
)
from results.disk_space import NoSpaceError, OutputWriteError, require_free_space

FORMATS = ("netcdf", "zarr")


@dataclass(frozen=True)
class VariableSpec:
    """One per-sample variable of a result file.

    Attributes
    ----------
    name : str
        Variable name.
    dtype : str
        NumPy dtype name (``"float64"``, ``"float32"``, ``"int64"``).
    attrs : dict
        CF-style attributes (``units``, ``long_name``, ...).
    """

    name: str
    dtype: str
    attrs: dict


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The storage format: explicit, else ``zarr`` for ``*.zarr`` paths, else ``netcdf``.

    Parameters
    ----------
    path : str or Path
        Output path.
    fmt : {"netcdf", "zarr"} or None
        Explicit choice.

    Returns
    -------
    str
        ``"netcdf"`` or ``"zarr"``.
    """
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValueError(f"format = {fmt!r}: must be one of {', '.join(FORMATS)}")
        return fmt
    return "zarr" if str(path).rstrip("/").endswith(".zarr") else "netcdf"


def _clean_attrs(attrs: Mapping) -> dict:
    # NetCDF and Zarr attributes take strings and numbers only.
    clean = {}
    for key, value in attrs.items():
        if isinstance(value, bool):
            clean[key] = int(value)
        elif isinstance(value, int | float | str | np.integer | np.floating):
            clean[key] = value
        else:
            clean[key] = str(value)
    return clean


class _Writer:
    def __init__(self, path: Path, n: int, variables):
        self.path = path
        self.n = n
        self.tmp = partial_path(path)
        self.closed = False
        #: Bytes a sample takes in the file, before compression.
        self.row_bytes = sum(np.dtype(spec.dtype).itemsize for spec in variables)
        # Refuse before anything is written or computed if the run cannot fit.
        require_free_space(path, n * self.row_bytes, f"the run's {n:,} samples")

    def _check_room(self, start: int) -> None:
        # Before every chunk: the rest of the run must still fit, so HDF5 never meets a
        # full disk (see results.disk_space for why that matters).
        remaining = self.n - start
        require_free_space(
            self.path, remaining * self.row_bytes, f"the remaining {remaining:,} samples"
        )

    def write(self, start: int, columns: Mapping[str, np.ndarray]) -> None:
        """Write rows ``start .. start + len`` of every variable.

        Raises
        ------
        results.disk_space.OutputWriteError
            The disk is (about to be) full or the write failed: one line naming the
            file and the fix (an ``OSError``; :class:`~results.disk_space.NoSpaceError`
            for a full disk).
        """
        self._check_room(start)
        try:
            self._write(start, columns)
        except OSError as exc:
            # HDF5's message spans lines (time, descriptor, buffer address): keep its gist.
            text = str(exc)
            full = exc.errno in _DISK_FULL or any(w in text for w in _DISK_FULL_WORDS)
            gist = (
                "the disk filled up (another program wrote to it since the last check)"
                if full
                else text.splitlines()[0]
            )
            error = NoSpaceError if full else OutputWriteError
            raise error(
                exc.errno or errno.EIO,
                f"could not write {self.path}: {gist}, with {self.n - start:,} samples to "
                "go; nothing was kept and an older file of that name is untouched; free "
                "some space or write elsewhere with -o",
            ) from None

    def commit(self) -> Path:
        """Close the file and move it to its final name (replacing an older one)."""
        self._close()
        replace_with(self.tmp, self.path)
        self.closed = True
        return self.path

    def abort(self) -> None:
        """Close and delete the temporary file; the final name is never touched."""
        if self.closed:
            return
        self.closed = True
        try:
            self._discard()
        except Exception:  # the file is being thrown away; a failed close must not mask why
            pass
        finally:
            _remove(self.tmp)

    def _discard(self) -> None:
        # Close a file that is about to be deleted.
        self._close()


_remove = remove_path


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_DISK_FULL_WORDS = ("No space left", "Disk quota exceeded", "File too large")


class NetCDFWriter(_Writer):
    """Per-sample variables in a NetCDF-4 file written with h5netcdf."""

    #: HDF5 has no concurrent writers: only this process writes the file.
    shared_by_workers = False

    def __init__(self, path, n, variables, attrs, chunk_rows, read_back=None):
        import h5netcdf

        super().__init__(Path(path), n, variables)
        self.file = None
        self.released = None
        try:
            # No chunk cache: every chunk goes to the file when written, so a full disk
            # fails that write with an OSError here, instead of surfacing at close as
            # errors raised from finalisers (and a crash) once the data is gone.
            # The run writes whole storage chunks, so the cache saves nothing.
            self.file = h5netcdf.File(self.tmp, "w", rdcc_nbytes=0)
            self.file.dimensions = {"sample": n}
            chunks = (max(1, min(n, chunk_rows)),)
            # No ``sample`` coordinate: the index is the position (0 .. n-1), which
            # xarray gives for a dimension without one, so storing it costs 8 bytes
            # per sample for nothing.
            self.variables = {}
            for spec in variables:
                # Fletcher32: HDF5 stores a checksum with each chunk and verifies it on
                # every read, so flipped bytes are refused instead of summarised.
                var = self.file.create_variable(
                    spec.name, ("sample",), spec.dtype, chunks=chunks, fletcher32=True
                )
                var.attrs.update(_clean_attrs(spec.attrs))
                self.variables[spec.name] = var
            self.file.attrs.update(_clean_attrs(attrs))
            self.chunk_rows = chunks[0]
            if read_back is not None:
                # Variables the caller will not read back soon: their pages are released
                # as the run goes (results.page_cache), so the cache does not grow by the
                # whole file; the ones read back stay cached for the summary.
                from results.page_cache import PageRelease

                self.released = [
                    var._h5ds.id for name, var in self.variables.items() if name not in read_back
                ]
                self.page_release = PageRelease(self.file._h5file.id.get_vfd_handle())
        except BaseException:
            # Interrupted or failed while creating the file: leave nothing behind.
            self.abort()
            raise

    def _write(self, start: int, columns: Mapping[str, np.ndarray]) -> None:
        _write_rows(self.variables, start, columns)
        if self.released:
            stop = start + len(next(iter(columns.values())))
            self.page_release.after_chunk(
                (info.byte_offset, info.size)
                for dataset in self.released
                for first in range(start, stop, self.chunk_rows)
                for info in [dataset.get_chunk_info_by_coord((first,))]
            )

    def _close(self) -> None:
        if self.file is not None:
            self.file.close()

    def _discard(self) -> None:
        # Empty the file first: on a full disk, closing must still find room for HDF5's
        # last metadata writes, or the close fails in HDF5 and can crash the process.
        if self.tmp.is_file():
            os.truncate(self.tmp, 0)
        self._close()


class ZarrWriter(_Writer):
    """Per-sample variables in a Zarr (format 2) store readable by ``xarray.open_zarr``."""

    #: Workers may write their own chunks into the store (:func:`write_zarr_region`).
    shared_by_workers = True

    def __init__(self, path, n, variables, attrs, chunk_rows):
        import zarr
        from numcodecs import CRC32

        super().__init__(Path(path), n, variables)
        self.group = None
        try:
            self.group = zarr.open_group(str(self.tmp), mode="w", zarr_format=2)
            chunks = (max(1, min(n, chunk_rows)),)
            self.chunk_rows = chunks[0]
            self.arrays = {}
            for name, dtype, var_attrs in [(s.name, s.dtype, s.attrs) for s in variables]:
                # CRC32 of each chunk's bytes before compression, verified on read; every
                # chunk stored, even one of zeros (Zarr skips those by default), so a
                # missing chunk file always means damage (results.integrity).
                arr = self.group.create_array(
                    name,
                    shape=(n,),
                    chunks=chunks,
                    dtype=dtype,
                    fill_value=None,
                    filters=[CRC32()],
                    config=STORE_EVERY_CHUNK,
                )
                arr.attrs.update({**_clean_attrs(var_attrs), "_ARRAY_DIMENSIONS": ["sample"]})
                self.arrays[name] = arr
            self.group.attrs.update(_clean_attrs(attrs))
        except BaseException:
            self.abort()
            raise

    def _write(self, start: int, columns: Mapping[str, np.ndarray]) -> None:
        _write_rows(self.arrays, start, columns)

    def _close(self) -> None:
        import zarr

        if self.group is not None and self.tmp.exists():
            zarr.consolidate_metadata(str(self.tmp))

    def _discard(self) -> None:
        pass  # nothing is open between writes; the store is deleted as it is


#: Zarr array configuration of a result store's writers: write chunks equal to the fill
#: value too. It is not stored in the metadata, so every writer opens arrays with it.
STORE_EVERY_CHUNK = {"write_empty_chunks": True}


def _write_rows(arrays, start: int, columns: Mapping[str, np.ndarray]) -> None:
    stop = start + len(next(iter(columns.values())))
    for name, values in columns.items():
        arrays[name][start:stop] = values


def write_zarr_region(store: str | Path, start: int, columns: Mapping[str, np.ndarray]) -> None:
    """Write rows into a Zarr store that a :class:`ZarrWriter` created, from any process.

    Used by Dask workers to write their own chunk of a run straight into the
    store (``ZarrWriter.tmp``) instead of sending the samples to the client.
    Concurrent writers are safe when each writes whole storage chunks
    (``start`` and the row count multiples of ``ZarrWriter.chunk_rows``, except
    the run's last rows): no two then touch the same chunk file. Writing a region
    again (a retried task) rewrites the same bytes.

    Parameters
    ----------
    store : str or Path
        The store's path, seen from this process (a shared filesystem for workers
        on other machines).
    start : int
        First sample of the region.
    columns : mapping of str to ndarray
        Every variable's values for the region, all the same length.
    """
    import zarr

    group = zarr.open_group(str(store), mode="r+", zarr_format=2)
    arrays = {name: group[name].with_config(STORE_EVERY_CHUNK) for name in columns}
    _write_rows(arrays, start, columns)


def open_writer(path, n, variables, attrs, chunk_rows, fmt=None, read_back=None):
    """Open a streaming writer for a run of ``n`` samples.

    Parameters
    ----------
    path : str or Path
        Final output path (``.nc``, or ``.zarr`` for a Zarr store).
    n : int
        Number of samples.
    variables : sequence of VariableSpec
        Per-sample variables.
    attrs : mapping
        Global attributes (provenance).
    chunk_rows : int
        Storage chunk length along ``sample``.
    fmt : {"netcdf", "zarr"} or None
        Storage format; by default from the path's suffix.
    read_back : collection of str or None
        The variables the caller will read soon after the run (its summary): in a
        NetCDF file the cached pages of the others are released as they are written
        (:mod:`results.page_cache`). None keeps every page cached. Only speed
        depends on it: any variable can be read, from the disk if not from the cache.

    Returns
    -------
    NetCDFWriter or ZarrWriter
        Call ``write(start, columns)`` per chunk, then ``commit()`` or ``abort()``.
    """
    path = Path(path)
    if not path.parent.exists():
        raise ValueError(f"{path}: folder {path.parent} does not exist; create it first")
    check_replaceable(path)
    recover_stale_temporaries(path)
    kind = format_for(path, fmt)
    if kind == "zarr":
        return ZarrWriter(path, n, variables, attrs, chunk_rows)
    return NetCDFWriter(path, n, variables, attrs, chunk_rows, read_back=read_back)


def open_result(path: str | Path):
    """Open a result file or store with xarray (lazily), refusing a damaged one.

    Before xarray opens it, every variable must have all its chunks stored; after,
    its shape must agree with what its writer recorded (:mod:`results.integrity`).
    Reads of the returned dataset verify the chunks' checksums (files written
    before checksums existed are read without).

    Parameters
    ----------
    path : str or Path
        A ``.nc`` file or ``.zarr`` store written by :func:`open_writer` or
        :func:`save_netcdf`.

    Returns
    -------
    xarray.Dataset
        The dataset, read lazily from disk and not cached: each access reads again.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    results.integrity.DamagedResultError
        A ``ValueError`` naming the file, what is damaged and what to do, when the
        file is truncated, a chunk is missing or the shape is wrong on open, or when
        a chunk fails its checksum as it is read.
    """
    import xarray as xr

    from results.integrity import check_dataset, check_stored_chunks, guard_reads

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such result file or store: {path}")
    fmt = format_for(path)
    check_stored_chunks(path, fmt)
    # No in-memory cache: a variable read for a summary or a plot is dropped when done,
    # so going through every column of a large run holds one column at a time, not all.
    # No Dask for Zarr either, so both formats read through the same checked arrays.
    if fmt == "zarr":
        ds = xr.open_dataset(path, engine="zarr", consolidated=True, chunks=None, cache=False)
    else:
        ds = xr.open_dataset(path, engine="h5netcdf", cache=False)
    try:
        check_dataset(ds, path)
    except BaseException:
        ds.close()
        raise
    return guard_reads(ds, path)


def save_netcdf(dataset, path: str | Path) -> Path:
    """Write an in-memory dataset to NetCDF atomically (temporary file, then rename).

    Parameters
    ----------
    dataset : xarray.Dataset
        The dataset (attributes must be strings or numbers).
    path : str or Path
        Target file; an older file there is replaced only once the new one is complete.

    Returns
    -------
    Path
        The written path.
    """
    path = Path(path)
    # HDF5 does not report a full disk cleanly (see results.disk_space): check first.
    require_free_space(path, dataset.nbytes, "the result's variables")
    # A Fletcher32 checksum on every numeric array, as the streaming writer stores, so
    # open_result refuses a damaged chunk. Set on a shallow copy's encodings (the
    # caller's dataset is left alone); HDF5 filters need chunked, non-scalar storage.
    dataset = dataset.copy(deep=False)
    for var in dataset.variables.values():
        if var.ndim >= 1 and var.size > 0 and var.dtype.kind in "biuf":
            var.encoding = {
                **{k: v for k, v in var.encoding.items() if k != "contiguous"},
                "fletcher32": True,
            }
    with atomic_path(path) as tmp:
        dataset.to_netcdf(tmp, engine="h5netcdf")
    return path
