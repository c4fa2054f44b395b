"""Regenerate the figures and the ranking table shown in the README.

Run from the repository root after ``pip install .``::

    python docs/figures.py

Writes ``docs/img/sobol-token-cost.png`` and prints the top levers of the default
scenario for three seeds (the stability check quoted in the README).
"""

from __future__ import annotations

from pathlib import Path

from results.figures import save_figure
from results.plots import sobol_bars
from results.rankings import sobol_ranking
from scenarios.loader import load_scenario
from simulate.sensitivity.sobol import sobol

KPI = "token_cost_per_1k"


def main() -> None:
    scenario = load_scenario()
    for seed in (0, 1, 2):
        ds = sobol(scenario, seed=seed, kpis=[KPI])
        levers = [(r[0], round(r[4], 3)) for r in sobol_ranking(ds, KPI) if r[1] == "lever"]
        print(f"seed {seed}: N = {ds.attrs['N']:,}, levers by ST: {levers}")
        if seed == 0:
            ax = sobol_bars(ds, KPI)
            target = Path(__file__).parent / "img" / "sobol-token-cost.png"
            save_figure(ax.figure, target)
            print(f"wrote {target}")


if __name__ == "__main__":
    main()
