"""Case-level intake and counting: the victims/suspects templates (CSV and XLSX) and CTDC (both
layouts) load through the real CLI, and the build counts them at the standard grain. Expected numbers
are counted by hand from the fixtures (see the comments)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.conftest import REPO, ingest_in_fresh_process, run_tipdw

FIXTURES = REPO / "tests" / "fixtures" / "casework"
ENV = {"TIPDW_PSEUDONYM_KEY": "0123456789abcdef" * 4}
# A national victims workbook for Namibia (country written "NA", its ISO2 code) with a banner row.
NAM_XLSX = [
    [
        "country",
        "person_id",
        "sex",
        "age",
        "age_band",
        "citizenship",
        "forms_of_exploitation",
        "year_identified",
    ],
    ["NA", "N1", "female", 20, "", "NA", "sexual_exploitation", 2022],
    ["NA", "N2", "male", 10, "", "AGO", "forced_labour", 2022],
    ["NA", "N3", "female", "", "0-17", "NA", "begging", 2022],
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("casework-home")
    xlsx = tmp_path_factory.mktemp("casework-xlsx") / "nam_victims_2022.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet("victims")
    ws.write_row(0, 0, ["Ministry of Gender Equality - victims identified 2022"])
    for i, row in enumerate(NAM_XLSX, start=1):
        ws.write_row(i, 0, row)
    wb.close()
    out = {}
    for path, country in ((FIXTURES / "victims_ken_2023.csv", "KEN"), (FIXTURES / "victims_ken_2024.csv", "KEN"),
                          (FIXTURES / "suspects_ken_2023.csv", "KEN"), (FIXTURES / "ctdc_kanon_ukr.csv", None),
                          (FIXTURES / "ctdc_synthetic_phl.csv", None), (xlsx, None)):  # fmt: skip
        out[path.name] = run_tipdw(
            home, "ingest", str(path), *(["--country", country] if country else []), env=ENV
        )
    run_tipdw(home, "build", env=ENV, timeout=900)
    return home, out


def _query_cells(home) -> dict:
    """Every case-level count at the standard grain, before disclosure control (the intermediate
    models in the build database), by (country, year, source, indicator) then (sex, age group, form,
    citizenship)."""
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select country_iso3, year, source, indicator, sex, age_group, form_of_exploitation, citizenship, value "
            "from intermediate.int_casework__victim_counts union all "
            "select country_iso3, year, source, indicator, sex, age_group, form_of_exploitation, citizenship, value "
            "from intermediate.int_casework__suspect_counts"
        ).fetchall()
    finally:
        con.close()
    out: dict = {}
    for country, year, source, indicator, *cell, value in rows:
        out.setdefault((country, year, source, indicator), {})[tuple(cell)] = value
    return out


@pytest.fixture(scope="module")
def cells(built):
    return _query_cells(built[0])


def _cells(
    all_cells: dict, country: str, year: int, source: str, indicator: str = "detected_victims"
) -> dict:
    return all_cells.get((country, year, source, indicator), {})


T = "total"


def test_formats_are_detected_and_rows_loaded(built):
    _, out = built
    assert "(template-victims): 8 rows loaded" in out["victims_ken_2023.csv"].stdout
    assert "(template-suspects): 4 rows loaded" in out["suspects_ken_2023.csv"].stdout
    assert "(ctdc): 6 rows loaded" in out["ctdc_kanon_ukr.csv"].stdout
    assert "1 rows have no CountryOfExploitation and were left out" in out["ctdc_kanon_ukr.csv"].stdout
    assert "(ctdc): 4 rows loaded" in out["ctdc_synthetic_phl.csv"].stdout
    assert "(template-victims): 3 rows loaded" in out["nam_victims_2022.xlsx"].stdout


def test_a_victim_with_several_forms_counts_once_per_form_and_once_in_totals(built, cells):
    home = built[0]
    c = _cells(cells, "KEN", 2023, "national_casework")
    # V1 sexual+forced labour, V2 sexual, V3 forced, V4 forced, V5 sexual, V6 forced+begging, V7 none, V8 sexual
    assert c[(T, T, T, T)] == 8
    assert c[(T, T, "sexual_exploitation", T)] == 4
    assert c[(T, T, "forced_labour", T)] == 4
    assert c[(T, T, "begging", T)] == 1 and c[(T, T, "unknown", T)] == 1  # V7 reported no form
    # Child/adult from the age at identification: V2's from her date of birth (33), V8's (12, the
    # day before her 13th birthday); V5's band 15-17 is child; V4's band 16-20 straddles 18: unknown.
    assert (c[("female", "child", T, T)], c[("female", "adult", T, T)]) == (
        4,
        1,
    )  # girls V1 V5 V6 V8; woman V2
    assert (c[("male", "adult", T, T)], c[("male", "unknown", T, T)]) == (2, 1)  # V3 V7; V4
    assert (c[(T, "child", T, T)], c[(T, "adult", T, T)], c[(T, "unknown", T, T)]) == (4, 3, 1)
    assert (c[("female", T, T, T)], c[("male", T, T, T)]) == (5, 3)
    assert (c[(T, T, T, "nationals")], c[(T, T, T, "foreign")]) == (5, 3)  # "Uganda", "KE" resolved
    assert c[("female", "child", "sexual_exploitation", T)] == 3  # V1 V5 V8
    assert c[("female", "child", "forced_labour", T)] == 2  # V1 V6
    assert c[(T, T, "forced_labour", "foreign")] == 2  # V3 (UGA), V6 (TZA)
    assert c[("female", "child", "forced_labour", "nationals")] == 1  # V1
    published = json.loads(
        run_tipdw(
            home, "sql",
            "select form_of_exploitation, value, suppression from comparable_counts where country_iso3 = 'KEN' "
            "and year = 2023 and source = 'national_casework' and indicator = 'detected_victims' and sex = 'total' "
            "and age_group = 'total' and citizenship = 'total' order by 1",
            "--format", "json",
        ).stdout
    )  # fmt: skip
    by_form = {r["form_of_exploitation"]: (r["value"], r["suppression"]) for r in published}
    # Published with k = 5: every form (4, 4, 1, 1) is withheld; the total 8 is published unless secondary
    # suppression (macros/disclosure.sql) withholds it to protect a small cell along another breakdown.
    assert {f: v for f, v in by_form.items() if f != "total"} == {
        f: (None, "primary") for f in ("begging", "forced_labour", "sexual_exploitation", "unknown")
    }
    assert by_form["total"] in ((8, None), (None, "secondary"))


def test_suspects_count_at_every_stage_reached(cells):
    # S1 convicted, S2 prosecuted, S3 formal contact, S4 convicted
    got = {ind: _cells(cells, "KEN", 2023, "national_casework", ind)
           for ind in ("persons_in_formal_contact", "persons_prosecuted", "persons_convicted")}  # fmt: skip
    assert [got[i][(T, T, T, T)] for i in got] == [4, 3, 2]
    assert got["persons_in_formal_contact"][("male", T, T, T)] == 3
    assert got["persons_prosecuted"][("female", T, T, "foreign")] == 1  # S2, Ugandan
    assert got["persons_convicted"][(T, "adult", T, "nationals")] == 2


def test_ctdc_k_anonymised_layout(cells):
    c = _cells(cells, "UKR", 2019, "ctdc")
    # 5 rows in Ukraine 2019 (the row without CountryOfExploitation is left out)
    assert c[(T, T, T, T)] == 5
    assert c[(T, T, "sexual_exploitation", T)] == 2  # isSexualExploit + isSexAndLabour
    assert c[(T, T, "forced_labour", T)] == 2  # isForcedLabour + isSexAndLabour
    assert c[(T, T, "forced_marriage", T)] == 1 and c[(T, T, "other", T)] == 1
    assert (c[(T, "adult", T, T)], c[(T, "child", T, T)], c[(T, "unknown", T, T)]) == (
        2,
        2,
        1,
    )  # 48+ adult; Minor
    assert (c[(T, T, T, "nationals")], c[(T, T, T, "foreign")], c[(T, T, T, "unknown")]) == (3, 1, 1)
    assert (c[("female", T, T, T)], c[("male", T, T, T)]) == (3, 2)
    nam = _cells(cells, "NAM", 2020, "ctdc")  # "NA" is Namibia
    assert nam[("female", "adult", "forced_labour", "nationals")] == 1


def test_ctdc_synthetic_layout(cells):
    c = _cells(cells, "PHL", 2021, "ctdc")
    assert c[(T, T, T, T)] == 4
    assert (c[("male", "adult", T, T)], c[("male", "child", T, T)]) == (1, 1)  # 30--38, 0--8
    assert (c[("female", "child", "sexual_exploitation", "foreign")], c[(T, T, "organ_removal", T)]) == (1, 1)
    assert c[(T, T, "other", T)] == 1  # isForcedMilitary
    assert c[(T, T, T, "nationals")] == 3


def test_xlsx_victims_with_a_banner_row(cells):
    c = _cells(cells, "NAM", 2022, "national_casework")
    assert c[(T, T, T, T)] == 3
    assert (c[(T, "child", T, T)], c[(T, "adult", T, T)]) == (2, 1)  # age 10, band 0-17; age 20
    assert (c[(T, T, T, "nationals")], c[(T, T, T, "foreign")]) == (2, 1)
    assert c[("female", "child", "begging", "nationals")] == 1


def test_template_command_writes_csv_and_annotated_xlsx(tmp_path):
    run_tipdw(tmp_path / "h", "template", "victims", "--out", str(tmp_path / "v.csv"))
    header = (tmp_path / "v.csv").read_text(encoding="utf-8").splitlines()
    assert header == ["country,person_id,case_id,sex,age,age_band,date_of_birth,citizenship,"
                      "forms_of_exploitation,year_identified,date_identified,identifying_agency"]  # fmt: skip
    run_tipdw(tmp_path / "h", "template", "cases", "--out", str(tmp_path / "c.xlsx"))
    wb = CalamineWorkbook.from_path(str(tmp_path / "c.xlsx"))
    assert wb.sheet_names == ["cases", "dictionary"]
    names = [r[0] for r in wb.get_sheet_by_name("dictionary").to_python()[1:] if r and r[0]]
    for col in ("recruitment_agency_involved", "recruitment_fees_charged", "fraudulent_job_offer",
                "means_of_control", "transnational", "origin_countries", "destination_countries"):  # fmt: skip
        assert col in names
    bad = run_tipdw(tmp_path / "h", "template", "nonsense", "--out", str(tmp_path / "x.csv"), check=False)
    assert bad.returncode == 1 and "victims" in bad.stderr


def test_bad_rows_are_rejected_with_row_column_and_fix(built):
    home, _ = built
    before = _raw_count(home)
    out = run_tipdw(
        home, "ingest", str(FIXTURES / "victims_bad.csv"), "--country", "KEN", check=False, env=ENV
    )
    assert out.returncode == 1 and "nothing was loaded" in out.stderr
    err = out.stderr
    assert "row 2, column 'age'" in err and "'abc'" in err
    assert "row 3, column 'person_id': the person_id is blank" in err
    assert "row 4, column 'citizenship': the country is not recognised (value 'Narnia')" in err
    assert "row 4, column 'year_identified'" in err and "'1890'" in err
    assert "row 5, column 'date_of_birth': the date of birth is not a date. Fix:" in err
    assert "1985-13-45" not in err and "Alice" not in err  # identifiers are never echoed
    report = re.search(r"(\S+_problems\.csv)", out.stderr).group(1)
    text = Path(report).read_text(encoding="utf-8")
    assert "1985-13-45" not in text and "Example" not in text
    assert _raw_count(home) == before


def _suspect_stage_twice(tmp_path: Path) -> Path:
    """A suspects file whose one person reaches the same stage twice in a year (a gate warning)."""
    path = tmp_path / "suspects_twice.csv"
    path.write_text(
        "person_id,case_id,sex,age,citizenship,role,stage,year\n"
        "S1,C1,male,40,KEN,recruiter,prosecuted,2024\n"
        "S1,C1,male,40,KEN,recruiter,prosecuted,2024\n",
        encoding="utf-8",
    )
    return path


def test_the_gate_checks_case_level_rows_as_inserted_and_a_rejection_loads_nothing(tmp_path):
    """Case-level batches are pseudonymised as they are copied into the warehouse, and the intake suite
    runs on those rows inside the transaction: a critical failure (a victim twice in one year) rolls it
    back and records the rejection alone; a warning (a suspect's stage listed twice) loads the file."""
    home = tmp_path / "home"
    victims = tmp_path / "victims_twice.csv"
    victims.write_text(
        "person_id,case_id,sex,age,citizenship,forms_of_exploitation,year_identified,identifying_agency\n"
        "V7,C1,female,17,KEN,forced_labour,2024,police\n"
        "V8,C1,male,30,UGA,forced_labour,2024,police\n"
        "V7,C2,female,17,KEN,begging,2024,ngo\n",
        encoding="utf-8",
    )
    out = run_tipdw(home, "ingest", str(victims), "--country", "KEN", check=False, env=ENV)
    assert out.returncode == 1 and "nothing was loaded" in out.stderr
    assert re.search(r"row 4, column 'person_pseudonym, year': the same victim appears more than once in one "
                     r"year: 2 copies \(first at row 2\).*\[victim\.duplicate\]", out.stderr)  # fmt: skip
    assert "V7" not in out.stderr  # the report shows the pseudonym, never the id
    suspects = _suspect_stage_twice(tmp_path)
    ok = run_tipdw(home, "ingest", str(suspects), "--country", "KEN", env=ENV)
    assert "accepted as submission 2" in ok.stdout and "2 rows loaded, 1 warnings" in ok.stdout
    assert "[suspect.duplicate]" in ok.stdout  # warnings of an accepted file are printed with it
    subs = {
        s["submission_id"]: s for s in json.loads(run_tipdw(home, "submissions", "--format", "json").stdout)
    }
    assert (subs[1]["status"], subs[1]["rows_loaded"]) == ("rejected", 0)
    assert (subs[2]["status"], subs[2]["rows_loaded"], subs[2]["countries"]) == ("accepted", 2, "KEN")
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.case_victims").fetchone()[0] == 0
        assert con.execute("select submission_id, year, row_count from raw.submission_scopes").fetchall() == [
            (2, 2024, 2)
        ]
        assert (
            con.execute("select count(distinct person_pseudonym) from raw.case_suspects").fetchone()[0] == 1
        )
    finally:
        con.close()


def test_a_copy_that_runs_out_of_memory_under_its_cap_is_done_again_and_lists_its_problems_once(tmp_path):
    """The copy into the warehouse and the gate of the inserted rows run under a memory cap. With a cap
    of 1 MiB above the file's text they run out of memory: the transaction is rolled back and done
    again without the cap (logged), the gate's warning is listed once, and a rejection still records
    itself (an out-of-memory error is not reported as a failed rule)."""
    home = tmp_path / "home"
    tight = {**ENV, "TIPDW_INTAKE_HEADROOM_MIB": "1"}
    suspects = _suspect_stage_twice(tmp_path)
    ok = run_tipdw(home, "ingest", str(suspects), "--country", "KEN", env=tight)
    assert "accepted as submission 1" in ok.stdout and "2 rows loaded, 1 warnings" in ok.stdout
    assert ok.stdout.count("[suspect.duplicate]") == 1
    log = max((home / "logs").glob("ingest-*.log")).read_text(encoding="utf-8")
    assert "ran out of memory under its cap and was done again without it" in log
    victims = tmp_path / "victims_twice.csv"
    victims.write_text(
        "person_id,sex,age,year_identified\nV7,female,17,2024\nV7,female,17,2024\n", encoding="utf-8"
    )
    out = run_tipdw(home, "ingest", str(victims), "--country", "KEN", check=False, env=tight)
    assert out.returncode == 1 and "REJECTED (recorded as submission 2)" in out.stderr
    assert out.stderr.count("[victim.duplicate]") == 1 and "could not" not in out.stderr
    subs = json.loads(run_tipdw(home, "submissions", "--format", "json").stdout)
    assert [(s["submission_id"], s["status"], s["rows_loaded"]) for s in subs] == [
        (1, "accepted", 2),
        (2, "rejected", 0),
    ]


def test_malformed_csv_lines_are_reported_from_duckdb_rejects(built):
    home, _ = built
    out = run_tipdw(
        home,
        "ingest",
        str(FIXTURES / "victims_malformed.csv"),
        "--country",
        "KEN",
        "--format",
        "template-victims",
        check=False,
        env=ENV,
    )
    assert out.returncode == 1
    assert "row 3" in out.stderr and "csv.malformed" in out.stderr and "extra" not in out.stderr


def _raw_count(home) -> int:
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from raw.case_victims").fetchone()[0]
    finally:
        con.close()


def test_supersede_and_withdraw_after_incremental_counting(built):
    """Runs last: it changes the module's warehouse. The incremental cell counts of the superseded and
    withdrawn submissions stay in the build database, but only current submissions are published."""
    home, _ = built
    subs = {s["file_name"]: s["submission_id"] for s in json.loads(run_tipdw(home, "submissions", "--format", "json").stdout)
            if s["status"] == "accepted"}  # fmt: skip
    run_tipdw(home, "ingest", str(FIXTURES / "victims_ken_2023_corrected.csv"), "--country", "KEN", env=ENV)
    run_tipdw(home, "withdraw", str(subs["victims_ken_2024.csv"]))
    run_tipdw(home, "build", env=ENV, timeout=900)
    after = _query_cells(home)
    c = _cells(after, "KEN", 2023, "national_casework")
    assert c[(T, T, T, T)] == 3 and c[(T, T, "sexual_exploitation", T)] == 2 and c[("male", T, T, T)] == 1
    assert _cells(after, "KEN", 2024, "national_casework") == {}
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    kept = {
        r[0]
        for r in con.execute(
            "select distinct submission_id from intermediate.int_casework__victim_cells"
        ).fetchall()
    }
    con.close()
    assert {subs["victims_ken_2023.csv"], subs["victims_ken_2024.csv"]} <= kept


def test_case_level_csv_intake_imports_neither_pandas_nor_the_country_library(tmp_path):
    """The case-level CSV path is SQL over DuckDB: importing pandas (about a second) or
    hdx-python-country (about a second and a half) on every `tipdw ingest` would be pure overhead.
    Country names still resolve: the index is read from the library's taxonomy file."""
    victims = tmp_path / "victims.csv"
    victims.write_text(
        "country,person_id,sex,age,citizenship,forms_of_exploitation,year_identified\n"
        "Kenya,P1,female,23,Ouganda,sexual_exploitation,2023\n"
        "KEN,P2,male,31,UGA,forced_labour,2023\n",
        encoding="utf-8",
    )
    got = ingest_in_fresh_process(victims, tmp_path / "home", ("pandas", "hdx.location.country"), ENV)
    assert got == ["accepted", "2", "False", "False"]


def test_forms_of_victims_loaded_before_form_codes_move_into_the_column(tmp_path):
    """A victim's forms are one column, raw.case_victims.form_codes (distinct codes joined by |).
    A warehouse made before that column has them as rows of raw.case_list_values and no column:
    the next intake adds the column and moves them into it, and the build counts them as before."""
    home = tmp_path / "home"
    run_tipdw(home, "ingest", str(FIXTURES / "victims_ken_2023.csv"), "--country", "KEN", env=ENV)
    con = duckdb.connect(str(home / "tipdw.duckdb"))
    try:
        assert con.execute("select form_codes from raw.case_victims where row_number = 2").fetchone() == (
            "forced_labour|sexual_exploitation",  # V1 wrote sexual_exploitation|forced_labour
        )
        assert con.execute("select count(*) from raw.case_list_values").fetchone() == (0,)
        # The earlier layout: one list row per form, and no form_codes column.
        con.execute(
            "insert into raw.case_list_values select submission_id, 'victims', country_iso3, year, "
            "person_pseudonym, 'form_of_exploitation', unnest(string_split(form_codes, '|')), null "
            "from raw.case_victims where form_codes is not null"
        )
        con.execute("alter table raw.case_victims drop column form_codes")
    finally:
        con.close()
    run_tipdw(home, "ingest", str(FIXTURES / "victims_ken_2024.csv"), "--country", "KEN", env=ENV)
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    try:
        assert con.execute(
            "select form_codes from raw.case_victims where row_number = 2 and year = 2023"
        ).fetchone() == ("forced_labour|sexual_exploitation",)
        assert con.execute("select count(*) from raw.case_list_values").fetchone() == (0,)
    finally:
        con.close()
    run_tipdw(home, "build", env=ENV, timeout=600)
    cells = _query_cells(home)
    old = _cells(cells, "KEN", 2023, "national_casework")
    assert old[(T, T, T, T)] == 8
    assert old[(T, T, "sexual_exploitation", T)] == 4 and old[(T, T, "forced_labour", T)] == 4
    assert old[(T, T, "begging", T)] == 1 and old[(T, T, "unknown", T)] == 1  # V7 reported no form
    new = _cells(cells, "KEN", 2024, "national_casework")
    assert new[(T, T, T, T)] == 2 and new[(T, T, "forced_labour", T)] == 2
