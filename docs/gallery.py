"""Regenerate the gallery of every standard plot: ``docs/gallery/*.png`` and ``docs/gallery.md``.

Run from the repository root after ``pip install .``::

    python docs/gallery.py            # the published gallery (about a minute)
    python docs/gallery.py --quick    # small runs, for a quick look

Every result kind the ``tco`` commands write is made from the built-in scenarios
with fixed seeds, and each of its standard plots (:func:`results.plot_sets.default_plots`,
the ones ``tco plot``, ``--plots`` and ``tco report`` draw) is saved as a PNG. The
test suite runs the quick version and checks that no tick label or legend entry
of any of these figures is in scientific notation.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HERE = Path(__file__).resolve().parent
KPI = "token_cost_per_1k"
COMPARED = ("accelerator-h100", "accelerator-h200", "accelerator-b200")
DECIDED = ("serving-managed-api", "serving-self-managed-spot")
LEVERS_FIXED = ("release.cadence_days=180", "power.hedge_share=0.5")


def make_results(quick: bool = False) -> list[tuple[str, object]]:
    """One result of every kind, from built-in scenarios with fixed seeds.

    Parameters
    ----------
    quick : bool
        Small sample sizes (seconds, for the tests) instead of the published ones.

    Returns
    -------
    list of (str, xarray.Dataset)
        A short name per result (``run``, ``compare``, ``sobol``, ...) and the result.
    """
    from scenarios.loader import load_scenario
    from simulate.decisions.breakeven import breakeven, breakeven_map
    from simulate.decisions.compare import compare
    from simulate.decisions.evpi import value_of_information
    from simulate.decisions.optimize import optimize
    from simulate.decisions.pareto import pareto
    from simulate.decisions.sweep import sweep
    from simulate.engine.montecarlo import run
    from simulate.sensitivity.sobol import sobol
    from simulate.sensitivity.tornado import tornado

    n = 4_000 if quick else 100_000
    scenario = load_scenario()
    fixed = load_scenario(overrides=list(LEVERS_FIXED))
    over = "demand.requests_per_day"
    return [
        ("run", run(scenario, n=n, seed=1, store="all")),
        ("compare", compare(list(COMPARED), n=n, seed=1)),
        (
            "sobol",
            sobol(
                scenario,
                n=256 if quick else 4096,
                kpis=[KPI],
                target_ci=0.001,
                max_n=512 if quick else 16384,
            ),
        ),
        ("tornado", tornado(scenario, kpis=[KPI])),
        (
            "breakeven",
            breakeven(list(DECIDED), over, [1e5, 1e6, 1e7, 1e8], n=n // 4, seed=2, kpi=KPI),
        ),
        (
            "breakeven-map",
            breakeven_map(
                list(DECIDED),
                over,
                [1e5, 1e6, 1e7, 1e8],
                "power.spot_price_usd_per_mwh",
                [40.0, 80.0, 160.0],
                n=n // 8,
                seed=2,
                kpi=KPI,
            ),
        ),
        ("optimize", optimize(fixed, kpi=KPI, n=n // 10, seed=0)),
        ("pareto", pareto(fixed, n=n // 10, seed=0)),
        ("evpi", value_of_information(list(DECIDED), n=n // 2, seed=0, bins=10)),
        (
            "sweep",
            sweep(scenario, "fleet.utilization_target", None, n=n // 10, seed=1, kpis=[KPI]),
        ),
    ]


def figures(results) -> list[tuple[str, str, object]]:
    """Every plot kind each result supports, drawn.

    Parameters
    ----------
    results : list of (str, xarray.Dataset)
        From :func:`make_results`.

    Returns
    -------
    list of (str, str, matplotlib.axes.Axes)
        File stem, caption and the axes drawn on (``ax.figure`` to save).
    """
    from results.plot_sets import PLOT_KINDS, draw, result_kind

    drawn = []
    for name, ds in results:
        kind = result_kind(ds)
        # Every plot kind the result supports, not only its default set.
        for plot, (accepted, description) in PLOT_KINDS.items():
            if kind not in accepted:
                continue
            ax = draw(plot, [ds], kpi=KPI)
            stem = name if plot == kind else f"{name}-{plot}"
            drawn.append((stem, f"`{plot}` of a {kind} result: {description}.", ax))
    return drawn


def write_gallery(folder: Path, quick: bool = False) -> list[Path]:
    """Draw every standard plot into ``folder`` and index them in ``folder.md``.

    Parameters
    ----------
    folder : Path
        Folder for the PNGs (created); the index goes beside it as ``<folder>.md``.
    quick : bool
        Small runs (see :func:`make_results`).

    Returns
    -------
    list of Path
        The PNG files written, then the index.
    """
    from results.figures import save_figure

    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Gallery of the standard plots",
        "",
        "Every plot `tco plot`, `--plots` and `tco report` draw, from the built-in scenarios",
        "with fixed seeds. Regenerate with `python docs/gallery.py` (numbers in human units,",
        "Okabe-Ito colour-blind-safe palette).",
        "",
    ]
    written = []
    for stem, caption, ax in figures(make_results(quick)):
        path = save_figure(ax.figure, folder / f"{stem}.png")
        written.append(path)
        lines += [f"## {stem}", "", caption, "", f"![{stem}]({folder.name}/{path.name})", ""]
    index = folder.parent / f"{folder.name}.md"
    tmp = index.with_name(f".{index.name}.partial")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(index)
    return [*written, index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small runs, for a quick look")
    parser.add_argument("--out", type=Path, default=HERE / "gallery", help="PNG folder")
    args = parser.parse_args()
    for path in write_gallery(args.out, args.quick):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
