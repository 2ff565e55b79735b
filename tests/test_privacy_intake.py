"""Privacy at intake: identifiers are dropped and named, ids become HMAC-SHA256 pseudonyms, the key
stays outside the warehouse, and case-level intake refuses to run without it (real CLI, real files)."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat

import duckdb
import pytest

from tests.conftest import REPO, run_tipdw

FIXTURES = REPO / "tests" / "fixtures" / "casework"
KEY_HEX = "5f" * 16 + "a1b2c3d4" * 4  # a fixed test key (32 bytes)
KEY_ENV = {"TIPDW_PSEUDONYM_KEY": KEY_HEX}
# Values of the identifying columns in victims_ken_2023.csv and suspects_ken_2023.csv.
IDENTIFIERS = ["Amina", "Otieno", "Nakato", "Wanjiru", "+254 712 345678", "+256 700 111222", "Moi Avenue",
               "Kampala Road", "amina@example.org", "A1234567", "B7654321", "1990-01-01", "2010-06-15",
               "Otieno Ochieng", "Sarah Akinyi", "12345678", "file/2023/001"]  # fmt: skip
RAW_IDS = ["V1", "V2", "V8", "C1", "S1", "S4", "K1", "U5"]


def _pseudonym(message: str) -> str:
    return hmac.new(bytes.fromhex(KEY_HEX), message.encode(), hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A warehouse with the victims, suspects and cases fixtures loaded and built once."""
    home = tmp_path_factory.mktemp("privacy-home")
    outputs = {}
    for name, country in (
        ("victims_ken_2023.csv", "KEN"),
        ("suspects_ken_2023.csv", "KEN"),
        ("cases_2023.csv", None),
    ):
        args = ["ingest", str(FIXTURES / name)] + (["--country", country] if country else [])
        outputs[name] = run_tipdw(home, *args, env=KEY_ENV)
    run_tipdw(home, "build", env=KEY_ENV, timeout=900)
    return home, outputs


