"""Streamed CSV files: one writer for every export of the portal (audit events, customers).

The response is a StreamingHttpResponse fed by a generator, so a large export holds one chunk
of rows in memory at a time; cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
from collections.abc import Iterable, Iterator

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
