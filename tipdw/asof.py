"""``--as-of``: reproduce the publication as it was at a past moment, without touching the current one.

An as-of build lives in its own warehouse home, ``$TIPDW_HOME/as-of/<moment>/``, with its own build
database, dbt target, logs and ``published.duckdb``. Its build database starts as a copy of the
main build database's ``raw`` schema (taken under the main writer lock, so no ingest is half
done); dbt then runs there with ``TIPDW_AS_OF`` set, and ``stg_registry__current_scopes`` keeps
only the submissions accepted, and not withdrawn, at that moment. The main build database, its
dbt target and the current ``published.duckdb`` are never opened for writing.

Code lists (seeds) are today's: a reproduction uses the current crosswalks and region lists.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from datetime import date, datetime, time

import duckdb

from ingest import registry
from tipdw.config import Home
from tipdw.lock import writer_lock


def parse_moment(text: str) -> datetime:
    """A date (``2025-06-30``: the end of that day) or an ISO timestamp (``2025-06-30T14:00``)."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59, 999999))
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--as-of {text!r} is not a date or timestamp; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"
        ) from None


def as_of_home(home: Home, moment: datetime) -> Home:
    """The warehouse home that holds the reproduction at ``moment``."""
    if moment.time() == time(23, 59, 59, 999999):
        slug = moment.date().isoformat()
    else:
        slug = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")
        slug = slug.replace(":", "-")
    return Home(home.root / "as-of" / slug)


@contextlib.contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def copy_raw(home: Home, sub: Home, wait: float) -> None:
    """Copy the main build database's raw schema into ``sub``'s fresh build database."""
    if not home.build_db.exists():
        raise FileNotFoundError(f"no warehouse at {home.build_db}; ingest and build first")
    for p in (sub.build_db, sub.build_db.with_name(sub.build_db.name + ".wal")):
        p.unlink(missing_ok=True)
    with writer_lock(home.lock, timeout=wait, what="copy raw for build --as-of"):
        con = duckdb.connect(str(sub.build_db))
        try:
            registry.ensure_schema(con)
            con.execute(f"attach '{home.build_db}' as main_build (read_only)")
            tables = con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'main_build' and schema_name = 'raw' order by 1"
            ).fetchall()
            for (table,) in tables:
                con.execute(
                    f'create or replace table raw."{table}" as select * from main_build.raw."{table}"'
                )
            con.execute("detach main_build")
        finally:
            con.close()


def build_as_of(home: Home, moment: datetime, wait: float = 0.0):
    """Build and publish the warehouse as of ``moment`` into its own home; return the BuildOutcome."""
    from tipdw.build import build

    sub = as_of_home(home, moment).ensure()
    copy_raw(home, sub, wait)
    with _env("TIPDW_AS_OF", moment.isoformat(sep=" ")):
        return build(sub, wait)


def published_as_of(home: Home, moment: datetime, wait: float = 0.0, echo=None):
    """The as-of publication's path, building it first if it does not exist yet."""
    sub = as_of_home(home, moment)
    if not sub.published_db.exists():
        if echo:
            echo(f"building the publication as of {moment.isoformat(sep=' ')} into {sub.root} ...")
        out = build_as_of(home, moment, wait)
        if out.exit_code:
            raise RuntimeError(f"{out.summary}\n" + "\n".join(out.failures))
    return sub.published_db
