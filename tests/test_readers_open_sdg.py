"""Open SDG national reporting CSV: --country required, blank Sex/Age = total, series carry the form."""

from __future__ import annotations

from tests.conftest import run_tipdw
from tests.formats_home import FIXTURES


def test_detected_and_rows_outside_the_national_grain_skipped(formats_home):
    out = formats_home.ingests["open_sdg"].stdout
    assert "(open-sdg): 7 rows loaded, 2 warnings" in out
    assert "broken down by 'Region' (not part of the national grain) were skipped: Wales" in out


def test_published_counts(formats_home):
    gbr = formats_home.counts("GBR", 2021)
    v = {k[2:]: r for k, r in gbr.items()}
    assert {k: r["value"] for k, r in v.items()} == {
        ("total", "total", "total", "total"): 12727,
        ("female", "total", "total", "total"): 2900,
        ("male", "total", "total", "total"): 9800,
        ("total", "child", "total", "total"): 5468,
        ("total", "total", "forced_labour", "total"): 4200,
        ("total", "total", "sexual_exploitation", "total"): 1900,
        ("total", "total", "organ_removal", "total"): 0,
    }
    assert v[("total", "total", "sexual_exploitation", "total")]["obs_status"] == "P"  # "Provisional value"
    assert {r["source"] for r in gbr.values()} == {"sdg_platform"}


def test_parts_are_marked_not_additive(formats_home):
    import duckdb

    con = duckdb.connect(str(formats_home.home / "tipdw.duckdb"), read_only=True)
    try:
        flags = con.execute(
            "select distinct is_additive from raw.aggregate_observations where source_format = 'open-sdg'"
        ).fetchall()
    finally:
        con.close()
    assert flags == [(False,)]


def test_without_country_is_a_clear_error(tmp_path):
    out = run_tipdw(tmp_path / "home", "ingest", str(FIXTURES / "open_sdg_16-2-2.csv"), check=False)
    assert out.returncode == 1
    assert "an Open SDG file has no country column" in out.stderr
    assert "pass --country with the ISO3 code" in out.stderr
