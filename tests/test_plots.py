"""Plots of the results layer: built from small real runs, saved, and read back."""

import numpy as np
import pytest
import xarray as xr
from matplotlib.image import imread

from results import plots
from results.figures import save_figure
from scenarios.loader import load_scenario
from simulate.engine.montecarlo import run
from simulate.sensitivity.sobol import sobol
from simulate.sensitivity.tornado import tornado


@pytest.fixture(scope="module")
def run_all():
    return run("default", n=4000, seed=1, store="all")


@pytest.fixture(scope="module")
def tornado_ds():
    return tornado(load_scenario())


@pytest.fixture(scope="module")
def sobol_ds():
    return sobol(
        load_scenario(),
        n=256,
        kpis=["lifecycle_total"],
        levers_only=True,
        target_ci=0.001,
        max_n=1024,
    )


def _saved(ax, tmp_path, stem):
    for suffix in (".png", ".svg", ".pdf"):
        path = tmp_path / f"{stem}{suffix}"
        save_figure(ax.figure, path)
        assert path.stat().st_size > 1000
    image = imread(tmp_path / f"{stem}.png")
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    # Not a blank canvas.
    assert np.ptp(image[..., :3]) > 0.5


def test_tornado_chart(tornado_ds, tmp_path):
    ax = plots.tornado_chart(tornado_ds, "lifecycle_total")
    params = tornado_ds.sizes["param"]
    assert len(ax.patches) == 2 * params  # a low-end and a high-end bar per input
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == params
    assert all(label.endswith(("[lever]", "[factor]")) for label in labels)
    # Largest |swing| on top (highest y tick).
    top_label = labels[int(np.argmax(ax.get_yticks()))]
    sub = tornado_ds.sel(kpi="lifecycle_total")
    biggest = str(sub.param.values[int(np.nanargmax(sub.abs_swing.values))])
    assert top_label.startswith(biggest + " ")
    assert "[USD]" in ax.get_xlabel()
    assert ax.get_title()
    base = float(sub.base_value)
    assert any(np.allclose(line.get_xdata(), base) for line in ax.get_lines())
    # Bars start at the base value and end at the KPI at that end.
    lows = sorted(p.get_x() + p.get_width() for p in ax.patches[:params])
    assert np.allclose(lows, np.sort(sub.value.sel(end="low").values))
    assert all(np.isclose(p.get_x(), base) for p in ax.patches)
    settings = {t.get_text() for t in ax.texts}
    units = dict(zip(sub.param.values, sub.param_units.values, strict=True))
    expected = {
        plots._setting_label(text, value, units[param], str(param))
        for param in sub.param.values
        for text, value in zip(
            sub.setting.sel(param=param).values,
            sub.setting_value.sel(param=param).values,
            strict=True,
        )
    }
    assert expected <= settings
    _saved(ax, tmp_path, "tornado")


def test_setting_labels_are_short_and_in_human_units():
    assert plots._setting_label("0.427046", 0.427046, "1", "training.mfu") == "42.7%"
    assert plots._setting_label("0.8", 0.8, "1", "hardware.price_multiplier") == "0.8"
    assert plots._setting_label("2e+07", 2e7, "requests/day", "demand.requests_per_day") == "20M"
    assert plots._setting_label("2e+07", 2e7, "USD", "facility.pue_capex_usd") == "$20M"
    assert plots._setting_label("MI300X", float("nan"), "", "hardware.accelerator") == "MI300X"


def test_tornado_chart_splits_rows_whose_ends_move_the_same_way(tornado_ds):
    sub = tornado_ds.sel(kpi="token_cost_per_1k")
    base = float(sub.base_value)
    shift = sub.value.transpose("param", "end").values - base
    same = [str(p) for p, (lo, hi) in zip(sub.param.values, shift, strict=True) if lo * hi > 0]
    assert same, "the default scenario has an input whose two ends raise the KPI"
    ax = plots.tornado_chart(tornado_ds, "token_cost_per_1k")
    params = tornado_ds.sizes["param"]
    labels = [t.get_text().split("  [")[0] for t in ax.get_yticklabels()]
    ticks = dict(zip(labels, ax.get_yticks(), strict=True))
    lows, highs = ax.patches[:params], ax.patches[params:]
    for name in same:
        centre = ticks[name]
        low = next(p for p in lows if abs(p.get_y() + p.get_height() / 2 - centre) < 0.5)
        high = next(p for p in highs if abs(p.get_y() + p.get_height() / 2 - centre) < 0.5)
        # Two thin bars side by side, not one over the other.
        assert low.get_y() >= high.get_y() + high.get_height() - 1e-9


def test_tornado_chart_top_and_unknown_kpi(tornado_ds):
    ax = plots.tornado_chart(tornado_ds, "token_cost_per_1k", top=4)
    assert len(ax.patches) == 8
    assert "[USD/1k tokens]" in ax.get_xlabel()
    with pytest.raises(ValueError, match="not in this tornado"):
        plots.tornado_chart(tornado_ds, "no_such_kpi")


