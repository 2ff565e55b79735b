"""The intake gate: GX 1.x suites in expectations/, evaluated as DuckDB SQL over every row.

Every rule of every intake suite fails on its broken fixture (tests/fixtures/quality/gate/*_broken.csv:
one row per rule, column `breaks` names the rule it breaks) and passes on the clean one; a rejection
through the real CLI lists every problem with file, row, column, value, rule and fix; warnings do
not reject.
"""

from __future__ import annotations

import csv
import json
import os

import duckdb
import pytest

from ingest import gate
from ingest.suites import SuiteError, check_suite, load_suite, run_suite, suite_names
from tests.conftest import REPO, run_tipdw

FIXTURES = REPO / "tests" / "fixtures" / "quality"
DATASETS = ["aggregates", "population", "victims", "suspects", "cases"]
PARAMS = {"country": "KEN", "this_year": 2026}


def _batch(con: duckdb.DuckDBPyConnection, dataset: str, kind: str) -> str:
    path = FIXTURES / "gate" / f"{dataset}_{kind}.csv"
    con.execute(
        f"create or replace table batch_{dataset} as select * exclude (breaks) from read_csv('{path}')"
    )
    return f"batch_{dataset}"


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_rule_fails_on_its_broken_fixture(dataset):
    con = duckdb.connect()
    suite = load_suite(f"intake.{dataset}")
    run = run_suite(con, suite, _batch(con, dataset, "broken"), PARAMS)
    failed = {f.meta["rule"] for f in run.failures}
    rules = {e["meta"]["rule"] for e in suite["expectations"]}
    assert failed == rules, f"rules that never failed: {rules - failed}"
    # every single expectation (not only every rule id) has at least one failing row
    for exp, res in zip(suite["expectations"], run.result["results"], strict=True):
        assert res["result"]["unexpected_count"] >= 1, exp
        assert res["success"] is False
    # and the row named for each rule in the fixture is among that rule's failing rows
    with (FIXTURES / "gate" / f"{dataset}_broken.csv").open() as fh:
        expected = {(r["breaks"], int(r["row_number"])) for r in csv.DictReader(fh)}
    found = {(f.meta["rule"], s[0]) for f in run.failures for s in f.sample}
    found |= {(f.meta["rule"], s[4]) for f in run.failures for s in f.sample if len(s) > 4}
    assert expected <= found, expected - found


@pytest.mark.parametrize("dataset", DATASETS)
def test_clean_fixture_passes_every_rule(dataset):
    con = duckdb.connect()
    run = run_suite(con, load_suite(f"intake.{dataset}"), _batch(con, dataset, "clean"), PARAMS)
    assert run.failures == [] and run.ok
    stats = run.result["statistics"]
    assert (
        stats["evaluated_expectations"] == stats["successful_expectations"] == len(run.suite["expectations"])
    )


def test_check_turns_failing_rows_into_problems_with_row_value_and_fix():
    con = duckdb.connect()
    table = _batch(con, "aggregates", "broken")
    problems = gate.check(con, "aggregates", table, "ken.csv", "KEN")
    by_rule = {}
    for p in problems.items:
        by_rule.setdefault(p.rule, []).append(p)
    assert [p.row for p in by_rule["country.matches_option"]] == [3, 4]  # 'Kenya' and 'UGA' are not KEN
    wrong_country = by_rule["country.matches_option"][1]
    assert (wrong_country.file, wrong_country.row, wrong_country.column, wrong_country.value) == (
        "ken.csv", 4, "country_iso3", "UGA")  # fmt: skip
    assert wrong_country.sheet == "data" and "--country" in wrong_country.fix
    dup = by_rule["cell.duplicate"][0]
    assert dup.row == 16 and "2 copies (first at row 15)" in dup.message
    assert [p.severity for p in by_rule["value.implausible"]] == ["warning"]
    assert by_rule["value.implausible"][0].row == 14 and by_rule["value.implausible"][0].value == "2000000"
    assert problems.summary()["errors"] == 15 and problems.summary()["warnings"] == 1
    # without --country the country rule is skipped, not failed
    assert "country.matches_option" not in {
        p.rule for p in gate.check(con, "aggregates", table, "f", None).items
    }
    assert gate.LAST_RUNS["aggregates"].result["results"][2]["meta"]["skipped"].startswith("skipped")


def test_summary_counts_every_failing_row_beyond_the_listed_sample():
    con = duckdb.connect()
    con.execute(
        "create table big as select 'x' as source_format, i + 2 as row_number, 'KEN' as country_iso3, "
        "2020 as year, 'detected_victims' as indicator_code, 'female' as sex_code, 'total' as age_code, "
        "'total' as form_code, 'total' as citizenship_code, null as citizenship_iso3, 'persons' as unit_code, "
        "-1.0 as value, null::double as value_lower, null::double as value_upper, 'detected' as estimate_type "
        "from range(1000) t(i)"
    )
    problems = gate.check(con, "aggregates", "big", "big.csv", None)
    assert problems.counts["value.non_negative"] == 1000
    assert len([p for p in problems.items if p.rule == "value.non_negative"]) == 200  # listed: capped
    assert problems.counts["cell.duplicate"] == 1000  # all 1000 rows share one cell


