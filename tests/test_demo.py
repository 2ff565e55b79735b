"""End to end: `tipdw demo` publishes numbers that match totals computed from its own files."""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict

import duckdb

from tests.conftest import REPO, run_tipdw


def _unodc_regions() -> dict[str, str]:
    with (REPO / "seeds" / "unodc_regions.csv").open(encoding="utf-8") as fh:
        return {
            r["iso3"]: r["unodc_region"]
            for r in csv.DictReader(
                fh,
            )
        }


def _expected_from_files(demo_home) -> dict[tuple[str, int, str, str], int]:
    """Sum the generated files' detected victims by UNODC region, year, sex and age, independently."""
    regions = _unodc_regions()
    sums: dict[tuple[str, int, str, str], int] = defaultdict(int)
    for path in sorted((demo_home / "demo-input").glob("SYNTHETIC-DEMO-DATA_*_aggregates.csv")):
        with path.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if (r["indicator"], r["form_of_exploitation"], r["citizenship"]) != (
                    "detected_victims",
                    "total",
                    "total",
                ):
                    continue
                assert r["value"] != "", "the demo files report every cell"
                if r["value"].startswith("<"):
                    sums[(regions[r["country"]], int(r["year"]), r["sex"], r["age_group"])] = None
                    continue
                key = (regions[r["country"]], int(r["year"]), r["sex"], r["age_group"])
                if sums.get(key, 0) is not None:
                    sums[key] += int(r["value"])
    return sums


def test_demo_publishes_regional_totals_that_match_the_files(demo_home):
    expected = _expected_from_files(demo_home)
    out = run_tipdw(
        demo_home,
        "sql",
        "select region, year, sex, age_group, value, suppression from regional_aggregates "
        "where region_type = 'unodc_region' and indicator = 'detected_victims' "
        "and form_of_exploitation = 'total' and citizenship = 'total'",
        "--format",
        "json",
    )
    published = {(r["region"], r["year"], r["sex"], r["age_group"]): r for r in json.loads(out.stdout)}
    assert len(published) == len(expected) > 100
    checked = 0
    for key, value in expected.items():
        row = published[key]
        if value is None:
            assert row["value"] is None  # a "<5" at source leaves the regional sum unknown
        elif 0 < value < 5:
            assert row["value"] is None and row["suppression"] == "primary"
        elif row["suppression"] is not None:
            # Withheld to protect a small cell elsewhere (secondary, or a country in the region withheld).
            assert row["value"] is None and row["suppression"] != "primary"
        else:
            assert row["value"] == value, key
            checked += 1
    assert checked > 100


def test_demo_prints_regional_table_and_banner(demo_home):
    printed = (demo_home.parent / "demo-stdout.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA, not official statistics" in printed
    assert "Sub-Saharan Africa" in printed and "women" in printed and "boys" in printed
    assert "published.duckdb" in printed


def test_demo_twice_publishes_the_same_numbers(demo_home, tmp_path):
    home = tmp_path / "h"
    shutil.copytree(demo_home, home)
    con = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    first = con.execute("select sum(value), count(*) from regional_aggregates").fetchone()
    con.close()
    again = run_tipdw(home, "demo")
    assert "already loaded as submission" in again.stdout and "accepted as submission" not in again.stdout
    con = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    assert con.execute("select sum(value), count(*) from regional_aggregates").fetchone() == first
    con.close()
    subs = json.loads(run_tipdw(home, "submissions", "--format", "json").stdout)
    assert len(subs) == 15 and {s["status"] for s in subs} == {
        "accepted"
    }  # 12 countries, population, 2 case-level


def test_published_database_holds_no_raw_rows(demo_home):
    con = duckdb.connect(str(demo_home / "published.duckdb"), read_only=True)
    schemas = {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    con.close()
    assert schemas <= {"main", "reference"}
    assert "aggregate_observations" not in tables and "submissions" not in tables
    assert {"comparable_counts", "preferred_counts", "regional_aggregates", "_tables", "_columns"} <= tables
