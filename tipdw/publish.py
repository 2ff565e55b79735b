"""Publishing: copy the published tables into a new DuckDB file and swap it into place.

``published.duckdb`` holds only published marts, code lists and documentation tables: never raw or
case-level rows. It is written as a new file and renamed over the old one, so a researcher holding
the old file open keeps a consistent view and never blocks the build.
"""

from __future__ import annotations

import json
import os
import shutil
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
            "description": " ".join((node.get("description") or "").split()),
            "caveat": " ".join(str((node["config"].get("meta") or {}).get("caveat") or "").split()),
            "columns": {
                c: " ".join((v.get("description") or "").split()) for c, v in node["columns"].items()
            },
        }
    return out


def publish(home: Home, build_db: Path | None = None, dest: Path | None = None) -> Path:
    """Write a fresh published database from ``build_db`` and atomically move it to ``dest``."""
    build_db = build_db or home.build_db
    dest = dest or home.published_db
    models = published_models(home)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    for stale in dest.parent.glob(f".{dest.name}.*.tmp*"):  # left by a killed build (we hold the lock)
        stale.unlink(missing_ok=True)
    try:
        _write(models, build_db, tmp)
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


def _write(models: dict[str, dict], build_db: Path, tmp: Path) -> None:
    """Copy the published models and documentation tables from ``build_db`` into ``tmp``."""
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        con.execute("create schema if not exists reference")
        tables, columns = [], []
        for name, m in sorted(models.items()):
            exists = con.execute(
                "select count(*) from duckdb_tables() where database_name = 'build' and schema_name = ? and table_name = ?",
                [m["source_schema"], name],
            ).fetchone()[0]
            if not exists:
                continue
            con.execute(
                f'create table {m["schema"]}."{name}" as select * from build.{m["source_schema"]}."{name}"'
            )
            tables.append((m["schema"], name, m["description"], m.get("caveat") or None))
            for col, desc in m["columns"].items():
                columns.append((m["schema"], name, col, desc))
        con.execute(
            "create table main._tables (schema_name varchar, table_name varchar, description varchar, caveat varchar)"
        )
        con.execute(
            "create table main._columns (schema_name varchar, table_name varchar, column_name varchar, description varchar)"
        )
        con.executemany("insert into main._tables values (?, ?, ?, ?)", tables)
        con.executemany("insert into main._columns values (?, ?, ?, ?)", columns)
        con.execute(
            "create table main._publication as select ?::timestamp as published_at, ? as note",
            [datetime.now(), "Detected victims reflect detection capacity, not prevalence."],
        )
        # Reports show the synthetic-data banner when any current input is tipdw demo data.
        demo = con.execute(SYNTHETIC_SQL).fetchone()[0]
        con.execute(f"alter table main._publication add column synthetic_demo boolean default {bool(demo)}")
        con.execute("detach build")
        con.execute("checkpoint")
    finally:
        con.close()


def archive(home: Home) -> Path:
    """Keep a dated copy of the current publication (for as-of comparisons)."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    target = home.publications / f"published-{stamp}.duckdb"
    shutil.copy2(home.published_db, target)
    return target
