"""``tipdw validate``: run the ``published.<table>`` suites in ``expectations/`` on published tables.

Each suite is a GX 1.x ExpectationSuite evaluated as DuckDB SQL over every row (ingest/suites.py);
its GX validation result is written to ``$TIPDW_HOME/reports/validation/<suite>.json``. A table
without a suite is listed as such; a suite whose table is absent is skipped. ``tipdw build`` runs
the same validation on the freshly built marts before publishing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.suites import SuiteRun, load_suite, run_suite, suite_names
from tipdw.config import Home

PREFIX = "published."


@dataclass
class Validation:
    """Suite runs over one database, with tables that have no suite."""

    runs: list[SuiteRun] = field(default_factory=list)
    unsuited: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs)

    def lines(self, sample: int = 5, failed_only: bool = False) -> list[str]:
        """A readable summary: one line per suite, then each failing rule with example rows."""
        out = []
        for r in self.runs:
            if failed_only and r.ok:
                continue
            st = r.result["statistics"]
            verdict = "OK" if r.ok else "FAILED"
            warn = f", {len(r.warnings)} warnings" if r.warnings else ""
            out.append(
                f"{verdict:6} {r.suite['name']:36} {r.result['meta']['rows']:>9} rows  "
                f"{st['successful_expectations']}/{st['evaluated_expectations']} expectations met{warn}"
            )
            for f in r.failures:
                m = f.meta
                out.append(
                    f"  {f.severity.upper()} [{m['rule']}] {m.get('message')}: {f.unexpected_count} of "
                    f"{f.element_count} rows (column {f.column}). Fix: {m.get('fix')}"
                )
                for s in f.sample[:sample]:
                    out.append(f"      {s[0]}: {s[2]}")
        if self.unsuited and not failed_only:
            out.append(f"no suite   {', '.join(self.unsuited)} (add expectations/{PREFIX}<table>.json)")
        return out

    def write(self, directory: Path) -> list[Path]:
        return [r.write(directory / f"{r.suite['name']}.json") for r in self.runs]


def validate(con: duckdb.DuckDBPyConnection, schema: str = "main", database: str | None = None) -> Validation:
    """Run every published suite on the tables of ``schema`` in the connected database."""
    db = database or con.execute("select current_database()").fetchone()[0]
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = ?",
            [db, schema],
        ).fetchall()
        if not r[0].startswith("_")
    }
    out = Validation()
    for name in suite_names(PREFIX):
        table = name.removeprefix(PREFIX)
        if table not in tables:
            out.absent.append(table)
            continue
        out.runs.append(run_suite(con, load_suite(name), f'"{db}"."{schema}"."{table}"'))
    out.unsuited = sorted(tables - {n.removeprefix(PREFIX) for n in suite_names(PREFIX)})
    return out


def validate_file(path: Path, schema: str = "main") -> Validation:
    """Validate the tables of ``schema`` in the DuckDB file ``path`` (opened read-only)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return validate(con, schema)
    finally:
        con.close()


def validate_home(home: Home) -> Validation:
    """Validate ``published.duckdb`` of ``home`` and write the GX results under reports/validation."""
    if not home.published_db.exists():
        raise FileNotFoundError(f"{home.published_db} does not exist; run `tipdw build` first")
    v = validate_file(home.published_db)
    v.write(home.reports / "validation")
    return v
