"""Each hostile input a mutation campaign found: a clear error naming key, value and fix.

One test per reported case (a traceback or a hang before), plus the limits that
replaced them (docs/scenario.md, "Limits"). The fuzz suite, tests/test_fuzz_inputs.py,
looks for new ones.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from click.testing import CliRunner

from distributions import from_spec
from distributions.limits import MAX_BETA_SHAPE, MAX_FIT_POINTS, MAX_GAMMA_SHAPE
from scenarios.errors import ScenarioError
from scenarios.limits import MAX_DEPTH, MAX_LIST_ITEMS, MAX_SCENARIO_BYTES, read_toml
from scenarios.loader import load_scenario, parse_scenario
from scenarios.schema import FIELDS_BY_PATH
from scenarios.sources import builtin_text
from simulate.cli.main import main
from simulate.model import columns as col

PUE = 'pue = { dist = "pert", low = 1.15, mode = 1.35, high = 1.6 }'


def default_with(line: str) -> str:
    """The built-in default scenario with its facility.pue line replaced."""
    text = builtin_text("default")
    assert PUE in text
    return text.replace(PUE, line)


def refused(text: str, *overrides: str, source: str = "case.toml") -> str:
    """The ScenarioError message the text (and overrides) gets, within 2 s."""
    start = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source, overrides)
    assert time.monotonic() - start < 2.0
    return str(info.value)


def cli_error(*args: str) -> str:
    """Run the command line; require a non-zero exit whose last line is one Error: line."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: "), result.output
    return last


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 300, 5000])
def test_deep_nesting_in_a_file_is_refused(depth):
    # Hundreds deep raised RecursionError from Python's TOML reader.
    nested = "[" * depth + "1" + "]" * depth
    message = refused(default_with(f"pue = {nested}"))
    assert message.startswith("case.toml: ")
    assert "nested" in message and str(MAX_DEPTH) in message
    assert len(message) < 400  # the value is shown shortened, not 5,000 brackets


def test_deep_nesting_in_a_set_value_is_refused():
    nested = "[" * 2000 + "1" + "]" * 2000
    message = cli_error("calc", "--set", f"facility.pue={nested}")
    assert "facility.pue" in message and "nest" in message


def test_gamma_with_a_tiny_sd_names_the_conversion_and_the_fix():
    # (mean - loc) / sd squared overflowed: OverflowError.
    message = refused(default_with('pue = { dist = "gamma", mean = 1.4, sd = 1e-300, loc = 1 }'))
    assert "facility.pue" in message
    assert f"shape <= {MAX_GAMMA_SHAPE:g}" in message
    assert "sd=1e-300" in message and "normal" in message


def test_lognormal_moment_and_percentile_forms_never_overflow():
    # (sd / mean) ** 2 raised OverflowError; log(1 + r^2) = 2 log r + log1p(r^-2) does not.
    d = from_spec({"dist": "lognormal", "mean": 1.0, "sd": 1e200}, "x")
    assert d.params[1] == pytest.approx(math.sqrt(2.0 * math.log(1e200)), rel=1e-12)
    assert d.params[0] == pytest.approx(1e-200, rel=1e-9)  # mean = median exp(sigma^2 / 2)
    # exp(mu) raised OverflowError; now the family's check names the converted median.
    with pytest.raises(ValueError, match=r"x: lognormal needs .* \(converted from p1=1, p2="):
        from_spec({"dist": "lognormal", "p1": 1.0, "p2": 1e308}, "x")
    with pytest.raises(ValueError, match=r"sigma.* \(converted from mean=1e-10, sd=1e\+300\)"):
        from_spec({"dist": "lognormal", "mean": 1e-10, "sd": 1e300}, "x")


def test_an_empty_table_as_the_family_is_refused():
    # `dist = {}` raised TypeError: unhashable type: 'dict'.
    message = refused(default_with("pue = { dist = {}, low = 1 }"))
    assert "facility.pue: dist = {}" in message and "as a string" in message


def test_beta_with_enormous_shapes_is_refused_at_once():
    # a = b = 1e300 took 20 s to set up and gave 1 at every quantile.
    message = refused(
        default_with('pue = { dist = "beta", a = 1e300, b = 1e300, low = 1, high = 2 }')
    )
    assert f"a <= {MAX_BETA_SHAPE:g}" in message and "a=1e+300" in message


def test_beta_and_gamma_at_their_limits_still_compute():
    # The limits are where the families are still accurate: these must be accepted.
    beta = from_spec({"dist": "beta", "a": 0.5, "b": MAX_BETA_SHAPE}, "x")
    gamma = from_spec({"dist": "gamma", "shape": MAX_GAMMA_SHAPE, "scale": 1.0}, "x")
    assert 0.0 < beta.ppf(0.5) < 1e-8
    assert gamma.ppf(0.5) == pytest.approx(MAX_GAMMA_SHAPE, rel=1e-3)


