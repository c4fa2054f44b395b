"""The HTML report: built from small real results, parsed back as XML, checked against the data."""

import base64
import json
import re
import shlex
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner
from helpers import read_human, shows
from matplotlib.image import imread

from results.assumptions import assumptions, toml_comments
from results.human import without_exponents
from results.report import as_results, build_report, reproduce_command
from results.report.summary import HEADLINE_NOTE
from results.store import open_result, save_netcdf
from results.table import format_value
from scenarios.loader import load_scenario
from simulate.cli.main import main
from simulate.engine.montecarlo import run
from simulate.model import columns as col
from simulate.sensitivity.sobol import sobol
from simulate.sensitivity.tornado import save_dataset, tornado

XHTML = "{http://www.w3.org/1999/xhtml}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    scenario = load_scenario()
    run(scenario, n=3000, seed=11, store="all", output=folder / "run.nc")
    run(scenario, n=500, seed=12, output=folder / "standard.nc")
    save_netcdf(
        sobol(
            scenario,
            n=128,
            kpis=["lifecycle_total", "token_cost_per_1k"],
            levers_only=True,
            resamples=20,
        ),
        folder / "sobol.nc",
    )
    save_dataset(tornado(scenario, ["lifecycle_total", "training_cost"]), folder / "tornado.nc")
    return folder