def test_distribution_plot(run_all, tmp_path):
    other = run_all.copy()
    other.attrs["scenario_name"] = "shifted"
    other["token_cost_per_1k"] = run_all["token_cost_per_1k"] * 1.3
    other["token_cost_per_1k"][:10] = np.nan  # NaN is dropped, not plotted
    ax = plots.distribution_plot([run_all, other], "token_cost_per_1k", bins=40)
    assert "[USD/1k tokens]" in ax.get_xlabel()
    assert ax.get_ylabel() and ax.get_title()
    # 40 bars per dataset, 3 percentile lines per dataset, one CDF per dataset on the twin.
    assert len(ax.patches) == 80
    assert len(ax.get_lines()) == 6
    twin = next(a for a in ax.figure.axes if a is not ax)
    assert len(twin.get_lines()) == 2
    assert twin.get_lines()[1].get_xdata().size == run_all.sizes["sample"] - 10
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "default" in legend and "shifted" in legend
    p50 = np.percentile(run_all["token_cost_per_1k"].values, 50)
    assert any(np.allclose(line.get_xdata(), p50) for line in ax.get_lines())
    _saved(ax, tmp_path, "distribution")


def test_distribution_plot_cuts_the_tail_but_keeps_the_density_of_all_samples(run_all):
    x = run_all["lifecycle_total"].values
    x = x[np.isfinite(x)]
    ax = plots.distribution_plot(run_all, "lifecycle_total", bins=50, upper_percentile=90)
    # Each bar is its share of all samples: the bars shown add up to about 0.9, not 1.
    area = sum(p.get_height() for p in ax.patches)
    shown = np.mean(x <= np.percentile(x, 90))
    assert area == pytest.approx(shown, rel=1e-9)
    assert ax.get_xlim()[1] == pytest.approx(np.percentile(x, 90))
    assert "P90" in ax.get_title()
    full = plots.distribution_plot(run_all, "lifecycle_total", bins=50, upper_percentile=None)
    assert sum(p.get_height() for p in full.patches) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="upper_percentile"):
        plots.distribution_plot(run_all, "lifecycle_total", upper_percentile=0)


def test_distribution_plot_errors(run_all):
    with pytest.raises(ValueError, match="no variable 'nope'"):
        plots.distribution_plot(run_all, "nope")
    with pytest.raises(ValueError, match="1 labels for 2 datasets"):
        plots.distribution_plot([run_all, run_all], "lifecycle_total", labels=["a"])


def test_cost_breakdown(run_all, tmp_path):
    ax = plots.cost_breakdown(run_all)
    # One segment per component that is not zero in this run (an owned fleet pays no
    # cloud rent or API charges).
    nonzero = [label for label, mean in plots.breakdown_means(run_all)[0] if mean != 0.0]
    assert len(ax.patches) == len(nonzero) >= 5
    assert "USD" in ax.get_ylabel()
    assert "feasible" in ax.get_xlabel()
    assert ax.get_title()
    # The stack adds up to the mean lifecycle total (horizon derived from the identity).
    top = max(p.get_y() + p.get_height() for p in ax.patches)
    total = np.nanmean(run_all["lifecycle_total"].values)
    assert top == pytest.approx(total, rel=1e-9)
    # The default scenario's horizon is 3 years.
    assert "over 3 years" in ax.get_title()
    explicit = plots.cost_breakdown(run_all, horizon_years=3)
    assert max(p.get_y() + p.get_height() for p in explicit.patches) == pytest.approx(total)
    _saved(ax, tmp_path, "breakdown")


def test_cost_breakdown_needs_store_all(run_all):
    standard = run_all.drop_vars(["energy_cost_monthly", "sla_penalty_monthly"])
    with pytest.raises(
        ValueError, match=r"energy_cost_monthly, sla_penalty_monthly.*tco run --store all"
    ):
        plots.cost_breakdown(standard)
    bare = run_all.drop_vars(["lifecycle_total"])
    bare.attrs.pop("horizon_years")  # runs record their horizon; older files do not
    with pytest.raises(ValueError, match="pass horizon_years"):
        plots.cost_breakdown(bare)


def test_convergence_plot(sobol_ds, tmp_path):
    ax = plots.convergence_plot(sobol_ds)
    steps = sobol_ds.sizes["step"]
    assert steps == 3  # 256, 512, 1024: the 0.001 target is not met
    assert ax.get_xscale() == "log"
    assert "N" in ax.get_xlabel() and "log2" in ax.get_xlabel()
    assert "[1]" in ax.get_ylabel()
    half = ax.get_lines()[0]
    assert np.array_equal(half.get_xdata(), sobol_ds.history_n.values)
    twin = next(a for a in ax.figure.axes if a is not ax)
    assert len(twin.get_lines()) == min(5, sobol_ds.sizes["param"])
    assert all(line.get_xdata().size == steps for line in twin.get_lines())
    _saved(ax, tmp_path, "convergence")


def test_convergence_plot_needs_history(sobol_ds):
    bare = sobol_ds.drop_vars(["history_n", "history_widest_half_width", "history_S1"])
    bare = bare.drop_vars("history_ST")
    with pytest.raises(ValueError, match="tco sobol --target-ci W"):
        plots.convergence_plot(bare)


