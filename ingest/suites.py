"""Expectation suites (Great Expectations 1.x JSON in ``expectations/``) evaluated as DuckDB SQL.

A suite is a GX ``ExpectationSuite`` saved as JSON: ``{"name", "expectations": [{"type", "kwargs",
"meta", "severity"}], "meta"}``. Each expectation type used here maps to a SQL predicate that is
true for a failing row, and all of a suite's predicates are counted in ONE pass over the table, so
every rule checks every row at column speed. Only rules that fail pay for a second, short query that
fetches a sample of failing rows (row id and value) for the problem report.

The outcome is recorded as a GX ``ExpectationSuiteValidationResult`` in its JSON form (``SuiteRun.
result``); ``SuiteRun.to_gx()`` turns it into the GX object. GX itself is imported only there:
importing it costs about 6 s of CPU, which every ``tipdw ingest`` would otherwise pay.

Severity is GX's own field: ``critical`` rejects (an error), ``warning`` and ``info`` are reported
only. ``meta`` carries tipdw's wording: ``rule`` (a stable id), ``message`` and ``fix``. Suite
parameters use GX's ``{"$PARAMETER": "name"}`` form; an expectation whose parameter is not given
(e.g. no ``--country``) is skipped and says so in its result.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"
"""The project's suites; ``TIPDW_EXPECTATIONS`` points elsewhere (e.g. a stricter local set)."""
SAMPLE_ROWS = 200

SUPPORTED = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex",
    "expect_column_value_lengths_to_be_between",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
}
UNIQUENESS = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}


class SuiteError(ValueError):
    """A suite file is malformed or uses an expectation type tipdw cannot evaluate."""


# --- loading ---------------------------------------------------------------------------------


def expectations_dir() -> Path:
    """Where suites are read from: ``$TIPDW_EXPECTATIONS`` or the project's ``expectations/``."""
    env = os.environ.get("TIPDW_EXPECTATIONS")
    return Path(env) if env else EXPECTATIONS_DIR


def suite_path(name: str, directory: Path | None = None) -> Path:
    return (directory or expectations_dir()) / f"{name}.json"


@cache
def _load_cached(path: str, mtime: float) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    check_suite(data, Path(path).name)
    return data


def load_suite(name: str, directory: Path | None = None) -> dict | None:
    """The suite ``name`` (e.g. ``intake.aggregates``) as a dict, or None if there is no such file."""
    path = suite_path(name, directory)
    if not path.exists():
        return None
    return _load_cached(str(path), path.stat().st_mtime)


def suite_names(prefix: str, directory: Path | None = None) -> list[str]:
    """Names of the suites whose name starts with ``prefix`` (e.g. ``published.``)."""
    return sorted(p.stem for p in (directory or expectations_dir()).glob(f"{prefix}*.json"))


def check_suite(suite: dict, where: str = "suite") -> None:
    """Raise SuiteError unless ``suite`` has a name and only supported, well-formed expectations."""
    if not isinstance(suite.get("name"), str):
        raise SuiteError(f"{where}: a suite needs a 'name'")
    for i, e in enumerate(suite.get("expectations", [])):
        if e.get("type") not in SUPPORTED:
            raise SuiteError(
                f"{where}: expectation {i} has type {e.get('type')!r}; supported: {', '.join(sorted(SUPPORTED))}"
            )
        if not (e.get("meta") or {}).get("rule"):
            raise SuiteError(
                f"{where}: expectation {i} ({e['type']}) needs meta.rule, meta.message, meta.fix"
            )
        if e.get("severity", "critical") not in ("critical", "warning", "info"):
            raise SuiteError(f"{where}: expectation {i} has severity {e.get('severity')!r}")


# --- compiling to SQL ------------------------------------------------------------------------


