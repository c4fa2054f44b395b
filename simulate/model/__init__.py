"""The cost model: every KPI of a sample computed in one place (see docs/architecture.md).

Importing the package loads nothing heavy: ``columns`` is plain Python, and the Numba
kernels load with the modules that hold them.
"""