def _report(files, *names, output="report.html"):
    out = files / output
    result = CliRunner().invoke(
        main, ["report", *[str(files / n) for n in names], "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def full(files):
    text = _report(files, "run.nc", "sobol.nc", "tornado.nc")
    return text, ET.fromstring(text)


def _all(root, tag):
    return list(root.iter(XHTML + tag))


def _text(element) -> str:
    return "".join(element.itertext())


def _table_after(root, caption):
    for table in _all(root, "table"):
        cap = table.find(XHTML + "caption")
        if cap is not None and _text(cap) == caption:
            return table
    raise AssertionError(f"no table captioned {caption!r}")


def _rows(table):
    return [[_text(td) for td in tr.findall(XHTML + "td")] for tr in table.iter(XHTML + "tr")][1:]


@pytest.mark.slow
def test_report_is_well_formed_and_has_every_section(full, files):
    text, root = full
    assert text.startswith("<!DOCTYPE html>")
    assert root.tag == XHTML + "html"
    headings = [_text(h) for h in _all(root, "h2")]
    for expected in (
        "Scenario default",
        "Monte Carlo summary: default",
        "Sensitivity ranking (Sobol): default",
        "Tornado: default",
        "Provenance",
    ):
        assert expected in headings
    ids = {s.get("id") for s in _all(root, "section")}
    links = [a.get("href") for a in _all(root, "a")]
    assert links and all(link[0] == "#" and link[1:] in ids for link in links)
    assert _text(root.find(f"{XHTML}head/{XHTML}title")) == "Lifecycle TCO report: default"
    assert not list(files.glob(".*partial*"))


def test_the_summary_comes_first_in_human_units(full, files):
    text, root = full
    sections = [s.get("id") for s in _all(root, "section")]
    assert sections[0] == "summary"
    body = text.split("<body>", 1)[1]
    # Before the summary: only the title and the line saying what the report was made from.
    assert body.index('<section id="summary">') < body.index("<nav>")
    summary = next(s for s in _all(root, "section") if s.get("id") == "summary")
    words = _text(summary)
    assert not re.search(r"\d[eE][+-]?\d", words)
    # The headline: the token cost's median and 90% interval, read back from the samples.
    ds = open_result(files / "run.nc")
    x = ds["token_cost_per_1k"].values
    x = x[np.isfinite(x)]
    rows = {r[0]: r for r in _rows(next(summary.iter(XHTML + "table")))}
    assert HEADLINE_NOTE in words
    for label, scale in (("Cost per 1,000 tokens", 1.0), ("Cost per 1M tokens", 1000.0)):
        median, low, high = _median_and_interval(rows[label][1])
        assert shows(median, scale * np.median(x))
        assert shows(low, scale * np.percentile(x, 5))
        assert shows(high, scale * np.percentile(x, 95))
    lifecycle = rows["Lifecycle total"][1]
    assert lifecycle.startswith("$") and lifecycle.split("$")[1][-1] in "kMB"
    # The top levers with what moving each does, and the infeasible share.
    items = [_text(li) for li in summary.iter(XHTML + "li")]
    levers = [i for i in items if i.startswith(("release.", "hardware.", "fleet.", "facility."))]
    assert len(levers) == 3 and all("%" in i for i in levers)
    assert "Infeasible" in words


def _median_and_interval(cell: str) -> tuple[str, str, str]:
    """A summary cell, "<median><low> to <high>" as text, in its three parts."""
    low_and_high = re.search(r"(-?\$[\d.,]+[kMBT]?) to (-?\$[\d.,]+[kMBT]?)$", cell)
    median = cell[: low_and_high.start()]
    return median, low_and_high.group(1), low_and_high.group(2)


def test_malformed_markup_would_be_caught():
    # The well-formedness check is a real parse: an unclosed cell fails it.
    with pytest.raises(ET.ParseError):
        ET.fromstring(
            '<html xmlns="http://www.w3.org/1999/xhtml"><table><tr><td>x</tr></table></html>'
        )


def test_report_refers_to_nothing_outside_itself(full):
    _, root = full
    assert not _all(root, "script") and not _all(root, "link")
    assert "url(" not in _text(root.find(f"{XHTML}head/{XHTML}style"))
    for element in root.iter():
        for attr in ("src", "href"):
            value = element.get(attr)
            if value is not None:
                assert value.startswith(("data:image/png;base64,", "#")), value


def test_embedded_figures_are_decodable_pngs(full, files, tmp_path):
    _, root = full
    images = _all(root, "img")
    sobol_ds, tornado_ds = (open_result(files / n) for n in ("sobol.nc", "tornado.nc"))
    # Distribution per KPI and TCO index, cost breakdown, Sobol bars and tornado per KPI.
    expected = len(col.KPI_NAMES) + 1 + 1 + sobol_ds.sizes["kpi"] + tornado_ds.sizes["kpi"]
    assert len(images) == expected
    for i, image in enumerate(images):
        data = base64.b64decode(image.get("src").split(",", 1)[1], validate=True)
        assert data.startswith(PNG_SIGNATURE)
        path = tmp_path / f"{i}.png"
        path.write_bytes(data)
        pixels = imread(path)
        assert pixels.ndim == 3 and min(pixels.shape[:2]) > 100
        assert np.ptp(pixels[..., :3]) > 0.5
        assert image.get("alt")
    captions = [_text(c) for c in _all(root, "figcaption")]
    assert "Distribution of lifecycle_total (3,000 samples)" in captions
    assert "Mean lifecycle cost by part" in captions
    assert "Tornado of training_cost" in captions


def test_summary_table_numbers_match_the_samples(full, files):
    _, root = full
    ds = open_result(files / "run.nc")
    rows = {row[0]: row for row in _rows(_table_after(root, "Key performance indicators"))}
    assert set(rows) == {*col.KPI_NAMES, "tco_index"}
    for kpi in rows:
        values = ds[kpi].values
        values = values[np.isfinite(values)]
        cells = rows[kpi]
        assert cells[1] == ds[kpi].attrs["units"]
        # Columns: output, unit, mean, std, p5, p50, p95, valid samples; human units.
        assert shows(cells[2], values.mean())
        assert shows(cells[3], values.std(ddof=1))
        for cell, q in zip(cells[4:7], (5, 50, 95), strict=True):
            assert shows(cell, np.percentile(values, q))
        if ds[kpi].attrs["units"].startswith("USD"):
            assert cells[2].startswith("$")
        # The bracketed interval holds the estimate (to the digits shown).
        low, high = (read_human(v) for v in re.findall(r"\[(.*), (.*)\]", cells[2])[0])
        assert low * (1 - 1e-3) <= values.mean() <= high * (1 + 1e-3)
        assert cells[7] == f"{values.size:,}"
    infeasible = _rows(_table_after(root, "Infeasible samples of 3,000"))
    assert infeasible[0][:2] == ["any", f"{np.count_nonzero(ds['infeasible'].values):,}"]


def test_assumptions_list_every_lever_and_factor_with_sources(full):
    _, root = full
    scenario = load_scenario()
    table = next(t for t in _all(root, "table") if "range or distribution" in _text(t))
    rows = {row[0]: row for row in _rows(table)}
    expected = {i.path for i in (*scenario.levers(), *scenario.factors())}
    assert set(rows) == expected
    for item in (*scenario.levers(), *scenario.factors()):
        assert rows[item.path][1] == item.kind
        assert rows[item.path][2] == without_exponents(item.describe())
        assert rows[item.path][3] == (item.unit or "-")
    assert "EIA 2023" in rows["power.spot_price_usd_per_mwh"][5]
    text = "".join(_text(t) for t in _all(root, "table"))
    h100 = scenario.hardware["H100"]
    assert h100.sources["board_power_w"] in text


def test_toml_comments_attach_to_the_right_key():
    text = (
        "# preamble\n\n[a]\n# about x\nx = 1  # inline\ny = 2\n\n# about z\n\nz = 3\n"
        "[training]\n# tokens: from the catalog\nmfu = 0.4\nname = 'a # not a comment'\n"
    )
    comments = toml_comments(text)
    assert comments == {
        "": "preamble",
        "a.x": "about x inline",
        "training.tokens": "tokens: from the catalog",
    }


def test_assumptions_mark_command_line_overrides():
    scenario = load_scenario(overrides=["facility.pue={dist='uniform', low=1.1, high=1.5}"])
    row = next(a for a in assumptions(scenario) if a.path == "facility.pue")
    assert row.source.startswith("set on the command line")


def test_sobol_and_tornado_tables_are_ranked_from_the_data(full, files):
    _, root = full
    sobol_ds = open_result(files / "sobol.nc")
    for kpi in sobol_ds["kpi"].values.astype(str):
        rows = _rows(_table_after(root, f"Sobol: {kpi}"))
        st = sobol_ds["ST"].sel(kpi=kpi)
        assert rows[0][1] == str(st["param"].values[int(np.nanargmax(st.values))])
        assert len(rows) == sobol_ds.sizes["param"]
        top = rows[0][1]
        assert shows(rows[0][4], float(st.sel(param=top)))
    tornado_ds = open_result(files / "tornado.nc")
    for kpi in tornado_ds["kpi"].values.astype(str):
        rows = _rows(_table_after(root, f"Tornado: {kpi}"))
        swing = tornado_ds["abs_swing"].sel(kpi=kpi)
        top = str(swing["param"].values[int(np.nanargmax(swing.values))])
        assert rows[0][1] == top
        unit = str(tornado_ds["kpi_units"].sel(kpi=kpi).item())
        swing = float(tornado_ds["swing"].sel(kpi=kpi, param=top))
        assert rows[0][5] == format_value(swing, unit, kpi)


def test_provenance_lists_seed_hash_versions_and_a_working_command(full, files):
    _, root = full
    ds = open_result(files / "run.nc")
    text = _text(root)
    for key in ("seed", "scenario_sha256", "numpy_version", "created"):
        assert str(ds.attrs[key]) in text
    (result,) = as_results([("run.nc", ds)])
    command = reproduce_command(result)
    assert command in text
    words = shlex.split(command)
    assert words[:2] == ["tco", "run"]
    out = CliRunner().invoke(main, [*words[1:], "--no-save", "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    rerun = json.loads(out.output)["statistics"]["lifecycle_total"]["mean"]["estimate"]
    assert rerun == float(np.nanmean(ds["lifecycle_total"].values))


def test_tornado_command_reproduces_the_tornado(files):
    ds = open_result(files / "tornado.nc")
    (result,) = as_results([("tornado.nc", ds)])
    words = shlex.split(reproduce_command(result))
    out = CliRunner().invoke(main, [*words[1:], "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)["kpis"]
    assert set(payload) == set(ds["kpi"].values.astype(str))
    assert payload["training_cost"]["base_value"] == float(
        ds["base_value"].sel(kpi="training_cost")
    )


@pytest.mark.slow
def test_missing_analyses_are_explained_not_omitted(files):
    root = ET.fromstring(_report(files, "standard.nc", output="standard.html"))
    howtos = [_text(p) for p in root.iter(XHTML + "p") if p.get("class") == "howto"]
    assert any("tco sobol default -o sobol.nc" in h for h in howtos)
    assert any("tco tornado default -o tornado.nc" in h for h in howtos)
    assert any("--store all" in h for h in howtos)  # no cost breakdown in a standard run
    assert "Mean lifecycle cost by part" not in _text(root)


def test_a_sobol_result_alone_still_shows_the_assumptions(files):
    root = ET.fromstring(_report(files, "sobol.nc", output="sobol.html"))
    assert "Assumptions: levers and uncertain factors" in [_text(h) for h in _all(root, "h3")]
    howtos = [_text(p) for p in root.iter(XHTML + "p") if p.get("class") == "howto"]
    assert any("tco run default -o run.nc" in h for h in howtos)


@pytest.mark.slow
def test_results_of_different_scenarios_are_flagged(files):
    other = tornado(load_scenario("mlperf-v5.0-llama2-70b-h100-offline"), ["lifecycle_total"])
    results = as_results([("run.nc", open_result(files / "standard.nc")), ("other.nc", other)])
    root = ET.fromstring(build_report(results))
    notes = [_text(p) for p in root.iter(XHTML + "p") if p.get("class") == "note"]
    assert any("different scenarios" in n for n in notes)
    assert [_text(h) for h in _all(root, "h2")].count("Provenance") == 1


@pytest.mark.slow
def test_unknown_files_and_bad_targets_fail_cleanly(files, tmp_path):
    odd = tmp_path / "odd.nc"
    save_netcdf(xr.Dataset({"x": ("foo", np.arange(3.0))}, attrs={"title": "something"}), odd)
    runner = CliRunner()
    out = runner.invoke(main, ["report", str(odd), "-o", str(tmp_path / "r.html")])
    assert out.exit_code == 1
    assert "not a lifecycle-tco result" in out.output and "tco sobol -o FILE" in out.output
    out = runner.invoke(
        main, ["report", str(tmp_path / "missing.nc"), "-o", str(tmp_path / "r.html")]
    )
    assert out.exit_code == 1 and "cannot open the result" in out.output
    target = tmp_path / "no-such-folder" / "r.html"
    out = runner.invoke(main, ["report", str(files / "tornado.nc"), "-o", str(target)])
    assert out.exit_code == 1 and "does not exist" in out.output
    assert not (tmp_path / "r.html").exists()


def test_sobol_command_reproduces_the_indices(files):
    ds = open_result(files / "sobol.nc")
    (result,) = as_results([("sobol.nc", ds)])
    words = shlex.split(reproduce_command(result))
    assert "--levers-only" in words and words.count("--kpi") == ds.sizes["kpi"]
    out = CliRunner().invoke(main, [*words[1:], "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    indices = json.loads(out.output[out.output.index("{") :])["indices"]
    for kpi in ds["kpi"].values.astype(str):
        for param in ds["param"].values.astype(str):
            assert indices[kpi][param]["ST"] == float(ds["ST"].sel(kpi=kpi, param=param))


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    from simulate.decisions.compare import compare

    folder = tmp_path_factory.mktemp("compare")
    compare(
        ["accelerator-h100", "accelerator-b200"],
        n=1500,
        seed=8,
        kpis=["token_cost_per_1k", "lifecycle_total"],
        output=folder / "cmp.nc",
    ).close()
    text = _report(folder, "cmp.nc", output="cmp.html")
    return folder, text, ET.fromstring(text)


def test_a_comparison_gets_its_section_scenarios_and_figures(comparison):
    folder, _, root = comparison
    ds = open_result(folder / "cmp.nc")
    headings = [_text(h) for h in _all(root, "h2")]
    assert "Scenario comparison: accelerator-h100 vs accelerator-b200" in headings
    # Each compared scenario gets its own scenario section with its assumptions.
    assert "Scenario accelerator-h100" in headings and "Scenario accelerator-b200" in headings
    assert "accelerator-b200 compared with accelerator-h100" in [_text(h) for h in _all(root, "h3")]
    medians = {
        row[0]: row
        for row in _rows(
            _table_after(
                root, "Medians per scenario (tco_index over the pooled bounds of all scenarios)"
            )
        )
    }
    for kpi in ("token_cost_per_1k", "lifecycle_total"):
        for column, label in ((2, "accelerator-h100"), (3, "accelerator-b200")):
            values = ds[kpi].sel(scenario=label).values
            assert shows(medians[kpi][column], np.median(values))
    pairs = _rows(
        _table_after(
            root,
            "B = accelerator-b200, A = accelerator-h100: paired samples, median of the "
            "per-sample difference",
        )
    )
    row = next(r for r in pairs if r[0] == "token_cost_per_1k")
    a = ds["token_cost_per_1k"].sel(scenario="accelerator-h100").values
    b = ds["token_cost_per_1k"].sel(scenario="accelerator-b200").values
    assert shows(row[2], np.median(b - a))
    assert row[4] == "P(A cheaper)"
    assert shows(row[5], np.mean(a < b), digits=2)
    captions = [_text(c) for c in _all(root, "figcaption")]
    assert (
        "token_cost_per_1k per scenario and paired difference B - A (1,500 samples each)"
        in captions
    )
    assert "Mean lifecycle cost by part, per scenario" in captions
    for image in _all(root, "img"):
        data = base64.b64decode(image.get("src").split(",", 1)[1], validate=True)
        assert data.startswith(PNG_SIGNATURE)


def test_the_summary_gives_the_comparison_verdict(comparison):
    folder, _, root = comparison
    ds = open_result(folder / "cmp.nc")
    summary = next(s for s in _all(root, "section") if s.get("id") == "summary")
    verdicts = [_text(li) for li in summary.iter(XHTML + "li") if " wins on " in _text(li)]
    assert len(verdicts) == 1
    a = ds["token_cost_per_1k"].sel(scenario="accelerator-h100").values
    b = ds["token_cost_per_1k"].sel(scenario="accelerator-b200").values
    winner = "accelerator-b200" if np.median(b - a) < 0 else "accelerator-h100"
    verdict = verdicts[0]
    assert verdict.startswith(f"{winner} wins on token_cost_per_1k")
    amount = re.search(r"by (\$[\d.,]+[kMBT]?)", verdict).group(1)
    assert shows(amount, abs(np.median(b - a)))
    share = re.search(r"better in ([\d.]+)% of the sampled worlds", verdict).group(1)
    wins = np.mean(b < a) if winner == "accelerator-b200" else np.mean(a < b)
    assert abs(float(share) / 100 - wins) < 0.001
    # Both scenarios' headline figures sit side by side.
    heads = [_text(th) for th in summary.iter(XHTML + "th")]
    assert "accelerator-h100" in heads and "accelerator-b200" in heads


def test_comparison_command_reproduces_the_comparison(comparison):
    folder, text, _ = comparison
    ds = open_result(folder / "cmp.nc")
    (result,) = as_results([("cmp.nc", ds)])
    command = reproduce_command(result)
    assert command in text
    words = shlex.split(command)
    assert words[:4] == ["tco", "compare", "accelerator-h100", "accelerator-b200"]
    out = CliRunner().invoke(main, [*words[1:], "--no-save", "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    (again,) = json.loads(out.stdout)["comparisons"]
    b = ds["lifecycle_total"].sel(scenario="accelerator-b200").values
    a = ds["lifecycle_total"].sel(scenario="accelerator-h100").values
    # Same seed, n, design and scenarios: the very same paired samples again.
    difference = again["kpis"]["lifecycle_total"]["difference_b_minus_a"]["estimate"]
    assert difference == float(np.median(b - a))


def test_a_run_with_its_years_shows_the_plan_by_year(full, files):
    _, root = full
    rows = _rows(_table_after(root, "The plan by year"))
    assert [r[0] for r in rows] == ["1", "2", "3"]
    ds = open_result(files / "run.nc")
    ok = np.isfinite(ds["lifecycle_total"].values)
    expected = [float(np.mean(ds[f"cost_year_{k}"].values[ok])) for k in (1, 2, 3)]
    shown_costs = [read_human(r[1].split("[")[0]) for r in rows]
    np.testing.assert_allclose(shown_costs, expected, rtol=5e-3)
    # A run without its year lines has no such table.
    standard = ET.fromstring(_report(files, "standard.nc", output="standard.html"))
    with pytest.raises(AssertionError, match="no table captioned"):
        _table_after(standard, "The plan by year")
