"""The ``tco`` command line: a thin click group over one module per command.

Each command module imports only click at load time and the library inside the
command, so ``tco --help`` lists every command without loading NumPy, Numba,
SciPy or xarray. Domain errors (bad scenario input) become
:class:`click.ClickException` with the message intact, so no Python traceback
reaches the user for bad input.
"""

from __future__ import annotations

import click

from simulate.cli.breakeven import breakeven_command
from simulate.cli.calc import calc_command
from simulate.cli.calibrate import calibrate_command
from simulate.cli.compare import compare_command
from simulate.cli.evpi import evpi_command
from simulate.cli.export import export_command
from simulate.cli.fit import fit_command
from simulate.cli.listing import catalog_group, scenarios_command
from simulate.cli.optimize import optimize_command
from simulate.cli.options import show_plausibility_warnings, strict_option
from simulate.cli.pareto import pareto_command
from simulate.cli.platform import platform_command
from simulate.cli.plot import plot_command
from simulate.cli.report import report_command
from simulate.cli.run import run_command
from simulate.cli.signals import TcoGroup
from simulate.cli.sobol import sobol_command
from simulate.cli.sweep import sweep_command
from simulate.cli.tornado import tornado_command


@click.group(cls=TcoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lifecycle-tco")
@strict_option
def main():
    """Lifecycle TCO of an AI model: training, fine-tuning and years of inference.

    SCENARIO is a TOML file or the name of a built-in scenario (see `tco scenarios`);
    without it, the built-in default scenario is used. Values far outside what real
    deployments see (a PUE of 135, a power price of 0.08 USD/MWh) are warned about;
    --strict (here or on a command) makes them errors.
    """
    show_plausibility_warnings()
    import simulate.cli as cli

    click.get_current_context().meta["lifecycle_tco_started"] = cli.take_start()


for _command in (
    scenarios_command,
    calc_command,
    run_command,
    fit_command,
    sobol_command,
    tornado_command,
    sweep_command,
    plot_command,
    compare_command,
    breakeven_command,
    optimize_command,
    pareto_command,
    evpi_command,
    platform_command,
    calibrate_command,
    report_command,
    export_command,
    catalog_group,
):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
