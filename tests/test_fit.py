"""tco fit: reference fits with known answers, snippets, bad data, the QQ plot and the CLI.

Tolerances: parameters of regular families are checked to 4 asymptotic
standard errors from the Fisher information at n (a seeded draw; a false
failure for a fresh seed has probability ~6e-5 per parameter). Triangular and
PERT are non-regular (no closed-form SE); their check is 0.1 of the width,
~5x the largest spread measured over 20 seeds at n = 2000 (<= 0.02 of the width).
"""

import math
import tomllib
import warnings

import numpy as np
import pytest
import scipy.special as sc
from click.testing import CliRunner

from distributions import fit as F
from distributions import from_spec
from distributions.fit import best, fit_candidates
from distributions.fit_data import read_column
from distributions.fit_report import format_table, snippet
from results.figures import save_figure
from results.qq import qq_plot
from simulate.cli.fit import fit_command

N = 2000
SE4 = 4.0  # standard errors allowed for regular MLEs


def by_family(results):
    return {r.family: r for r in results}


# -- reference problems -------------------------------------------------------


def test_lognormal_data_lognormal_wins_within_sampling_error():
    rng = np.random.default_rng(101)
    median, sigma = 80.0, 0.4
    x = rng.lognormal(math.log(median), sigma, N)
    results = fit_candidates(x)
    win = best(results)
    assert win.family == "lognormal"
    assert results[0] is win
    m_hat, s_hat = win.distribution.params
    # MLE on log x: SE(log median) = sigma / sqrt(n), SE(sigma) = sigma / sqrt(2 n).
    assert abs(math.log(m_hat / median)) < SE4 * sigma / math.sqrt(N)
    assert abs(s_hat - sigma) < SE4 * sigma / math.sqrt(2 * N)
    # AIC is 2k - 2 log L with k = 2.
    assert win.aic == pytest.approx(4 - 2 * win.log_likelihood, rel=1e-12)


def test_gamma_data_gamma_wins_over_normal():
    rng = np.random.default_rng(202)
    shape, scale = 2.0, 3.0
    x = rng.gamma(shape, scale, N)
    results = by_family(fit_candidates(x))
    assert best(results.values()).family == "gamma"
    assert results["gamma"].aic < results["normal"].aic
    k_hat, th_hat, loc = results["gamma"].distribution.params
    assert loc == 0.0
    # Inverse Fisher information of (shape, scale) for n observations.
    info = N * np.array([[sc.polygamma(1, shape), 1 / scale], [1 / scale, shape / scale**2]])
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    assert abs(k_hat - shape) < SE4 * se[0]
    assert abs(th_hat - scale) < SE4 * se[1]


def test_normal_data_with_large_mean_tie_aware():
    # With cv = 0.05, lognormal and gamma are nearly normal: any of the three
    # may win, but normal must keep substantial support (dAIC < 10, the
    # Burnham & Anderson "essentially no support" threshold) and be right.
    rng = np.random.default_rng(303)
    mean, sd = 1000.0, 50.0
    x = rng.normal(mean, sd, N)
    results = fit_candidates(x)
    win = best(results)
    assert win.family in {"normal", "lognormal", "gamma"}
    normal = by_family(results)["normal"]
    assert normal.aic - win.aic < 10.0
    m_hat, s_hat = normal.distribution.params
    assert abs(m_hat - mean) < SE4 * sd / math.sqrt(N)
    assert abs(s_hat - sd) < SE4 * sd / math.sqrt(2 * N)
    assert m_hat == pytest.approx(x.mean(), rel=1e-12)  # MLE: sample mean, ddof = 0 sd
    assert s_hat == pytest.approx(x.std(ddof=0), rel=1e-12)


@pytest.mark.parametrize(
    ("family", "draw", "truth"),
    [
        ("uniform", lambda r: r.uniform(3.0, 7.0, N), (3.0, 7.0)),
        ("triangular", lambda r: r.triangular(1.0, 2.0, 5.0, N), (1.0, 2.0, 5.0)),
        # PERT(1, 2, 5): Beta(1 + 4 * 1/4, 1 + 4 * 3/4) on [1, 5].
        ("pert", lambda r: 1.0 + 4.0 * r.beta(2.0, 4.0, N), (1.0, 2.0, 5.0)),
    ],
)
def test_bounded_families_recover_their_parameters(family, draw, truth):
    x = draw(np.random.default_rng(404))
    win = best(fit_candidates(x))
    assert win.family == family
    params = np.array(win.distribution.params[: len(truth)])
    width = truth[-1] - truth[0]
    if family == "uniform":
        # Endpoint MLE error is ~Exponential(mean width / n): 10 means is e^-10 rare.
        tol = 10 * width / N
        assert params[0] >= x.min() - 1e-12 and params[1] <= x.max() + 1e-12
    else:
        tol = 0.1 * width
    np.testing.assert_allclose(params, truth, atol=tol)


