"""Plot selection by result kind, `tco plot` and the `--plots DIR` option of the commands."""

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner
from matplotlib.image import imread

from results import plot_sets
from results.store import save_netcdf
from scenarios.loader import load_scenario
from simulate.cli.main import main
from simulate.engine.montecarlo import run
from simulate.sensitivity.sobol import sobol
from simulate.sensitivity.tornado import save_dataset, tornado


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    paths = {
        "run": folder / "run.nc",
        "run_all": folder / "run-all.nc",
        "sobol": folder / "sobol.nc",
        "tornado": folder / "tornado.nc",
    }
    run("default", n=3000, seed=1, output=paths["run"]).close()
    run("default", n=3000, seed=2, store="all", output=paths["run_all"]).close()
    scenario = load_scenario()
    save_netcdf(
        sobol(scenario, n=256, kpis=["token_cost_per_1k"], factors_only=True), paths["sobol"]
    )
    save_dataset(tornado(scenario, ["token_cost_per_1k", "lifecycle_total"]), paths["tornado"])
    return paths


def _open(path):
    return xr.open_dataset(path)


def _png(path):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = imread(path)
    assert image.ndim == 3 and min(image.shape[:2]) > 100
    assert np.ptp(image[..., :3]) > 0.5  # not a blank canvas


def test_result_kind_tells_the_files_apart(files):
    kinds = {name: plot_sets.result_kind(_open(path)) for name, path in files.items()}
    assert kinds == {"run": "run", "run_all": "run", "sobol": "sobol", "tornado": "tornado"}
    fake = xr.Dataset({"x": ("sample", np.zeros(3))}).expand_dims(scenario=["a", "b"])
    assert plot_sets.result_kind(fake) == "compare"
    with pytest.raises(ValueError, match="not a lifecycle-tco result"):
        plot_sets.result_kind(xr.Dataset({"x": ("time", np.zeros(3))}))


def test_default_plots_follow_what_the_result_holds(files):
    run_plots = plot_sets.default_plots(_open(files["run"]))
    assert ("distribution", "token_cost_per_1k") in run_plots
    assert ("scatter", "token_cost_per_1k") in run_plots
    # The cost breakdown needs every component, stored only by --store all.
    assert not any(p == "breakdown" for p, _ in run_plots)
    assert ("breakdown", "") in plot_sets.default_plots(_open(files["run_all"]))
    assert plot_sets.default_plots(_open(files["sobol"])) == [("sobol", "token_cost_per_1k")]
    assert plot_sets.default_plots(_open(files["tornado"])) == [
        ("tornado", "token_cost_per_1k"),
        ("tornado", "lifecycle_total"),
    ]


def test_draw_rejects_the_wrong_result(files):
    with pytest.raises(ValueError, match="needs a tornado result, not a sobol result"):
        plot_sets.draw("tornado", [_open(files["sobol"])])
    with pytest.raises(ValueError, match="draws one result; 2 were given"):
        plot_sets.draw("scatter", [_open(files["run"]), _open(files["run"])])
    with pytest.raises(ValueError, match="unknown"):
        plot_sets.draw("pie", [_open(files["run"])])


def test_distribution_of_a_comparison_overlays_each_scenario(files):
    a, b = _open(files["run"]), _open(files["run_all"])
    names = ["token_cost_per_1k", "lifecycle_total"]
    both = xr.concat([a[names], b[names]], dim=xr.DataArray(["stay", "move"], dims="scenario"))
    ax = plot_sets.draw("distribution", [both], kpi="token_cost_per_1k")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("stay" in t for t in legend) and any("move" in t for t in legend)


@pytest.mark.slow
def test_tco_plot_writes_each_kind(files, tmp_path):
    runner = CliRunner()
    cases = [
        ([str(files["run"]), str(files["run_all"])], ["--kind", "distribution"]),
        ([str(files["run_all"])], ["--kind", "breakdown"]),
        ([str(files["run"])], ["--kind", "scatter", "--sobol", str(files["sobol"])]),
        ([str(files["sobol"])], ["--top", "3"]),
        ([str(files["tornado"])], ["--kpi", "lifecycle_total"]),
    ]
    for i, (results, options) in enumerate(cases):
        out = tmp_path / f"plot{i}.png"
        result = runner.invoke(main, ["plot", *results, *options, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert f"Wrote {out}" in result.output
        _png(out)
    svg = tmp_path / "t.svg"
    result = runner.invoke(main, ["plot", str(files["tornado"]), "-o", str(svg)])
    assert result.exit_code == 0, result.output
    assert "<svg" in svg.read_text()[:2000] and "token_cost_per_1k" in svg.read_text()


def test_tco_plot_default_name(files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["plot", str(files["tornado"])])
    assert result.exit_code == 0, result.output
    _png(tmp_path / "tornado-tornado-token_cost_per_1k.png")


def test_tco_plot_errors(files, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["plot", str(tmp_path / "missing.nc")])
    assert result.exit_code != 0 and "missing.nc: no such result file" in result.output
    result = runner.invoke(main, ["plot", str(files["sobol"]), "--kind", "breakdown"])
    assert (
        result.exit_code != 0
        and "needs a run or compare result, not a sobol result" in result.output
    )
    result = runner.invoke(main, ["plot", str(files["run"]), "--kind", "breakdown"])
    assert result.exit_code != 0 and "--store all" in result.output
    out = tmp_path / "x.gif"
    result = runner.invoke(main, ["plot", str(files["tornado"]), "-o", str(out)])
    assert result.exit_code != 0 and "unsupported figure format" in result.output
    assert not out.exists()
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_run_tornado_sobol_and_compare_take_plots_dir(tmp_path):
    runner = CliRunner()
    commands = {
        "run": ["run", "-n", "2000", "--seed", "3", "--no-save"],
        "tornado": ["tornado", "--kpi", "token_cost_per_1k"],
        "sobol": ["sobol", "-N", "128", "--levers-only", "--kpi", "token_cost_per_1k"],
        "compare": [
            "compare",
            "accelerator-h100",
            "accelerator-b200",
            "-n",
            "2000",
            "--seed",
            "3",
            "--no-save",
            "--kpi",
            "token_cost_per_1k",
        ],
    }
    for name, args in commands.items():
        folder = tmp_path / name / "figs"  # parents are created too
        result = runner.invoke(main, [*args, "--plots", str(folder), "--json"])
        assert result.exit_code == 0, result.output
        json.loads(result.stdout)  # the file list goes to stderr, stdout stays JSON
        written = sorted(p.name for p in folder.iterdir())
        assert written, name
        assert not [p for p in written if p.startswith(".")]  # no temp files left
        for path in folder.iterdir():
            _png(path)
    assert "distribution-token_cost_per_1k.png" in {
        p.name for p in (tmp_path / "run" / "figs").iterdir()
    }


def test_plots_dir_that_is_a_file_is_an_error(tmp_path):
    target = tmp_path / "figs"
    target.write_text("not a folder")
    result = CliRunner().invoke(
        main, ["tornado", "--kpi", "token_cost_per_1k", "--plots", str(target)]
    )
    assert result.exit_code != 0
    assert "figs" in result.output and "Traceback" not in result.output
