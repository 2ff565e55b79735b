"""The intake gate: rules every canonical batch must pass before anything is written.

Rules run as SQL over the batch in an in-memory DuckDB, so they check every row at column speed.
Each failing row becomes a Problem naming the row, column, value and fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ingest.problems import Problem, Problems


@dataclass(frozen=True)
class Rule:
    name: str
    dataset: str
    column: str
    violation: str  # SQL predicate true for a failing row
    message: str
    fix: str
    severity: str = "error"


RULES = [
    Rule("value.bounds_ordered", "aggregates", "value",
         "value_lower > value_upper or (value is not null and (value < value_lower or value > value_upper))",
         "the value's bounds are out of order", "check the value; '<5' means 0 to 4"),
    Rule("value.non_negative", "aggregates", "value", "value < 0 or value_lower < 0",
         "a count is negative", "counts are 0 or more; leave unknown counts blank"),
    Rule("country.matches_option", "aggregates", "country",
         "$country is not null and country_iso3 <> $country",
         "the row is for another country than --country", "split the file per country, or drop --country"),
    Rule("country.matches_option", "population", "country",
         "$country is not null and country_iso3 <> $country",
         "the row is for another country than --country", "split the file per country, or drop --country"),
    Rule("population.positive", "population", "population", "population <= 0",
         "the population must be positive", "write the mid-year population"),
]  # fmt: skip

# Cells that appear twice in one submission: the second copy would silently double a count.
UNIQUE_KEYS = {
    "aggregates": ["country_iso3", "year", "indicator_code", "sex_code", "age_code", "form_code",
                   "citizenship_code", "unit_code", "estimate_type"],
    "population": ["country_iso3", "year", "sex_code", "age_code"],
}  # fmt: skip


def check(
    con: duckdb.DuckDBPyConnection, dataset: str, table: str, file: str, country: str | None
) -> Problems:
    """Run every rule for ``dataset`` over the registered ``table``; return the problems."""
    problems = Problems()
    for rule in (r for r in RULES if r.dataset == dataset):
        sql = f"select row_number, cast({_col(rule.column)} as varchar) from {table} where {rule.violation} limit 200"
        params = {"country": country} if "$country" in rule.violation else None
        for row, value in con.execute(sql, params).fetchall():
            problems.add(
                Problem(rule.name, rule.message, rule.fix, file=file, row=row, column=rule.column, value=value,
                        severity=rule.severity)
            )  # fmt: skip
    keys = UNIQUE_KEYS.get(dataset)
    if keys:
        key_sql = ", ".join(f"coalesce(cast({k} as varchar), '')" for k in keys)
        dupes = con.execute(
            f"""
            select min(row_number), max(row_number), count(*) from {table}
            group by {key_sql} having count(*) > 1 order by 1 limit 200
            """
        ).fetchall()
        for first, last, n in dupes:
            problems.add(
                Problem(
                    "cell.duplicate",
                    f"the same cell appears {n} times (first at row {first})",
                    "keep one row per cell; remove the repeated row",
                    file=file,
                    row=last,
                )
            )
    return problems


def _col(name: str) -> str:
    return {"country": "country_iso3"}.get(name, name)
