"""Runs a user can tell apart: overrides in names, headers and labels; no silent replacing."""

import xarray as xr
from click.testing import CliRunner

from results.plot_sets import draw
from results.provenance import result_label
from scenarios.naming import override_tag, result_file_name, safe_stem
from simulate.cli.main import main

SMALL = ["-n", "300", "--seed", "1"]
B200 = ["--set", "hardware.accelerator=B200"]


def _run(args, cwd):
    return CliRunner().invoke(main, ["run", *SMALL, *args], catch_exceptions=False)


def test_runs_differing_only_by_set_never_share_a_default_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = _run([], tmp_path)
    other = _run(B200, tmp_path)
    assert base.exit_code == 0 and other.exit_code == 0, other.output
    files = sorted(p.name for p in tmp_path.glob("*.nc"))
    assert files == sorted([result_file_name("default", [], 300, 1),
                            result_file_name("default", B200[1:], 300, 1)])  # fmt: skip
    assert len(set(files)) == 2
    overrides = set()
    for name in files:
        with xr.open_dataset(tmp_path / name) as ds:
            overrides.add(ds.attrs["scenario_overrides"])
    assert overrides == {"", "hardware.accelerator=B200"}
    # The header says which run it is.
    assert other.output.startswith("Scenario default [hardware.accelerator=B200]: 300 samples")


def test_a_different_run_never_replaces_an_output_without_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "run.nc"
    assert _run(["-o", str(target)], tmp_path).exit_code == 0
    before = target.read_bytes()
    refused = CliRunner().invoke(main, ["run", *SMALL, *B200, "-o", str(target)])
    assert refused.exit_code == 1
    assert "already holds a different run" in refused.output
    assert "--overwrite" in refused.output and "scenario_sha256" in refused.output
    assert target.read_bytes() == before
    # The same run again replaces it (same seed, same numbers).
    again = _run(["-o", str(target)], tmp_path)
    assert again.exit_code == 0
    forced = _run([*B200, "-o", str(target), "--overwrite"], tmp_path)
    assert forced.exit_code == 0, forced.output
    with xr.open_dataset(target) as ds:
        assert ds.attrs["scenario_overrides"] == "hardware.accelerator=B200"


def test_a_file_that_is_not_a_result_is_not_replaced(tmp_path):
    target = tmp_path / "notes.nc"
    target.write_text("my notes")
    result = CliRunner().invoke(main, ["run", *SMALL, "-o", str(target)])
    assert result.exit_code == 1 and "not a result file" in result.output
    assert target.read_text() == "my notes"


def test_decision_and_tornado_outputs_are_guarded_too(tmp_path):
    target = tmp_path / "t.nc"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["tornado", "--kpi", "lifecycle_total", "-o", str(target)]).exit_code
        == 0
    )
    other = runner.invoke(main, ["tornado", *B200, "--kpi", "lifecycle_total", "-o", str(target)])
    assert other.exit_code == 1 and "different run" in other.output
    args = ["evpi", "serving-managed-api", "serving-self-managed-spot", "-n", "1000", "--bins", "5"]
    evpi = runner.invoke(main, [*args, "-o", str(target)])
    assert evpi.exit_code == 1 and "a tornado of default" in evpi.output


def test_compare_names_carry_the_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pair = ["compare", "accelerator-h100", "accelerator-b200", "-n", "200", "--seed", "1"]
    for extra in ([], ["--set", "power.hedge_share=0.9"]):
        result = CliRunner().invoke(main, [*pair, *extra])
        assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("compare-*.nc"))) == 2


def test_labels_tell_runs_apart_by_their_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _run(["-o", "base.nc"], tmp_path)
    _run([*B200, "-o", "b200.nc"], tmp_path)
    with xr.open_dataset("base.nc") as base, xr.open_dataset("b200.nc") as b200:
        assert result_label(base.attrs) == "default"
        assert result_label(b200.attrs) == "default [hardware.accelerator=B200]"
        ax = draw("distribution", [base.load(), b200.load()], kpi="token_cost_per_1k")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "default" in legend and "default [hardware.accelerator=B200]" in legend


def test_names_cannot_climb_out_of_the_folder():
    assert safe_stem("../../x") == "x"
    assert "/" not in safe_stem("a/b\\c") and ".." not in safe_stem("..")
    assert override_tag([]) == ""
    assert override_tag(["a=1"]) != override_tag(["a=2"])