def test_a_huge_empirical_table_is_refused_before_any_set_up():
    # A million values took seconds and 0.4 GB; a file of them is also over the size limit.
    values = ", ".join(["1.2"] * (MAX_LIST_ITEMS + 1))
    message = refused(default_with(f'pue = {{ dist = "empirical", values = [{values}] }}'))
    assert "facility.pue.values" in message and f"{MAX_LIST_ITEMS + 1:,} items" in message


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(builtin_text("default") + "#" * MAX_SCENARIO_BYTES, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"big.toml: [\d,]+ bytes; a scenario is at most"):
        load_scenario(path)


def test_overflowing_choice_weights_keep_their_proportions():
    # [1e308, 1e308] summed to inf: every weight became 0 and every draw the last value.
    d = from_spec({"dist": "choice", "values": [1.2, 1.3], "weights": [1e308, 1e308]}, "x")
    assert d.weights == (0.5, 0.5)
    draws = d.ppf(np.random.default_rng(3).random(4000))
    assert 0.45 < np.mean(draws == 1.2) < 0.55
    mixed = from_spec(
        {"dist": "choice", "values": [1, 2, 3], "weights": [1e308, 1e300, 5e307]}, "x"
    )
    assert mixed.weights == pytest.approx((1 / 1.5, 1e-8 / 1.5, 0.5 / 1.5))


def test_a_nul_in_the_scenario_name_is_refused_by_calc_too():
    # It passed `calc` and failed `run` with an HDF5 message naming neither key nor fix.
    message = cli_error("calc", "--set", 'scenario.name="a\\u0000b"')
    assert "scenario.name" in message and "'\\x00'" in message and "remove it" in message
    message = refused(builtin_text("default").replace('name = "default"', 'name = "a\\tb"'))
    assert "scenario.name" in message and "'\\t'" in message


def test_a_name_too_long_is_refused():
    message = refused(builtin_text("default").replace('name = "default"', f'name = "{"n" * 300}"'))
    assert "scenario.name" in message and "at most 200" in message


def test_integers_beyond_64_bits_are_refused():
    message = refused(default_with(f"pue = {10**400}"))
    assert "facility.pue" in message and "64 bits" in message and "1e25" in message


def test_a_surrogate_in_a_set_value_is_refused():
    # Undecodable command-line bytes arrive as lone surrogates, which are not UTF-8.
    message = cli_error("calc", "--set", "scenario.description=caf\udce9")
    assert "scenario.description" in message and "'\\udce9'" in message


def test_a_scenario_path_too_long_for_the_file_system_is_refused():
    message = cli_error("calc", "x" * 5000 + ".toml")
    assert "neither a scenario file nor a built-in scenario" in message
    assert len(message) < 600


def test_error_messages_show_long_values_shortened():
    message = refused(default_with(f"pue = [{', '.join(['1.3'] * 5000)}]"))
    assert "..." in message and len(message) < 400


def test_read_toml_parses_every_builtin_within_the_limits():
    # The limits must never refuse a real scenario.
    from scenarios.sources import builtin_names

    for name in builtin_names():
        assert read_toml(builtin_text(name), name)


POWERS_OF_TWO = ("serving.max_tensor_parallel", "fleet.node_accelerators")


def test_sixty_four_two_way_levers_do_not_hang_the_tco_index():
    # np.prod of the candidate counts wrapped to 0 in int64; 2**64 plans were enumerated.
    from simulate.model.tco_index import _bounded_inputs, _candidate_table, scenario_bounds

    overrides = []
    for field in FIELDS_BY_PATH.values():
        d = field.default
        # Powers of two by validation: a 1e-4 step is not a choice they can take.
        if d is None or d <= 0 or math.isinf(d) or field.path in POWERS_OF_TWO:
            continue
        step = 1e-4 if field.contains(d * 1.0004) else -1e-4
        # Ten four-way levers and the rest two-way: 2**64 divides the number of plans.
        choices = [d * (1 + k * step) for k in range(4 if len(overrides) < 10 else 2)]
        if all(field.contains(v) for v in choices):
            overrides.append(f"{field.path}={{lever='choice', choices={choices}, base={d!r}}}")
    scenario = parse_scenario(builtin_text("default"), "builtin:default", overrides)
    varied = _bounded_inputs(scenario)
    plans = math.prod(len(c) for c in _candidate_table(scenario, varied).values())
    assert plans >= 2**64 and plans % 2**64 == 0  # the case np.prod wrapped to 0
    start = time.monotonic()
    bounds = scenario_bounds(scenario)
    assert time.monotonic() - start < 10.0
    assert 0 < bounds.best_usd < bounds.worst_usd < math.inf


