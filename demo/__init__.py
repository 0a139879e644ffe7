"""The five reference tenants on one Tollgate deployment, walked end to end: `python -m demo` (`make demo`)."""
