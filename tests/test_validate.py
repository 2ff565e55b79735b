"""`tipdw validate`, validation inside `tipdw build`, and the consistency checks (dbt generic tests).

The demo passes; a broken copy of the published tables fails every rule of every published suite;
a build whose validation fails keeps the previous publication (exit 2); each in-house consistency
test fails on its small broken fixture (tests/fixtures/quality/consistency) and passes on the good one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from ingest.suites import load_suite, run_suite, suite_names
from tests.conftest import REPO, run_tipdw

FIXTURES = REPO / "tests" / "fixtures" / "quality"


def _break(con: duckdb.DuckDBPyConnection, table: str, exp: dict, i: int) -> None:
    """Make row ``i`` of ``table`` (or the next row where the rule can apply) break expectation ``exp``."""
    t, k = exp["type"], exp["kwargs"]
    col = k.get("column")
    row = f"(select min(rowid) from {table} where rowid >= {i})"
    if t == "expect_compound_columns_to_be_unique":
        con.execute(f"insert into {table} select * from {table} where rowid = {row}")
    elif t == "expect_column_values_to_not_be_null":
        con.execute(f'update {table} set "{col}" = null where rowid = {row}')
    elif t == "expect_column_values_to_be_between":
        lo, hi = k.get("min_value"), k.get("max_value")
        bad = (
            (lo if k.get("strict_min") else lo - 1)
            if lo is not None
            else (hi if k.get("strict_max") else hi + 1)
        )
        con.execute(f'update {table} set "{col}" = {bad} where rowid = {row}')
    elif t in ("expect_column_values_to_be_in_set", "expect_column_values_to_match_regex"):
        con.execute(f"update {table} set \"{col}\" = '!!' where rowid = {row}")
    elif t == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = k["column_A"], k["column_B"]
        some = f"(select min(rowid) from {table} where {b} is not null)"
        target = f"coalesce((select min(rowid) from {table} where {b} is not null and rowid >= {i}), {some})"
        con.execute(f"update {table} set {a} = {b} - 1 where rowid = {target}")
    else:
        raise AssertionError(f"no breaking statement for {t}: add one")


def test_demo_validation_passes_and_writes_gx_results(demo_home):
    out = run_tipdw(demo_home, "validate")
    for table in ("comparable_counts", "preferred_counts", "regional_aggregates"):
        assert re.search(rf"^OK +published\.{table} +\d+ rows", out.stdout, re.M), out.stdout
    assert out.stdout.rstrip().endswith("validation OK")
    result = json.loads(
        (demo_home / "reports" / "validation" / "published.comparable_counts.json").read_text()
    )
    assert result["success"] is True and result["suite_name"] == "published.comparable_counts"
    assert result["meta"]["rows"] > 1000
    assert all(r["result"]["element_count"] == result["meta"]["rows"] for r in result["results"])


def test_every_published_rule_fails_on_a_broken_copy(demo_home, tmp_path):
    """Each expectation of each published suite is broken on its own row; every one must fail."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_home / "published.duckdb", home / "published.duckdb")
    con = duckdb.connect(str(home / "published.duckdb"))
    broken, expected_failures = [], 0
    for name in suite_names("published."):
        table = name.removeprefix("published.")
        exists = con.execute("select count(*) from duckdb_tables() where table_name = ?", [table]).fetchone()[
            0
        ]
        if not exists or con.execute(f"select count(*) from {table}").fetchone()[0] == 0:
            continue
        suite = load_suite(name)
        for i, exp in enumerate(suite["expectations"]):
            _break(con, table, exp, i)
        run = run_suite(con, suite, table)
        passing = [r["expectation_config"]["meta"]["rule"] for r in run.result["results"] if r["success"]]
        assert passing == [], (table, passing)
        broken.append(table)
        expected_failures += len(suite["expectations"])
    con.close()
    assert {"comparable_counts", "preferred_counts", "regional_aggregates"} <= set(broken)
    out = run_tipdw(home, "validate", check=False)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stdout.count("FAILED published.") == len(broken)
    assert "ERROR [value.bounds_ordered] the published bounds are out of order: 1 of" in out.stdout
    assert "ERROR [cell.duplicate] the same regional cell appears twice: 2 of" in out.stdout
    assert f"validation FAILED: {expected_failures} failing expectations" in out.stdout


def test_validate_without_a_publication_says_so(home):
    out = run_tipdw(home, "validate", check=False)
    assert out.returncode == 1 and "run `tipdw build` first" in out.stderr


@pytest.fixture(scope="module")
def failed_build(demo_home, tmp_path_factory):
    """A copy of the demo warehouse rebuilt with a stricter suite that its data breaks."""
    home = tmp_path_factory.mktemp("strict") / "home"
    shutil.copytree(demo_home, home)
    strict = home.parent / "expectations"
    shutil.copytree(REPO / "expectations", strict)
    path = strict / "published.comparable_counts.json"
    suite = json.loads(path.read_text())
    suite["expectations"].append(
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "max_value": 100},
         "meta": {"rule": "value.at_most_100", "message": "a count above 100", "fix": "(test only)"},
         "severity": "critical"}
    )  # fmt: skip
    path.write_text(json.dumps(suite))
    before = (home / "published.duckdb").read_bytes()
    out = run_tipdw(home, "build", check=False, env={"TIPDW_EXPECTATIONS": str(strict)}, timeout=600)
    return home, before, out


