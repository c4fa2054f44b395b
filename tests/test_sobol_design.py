"""The Sobol/Saltelli design built with arrays equals SALib's, element for element."""

import numpy as np
import pytest
from SALib.sample import sobol as sobol_sample

from simulate.sensitivity.sobol import saltelli_design


@pytest.mark.parametrize("second_order", [False, True])
@pytest.mark.parametrize("groups", [None, ["g1", "g2", "g1", "g3", "g2"]])
def test_equals_salib(second_order, groups):
    problem = {"num_vars": 5, "names": [f"x{i}" for i in range(5)], "bounds": [[0.0, 1.0]] * 5}
    if groups:
        problem["groups"] = groups
    ours = saltelli_design(problem, 64, second_order, seed=12345)
    theirs = sobol_sample.sample(
        problem, 64, calc_second_order=second_order, scramble=True, seed=12345
    )
    assert ours.shape == theirs.shape
    assert np.array_equal(ours, theirs)


def test_scaled_bounds_match_salib():
    problem = {
        "num_vars": 3,
        "names": ["a", "b", "c"],
        "bounds": [[1.0, 3.0], [-2.0, 5.0], [0.0, 0.5]],
    }
    ours = saltelli_design(problem, 32, False, seed=7)
    theirs = sobol_sample.sample(problem, 32, calc_second_order=False, scramble=True, seed=7)
    assert np.array_equal(ours, theirs)
