"""Shared checks for the reliability and privacy tests: is a warehouse consistent, what did it publish,
and how to run tipdw under a fault (a kill, a file-size limit) as a real subprocess."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
from pathlib import Path

import duckdb

from ingest import registry
from ingest.intake import RAW_TABLES
from tests.conftest import TIPDW
from tipdw.lock import connect_when_free

TIMESTAMP_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE", "TIME")


def copy_home(src: Path, dst: Path) -> Path:
    """A private copy of a built warehouse home (the source stays untouched)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("write.lock", "demo-input"))
    return dst


def tipdw_env(home: Path, extra: dict | None = None) -> dict:
    return {**os.environ, "TIPDW_HOME": str(home), "GX_ANALYTICS_ENABLED": "false", **(extra or {})}


def start_tipdw(home: Path, *args: str, env: dict | None = None, preexec_fn=None) -> subprocess.Popen:
    """Start the real CLI without waiting for it (for kills and concurrency)."""
    return subprocess.Popen(
        [TIPDW, *args],
        env=tipdw_env(home, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )


def file_size_limit(limit: int):
    """A preexec_fn: writes past ``limit`` bytes of any file fail with EFBIG, as on a full disk."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every raw data table that carries a submission_id (not the registry tables themselves)."""
    rows = con.execute(
        """
        select table_name from duckdb_columns()
        where schema_name = 'raw' and column_name = 'submission_id'
          and table_name not in ('submissions', 'submission_scopes')
        order by 1
        """
    ).fetchall()
    return [r[0] for r in rows]


def registry_state(home: Path) -> dict:
    """Submissions (id, status, rows_loaded, sha256) and raw row counts per table and submission."""
    if not (home / "tipdw.duckdb").exists():
        return {"submissions": [], "rows": {}}
    con = connect_when_free(home / "tipdw.duckdb", read_only=True)  # a killed build's dbt may be dying
    try:
        subs = con.execute(
            "select submission_id, status, rows_loaded, sha256 from raw.submissions order by 1"
        ).fetchall()
        rows = {}
        for t in raw_tables(con):
            for sid, n in con.execute(f"select submission_id, count(*) from raw.{t} group by 1").fetchall():
                rows[(t, sid)] = n
        return {"submissions": subs, "rows": rows}
    finally:
        con.close()


def assert_registry_agrees(home: Path) -> dict:
    """No half-loaded submission: an accepted one has exactly rows_loaded rows in the datasets' raw
    tables; any other has no rows anywhere; no row belongs to an unknown submission."""
    state = registry_state(home)
    status = {sid: (st, loaded) for sid, st, loaded, _ in state["submissions"]}
    counted = {RAW_TABLES[d].split(".", 1)[1] for d in registry.DATASETS if d in RAW_TABLES}
    per_sub: dict[int, int] = {}
    for (table, sid), n in state["rows"].items():
        assert sid in status, (
            f"raw.{table} has {n} rows of submission {sid}, which the registry does not know"
        )
        assert status[sid][0] in ("accepted", "withdrawn"), (
            f"raw.{table} has {n} rows of {status[sid][0]} submission {sid}"
        )
        if table in counted:
            per_sub[sid] = per_sub.get(sid, 0) + n
    for sid, (st, loaded) in status.items():
        if st in ("accepted", "withdrawn"):
            assert per_sub.get(sid, 0) == loaded, (
                f"submission {sid} says {loaded} rows loaded but raw holds {per_sub.get(sid, 0)}"
            )
    return state


def published_numbers(home: Path) -> dict[str, str]:
    """A digest of every published table's rows (timestamps left out: they record when, not what)."""
    con = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    try:
        out = {}
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by 1, 2").fetchall()
        for schema, table in tables:
            cols = [
                f'"{c}"'
                for c, t in con.execute(
                    "select column_name, data_type from duckdb_columns() "
                    "where schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                if not t.startswith(TIMESTAMP_TYPES)
            ]
            rows = con.execute(f'select {", ".join(cols)} from "{schema}"."{table}" order by all').fetchall()
            out[f"{schema}.{table}"] = (
                hashlib.sha256(repr(rows).encode()).hexdigest()[:16] + f" ({len(rows)} rows)"
            )
        return out
    finally:
        con.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def no_traceback(proc) -> None:
    text = (proc.stdout or "") + (proc.stderr or "")
    assert "Traceback" not in text, f"a traceback instead of a clear error:\n{text[-3000:]}"


def query_dicts(db: Path, sql: str, params: list | None = None) -> list[dict]:
    """Rows of a query on a DuckDB file opened read-only, as dicts."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
