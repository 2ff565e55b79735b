"""Case-level workbooks are read columnar (fastexcel into Arrow, then one DuckDB SELECT) with the
behaviour of the row-by-row reader they replace: banner rows above the header, the sheet holding the
header among several (or ``--sheet``), every cell as text (2023 stays "2023", blank is NULL, not 0),
blank rows skipped while problems keep the sheet's row numbers, and identifying columns never stored.
Workbooks are written here with xlsxwriter; expected values are read off the rows below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from ingest.tabular import SHEET_ROW, excel_head, excel_rows, excel_sheet_arrow, excel_text_sql
from tests.conftest import ingest_in_fresh_process, run_tipdw
from tests.warehouse_checks import query_dicts

ENV = {"TIPDW_PSEUDONYM_KEY": "0123456789abcdef" * 4}
HEADER = ["country", "person_id", "sex", "age", "age_band", "year_identified", "date_identified",
          "identifying_agency", "first_name"]  # fmt: skip


def _workbook(path: Path, sheets: dict[str, list[tuple[int, list]]]) -> Path:
    """Write ``{sheet: [(0-based row, cells)]}``; a datetime cell gets a date format, None stays empty."""
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, cells in rows:
            for c, v in enumerate(cells):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, date)
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    return path


# Sheet "victims" (the second sheet): two banner rows, the header on sheet row 3, data on rows 4 and 6
# (row 5 is blank: skipped, but not renumbered).
VICTIMS = [
    (0, ["Ministry of Interior - victims identified in 2023"]),
    (1, ["Provisional figures"]),
    (2, HEADER),
    (3, ["KEN", "V1", "female", 0, None, 2023, dt.datetime(2023, 5, 2), 2023, "Alice"]),
    (5, ["KEN", "V2", "male", None, "0-17", 2023, None, "  police\u00a0", "Bob"]),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One warehouse with the two-sheet workbook ingested (the first sheet is only a note)."""
    home = tmp_path_factory.mktemp("excel-home")
    book = _workbook(
        tmp_path_factory.mktemp("excel") / "ken_victims_2023.xlsx",
        {"Notes": [(0, ["Read me: the data is on the next sheet"])], "victims": VICTIMS},
    )
    out = run_tipdw(home, "ingest", str(book), "--format", "template-victims", env=ENV)
    return home, out


def _victims(home: Path) -> dict[int, tuple]:
    rows = query_dicts(
        home / "tipdw.duckdb",
        "select row_number, country_iso3, year, age_years, age_band_code, date_identified, "
        "identifying_agency from raw.case_victims",
    )
    return {r["row_number"]: tuple(r.values())[1:] for r in rows}


def test_banner_rows_and_the_second_sheet_are_read(home):
    home, out = home
    assert "2 rows loaded" in out.stdout
    assert sorted(_victims(home)) == [4, 6]  # sheet rows: the header is row 3, row 5 is blank


def test_a_number_cell_stays_its_text(home):
    home, _ = home
    country, year, _, _, _, agency = _victims(home)[4]
    assert (country, year, agency) == ("KEN", 2023, "2023")  # not "2023.0"


def test_a_blank_cell_is_null_and_distinct_from_zero(home):
    home, _ = home
    rows = _victims(home)
    assert rows[4][2] == 0 and rows[4][3] is None  # age 0, age band blank
    assert rows[6][2] is None and rows[6][3] == "0-17"  # age blank (NULL, not 0)


def test_a_date_cell_and_padded_text(home):
    home, _ = home
    rows = _victims(home)
    assert rows[4][4] == dt.date(2023, 5, 2)
    assert rows[6][5] == "police"  # spaces and a no-break space stripped, as before


def test_identifying_columns_are_dropped_and_never_stored(home):
    home, out = home
    assert "first_name (name)" in out.stdout
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    try:
        text = str(con.execute("select * from raw.case_victims").fetchall())
    finally:
        con.close()
    assert "Alice" not in text and "Bob" not in text


def test_a_rejection_names_the_sheets_row(tmp_path):
    rows = [*VICTIMS, (7, ["KEN", "V3", "male", "abc", None, 2023, None, "police", "Carl"])]
    book = _workbook(tmp_path / "bad.xlsx", {"victims": rows})
    out = run_tipdw(tmp_path / "h", "ingest", str(book), check=False, env=ENV)  # detected from the header
    assert out.returncode == 1 and "nothing was loaded" in out.stderr
    assert "bad.xlsx [victims], row 8, column 'age'" in out.stderr and "'abc'" in out.stderr
    assert "Carl" not in out.stderr


