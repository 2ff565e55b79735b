"""The column_checks generic test (tests/generic/column_checks.sql): one dbt node per model for its
not_null, non_negative, unique, grain, accepted_values, relationships and expression checks.

Runs the tiny fixture dbt project of tests/fixtures/harmonize/generic_tests on hand-made rows that
break each check once, and checks the project's yml files use it instead of per-column tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest
import yaml

from tests.conftest import REPO
from tests.warehouse_checks import query_dicts
from tipdw.config import Home
from tipdw.quality.checks import dbt_checks, describe_warnings, load_rows

PROJECT = REPO / "tests" / "fixtures" / "harmonize" / "generic_tests"
FOLDED = {"not_null", "non_negative", "unique", "accepted_values", "relationships"}
# model-level tests that are a column_checks argument instead (grain: [...], bounds: [...])
FOLDED_MODEL_TESTS = {"unique_combination": "grain", "bounds_ordered": "bounds"}


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    """dbt build of the column_checks fixture seeds and their tests: (status, failures) by test
    name, and the stored failing rows of must_fail_column_checks_all."""
    tmp = tmp_path_factory.mktemp("column_checks")
    # laid out as a tipdw home (tipdw.duckdb, dbt-target/) so that tipdw.quality.checks can read it
    env = {**os.environ, "FIXTURE_DB": str(tmp / "tipdw.duckdb"), "DBT_TARGET_PATH": str(tmp / "dbt-target"),
           "DBT_LOG_PATH": str(tmp / "logs"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "build", "--no-use-colors",
         "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
         "--select", "column_checks_rows", "column_checks_parent"],
        env=env, capture_output=True, text=True, check=False, timeout=300, cwd=tmp,
    )  # fmt: skip
    results = json.loads((tmp / "dbt-target" / "run_results.json").read_text())["results"]
    tests = {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"])
        for r in results
        if r["unique_id"].startswith("test.")
    }
    assert len(tests) == 11, proc.stdout[-3000:]
    rows = query_dicts(
        tmp / "tipdw.duckdb",
        "select check_name, column_name, failing_value, failing_rows, failure "
        "from quality.must_fail_column_checks_all order by check_name, column_name",
    )
    return tests, [tuple(r.values()) for r in rows], tmp


@pytest.mark.parametrize(
    "test",
    [
        "not_null",
        "non_negative",
        "unique",
        "grain",
        "accepted_values",
        "accepted_numbers",
        "relationships",
        "expression",
    ],
)
def test_each_check_fails_on_its_broken_row(fixture_run, test):
    tests, _, _ = fixture_run
    assert tests[f"must_fail_column_checks_{test}"] == ("fail", 1)


def test_good_rows_and_nulls_pass(fixture_run):
    tests, _, _ = fixture_run
    assert tests["must_pass_column_checks_on_good_rows"] == ("pass", 0)
    assert tests["must_pass_column_checks_where_nulls_pass"] == ("pass", 0)


def test_each_failing_row_names_check_column_value_and_count(fixture_run):
    tests, rows, _ = fixture_run
    assert tests["must_fail_column_checks_all"] == ("fail", 9)
    assert rows == [
        ("accepted_values", "kind", "guess", 1, "accepted_values: kind = 'guess' (1 rows) not in detected, estimated"),
        ("accepted_values", "rank", "7", 1, "accepted_values: rank = '7' (1 rows) not in 1, 2, 3, 4, 5, 6"),
        # amount -2 below its lower bound 0, and the bounds 5 > 2
        ("bounds", "amount", None, 2, "bounds: not lower_bound <= amount <= upper_bound in 2 rows"),
        ("expression", None, None, 1, "expression: lower_bound <= upper_bound is false or null (bounds are ordered) in 1 rows"),
        ("grain", "code, rank", "AAA, 6", 2, "grain: (code, rank) = (AAA, 6) in 2 rows"),
        ("non_negative", "amount", "-2", 1, "non_negative: amount < 0 in 1 rows (lowest -2)"),
        ("not_null", "code", None, 1, "not_null: code is null in 1 rows"),
        ("relationships", "code", "ZZZ", 1, "relationships: code = 'ZZZ' (1 rows) not in column_checks_parent.code"),
        ("unique", "rank", "6", 2, "unique: rank = '6' in 2 rows"),
    ]  # fmt: skip


def test_failing_rows_are_read_again_from_the_compiled_test(fixture_run):
    """column_checks does not store its failing rows: a build warning or failure, and the quality
    report, get them by running the test's compiled SQL again (tipdw/quality/checks.py)."""
    _, _, root = fixture_run
    home = Home(root)
    checks = {c.name: c for c in dbt_checks(home)}
    grain = checks["must_fail_column_checks_grain"]
    assert grain.relation is None and "group by code, rank" in grain.sql
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        load_rows(con, grain)
    finally:
        con.close()
    assert grain.rows == [("grain", "code, rank", "AAA, 6", 2, "grain: (code, rank) = (AAA, 6) in 2 rows")]
    # a failure line as tipdw/dbt.py writes it: the test's id, then dbt's message
    line = (
        checks["must_fail_column_checks_unique"].uid.split(".", 2)[-1]
        + ": Got 1 result, configured to fail if != 0"
    )
    assert describe_warnings(home, [line]) == [f"{line}: unique: rank = '6' in 2 rows"]


def _yml_files():
    return sorted([*REPO.glob("models/**/_*.yml"), *REPO.glob("seeds/_*.yml")])


def test_column_level_checks_are_folded_into_one_column_checks_test_per_model():
    """Per-column not_null/unique/non_negative/accepted_values/relationships tests are one dbt node
    each; the project states them in the model's column_checks test instead (one node per model)."""
    per_column, names = [], []
    for path in _yml_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        nodes = [*(doc.get("models") or []), *(doc.get("seeds") or [])]
        nodes += [t for s in doc.get("sources") or [] for t in s.get("tables") or []]
        for node in nodes:
            for col in node.get("columns") or []:
                for t in col.get("data_tests") or col.get("tests") or []:
                    kind = t if isinstance(t, str) else next(iter(t))
                    if kind in FOLDED:
                        per_column.append(f"{path.relative_to(REPO)}: {node['name']}.{col['name']} {kind}")
            for t in node.get("data_tests") or []:
                if (kind := t if isinstance(t, str) else next(iter(t))) in FOLDED_MODEL_TESTS:
                    per_column.append(
                        f"{path.relative_to(REPO)}: {node['name']} {kind} (use {FOLDED_MODEL_TESTS[kind]})"
                    )
                if isinstance(t, dict) and "column_checks" in t:
                    names.append(t["column_checks"].get("name"))
    assert per_column == [], (
        "move these into the model's column_checks test (tests/generic/column_checks.sql)"
    )
    assert len(names) >= 50
    assert len(set(names)) == len(names) and all(n and n.startswith("column_checks_") for n in names)