def test_beta_on_unit_interval_recovers_a_b():
    a, b = 2.0, 5.0
    x = np.random.default_rng(505).beta(a, b, N)
    win = best(fit_candidates(x))
    assert win.family == "beta"
    a_hat, b_hat, low, high = win.distribution.params
    assert (low, high) == (0.0, 1.0)
    t = sc.polygamma(1, a + b)
    info = N * np.array([[sc.polygamma(1, a) - t, -t], [-t, sc.polygamma(1, b) - t]])
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    assert abs(a_hat - a) < SE4 * se[0]
    assert abs(b_hat - b) < SE4 * se[1]


def test_beta_fits_data_crowded_near_zero():
    # scipy's beta.fit root-finder fails to converge here; ours must not. Beta
    # with a huge b is a gamma, so a is checked against gamma(0.5)'s shape SE:
    # var = k / (n (k psi1(k) - 1)).
    k, n = 0.5, 300
    x = np.random.default_rng(6).gamma(k, 1e-9, n)  # a seed where scipy fails
    r = by_family(fit_candidates(x, families=["beta", "gamma"]))["beta"]
    assert not r.skipped, r.note
    se = math.sqrt(k / (n * (k * sc.polygamma(1, k) - 1)))
    assert abs(r.distribution.params[0] - k) < SE4 * se


def test_triangular_profile_matches_brute_force_mode():
    # The O(n) prefix-sum profile equals the direct log-likelihood at every mode.
    import scipy.stats as st

    xs = np.sort(np.random.default_rng(7).triangular(0.0, 1.0, 3.0, 50))
    low, high = -0.1, 3.2
    ll, i = F._triangular_profile(xs, low, high)
    direct = [
        st.triang((c - low) / (high - low), loc=low, scale=high - low).logpdf(xs).sum() for c in xs
    ]
    assert i == int(np.argmax(direct))
    assert ll == pytest.approx(max(direct), rel=1e-12)


# -- ranking, skipping, warnings ---------------------------------------------


def test_support_skips_with_reason_and_ranking_order():
    x = np.random.default_rng(606).normal(0.0, 1.0, 200)  # negative values present
    results = fit_candidates(x)
    fams = [r.family for r in results]
    skipped = {r.family: r for r in results if r.skipped}
    assert set(skipped) == {"lognormal", "gamma", "beta"}
    assert "needs all values > 0" in skipped["lognormal"].note
    assert "inside (0, 1)" in skipped["beta"].note
    ranked = [r for r in results if r.ranked]
    assert [r.aic for r in ranked] == sorted(r.aic for r in ranked)
    # Ranked first, then the empirical reference, then the skipped families.
    assert fams.index("empirical") == len(ranked)
    assert all(fams.index(f) > fams.index("empirical") for f in skipped)
    emp = by_family(results)["empirical"]
    assert math.isnan(emp.aic) and not emp.ranked and emp.ks_statistic < 0.01
    table = format_table(results)
    assert "never wins" in table and "skipped" in table and "optimistic" in table


def test_empirical_is_never_the_winner():
    x = np.random.default_rng(1).normal(size=50)
    results = fit_candidates(x, families=["empirical"])
    assert [r.family for r in results] == ["empirical"]
    with pytest.raises(ValueError, match="no parametric family could be fitted"):
        best(results)


def test_families_are_validated():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match=r"unknown family 'lognorml'; did you mean 'lognormal'\?"):
        fit_candidates(x, families="normal,lognorml")
    with pytest.raises(ValueError, match="'truncnormal' is not fitted"):
        fit_candidates(x, families=["truncnormal"])
    # Spaces are stripped and duplicates dropped.
    fams = [r.family for r in fit_candidates(x, families="uniform, normal,uniform")]
    assert sorted(fams) == ["normal", "uniform"]