def test_sheet_option_chooses_between_sheets_with_a_header(tmp_path):
    both = {
        "y2023": VICTIMS,
        "y2024": [(0, HEADER), *((i, ["UGA", f"U{i}", "male", 30, None, 2024, None, "police", "Dan"]) for i in (1, 2, 3))],
    }  # fmt: skip
    book = _workbook(tmp_path / "two.xlsx", both)
    out = run_tipdw(tmp_path / "h", "ingest", str(book), "--sheet", "y2024", env=ENV)
    assert "3 rows loaded" in out.stdout
    assert {r[:2] for r in _victims(tmp_path / "h").values()} == {("UGA", 2024)}
    missing = run_tipdw(tmp_path / "h2", "ingest", str(book), "--sheet", "y2025", check=False, env=ENV)
    assert missing.returncode == 1 and "no sheet 'y2025'" in missing.stderr


def test_a_repeated_header_is_named(tmp_path):
    book = _workbook(
        tmp_path / "dupe.xlsx", {"victims": [(0, ["Banner"]), (1, [*HEADER, "age"]), (2, VICTIMS[3][1])]}
    )
    out = run_tipdw(tmp_path / "h", "ingest", str(book), "--format", "template-victims", check=False, env=ENV)
    assert out.returncode == 1
    assert "row 2, column 'age': the header repeats the column 'age'" in out.stderr


def test_columnar_text_is_the_row_readers_text(tmp_path):
    """Cell by cell, the SQL over fastexcel's Arrow columns gives calamine's ``cell_text``, except
    booleans (lower case) and numbers with more than 9 decimals (rounded): both documented."""
    cells = [2023, -5, 0, 1.5, 2.5e15, 0.5, dt.datetime(2023, 5, 2), dt.datetime(1990, 1, 1), " NA ",
             "007", "a\u3000", "2023-05-02", "line1\nline2", None, ""]  # fmt: skip
    wb = xlsxwriter.Workbook(str(tmp_path / "types.xlsx"))
    ws = wb.add_worksheet("s")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    clock = wb.add_format({"num_format": "hh:mm"})
    for i, v in enumerate(cells, start=2):
        if isinstance(v, dt.datetime):
            ws.write_datetime(i, 0, v, wb.add_format({"num_format": "yyyy-mm-dd"}))
        elif v is not None:
            ws.write(i, 0, v)
    ws.write_datetime(17, 0, dt.datetime(2023, 5, 2, 13, 45), stamp)
    ws.write_datetime(18, 0, dt.time(8, 30), clock)
    ws.write_formula(19, 0, "=20*100", None, 2000)
    ws.write_boolean(20, 0, True)
    ws.write_number(21, 0, 1 / 3)
    wb.close()
    path = tmp_path / "types.xlsx"
    expected = [r[0] for r in excel_rows(path, "s")]
    arrow = excel_sheet_arrow(path, "s")
    assert arrow.column(SHEET_ROW).to_pylist() == list(range(1, len(expected) + 1))
    con = duckdb.connect()
    got = [
        v or ""
        for (v,) in con.sql(
            f"select {excel_text_sql(arrow.column_names[0])} from arrow order by {SHEET_ROW}"
        ).fetchall()
    ]
    assert expected[:20] == ["", "", "2023", "-5", "0", "1.5", "2500000000000000", "0.5", "2023-05-02", "1990-01-01",
                             "NA", "007", "a", "2023-05-02", "line1\nline2", "", "", "2023-05-02 13:45:00",
                             "08:30:00", "2000"]  # fmt: skip
    assert got[:20] == expected[:20]
    assert [r[0] for r in excel_head(arrow, 30)][:20] == expected[:20]
    assert (expected[20], got[20]) == ("True", "true")
    assert (expected[21], got[21]) == ("0.3333333333333333", "0.333333333")


def test_workbook_intake_does_not_import_pandas(tmp_path):
    """The sheet goes from fastexcel's Arrow columns straight into DuckDB: no pandas (a second to import)."""
    book = _workbook(tmp_path / "ken.xlsx", {"victims": VICTIMS})
    assert ingest_in_fresh_process(book, tmp_path / "home", ("pandas",), ENV) == ["accepted", "2", "False"]
