"""The checks a build ran: dbt tests (with their stored failing rows) and expectation suites.

dbt writes ``run_results.json`` and ``manifest.json`` to ``$TIPDW_HOME/dbt-target``. Consistency
tests store their failing rows (schema ``quality``, each with a ``failure`` text giving the figures),
so a warning can say which records and which numbers, not just how many. The column_checks tests do
not store them (a stored view per model cost every build a DDL statement): their failing rows are
read by running the test's compiled SQL again, from ``run_results.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import duckdb

from tipdw.config import Home

ID_COLUMN = re.compile(r"pseudonym|person|(^|_)case_id|(^|_)id$", re.I)
NOT_IDS = {"submission_id", "row_number"}


@dataclass
class Check:
    """One check and its outcome: status is pass, warn, fail or error."""

    name: str
    kind: str
    status: str
    failures: int = 0
    description: str = ""
    relation: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    uid: str = ""
    sql: str | None = None  # the compiled test, when its failing rows were not stored


def dbt_checks(home: Home) -> list[Check]:
    """Every data test of the last dbt build, with its description; empty if no build has run."""
    results_path, manifest_path = home.target / "run_results.json", home.target / "manifest.json"
    if not results_path.exists() or not manifest_path.exists():
        return []
    try:
        nodes = json.loads(manifest_path.read_text())["nodes"]
        results = json.loads(results_path.read_text()).get("results", [])
    except (OSError, ValueError, KeyError):  # e.g. cut short by a full disk: no descriptions then
        return []
    out = []
    for r in results:
        uid = r.get("unique_id", "")
        if not uid.startswith("test."):
            continue
        node = nodes.get(uid, {})
        desc = " ".join((node.get("description") or "").split())
        if not desc:
            meta = node.get("test_metadata") or {}
            on = ", ".join(n.split(".")[-1] for n in node.get("depends_on", {}).get("nodes", []))
            desc = f"{meta.get('name', 'singular test')} on {on}" if on else meta.get("name", "")
        relation = r.get("relation_name")
        out.append(
            Check(node.get("name") or uid.split(".")[-1], "dbt test", r.get("status", "?"),
                  int(r.get("failures") or 0), desc, relation, uid=uid,
                  sql=None if relation else (r.get("compiled_code") or None))
        )  # fmt: skip
    return out


def load_rows(
    con: duckdb.DuckDBPyConnection, check: Check, limit: int = 50, scope: tuple[list, list] | None = None
) -> None:
    """Fill ``check.columns``/``rows`` from its failing records, ids masked: those dbt stored, or
    those its compiled SQL finds again.

    ``scope`` (countries, years) keeps only failing records of those countries and years."""
    if check.failures == 0:
        return
    if check.relation:
        relation = check.relation.split(".", 1)[1] if check.relation.count(".") == 2 else check.relation
    elif check.sql:
        relation = f"({check.sql}) as failing"
    else:
        return
    try:
        cols = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
        where = ""
        if scope is not None:
            year = next((y for y in ("year", "current_year") if y in cols), None)
            if "country_iso3" not in cols or year is None:
                return
            cs = ", ".join("'" + c.replace("'", "''") + "'" for c in scope[0]) or "null"
            ys = ", ".join(str(int(y)) for y in scope[1]) or "null"
            where = f"where country_iso3 in ({cs}) and {year} in ({ys})"
        if where:
            check.failures = con.execute(f"select count(*) from {relation} {where}").fetchone()[0]
        cur = con.execute(f"select * from {relation} {where} limit {int(limit)}")
    except duckdb.Error:
        return
    check.columns = [d[0] for d in cur.description]
    check.rows = [tuple(mask(c, v) for c, v in zip(check.columns, r, strict=True)) for r in cur.fetchall()]


def mask(column: str | None, value):
    """Pseudonymise a value for a report: ids show only their first 8 characters."""
    if value is None or not column or column in NOT_IDS or not ID_COLUMN.search(column):
        return value
    text = str(value)
    return text[:8] + "…" if len(text) > 8 else "…"


def describe_warnings(home: Home, warnings: list[str], per_test: int = 3) -> list[str]:
    """dbt warning lines with the figures of their first failing records appended."""
    checks = {c.uid.split(".", 2)[-1]: c for c in dbt_checks(home) if (c.relation or c.sql) and c.failures}
    if not checks or not home.build_db.exists():
        return warnings
    out = []
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        for w in warnings:
            c = checks.get(w.split(":", 1)[0])
            if c is not None:
                load_rows(con, c, per_test)
                if "failure" in c.columns:
                    i = c.columns.index("failure")
                    more = f" (and {c.failures - len(c.rows)} more)" if c.failures > len(c.rows) else ""
                    w = f"{w}: " + "; ".join(str(r[i]) for r in c.rows) + more
            out.append(w)
    finally:
        con.close()
    return out