def test_failed_validation_keeps_the_previous_publication(failed_build):
    home, before, out = failed_build
    assert out.returncode == 2, out.stdout + out.stderr
    assert "FAILED validation" in out.stdout and "previous publication kept" in out.stdout
    assert "[value.at_most_100] a count above 100" in out.stderr
    assert (home / "published.duckdb").read_bytes() == before
    # the new publication, written while the marts were validated, is removed
    assert not list(home.glob(".published.duckdb.*")), list(home.iterdir())
    assert (
        json.loads((home / "reports" / "validation" / "published.comparable_counts.json").read_text())[
            "success"
        ]
        is False
    )
    # with the project's own suites the same publication validates
    assert run_tipdw(home, "validate").returncode == 0


def test_build_warnings_give_the_records_and_figures(failed_build):
    _, _, out = failed_build
    figures = {
        "funnel_convictions_within_prosecutions": r"[A-Z]{3} 20\d\d .*: persons_convicted \d+ > persons_prosecuted \d+",
        "year_over_year_jumps": r"[A-Z]{3} .*: 20\d\d \d+ -> 20\d\d \d+ \(-?\d+%, threshold 100%\)",
        "duplicates_across_sources": r"\d+ sources \(.*\), values",
    }
    seen = 0
    for line in out.stdout.splitlines():
        name = line.removeprefix("WARN ").split(":", 1)[0]
        if line.startswith("WARN ") and name in figures:
            seen += 1
            assert re.search(figures[name], line), line
    assert seen >= 1, out.stdout  # the demo has jumps from one year to the next


# --- the consistency generic tests, each on a small fixture --------------------------------------

FIXTURE_TESTS = """
version: 2
seeds:
  - name: {counts}
    data_tests:
      - funnel_ordered:
          name: funnel_{counts}
          arguments: {{earlier: persons_prosecuted, later: persons_convicted,
                      keys: [country_iso3, year, sex, source]}}
      - year_over_year_jump:
          name: yoy_{counts}
          arguments: {{keys: [country_iso3, indicator, sex, source, year]}}
      - one_source_per_cell:
          name: sources_{counts}
          arguments: {{keys: [country_iso3, year, indicator, sex, source]}}
  - name: {rates}
    data_tests:
      - population_for_rates:
          name: population_{rates}
          arguments: {{population: "ref('population')", keys: [country_iso3, year]}}
"""


@pytest.fixture(scope="module")
def consistency_results(tmp_path_factory):
    """Run the in-house consistency tests with real dbt on the fixture seeds; return run results."""
    root = tmp_path_factory.mktemp("consistency")
    (root / "macros").mkdir()
    for f in ["funnel_ordered", "year_over_year_jump", "one_source_per_cell", "population_for_rates"]:
        shutil.copy(REPO / "tests" / "generic" / f"{f}.sql", root / "macros")
    shutil.copy(REPO / "macros" / "quality.sql", root / "macros")
    shutil.copytree(FIXTURES / "consistency", root / "seeds")
    (root / "seeds" / "_tests.yml").write_text(
        FIXTURE_TESTS.format(counts="counts_bad", rates="rates_bad")
        + FIXTURE_TESTS.format(counts="counts_good", rates="rates_good").replace("version: 2\nseeds:", "")
    )
    (root / "dbt_project.yml").write_text(
        "name: consistency_fixture\nversion: '1.0.0'\nconfig-version: 2\nprofile: fixture\n"
        "macro-paths: [macros]\nseed-paths: [seeds]\n"
        "data_tests:\n  +store_failures: true\n  +schema: quality\n"
    )
    (root / "profiles.yml").write_text(
        f"fixture:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {root / 'f.duckdb'}\n"
        "      threads: 1\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "build", "--project-dir", str(root),
         "--profiles-dir", str(root), "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        capture_output=True, text=True, check=False, cwd=root,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"},
    )  # fmt: skip
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    by_name = {r["unique_id"].split(".")[2]: r for r in results if r["unique_id"].startswith("test.")}
    assert len(by_name) == 8, proc.stdout[-3000:]
    con = duckdb.connect(str(root / "f.duckdb"), read_only=True)
    failures = {
        name: [r[0] for r in con.execute(f"select failure from main_quality.{name}").fetchall()]
        for name in by_name
    }
    con.close()
    return by_name, failures


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("funnel_counts_bad", ["KEN 2020 total national: persons_convicted 12 > persons_prosecuted 10"]),
        ("yoy_counts_bad", ["KEN detected_victims total national: 2019 100 -> 2020 250 (150%, threshold 100%)"]),
        ("sources_counts_bad", ["UGA 2020 detected_victims total: 2 sources (national ... unodc_glotip), values 28 to 30"]),
        ("population_rates_bad", ["UGA 2020: rate 0.5 has no population"]),
    ],
)  # fmt: skip
def test_each_consistency_check_fails_on_its_fixture_with_figures(consistency_results, test, expected):
    by_name, failures = consistency_results
    assert by_name[test]["status"] == "fail" and by_name[test]["failures"] == 1
    assert failures[test] == expected


@pytest.mark.parametrize("test", ["funnel_counts_good", "yoy_counts_good", "sources_counts_good",
                                  "population_rates_good"])  # fmt: skip
def test_each_consistency_check_passes_on_good_data(consistency_results, test):
    by_name, _ = consistency_results
    assert by_name[test]["status"] == "pass" and by_name[test]["failures"] == 0


def test_published_suites_cover_the_core_marts():
    assert {"published.comparable_counts", "published.preferred_counts",
            "published.regional_aggregates"} <= set(suite_names("published."))  # fmt: skip
