"""UNODC GLOTIP bulk layout: csv and xlsx with banner rows, through the real CLI, to published counts."""

from __future__ import annotations

import json

from tests.conftest import run_tipdw
from tests.formats_home import FIXTURES


def test_csv_with_banner_lines_is_detected_and_skips_aggregates_and_rates(formats_home):
    out = formats_home.ingests["glotip_csv"].stdout
    assert "(unodc-glotip): 12 rows loaded, 2 warnings" in out
    assert "codes that are not countries were skipped: AFR_SSA, GBR_E" in out
    assert "Rate per 100 000 population" in out


def test_published_counts_match_the_file(formats_home):
    nam = formats_home.counts("NAM", 2022, source="unodc_glotip")
    v = {k[1:]: r["value"] for k, r in nam.items()}
    assert v[("detected_victims", "total", "total", "total", "total")] == 1282  # "1,282"
    assert v[("detected_victims", "female", "child", "total", "total")] == 400
    assert v[("detected_victims", "total", "total", "sexual_exploitation", "total")] == 700
    assert v[("detected_victims", "total", "total", "forced_labour", "total")] == 500
    assert v[("detected_victims", "total", "total", "total", "nationals")] == 900
    assert v[("detected_victims", "total", "total", "total", "foreign")] == 250 + 132  # Angola + Zambia
    assert v[("persons_convicted", "total", "total", "total", "total")] == 0  # 0 stays 0
    assert v[("persons_prosecuted", "total", "total", "total", "total")] is None  # blank stays unknown
    suppressed = nam[(2022, "detected_victims", "female", "adult", "total", "total")]  # "<5"
    assert (suppressed["value"], suppressed["value_lower"], suppressed["value_upper"]) == (None, 0, 4)
    # repatriation rows never reach the comparable grain
    assert len(nam) == 9


def test_citizenship_countries_and_repatriation_rows_are_kept_in_raw(formats_home):
    import duckdb

    con = duckdb.connect(str(formats_home.home / "tipdw.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select indicator_code, citizenship_code, citizenship_iso3, value, note from raw.aggregate_observations "
            "where source_format = 'unodc-glotip' and country_iso3 = 'NAM' "
            "and (citizenship_iso3 is not null or indicator_code like 'repatriated%') order by all"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        ("Detected trafficking victims", "foreign", "AGO", 250.0, "National authorities"),
        ("Detected trafficking victims", "foreign", "ZMB", 132.0, "National authorities"),
        ("repatriated_victims:ZAF", "nationals", None, 12.0, "by country of repatriation: South Africa"),
        ("repatriated_victims:abroad", "nationals", None, 30.0, "by country of repatriation: Abroad"),
    ]


def test_xlsx_with_banner_rows_and_a_notes_sheet(formats_home):
    assert "(unodc-glotip): 6 rows loaded, 1 warnings" in formats_home.ingests["glotip_xlsx"].stdout
    mex = formats_home.counts("MEX", 2021)
    assert {k[2:]: r["value"] for k, r in mex.items()} == {
        ("total", "total", "total", "total"): 1050,
        ("female", "total", "total", "total"): 700,
        ("male", "total", "total", "total"): 350,
        ("total", "total", "total", "nationals"): 550,
        ("total", "total", "total", "foreign"): 500,
    }


def test_utf8_bom_file_loads_the_same(tmp_path):
    bom = tmp_path / "glotip_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "glotip_bulk.csv").read_bytes())
    out = run_tipdw(tmp_path / "home", "ingest", str(bom))
    assert "(unodc-glotip): 12 rows loaded" in out.stdout


def test_broken_file_names_row_column_and_fix_and_loads_nothing(tmp_path):
    text = (FIXTURES / "glotip_bulk.csv").read_text(encoding="utf-8")
    text = text.replace(
        "Sexual exploitation,Total,Total,2022,Counts,700", "Sexual exploitation,Total,Total,2022,Counts,7OO"
    )
    text = text.replace("by citizenship,Zambia", "by citizenship,Atlantis")
    bad = tmp_path / "glotip_broken.csv"
    bad.write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    out = run_tipdw(home, "ingest", str(bad), check=False)
    assert out.returncode == 1
    assert (
        "glotip_broken.csv, row 8, column 'txtVALUE': the value is not a number (value '7OO')" in out.stderr
    )
    assert (
        "glotip_broken.csv, row 12, column 'Category': the country is not recognised (value 'Atlantis')"
        in out.stderr
    )
    assert "nothing was loaded" in out.stderr
    subs = json.loads(run_tipdw(home, "submissions", "--format", "json").stdout)
    assert [(s["status"], s["rows_loaded"]) for s in subs] == [("rejected", 0)]
