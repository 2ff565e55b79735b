"""Publishing: copy the published tables into a new DuckDB file and swap it into place.

``published.duckdb`` holds only published marts, code lists and documentation tables: never raw or
case-level rows. It is written as a new file and renamed over the old one, so a researcher holding
the old file open keeps a consistent view and never blocks the build.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb

from tipdw.config import Home

PUBLISHED_SCHEMAS = {"marts": "main", "reference": "reference"}
SYNTHETIC_SQL = (
    "select count(*) > 0 from build.raw.submissions where status <> 'rejected' and "
    "(file_name like 'SYNTHETIC-DEMO-DATA%' or submitter like '%SYNTHETIC%')"
)


class PublishError(RuntimeError):
    """The new publication could not be written (disk full, write error); the old one is kept."""


BY_COUNTRY_YEAR_HOOK = "delete_rebuilt_rows(['country_iso3', 'year'], changed_country_years())"


def published_models(home: Home) -> dict[str, dict]:
    """Descriptions of the published models and their columns, from dbt's manifest."""
    manifest = json.loads((home.target / "manifest.json").read_text())
    out = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        schema = node["config"].get("schema") or node["schema"]
        if schema not in PUBLISHED_SCHEMAS:
            continue
        out[node["name"]] = {
            "schema": PUBLISHED_SCHEMAS[schema],
            "source_schema": schema,
            # an incremental mart that recomputes exactly the changed country-years (its pre-hook
            # deletes them: macro incremental_by_country_year): an incremental publication copies
            # their rows only. Any other (data_availability recomputes whole countries and new
            # years) takes the place-years that differ (_replace_differing).
            "by_country_year": node["config"].get("materialized") == "incremental"
            and any(
                BY_COUNTRY_YEAR_HOOK in (h.get("sql") or "") for h in node["config"].get("pre-hook") or []
            ),
            "description": " ".join((node.get("description") or "").split()),
            "caveat": " ".join(str((node["config"].get("meta") or {}).get("caveat") or "").split()),
            "columns": {
                c: " ".join((v.get("description") or "").split()) for c, v in node["columns"].items()
            },
        }
    return out


def publish(
    home: Home,
    build_db: Path | None = None,
    dest: Path | None = None,
    incremental: bool = False,
    check: Callable[[duckdb.DuckDBPyConnection], bool] | None = None,
) -> Path | None:
    """Write a fresh published database from ``build_db`` and atomically move it to ``dest``.

    ``incremental``: ``dest`` is the publication of the build before this one (an incremental
    build, tipdw/buildplan.py), so the new one starts as a copy of it and takes from the build
    database only the rows of the changed country-years of the marts recomputed by country-year
    (``build_meta.changed_scopes``). The other tables keyed by place and year take the rows of each
    place-year that differs from the build's (:func:`_replace_differing`); the rest are copied
    whole. At 5M case-level rows, after a one-country submission, the copying took 1.9-2.1 s when
    every table was copied whole, 1.1-1.5 s with the marts by country-year, and 0.8 s with the
    differing place-years (measured on an unchanged publication, comparing only).

    ``check``: a function of a DuckDB cursor on which ``build_db`` is attached as ``build``, run
    in a second thread while the publication is written (both are DuckDB work, which runs without
    the GIL): ``dest`` is replaced only if it returns true. Returns ``dest``, or None when the
    check failed (``dest`` is then unchanged and the new file removed)."""
    build_db = build_db or home.build_db
    dest = dest or home.published_db
    models = published_models(home)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    for stale in dest.parent.glob(f".{dest.name}.*.tmp*"):  # left by a killed build (we hold the lock)
        stale.unlink(missing_ok=True)
    try:
        if incremental and dest.exists():
            shutil.copyfile(dest, tmp)
        if not _write(models, build_db, tmp, incremental=incremental and tmp.exists(), check=check):
            _remove_db(tmp)
            return None
        os.replace(tmp, dest)
    except (duckdb.Error, OSError) as exc:
        _remove_db(tmp)
        raise PublishError(
            f"could not write the new publication {tmp.name} ({type(exc).__name__}: {exc}); "
            f"the previous publication {dest} is unchanged. Free disk space, then build again."
        ) from None
    return dest


