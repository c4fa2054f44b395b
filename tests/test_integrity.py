"""Damaged result files are refused with one line naming the file, the damage and the fix.

Each test damages a copy of a small run written in a temporary folder (flipped bytes in
a chunk, a deleted Zarr chunk file, a truncated file, a cut or emptied run) and checks
that ``tco report``, ``tco plot`` and ``tco export`` exit with the message and no
traceback, where before they summarised the damaged values.
"""

import shutil

import h5py
import numpy as np
import pytest
import xarray as xr
import zarr
from click.testing import CliRunner

from results.export import run_summary_table
from results.integrity import DamagedResultError
from results.provenance import KIND_ATTR
from results.report import as_results, build_report
from results.store import NetCDFWriter, VariableSpec, open_result, save_netcdf
from simulate.cli.main import main
from simulate.engine.montecarlo import run

N = 20_000
COMMANDS = ("report", "plot", "export")
KPI = "token_cost_per_1k"  # the variable tco plot draws by default


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    # One block per chunk: two storage chunks per variable, so one can go missing.
    for name in ("r.nc", "r.zarr"):
        run("default", n=N, seed=1, output=folder / name, precision="float32", chunk_blocks=1)
    return folder


def _copy(originals, tmp_path, name):
    target = tmp_path / name
    if (originals / name).is_dir():
        shutil.copytree(originals / name, target)
    else:
        shutil.copy(originals / name, target)
    return target


def _flip(path, offset, count=50):
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + count):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _chunk_offset(path, name, index=0):
    with h5py.File(path, "r") as file:
        return file[name].id.get_chunk_info(index).byte_offset


def _invoke(command, path, tmp_path, *extra):
    output = {"report": "r.html", "plot": "r.png", "export": "r.csv"}[command]
    return CliRunner().invoke(main, [command, str(path), "-o", str(tmp_path / output), *extra])


