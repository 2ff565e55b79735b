"""The core of a case-level intake done natively in DuckDB, as one statement: a second baseline for
``tipdw ingest`` beside plain ``read_csv``.

``python -m benchmarks.native_intake DB CSV KEY_HEX`` reads the benchmark's victims CSV into table
``t`` of the database file DB, with the person and case ids replaced by their HMAC-SHA256 pseudonyms
(of ``<ISO3>:<id>``, as tipdw computes them) and the identifying columns left out. It does none of
what else tipdw does (header matching, country resolution, checks, the gate, the registry, the forms
column), so the ratio of tipdw to it is what all of that costs over the unavoidable work, and its
ratio to ``read_csv`` is the floor any keyed intake has with DuckDB's SHA-256.
"""

from __future__ import annotations

import sys

import duckdb

from ingest.privacy import PseudonymKey, hmac_sql

IDENTIFIERS = ("first_name", "last_name", "date_of_birth")


def main(db: str, csv: str, key_hex: str) -> None:
    con = duckdb.connect(db)
    PseudonymKey.from_bytes(bytes.fromhex(key_hex)).bind(con)  # tipdw's key handling and HMAC SQL
    person, case = (hmac_sql(f"country || ':' || {c}") for c in ("person_id", "case_id"))
    con.execute(
        f"create table t as select * exclude ({', '.join(IDENTIFIERS)}) "
        f"replace ({person} as person_id, case when case_id is not null then {case} end as case_id) "
        f"from read_csv('{csv}')"
    )
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
