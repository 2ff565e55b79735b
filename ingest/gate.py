"""The intake gate: the expectation suite of a dataset, run on every row before anything is written.

Each dataset's rules are a Great Expectations 1.x suite in ``expectations/intake.<dataset>.json``
(adding rules, or a dataset, is a data change: write or edit that file). ``ingest/suites.py``
evaluates every expectation as DuckDB SQL over the whole batch in one pass; each failing row becomes
a Problem naming the file, sheet, row, column, value, rule and fix. Critical expectations reject the
submission; ``warning`` ones are reported only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from ingest.problems import Problem, Problems
from ingest.suites import Failure, SuiteRun, load_suite, run_suite


@dataclass(frozen=True)
class Rule:
    """A legacy SQL rule (kept so code that appends to ``RULES`` keeps working; prefer a suite)."""

    name: str
    dataset: str
    column: str
    violation: str  # SQL predicate true for a failing row; may use $country
    message: str
    fix: str
    severity: str = "error"


RULES: list[Rule] = []
LAST_RUNS: dict[str, SuiteRun] = {}
"""The most recent suite run per dataset in this process (its GX result JSON, for reports)."""


def suite_name(dataset: str) -> str:
    return f"intake.{dataset}"


def check(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    table: str,
    file: str,
    country: str | None,
    params: dict | None = None,
) -> Problems:
    """Run the intake suite of ``dataset`` (and any legacy RULES) over ``table``; return the problems.

    ``params`` adds GX suite parameters to the defaults (``country``: the --country option,
    ``this_year``: the current year). A dataset without a suite passes with no problems.
    """
    problems = Problems()
    suite = load_suite(suite_name(dataset))
    if suite is not None:
        run = run_suite(
            con,
            suite,
            table,
            {"country": country.upper() if country else None, "this_year": dt.date.today().year,
             **(params or {})},
        )  # fmt: skip
        LAST_RUNS[dataset] = run
        problems.extend(problems_of(run, file))
        for f in run.failures:  # the summary counts every failing row, not just the sample listed
            problems.counts[f.meta["rule"]] += max(0, f.unexpected_count - len(f.sample))
    for rule in (r for r in RULES if r.dataset == dataset):
        sql = (
            f"select row_number, cast({rule.column} as varchar) from {table} where {rule.violation} limit 200"
        )
        args = {"country": country} if "$country" in rule.violation else None
        for row, value in con.execute(sql, args).fetchall():
            problems.add(Problem(rule.name, rule.message, rule.fix, file=file, row=row, column=rule.column,
                                 value=value, severity=rule.severity))  # fmt: skip
    return problems


def problems_of(run: SuiteRun, file: str) -> list[Problem]:
    """Each failing row of a suite run as a Problem (errors before warnings, in row order)."""
    out = []
    for f in sorted(run.failures, key=lambda f: f.severity != "error"):
        out.extend(_problems(f, file))
    return out


def _problems(f: Failure, file: str) -> list[Problem]:
    m = f.meta
    if f.error:
        return [Problem(m["rule"], f"the rule could not be checked on this file ({f.error})",
                        "report this to the tipdw maintainers with the file's layout; nothing was loaded",
                        file=file, column=f.column, severity="error")]  # fmt: skip
    rows = []
    for sample in f.sample:
        row, sheet, value, copies = sample[:4]
        message = m.get("message", f.expectation["type"])
        if len(sample) > 4:  # duplicates: (last row, sheet, key, copies, first row)
            message = f"{message}: {copies} copies (first at row {sample[4]})"
        rows.append(
            Problem(m["rule"], message, m.get("fix", ""), file=file, sheet=sheet,
                    row=int(row) if isinstance(row, int | float) else None, column=f.column,
                    value=None if value is None else str(value), severity=f.severity)
        )  # fmt: skip
    return rows
