"""Benchmarks of the portal's pages at demo size and at distributor scale (not a test suite).

    .venv/bin/python -m bench.run --demo-db postgres://…/pp_demo --scale-db postgres://…/pp_scale

writes bench/RESULTS.md. A module in this package that defines `PAGES` (a list of
`bench.pages.Page`) is measured with the others: add `bench/api_lists.py` with its own `PAGES`
and it appears in the table.
"""