def test_warnings_from_a_fitter_are_recorded_not_raised(monkeypatch):
    def noisy(x):
        warnings.warn("overflow encountered in a trial step", RuntimeWarning, stacklevel=1)
        return F._fit_normal(x)

    monkeypatch.setitem(F._FITTERS, "normal", (noisy, None))
    (res,) = fit_candidates(np.arange(20.0), families=["normal"])
    assert not res.skipped
    assert "RuntimeWarning: overflow encountered in a trial step" in res.note


def test_fit_candidates_rejects_bad_arrays():
    with pytest.raises(ValueError, match="not a finite number"):
        fit_candidates([1.0, 2.0, np.nan, 4, 5, 6, 7, 8, 9])
    with pytest.raises(ValueError, match=r"need at least 8 values .* got 3"):
        fit_candidates([1.0, 2.0, 3.0])


# -- snippets -----------------------------------------------------------------


def test_snippet_round_trips_for_every_family():
    # Data in (0, 1) so that every default family is fitted.
    x = np.random.default_rng(707).beta(2.0, 5.0, 300)
    results = fit_candidates(x)
    assert not any(r.skipped for r in results)
    for r in results:
        text = snippet(r, key="fleet.utilization_achieved_ratio", source="u.csv:ratio")
        assert text.startswith(f"# fitted by tco fit from u.csv:ratio, n = {x.size}")
        assert "# paste under [fleet]" in text
        table = tomllib.loads(text)["utilization_achieved_ratio"]
        d = from_spec(table, "snippet")
        assert d.family == r.family
        p, q = np.array(d.params), np.array(r.distribution.params)
        if r.family == "empirical":
            np.testing.assert_array_equal(p, q)
        else:
            # Six significant digits of the spread (0.16 here): <= 5e-6 x 0.16.
            np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
            # Still a valid density at every observation after rounding.
            assert np.isfinite(F.FAMILIES[d.family].scipy(d.params).logpdf(x)).all()


def test_snippet_rounds_bounds_outwards():
    # Nearest rounding of 1.2345678 at 1e-5 would give 1.23457 > min: a point
    # outside the support. Bounds must round down (low) and up (high).
    x = np.linspace(1.2345678, 2.2345671, 20)
    (r,) = fit_candidates(x, families=["uniform"])
    spec = tomllib.loads(snippet(r, key="k"))["k"]
    assert spec["low"] <= x.min() and spec["high"] >= x.max()
    assert spec["low"] == pytest.approx(x.min(), abs=1e-5)


def test_snippet_location_digits_follow_the_spread():
    # Six significant digits of the mean (1e6) would move it by a whole sd.
    x = np.random.default_rng(808).normal(1e6 + 0.123456, 1.0, 100)
    (r,) = fit_candidates(x, families=["normal"])
    spec = tomllib.loads(snippet(r, key="a.b.c"))["c"]
    assert abs(spec["mean"] - r.distribution.params[0]) <= 1e-5
    assert spec["sd"] == pytest.approx(r.distribution.params[1], rel=1e-5)


def test_snippet_of_skipped_family_is_an_error():
    results = by_family(fit_candidates(-np.arange(1.0, 11.0)))
    with pytest.raises(ValueError, match="lognormal was not fitted"):
        snippet(results["lognormal"])


# -- reading ------------------------------------------------------------------


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(values, header="date,price"):
    return header + "\n" + "".join(f"d{i},{v}\n" for i, v in enumerate(values))


def test_read_column_reads_values_in_order(tmp_path):
    text = "\ufeffdate , price\n" + "".join(f"d{i}, {i + 0.5} \n\n" for i in range(9))
    x = read_column(write(tmp_path, text), "price")
    np.testing.assert_array_equal(x, np.arange(9) + 0.5)


@pytest.mark.parametrize(
    ("text", "column", "match"),
    [
        (
            rows(range(10)),
            "prise",
            r"no column 'prise'; did you mean 'price'\? Columns: date, price",
        ),
        (rows(range(10)), "Price", r"did you mean 'price'\?"),
        (
            rows([1, 2, "12 USD", 4, 5, 6, 7, 8, 9]),
            "price",
            r"non-numeric value '12 USD' on line 4",
        ),
        (rows([1, 2, 3, "", 5, 6, 7, 8, 9]), "price", r"empty cell on line 5"),
        (
            rows([1, 2, 3, 4, "nan", 6, 7, 8, 9]),
            "price",
            r"value 'nan' on line 6 is not a finite number",
        ),
        (rows([1, 2, 3, 4, 5]), "price", r"need at least 8 values to fit a distribution, got 5"),
        (rows([3.0] * 10), "price", r'all 10 values equal 3\.0.*dist = "constant", value = 3\.0'),
        ("1.5,2.5\n" * 10, "price", r"first row looks like data, add a header row"),
        ("date;price\n" + "d;1\n" * 10, "price", r"another separator"),
        ("", "price", r"the file is empty"),
    ],
)
def test_read_column_errors(tmp_path, text, column, match):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=match) as info:
        read_column(path, column)
    assert str(path) in str(info.value)