def test_a_rejection_through_the_cli_lists_every_problem_as_csv_and_json(home):
    out = run_tipdw(home, "ingest", str(FIXTURES / "broken_submission.csv"), "--country", "KEN", check=False)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "REJECTED" in out.stderr and "nothing was loaded" in out.stderr
    assert "ERROR broken_submission.csv, row 5, column 'country_iso3'" in out.stderr  # the UGA row
    assert "WARNING broken_submission.csv, row 6, column 'value'" in out.stdout + out.stderr
    report = json.loads((home / "reports" / "submission_1_problems.json").read_text())
    rules = {(p["rule"], p["row"]) for p in report["problems"]}
    assert {("country.matches_option", 5), ("cell.duplicate", 4), ("value.implausible", 6)} <= rules
    with (home / "reports" / "submission_1_problems.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert set(rows[0]) >= {"file", "sheet", "row", "column", "value", "rule", "fix", "severity"}
    dup = next(r for r in rows if r["rule"] == "cell.duplicate")
    assert dup["row"] == "4" and dup["fix"].startswith("keep one row per cell")
    assert report["summary"] == {"errors": 2, "warnings": 1,
                                 "by_rule": {"cell.duplicate": 1, "country.matches_option": 1,
                                             "value.implausible": 1}}  # fmt: skip
    listing = run_tipdw(home, "submissions", "--format", "json")
    assert json.loads(listing.stdout)[0]["status"] == "rejected"


def test_warnings_do_not_reject(home):
    out = run_tipdw(home, "ingest", str(FIXTURES / "warning_only.csv"), "--country", "KEN")
    assert "accepted as submission 1" in out.stdout and "2 rows loaded, 1 warnings" in out.stdout
    assert "WARNING warning_only.csv, row 2, column 'value'" in out.stdout + out.stderr


def test_suites_are_well_formed_and_name_real_columns():
    from ingest.readers.base import AGGREGATE_COLUMNS, POPULATION_COLUMNS

    names = suite_names("")
    assert {f"intake.{d}" for d in DATASETS} <= set(names)
    for name in names:
        check_suite(load_suite(name), name)  # raises SuiteError when malformed
    canonical = {"aggregates": AGGREGATE_COLUMNS, "population": POPULATION_COLUMNS}
    for dataset, cols in canonical.items():
        used = {c for e in load_suite(f"intake.{dataset}")["expectations"] for c in _columns(e)}
        assert used <= set(cols), used - set(cols)
    with pytest.raises(SuiteError, match="supported"):
        check_suite(
            {"name": "x", "expectations": [{"type": "expect_table_row_count_to_equal", "kwargs": {}}]}
        )
    with pytest.raises(SuiteError, match="meta.rule"):
        check_suite({"name": "x", "expectations": [{"type": "expect_column_values_to_not_be_null",
                                                    "kwargs": {"column": "a"}}]})  # fmt: skip


def _columns(exp: dict) -> list[str]:
    from ingest.suites import columns_of

    return columns_of(exp)


def test_suites_and_results_are_real_great_expectations_artefacts():
    """GX 1.24 loads every suite file, and a tipdw result as an ExpectationSuiteValidationResult."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

    for name in suite_names(""):
        data = json.loads((REPO / "expectations" / f"{name}.json").read_text())
        suite = gx.ExpectationSuite(**data)
        assert suite.name == name and len(suite.expectations) == len(data["expectations"])
        assert {e.severity.value for e in suite.expectations} <= {"critical", "warning"}
    con = duckdb.connect()
    run = run_suite(con, load_suite("intake.population"), _batch(con, "population", "broken"), PARAMS)
    result = run.to_gx()
    assert isinstance(result, ExpectationSuiteValidationResult)
    assert result.success is False and result.suite_name == "intake.population"
    assert result.statistics["evaluated_expectations"] == 9
    positive = next(r for r in result.results if r.expectation_config.meta["rule"] == "population.positive")
    assert positive.result["unexpected_count"] == 1 and positive.success is False


def test_an_empty_batch_passes_and_a_rule_that_cannot_run_is_an_error_not_a_traceback():
    con = duckdb.connect()
    # a header-only file: columns of no particular type and no rows
    con.execute("create table empty as select * from read_csv('" + str(FIXTURES / "gate" / "population_clean.csv")
                + "', all_varchar = true) limit 0")  # fmt: skip
    assert gate.check(con, "population", "empty", "header_only.csv", "KEN").items == []
    # one row whose year is text: 'year between 1950 and this year' cannot be evaluated on it
    con.execute(
        "insert into empty values ('', 'template-population', '2', 'KEN', 'twenty', 'total', 'total', '5')"
    )
    problems = gate.check(con, "population", "empty", "text_year.csv", "KEN")
    bad = [p for p in problems.errors if p.message.startswith("the rule could not be checked")]
    assert {p.rule for p in bad} >= {"year.range", "population.positive"}
    assert all(p.file == "text_year.csv" and "maintainers" in p.fix for p in bad)
    run = gate.LAST_RUNS["population"]
    assert not run.ok and any(r["exception_info"]["raised_exception"] for r in run.result["results"])
