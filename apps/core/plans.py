"""Query plans on PostgreSQL: the planner's own row estimate, and a bounded plan for searches.

A searched list ordered by name (`… WHERE name ILIKE '%globex%' ORDER BY name LIMIT 26`)
tempts PostgreSQL to walk the name index and test each row until 26 match, on the assumption
that matches are spread evenly. Real matches cluster ("Globex …" sits in the middle of the
alphabet), and at 100,000 customers the walk tests 19,000 rows (29 ms). Read from the trigram
indexes instead, the matches are a bitmap of a few thousand rows sorted in memory (under
10 ms), and that cost is bounded by the number of matches, which EXPLAIN estimates for a
millisecond. `bounded_search_plan` takes that route while the estimate is small and leaves the
planner alone for broad searches, where the walk does find its rows at once.
"""

import json
from contextlib import contextmanager

from django.db import connections, transaction
from django.db.models import QuerySet

# Up to this many estimated matches a searched list is read from its (trigram) indexes and
# sorted, whatever the order's index offers (docs/performance.md)
BITMAP_SEARCH_LIMIT = 10_000


def planner_row_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows a query returns (EXPLAIN, which runs nothing)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


@contextmanager
def bounded_search_plan(matches: QuerySet, limit: int = BITMAP_SEARCH_LIMIT):
    """Within the block, queries on `matches`' database do not walk an index in order
    (`enable_indexscan = off`: bitmap scans of the search's indexes, then a sort) when
    PostgreSQL estimates at most `limit` rows for `matches`. Elsewhere, and for broad
    searches, nothing changes. The setting is local to a transaction the block opens and is
    put back when the block ends, so nothing after it is affected."""
    using = matches.db
    connection = connections[using]
    estimate = planner_row_estimate(matches)  # None where it is not PostgreSQL
    if estimate is None or estimate > limit:
        yield False
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
        try:
            yield True
        finally:
            # SET LOCAL lasts until the outermost transaction ends: undo it here in case
            # this block was nested in one (DEFAULT: the server's or role's own setting)
            if not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")
