"""Harmonization: national codes to the comparable grain, derived totals, precedence, unmapped codes.

One warehouse is built per module from three hand-made template submissions
(tests/fixtures/harmonize/): Spain's national file with national codes (sex F/H, an unmapped sex
"Z", age bands, an unmapped indicator, "<5", a blank and a zero, parts declared additive but no
totals), the same country-year from a second source (unodc_glotip) with explicit totals, and
Namibia given by its ISO2 code "NA".
"""

from __future__ import annotations

import csv
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_tipdw
from tests.warehouse_checks import query_dicts

FIXTURES = REPO / "tests" / "fixtures" / "harmonize"
KEY = ("source", "country_iso3", "indicator", "sex", "age_group")

# Hand-computed from esp_2023_national.csv (all parts additive, no totals given):
#   female child = 0-14 (4) + 15-17 (6) = 10; female adult 20; female unknown age (band 16-20) 7;
#   male child "<5" -> null, bounds 0-4; male adult 30; sex "Z" (unmapped -> unknown) adult 0.
# Derived (sex first, then age): total child = 10 + [0,4] -> null [10,14]; total adult 20+30+0 = 50;
#   total unknown = 7; female total 37; male total null [30,34]; unknown total 0; grand total [67,71].
EXPECTED = {  # (sex, age_group): (value, value_lower, value_upper, is_derived)
    ("female", "child"): (10, 10, 10, False),
    ("female", "adult"): (20, 20, 20, False),
    ("female", "unknown"): (7, 7, 7, False),
    ("male", "child"): (None, 0, 4, False),
    ("male", "adult"): (30, 30, 30, False),
    ("unknown", "adult"): (0, 0, 0, False),
    ("total", "child"): (None, 10, 14, True),
    ("total", "adult"): (50, 50, 50, True),
    ("total", "unknown"): (7, 7, 7, True),
    ("female", "total"): (37, 37, 37, True),
    ("male", "total"): (None, 30, 34, True),
    ("unknown", "total"): (0, 0, 0, True),
    ("total", "total"): (None, 67, 71, True),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(home, stdout of `tipdw build`) for the three fixture submissions."""
    home = tmp_path_factory.mktemp("harmonize-home")
    run_tipdw(home, "ingest", str(FIXTURES / "esp_2023_national.csv"))
    run_tipdw(home, "ingest", str(FIXTURES / "esp_2023_unodc.csv"), "--source", "unodc_glotip")
    run_tipdw(home, "ingest", str(FIXTURES / "nam_2022_national.csv"))
    out = run_tipdw(home, "build", timeout=600)
    return home, out.stdout


def _query(home: Path, sql: str) -> list[dict]:
    out = run_tipdw(home, "sql", sql, "--format", "json")
    return json.loads(out.stdout)


def _build_rows(home: Path, sql: str) -> list[dict]:
    """Rows of the build database (before disclosure control), read-only after the build."""
    return query_dicts(home / "tipdw.duckdb", sql)


CELL = "indicator = 'detected_victims' and form_of_exploitation = 'total' and citizenship = 'total'"


def test_national_codes_reach_the_comparable_grain_with_hand_computed_values(built):
    home, _ = built
    rows = _build_rows(
        home,
        "select * from intermediate.int_counts__comparable "
        f"where country_iso3 = 'ESP' and source = 'national' and {CELL}",
    )
    got = {
        (r["sex"], r["age_group"]): (
            None if r["value"] is None else int(r["value"]),
            None if r["value_lower"] is None else int(r["value_lower"]),
            None if r["value_upper"] is None else int(r["value_upper"]),
            r["is_derived"],
        )
        for r in rows
    }
    assert got == EXPECTED
    assert all(r["submission_id"] == 1 for r in rows)


def test_published_comparable_counts_carry_the_same_figures_unless_withheld(built):
    """Disclosure control may withhold a cell (suppression set); every other published cell is the
    hand-computed figure, and every cell keeps its is_derived flag."""
    home, _ = built
    rows = _query(
        home, f"select * from comparable_counts where country_iso3 = 'ESP' and source = 'national' and {CELL}"
    )
    assert {(r["sex"], r["age_group"]) for r in rows} == set(EXPECTED)
    published = 0
    for r in rows:
        value, lower, upper, derived = EXPECTED[(r["sex"], r["age_group"])]
        assert r["is_derived"] is derived
        if r["suppression"] is None:
            assert (r["value"], r["value_lower"], r["value_upper"]) == (value, lower, upper), r
            published += 1
        else:
            assert r["value"] is None
    assert published >= 5  # e.g. total adult 50, the "<5" bounds 0-4 and the zero of sex 'Z'


def test_blank_stays_null_zero_stays_zero(built):
    home, _ = built
    rows = {
        r["indicator"]: r
        for r in _query(
            home,
            "select * from comparable_counts where country_iso3 = 'ESP' "
            "and indicator in ('persons_prosecuted', 'persons_convicted')",
        )
    }
    assert (rows["persons_prosecuted"]["value"], rows["persons_prosecuted"]["value_upper"]) == (None, None)
    assert (rows["persons_convicted"]["value"], rows["persons_convicted"]["value_upper"]) == (0, 0)


def test_parts_of_a_source_that_does_not_declare_additivity_are_never_summed(built):
    home, _ = built
    rows = _query(home, "select sex, value, is_derived from comparable_counts where source = 'unodc_glotip'")
    assert sorted((r["sex"], r["value"], r["is_derived"]) for r in rows) == [
        ("female", 40, False),
        ("total", 70, False),
    ]
    # Namibia gave its own total: kept as given, not re-derived from 7 + 5.
    nam = _query(home, "select sex, value, is_derived from comparable_counts where country_iso3 = 'NAM'")
    assert sorted((r["sex"], r["value"], r["is_derived"]) for r in nam) == [
        ("female", 7, False),
        ("male", 5, False),
        ("total", 12, False),
    ]


def test_comparability_note_says_derived_and_carries_the_submissions_definitions(built):
    home, _ = built
    (row,) = _query(
        home,
        "select comparability_note from comparable_counts where country_iso3 = 'ESP' and source = 'national' "
        "and indicator = 'detected_victims' and sex = 'total' and age_group = 'total'",
    )
    assert row["comparability_note"] == (
        "Total derived by tipdw as the sum of parts the source declares additive. "
        "Definition of victim: presumed and identified victims. "
        "Counting unit: persons (a victim counted once per year). "
        "Persons identified by national authorities as victims of trafficking; a measure of detection "
        "capacity, not prevalence"
    )


def test_preferred_counts_show_the_winner_and_the_losers(built):
    home, _ = built
    rows = {
        r["sex"]: r
        for r in _query(
            home,
            "select * from preferred_counts where country_iso3 = 'ESP' and indicator = 'detected_victims' "
            "and age_group = 'total' and form_of_exploitation = 'total' and citizenship = 'total'",
        )
    }
    unodc = {
        r["sex"]: r
        for r in _query(
            home, "select sex, value, suppression from comparable_counts where source = 'unodc_glotip'"
        )
    }
    for sex in ("total", "female"):
        row = rows[sex]
        assert (row["chosen_source"], row["chosen_precedence"], row["sources_available"]) == (
            "national",
            1,
            2,
        )
        assert row["is_derived"] is True  # the national total was derived; UNODC's explicit one lost
        loser = "suppressed" if unodc[sex]["suppression"] else str(unodc[sex]["value"])
        assert row["losing_sources"] == f"unodc_glotip: {loser} (submission 2)"
    assert unodc["total"]["value"] == 70  # UNODC's figure is kept in comparable_counts, never added
    assert rows["male"]["losing_sources"] is None  # only one source gave it
    assert rows["male"]["sources_available"] == 1


def test_unmapped_codes_are_listed_reported_and_never_dropped(built):
    home, stdout = built
    rows = _query(home, "select * from unmapped_codes order by dimension")
    assert [
        (r["source_format"], r["dimension"], r["source_code"], r["rows_affected"], r["treated_as"])
        for r in rows
    ] == [
        ("template-aggregates", "indicator", "victimas_identificadas", 1, "held back from comparable_counts"),
        ("template-aggregates", "sex", "Z", 1, "unknown"),
    ]
    assert rows[1]["example_submission_id"] == 1 and rows[1]["example_row_number"] == 8
    # The build says so, with the fix.
    assert "unmapped code: format template-aggregates, sex 'Z'" in stdout
    assert "1 rows counted as sex 'unknown'" in stdout
    assert "'victimas_identificadas'" in stdout and "held back from comparable_counts" in stdout
    assert stdout.count("Fix: add a row to seeds/code_crosswalk.csv") == 2
    # The "Z" row is counted (as unknown), the unmapped indicator is not in comparable_counts.
    assert _query(home, "select count(*) as n from comparable_counts where indicator not in "
                  "(select indicator from reference.indicators)") == [{"n": 0}]  # fmt: skip


def test_namibia_na_is_resolved_and_survives_seed_loading(built):
    home, _ = built
    assert _query(home, "select iso3, iso2 from reference.countries where iso2 = 'NA'") == [
        {"iso3": "NAM", "iso2": "NA"}
    ]
    rows = _query(
        home, "select distinct country_iso3, year from comparable_counts where country_iso3 = 'NAM'"
    )
    assert rows == [{"country_iso3": "NAM", "year": 2022}]


def test_generic_tests_fail_on_fixtures_that_break_their_invariant(tmp_path):
    """Each in-house generic test runs on hand-made rows in a tiny dbt project: every must_fail_*
    test fails and every must_pass_* test passes."""
    project = FIXTURES / "generic_tests"
    env = {
        **os.environ,
        "FIXTURE_DB": str(tmp_path / "fixtures.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "build", "--no-use-colors",
         "--project-dir", str(project), "--profiles-dir", str(project)],
        env=env, capture_output=True, text=True, check=False, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    status = {
        r["unique_id"].split(".")[2]: r["status"] for r in results if r["unique_id"].startswith("test.")
    }
    must_fail = {n for n in status if n.startswith("must_fail_")}
    must_pass = {n for n in status if n.startswith("must_pass_")}
    assert {"must_fail_parts_within_total", "must_fail_parts_add_up_where_additive", "must_fail_non_negative",
            "must_fail_column_checks_bounds_lower_above_upper", "must_fail_column_checks_bounds_value_outside_bounds",
            "must_fail_parts_within_total_when_forms_are_summed", "must_fail_no_recoverable_suppression",
            "must_fail_column_checks_parts_within_total", "must_fail_column_checks_parts_add_up_where_additive",
            "must_fail_column_checks_no_recoverable_suppression"} <= must_fail  # fmt: skip
    assert len(must_pass) >= 5
    assert {n: status[n] for n in must_fail} == dict.fromkeys(must_fail, "fail")
    assert {n: status[n] for n in must_pass} == dict.fromkeys(must_pass, "pass")


def test_reference_refresh_reproduces_the_committed_country_seeds(tmp_path):
    run_tipdw(tmp_path / "home", "reference", "refresh", "--seeds", str(tmp_path))
    for name in ("countries.csv", "unodc_regions.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (REPO / "seeds" / name).read_text(
            encoding="utf-8"
        )
    with (REPO / "seeds" / "countries.csv").open(encoding="utf-8") as fh:
        rows = {r["iso3"]: r for r in csv.DictReader(fh)}
    version = importlib.metadata.version("hdx-python-country")
    assert rows["NAM"]["iso2"] == "NA" and rows["XKX"]["iso2"] == "XK"
    fra = rows["FRA"]
    assert (fra["name_fr"], fra["name_es"], fra["name_ru"], fra["name_zh"], fra["name_ar"]) == (
        "France", "Francia", "Франция", "法国", "فرنسا",
    )  # fmt: skip
    assert (fra["m49_region_name"], fra["m49_subregion_name"], fra["is_eu_member"]) == (
        "Europe",
        "Western Europe",
        "true",
    )
    assert rows["BRA"]["m49_intermediate_region_name"] == "South America"
    assert sum(r["is_eu_member"] == "true" for r in rows.values()) == 27
    assert all(version in r["generated_by"] for iso3, r in rows.items() if iso3 != "XKX")


def test_seed_invariants_hold_in_the_committed_code_lists():
    """The same invariants the dbt seed tests enforce, read straight from the CSVs (fast feedback)."""
    with (REPO / "seeds" / "age_bands.csv").open(encoding="utf-8") as fh:
        bands = list(csv.DictReader(fh))
    for b in bands:
        lo, hi = int(b["min_age"]), (int(b["max_age"]) if b["max_age"] else None)
        expected = "child" if hi is not None and hi <= 17 else "adult" if lo >= 18 else "unknown"
        assert b["age_group"] == expected, b
    with (REPO / "seeds" / "code_crosswalk.csv").open(encoding="utf-8") as fh:
        crosswalk = list(csv.DictReader(fh))
    assert all(r["comment"].strip() for r in crosswalk)
    keys = [(r["source_format"], r["dimension"], r["source_code"].strip().lower()) for r in crosswalk]
    assert len(keys) == len(set(keys)), "two crosswalk rows for one code (matching ignores case and spaces)"
