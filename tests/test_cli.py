"""The tco command line: output, JSON, exit codes and clean errors."""

import json

import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.model import columns as col

REQUIRED_KEYS = {
    *col.KPI_NAMES,
    "tco_index",
    *col.FACTOR_NAMES,
    "tokens_per_dollar",
    "tokens_per_kwh",
    "joules_per_token",
    "cost_per_request",
    "cost_per_meaningful_response",
    "input_cost_per_1m",
    "output_cost_per_1m",
    "training_gpu_hours",
    "training_days",
    "infeasible",
    "infeasible_reasons",
    "tco_index_definition",
    "units",
}


@pytest.fixture
def runner():
    return CliRunner()


def test_calc_default_prints_every_kpi_with_units(runner):
    result = runner.invoke(main, ["calc"])
    assert result.exit_code == 0, result.output
    for name in (*col.KPI_NAMES, *col.FACTOR_NAMES, "tco_index", "joules_per_token"):
        assert name in result.output
    assert "USD/1k tokens" in result.output and "MWh/month" in result.output
    assert "TCO index = (lifecycle_total - best) / (worst - best)" in result.output


def test_calc_json_is_one_object_with_every_name(runner):
    result = runner.invoke(main, ["calc", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert REQUIRED_KEYS <= set(data)
    assert data["infeasible"] is False and data["infeasible_reasons"] == []
    assert data["units"]["token_cost_per_1k"] == "USD/1k tokens"
    assert 0.0 <= data["tco_index"] <= 1.0
    assert data["token_cost_per_1k"] == pytest.approx(
        data["lifecycle_total"] / (data["tokens_per_month"] * 36) * 1000
    )


def test_calc_set_changes_the_result(runner):
    base = json.loads(runner.invoke(main, ["calc", "--json"]).stdout)
    hot = json.loads(
        runner.invoke(main, ["calc", "--json", "--set", "power.spot_price_usd_per_mwh=300"]).stdout
    )
    assert hot["power_price"] > base["power_price"]
    assert hot["token_cost_per_1k"] > base["token_cost_per_1k"]


def test_calc_scenario_file(runner, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[model]\nname = "mistral-7b"\n[hardware]\naccelerator = "A10G"\n'
        '[fleet]\nownership = "cloud"\n[demand]\nrequests_per_day = 2e5\n'
        "[training]\ntokens = 1e11\naccelerators = 64\n"
    )
    result = runner.invoke(main, ["calc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenario_source"] == str(path)
    assert data["cloud_rent_monthly"] > 0 and data["amortization_monthly"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calc", "--set", "power.hedge_share=2"], "power.hedge_share = 2: 2 is outside"),
        (["calc", "--set", "power.hedge_sahre=0.2"], "did you mean 'power.hedge_share'"),
        (["calc", "nosuch"], "neither a scenario file nor a built-in scenario"),
    ],
)
def test_bad_input_gives_a_clean_error_and_non_zero_exit(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_bad_file_gives_a_clean_error(runner, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[model]\nname = "llama-3.1-8b"\n[facility]\npue = 0.5\n')
    result = runner.invoke(main, ["calc", str(path)])
    assert result.exit_code != 0
    assert f"{path}: facility.pue = 0.5" in result.output
    assert "Traceback" not in result.output


def test_infeasible_base_case_exits_non_zero_with_reason(runner):
    result = runner.invoke(
        main, ["calc", "--set", "model.name=llama-3.1-405b", "--set", "model.weight_bits=16"]
    )
    assert result.exit_code != 0
    assert "weights do not fit the largest allowed replica" in result.output


def test_scenarios_lists_builtins(runner):
    result = runner.invoke(main, ["scenarios"])
    assert result.exit_code == 0
    assert "default" in result.output and "fleet-cloud" in result.output
    # The calibration cases are built-in scenarios too, pointed to from the listing.
    assert "tco calibrate --list" in result.output


def test_catalog_listings(runner):
    hardware = runner.invoke(main, ["catalog", "hardware"])
    assert hardware.exit_code == 0 and "MI355X" in hardware.output
    models = runner.invoke(main, ["catalog", "models"])
    assert models.exit_code == 0 and "deepseek-v3" in models.output


def test_run_prints_summary_and_writes_the_dataset(runner, tmp_path):
    import xarray as xr

    path = tmp_path / "r.nc"
    result = runner.invoke(main, ["run", "-n", "20000", "--seed", "4", "-o", str(path)])
    assert result.exit_code == 0, result.output
    for text in ("token_cost_per_1k", "p95", "±", "Infeasible samples: 0 of 20,000", "seed 4"):
        assert text in result.output
    with xr.open_dataset(path) as ds:
        assert ds.sizes["sample"] == 20000 and ds.attrs["seed"] == "4"


def test_run_json_and_percentiles(runner):
    result = runner.invoke(
        main, ["run", "-n", "5000", "--seed", "4", "--no-save", "--json", "--percentiles", "10,90"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # progress lines go to stderr
    stats = data["statistics"]["token_cost_per_1k"]
    assert set(stats) == {"units", "mean", "std", "p10", "p90"}
    assert stats["p10"]["lower"] <= stats["p10"]["estimate"] <= stats["p10"]["upper"]
    assert data["infeasible"]["any"] == 0


def test_run_without_seed_prints_the_seed_it_used(runner):
    result = runner.invoke(main, ["run", "-n", "2000", "--no-save"])
    assert result.exit_code == 0, result.output
    assert "seed " in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--percentiles", "5,150"], "percentiles must lie in (0, 100)"),
        (["run", "-n", "0"], "0 is not in the range x>=1"),
        (["run", "nosuch", "-n", "10"], "neither a scenario file nor a built-in scenario"),
        (["run", "-n", "10", "-o", "/no/such/dir/x.nc"], "does not exist"),
    ],
)
def test_run_bad_input(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_leaves_no_file(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "big.nc"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulate.cli.main",
            "run",
            "-n",
            "50000000",
            "--seed",
            "1",
            "-o",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def written_bytes():
        return sum(p.stat().st_size for p in tmp_path.iterdir() if p.is_file())

    try:
        # Wait until chunks are being written (the temporary file grows past 1 MB; a cold
        # start first compiles the kernels), then interrupt the run.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None and written_bytes() < 2**20:
            time.sleep(0.1)
        started = written_bytes() >= 2**20
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert started, f"the run never started writing: {stderr}"
    assert proc.returncode == 130
    assert "Interrupted: no result file was written." in stderr
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_run_shows_the_per_token_figures_and_takes_a_kpi_selection():
    import json as _json

    from click.testing import CliRunner

    from simulate.cli.main import main

    runner = CliRunner()
    base = ["run", "-n", "2000", "--seed", "1", "--no-save"]
    table = runner.invoke(main, base)
    assert table.exit_code == 0, table.output
    rows = [line.split()[0] for line in table.output.splitlines() if line.startswith("  ")]
    for name in ("token_cost_per_1m", "input_cost_per_1m", "output_cost_per_1m",
                 "joules_per_token", "cost_per_meaningful_response"):  # fmt: skip
        assert name in rows
    # $/1M right under $/1k.
    assert rows.index("token_cost_per_1m") == rows.index("token_cost_per_1k") + 1
    payload = _json.loads(runner.invoke(main, [*base, "--json", "--kpi", "token_cost_per_1m",
                                               "--kpi", "ttft_s"]).output)  # fmt: skip
    assert list(payload["statistics"]) == ["token_cost_per_1m", "ttft_s"]
    assert payload["statistics"]["token_cost_per_1m"]["units"] == "USD/1M tokens"
    per_1k = _json.loads(
        runner.invoke(main, [*base, "--json", "--kpi", "token_cost_per_1k"]).output
    )
    p50 = "p50"
    assert payload["statistics"]["token_cost_per_1m"][p50]["estimate"] == pytest.approx(
        1000 * per_1k["statistics"]["token_cost_per_1k"][p50]["estimate"], rel=1e-6
    )
    extras = runner.invoke(main, [*base, "--extras"])
    assert "usd_per_accelerator_hour" in extras.output
    wrong = runner.invoke(main, [*base, "--kpi", "batch_size"])
    assert wrong.exit_code == 1 and "--store all" in wrong.output
