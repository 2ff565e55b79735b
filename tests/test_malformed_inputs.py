"""Malformed input for every reader (property-based): truncated files, wrong encodings, binary junk,
huge cells, duplicate headers, empty sheets, formula strings, SQL-like text in codes and file names,
and paths that try to escape. The result is a clear error or a correct load, never a traceback.

Readers come from ``ingest.readers.READERS``, so a new reader is covered as soon as it is registered.
Each reader's seed file is a fixture of its own layout (found by the reader's header score), mutated
by hypothesis; readers without a fixture get the demo's aggregate file, which they must refuse clearly.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

from ingest.intake import ingest_file
from ingest.readers import READERS
from ingest.tabular import header_preview
from tests.conftest import REPO, run_tipdw
from tests.warehouse_checks import assert_registry_agrees
from tipdw.config import Home
from tipdw.demo import generate

settings.register_profile(
    "malformed",
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
FIXTURES = REPO / "tests" / "fixtures"
TEST_KEY = "5e" * 32  # a test-only pseudonym key, so case-level readers run instead of refusing
SQLISH = [
    "'; drop table raw.submissions; --",
    'x" or 1=1 --',
    "KEN'); delete from raw.aggregate_observations; --",
    "$(rm -rf ~)",
    "../../etc/passwd",
    "\x00\x01",
]
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://x","y")']
NAMES = ["a'; drop table raw.submissions; --", 'quo"te', "sp ace", "..", "ü名前", "$(id)", "-rf", "%2e%2e%2f"]
OK_STATUSES = {"accepted", "duplicate", "rejected", "refused"}

# Crashes the property test found are fixed and kept below as regression tests; a new one is
# listed here as (reader or "*", exception type, message part, where) until it is fixed.
KNOWN_BUGS: list[tuple[str, str, str, str]] = []


def known_bug(reader: str, exc: Exception) -> str | None:
    for who, kind, text, why in KNOWN_BUGS:
        if who in ("*", reader) and type(exc).__name__ == kind and text in str(exc):
            return why
    return None


def _seed_files() -> dict[str, Path]:
    """For every reader, a fixture file in its own layout if there is one."""
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix.lower() in {".csv", ".tsv", ".xlsx", ".txt"})
    out: dict[str, Path] = {}
    for p in files:
        if p.stat().st_size > 200_000:
            continue
        try:
            headers = header_preview(p)
        except Exception:  # a deliberately broken fixture of another test
            continue
        for r in READERS:
            if r.name not in out and r.score(headers) > 0:
                out[r.name] = p
    return out


SEEDS = _seed_files()


@pytest.fixture(scope="module")
def env_key():
    old = os.environ.get("TIPDW_PSEUDONYM_KEY")
    os.environ["TIPDW_PSEUDONYM_KEY"] = TEST_KEY
    yield
    if old is None:
        os.environ.pop("TIPDW_PSEUDONYM_KEY", None)
    else:
        os.environ["TIPDW_PSEUDONYM_KEY"] = old


@pytest.fixture(scope="module")
def fallback_seed(tmp_path_factory) -> Path:
    """The demo's Kenya aggregate file (written, not built: no warehouse needed)."""
    out = tmp_path_factory.mktemp("demo-files")
    generate(out)
    return out / "SYNTHETIC-DEMO-DATA_KEN_aggregates.csv"


@pytest.fixture(scope="module")
def work(tmp_path_factory, env_key):
    root = tmp_path_factory.mktemp("malformed")
    return {"root": root, "home": Home(root / "home").ensure()}


def _rows(raw: bytes) -> list[list[str]]:
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    delim = (
        "\t" if text.count("\t") > text.count(",") else (";" if text.count(";") > text.count(",") else ",")
    )
    return [r for r in csv.reader(io.StringIO(text), delimiter=delim)][:400]


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _xlsx(sheets: dict[str, list[list[str]]], formula: str | None = None) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                ws.write_string(i, j, v)
        if formula and rows:
            ws.write_formula(len(rows), 0, formula)
    wb.close()
    return buf.getvalue()


