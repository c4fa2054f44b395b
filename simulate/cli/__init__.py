"""The ``tco`` command line: one thin module per command (entry point ``simulate.cli.main``)."""
