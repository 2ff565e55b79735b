"""Incremental builds: after a first build, `tipdw build` runs dbt only on the models downstream of
the datasets that new (or withdrawn) submissions touched, and publishes exactly what a full build of
the same warehouse publishes; with nothing new it does not run dbt and leaves the publication as
it is; a changed setting (an env var the models read) makes it a full build again. The marts that
mix every source and country recompute only the changed country-years (macros/changed_scopes.sql),
and a dbt run that is not a tipdw incremental build recomputes all of their rows."""

from __future__ import annotations

import hashlib
import json
import os
import re

import duckdb
import pytest

from tests.conftest import REPO, run_tipdw
from tests.warehouse_checks import copy_home, published_numbers, query_dicts

CORRECTION = REPO / "tests" / "fixtures" / "revisions" / "ken_2023_v1.csv"  # KEN 2023: 120 victims
POPULATION = REPO / "tests" / "fixtures" / "revisions" / "ken_2023_population.csv"  # KEN 2023: 52M
KEN_2023 = (
    "select value from preferred_counts where country_iso3 = 'KEN' and year = 2023 "
    "and indicator = 'detected_victims' and sex = 'total' and age_group = 'total' "
    "and form_of_exploitation = 'total' and citizenship = 'total'"
)
KEN_2023_RATE = (  # over the corrected population
    "select victims_per_100k_rate from sdg_16_2_2 where country_iso3 = 'KEN' and year = 2023 "
    "and sex = 'total' and age_group = 'total' and form_of_exploitation = 'total'"
)
CASEWORK_ROWS = "select count(*) from comparable_counts where source = 'national_casework'"
SCOPED_MARTS = (
    "comparable_counts",
    "preferred_counts",
    "regional_aggregates",
    "sdg_16_2_2",
    "data_availability",
)
# nodes whose compiled SQL an incremental build limits to the changed scopes
SCOPED_NODES = (*SCOPED_MARTS, "int_flows__by_origin", "column_checks_regional_aggregates")
COUNTS = re.compile(r"(\d+) models/seeds, (\d+) tests passed")
# a node compiled for the changed scopes: their literals (macro in_changed_country_years), or a
# semi-join on build_meta.changed_scopes (regions)
LITERAL_SCOPES = re.compile(r"country_iso3 = '[A-Z]{3}' and \S+year in \(\d{4}")


def _scoped(sql: str) -> bool:
    return bool(LITERAL_SCOPES.search(sql)) or '"build_meta"."changed_scopes"' in sql


def _summary(proc) -> str:
    return proc.stdout.strip().splitlines()[-1]


