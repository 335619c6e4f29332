"""The operator's audit export: COPY path vs psql's own \\copy of the same SELECT vs the
Python path (issue 18's export target: at most 3x psql, streamed).

    DATABASE_URL=postgres://…/pp_scale .venv/bin/python bench/export_copy.py [ROWS] [PY_ROWS]

ROWS: newest events exported (default all); PY_ROWS: rows timed on the Python path (default
100,000; its time per row is reported). Prints a Markdown table.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402

from apps.audit.models import AuditEvent  # noqa: E402
from apps.core.csv_export import copy_csv_lines, csv_lines  # noqa: E402
from apps.portal.exports import operator_copy_query, operator_header, operator_rows  # noqa: E402


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else None
    py_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    queryset = AuditEvent.objects.order_by("-created_at", "-id")
    if rows:
        queryset = queryset[:rows]
    sql, params = operator_copy_query(queryset)
    connection.ensure_connection()
    statement = psycopg.ClientCursor(connection.connection).mogrify(sql, params)

    started = time.perf_counter()
    size = lines = 0
    for block in copy_csv_lines(operator_header(), sql, params):
        size += len(block)
        lines += block.count(b"\n")
    copy_s = time.perf_counter() - started

    settings = connection.settings_dict
    env = {**os.environ, "PGOPTIONS": "-c jit=off"}
    command = [
        "psql", "-X", "-q", "-h", settings["HOST"] or "127.0.0.1",
        "-p", str(settings["PORT"] or 5432), "-U", settings["USER"], "-d", settings["NAME"],
        "-c", f"\\copy ({statement}) TO '/dev/null' CSV",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    psql_s = time.perf_counter() - started

    started = time.perf_counter()
    py_count = 0
    newest = AuditEvent.objects.order_by("-created_at", "-id")[:py_rows]
    for _line in csv_lines(operator_header(), operator_rows(newest)):
        py_count += 1
    py_s = time.perf_counter() - started
    py_rows_done = py_count - 1
    per_row_us = py_s / max(py_rows_done, 1) * 1e6

    print(
        "| rows | COPY path (s) | psql \\copy (s) | ratio "
        f"| Python path (µs/row, {py_rows_done:,} rows) "
        "| Python path, whole export (s, extrapolated) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    exported = lines - 1
    print(
        f"| {exported:,} | {copy_s:.1f} | {psql_s:.1f} | {copy_s / psql_s:.2f}× | "
        f"{per_row_us:.0f} | {per_row_us * exported / 1e6:.0f} |"
    )
    print(f"\n{size / 1e6:.0f} MB written")


if __name__ == "__main__":
    main()
