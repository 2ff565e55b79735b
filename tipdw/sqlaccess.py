"""Read-only SQL on the published database, with access to other files disabled.

Researchers' SQL runs on ``published.duckdb`` only (or an as-of publication), through one guarded
connection: the file is opened read-only, DuckDB's external access (files, URLs, extensions,
secrets) is disabled, and the configuration is locked so a query cannot switch the guards off.
Statements are also checked before they run, so a query that writes, attaches, copies, installs or
loads, or sets configuration gets a clear refusal naming what it tried, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tipdw.config import Home

ALLOWED = {
    duckdb.StatementType.SELECT,  # also DESCRIBE, SHOW, SUMMARIZE, FROM ..., VALUES
    duckdb.StatementType.EXPLAIN,
    duckdb.StatementType.PRAGMA,  # table_info and friends; configuration pragmas hit the lock
    duckdb.StatementType.CALL,
}
WHAT = {
    "INSERT": "write to a table", "UPDATE": "write to a table", "DELETE": "write to a table",
    "CREATE": "create objects", "DROP": "drop objects", "ALTER": "alter objects",
    "MERGE_INTO": "write to a table", "CREATE_FUNC": "create functions or macros",
    "ATTACH": "attach another database", "DETACH": "detach a database",
    "COPY": "read or write files (COPY)", "COPY_DATABASE": "copy a database",
    "EXPORT": "export the database to files", "LOAD": "install or load extensions",
    "EXTENSION": "install or load extensions", "SET": "change settings (SET, RESET, USE)",
    "VARIABLE_SET": "set variables", "TRANSACTION": "control transactions",
    "VACUUM": "vacuum the database", "ANALYZE": "analyze the database",
    "PREPARE": "prepare statements", "EXECUTE": "execute prepared statements",
}  # fmt: skip
HINT = 'Query the published tables; `tipdw sql "select * from _tables"` lists them.'


class SqlRefused(Exception):
    """The query tried to write, attach or read files, which researchers' SQL may not do."""


def connect_published(home: Home, db: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the publication (``db`` or ``home.published_db``) read-only with the guards on."""
    db = db or home.published_db
    if not db.exists():
        raise FileNotFoundError(
            f"nothing is published yet at {db}; run `tipdw build` (or `tipdw demo`) first"
        )
    con = duckdb.connect(
        str(db),
        read_only=True,
        config={"enable_external_access": False, "autoinstall_known_extensions": False,
                "autoload_known_extensions": False, "allow_community_extensions": False},
    )  # fmt: skip
    con.execute("set lock_configuration = true")
    return con


def check(con: duckdb.DuckDBPyConnection, sql: str) -> list:
    """Split ``sql`` into statements and refuse any that is not a read. Returns the statements."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlRefused(f"the query does not parse: {_first_line(exc)}") from None
    if not statements:
        raise SqlRefused("the query is empty")
    for st in statements:
        if st.type not in ALLOWED:
            kind = st.type.name
            raise SqlRefused(
                f"refused: tipdw sql is read-only and cannot {WHAT.get(kind, kind.lower())} "
                f"({kind} statement: {' '.join(st.query.split())[:80]}). {HINT}"
            )
    return statements


def execute(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    """Run every statement of ``sql`` on a guarded connection; return the last result's rows.

    Raises SqlRefused for anything but a read, and for file, extension or setting access that the
    guards stop; other DuckDB errors (typos, unknown tables) propagate as duckdb.Error.
    """
    cols: list[str] = []
    rows: list[tuple] = []
    for st in check(con, sql):
        try:
            rel = con.execute(st.query)
        except duckdb.PermissionException as exc:
            raise SqlRefused(
                "refused: tipdw sql cannot read or write files, URLs, extensions or secrets "
                f"(read_csv, read_parquet, glob, COPY, ATTACH, INSTALL, LOAD...): {_first_line(exc)}. {HINT}"
            ) from None
        except duckdb.InvalidInputException as exc:
            msg = _first_line(exc)
            if "configuration" in msg or "read-only" in msg or "read only" in msg:
                raise SqlRefused(
                    f"refused: tipdw sql is read-only and its settings are locked: {msg}"
                ) from None
            raise
        if rel.description is None:
            cols, rows = [], []
        else:
            cols, rows = [d[0] for d in rel.description], rel.fetchall()
    return cols, rows


def query(home: Home, sql: str, db: Path | None = None) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` read-only on the publication; return column names and rows."""
    con = connect_published(home, db)
    try:
        return execute(con, sql)
    finally:
        con.close()


def _first_line(exc: Exception) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__