def _counts(proc) -> tuple[int, int]:
    """(models/seeds run, tests passed) from the summary line."""
    return tuple(int(n) for n in COUNTS.search(_summary(proc)).groups())


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _compiled(home) -> dict[str, str]:
    """The compiled SQL of each node of the home's last dbt run, by node name."""
    results = json.loads((home / "dbt-target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: r.get("compiled_code") or "" for r in results}


def _one(home, sql):
    con = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def base(demo_home, tmp_path_factory):
    """A private copy of the built demo (its build recorded the build state)."""
    return copy_home(demo_home, tmp_path_factory.mktemp("incremental") / "base")


@pytest.fixture(scope="module")
def nothing_new(base):
    """A build right after the demo's: nothing was accepted or withdrawn since."""
    published, results = base / "published.duckdb", base / "dbt-target" / "run_results.json"
    before = (_sha(published), results.stat().st_mtime_ns)
    proc = run_tipdw(base, "build")
    return proc, before, (_sha(published), results.stat().st_mtime_ns)


@pytest.fixture(scope="module")
def corrected(base, nothing_new, tmp_path_factory):
    """KEN corrects its 2023 aggregates and population; the incremental build and a --full build
    of a copy."""
    run_tipdw(base, "ingest", str(CORRECTION), "--country", "KEN", "--submitter", "NCRC")
    run_tipdw(base, "ingest", str(POPULATION), "--country", "KEN", "--submitter", "KNBS")
    ref = copy_home(base, tmp_path_factory.mktemp("incremental") / "full-a")
    assert _one(base, CASEWORK_ROWS) > 0  # the demo's KEN victims are published (withdrawn below)
    return run_tipdw(base, "build"), run_tipdw(ref, "build", "--full"), ref


@pytest.fixture(scope="module")
def withdrawn(base, corrected, tmp_path_factory):
    """The demo's KEN case-level victims (submission 14) withdrawn; incremental build vs a copy's
    build with TIPDW_MIN_CELL=5 set explicitly (the default value, but a changed fingerprint)."""
    run_tipdw(base, "withdraw", "14")
    ref = copy_home(base, tmp_path_factory.mktemp("incremental") / "full-b")
    env = {"TIPDW_MIN_CELL": "5"}
    return run_tipdw(base, "build"), run_tipdw(ref, "build", env=env), ref, run_tipdw(ref, "build", env=env)


def test_nothing_new_runs_no_dbt_and_keeps_the_publication(nothing_new):
    proc, before, after = nothing_new
    assert _summary(proc).startswith("tipdw build OK: nothing new since the last build (last submission 15)")
    assert "dbt not run" in _summary(proc)
    assert after == before  # published.duckdb byte-identical; dbt wrote no run_results.json


def test_a_corrected_aggregate_file_builds_incrementally_as_a_full_build_would(base, corrected):
    incremental, full, ref = corrected
    assert "(incremental: aggregates, population)" in _summary(incremental), incremental.stdout
    assert "(full: --full; seeds and views unchanged, kept)" in _summary(full)
    (models, tests), (all_models, all_tests) = _counts(incremental), _counts(full)
    assert models < all_models and tests < all_tests  # no casework models or tests
    assert _one(base, KEN_2023) == _one(ref, KEN_2023) == 120
    assert _one(base, KEN_2023_RATE) == _one(ref, KEN_2023_RATE) == round(100000 * 120 / 52000000, 4)
    assert published_numbers(base) == published_numbers(ref)


def test_the_incremental_build_recomputes_only_the_changed_country_years(base, corrected):
    """The correction covers KEN 2023 only: that is the changed scope, and the incremental marts
    ran with it (their compiled SQL filters on it, the country-level ones with literals that
    the engine pushes down to the scans); the full build did not."""
    assert query_dicts(base / "tipdw.duckdb", "select * from build_meta.changed_scopes") == [
        {"country_iso3": "KEN", "year": 2023}
    ]
    incremental, full = _compiled(base), _compiled(corrected[2])
    for node in SCOPED_NODES:
        assert _scoped(incremental[node]) and not _scoped(full[node]), node
    assert re.search(r"country_iso3 = 'KEN' and \S+year in \(2023\)", incremental["comparable_counts"])
    # the checks of the views the new (template and population) rows reached ran; those of the
    # other formats' views, which can only have lost rows, did not (buildplan.untouched_view_tests)
    for node in ("column_checks_stg_template__aggregates", "column_checks_stg_population__population"):
        assert node in incremental, node
    for node in ("column_checks_stg_sdmx__aggregates", "column_checks_stg_eurostat__aggregates"):
        assert node in full and node not in incremental, node


def test_a_full_build_of_an_unchanged_project_keeps_the_manifest_of_the_last_build(base, corrected, tmp_path):
    """dbt rewrites its manifest.json only when the project may have changed: not in the --full
    build of a copy of the demo (whose build wrote it), and again as soon as the manifest is not
    the one the last published build left (a failed build of another project version wrote it)."""
    from tipdw import buildplan
    from tipdw.config import Home

    manifest = "dbt-target/manifest.json"
    assert (corrected[2] / manifest).stat().st_mtime_ns == (base / manifest).stat().st_mtime_ns
    home = copy_home(base, tmp_path / "home")
    plan = buildplan.plan_build(Home(home), full=True)
    assert plan.manifest_current and "--no-write-json" in plan.dbt_args
    stamp = (home / manifest).stat().st_mtime_ns
    os.utime(home / manifest, ns=(stamp + 10**9, stamp + 10**9))  # another build's manifest
    plan = buildplan.plan_build(Home(home), full=True)
    assert not plan.manifest_current and "--no-write-json" not in plan.dbt_args
    plan = buildplan.plan_build(Home(home))  # never incremental: its selection reads the manifest
    assert plan.kind == "full" and "not the last build's" in plan.reason


def test_a_full_build_of_an_unchanged_project_keeps_its_seeds_and_views(base, corrected, tmp_path):
    """The --full build of a copy of the built demo (the project unchanged) recomputes every table
    and runs every test of a model, the views' included, but leaves the seeds, the views and the
    tests of seeds alone (test_a_corrected_aggregate_file_builds_incrementally_as_a_full_build_would
    compares what it publishes). Once a seed's table is missing, a full build builds everything
    (dbt's whole project, as before a first build)."""
    from tipdw import buildplan
    from tipdw.config import Home

    ran = set(_compiled(corrected[2]))
    manifest = json.loads((base / "dbt-target" / "manifest.json").read_text())["nodes"]
    kinds = {n["name"]: (n["resource_type"], n["config"].get("materialized")) for n in manifest.values()}
    assert not [n for n in ran if kinds[n][0] == "seed" or kinds[n][1] == "view"]
    assert {"comparable_counts", "int_casework__victim_cells", "column_checks_stg_casework__victims",
            "column_checks_stg_registry__current_scopes"} <= ran  # tables, and the tests of views  # fmt: skip
    assert "column_checks_countries" not in ran and "countries" not in ran  # a seed, and its test
    seed = next(n for n in manifest.values() if n["resource_type"] == "seed")
    home = copy_home(base, tmp_path / "home")
    assert buildplan.plan_build(Home(home), full=True).kept
    plan = buildplan.plan_build(Home(home), reload=True)  # tipdw build --reload: keeps nothing
    assert plan.kind == "full" and plan.reason == "--reload" and not plan.kept
    with duckdb.connect(str(home / "tipdw.duckdb")) as con:
        con.execute(f'drop table "{seed["schema"]}"."{seed["alias"]}"')
    plan = buildplan.plan_build(Home(home), full=True)
    assert plan.kind == "full" and not plan.kept and "--exclude" not in plan.dbt_args


def test_an_incremental_publication_copies_only_the_changed_country_years(demo_home, tmp_path):
    """After an incremental build the new publication starts as a copy of the old one: the marts
    recomputed by country-year take only the changed country-years' rows from the build database
    (a row changed outside them stays as the old publication had it). The other tables with a place
    and a year take the rows of every place-year whose rows differ from the build's, so they end
    as the build has them; a table without them is copied whole."""
    from tipdw import publish
    from tipdw.config import Home

    home = copy_home(demo_home, tmp_path / "home")
    con = duckdb.connect(str(home / "tipdw.duckdb"))
    con.execute(
        "create or replace table build_meta.changed_scopes as select 'KEN' as country_iso3, 2023 as year"
    )
    con.close()
    con = duckdb.connect(str(home / "published.duckdb"))
    for table in ("comparable_counts", "trends"):  # by country-year; by differing area-year
        con.execute(f"update {table} set year = year + 100 where year in (2022, 2023)")
    # by differing region-year: a changed value, a removed row and a repeated row
    for sql in (
        "update regional_aggregates set value = value + 1 where region = 'World' and year = 2020",
        "delete from regional_aggregates where region_type = 'unodc_region' and year = 2019",
        "insert into regional_aggregates select * from regional_aggregates where year = 2021 limit 1",
    ):
        assert con.execute(sql).fetchone()[0] > 0
    assert con.execute("delete from reference.age_bands").fetchone()[0] > 0  # no place or year: copied whole
    con.close()
    old = "select count(*) from {t} where year > 2100"
    publish.publish(Home(home), incremental=True)
    assert _one(home, old.format(t="comparable_counts")) > 0  # outside the changed scopes: the old rows
    assert _one(home, "select count(*) from comparable_counts where country_iso3 = 'KEN' and year = 2023") > 0
    assert _one(home, old.format(t="trends")) == 0
    now, demo = published_numbers(home), published_numbers(demo_home)
    assert {t: d for t, d in now.items() if t != "main.comparable_counts"} == {
        t: d for t, d in demo.items() if t != "main.comparable_counts"
    }
    publish.publish(Home(home))
    assert _one(home, old.format(t="comparable_counts")) == 0
    assert published_numbers(home) == published_numbers(demo_home)


def test_a_dbt_run_outside_tipdw_recomputes_every_row_of_the_incremental_marts(corrected, tmp_path):
    """A direct `dbt build` (TIPDW_REBUILD_SCOPES unset) of a built warehouse whose marts lost rows
    outside the recorded changed_scopes: the incremental marts delete and insert every row, so the
    lost rows come back and nothing is doubled."""
    from tipdw import dbt
    from tipdw.config import Home

    home = copy_home(corrected[2], tmp_path / "direct")
    db = home / "tipdw.duckdb"
    snapshot = (
        "select '{t}' as mart, count(*) as n, count(distinct md5(cast(m as varchar))) as d from marts.{t} m"
    )
    sql = " union all ".join(snapshot.format(t=t) for t in SCOPED_MARTS)
    before = query_dicts(db, sql + " order by 1")
    con = duckdb.connect(str(db))
    con.execute(
        "create or replace table build_meta.changed_scopes as select 'ZZZ' as country_iso3, 1900 as year"
    )
    for mart in SCOPED_MARTS[:2]:
        con.execute(f"delete from marts.{mart} where country_iso3 = 'KEN'")
    con.execute("delete from marts.regional_aggregates where region = 'World'")
    con.close()
    out = dbt.run(Home(home), ["build", "--select", *SCOPED_MARTS, "--exclude-resource-type", "unit_test"])
    assert out.ok, out.failures
    after = query_dicts(db, sql + " order by 1")
    assert after == before and all(r["n"] == r["d"] > 0 for r in after)


def test_a_withdrawal_builds_incrementally_as_a_full_build_would(base, withdrawn):
    incremental, _, ref, _ = withdrawn
    assert "(incremental: victims)" in _summary(incremental), incremental.stdout
    assert _one(base, CASEWORK_ROWS) == _one(ref, CASEWORK_ROWS) == 0
    assert published_numbers(base) == published_numbers(ref)
    # the victim cells and the tests of the row-level victims model (its grain among them) looked
    # at the changed scopes only
    incremental_sql, full_sql = _compiled(base), _compiled(ref)
    for node in ("int_casework__victim_cells", "column_checks_stg_casework__victims"):
        assert _scoped(incremental_sql[node]) and not _scoped(full_sql[node]), node
    # victims write no raw.case_list_values (their forms are form_codes): the models of cases stay
    for node in ("int_casework__case_shares", "modus_operandi", "recruitment_indicators"):
        assert node in full_sql and node not in incremental_sql, node
    assert (
        "group by submission_id, country_iso3, year, person_pseudonym"
        in full_sql["column_checks_stg_casework__victims"]
    )


def test_a_changed_setting_forces_a_full_build(corrected, withdrawn):
    _, full, _, again = withdrawn
    assert (
        "(full: models, seeds, settings, suites, raw schema or dbt changed since the last build)"
        in _summary(full)
    )
    # every model and seed: a changed project reloads the seeds and recreates the views too, which
    # `tipdw build --full` of an unchanged one keeps
    nodes = json.loads((withdrawn[2] / "dbt-target" / "manifest.json").read_text())["nodes"].values()
    assert _counts(full)[0] == sum(n["resource_type"] in ("model", "seed") for n in nodes)
    assert _counts(full)[0] > _counts(corrected[1])[0]
    assert "nothing new since the last build" in _summary(again)  # the new fingerprint was recorded


def test_full_is_documented():
    help_text = run_tipdw(REPO, "build", "--help").stdout
    assert "--full" in help_text and "Example:" in help_text and "tipdw build --full" in help_text
    assert "tipdw build --reload" in help_text
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scheduled builds") :]
    assert "tipdw build --full" in section and "nothing new since the last build" in section
    assert "tipdw build --reload" in section


def test_every_raw_table_belongs_to_a_dataset():
    """The incremental plan knows which raw tables each dataset's submissions write."""
    from ingest.intake import RAW_TABLES
    from ingest.registry import DATASETS
    from tipdw.buildplan import DATASET_TABLES

    assert set(DATASET_TABLES) == set(DATASETS)
    assert {f"raw.{t}" for ts in DATASET_TABLES.values() for t in ts} == set(RAW_TABLES.values())


def test_many_changed_countries_are_a_semi_join_not_literals(demo_home, tmp_path):
    """Beyond 50 changed countries (a large withdrawal, say) the scope filter is a semi-join on
    build_meta.changed_scopes, not one literal per country (macro in_changed_country_years)."""
    from tipdw import dbt
    from tipdw.config import Home

    home = copy_home(demo_home, tmp_path / "home")
    con = duckdb.connect(str(home / "tipdw.duckdb"))
    try:
        con.execute(
            "create or replace table build_meta.changed_scopes as "
            "select iso3 as country_iso3, 2023 as year from reference.countries order by iso3 limit 60"
        )
    finally:
        con.close()
    out = dbt.run(
        Home(home), ["compile", "--select", "comparable_counts"], env={"TIPDW_REBUILD_SCOPES": "changed"}
    )
    assert out.ok, out.failures
    sql = _compiled(home)["comparable_counts"]
    assert _scoped(sql) and '"build_meta"."changed_scopes"' in sql
    assert not LITERAL_SCOPES.search(sql)


def test_a_scoped_test_checks_the_changed_country_years_only(demo_home, tmp_path):
    """A test configured `where: __changed_scopes__` checks, in an incremental build, the rows of
    the changed country-years (and rows without a country or year) as two selects, so that each
    filter reaches the scan of the raw table: a repeated victim fails it when its country-year
    changed, and is not looked at otherwise (the build that published it tested it)."""
    from tipdw import dbt
    from tipdw.config import Home

    home = copy_home(demo_home, tmp_path / "home")
    test = "column_checks_stg_casework__victims"

    def scoped_run(scopes_sql: str | None):
        con = duckdb.connect(str(home / "tipdw.duckdb"))
        try:
            if scopes_sql:
                con.execute(f"create or replace table build_meta.changed_scopes as {scopes_sql}")
        finally:
            con.close()
        env = {"TIPDW_REBUILD_SCOPES": "changed"} if scopes_sql else {}
        return dbt.run(Home(home), ["test", "--select", test], env=env)

    con = duckdb.connect(str(home / "tipdw.duckdb"))
    try:
        country, year = con.execute("select country_iso3, year from raw.case_victims limit 1").fetchone()
        # one victim twice
        con.execute("insert into raw.case_victims select * from raw.case_victims limit 1")
    finally:
        con.close()
    changed = scoped_run(f"select '{country}' as country_iso3, {year} as year")
    assert not changed.ok and len(changed.failures) == 1, changed.failures
    sql = next(v for k, v in _compiled(home).items() if k.startswith(test))
    assert _scoped(sql) and "union all" in sql and "scoped.country_iso3 is null or scoped.year is null" in sql
    other = scoped_run(f"select '{country}' as country_iso3, {year - 1} as year")
    assert other.ok, other.failures
    assert not scoped_run(None).ok  # a run that is not incremental checks every row


def test_a_first_submission_of_a_country_updates_its_gap_map_rows_in_every_year(demo_home, tmp_path):
    """data_availability recomputes a changed country in every year (has_ever_reported turns
    true in all of them), not only in its changed country-years: the incremental publication then
    takes every place-year that differs, and equals a full build's."""
    home = copy_home(demo_home, tmp_path / "home")
    sql = "select count(*) from data_availability where country_iso3 = 'ISL' and has_ever_reported"
    assert _one(home, sql) == 0  # the demo has no figures of Iceland
    src = tmp_path / "isl_2023.csv"
    src.write_text(CORRECTION.read_text(encoding="utf-8").replace("KEN,", "ISL,"), encoding="utf-8")
    run_tipdw(home, "ingest", str(src), "--country", "ISL", "--submitter", "Statistics Iceland")
    ref = copy_home(home, tmp_path / "full")
    incremental = run_tipdw(home, "build")
    run_tipdw(ref, "build", "--full")
    assert "(incremental: aggregates)" in _summary(incremental), incremental.stdout
    years = _one(home, "select count(distinct year) from data_availability")
    assert years > 1 and _one(home, sql) == _one(ref, sql) > 0
    assert _one(home, "select count(distinct year) from data_availability where country_iso3 = 'ISL' "
                      "and has_ever_reported") == years  # fmt: skip
    table = "select * from data_availability order by all"
    assert query_dicts(home / "published.duckdb", table) == query_dicts(ref / "published.duckdb", table)
