"""A full disk ends a write with one clear error; nothing is left and older results survive."""

import errno
import subprocess
import sys

import pytest
from click.testing import CliRunner

from results import disk_space
from results.disk_space import NoSpaceError, require_free_space
from simulate.cli.main import main
from simulate.engine.montecarlo import run
from simulate.engine.seeding import BLOCK_SIZE


def test_require_free_space_names_the_path_the_sizes_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(disk_space, "free_bytes", lambda path: 10 * 2**20)
    require_free_space(tmp_path / "run.nc", 5 * 2**20, "the run")
    with pytest.raises(NoSpaceError) as caught:
        require_free_space(tmp_path / "run.nc", 20 * 2**20, "the run's 1,000 samples")
    text = str(caught.value)
    assert caught.value.errno == errno.ENOSPC
    assert str(tmp_path / "run.nc") in text and "20.0 MiB" in text and "10.0 MiB free" in text
    assert "-o" in text and "\n" not in text


def test_a_run_too_large_for_the_disk_is_refused_before_it_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(disk_space, "free_bytes", lambda path: 2**20)
    calls = []
    with pytest.raises(NoSpaceError, match="the run's 50,000 samples"):
        run("default", n=50_000, seed=1, output=tmp_path / "run.nc", progress=calls.append)
    assert calls == [] and list(tmp_path.iterdir()) == []


def test_disk_filling_during_a_run_stops_it_and_keeps_the_older_file(tmp_path, monkeypatch):
    target = tmp_path / "run.nc"
    run("default", n=1000, seed=1, output=target).close()
    before = target.read_bytes()
    real = disk_space.free_bytes
    checks = []

    def filling(path):
        # Plenty of room for the first checks, then another program fills the disk.
        checks.append(path)
        return real(path) if len(checks) <= 3 else 0

    monkeypatch.setattr(disk_space, "free_bytes", filling)
    with pytest.raises(NoSpaceError, match="remaining"):
        run("default", n=8 * BLOCK_SIZE, seed=2, output=target, chunk_blocks=1)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]


def test_cli_disk_full_is_one_line_and_exit_1(tmp_path, monkeypatch):
    monkeypatch.setattr(disk_space, "free_bytes", lambda path: 2**20)
    result = CliRunner().invoke(main, ["run", "-n", "50000", "--seed", "1", "-o",
                                       str(tmp_path / "run.nc")])  # fmt: skip
    assert result.exit_code == 1
    assert result.output.startswith("Error: not enough free space")
    assert "Traceback" not in result.output and list(tmp_path.iterdir()) == []


def test_cli_compare_checks_the_space_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(disk_space, "free_bytes", lambda path: 2**10)
    target = tmp_path / "cmp.nc"
    result = CliRunner().invoke(main, ["compare", "default", "default", "-n", "2000",
                                       "--seed", "1", "-o", str(target)])  # fmt: skip
    assert result.exit_code == 1 and "not enough free space" in result.output
    assert list(tmp_path.iterdir()) == []


FULL_DISK_RUN = """
import sys
from results import disk_space
# Our own free-space checks pass: the write meets the full disk inside HDF5.
disk_space.free_bytes = lambda path: 2**50
from simulate.cli.main import main
sys.argv = ["tco", *sys.argv[1:]]
main()
"""


def _tiny_filesystem_available() -> bool:
    import shutil

    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /tmp"],
                           capture_output=True)  # fmt: skip
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _tiny_filesystem_available(), reason="needs unshare and a tmpfs mount")
def test_hdf5_meeting_a_full_disk_ends_in_one_line_without_a_crash(tmp_path):
    # An 8 MiB tmpfs (in a private mount namespace), an older result on it, and a run of
    # 24 MiB: HDF5's first chunk write fails with ENOSPC.
    script = tmp_path / "full_disk_run.py"
    script.write_text(FULL_DISK_RUN)
    disk = tmp_path / "disk"
    disk.mkdir()
    shell = (
        'mount -t tmpfs -o size=8m tmpfs "$1" && cd "$1" && '
        '"$2" -m simulate.cli.main run -n 2000 --seed 1 -o run.nc >/dev/null && '
        "sha256sum run.nc > /tmp/before && "
        '"$2" "$3" run -n 131072 --seed 2 -o run.nc --overwrite; status=$?; '
        "sha256sum run.nc | cmp -s - /tmp/before && echo SAME; ls -A; exit $status"
    )
    result = subprocess.run(["unshare", "-rm", "sh", "-c", shell, "sh", str(disk),
                             sys.executable, str(script), str(tmp_path / "before")],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.startswith("Error: could not write") and "disk filled up" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout.split() == ["SAME", "run.nc"]  # older file intact, nothing else


def test_a_huge_run_needs_allow_large(tmp_path):
    result = CliRunner().invoke(main, ["run", "-n", "1000000000000", "-o",
                                       str(tmp_path / "big.nc")])  # fmt: skip
    assert result.exit_code == 1
    assert "--allow-large" in result.output and "GiB" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_run_predicted_too_long_is_stopped_after_measuring(tmp_path):
    from simulate.cli.jobs import DurationGuard

    seen = []
    guard = DurationGuard(lambda done, total: seen.append(done), limit_seconds=1e-6,
                          measure_seconds=0.0)  # fmt: skip
    with pytest.raises(ValueError, match="--allow-large"):
        run("default", n=4 * BLOCK_SIZE, seed=1, output=tmp_path / "run.nc", chunk_blocks=1,
            progress=guard)  # fmt: skip
    assert seen and list(tmp_path.iterdir()) == []
    # A generous limit lets the run through.
    fine = DurationGuard(lambda done, total: None, limit_seconds=3600.0, measure_seconds=0.0)
    run("default", n=2 * BLOCK_SIZE, seed=1, output=tmp_path / "ok.nc", chunk_blocks=1,
        progress=fine).close()  # fmt: skip
    assert (tmp_path / "ok.nc").exists()
