"""Ctrl-C and SIGTERM anywhere in a command: one line, status 130, files as they should be."""

import os
import signal

import pytest
import xarray as xr
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.engine.interrupt import InterruptedAfterSave
from simulate.engine.montecarlo import run
from simulate.engine.seeding import BLOCK_SIZE


def test_ctrl_c_while_loading_exits_130_with_one_line(monkeypatch):
    import scenarios.loader

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scenarios.loader, "load_scenario", interrupted)
    result = CliRunner().invoke(main, ["calc"])
    assert result.exit_code == 130
    assert result.output.strip() == "Interrupted."


def test_sigterm_outside_a_run_is_an_interrupt_and_the_handler_comes_back(monkeypatch):
    import scenarios.loader

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM should have interrupted the command")

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(scenarios.loader, "load_scenario", terminated)
    result = CliRunner().invoke(main, ["calc"])
    assert result.exit_code == 130 and "Interrupted." in result.output
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_during_the_last_write_keeps_the_older_file(tmp_path):
    target = tmp_path / "run.nc"
    run("default", n=1000, seed=1, output=target).close()
    before = target.read_bytes()

    def ctrl_c_at_the_end(done, total):
        if done == total:  # every chunk computed; the commit is next
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt) as caught:
        run("default", n=3 * BLOCK_SIZE, seed=2, output=target, chunk_blocks=1,
            progress=ctrl_c_at_the_end)  # fmt: skip
    assert not isinstance(caught.value, InterruptedAfterSave)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]


def test_ctrl_c_during_the_commit_finishes_it_and_says_so(tmp_path, monkeypatch):
    from results import store

    real = store.replace_with

    def interrupted_commit(tmp, path):
        os.kill(os.getpid(), signal.SIGINT)  # held back until the rename is done
        real(tmp, path)

    monkeypatch.setattr(store, "replace_with", interrupted_commit)
    target = tmp_path / "run.nc"
    with pytest.raises(InterruptedAfterSave) as caught:
        run("default", n=2000, seed=3, output=target)
    assert caught.value.path == target
    with xr.open_dataset(target) as ds:
        assert ds.attrs["seed"] == "3" and ds.sizes["sample"] == 2000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]


def test_ctrl_c_during_the_summary_says_the_file_is_saved(tmp_path, monkeypatch):
    import results.summary

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results.summary, "summarize", interrupted)
    target = tmp_path / "run.nc"
    result = CliRunner().invoke(main, ["run", "-n", "500", "--seed", "1", "-o", str(target)])
    assert result.exit_code == 130
    assert f"{target} is complete and saved" in result.output
    assert "Aborted" not in result.output and "Traceback" not in result.output
    with xr.open_dataset(target) as ds:
        assert ds.sizes["sample"] == 500
