"""The lifecycle cost model, its Numba kernel and the command line."""
