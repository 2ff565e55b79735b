"""``tipdw export``: write every published table to a directory as CSV, Parquet or SDMX-CSV 2.0.

Reads ``published.duckdb`` only (read-only), so what is exported is exactly what is published:
protected marts, code lists and documentation tables, never raw or case-level rows.

- ``csv``: one ``<table>.csv`` per table (UTF-8, header, comma). Code lists go to ``reference/``.
- ``parquet``: the same tables as typed Parquet files.
- ``sdmx-csv``: one ``<table>.csv`` per published data table in SDMX-CSV 2.0: columns STRUCTURE
  (``dataflow``), STRUCTURE_ID (``TIPDW:<TABLE>(1.0)``), ACTION (``I``), the dimensions (REF_AREA,
  TIME_PERIOD and the table's breakdowns; MEASURE when a table has several measures), OBS_VALUE,
  OBS_STATUS and CONF_STATUS. OBS_STATUS: ``Q`` when the value is withheld (suppressed here or at
  source), ``M`` when it is unknown, otherwise ``B`` for a break in series, ``E`` estimated, ``P``
  provisional, else ``A``. CONF_STATUS: the table's conf_status, or ``A`` primary and ``S``
  secondary suppression, ``C`` confidential at source, ``F`` free.

Formula injection: in CSV and SDMX-CSV every TEXT cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead of
running it. Numeric columns are written as numbers and never altered (a negative year-over-year
change stays ``-10``); published counts are never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from tipdw.config import Home

FORMATS = ("csv", "parquet", "sdmx-csv")
NUMERIC_TYPES = ("BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "SMALLINT", "FLOAT", "DECIMAL", "UBIGINT")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Columns that are attributes or free text, never SDMX dimensions.
ATTRIBUTES = {"obs_status", "conf_status", "suppression", "value_lower", "value_upper", "unit"}
MEASURE_SUFFIXES = ("_count", "_rate", "_pct", "_ratio", "_3y")
AREA_COLUMNS = ("country_iso3", "area", "region")


class ExportError(RuntimeError):
    """The export could not be written; the message says why and what to do."""


@dataclass
class ExportResult:
    out_dir: Path
    files: list[Path]
    skipped: list[str]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, table],
    ).fetchall()


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
        "order by schema_name <> 'main', schema_name, table_name"
    ).fetchall()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def neutralise(expr: str) -> str:
    """SQL for a text expression with a leading apostrophe added where a spreadsheet would see a formula."""
    starts = ", ".join("'" + s.replace("'", "''") + "'" for s in FORMULA_STARTS)
    return f"case when left({expr}, 1) in ({starts}) then '''' || {expr} else {expr} end"


def _safe_select(cols: list[tuple[str, str]]) -> str:
    parts = []
    for name, dtype in cols:
        q = _quote(name)
        parts.append(f"{neutralise(q)} as {q}" if dtype == "VARCHAR" else q)
    return ", ".join(parts)


def sdmx_layout(table: str, cols: list[tuple[str, str]]) -> tuple[list[str], list[str]] | None:
    """(dimension columns, measure columns) of a published table, or None when it has no measure.

    Measures are numeric columns named ``value`` or ending in _count, _rate, _pct, _ratio, _3y;
    dimensions are the remaining short code columns (not attributes, notes, reasons or sources).
    """
    measures = [
        n for n, t in cols
        if t.split("(")[0] in NUMERIC_TYPES and (n == "value" or n.endswith(MEASURE_SUFFIXES))
        and not n.startswith(("countries_", "cells_")) and n != "population_count"
    ]  # fmt: skip
    if not measures:
        return None
    dims = [
        n for n, t in cols
        if n not in measures and n not in ATTRIBUTES and t in ("VARCHAR", "INTEGER")
        and not any(w in n for w in ("note", "reason", "suppression", "caveat", "rule"))
        and not n.endswith("_source") and n not in ("losing_sources", "sources_available")
        and not n.startswith(("countries_", "cells_", "submission", "chosen_", "previous_"))
        and not n.endswith(("_lower", "_upper"))
    ]  # fmt: skip
    return dims, measures


def _sdmx_dim_name(col: str) -> str:
    if col in AREA_COLUMNS:
        return "REF_AREA"
    if col == "year":
        return "TIME_PERIOD"
    return col.upper()


def _sdmx_sql(table: str, cols: list[tuple[str, str]], dims: list[str], measures: list[str]) -> str:
    names = {n for n, _ in cols}
    obs = "lower(coalesce(obs_status, ''))" if "obs_status" in names else "''"
    if "is_series_break" in names:  # trends: a flagged break is OBS_STATUS B
        obs = f"case when is_series_break then 'b' else {obs} end"
    sup = "suppression" if "suppression" in names else "cast(null as varchar)"
    upper = "value_upper" if "value_upper" in names else "cast(null as bigint)"
    conf = "conf_status" if "conf_status" in names else "cast(null as varchar)"
    selects = []
    for m in measures:
        # a measure's own suppression column (justice_funnel) wins over the table's
        own_sup = m.replace("_count", "_suppression")
        own_sup = own_sup if own_sup in names and own_sup != m else sup
        types = dict(cols)
        dim_sql = ", ".join(
            f"{neutralise(_quote(d)) if types[d] == 'VARCHAR' else _quote(d)} as {_quote(_sdmx_dim_name(d))}"
            for d in dims
        )
        measure_dim = f", '{m}' as MEASURE" if len(measures) > 1 else ""
        withheld = f"({own_sup} is not null or ({_quote(m)} is null and {upper} is not null))"
        selects.append(
            f"""select 'dataflow' as STRUCTURE, 'TIPDW:{table.upper()}(1.0)' as STRUCTURE_ID, 'I' as ACTION,
                {dim_sql}{measure_dim},
                cast({_quote(m)} as varchar) as OBS_VALUE,
                case when {withheld} then 'Q' when {_quote(m)} is null then 'M'
                     when {obs} like '%b%' then 'B' when {obs} like '%e%' then 'E'
                     when {obs} like '%p%' then 'P' else 'A' end as OBS_STATUS,
                coalesce({conf}, case {own_sup} when 'primary' then 'A' when 'secondary' then 'S'
                    when 'source_confidential' then 'C' else 'F' end) as CONF_STATUS
            from main.{_quote(table)}"""
        )
    return "\nunion all\n".join(selects)


def export(home: Home, fmt: str, out_dir: Path) -> ExportResult:
    """Write every published table of ``home`` to ``out_dir`` in ``fmt``; return the files written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    db = home.published_db
    if not db.exists():
        raise ExportError(f"no publication at {db}; run `tipdw build` first")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"cannot create {out_dir} ({exc.strerror}); choose a writable --out directory"
        ) from None
    con = duckdb.connect(str(db), read_only=True)
    files, skipped = [], []
    try:
        for schema, table in _tables(con):
            cols = _columns(con, schema, table)
            target_dir = out_dir if schema == "main" else out_dir / schema
            layout = sdmx_layout(table, cols) if schema == "main" and not table.startswith("_") else None
            if fmt == "sdmx-csv" and layout is None:
                skipped.append(f"{schema}.{table}")
                continue
            target_dir.mkdir(parents=True, exist_ok=True)
            if fmt == "sdmx-csv":
                sql = _sdmx_sql(table, cols, *layout)  # type: ignore[misc]
                path = target_dir / f"{table}.csv"
                con.execute(f"copy ({sql}) to '{_path_sql(path)}' (format csv, header)")
            elif fmt == "csv":
                path = target_dir / f"{table}.csv"
                sql = f"select {_safe_select(cols)} from {_quote(schema)}.{_quote(table)}"
                con.execute(f"copy ({sql}) to '{_path_sql(path)}' (format csv, header)")
            else:
                path = target_dir / f"{table}.parquet"
                con.execute(
                    f"copy (select * from {_quote(schema)}.{_quote(table)}) to '{_path_sql(path)}' (format parquet)"
                )
            files.append(path)
    except (duckdb.IOException, OSError) as exc:
        raise ExportError(
            f"could not write to {out_dir}: {exc}; free disk space or choose another --out"
        ) from None
    except duckdb.Error as exc:
        raise ExportError(f"could not export {schema}.{table}: {type(exc).__name__}: {exc}") from None
    finally:
        con.close()
    return ExportResult(out_dir, files, skipped)


def _path_sql(path: Path) -> str:
    return str(path).replace("'", "''")