@st.composite
def mutated(draw, raw: bytes):
    """(file bytes, suffix, what was done) for one malformation of ``raw``."""
    kind = draw(st.sampled_from(["truncate", "encoding", "junk", "huge_cell", "duplicate_header", "formula",
                                 "sql_codes", "empty", "header_only", "xlsx", "xlsx_empty_sheets",
                                 "xlsx_formula", "xlsx_truncated"]))  # fmt: skip
    rows = _rows(raw)
    cell = draw(st.integers(0, 10_000))

    def poke(value: str) -> list[list[str]]:
        body = [list(r) for r in rows]
        if len(body) > 1 and body[1]:
            i = 1 + cell % (len(body) - 1)
            if body[i]:
                body[i][cell % len(body[i])] = value
        return body

    if kind == "truncate":
        return raw[: draw(st.integers(0, max(0, len(raw) - 1)))], ".csv", kind
    if kind == "encoding":
        enc = draw(st.sampled_from(["utf-16", "utf-32", "cp1252", "latin-1", "utf-8-sig", "shift_jis"]))
        return raw.decode("utf-8", errors="replace").encode(enc, errors="replace"), ".csv", f"{kind} {enc}"
    if kind == "junk":
        junk = draw(st.binary(min_size=1, max_size=512))
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + junk + raw[at:], ".csv", kind
    if kind == "huge_cell":
        return _csv(poke("9" * draw(st.sampled_from([70_000, 400_000])))), ".csv", kind
    if kind == "duplicate_header":
        body = [list(r) for r in rows]
        if body and body[0]:
            body[0].append(body[0][cell % len(body[0])])
            for r in body[1:]:
                r.append("x")
        return _csv(body), ".csv", kind
    if kind == "formula":
        return _csv(poke(draw(st.sampled_from(FORMULAS)))), ".csv", kind
    if kind == "sql_codes":
        return _csv(poke(draw(st.sampled_from(SQLISH)))), ".csv", kind
    if kind == "empty":
        return b"", ".csv", kind
    if kind == "header_only":
        return _csv(rows[:1]), ".csv", kind
    if kind == "xlsx":
        return _xlsx({"Data": poke(draw(st.sampled_from(SQLISH + FORMULAS)))}), ".xlsx", kind
    if kind == "xlsx_empty_sheets":
        return _xlsx({"Empty": [], "Also empty": [[""]], "Data": rows[:1]}), ".xlsx", kind
    if kind == "xlsx_formula":
        return _xlsx({"Data": rows}, formula=draw(st.sampled_from(FORMULAS))), ".xlsx", kind
    data = _xlsx({"Data": rows})
    return data[: draw(st.integers(0, len(data) - 1))], ".xlsx", kind


def check_outcome(out, path: Path, home: Home, what: str) -> None:
    """A clear error naming the file and its fix, or a correct load that the registry agrees with."""
    assert out.status in OK_STATUSES, (what, out.status)
    if out.status in ("rejected", "refused"):
        assert out.problems.errors, f"{what}: rejected without saying why"
        for p in out.problems.errors:
            assert p.message and p.fix, (what, p)
            assert p.line()
    if out.status == "accepted":
        assert out.rows_loaded > 0, what
    assert_registry_agrees(home.root)


@pytest.mark.parametrize("reader", [r.name for r in READERS])
@seed(20261129)
@settings(settings.get_profile("malformed"))
@given(data=st.data())
def test_every_reader_survives_malformed_files(reader, data, work, fallback_seed):
    source = SEEDS.get(reader, fallback_seed)
    content, suffix, what = data.draw(mutated(source.read_bytes()))
    name = data.draw(st.sampled_from(["sub", *NAMES])) + suffix
    folder = work["root"] / "in" / reader
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    fmt = data.draw(st.sampled_from([reader, "auto"]))
    try:
        out = ingest_file(path, work["home"], fmt, country=data.draw(st.sampled_from([None, "KEN", "'; --"])))
    except Exception as exc:
        assume(known_bug(reader, exc) is None)  # a listed, not yet fixed crash
        raise
    check_outcome(out, path, work["home"], f"{reader} {what} {fmt} {name!r}")


HEADER_ONLY = {
    "template-aggregates": "country,year,indicator,sex,age_group,form_of_exploitation,citizenship,value\n",
    "sdmx-csv": "DATAFLOW,REF_AREA,INDICATOR,SEX,AGE,FORM_EXPLOITATION,CITIZENSHIP,TIME_PERIOD,OBS_VALUE\n",
    "eurostat-tsv": "unit,sex,leg_stat,citizen,geo\\time\t2014 \t2015 \n",
}


