"""Unmapped codes: national codes with no crosswalk row, reported after every successful build.

dbt model ``int_codes__unmapped`` lists them per dataset, crosswalk format, dimension and code (the
published ``unmapped_codes`` shows those of aggregate and population submissions). A code in a
breakdown is counted as ``unknown``; an unmapped *indicator* cannot be compared with anything, so
its rows are held back from ``comparable_counts`` until the crosswalk maps it. Nothing is dropped
silently.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FIX = "add a row to seeds/code_crosswalk.csv"
QUERY = """
select dataset, source_format, dimension, source_code, rows_affected, submissions,
       example_submission_id, example_row_number, treated_as
from intermediate.int_codes__unmapped
order by dataset, source_format, dimension, source_code
"""


def unmapped_code_warnings(build_db: Path) -> list[str]:
    """One warning line per row of ``intermediate.int_codes__unmapped`` in ``build_db`` (empty if none)."""
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'intermediate' and table_name = 'int_codes__unmapped'"
        ).fetchone()[0]
        rows = con.execute(QUERY).fetchall() if exists else []
    finally:
        con.close()
    out = []
    for dataset, fmt, dim, code, n_rows, n_subs, sid, row, treated in rows:
        what = "rows" if dataset in ("aggregates", "population") else f"{dataset} records"
        effect = (
            f"{n_rows} rows held back from comparable_counts (an unknown indicator cannot be compared)"
            if dim == "indicator"
            else f"{n_rows} {what} counted as {dim} {treated!r}"
        )
        where = f"submission {sid}" + (f", row {row}" if row is not None else "")
        out.append(
            f"unmapped code: format {fmt}, {dim} {code!r} in {n_subs} {dataset} submission(s) "
            f"(e.g. {where}): {effect}. Fix: {FIX} ({fmt},{dim},{code},<standard code>,<why>) "
            "and run `tipdw build` again"
        )
    return out
