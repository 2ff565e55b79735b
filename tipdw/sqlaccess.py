"""Read-only SQL on the published database, with access to other files disabled."""

from __future__ import annotations

import duckdb

from tipdw.config import Home


class SqlRefused(Exception):
    """The query tried to write, attach or read files, which researchers' SQL may not do."""


def connect_published(home: Home) -> duckdb.DuckDBPyConnection:
    if not home.published_db.exists():
        raise FileNotFoundError(
            f"nothing is published yet at {home.published_db}; run `tipdw build` (or `tipdw demo`) first"
        )
    con = duckdb.connect(
        str(home.published_db),
        read_only=True,
        config={"enable_external_access": False, "autoinstall_known_extensions": False,
                "autoload_known_extensions": False},
    )  # fmt: skip
    con.execute("set lock_configuration = true")
    return con


def query(home: Home, sql: str) -> tuple[list[str], list[tuple]]:
    con = connect_published(home)
    try:
        try:
            rel = con.execute(sql)
        except (duckdb.PermissionException, duckdb.InvalidInputException) as exc:
            raise SqlRefused(
                f"refused: tipdw sql is read-only on the published tables and cannot write, attach or read files ({exc})"
            ) from None
        if rel.description is None:
            return [], []
        return [d[0] for d in rel.description], rel.fetchall()
    finally:
        con.close()