def test_scatter_top_factor(run_all, tmp_path):
    ax = plots.scatter_top_factor(run_all, "lifecycle_total", max_points=1000)
    factor = plots.top_factor(run_all, "lifecycle_total")
    assert factor in ax.get_xlabel()
    assert f"[{run_all[factor].attrs['units']}]" in ax.get_xlabel()
    assert "[USD]" in ax.get_ylabel()
    offsets = ax.collections[0].get_offsets()
    assert 500 <= len(offsets) <= 1000
    finite = np.isfinite(run_all[factor].values) & np.isfinite(run_all["lifecycle_total"].values)
    step = -(-int(finite.sum()) // 1000)
    assert np.array_equal(offsets[:, 0], run_all[factor].values[finite][::step])
    _saved(ax, tmp_path, "scatter")


def test_top_factor_is_the_strongest_rank_correlation(run_all):
    from scipy.stats import spearmanr

    kpi = run_all["energy_cost_monthly"].values
    ok = np.isfinite(kpi)
    rho = {
        name: abs(spearmanr(run_all[name].values[ok], kpi[ok]).statistic)
        for name in run_all.attrs["sampled_inputs"].split()
    }
    assert plots.top_factor(run_all, "energy_cost_monthly") == max(rho, key=rho.get)
    # A planted input that is a monotone function of the KPI must win.
    planted = run_all.assign(planted=-np.log(run_all["energy_cost_monthly"]))
    planted.attrs["sampled_inputs"] += " planted"
    assert plots.top_factor(planted, "energy_cost_monthly") == "planted"
    ax = plots.scatter_top_factor(run_all, "lifecycle_total", factor="facility.pue")
    assert "facility.pue" in ax.get_xlabel()
    assert len(ax.collections[0].get_offsets()) == np.isfinite(run_all.lifecycle_total).sum()


def test_scatter_top_factor_with_sobol(run_all, sobol_ds):
    # A levers-only Sobol run: its params are levers, none sampled in the run dataset.
    with pytest.raises(ValueError, match="none of the Sobol dataset's parameters"):
        plots.scatter_top_factor(run_all, "lifecycle_total", sobol=sobol_ds)
    renamed = sobol_ds.assign_coords(param=["facility.pue", *sobol_ds.param.values[1:]])
    ax = plots.scatter_top_factor(run_all, "lifecycle_total", sobol=renamed)
    assert "facility.pue" in ax.get_xlabel() and "largest ST" in ax.get_title()
    with pytest.raises(ValueError, match="no KPI 'nope'"):
        plots.scatter_top_factor(run_all, "nope")


def test_sobol_bars_still_works(sobol_ds):
    ax = plots.sobol_bars(sobol_ds, "lifecycle_total")
    assert len(ax.patches) == 2 * sobol_ds.sizes["param"]


def test_a_scenario_keeps_its_colour_across_figures(run_all):
    from matplotlib.colors import to_hex

    from results.comparison_plots import comparison_plot
    from results.plot_style import PALETTE, scenario_colours

    colours = scenario_colours(["other", "default"])
    assert colours == {"other": PALETTE[0], "default": PALETTE[1]}
    ax = plots.distribution_plot(run_all, "token_cost_per_1k", colours=colours)
    assert to_hex(ax.patches[0].get_facecolor()) == PALETTE[1].lower()
    pair = run_all[["token_cost_per_1k"]].expand_dims(scenario=["other", "default"])
    top = comparison_plot(pair, "token_cost_per_1k", colours=colours)
    # The median dots: one per scenario, edged in that scenario's colour.
    edges = [
        to_hex(line.get_markeredgecolor()) for line in top.get_lines() if line.get_marker() == "o"
    ]
    assert edges == [PALETTE[0].lower(), PALETTE[1].lower()]


def test_comparison_plot_draws_the_paired_difference(run_all):
    from results.comparison_plots import comparison_plot, interval_rows

    base = run_all["token_cost_per_1k"]
    pair = xr.concat([base, base * 0.7], dim="scenario").assign_coords(scenario=["a", "b"])
    ds = pair.to_dataset(name="token_cost_per_1k")
    top = comparison_plot(ds, "token_cost_per_1k")
    bottom = next(a for a in top.figure.axes if a is not top and a.get_visible())
    labels = [t.get_text() for t in bottom.get_yticklabels()]
    assert labels == ["B = b\nP(B cheaper) = 100%"]
    # The glyph of the difference: its median dot sits at the median of b - a.
    difference = (base * 0.7 - base).values
    (dot,) = [line for line in bottom.get_lines() if line.get_marker() == "o"]
    assert dot.get_xdata()[0] == pytest.approx(np.nanmedian(difference))
    assert interval_rows(difference[None, :])[0, 2] == pytest.approx(np.nanmedian(difference))
    with pytest.raises(ValueError, match="tco compare result"):
        comparison_plot(run_all, "token_cost_per_1k")