def test_outputs_beyond_float32_are_flagged():
    # A valid but absurd price gave 1e40 USD: finite in float64, inf in a float32 file.
    from helpers import random_valid_inputs

    from simulate.model.batch import model_outputs

    inputs = random_valid_inputs(np.random.default_rng(5), 400)
    inputs[::2, col.IN_SPOT_PRICE_USD_PER_MWH] = 1e35
    out, flags = model_outputs(inputs)
    huge = (flags & col.FLAG_NON_FINITE) != 0
    assert huge[::2].any() and not huge[1::2].any()
    kept = out[(flags & col.STRUCTURAL_FLAGS) == 0]
    assert np.all(np.abs(kept) < 2.0**128)
    assert np.all(np.isfinite(kept.astype(np.float32)))


def test_an_all_infeasible_priced_run_reports_its_infeasibility():
    # Every sample flagged: money_risk took percentiles of nothing (IndexError).
    result = CliRunner().invoke(
        main, ["run", "-n", "2000", "--no-save", "--set", "revenue.price_input_usd_per_1m=1e300"]
    )
    assert result.exit_code == 0, result.output
    assert "Infeasible samples: 2,000 of 2,000" in result.output


def test_fit_refuses_more_rows_than_it_fits_without_reading_them_all(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("v\n" + "1.5\n2.5\n" * (MAX_FIT_POINTS // 2 + 1), encoding="utf-8")
    message = cli_error("fit", str(path), "-c", "v")
    assert "big.csv" in message and f"more than {MAX_FIT_POINTS:,} data rows" in message


def test_an_unprintable_parent_or_path_gives_a_one_line_message(tmp_path):
    # extends = "line\nbreak" printed the name raw: an error message of two lines.
    text = 'extends = "line\\nbreak"\n' + builtin_text("default")
    message = refused(text)
    assert "\n" not in message and "'line\\nbreak'" in message
    odd = tmp_path / "a\nb.toml"
    odd.write_text(builtin_text("default"), encoding="utf-8")
    last = cli_error("calc", str(odd))
    assert "must be printable" in last and "rename the file" in last


def test_a_factor_that_draws_beyond_float32_is_refused():
    # sigma = 80 draws up to 3 exp(80 * 8.2): stored as float32 it was inf, with a
    # RuntimeWarning from the cast, in a run the model had flagged.
    message = refused(
        builtin_text("default"),
        'hardware.life_years={dist="lognormal", median=3, sigma=80}',
        source="builtin:default",
    )
    assert message.startswith("builtin:default: hardware.life_years = lognormal(")
    assert "float32" in message and "narrow it" in message
    # The same spread of a small quantity stays accepted: the limit is on the draws.
    parse_scenario(
        builtin_text("default"),
        "builtin:default",
        ['serving.step_overhead_s={dist="lognormal", median=0.008, sigma=5}'],
    )


def test_fit_refuses_data_beyond_what_a_distribution_can_hold(tmp_path):
    # 20,000 values spanning -1e308 to 1e308 kept the bounded fits spinning for 14 s
    # (90 s at 100,000) before every family failed.
    path = tmp_path / "wide.csv"
    path.write_text("v\n0.1\n1e308\n-1e308\n" + "1.1\n2.2\n" * 10_000, encoding="utf-8")
    start = time.monotonic()
    message = cli_error("fit", str(path), "-c", "v")
    assert time.monotonic() - start < 5.0
    assert "wide.csv:v: value 1e+308 at index 1" in message and "rescale the data" in message


def test_a_chain_of_parents_is_held_to_the_size_of_one_file(tmp_path):
    # Eight parents of 4 MiB each were 32 MiB of TOML to parse.
    parent = builtin_text("default") + "# " + "x" * (MAX_SCENARIO_BYTES * 6 // 10) + "\n"
    (tmp_path / "p1.toml").write_text(parent, encoding="utf-8")
    (tmp_path / "p2.toml").write_text('extends = "p1.toml"\n' + parent, encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text('extends = "p2.toml"\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError,
        match=r"p2.toml: extends = 'p1.toml': the scenario and its parents hold [\d,]+ bytes; at most",
    ):
        load_scenario(child)


def test_a_line_break_in_a_correlated_name_stays_on_one_line(tmp_path):
    # Names inside values may hold line breaks (text does); the message printed it raw.
    text = builtin_text("default") + (
        '\n[[correlation]]\nbetween = ["line\\nbreak", "facility.pue"]\nspearman = 0.3\n'
    )
    message = refused(text)
    assert "\n" not in message and "correlation[0].between: 'line\\nbreak'" in message
    data = tmp_path / "data.csv"
    data.write_text("v\n" + "\n".join(str(1 + k % 5) for k in range(20)), encoding="utf-8")
    last = cli_error("fit", str(data), "-c", "v", "--families", "normal,no\nrmal")
    assert "unknown family 'no\\nrmal'" in last