def _all_text(db) -> list[tuple[str, str, str, str]]:
    """Every (schema, table, column, value) of every table in a DuckDB file, as text."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = []
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where not temporary"
        ).fetchall():
            cols = [r[0] for r in con.execute(f'describe "{schema}"."{table}"').fetchall()]
            for col in cols:
                for (value,) in con.execute(
                    f'select distinct cast("{col}" as varchar) from "{schema}"."{table}" where "{col}" is not null'
                ).fetchall():
                    out.append((schema, table, col, value))
        return out
    finally:
        con.close()


def test_identifying_columns_are_dropped_and_named(built):
    home, outputs = built
    victims = outputs["victims_ken_2023.csv"].stdout
    assert "accepted as submission 1" in victims and "8 rows loaded" in victims
    for col in (
        "First Name",
        "last_name",
        "date_of_birth",
        "Phone number",
        "home_address",
        "E-mail",
        "passport_no",
    ):
        assert col in victims.split("Dropped identifying columns:")[1]
    assert "full_name (name), national_id (document number)" in outputs["suspects_ken_2023.csv"].stdout
    assert "case_file_number (case file number)" in outputs["cases_2023.csv"].stdout
    subs = {
        s["submission_id"]: s for s in json.loads(run_tipdw(home, "submissions", "--format", "json").stdout)
    }
    assert subs[1]["dropped_columns"] == (
        "E-mail (e-mail),First Name (name),Phone number (phone),date_of_birth (date of birth),"
        "home_address (address),last_name (name),passport_no (document number)"
    )
    shown = run_tipdw(home, "submission", "1").stdout
    assert "Phone number (phone)" in shown


def test_identifiers_and_raw_ids_never_reach_any_table(built):
    home, _ = built
    for db in (home / "tipdw.duckdb", home / "published.duckdb"):
        cells = _all_text(db)
        assert len(cells) > 100
        leaks = [c for c in cells if any(i in c[3] for i in IDENTIFIERS) or c[3] in RAW_IDS]
        assert leaks == [], leaks[:5]
        assert not [c for c in cells if KEY_HEX in c[3]]
    # Nor in the reports and logs the warehouse writes.
    for path in [*home.glob("reports/**/*"), *home.glob("logs/**/*")]:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [i for i in IDENTIFIERS if i in text], path
            assert KEY_HEX not in text, path


def test_published_database_has_no_case_level_rows(built):
    home, _ = built
    con = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    columns = {r[0] for r in con.execute("select column_name from duckdb_columns()").fetchall()}
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    con.close()
    assert not {"person_pseudonym", "case_pseudonym", "record_pseudonym"} & columns
    assert {"recruitment_indicators", "modus_operandi"} <= tables
    assert not [t for t in tables if t.startswith(("stg_", "int_", "case_"))]


def test_pseudonyms_are_the_python_hmac_of_country_and_id(built):
    home, _ = built
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    victims = dict(con.execute("select row_number, person_pseudonym from raw.case_victims").fetchall())
    cases = dict(con.execute("select row_number, case_pseudonym from raw.case_victims").fetchall())
    suspects = con.execute("select person_pseudonym from raw.case_suspects order by row_number").fetchall()
    uga_case = con.execute(
        "select case_pseudonym from raw.case_cases where country_iso3 = 'UGA' and row_number = 14"
    ).fetchone()[0]
    con.close()
    assert victims[2] == _pseudonym("KEN:V1") and victims[9] == _pseudonym("KEN:V8")
    assert cases[2] == cases[3] == _pseudonym("KEN:C1")  # V1 and V2 are in case C1
    assert [s[0] for s in suspects] == [_pseudonym(f"KEN:S{i}") for i in range(1, 5)]
    assert uga_case == _pseudonym("UGA:U1")  # "Uganda" in the file, ISO3 in the message


@pytest.mark.parametrize("per_case", [3, 1], ids=["ids-repeat-hashed-once", "ids-distinct-hashed-per-row"])
def test_case_pseudonyms_are_the_same_whether_hashed_per_row_or_per_distinct_id(tmp_path, per_case):
    """Case ids are hashed once per distinct (country, id) when they repeat (here a third as many as
    rows), else row by row (``casework.case_pseudonyms``): either way every row gets the HMAC of its
    own country and case id."""
    home = tmp_path / "home"
    victims, suspects = tmp_path / "victims.csv", tmp_path / "suspects.csv"
    rows = range(9)
    country = ["UGA", "KEN", "UG"]  # "UG" resolves to UGA before hashing
    victims.write_text(
        "country,person_id,case_id,sex,age,year_identified\n"
        + "".join(f"{country[i // per_case % 3]},V{i},C{i // per_case},female,20,2023\n" for i in rows)
    )
    suspects.write_text(
        "country,person_id,case_id,stage,year\n"
        + "".join(f"KEN,S{i},C{i // per_case},prosecuted,2023\n" for i in rows)
    )
    for path, fmt in ((victims, "template-victims"), (suspects, "template-suspects")):
        assert "accepted" in run_tipdw(home, "ingest", str(path), "--format", fmt, env=KEY_ENV).stdout
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    got = {
        table: con.execute(f"select row_number, case_pseudonym from raw.case_{table} order by 1").fetchall()
        for table in ("victims", "suspects")
    }
    con.close()
    iso3 = ["UGA", "KEN", "UGA"]
    assert got["victims"] == [
        (i + 2, _pseudonym(f"{iso3[i // per_case % 3]}:C{i // per_case}")) for i in rows
    ]
    assert got["suspects"] == [(i + 2, _pseudonym(f"KEN:C{i // per_case}")) for i in rows]


def test_same_id_in_a_later_submission_links_to_the_same_pseudonym(built, tmp_path):
    home, _ = built
    out = run_tipdw(home, "ingest", str(FIXTURES / "victims_ken_2024.csv"), "--country", "KEN", env=KEY_ENV)
    assert "accepted" in out.stdout
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    rows = con.execute(
        "select submission_id, year from raw.case_victims where person_pseudonym = ? order by 1",
        [_pseudonym("KEN:V1")],
    ).fetchall()
    con.close()
    assert [r[1] for r in rows] == [2023, 2024] and rows[0][0] == 1 and rows[1][0] > 1


def test_case_level_intake_without_a_key_is_refused_with_the_keygen_hint(built, tmp_path):
    home, _ = built
    before = run_tipdw(home, "submissions", "--format", "json").stdout
    env = {"TIPDW_PSEUDONYM_KEY": "", "TIPDW_PSEUDONYM_KEY_FILE": str(tmp_path / "none.key")}
    out = run_tipdw(
        home, "ingest", str(FIXTURES / "victims_ken_2023.csv"), "--country", "KEN", check=False, env=env
    )
    assert out.returncode == 1
    assert "tipdw keygen" in out.stderr and "REFUSED" in out.stderr
    assert run_tipdw(home, "submissions", "--format", "json").stdout == before  # nothing recorded


def test_a_key_file_inside_the_warehouse_is_refused(built):
    home, _ = built
    inside = home / "pseudonym.key"
    inside.write_text(KEY_HEX)
    env = {"TIPDW_PSEUDONYM_KEY": "", "TIPDW_PSEUDONYM_KEY_FILE": str(inside)}
    out = run_tipdw(
        home, "ingest", str(FIXTURES / "victims_ken_2024.csv"), "--country", "KEN", check=False, env=env
    )
    inside.unlink()
    assert out.returncode == 1 and "inside TIPDW_HOME" in out.stderr
    out = run_tipdw(home, "keygen", "--out", str(home / "k.key"), check=False)
    assert out.returncode == 1 and "inside TIPDW_HOME" in out.stderr and not (home / "k.key").exists()


def test_keygen_writes_a_private_key_and_will_not_overwrite_it(tmp_path):
    home, key = tmp_path / "home", tmp_path / "secrets" / "tipdw.key"
    out = run_tipdw(home, "keygen", "--out", str(key))
    assert str(key) in out.stdout
    text = key.read_text().strip()
    assert len(bytes.fromhex(text)) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600
    again = run_tipdw(home, "keygen", "--out", str(key), check=False)
    assert again.returncode == 1 and "already exists" in again.stderr and key.read_text().strip() == text
    # The key file is used from TIPDW_PSEUDONYM_KEY_FILE; its bytes are the HMAC key.
    run_tipdw(home, "ingest", str(FIXTURES / "victims_ken_2024.csv"), "--country", "KEN",
              env={"TIPDW_PSEUDONYM_KEY": "", "TIPDW_PSEUDONYM_KEY_FILE": str(key)})  # fmt: skip
    con = duckdb.connect(str(home / "tipdw.duckdb"), read_only=True)
    got = con.execute("select person_pseudonym from raw.case_victims where row_number = 2").fetchone()[0]
    con.close()
    assert got == hmac.new(bytes.fromhex(text), b"KEN:V1", hashlib.sha256).hexdigest()
