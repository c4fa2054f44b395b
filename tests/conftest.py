"""Shared fixtures."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fixed-seed generator so failures reproduce."""
    return np.random.default_rng(20261123)


def _hypothesis_profiles():
    # Property tests draw the same examples on every run, so a CI run cannot fail on a
    # case no earlier run saw; HYPOTHESIS_PROFILE=explore draws fresh ones locally.
    import os

    from hypothesis import settings

    settings.register_profile("repeatable", derandomize=True)
    settings.register_profile("explore", derandomize=False)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


_hypothesis_profiles()
