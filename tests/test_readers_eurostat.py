"""Eurostat crim_thb_* TSV: flags as sets (old and 2025 style), EL/UK geo, leg_stat via crosswalk."""

from __future__ import annotations

from tests.conftest import run_tipdw
from tests.formats_home import FIXTURES


def test_detected_and_aggregates_and_rates_skipped(formats_home):
    out = formats_home.ingests["eurostat_2025"].stdout
    assert "(eurostat-tsv): 12 rows loaded, 2 warnings" in out
    assert "for aggregates, not countries were skipped: EU27_2020" in out
    assert "with a rate unit were skipped: P_HTHAB" in out
    assert "(eurostat-tsv): 6 rows loaded" in formats_home.ingests["eurostat_old"].stdout


def test_greece_2025_flags(formats_home):
    grc = {k: r for k, r in formats_home.counts("GRC").items()}

    def cell(y, sex="total", cit="total", ind="detected_victims"):
        return grc[(y, ind, sex, "total", "total", cit)]

    assert cell(2021)["value"] == 125
    assert cell(2021, sex="female")["value"] == 90
    assert cell(2021, cit="nationals")["value"] == 40
    foreign = cell(2021, cit="foreign")  # EU27_2020_FOR "15 bu" + NEU27_2020_FOR 70
    assert (foreign["value"], foreign["obs_status"]) == (85, "b,u")
    assert cell(2021, ind="persons_convicted")["value"] == 22
    total = cell(2022)  # 143 p; nationals are confidential and foreign unknown, so it may be withheld
    assert total["obs_status"] == "p"
    assert (total["value"], total["suppression"]) in [(143, None), (None, "secondary")]
    assert cell(2022, sex="female")["obs_status"] == "b,p"
    assert cell(2022, cit="nationals")["suppression"] == "source_confidential"  # ": C"
    assert cell(2022, cit="foreign")["value"] is None  # 12 + ":" is unknown
    assert cell(2022, ind="persons_convicted")["value"] == 0


def test_uk_old_flags(formats_home):
    gbr = formats_home.counts("GBR", source="eurostat")
    assert gbr[(2014, "persons_in_formal_contact", "total", "total", "total", "total")]["value"] == 1200
    assert gbr[(2014, "persons_in_formal_contact", "female", "total", "total", "total")]["value"] == 300
    assert gbr[(2014, "persons_prosecuted", "total", "total", "total", "total")]["value"] == 200
    e = gbr[(2015, "persons_in_formal_contact", "total", "total", "total", "total")]
    assert (e["value"], e["obs_status"]) == (1350, "e")
    c = gbr[(2015, "persons_prosecuted", "total", "total", "total", "total")]  # old ": c"
    assert (c["value"], c["conf_status"], c["suppression"]) == (None, "C", "source_confidential")


def test_a_broken_row_key_names_row_and_column(tmp_path):
    bad = tmp_path / "crim_thb_broken.tsv"
    text = (FIXTURES / "estat_crim_thb_vctz.tsv").read_text(encoding="utf-8")
    bad.write_text(text.replace("A,NR,F,TOTAL,VICT,TOTAL,EL", "A,NR,F,VICT,TOTAL,EL"), encoding="utf-8")
    out = run_tipdw(tmp_path / "home", "ingest", str(bad), check=False)
    assert out.returncode == 1
    assert (
        r"row 3, column 'freq,unit,sex,age,leg_stat,citizen,geo\\TIME_PERIOD': the row key must have 7 codes"
        in out.stderr
    )
