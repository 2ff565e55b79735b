"""Revisions: a country resubmits corrected figures. `tipdw revisions` lists each changed cell with
its old and new value and both submissions; `--as-of` reproduces the publication before the
correction, in its own home, without touching the current publication."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime

import pytest

from tests.conftest import REPO, run_tipdw

FIXTURES = REPO / "tests" / "fixtures" / "revisions"
TOTAL_SQL = (
    "select value from preferred_counts where country_iso3 = 'KEN' and year = 2023 "
    "and indicator = 'detected_victims' and sex = 'total' and age_group = 'total' "
    "and form_of_exploitation = 'total' and citizenship = 'total'"
)


@pytest.fixture(scope="module")
def rev_home(tmp_path_factory):
    """KEN 2023 submitted, then corrected (v2), then one build."""
    home = tmp_path_factory.mktemp("revisions") / "home"
    run_tipdw(home, "ingest", str(FIXTURES / "ken_2023_v1.csv"), "--country", "KEN", "--submitter", "NCRC")
    time.sleep(0.3)
    run_tipdw(home, "ingest", str(FIXTURES / "ken_2023_v2.csv"), "--country", "KEN", "--submitter", "NCRC")
    run_tipdw(home, "build")
    return home


@pytest.fixture(scope="module")
def submissions(rev_home) -> dict[int, dict]:
    rows = json.loads(run_tipdw(rev_home, "submissions", "--format", "json").stdout)
    return {r["submission_id"]: r for r in rows}


def _revisions(home, *args):
    return json.loads(run_tipdw(home, "revisions", *args, "--format", "json").stdout)


def test_the_corrected_cells_are_listed_with_old_and_new_values(rev_home, submissions):
    rows = _revisions(rev_home, "--country", "KEN")
    got = {
        (r["indicator"], r["sex"], r["age_group"]): (r["change"], r["old_value"], r["new_value"])
        for r in rows
    }
    assert got == {
        ("detected_victims", "total", "total"): ("changed", 120, 135),
        ("detected_victims", "female", "total"): ("changed", 70, 85),
        ("detected_victims", "total", "adult"): ("changed", 75, 90),
        # 12 -> 3: the new value is a count of 1..4 persons, so it is suppressed (bounds 1-4).
        ("persons_convicted", "total", "total"): ("changed", 12, None),
        ("persons_prosecuted", "total", "total"): ("added", None, 20),
    }  # unchanged cells (male 50, child 45) are not revisions
    convicted = next(r for r in rows if r["indicator"] == "persons_convicted")
    assert convicted["new_suppression"] == "primary" and convicted["old_suppression"] is None
    for r in rows:
        assert (r["old_submission_id"], r["new_submission_id"]) == (1, 2)
        assert r["old_accepted_at"][:19] == submissions[1]["received_at"][:19]
        assert r["new_accepted_at"][:19] == submissions[2]["received_at"][:19]
        assert r["country_iso3"] == "KEN" and r["year"] == 2023


def test_filters_by_country_and_date(rev_home, submissions):
    accepted = datetime.fromisoformat(submissions[2]["received_at"]).date()
    assert len(_revisions(rev_home, "--since", accepted.isoformat())) == 5
    assert _revisions(rev_home, "--since", "2999-01-01") == []
    assert _revisions(rev_home, "--country", "ARG") == []
    table = run_tipdw(rev_home, "revisions", "--country", "ken").stdout
    assert "(5 revised cells)" in table and "135" in table


def test_the_publication_carries_the_corrected_figure(rev_home):
    assert json.loads(run_tipdw(rev_home, "sql", TOTAL_SQL, "--format", "json").stdout) == [{"value": 135}]


def test_as_of_reproduces_the_publication_before_the_correction(rev_home, submissions):
    t1 = datetime.fromisoformat(submissions[1]["received_at"])
    t2 = datetime.fromisoformat(submissions[2]["received_at"])
    between = (t1 + (t2 - t1) / 2).isoformat()
    published = rev_home / "published.duckdb"
    before = hashlib.sha256(published.read_bytes()).hexdigest()

    proc = run_tipdw(rev_home, "sql", TOTAL_SQL, "--as-of", between, "--format", "json")
    assert json.loads(proc.stdout) == [{"value": 120}]
    assert "building the publication as of" in proc.stderr
    as_of_dbs = list((rev_home / "as-of").glob("*/published.duckdb"))
    assert len(as_of_dbs) == 1

    # Asked again, the as-of publication is reused, not rebuilt.
    again = run_tipdw(rev_home, "sql", TOTAL_SQL, "--as-of", between, "--format", "json")
    assert json.loads(again.stdout) == [{"value": 120}] and "building" not in again.stderr
    # After the correction, as of now: the corrected figure. The current publication is untouched.
    assert json.loads(run_tipdw(rev_home, "sql", TOTAL_SQL, "--format", "json").stdout) == [{"value": 135}]
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    # The revisions history as of that moment has no revision yet.
    hist = run_tipdw(
        rev_home, "sql", "select count(*) as n from revisions", "--as-of", between, "--format", "json"
    )
    assert json.loads(hist.stdout) == [{"n": 0}]


def test_a_bad_as_of_date_is_a_clear_error(rev_home):
    for cmd in (["sql", "select 1"], ["build"]):
        proc = run_tipdw(rev_home, *cmd, "--as-of", "last tuesday", check=False)
        assert proc.returncode == 2 and "YYYY-MM-DD" in proc.stderr and "Traceback" not in proc.stderr
