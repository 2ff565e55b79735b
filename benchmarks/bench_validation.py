"""Speed of the intake gate on case-level rows against one hand-written DuckDB query.

``measure(rows)`` builds ``rows`` synthetic, clean case-level victim rows (the canonical batch that
the victims reader hands the gate), then times (a) the gate: suite ``intake.victims`` compiled to
SQL and run on every row, results recorded as a GX validation result, and (b) the baseline: one
DuckDB query, written by hand, that counts the failures of the same rules. The goal is a ratio of
at most 2.5. Run alone: ``python -m benchmarks.bench_validation 1000000``.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time

import duckdb

from ingest.suites import load_suite, run_suite

BASELINE = """
select
    count(*),
    count(*) filter (where person_pseudonym is null),
    count(*) filter (where not regexp_matches(person_pseudonym, '^[0-9a-f]{{64}}$')),
    count(*) - count(distinct (person_pseudonym, year)),
    count(*) filter (where country_iso3 is null),
    count(*) filter (where not regexp_matches(country_iso3, '^[A-Z]{{3}}$')),
    count(*) filter (where country_iso3 not in ('KEN')),
    count(*) filter (where year is null),
    count(*) filter (where year < 1950 or year > {this_year}),
    count(*) filter (where sex_code is null),
    count(*) filter (where age_years < 0 or age_years > 120),
    count(*) filter (where not regexp_matches(citizenship_iso3, '^[A-Z]{{3}}$')),
    count(*) filter (where date_identified < date '1950-01-01')
from victims
"""


def make_rows(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    """A clean canonical victims batch of ``rows`` rows in table ``victims``."""
    con.execute(
        f"""
        create or replace table victims as
        select 'template-victims' as source_format, i + 2 as row_number, 'KEN' as country_iso3,
               2015 + i % 10 as year, sha256('KEN:V-' || i) as person_pseudonym,
               sha256('KEN:C-' || (i // 3)) as case_pseudonym,
               ['female', 'male', 'unknown'][1 + i % 3] as sex_code, (i % 90)::integer as age_years,
               null::varchar as age_band_code, 'KEN' as citizenship_code,
               ['KEN', 'UGA', 'TZA', 'SOM'][1 + i % 4] as citizenship_iso3,
               date '2015-01-01' + (i % 3650)::integer as date_identified, 'police' as identifying_agency
        from range({int(rows)}) t(i)
        """
    )


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(rows: int = 1_000_000, repeat: int = 3) -> dict:
    """Time the gate's suite and the DuckDB baseline on ``rows`` rows; return timings and their ratio."""
    con = duckdb.connect()
    try:
        make_rows(con, rows)
        suite = load_suite("intake.victims")
        params = {"country": "KEN", "this_year": dt.date.today().year}
        run = run_suite(con, suite, "victims", params)  # warm-up, and proof the clean rows pass
        assert run.ok and not run.failures, [f.meta["rule"] for f in run.failures]
        tipdw = _best(lambda: run_suite(con, suite, "victims", params), repeat)
        sql = BASELINE.format(this_year=params["this_year"])
        baseline = _best(lambda: con.execute(sql).fetchall(), repeat)
    finally:
        con.close()
    return {
        "name": "validation.intake_victims",
        "rows": rows,
        "expectations": len(suite["expectations"]),
        "tipdw_seconds": round(tipdw, 4),
        "duckdb_seconds": round(baseline, 4),
        "ratio": round(tipdw / baseline, 2),
        "goal_ratio": 2.5,
        "ok": tipdw / baseline <= 2.5,
    }


def measure_gx_pandas(rows: int = 100_000) -> dict:
    """For reference only (slow: imports GX): the same suite run by GX 1.x itself on a pandas DataFrame."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    con = duckdb.connect()
    make_rows(con, rows)
    frame = con.execute("select * exclude (date_identified) from victims").df()
    data = load_suite("intake.victims")
    suite = gx.ExpectationSuite(
        name=data["name"],
        expectations=[e for e in data["expectations"] if e["kwargs"].get("column") != "date_identified"],
    )
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("bench").add_dataframe_asset("victims")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    params = {"country": ["KEN"], "this_year": dt.date.today().year}
    t = time.perf_counter()
    batch.validate(suite, expectation_parameters=params)
    gx_seconds = time.perf_counter() - t
    ours = measure(rows, 1)
    return {"rows": rows, "gx_pandas_seconds": round(gx_seconds, 3), "duckdb_seconds": ours["duckdb_seconds"],
            "gx_ratio": round(gx_seconds / ours["duckdb_seconds"], 1), "tipdw_ratio": ours["ratio"]}  # fmt: skip


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(measure(n))
    if "--gx" in sys.argv:
        print(measure_gx_pandas(min(n, 200_000)))
