"""Unmapped codes: national codes with no crosswalk row, reported after every successful build.

dbt model ``unmapped_codes`` lists them (per format, dimension and code). A code in a breakdown is
counted as ``unknown``; an unmapped *indicator* cannot be compared with anything, so its rows are
held back from ``comparable_counts`` until the crosswalk maps it. Nothing is dropped silently.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FIX = "add a row to seeds/code_crosswalk.csv"


def unmapped_code_warnings(build_db: Path) -> list[str]:
    """One warning line per row of ``marts.unmapped_codes`` in ``build_db`` (empty if none)."""
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'unmapped_codes'"
        ).fetchone()[0]
        if not exists:
            return []
        rows = con.execute(
            "select source_format, dimension, source_code, rows_affected, submissions, example_submission_id, "
            "example_row_number, treated_as from marts.unmapped_codes "
            "order by source_format, dimension, source_code"
        ).fetchall()
    finally:
        con.close()
    out = []
    for fmt, dim, code, n_rows, n_subs, sid, row, treated in rows:
        effect = (
            f"{n_rows} rows held back from comparable_counts (an unknown indicator cannot be compared)"
            if dim == "indicator"
            else f"{n_rows} rows counted as {dim} {treated!r}"
        )
        out.append(
            f"unmapped code: format {fmt}, {dim} {code!r} in {n_subs} submission(s) "
            f"(e.g. submission {sid}, row {row}): {effect}. Fix: {FIX} "
            f"({fmt},{dim},{code},<standard code>,<why>) and run `tipdw build` again"
        )
    return out