def _q(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def _lit(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


class _MissingParameter(Exception):
    pass


def _resolve(value, params: dict):
    if isinstance(value, dict) and "$PARAMETER" in value:
        got = params.get(value["$PARAMETER"])
        if got is None:
            raise _MissingParameter(value["$PARAMETER"])
        return got
    return value


def columns_of(exp: dict) -> list[str]:
    """The table columns an expectation reads."""
    k = exp.get("kwargs", {})
    if "column_list" in k:
        return list(k["column_list"])
    if "column_A" in k:
        return [k["column_A"], k["column_B"]]
    return [k["column"]] if "column" in k else []


def predicate(exp: dict, params: dict | None = None) -> str:
    """SQL that is true for a row failing ``exp`` (null-safe: a row is either failing or not).

    Map expectations ignore nulls, as GX does, except the null checks themselves.
    Raises _MissingParameter when a ``$PARAMETER`` is not given.
    """
    params = params or {}
    t, k = exp["type"], {n: _resolve(v, params) for n, v in exp.get("kwargs", {}).items()}
    c = _q(k["column"]) if "column" in k else None
    if t == "expect_column_values_to_not_be_null":
        return f"{c} is null"
    if t == "expect_column_values_to_be_null":
        return f"{c} is not null"
    if t == "expect_column_values_to_be_between":
        lo, hi = k.get("min_value"), k.get("max_value")
        parts = []
        if lo is not None:
            parts.append(f"{c} {'<=' if k.get('strict_min') else '<'} {_lit(lo)}")
        if hi is not None:
            parts.append(f"{c} {'>=' if k.get('strict_max') else '>'} {_lit(hi)}")
        return f"coalesce({' or '.join(parts) or 'false'}, false)"
    if t in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        values = k["value_set"] if isinstance(k["value_set"], list | tuple | set) else [k["value_set"]]
        inside = f"{c} in ({', '.join(_lit(v) for v in values)})" if values else "false"
        if t == "expect_column_values_to_be_in_set":
            return f"coalesce(not ({inside}), false)"
        return f"coalesce({inside}, false)"
    if t in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"):
        match = f"regexp_matches(cast({c} as varchar), {_lit(k['regex'])})"
        return f"coalesce({'not ' if 'not_match' not in t else ''}{match}, false)"
    if t == "expect_column_value_lengths_to_be_between":
        n = f"length(cast({c} as varchar))"
        parts = [f"{n} < {int(k['min_value'])}"] if k.get("min_value") is not None else []
        parts += [f"{n} > {int(k['max_value'])}"] if k.get("max_value") is not None else []
        return f"coalesce({' or '.join(parts) or 'false'}, false)"
    if t == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = _q(k["column_A"]), _q(k["column_B"])
        ok = f"{a} {'>=' if k.get('or_equal') else '>'} {b}"
        ignore = k.get("ignore_row_if", "both_values_are_missing")
        skip = (
            f"{a} is null or {b} is null"
            if ignore == "either_value_is_missing"
            else (f"{a} is null and {b} is null")
        )
        return f"(not ({skip}) and not coalesce({ok}, false))"
    raise SuiteError(f"no row predicate for {t}")


def _key(exp: dict) -> list[str]:
    k = exp["kwargs"]
    return list(k["column_list"]) if "column_list" in k else [k["column"]]


# --- running ---------------------------------------------------------------------------------


@dataclass
class Failure:
    """One expectation that failed, with a sample of failing rows: (row id, sheet, value, copies)."""

    expectation: dict
    unexpected_count: int
    element_count: int
    sample: list[tuple] = field(default_factory=list)
    error: str | None = None  # the rule could not be evaluated (its SQL failed)

    @property
    def severity(self) -> str:
        return "error" if self.expectation.get("severity", "critical") == "critical" else "warning"

    @property
    def meta(self) -> dict:
        return self.expectation.get("meta") or {}

    @property
    def column(self) -> str:
        return ", ".join(columns_of(self.expectation))


@dataclass
class SuiteRun:
    """The outcome of one suite on one table: GX result JSON plus failing samples."""

    suite: dict
    table: str
    result: dict
    failures: list[Failure]

    @property
    def errors(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "error"]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no critical expectation failed (warnings do not fail a run)."""
        return not self.errors

    def to_gx(self):
        """This result as a GX ``ExpectationSuiteValidationResult`` (imports GX: slow)."""
        from great_expectations.core.expectation_validation_result import (
            ExpectationSuiteValidationResultSchema,
        )

        return ExpectationSuiteValidationResultSchema().load(self.result)

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.result, indent=2, default=str), encoding="utf-8")
        return path


def run_suite(
    con: duckdb.DuckDBPyConnection,
    suite: dict,
    relation: str,
    params: dict | None = None,
    row_id: str | None = None,
    sample: int = SAMPLE_ROWS,
) -> SuiteRun:
    """Evaluate every expectation of ``suite`` on every row of ``relation``.

    ``row_id`` is a SQL expression naming a row for reports (default: the suite's ``meta.row_id``,
    else ``row_number`` if the table has it). Returns a SuiteRun; never raises for failing data.
    """
    params = dict(params or {})
    have = {r[0] for r in con.execute(f"select column_name from (describe {relation})").fetchall()}
    meta = suite.get("meta") or {}
    row_id = row_id or meta.get("row_id") or ("row_number" if "row_number" in have else "null")
    sheet = "sheet" if "sheet" in have else "null"
    started = datetime.now(UTC)

    plan: list[tuple[dict, str | None, str | None]] = []  # (expectation, predicate, skipped reason)
    for exp in suite.get("expectations", []):
        missing = [c for c in columns_of(exp) if c not in have]
        if missing:
            plan.append((exp, None, f"column {', '.join(missing)} is not in {relation}"))
            continue
        if exp["type"] in UNIQUENESS:
            plan.append((exp, "unique", None))
            continue
        try:
            plan.append((exp, predicate(exp, params), None))
        except _MissingParameter as p:
            plan.append((exp, None, f"skipped: suite parameter {p.args[0]!r} not given"))

    exprs: list[list[str]] = []  # per planned expectation: its failure count (and non-null count)
    for exp, pred, _ in plan:
        e = []
        if pred == "unique":
            key = ", ".join(_q(c) for c in _key(exp))
            # A screen in the single pass: equal keys have equal hashes, so a real duplicate is never
            # missed; a hash collision only triggers the exact count below (_duplicates), which decides.
            e.append(
                f"count(*) - count(distinct hash({key}))"
                if len(_key(exp)) > 1
                else (f"count({key}) - count(distinct {key})")
            )
        elif pred is not None:
            e.append(f"count(*) filter (where {pred})")
        cols = columns_of(exp)
        if pred is not None and len(cols) == 1 and pred != "unique":
            e.append(f"count({_q(cols[0])})")
        exprs.append(e)
    n, per = _count(con, relation, exprs)

    results, failures = [], []
    for (exp, pred, skipped), counts in zip(plan, per, strict=True):
        config = {k: v for k, v in exp.items() if k in ("type", "kwargs", "meta", "severity", "id")}
        if isinstance(counts, str):  # the rule's SQL failed (e.g. a column of an unexpected type)
            results.append({"success": False, "expectation_config": config, "result": {}, "meta": {},
                            "exception_info": {"raised_exception": True, "exception_message": counts,
                                               "exception_traceback": None}})  # fmt: skip
            failures.append(Failure(exp, 0, n, [], error=counts))
            continue
        if skipped:
            exc = {"raised_exception": skipped.startswith("column"), "exception_message": skipped,
                   "exception_traceback": None}  # fmt: skip
            results.append({"success": not exc["raised_exception"], "expectation_config": config,
                            "result": {}, "meta": {"skipped": skipped}, "exception_info": exc})  # fmt: skip
            continue
        unexpected = int(counts.pop(0))
        nonnull = n
        cols = columns_of(exp)
        if pred != "unique" and len(cols) == 1:
            nonnull = int(counts.pop(0))
        fail = None
        if pred == "unique" and unexpected:
            fail = _duplicates(con, exp, relation, row_id, sheet, sample)
            unexpected = fail.unexpected_count
            fail.element_count = n
        elif unexpected:
            fail = Failure(exp, unexpected, n, _sample(con, exp, pred, relation, row_id, sheet, sample))
        mostly = exp.get("kwargs", {}).get("mostly", 1.0)
        base = nonnull if exp["type"] != "expect_column_values_to_not_be_null" else n
        share = unexpected / base if base else 0.0
        success = unexpected == 0 or (base - unexpected) / base >= mostly  # GX: success ratio ≥ mostly
        if fail and not success:
            failures.append(fail)
        res = {
            "element_count": n,
            "missing_count": n - nonnull,
            "missing_percent": 100 * (n - nonnull) / n if n else None,
            "unexpected_count": unexpected,
            "unexpected_percent": 100 * share if base else None,
            "partial_unexpected_list": [s[2] for s in (fail.sample if fail else [])][:20],
        }
        results.append({"success": success, "expectation_config": config, "result": res, "meta": {},
                        "exception_info": {"raised_exception": False, "exception_message": None,
                                           "exception_traceback": None}})  # fmt: skip
    evaluated = sum(1 for r in results if "skipped" not in r["meta"])
    passed = sum(1 for r in results if r["success"] and "skipped" not in r["meta"])
    result = {
        "success": all(r["success"] for r in results),
        "results": results,
        "suite_name": suite["name"],
        "suite_parameters": {k: v for k, v in params.items() if v is not None},
        "statistics": {
            "evaluated_expectations": evaluated,
            "successful_expectations": passed,
            "unsuccessful_expectations": evaluated - passed,
            "success_percent": 100 * passed / evaluated if evaluated else None,
        },
        "meta": {
            "great_expectations_version": suite.get("meta", {}).get("great_expectations_version"),
            "engine": "tipdw DuckDB SQL (ingest/suites.py)",
            "active_batch_definition": {"datasource_name": "duckdb", "data_asset_name": relation},
            "run_id": {"run_name": f"tipdw-{relation}", "run_time": started.isoformat()},
            "validation_time": started.isoformat(),
            "rows": n,
        },
        "id": str(uuid.uuid4()),
    }
    return SuiteRun(suite, relation, result, failures)


def _count(con, relation: str, exprs: list[list[str]]) -> tuple[int, list]:
    """Row count, and per expectation its counts, all in one pass. If that query fails, each
    expectation is counted alone and one that still fails gets its error message instead."""
    n = int(con.execute(f"select count(*) from {relation}").fetchone()[0])
    flat = [x for e in exprs for x in e]
    if n == 0 or not flat:  # nothing to check (a header-only file): every count is 0
        return n, [[0] * len(e) for e in exprs]
    try:
        values = list(con.execute(f"select {', '.join(flat)} from {relation}").fetchone())
        return n, [[values.pop(0) for _ in e] for e in exprs]
    except duckdb.OutOfMemoryException:
        raise  # not the rules' fault: the caller may retry with more memory (ingest.intake._load)
    except duckdb.Error:
        pass
    per: list = []
    for e in exprs:
        try:
            per.append(list(con.execute(f"select {', '.join(e)} from {relation}").fetchone()) if e else [])
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as exc:
            per.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    return n, per


def _value_sql(exp: dict) -> str:
    cols = columns_of(exp)
    if len(cols) == 1:
        return f"cast({_q(cols[0])} as varchar)"
    return " || ', ' || ".join(f"'{c}=' || coalesce(cast({_q(c)} as varchar), '')" for c in cols)


def _sample(con, exp, pred, relation, row_id, sheet, limit) -> list[tuple]:
    sql = f"select {row_id}, {sheet}, {_value_sql(exp)}, 1 from {relation} where {pred} limit {limit}"
    return [tuple(r) for r in con.execute(sql).fetchall()]


def _duplicates(con, exp, relation, row_id, sheet, limit) -> Failure:
    key = ", ".join(_q(c) for c in _key(exp))
    where = (
        f"where {key} is not null" if len(_key(exp)) == 1 else ""
    )  # GX: a single column's nulls are not duplicates
    groups = f"select {key}, count(*) as copies, max({row_id}) as last_row, min({row_id}) as first_row, " \
             f"any_value({sheet}) as sheet from {relation} {where} group by {key} having count(*) > 1"  # fmt: skip
    total = con.execute(f"select coalesce(sum(copies), 0) from ({groups})").fetchone()[0]
    label = " || ', ' || ".join(f"'{c}=' || coalesce(cast({_q(c)} as varchar), '')" for c in _key(exp))
    rows = con.execute(
        f"select last_row, sheet, {label}, copies, first_row from ({groups}) order by first_row limit {limit}"
    ).fetchall()
    return Failure(exp, int(total), 0, [tuple(r) for r in rows])