def test_read_column_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"nope\.csv: data file does not exist"):
        read_column(tmp_path / "nope.csv", "price")


# -- QQ plot ------------------------------------------------------------------


def test_qq_points_lie_on_the_line_for_exact_quantiles():
    d = from_spec({"dist": "lognormal", "median": 80, "sigma": 0.4}, "t")
    n = 50
    values = d.ppf((np.arange(1, n + 1) - 0.5) / n)[::-1]  # order must not matter
    ax = qq_plot(values, d, units="USD/MWh")
    pts = ax.collections[0].get_offsets()
    np.testing.assert_allclose(pts[:, 0], pts[:, 1], rtol=1e-12)
    assert ax.get_xlabel() == "fitted lognormal quantile [USD/MWh]"
    assert ax.get_ylabel() == "observed quantile [USD/MWh]"
    assert any(line.get_label() == "1:1" for line in ax.get_lines())


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_save_figure_by_suffix(tmp_path, suffix, magic):
    d = from_spec({"dist": "normal", "mean": 0, "sd": 1}, "t")
    ax = qq_plot(np.linspace(-2, 2, 20), d)
    path = save_figure(ax.figure, tmp_path / f"qq{suffix}")
    assert path.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"qq{suffix}"]  # no temp left


def test_save_figure_rejects_unknown_suffix(tmp_path):
    d = from_spec({"dist": "normal", "mean": 0, "sd": 1}, "t")
    ax = qq_plot(np.linspace(-2, 2, 20), d)
    with pytest.raises(ValueError, match=r"unsupported figure format '\.jpg'"):
        save_figure(ax.figure, tmp_path / "qq.jpg")
    assert list(tmp_path.iterdir()) == []


# -- CLI ----------------------------------------------------------------------


@pytest.fixture
def price_csv(tmp_path):
    x = np.random.default_rng(909).lognormal(math.log(80.0), 0.4, 400)
    return write(tmp_path, rows([f"{v:.4f}" for v in x], header="date,spot"))


def test_cli_prints_table_and_writes_snippet_and_qq(price_csv, tmp_path):
    from matplotlib.image import imread

    out, qq = tmp_path / "snip.toml", tmp_path / "qq.png"
    result = CliRunner().invoke(
        fit_command,
        [
            *(str(price_csv), "--column", "spot", "--key", "power.spot_price_usd_per_mwh"),
            *("--qq", str(qq), "-o", str(out)),
        ],
    )
    assert result.exit_code == 0, result.output
    for word in ("family", "parameters", "log-lik", "AIC", "KS", "p-value", "lognormal"):
        assert word in result.stdout
    assert "spot_price_usd_per_mwh = { dist = " in result.stdout
    text = out.read_text()
    assert text in result.stdout  # the file holds the printed snippet
    spec = tomllib.loads(text)["spot_price_usd_per_mwh"]
    assert from_spec(spec, "snip").family == spec["dist"]
    image = imread(qq)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "qq.png", "snip.toml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column", "spt"], "did you mean 'spot'?"),
        (["--column", "spot", "--families", "normal,weibull"], "unknown family 'weibull'"),
        (["--column", "spot", "--qq", "{tmp}/qq.jpg"], "unsupported figure format"),
        (["--column", "spot", "-o", "{tmp}/missing/s.toml"], "does not exist"),
    ],
)
def test_cli_bad_input_is_a_clean_error(price_csv, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(fit_command, [str(price_csv), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # click's clean exit, not a crash
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_cli_non_numeric_cell(tmp_path):
    path = write(tmp_path, rows([1, 2, 3, "n/a", 5, 6, 7, 8, 9]))
    result = CliRunner().invoke(fit_command, [str(path), "-c", "price"])
    assert result.exit_code == 1
    assert "non-numeric value 'n/a' on line 5" in result.output
    assert "Traceback" not in result.output