def _refused(result, path, *words):
    """The command failed cleanly: exit 1, one line naming the file, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    line = lines[0]
    assert line.startswith(f"Error: {path}: "), line
    for word in (*words, "re-run"):
        assert word in line, (word, line)
    return line


def test_every_stored_chunk_carries_a_checksum(originals):
    with h5py.File(originals / "r.nc", "r") as file:
        stored = [file[name] for name in file if file[name].chunks is not None]
        assert len(stored) > 20
        assert all(data.fletcher32 for data in stored)
    group = zarr.open_group(str(originals / "r.zarr"), mode="r")
    for name, array in group.arrays():
        assert [f.codec_id for f in array.metadata.filters] == ["crc32"], name
        # Chunks of zeros are stored too (the feasible run's mask is all zeros), so a
        # missing chunk file always means damage.
        assert array.nchunks_initialized == array.nchunks == 2, name


@pytest.mark.parametrize("command", COMMANDS)
def test_flipped_bytes_in_a_netcdf_chunk_are_refused(originals, tmp_path, command):
    path = _copy(originals, tmp_path, "r.nc")
    _flip(path, _chunk_offset(path, KPI) + 1000)
    line = _refused(_invoke(command, path, tmp_path), path, KPI, "checksum", "--seed 1")
    assert f"-n {N}" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_zarr_chunk_is_refused(originals, tmp_path, command):
    path = _copy(originals, tmp_path, "r.zarr")
    (path / "lifecycle_total" / "1").unlink()
    line = _refused(_invoke(command, path, tmp_path), path, "lifecycle_total", "1 of its 2 chunk")
    assert "--seed 1" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_flipped_bytes_in_a_zarr_chunk_are_refused(originals, tmp_path, command):
    path = _copy(originals, tmp_path, "r.zarr")
    chunk = path / KPI / "0"
    _flip(chunk, chunk.stat().st_size // 2)
    _refused(_invoke(command, path, tmp_path), path, KPI, "checksum")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_truncated_netcdf_file_is_refused(originals, tmp_path, command):
    path = _copy(originals, tmp_path, "r.nc")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    _refused(_invoke(command, path, tmp_path), path, "truncated")


def test_flipped_bytes_in_the_middle_of_the_file_are_refused_by_a_full_export(originals, tmp_path):
    # Wherever they land among the variables: --samples reads every one of them.
    path = _copy(originals, tmp_path, "r.nc")
    _flip(path, path.stat().st_size // 2)
    result = _invoke("export", path, tmp_path, "--samples", str(tmp_path / "s.csv"))
    _refused(result, path, "checksum")
    assert not (tmp_path / "s.csv").exists() and not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_run_cut_short_is_refused(originals, tmp_path, command):
    path = tmp_path / "cut.nc"
    with open_result(originals / "r.nc") as ds:
        save_netcdf(ds.isel(sample=slice(0, 100)).load(), path)
    line = _refused(_invoke(command, path, tmp_path), path, "holds 100 samples")
    assert f"n_samples = {N:,}" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_run_with_no_samples_is_refused_not_divided_by(originals, tmp_path, command):
    path = tmp_path / "empty.nc"
    with open_result(originals / "r.nc") as ds:
        empty = ds.isel(sample=slice(0, 0)).load()
    empty.attrs["n_samples"] = 0
    save_netcdf(empty, path)
    _refused(_invoke(command, path, tmp_path), path, "holds no samples")


def test_a_run_of_no_samples_in_memory_summarises_without_dividing_by_zero():
    empty = run("default", n=2000, seed=1).isel(sample=slice(0, 0))
    table = run_summary_table(empty)
    assert (table["n_samples"] == 0).all() and (table["n_valid"] == 0).all()
    assert table["excluded_share"].isna().all() and table["infeasible_share"].isna().all()
    assert "0 samples" in build_report(as_results([("empty", empty)]))


def test_a_netcdf_file_with_a_chunk_never_written_is_refused(tmp_path):
    # A writer committed before its last chunk: HDF5 would read the gap as fill values.
    specs = [VariableSpec("x", "float32", {}), VariableSpec("infeasible", "int8", {})]
    attrs = {KIND_ATTR: "run", "seed": "7", "n_samples": 100}
    writer = NetCDFWriter(tmp_path / "gap.nc", 100, specs, attrs, chunk_rows=50)
    writer.write(0, {"x": np.ones(50, "f4"), "infeasible": np.zeros(50, "i1")})
    writer.write(50, {"infeasible": np.zeros(50, "i1")})
    path = writer.commit()
    with pytest.raises(DamagedResultError, match=r"variable x has 1 of its 2 chunks") as caught:
        open_result(path)
    assert "--seed 7 -n 100" in str(caught.value)


def test_open_result_raises_a_value_error_of_one_line(originals, tmp_path):
    path = _copy(originals, tmp_path, "r.zarr")
    (path / "infeasible" / "0").unlink()
    with pytest.raises(ValueError, match=r"variable infeasible has 1 of its 2") as caught:
        open_result(path)
    assert isinstance(caught.value, DamagedResultError)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize("edit", ["nan_where_feasible", "unknown_flag"])
def test_values_against_the_kernel_guarantees_are_refused(tmp_path, edit):
    # No checksum sees these (the file is rewritten whole): the summary pass does.
    ds = run("default", n=3000, seed=5)
    if edit == "nan_where_feasible":
        feasible = np.flatnonzero(ds["infeasible"].values == 0)[0]
        ds["lifecycle_total"].values[feasible] = np.nan
        words = ("lifecycle_total", "finite values")
    else:
        ds["infeasible"].values[0] = 64
        words = ("infeasible mask", "known flags")
    path = tmp_path / "edited.nc"
    save_netcdf(ds, path)
    for command in ("report", "export"):
        _refused(_invoke(command, path, tmp_path), path, *words)


def test_files_without_checksums_still_open_and_summarise_alike(originals, tmp_path):
    with open_result(originals / "r.nc") as ds:
        memory = ds.load().drop_encoding()
    expected = run_summary_table(memory)
    legacy_nc, legacy_zarr = tmp_path / "old.nc", tmp_path / "old.zarr"
    memory.to_netcdf(legacy_nc, engine="h5netcdf")  # no Fletcher32
    memory.to_zarr(legacy_zarr, zarr_format=2, consolidated=True)  # no CRC32
    with h5py.File(legacy_nc, "r") as file:
        assert not any(file[name].fletcher32 for name in file)
    for path in (legacy_nc, legacy_zarr):
        with open_result(path) as ds:
            table = run_summary_table(ds)
        np.testing.assert_array_equal(table["mean"], expected["mean"])
        assert _invoke("export", path, tmp_path).exit_code == 0


def test_saved_results_carry_checksums_and_keep_every_variable(tmp_path):
    ds = xr.Dataset(
        {
            "value": (("kpi", "param"), np.arange(6.0).reshape(2, 3)),
            "rank": ("param", np.array([2, 1, 3])),
            "label": ("param", np.array(["a", "b", "c"])),
            "total": ((), 4.5),
        },
        coords={"kpi": ["x", "y"], "param": ["p", "q", "r"]},
        attrs={"title": "something"},
    )
    path = save_netcdf(ds, tmp_path / "saved.nc")
    assert ds["value"].encoding == {}  # the caller's dataset is left alone
    with h5py.File(path, "r") as file:
        assert file["value"].fletcher32 and file["rank"].fletcher32
    with open_result(path) as back:
        xr.testing.assert_identical(back.load(), ds)


def test_a_damaged_read_in_a_report_figure_refuses_the_report():
    # A figure that cannot be drawn becomes a note in the report; a damaged file must not.
    from results.report.markup import _try_figure

    def damaged():
        raise DamagedResultError("r.nc: variable x cannot be read back")

    def empty():
        raise ValueError("no finite value")

    with pytest.raises(DamagedResultError):
        _try_figure(damaged, "Distribution of x")
    assert "not drawn" in _try_figure(empty, "Distribution of x")
