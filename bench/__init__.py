"""Benchmarks of the portal's pages at demo size and at distributor scale (not a test suite).

    .venv/bin/python -m bench.run --demo-db postgres://…/pp_demo --scale-db postgres://…/pp_scale

writes bench/RESULTS.md. A module in this package that defines `PAGES` at the start of a line
(a list of `bench.pages.Page`) is measured with the others; the other modules are scripts
(`bench/api_lists.py`: the API's lists; `bench/export_copy.py`: the operator's export) and are
not imported by the runner.
"""
