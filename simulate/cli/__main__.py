"""``python -m simulate.cli``: the ``tco`` command."""

from simulate.cli.main import main

main()
