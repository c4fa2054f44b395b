"""The shipped erfcx table: how it was made, and that the function it drives is erfc."""

import math

import numpy as np
from scipy import special

from simulate.model.erfc import ERFC_X_MAX, ERFCX_TABLE, erfc, fit_erfcx_table


def test_shipped_table_is_the_fit_it_documents():
    # The same least-squares fit on another LAPACK may differ in the last bits only.
    np.testing.assert_allclose(ERFCX_TABLE, fit_erfcx_table(), rtol=1e-12, atol=1e-17)


def test_table_reproduces_scipy_erfcx_between_the_nodes():
    x = np.linspace(0.0, ERFC_X_MAX - 1e-9, 200_001)
    ours = np.array([erfc(v) for v in x[::50]])
    np.testing.assert_allclose(ours, special.erfc(x[::50]), rtol=2e-13, atol=0)


def test_negative_arguments_and_the_far_tail():
    for v in (-0.3, -2.0, -ERFC_X_MAX + 0.25, ERFC_X_MAX + 1.0, -ERFC_X_MAX - 1.0):
        assert abs(erfc(v) - math.erfc(v)) <= 2e-13 * math.erfc(v)
