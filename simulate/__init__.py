"""The lifecycle cost model, its Numba kernel, the Monte Carlo engine and the command line.

``simulate.run(scenario, n=..., seed=...)`` runs a Monte Carlo simulation and
returns an ``xarray.Dataset`` (see :func:`simulate.engine.montecarlo.run`).
"""


def __getattr__(name):
    # Imported on first use so that `tco --help` and the kernel stay light to import.
    if name == "run":
        from simulate.engine.montecarlo import run

        return run
    raise AttributeError(f"module 'simulate' has no attribute {name!r}")