@pytest.mark.parametrize("reader", sorted(HEADER_ONLY))
def test_header_only_file_is_a_clear_error(reader, work):
    path = work["root"] / f"header_only_{reader}.{'tsv' if 'tsv' in reader else 'csv'}"
    path.write_text(HEADER_ONLY[reader], encoding="utf-8")
    out = ingest_file(path, work["home"], reader)
    assert out.status == "rejected" and out.problems.errors


def test_eurostat_short_row_is_a_clear_error(work):
    """Was a KNOWN_BUGS entry (TypeError in eurostat.py); fixed by its owner, kept as a regression test."""
    path = work["root"] / "short_row.tsv"
    path.write_text(
        "unit,sex,leg_stat,citizen,geo\\time\t2014 \t2015 \nNR,T,PER_SUSP,TOTAL,UK\t1200 \t1350 e\nN"
    )
    out = ingest_file(path, work["home"], "eurostat-tsv")
    assert out.status in OK_STATUSES


def test_csv_row_longer_than_header_is_a_clear_error(work):
    path = work["root"] / "extra_cell.csv"
    # The row is valid in its first four cells: loading it would silently lose the fifth.
    path.write_text("country,year,indicator,value\nKEN,2020,detected_victims,5,7\n", encoding="utf-8")
    out = ingest_file(path, work["home"], "template-aggregates")
    assert out.status == "rejected"
    assert [(p.rule, p.row) for p in out.problems.errors] == [("row.too_many_cells", 2)]


def test_csv_duplicate_header_is_rejected(work):
    path = work["root"] / "duplicate_header.csv"
    path.write_text(
        "country,year,year,indicator,value\nKEN,2020,2021,detected_victims,30\n", encoding="utf-8"
    )
    out = ingest_file(path, work["home"], "template-aggregates")
    assert out.status == "rejected"
    assert [p.rule for p in out.problems.errors] == ["header.duplicate"]


def test_paths_that_try_to_escape(work):
    root, home = work["root"], work["home"]
    inside = root / "in" / "escape"
    inside.mkdir(parents=True, exist_ok=True)
    for raw in ["/etc/passwd", "/etc", "/dev/null", "../../../../../../etc/hostname",
                str(inside / ".." / ".." / ".." / "nope.csv"), str(inside / "missing.csv")]:  # fmt: skip
        out = ingest_file(Path(raw), home)
        check_outcome(out, Path(raw), home, raw)
        assert out.status in ("rejected", "refused"), raw
    before = sorted(p.name for p in root.iterdir())
    out = ingest_file(inside / ".." / "escape" / "x.csv", home, sheet="../../../../etc/passwd")
    assert out.status == "rejected"
    assert sorted(p.name for p in root.iterdir()) == before, "intake wrote outside TIPDW_HOME"


def test_malformed_files_through_the_cli(work, fallback_seed):
    folder = work["root"] / "cli"
    folder.mkdir()
    cases = {
        "junk.csv": os.urandom(4096),
        "truncated.xlsx": _xlsx({"Data": _rows(fallback_seed.read_bytes())})[:900],
        "x'; drop table raw.submissions; --.csv": _csv([["country", "yr", "indicator", "value"],
                                                        ["KEN", "2020", "detected_victims", "3"]]),
        "empty.xlsx": _xlsx({"Sheet1": []}),
    }  # fmt: skip
    for name, content in cases.items():
        path = folder / name
        path.write_bytes(content)
        proc = run_tipdw(work["home"].root, "ingest", str(path), check=False)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert name in proc.stderr and "Fix:" in proc.stderr, (name, proc.stderr)
    assert_registry_agrees(work["home"].root)


def test_the_same_file_ten_times_is_one_submission(work, fallback_seed):
    home = Home(work["root"] / "repeat-home").ensure()
    outcomes = [ingest_file(fallback_seed, home) for _ in range(9)]
    proc = run_tipdw(home.root, "ingest", str(fallback_seed))
    assert [o.status for o in outcomes] == ["accepted"] + ["duplicate"] * 8
    assert {o.submission_id for o in outcomes} == {outcomes[0].submission_id}
    assert f"already loaded as submission {outcomes[0].submission_id}" in proc.stdout
    state = assert_registry_agrees(home.root)
    assert [s[1] for s in state["submissions"]] == ["accepted"]
    assert sum(state["rows"].values()) == outcomes[0].rows_loaded == 8 * 47  # Kenya: 8 years reported
