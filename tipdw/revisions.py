"""``tipdw revisions``: cells that changed between consecutive accepted versions of a scope.

Reads the published table ``revisions`` (dbt mart ``models/marts/revisions``) on the guarded
read-only connection, so listing revisions never blocks, or is blocked by, a build. Values are
after disclosure control; raw rows are never read.
"""

from __future__ import annotations

from datetime import date

from tipdw.config import Home
from tipdw.sqlaccess import query

COLUMNS = ["country_iso3", "year", "indicator", "sex", "age_group", "form_of_exploitation",
           "citizenship", "change", "old_value", "new_value", "old_submission_id", "old_accepted_at",
           "new_submission_id", "new_accepted_at", "source", "estimate_type", "old_suppression",
           "new_suppression"]  # fmt: skip


def list_revisions(
    home: Home, country: str | None = None, since: date | None = None
) -> tuple[list[str], list[tuple]]:
    """Revised cells, newest revision first; ``since`` keeps revisions accepted on or after it."""
    where, params = [], []
    if country:
        where.append("country_iso3 = ?")
        params.append(country.strip().upper())
    if since:
        where.append("new_accepted_at >= ?")
        params.append(since)
    sql = (
        f"select {', '.join(COLUMNS)} from main.revisions"
        f"{' where ' + ' and '.join(where) if where else ''}"
        " order by new_accepted_at desc, country_iso3, year, indicator, sex, age_group,"
        " form_of_exploitation, citizenship"
    )
    return query(home, _bind(sql, params))


def _bind(sql: str, params: list) -> str:
    """Inline parameters as SQL literals (the guarded connection runs whole statements)."""
    for p in params:
        lit = "'" + str(p).replace("'", "''") + "'"
        if isinstance(p, date):
            lit = f"cast({lit} as timestamp)"
        sql = sql.replace("?", lit, 1)
    return sql
