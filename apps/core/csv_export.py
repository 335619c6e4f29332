"""Streamed CSV files: one writer for every export of the portal (audit events, customers).

The response is a StreamingHttpResponse fed by a generator, so a large export holds one chunk
of rows in memory at a time; cells that a spreadsheet would run as a formula are neutralised.

On PostgreSQL an export whose every cell can be computed in SQL can instead stream straight
from `COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)` (`streaming_copy_csv_response`): the
database writes the CSV, Python only forwards blocks of bytes (docs/performance.md, "CSV
exports").
"""

import csv
from collections.abc import Iterable, Iterator

from django.db import connections
from django.db.models import Func, TextField
from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK_SIZE = 2000
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection):
# names and reasons come from users, so such cells get a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a UTF-8 file as UTF-8 (Chinese names intact) only with a byte-order mark.
BOM = "\ufeff"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def streaming_csv_response(filename: str, header: list[str], rows: Iterable[list]):
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def export_filename(prefix: str) -> str:
    return f"{prefix}-{timezone.localtime():%Y%m%d-%H%M%S}.csv"


# ------------------------------------------------------------------------------
# COPY … TO STDOUT (PostgreSQL)
# ------------------------------------------------------------------------------
# What a forwarded block should hold at least: COPY sends one message a row, and a write per
# row to the client would cost more than the database's work.
COPY_BLOCK_BYTES = 64 * 1024


class RepeatedFunc(Func):
    """A Func whose template names its one expression several times: the expression's
    parameters are repeated for each use (Func passes them once)."""

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        context = {**self.extra, **extra, "expressions": sql}
        template = context.pop("template", self.template)
        uses = template.count("%(expressions)s")
        return template % context, tuple(params) * uses


class SafeCell(Func):
    """`safe_cell` in SQL, for a text expression (pp_csv_cell, migration core 0002): a
    leading apostrophe before a formula prefix, and NULL for an empty string. COPY writes NULL
    as an empty, unquoted field and "" as a quoted one; `csv.writer` writes an empty string
    unquoted, so NULL is what matches."""

    function = "pp_csv_cell"
    output_field = TextField()


def copy_csv_lines(header: list[str], sql: str, params, *, using: str = "default"):
    """The header (as `csv_lines` writes it, with the BOM) then the rows of `sql` as
    PostgreSQL's COPY writes them, in blocks of at least COPY_BLOCK_BYTES. Lines end in LF
    (COPY's line end) rather than the CRLF of `csv.writer`; the header follows suit."""
    import psycopg

    writer = csv.writer(_Echo(), lineterminator="\n")
    yield (BOM + writer.writerow([safe_cell(h) for h in header])).encode("utf-8")
    connection = connections[using]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        statement = psycopg.ClientCursor(raw.connection).mogrify(sql, params)
        buffer = bytearray()
        with raw.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer += block
                if len(buffer) >= COPY_BLOCK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)


def streaming_copy_csv_response(filename: str, header: list[str], sql: str, params):
    response = StreamingHttpResponse(
        copy_csv_lines(header, sql, params), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
