"""Shared fixtures."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fixed-seed generator so failures reproduce."""
    return np.random.default_rng(20261123)
