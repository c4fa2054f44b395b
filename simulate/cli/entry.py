"""The ``tco`` console script: Ctrl-C even while the commands are imported exits quietly."""

from __future__ import annotations

from simulate.cli.signals import INTERRUPTED_STATUS


def entry() -> None:
    """Import the command group and run it; Ctrl-C during the import exits with 130."""
    try:
        from simulate.cli.main import main
    except KeyboardInterrupt:
        raise SystemExit(INTERRUPTED_STATUS) from None
    main()
