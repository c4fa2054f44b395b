"""Outputs replace only what this tool wrote, and killed runs leave nothing for good."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from results.atomic import (
    atomic_path,
    check_replaceable,
    is_result_store,
    recover_stale_temporaries,
    replace_with,
)
from simulate.cli.main import main
from simulate.engine.montecarlo import run

SMALL = ["-n", "300", "--seed", "1"]


def dead_pid() -> int:
    """A process id that no longer runs (a child that has exited and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_partial_of_a_dead_run_is_removed_and_said(tmp_path):
    target = tmp_path / "run.nc"
    stale = tmp_path / f".run.nc.partial-{dead_pid()}"
    stale.write_bytes(b"x" * 2048)
    live = tmp_path / f".run.nc.partial-{os.getpid()}"  # a run that still writes
    live.write_bytes(b"y")
    other = tmp_path / f".other.nc.partial-{dead_pid()}"  # another output's: not ours
    other.write_bytes(b"z")
    done = recover_stale_temporaries(target)
    assert len(done) == 1 and str(stale) in done[0] and "killed" in done[0]
    assert not stale.exists() and live.exists() and other.exists()


def test_stale_store_partial_is_removed(tmp_path):
    stale = tmp_path / f".run.zarr.partial-{dead_pid()}"
    (stale / "token_cost_per_1k").mkdir(parents=True)
    (stale / "token_cost_per_1k" / "0").write_bytes(b"chunk")
    assert recover_stale_temporaries(tmp_path / "run.zarr")
    assert not stale.exists()


def test_a_backup_left_mid_commit_is_put_back_when_the_result_is_missing(tmp_path):
    target = tmp_path / "run.zarr"
    backup = tmp_path / f".run.zarr.old-{dead_pid()}"
    backup.mkdir()
    (backup / "marker").write_text("old store")
    done = recover_stale_temporaries(target)
    assert "restored" in done[0]
    assert (target / "marker").read_text() == "old store" and not backup.exists()
    # With the result in place, a leftover backup is just removed.
    backup.mkdir()
    recover_stale_temporaries(target)
    assert not backup.exists() and (target / "marker").exists()


def test_a_users_folder_is_never_replaceable(tmp_path):
    folder = tmp_path / "somedir"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    with pytest.raises(ValueError, match="folder that is not a result store"):
        check_replaceable(folder)
    with pytest.raises(ValueError, match="not a result store"):
        with atomic_path(folder) as tmp:
            tmp.write_text("new")
    assert (folder / "precious.txt").read_text() == "keep me"
    check_replaceable(tmp_path / "new.nc")  # nothing there: fine


def test_a_result_store_is_recognised_and_replaced(tmp_path):
    store = tmp_path / "run.zarr"
    run("default", n=500, seed=1, output=store).close()
    assert is_result_store(store)
    assert not is_result_store(tmp_path)
    run("default", n=500, seed=2, output=store).close()
    import xarray as xr

    with xr.open_zarr(store) as ds:
        assert ds.attrs["seed"] == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.zarr"]


def test_replace_with_a_file_is_one_rename(tmp_path):
    old, new = tmp_path / "run.nc", tmp_path / "new.nc"
    old.write_text("old")
    new.write_text("new")
    replace_with(new, old)
    assert old.read_text() == "new" and not new.exists()


def test_cli_refuses_a_users_folder_even_with_overwrite(tmp_path):
    folder = tmp_path / "somedir"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["run", *SMALL, "-o", str(folder), "--overwrite"])
    assert result.exit_code == 1
    assert "never replaces a folder it did not write" in result.output
    assert "Traceback" not in result.output
    assert (folder / "precious.txt").read_text() == "keep me"


def test_cli_removes_a_stale_temporary_and_says_so(tmp_path):
    target = tmp_path / "run.nc"
    stale = tmp_path / f".run.nc.partial-{dead_pid()}"
    stale.write_bytes(b"x" * 4096)
    result = CliRunner().invoke(main, ["run", *SMALL, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Note: removed" in result.output and stale.name in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]
