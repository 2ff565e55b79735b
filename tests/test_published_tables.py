"""The published tables, built from hand-made small cells and from the demo, checked against
numbers computed by hand from the fixture files (tests/fixtures/published_tables)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_tipdw
from tests.warehouse_checks import query_dicts

NEW_MARTS = [
    "sdg_16_2_2",
    "victim_profiles",
    "trafficking_flows",
    "justice_funnel",
    "data_availability",
    "trends",
]
PUBLISHED = [*NEW_MARTS, "regional_aggregates", "preferred_counts", "comparable_counts"]


def rows(home, sql: str, params: list | None = None) -> list[dict]:
    """Rows of a query on the published database, as dicts."""
    return query_dicts(home / "published.duckdb", sql, params)


def one(home, sql: str, params: list | None = None) -> dict:
    found = rows(home, sql, params)
    assert len(found) == 1, f"expected one row, got {len(found)}: {sql} {params}"
    return found[0]


# --- every table is published and documented -------------------------------------------------


@pytest.mark.parametrize("table", PUBLISHED)
def test_table_is_published_with_description_caveat_and_column_docs(small_cells_home, table):
    doc = one(
        small_cells_home, "select * from _tables where schema_name = 'main' and table_name = ?", [table]
    )
    assert len(doc["description"]) > 80 and len(doc["caveat"] or "") > 40
    documented = {
        r["column_name"]: r["description"]
        for r in rows(small_cells_home, "select * from _columns where table_name = ?", [table])
    }
    actual = {
        r["column_name"]
        for r in rows(
            small_cells_home, "select column_name from duckdb_columns() where table_name = ?", [table]
        )
    }
    assert actual == set(documented), "contract columns and documented columns differ"
    assert all(documented.values()), f"undocumented columns in {table}"


def test_published_database_holds_no_raw_or_intermediate_rows(small_cells_home):
    schemas = {
        r["schema_name"] for r in rows(small_cells_home, "select distinct schema_name from duckdb_tables()")
    }
    assert schemas <= {"main", "reference"}
    names = {r["table_name"] for r in rows(small_cells_home, "select table_name from duckdb_tables()")}
    assert not {n for n in names if n.startswith(("int_", "stg_", "raw"))}
    assert set(NEW_MARTS) <= names


# --- sdg_16_2_2 ----------------------------------------------------------------------------


def test_sdg_rate_is_victims_over_population_times_100000(small_cells_home):
    # LUX 2020: 40 victims, population 600,000 -> 6.6667; female: 30 / 300,000 -> 10.0
    r = one(
        small_cells_home,
        "select * from sdg_16_2_2 where country_iso3 = 'LUX' and year = 2020 and sex = 'total' "
        "and age_group = 'total' and form_of_exploitation = 'total'",
    )
    assert (r["detected_victims_count"], r["population_count"]) == (40, 600000)
    assert r["victims_per_100k_rate"] == pytest.approx(40 / 600000 * 100000, abs=1e-4)
    assert r["sdg_series_code"] == "VC_HTF_DETV"
    f = one(
        small_cells_home,
        "select * from sdg_16_2_2 where country_iso3 = 'LUX' and year = 2020 and sex = 'female' "
        "and age_group = 'total' and form_of_exploitation = 'total'",
    )
    assert f["victims_per_100k_rate"] == pytest.approx(10.0)


def test_sdg_series_code_by_form_and_rate_withheld_for_suppressed_counts(small_cells_home):
    got = {
        r["form_of_exploitation"]: r
        for r in rows(
            small_cells_home,
            "select * from sdg_16_2_2 where country_iso3 = 'LUX' and year = 2020 and sex = 'total' "
            "and age_group = 'total'",
        )
    }
    assert got["sexual_exploitation"]["sdg_series_code"] == "VC_HTF_DETVSX"
    assert got["forced_labour"]["sdg_series_code"] == "VC_HTF_DETVFL"
    assert got["other_forms"]["sdg_series_code"] == "VC_HTF_DETVOP"
    # other forms = 2 (primary), forced labour = 13 (secondary): no rate, a note says why
    for form, reason in (("other_forms", "primary"), ("forced_labour", "secondary")):
        assert got[form]["victims_per_100k_rate"] is None
        assert got[form]["suppression"] == reason and reason in got[form]["note"]
    assert got["sexual_exploitation"]["victims_per_100k_rate"] == pytest.approx(25 / 600000 * 1e5, abs=1e-4)


def test_sdg_rate_is_null_with_a_note_where_population_is_missing(small_cells_home):
    r = one(
        small_cells_home,
        "select * from sdg_16_2_2 where country_iso3 = 'LUX' and year = 2022 and sex = 'total' "
        "and age_group = 'total' and form_of_exploitation = 'total'",
    )
    assert r["detected_victims_count"] == 60 and r["victims_per_100k_rate"] is None
    assert "no population loaded" in r["note"]


def test_sdg_never_uses_estimates(small_cells_home, demo_home):
    for h in (small_cells_home, demo_home):
        assert one(h, "select count(*) as n from sdg_16_2_2 where victims_source is null")["n"] == 0


def test_sdg_from_the_demo_matches_its_files(demo_home):
    # NAM 2015 total: the demo's 34 victims over its population 2,300,000
    r = one(
        demo_home,
        "select s.*, p.value from sdg_16_2_2 s join preferred_counts p using (country_iso3, year, sex, "
        "age_group, form_of_exploitation) where s.country_iso3 = 'NAM' and s.year = 2015 and s.sex = 'total' "
        "and s.age_group = 'total' and s.form_of_exploitation = 'total' and p.citizenship = 'total' "
        "and p.indicator = 'detected_victims'",
    )
    assert r["population_count"] == 2300000
    assert r["victims_per_100k_rate"] == pytest.approx(r["value"] / 2300000 * 1e5, abs=1e-4)


# --- regional_aggregates --------------------------------------------------------------------


def test_regional_cell_with_a_withheld_country_is_withheld_with_bounds(small_cells_home):
    # Western and Southern Europe 2020 = LUX + ISL. Male children: LUX 3 (withheld, 1-4) + ISL 8.
    r = one(
        small_cells_home,
        "select * from regional_aggregates where region_type = 'unodc_region' and region = "
        "'Western and Southern Europe' and year = 2020 and indicator = 'detected_victims' and sex = 'male' "
        "and age_group = 'child' and form_of_exploitation = 'total' and citizenship = 'total'",
    )
    assert r["value"] is None and r["suppression"] == "secondary"
    assert (r["value_lower"], r["value_upper"]) == (1 + 8, 4 + 8)
    t = one(
        small_cells_home,
        "select * from regional_aggregates where region_type = 'unodc_region' and region = "
        "'Western and Southern Europe' and year = 2020 and indicator = 'detected_victims' and sex = 'total' "
        "and age_group = 'total' and form_of_exploitation = 'total' and citizenship = 'total'",
    )
    assert (t["value"], t["countries_reporting"]) == (40 + 40, 2)


def test_coverage_years_carries_the_most_recent_year_forward(tmp_path):
    """With TIPDW_COVERAGE_YEARS=1, a country missing in year Y counts with its Y-1 figure."""
    home = tmp_path / "cov"
    fixtures = REPO / "tests" / "fixtures" / "published_tables"
    run_tipdw(home, "ingest", str(fixtures / "small_cells_aggregates.csv"), "--submitter", "tests")
    run_tipdw(home, "build", env={"TIPDW_COVERAGE_YEARS": "1"}, timeout=600)
    r = one(
        home,
        "select * from regional_aggregates where region_type = 'unodc_region' and region = "
        "'Western and Southern Europe' and year = 2021 and indicator = 'detected_victims' and sex = 'total' "
        "and age_group = 'total' and form_of_exploitation = 'total' and citizenship = 'total'",
    )
    # LUX reported 2021 (50); ISL only 2020 (40), carried forward one year
    assert (r["value"], r["countries_reporting"], r["countries_carried_forward"]) == (90, 2, 1)
    assert r["coverage_rule"] == "year or most recent within 1 years"
    r22 = one(
        home,
        "select * from regional_aggregates where region_type = 'unodc_region' and region = "
        "'Western and Southern Europe' and year = 2022 and indicator = 'detected_victims' and sex = 'total' "
        "and age_group = 'total' and form_of_exploitation = 'total' and citizenship = 'total'",
    )
    assert (r22["value"], r22["countries_reporting"]) == (60, 1)  # ISL 2020 is two years back


# --- victim_profiles ------------------------------------------------------------------------


def test_victim_profile_shares_from_countries_with_the_full_breakdown(small_cells_home):
    got = {
        r["category"]: r
        for r in rows(
            small_cells_home,
            "select * from victim_profiles where area = 'ISL' and year = 2020 and profile = 'sex_age'",
        )
    }
    # ISL: girls 5, women 15, boys 8, men 12 of 40
    assert {k: v["share_pct"] for k, v in got.items()} == {
        "girls": 12.5,
        "women": 37.5,
        "boys": 20.0,
        "men": 30.0,
    }
    region = {
        r["category"]: r
        for r in rows(
            small_cells_home,
            "select * from victim_profiles where area = 'Western and Southern Europe' and year = 2020 "
            "and profile = 'sex_age'",
        )
    }
    # LUX has a withheld cell (boys = 3), so only ISL counts; LUX still reported
    assert region["women"]["share_pct"] == 37.5 and region["women"]["victims_count"] == 15
    assert (region["women"]["countries_with_full_breakdown"], region["women"]["countries_reporting"]) == (
        1,
        2,
    )
    lux = rows(
        small_cells_home,
        "select * from victim_profiles where area = 'LUX' and year = 2020 and profile = 'sex_age'",
    )
    assert lux and all(r["share_pct"] is None and r["note"] for r in lux)


def test_victim_profile_form_shares_publish_zero(small_cells_home):
    got = {
        r["category"]: r["share_pct"]
        for r in rows(
            small_cells_home,
            "select * from victim_profiles where area = 'LUX' and year = 2021 and profile = 'form'",
        )
    }
    assert got == {"sexual_exploitation": 60.0, "forced_labour": 40.0, "other_forms": 0.0}


def test_demo_profiles_add_up_to_100(demo_home):
    bad = rows(
        demo_home,
        "select area_type, area, year, profile, sum(share_pct) as s from victim_profiles where share_pct is not null "
        "group by all having abs(sum(share_pct) - 100) > 0.05",
    )
    assert bad == []
    n = one(demo_home, "select count(*) as n from victim_profiles where share_pct is not null")["n"]
    assert n > 500


# --- trafficking_flows ----------------------------------------------------------------------


def test_flows_domestic_and_foreign_shares(small_cells_home):
    got = {
        r["citizenship"]: r
        for r in rows(
            small_cells_home,
            "select * from trafficking_flows where area = 'LUX' and year = 2020 and origin_iso3 = 'total'",
        )
    }
    assert got["nationals"]["flow_type"] == "domestic" and got["nationals"]["share_of_detected_pct"] == 37.5
    assert got["foreign"]["share_of_detected_pct"] == 62.5 and got["total"]["victims_count"] == 40


def test_flows_by_citizenship_country_from_glotip(small_cells_home):
    # GLOTIP fixture: NAM 2022 detected 1,282; Angola 250, Zambia 132
    got = {
        r["origin_iso3"]: r
        for r in rows(
            small_cells_home,
            "select * from trafficking_flows where area = 'NAM' and year = 2022 and citizenship = 'foreign'",
        )
    }
    assert got["AGO"]["victims_count"] == 250
    assert got["AGO"]["share_of_detected_pct"] == round(100 * 250 / 1282, 2)
    assert got["ZMB"]["share_of_detected_pct"] == round(100 * 132 / 1282, 2)
    world = one(
        small_cells_home,
        "select * from trafficking_flows where area = 'World' and year = 2022 and origin_iso3 = 'AGO'",
    )
    assert world["victims_count"] == 250 and world["countries_reporting"] == 1


def test_demo_flows_nationals_plus_foreign_is_total(demo_home):
    bad = rows(
        demo_home,
        "select area, year from trafficking_flows where area_type = 'country' and origin_iso3 = 'total' "
        "group by all having sum(case when citizenship in ('nationals', 'foreign') then victims_count end) "
        "<> max(case when citizenship = 'total' then victims_count end)",
    )
    assert bad == []


# --- justice_funnel -------------------------------------------------------------------------


def test_justice_funnel_ratios_and_warning(small_cells_home):
    r = one(small_cells_home, "select * from justice_funnel where country_iso3 = 'LUX' and year = 2020")
    assert (r["formal_contact_count"], r["prosecuted_count"], r["convicted_count"]) == (20, 8, 10)
    assert r["prosecuted_per_contact_ratio"] == 0.4
    assert r["convicted_per_prosecuted_ratio"] == 1.25
    assert r["convicted_per_contact_ratio"] == 0.5
    assert r["has_convictions_exceeding_prosecutions"] is True and r["is_comparable"] is True
    r21 = one(small_cells_home, "select * from justice_funnel where country_iso3 = 'LUX' and year = 2021")
    assert (
        r21["convicted_per_prosecuted_ratio"] == 0.5
        and r21["has_convictions_exceeding_prosecutions"] is False
    )


def test_justice_funnel_flags_a_missing_stage(small_cells_home):
    r = one(small_cells_home, "select * from justice_funnel where country_iso3 = 'LUX' and year = 2022")
    assert r["formal_contact_count"] == 25 and r["prosecuted_count"] is None
    assert r["is_comparable"] is False and r["not_comparable_reason"] == "missing stage"
    assert r["prosecuted_per_contact_ratio"] is None


def test_demo_justice_funnel_withholds_ratios_of_suppressed_stages(demo_home):
    bad = rows(
        demo_home,
        "select * from justice_funnel where (prosecuted_suppression is not null or "
        "formal_contact_suppression is not null) and prosecuted_per_contact_ratio is not null",
    )
    assert bad == []
    assert one(demo_home, "select count(*) as n from justice_funnel where is_comparable")["n"] > 50


# --- data_availability ----------------------------------------------------------------------


def test_gap_map_statuses(small_cells_home):
    def status(iso3, year, indicator, breakdown):
        return one(
            small_cells_home,
            "select status from data_availability where country_iso3 = ? and year = ? and indicator = ? "
            "and breakdown = ?",
            [iso3, year, indicator, breakdown],
        )["status"]

    assert status("LUX", 2020, "detected_victims", "sex") == "reported"
    assert status("LUX", 2020, "detected_victims", "sex_age") == "suppressed"
    assert status("LUX", 2020, "detected_victims", "form_of_exploitation") == "suppressed"
    assert status("LUX", 2022, "detected_victims", "age_group") == "missing"
    assert status("ISL", 2020, "detected_victims", "citizenship") == "missing"
    fra = one(
        small_cells_home,
        "select count(*) as n, bool_or(has_ever_reported) as ever from data_availability "
        "where country_iso3 = 'FRA' and status = 'missing'",
    )
    total = one(small_cells_home, "select count(distinct country_iso3) as n from data_availability")["n"]
    assert fra["n"] > 0 and fra["ever"] is False and total > 240  # every country in the code list


def test_demo_gap_map_shows_kenyas_missing_years(demo_home):
    r = one(
        demo_home,
        "select status from data_availability where country_iso3 = 'KEN' and year = 2017 "
        "and indicator = 'detected_victims' and breakdown = 'total'",
    )
    assert r["status"] == "missing"


# --- trends ---------------------------------------------------------------------------------


def test_trends_change_moving_average_and_break(small_cells_home):
    got = {
        r["year"]: r
        for r in rows(
            small_cells_home,
            "select * from trends where area_type = 'country' and area = 'LUX' and indicator = 'detected_victims'",
        )
    }
    assert (got[2021]["yoy_change_count"], got[2021]["yoy_change_pct"]) == (10, 25.0)
    assert (got[2022]["yoy_change_count"], got[2022]["yoy_change_pct"]) == (10, 20.0)
    assert got[2022]["moving_avg_3y"] == 50.0 and got[2021]["moving_avg_3y"] is None
    assert got[2021]["is_series_break"] is True and "break" in got[2021]["series_break_reason"]
    assert got[2022]["is_series_break"] is False
    region = one(
        small_cells_home,
        "select * from trends where area = 'Western and Southern Europe' and area_type = 'unodc_region' "
        "and indicator = 'detected_victims' and year = 2021",
    )
    assert region["is_series_break"] is True and region["series_break_reason"].startswith("LUX")


def test_demo_trends_match_preferred_counts(demo_home):
    r = one(
        demo_home,
        "select t.*, p.value as prev from trends t join preferred_counts p on p.country_iso3 = t.area "
        "and p.year = t.year - 1 and p.indicator = t.indicator and p.sex = 'total' and p.age_group = 'total' "
        "and p.form_of_exploitation = 'total' and p.citizenship = 'total' where t.area = 'DEU' "
        "and t.indicator = 'detected_victims' and t.year = 2020",
    )
    assert r["yoy_change_count"] == r["value"] - r["prev"]


# --- the README's example queries run -------------------------------------------------------


def test_readme_example_queries_run(demo_home):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Published tables", 1)[1].split("\n## ", 1)[0]
    queries = [
        line.split('tipdw sql "', 1)[1].rsplit('"', 1)[0]
        for line in section.splitlines()
        if 'tipdw sql "' in line
    ]
    assert len(queries) >= len(NEW_MARTS)
    for q in queries:
        out = run_tipdw(demo_home, "sql", q, "--format", "json")
        assert json.loads(out.stdout), f"README query returned no rows: {q}"


def test_flows_origin_countries_are_protected(small_cells_home):
    # hand-made GLOTIP: ISL 2021 foreign = Poland 7 + Lithuania 3 (primary) -> Poland withheld too
    got = {
        r["origin_iso3"]: r
        for r in rows(
            small_cells_home,
            "select * from trafficking_flows where area = 'ISL' and year = 2021 and citizenship = 'foreign'",
        )
    }
    assert got["total"]["victims_count"] == 10 and got["total"]["share_of_detected_pct"] == round(
        100 * 10 / 30, 2
    )
    assert (got["LTU"]["suppression"], got["LTU"]["value_lower"], got["LTU"]["value_upper"]) == (
        "primary",
        1,
        4,
    )
    assert got["POL"]["suppression"] == "secondary" and got["POL"]["victims_count"] is None
    assert got["POL"]["share_of_detected_pct"] is None and got["POL"]["conf_status"] == "S"


def test_region_flows_add_parts_only_from_the_source_of_each_countrys_total(tmp_path):
    """Kenya's total comes from its aggregates (120 victims, no citizenship breakdown); its
    nationals (200) and foreigners (50) only from case-level records (source national_casework).
    Preferred cells may come from different sources, so a region must not add Kenya's case-level
    nationals to a total holding its aggregate 120: Africa's nationals would be 230 of 160 (144%).
    Found at 5M benchmark rows, where validation refused the build (shares up to 195%). Uganda
    (aggregates only, with its breakdown) is the control."""
    home = tmp_path / "flows"
    aggregates = tmp_path / "aggregates.csv"
    aggregates.write_text(
        "country,year,indicator,sex,age_group,form_of_exploitation,citizenship,value\n"
        "KEN,2023,detected_victims,total,total,total,total,120\n"
        "UGA,2023,detected_victims,total,total,total,total,40\n"
        "UGA,2023,detected_victims,total,total,total,nationals,30\n"
        "UGA,2023,detected_victims,total,total,total,foreign,10\n",
        encoding="utf-8",
    )
    victims = tmp_path / "victims.csv"
    victims.write_text(
        "country,person_id,sex,age,citizenship,year_identified\n"
        + "".join(f"KEN,K{i},female,30,KEN,2023\n" for i in range(200))
        + "".join(f"KEN,F{i},male,30,UGA,2023\n" for i in range(50)),
        encoding="utf-8",
    )
    env = {"TIPDW_PSEUDONYM_KEY": "ab" * 32}
    run_tipdw(home, "ingest", str(aggregates), "--submitter", "tests")
    run_tipdw(home, "ingest", str(victims), "--submitter", "tests", env=env)
    run_tipdw(home, "build", timeout=600, env=env)  # validation would refuse shares above 100%
    got = {
        (r["area"], r["citizenship"]): r
        for r in rows(
            home,
            "select * from trafficking_flows where year = 2023 and origin_iso3 = 'total' "
            "and area in ('KEN', 'UGA', 'Africa')",
        )
    }
    assert got[("Africa", "total")]["victims_count"] == 160
    # Kenya's case-level nationals (200, more than its total of 120) stay out of the region's sum
    assert got[("Africa", "nationals")]["victims_count"] == 30
    assert got[("Africa", "nationals")]["countries_reporting"] == 1
    assert got[("Africa", "nationals")]["share_of_detected_pct"] == 18.75
    assert got[("KEN", "nationals")]["share_of_detected_pct"] is None  # another source's part
    shares = [r["share_of_detected_pct"] for r in got.values() if r["share_of_detected_pct"] is not None]
    assert shares and max(shares) <= 100