def _remove_db(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _write(
    models: dict[str, dict],
    build_db: Path,
    tmp: Path,
    incremental: bool = False,
    check: Callable[[duckdb.DuckDBPyConnection], bool] | None = None,
) -> bool:
    """Copy the published models and documentation tables from ``build_db`` into ``tmp`` (which,
    ``incremental``, holds the previous publication), running ``check`` beside it (see
    :func:`publish`); whether the check passed (true without one)."""
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        if check is None:
            _copy(con, models, incremental)
            passed = True
        else:
            with ThreadPoolExecutor(max_workers=1) as pool:
                checking = pool.submit(_run_check, check, con.cursor())
                try:
                    _copy(con, models, incremental)
                finally:
                    passed = checking.result()  # waits for it, and raises what it raised
        con.execute("detach build")
        if passed:
            con.execute("checkpoint")
        return passed
    finally:
        con.close()


def _run_check(check: Callable[[duckdb.DuckDBPyConnection], bool], cur: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(check(cur))
    finally:
        cur.close()


def _copy(con: duckdb.DuckDBPyConnection, models: dict[str, dict], incremental: bool) -> None:
    """The copying of :func:`_write`, on ``con`` (the new publication, ``build`` attached)."""
    con.execute("create schema if not exists reference")
    present = {
        tuple(r)
        for r in con.execute(
            "select database_name = 'build', schema_name, table_name from duckdb_tables()"
        ).fetchall()
    }  # (in build?, schema, table): the build's tables, and a copied publication's
    tables, columns = [], []
    for name, m in sorted(models.items()):
        target, source = f'{m["schema"]}."{name}"', f'build.{m["source_schema"]}."{name}"'
        if (True, m["source_schema"], name) not in present:
            con.execute(f"drop table if exists {target}")  # (a copied publication's)
            continue
        copied = (False, m["schema"], name) in present  # in the previous publication
        if incremental and copied and m["by_country_year"]:
            changed = (
                "exists (select 1 from build.build_meta.changed_scopes as changed where "
                "changed.country_iso3 = {t}.country_iso3 and changed.year = {t}.year)"
            )
            con.execute(f"delete from {target} where {changed.format(t=target)}")
            con.execute(
                f"insert into {target} by name select * from {source} where {changed.format(t=source)}"
            )
        elif not (incremental and copied and _replace_differing(con, m, name)):
            con.execute(f"create or replace table {target} as select * from {source}")
        tables.append((m["schema"], name, m["description"], m.get("caveat") or None))
        for col, desc in m["columns"].items():
            columns.append((m["schema"], name, col, desc))
    con.execute(
        "create or replace table main._tables (schema_name varchar, table_name varchar, description varchar, caveat varchar)"
    )
    con.execute(
        "create or replace table main._columns (schema_name varchar, table_name varchar, column_name varchar, description varchar)"
    )
    con.executemany("insert into main._tables values (?, ?, ?, ?)", tables)
    con.executemany("insert into main._columns values (?, ?, ?, ?)", columns)
    con.execute(
        "create or replace table main._publication as select ?::timestamp as published_at, ? as note",
        [datetime.now(), "Detected victims reflect detection capacity, not prevalence."],
    )
    # Reports show the synthetic-data banner when any current input is tipdw demo data.
    demo = con.execute(SYNTHETIC_SQL).fetchone()[0]
    con.execute(f"alter table main._publication add column synthetic_demo boolean default {bool(demo)}")


# Keys of the published tables by place and year, for an incremental publication of a table that is
# not recomputed by country-year (regions, areas, or a table rebuilt whole): the first one it has.
DIFF_KEYS = (("country_iso3", "year"), ("region_type", "region", "year"), ("area_type", "area", "year"))


def _replace_differing(con: duckdb.DuckDBPyConnection, model: dict, name: str) -> bool:
    """In an incremental publication, replace in the previous publication's table ``name`` the rows
    of every key (place and year, ``DIFF_KEYS``) whose rows differ from the build's table: it then
    holds exactly the build's rows. Most keys are unchanged after a one-country submission, and
    comparing costs less than writing (at 5M case-level rows, copying regional_aggregates whole
    took 0.43 s). False, having changed nothing, when the table has no such key or its columns
    differ from the build's (then it is copied whole)."""
    key = next((k for k in DIFF_KEYS if set(k) <= set(model["columns"])), None)
    if key is None:
        return False
    target, source = f'{model["schema"]}."{name}"', f'build.{model["source_schema"]}."{name}"'
    layout = (
        "select list(column_name order by column_index) from duckdb_columns() "
        "where database_name = {db} and schema_name = ? and table_name = ?"
    )
    mine = con.execute(layout.format(db="current_database()"), [model["schema"], name]).fetchone()[0]
    theirs = con.execute(layout.format(db="'build'"), [model["source_schema"], name]).fetchone()[0]
    if not mine or mine != theirs or not set(key) <= set(mine):
        return False
    cols = ", ".join(f'"{c}"' for c in key)
    # the keys with a row on one side only (set difference: EXCEPT ALL took 0.74 s where EXCEPT
    # takes 0.11), and those whose row counts differ, which catches repeated rows
    counts = f"select {cols}, count(*) as n from {{t}} group by all"
    con.execute(
        f"create or replace temp table _changed_keys as "
        f"select {cols} from (select * from {source} except select * from {target}) "
        f"union select {cols} from (select * from {target} except select * from {source}) "
        f"union select {cols} from ({counts.format(t=source)} except {counts.format(t=target)})"
    )
    matches = " and ".join(f'k."{c}" is not distinct from {{t}}."{c}"' for c in key)
    changed = f"exists (select 1 from _changed_keys as k where {matches})"
    con.execute(f"delete from {target} where {changed.format(t=target)}")
    con.execute(f"insert into {target} by name select * from {source} where {changed.format(t=source)}")
    con.execute("drop table _changed_keys")
    return True


def archive(home: Home) -> Path:
    """Keep a dated copy of the current publication (for as-of comparisons)."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    target = home.publications / f"published-{stamp}.duckdb"
    shutil.copy2(home.published_db, target)
    return target
