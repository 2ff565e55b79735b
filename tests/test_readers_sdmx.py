"""SDMX-CSV 1.0 and 2.0 (',' and ';'), ACTION honoured, through the real CLI to published counts."""

from __future__ import annotations

from tests.conftest import run_tipdw
from tests.formats_home import FIXTURES


def test_both_versions_are_detected(formats_home):
    assert "(sdmx-csv): 8 rows loaded" in formats_home.ingests["sdmx_v1"].stdout
    assert "(sdmx-csv): 3 rows loaded" in formats_home.ingests["sdmx_v2"].stdout


def test_v1_values_flags_and_unit_mult(formats_home):
    ken = formats_home.counts("KEN", 2021)
    v = {k[1:]: r for k, r in ken.items()}
    assert v[("detected_victims", "total", "total", "total", "total")]["value"] == 310
    assert v[("detected_victims", "female", "total", "total", "total")]["value"] == 200
    male = v[("detected_victims", "male", "total", "total", "total")]
    assert (male["value"], male["obs_status"]) == (110, "E")
    confidential = v[("detected_victims", "total", "total", "forced_labour", "total")]  # CONF_STATUS C
    assert (confidential["value"], confidential["suppression"]) == (None, "source_confidential")
    # 310 - 150 would disclose the confidential forced-labour count: the other form is hidden too
    sexual = v[("detected_victims", "total", "total", "sexual_exploitation", "total")]
    assert (sexual["value"], sexual["suppression"]) == (None, "secondary")
    assert v[("persons_convicted", "total", "total", "total", "total")]["value"] == 12  # 0.012 x 10^3


def test_v2_semicolons_and_decimal_comma(formats_home):
    uga = formats_home.counts("UGA", 2022)
    assert {k[2]: r["value"] for k, r in uga.items()} == {
        "total": 1000,
        "female": 640,
        "male": 360,
    }  # "1,0" x 10^3


def test_actions_append_and_delete(formats_home):
    ken = formats_home.counts("KEN", 2021)  # ACTION I appended child and adult to the 1.0 file's cells
    assert ken[(2021, "detected_victims", "total", "child", "total", "total")]["value"] == 90
    assert ken[(2021, "detected_victims", "total", "adult", "total", "total")]["value"] == 220
    assert ken[(2021, "detected_victims", "total", "total", "total", "total")]["value"] == 310
    assert formats_home.counts("TZA", 2020) == {}  # R then D: the scope is empty


def test_na_is_namibia_and_less_than_five_is_kept_as_bounds(formats_home):
    nam = formats_home.counts("NAM", 2019)
    child = nam[(2019, "detected_victims", "total", "child", "total", "total")]
    assert (child["value"], child["value_lower"], child["value_upper"]) == (None, 0, 4)
    assert nam[(2019, "detected_victims", "total", "total", "total", "total")]["suppression"] == "secondary"


def test_a_file_mixing_actions_is_rejected_with_the_fix(tmp_path):
    out = run_tipdw(tmp_path / "home", "ingest", str(FIXTURES / "sdmx_v2_mixed.csv"), check=False)
    assert out.returncode == 1
    assert "the file mixes actions: delete (first at row 3), replace (first at row 2)" in out.stderr
    assert "send one file per action" in out.stderr


def test_an_unknown_varying_dimension_is_an_error_naming_the_header_map(tmp_path):
    bad = tmp_path / "sdmx_extra.csv"
    bad.write_text(
        "DATAFLOW;REF_AREA;INDICATOR;TIME_PERIOD;REGION_TYPE;OBS_VALUE\n"
        "UNODC:DF_TIP(1.0);KEN;detected_victims;2021;URBAN;5\n"
        "UNODC:DF_TIP(1.0);KEN;detected_victims;2021;RURAL;6\n",
        encoding="cp1252",
    )
    out = run_tipdw(tmp_path / "home", "ingest", str(bad), check=False)
    assert out.returncode == 1
    assert "column 'REGION_TYPE': the column 'REGION_TYPE' varies (URBAN, RURAL)" in out.stderr
    assert "ingest/mappings/sdmx_headers.csv" in out.stderr


def test_rate_units_are_skipped_with_a_warning(tmp_path):
    path = tmp_path / "sdmx_rates.csv"
    path.write_text(
        "DATAFLOW,REF_AREA,INDICATOR,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE\n"
        "UNODC:DF_TIP(1.0),KEN,detected_victims,PS,2021,310\n"
        "UNODC:DF_TIP(1.0),KEN,detected_victims,PER_100000_POP,2021,0.6\n",
        encoding="utf-8",
    )
    out = run_tipdw(tmp_path / "home", "ingest", str(path))
    assert "1 rows with a rate unit were skipped: PER_100000_POP" in out.stdout
    assert "(sdmx-csv): 1 rows loaded, 1 warnings" in out.stdout


def test_exports_with_labels_keep_the_codes(tmp_path):
    path = tmp_path / "sdmx_labels.csv"
    path.write_text(
        "STRUCTURE;STRUCTURE_ID;ACTION;REF_AREA: Reference area;SERIES: Series;TIME_PERIOD: Time;OBS_VALUE\n"
        "dataflow;UNODC:DF_TIP(2.0);I;KEN: Kenya;VC_HTF_DETV: Detected victims;2021: 2021;310\n",
        encoding="utf-8-sig",
    )
    out = run_tipdw(tmp_path / "home", "ingest", str(path))
    assert "(sdmx-csv): 1 rows loaded, 0 warnings" in out.stdout
