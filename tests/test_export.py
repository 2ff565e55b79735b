"""`tipdw export`: every published table as CSV, Parquet and SDMX-CSV 2.0, formula-safe."""

from __future__ import annotations

import csv

import duckdb
import pytest

from tests.conftest import run_tipdw

DATA_TABLES = [
    "preferred_counts",
    "regional_aggregates",
    "sdg_16_2_2",
    "victim_profiles",
    "trafficking_flows",
    "justice_funnel",
    "trends",
]


def published_tables(home) -> dict[str, str]:
    con = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    try:
        return {
            t: s for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def exported(small_cells_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    for fmt in ("csv", "parquet", "sdmx-csv"):
        run_tipdw(small_cells_home, "export", "--format", fmt, "--out", str(out / fmt))
    return out


def read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_published_table_is_exported_as_csv_and_parquet(small_cells_home, exported):
    tables = published_tables(small_cells_home)
    for fmt, ext in (("csv", "csv"), ("parquet", "parquet")):
        for table, schema in tables.items():
            sub = exported / fmt if schema == "main" else exported / fmt / schema
            assert (sub / f"{table}.{ext}").exists(), f"{schema}.{table} missing from the {fmt} export"
    con = duckdb.connect()
    n = con.execute(
        f"select count(*) from read_parquet('{exported / 'parquet' / 'sdg_16_2_2.parquet'}') "
        "where country_iso3 = 'LUX' and year = 2020 and victims_per_100k_rate is not null"
    ).fetchone()[0]
    assert n > 0
    rate = con.execute(
        f"select victims_per_100k_rate from read_parquet('{exported / 'parquet' / 'sdg_16_2_2.parquet'}') "
        "where country_iso3 = 'LUX' and year = 2020 and sex = 'total' and age_group = 'total' "
        "and form_of_exploitation = 'total'"
    ).fetchone()[0]
    assert rate == pytest.approx(40 / 600000 * 1e5, abs=1e-4)


def test_csv_export_keeps_numbers_and_codes(exported):
    rows = read_csv(exported / "csv" / "justice_funnel.csv")
    lux = next(r for r in rows if r["country_iso3"] == "LUX" and r["year"] == "2020")
    assert (lux["formal_contact_count"], lux["prosecuted_count"], lux["convicted_count"]) == ("20", "8", "10")
    namibia = [r for r in read_csv(exported / "csv" / "reference" / "countries.csv") if r["iso2"] == "NA"]
    assert namibia and namibia[0]["iso3"] == "NAM"  # "NA" is Namibia, not a missing value
    trends = read_csv(exported / "csv" / "trends.csv")
    assert trends and not any(r["yoy_change_count"].startswith("'") for r in trends)


def test_sdmx_csv_2_0_layout(exported):
    for table in DATA_TABLES:
        rows = read_csv(exported / "sdmx-csv" / f"{table}.csv")
        assert rows, table
        header = list(rows[0])
        assert header[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
        assert header[-3:] == ["OBS_VALUE", "OBS_STATUS", "CONF_STATUS"]
        assert "TIME_PERIOD" in header and "REF_AREA" in header
        assert {r["STRUCTURE"] for r in rows} == {"dataflow"}
        assert {r["STRUCTURE_ID"] for r in rows} == {f"TIPDW:{table.upper()}(1.0)"}
        assert {r["ACTION"] for r in rows} == {"I"}
        keys = [tuple(r[c] for c in header[3:-3]) for r in rows]
        assert len(keys) == len(set(keys)), f"{table}: dimensions do not identify observations"


def test_sdmx_csv_flags_withheld_values(exported):
    rows = read_csv(exported / "sdmx-csv" / "preferred_counts.csv")

    def obs(sex, age, form):
        return next(
            r
            for r in rows
            if (
                r["REF_AREA"],
                r["TIME_PERIOD"],
                r["INDICATOR"],
                r["SEX"],
                r["AGE_GROUP"],
                r["FORM_OF_EXPLOITATION"],
            )
            == ("LUX", "2020", "detected_victims", sex, age, form)
            and r["CITIZENSHIP"] == "total"
        )

    boys = obs("male", "child", "total")
    assert (boys["OBS_VALUE"], boys["OBS_STATUS"], boys["CONF_STATUS"]) == ("", "Q", "A")
    girls = obs("female", "child", "total")
    assert (girls["OBS_VALUE"], girls["OBS_STATUS"], girls["CONF_STATUS"]) == ("", "Q", "S")
    total = obs("total", "total", "total")
    assert (total["OBS_VALUE"], total["OBS_STATUS"], total["CONF_STATUS"]) == ("40", "A", "F")
    trends = read_csv(exported / "sdmx-csv" / "trends.csv")
    brk = next(
        r
        for r in trends
        if (r["AREA_TYPE"], r["REF_AREA"], r["INDICATOR"], r["TIME_PERIOD"], r["MEASURE"])
        == ("country", "LUX", "detected_victims", "2021", "value")
    )
    assert (brk["OBS_VALUE"], brk["OBS_STATUS"]) == ("50", "B")


def test_csv_neutralises_formula_injection(tmp_path):
    """A published text that a spreadsheet would run gets a leading apostrophe; numbers stay numbers."""
    home = tmp_path / "inj"
    home.mkdir()
    con = duckdb.connect(str(home / "published.duckdb"))
    con.execute(
        "create table injected as select * from (values ('=HYPERLINK(\"http://x\")', -3, 1.5), "
        "('+cmd', 2, 0.0), ('-2+3', 0, -1.25), ('@SUM(A1)', 4, 2.0), ('plain', 5, 3.0)) t(label, n, x)"
    )
    con.close()
    run_tipdw(home, "export", "--format", "csv", "--out", str(tmp_path / "out"))
    rows = read_csv(tmp_path / "out" / "injected.csv")
    assert [r["label"] for r in rows] == ['\'=HYPERLINK("http://x")', "'+cmd", "'-2+3", "'@SUM(A1)", "plain"]
    assert [r["n"] for r in rows] == ["-3", "2", "0", "4", "5"]
    assert rows[2]["x"] == "-1.25"


def test_export_without_a_publication_fails_cleanly(tmp_path):
    out = run_tipdw(
        tmp_path / "empty", "export", "--format", "csv", "--out", str(tmp_path / "x"), check=False
    )
    assert out.returncode == 1
    assert "tipdw build" in out.stderr and "Traceback" not in out.stderr
