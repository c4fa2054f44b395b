"""Lifecycle TCO of an AI model: the cost model, the sampling engine, analyses and the CLI.

``simulate.run(scenario, n=..., seed=...)`` runs a Monte Carlo simulation and returns an
``xarray.Dataset`` (:func:`simulate.engine.montecarlo.run`); ``simulate.compare``,
``simulate.sobol``, ``simulate.tornado`` and ``simulate.calculate`` are the comparison,
the sensitivity analyses and the base case. The rooms of the package are described in
``docs/architecture.md``.
"""

_API = {
    "run": "simulate.engine.montecarlo",
    "compare": "simulate.decisions.compare",
    "sobol": "simulate.sensitivity.sobol",
    "tornado": "simulate.sensitivity.tornado",
    "calculate": "simulate.model.base_case",
}


def __getattr__(name):
    # Imported on first use so that `tco --help` and the kernel stay light to import.
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'simulate' has no attribute {name!r}")
