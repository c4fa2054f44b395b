"""The cached pages of variables the summary does not read are released as a run is written.

The advice never changes a file: a run written with ``read_back`` is the same data as
one written without. What it is given is checked by recording the calls: exactly the
byte ranges of the chunks of the variables not read back, never one of a variable that
is read back.
"""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
import xarray as xr

import results.page_cache as page_cache
from results.page_cache import PageRelease
from results.store import NetCDFWriter, VariableSpec
from scenarios.loader import load_scenario
from simulate.cli.run import PER_MILLION, requested_outputs, summary_reads
from simulate.engine.montecarlo import run


def _recorded(monkeypatch) -> list[tuple[int, int, int]]:
    calls = []
    monkeypatch.setattr(page_cache.os, "posix_fadvise", lambda *a: calls.append(a), raising=False)
    return calls


def test_each_chunk_offers_the_ranges_of_the_last_lag_chunks(monkeypatch):
    calls = _recorded(monkeypatch)
    release = PageRelease(fd=9, lag=2)
    release.enabled = True
    release.after_chunk([(0, 10), (10, 0)])  # an empty range is skipped
    release.after_chunk([(20, 5)])
    release.after_chunk([(30, 5)])
    advice = os.POSIX_FADV_DONTNEED if hasattr(os, "POSIX_FADV_DONTNEED") else None
    assert [(c[1], c[2]) for c in calls] == [(0, 10), (0, 10), (20, 5), (20, 5), (30, 5)]
    assert {c[0] for c in calls} == {9} and {c[3] for c in calls} == {advice}


def test_lag_below_one_is_refused():
    with pytest.raises(ValueError, match="lag = 0"):
        PageRelease(fd=1, lag=0)


def test_nothing_is_called_where_the_system_has_no_fadvise(monkeypatch):
    monkeypatch.delattr(page_cache.os, "posix_fadvise", raising=False)
    release = PageRelease(fd=1)
    assert not release.enabled
    release.after_chunk([(0, 100)])  # no AttributeError


def _write(path, read_back, monkeypatch):
    calls = _recorded(monkeypatch)
    specs = [VariableSpec(name, "float32", {}) for name in ("kept", "dropped_a", "dropped_b")]
    writer = NetCDFWriter(path, 300, specs, {}, chunk_rows=50, read_back=read_back)
    rng = np.random.default_rng(3)
    data = {spec.name: rng.random(300).astype("f4") for spec in specs}
    # Two storage chunks per write, as when a task's chunk is larger than a storage chunk.
    for start in range(0, 300, 100):
        writer.write(start, {name: values[start : start + 100] for name, values in data.items()})
    writer.commit()
    return data, calls


def test_the_writer_offers_the_chunks_of_variables_not_read_back_only(tmp_path, monkeypatch):
    path = tmp_path / "r.nc"
    data, calls = _write(path, {"kept"}, monkeypatch)
    with h5py.File(path, "r") as file:
        chunks = {
            name: {
                (info.byte_offset, info.size)
                for info in (
                    file[name].id.get_chunk_info(i) for i in range(file[name].id.get_num_chunks())
                )
            }
            for name in data
        }
    offered = {(c[1], c[2]) for c in calls}
    assert offered == chunks["dropped_a"] | chunks["dropped_b"]
    assert not offered & chunks["kept"]
    with xr.open_dataset(path, engine="h5netcdf") as written:
        for name, values in data.items():
            np.testing.assert_array_equal(written[name].values, values)


def test_without_read_back_nothing_is_released(tmp_path, monkeypatch):
    _, calls = _write(tmp_path / "r.nc", None, monkeypatch)
    assert calls == []


def test_a_run_with_read_back_is_the_same_data_as_one_without(tmp_path, monkeypatch):
    kept = run("default", n=3000, seed=4, output=tmp_path / "a.nc", chunk_blocks=1)
    calls = _recorded(monkeypatch)
    released = run(
        "default",
        n=3000,
        seed=4,
        output=tmp_path / "b.nc",
        chunk_blocks=1,
        read_back={"token_cost_per_1k"},
    )
    assert calls  # the pages of every variable but one were offered
    for dataset in (kept, released):
        del dataset.attrs["created"]  # the clock, not the data
    xr.testing.assert_identical(kept.load(), released.load())


def test_the_summary_reads_its_table_and_its_money_lines():
    loaded = load_scenario(None, [])
    names = summary_reads(loaded, [], False, plots=False)
    assert set(requested_outputs([], False)) <= names
    assert PER_MILLION[1] in names  # the per-1M cost is scaled from the stored per-1k
    assert {"infeasible", "margin", "roi", "revenue_monthly", "lifecycle_total"} <= names
    assert "power_cap_served_share" not in names  # the default scenario sets no cap
    capped = load_scenario(None, ["facility.power_cap_mw=10"])
    assert "power_cap_served_share" in summary_reads(capped, [], False, plots=False)
    assert summary_reads(loaded, ["ttft_s"], False, plots=False) >= {"ttft_s", "infeasible"}
    assert summary_reads(loaded, [], False, plots=True) is None
