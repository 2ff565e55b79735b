"""Builds run unattended: one at a time (a second exits 75 at once or after --wait), a failed build
changes nothing, a reader holding published.duckdb never blocks a build and keeps its view, every
run leaves one log under $TIPDW_HOME/logs and prints one summary line, and no log holds the key."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time

import duckdb
import pytest

from tests.conftest import REPO, TIPDW, run_tipdw

KEY = "h7-scheduled-builds-test-key-0123456789abcdef"
ENV = {"TIPDW_PSEUDONYM_KEY": KEY}
KEN_2023 = (
    "select value from preferred_counts where country_iso3 = 'KEN' and year = 2023 "
    "and indicator = 'detected_victims' and sex = 'total' and age_group = 'total' "
    "and form_of_exploitation = 'total' and citizenship = 'total'"
)


@pytest.fixture(scope="module")
def home(demo_home, tmp_path_factory):
    """A copy of the demo warehouse (already published), so no build is needed to start."""
    dest = tmp_path_factory.mktemp("scheduled") / "home"
    shutil.copytree(demo_home, dest, ignore=shutil.ignore_patterns("write.lock", "as-of", "*-target"))
    return dest


def _start(home, *args):
    env = {**os.environ, "TIPDW_HOME": str(home), "GX_ANALYTICS_ENABLED": "false", **ENV}
    return subprocess.Popen(
        [TIPDW, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _logs(home, kind):
    return sorted((home / "logs").glob(f"{kind}-*.log"))


def test_one_build_at_a_time_and_readers_never_block(home):
    # KEN resubmits 2023 (120 victims instead of the demo's figure): the next build changes it.
    proc = run_tipdw(home, "ingest", str(REPO / "tests/fixtures/revisions/ken_2023_v1.csv"), env=ENV)
    assert "accepted" in proc.stdout
    reader = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    old = reader.execute(KEN_2023).fetchone()[0]
    assert old not in (None, 120)
    logs_before = len(_logs(home, "build"))

    first = _start(home, "build")
    deadline = time.monotonic() + 60
    while "(build)" not in (home / "write.lock").read_text():
        assert time.monotonic() < deadline and first.poll() is None, "the first build never took the lock"
        time.sleep(0.02)
    started = time.monotonic()
    second = run_tipdw(home, "build", check=False, env=ENV)
    assert second.returncode == 75
    assert time.monotonic() - started < 30
    assert "busy" in second.stderr and "--wait" in second.stderr and "Traceback" not in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1  # one line for cron mail
    waited = run_tipdw(home, "build", "--wait", "1", check=False, env=ENV)
    assert waited.returncode == 75

    reads = 0
    while first.poll() is None:
        assert reader.execute(KEN_2023).fetchone()[0] == old  # consistent view during the build
        reads += 1
        time.sleep(0.1)
    out, err = first.communicate()
    assert first.returncode == 0, err
    summary = [line for line in out.splitlines() if line.startswith("tipdw build")]
    assert len(summary) == 1 and out.strip().splitlines()[-1] == summary[0]  # one summary line, last
    assert summary[0].startswith("tipdw build OK")
    assert reads > 5
    assert reader.execute(KEN_2023).fetchone()[0] == old  # still the old file after the swap
    reader.close()
    fresh = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    assert fresh.execute(KEN_2023).fetchone()[0] == 120
    fresh.close()
    logs = _logs(home, "build")[logs_before:]
    assert len(logs) == 3  # the build, and the two refused ones
    texts = [p.read_text() for p in logs]
    assert sum(t.startswith("tipdw build OK") for t in texts) == 1
    assert sum(t.startswith("tipdw build BUSY") for t in texts) == 2
    # the build's log ends with where its time went
    ok = next(t for t in texts if t.startswith("tipdw build OK")).strip().splitlines()[-1]
    assert re.fullmatch(
        r"TIME plan [\d.]+s, dbt [\d.]+s, dbt nodes [\d.]+s, checks [\d.]+s, validate and publish [\d.]+s, end [\d.]+s",
        ok,
    ), ok


def test_a_failed_build_leaves_the_publication_byte_identical(home):
    published = home / "published.duckdb"
    before = _sha(published)
    # Break the raw table the staging models read (a column they need goes missing): the staging
    # model fails, everything downstream is skipped, and the build fails fast.
    con = duckdb.connect(str(home / "tipdw.duckdb"))
    con.execute("alter table raw.aggregate_observations rename column value_lower to value_lower_broken")
    con.close()
    try:
        proc = run_tipdw(home, "build", check=False, env=ENV)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert proc.stdout.strip().splitlines()[-1].startswith("tipdw build FAILED")
        assert "previous publication kept" in proc.stdout
        assert "stg_template__aggregates" in proc.stderr and "Traceback" not in proc.stderr
        assert _sha(published) == before
        assert _logs(home, "build")[-1].read_text().startswith("tipdw build FAILED")
        assert run_tipdw(home, "sql", KEN_2023, "--format", "csv").stdout.splitlines()[1] == "120"
    finally:
        con = duckdb.connect(str(home / "tipdw.duckdb"))
        con.execute("alter table raw.aggregate_observations rename column value_lower_broken to value_lower")
        con.close()


def test_ingest_logs_each_run_and_no_log_holds_the_key(home):
    logs = _logs(home, "ingest")
    assert logs and logs[-1].read_text().startswith("tipdw ingest ACCEPTED: ken_2023_v1.csv submission=")
    for path in (home / "logs").rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace"), path


def test_readme_documents_exit_codes_and_schedules():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scheduled builds") :]
    for text in ("75", "crontab", "OnCalendar", "tipdw build --wait", "logs/"):
        assert text in section, text


def test_a_dbt_child_started_ahead_and_not_needed_is_stopped(tmp_path):
    """tipdw build starts dbt's child before it plans (tipdw/dbt.py: started), so that dbt imports
    meanwhile; when the build leaves without running dbt (nothing new, busy, an error) the child is
    killed and reaped, never left behind. Running dbt in it is what every build test does."""
    from pathlib import Path

    from tipdw import dbt
    from tipdw.config import Home

    with dbt.started(Home(tmp_path)) as child:
        pid = child.proc.pid
        assert child.proc.poll() is None  # importing dbt, or waiting for its command
    assert child.proc.returncode is not None and not Path(f"/proc/{pid}").exists()
    assert not (tmp_path / "tipdw.duckdb").exists()  # it never opened the warehouse


def test_dbt_keeps_the_json_schemas_it_builds_and_rebuilds_a_broken_or_stale_file(tmp_path):
    """The dbt child keeps the JSON schemas dbt builds at every start (tipdw/dbt.py) in a file of the
    home's dbt-target, keyed by package versions; an unreadable file, or one of other versions, is
    rebuilt and never stops dbt."""
    import json

    from tipdw import dbt
    from tipdw.config import Home

    home = Home(tmp_path)
    cache = home.target / "tipdw-json-schemas.json"
    ls = ["ls", "--select", "countries", "--quiet"]
    assert dbt.run(home, ls).ok
    saved = json.loads(cache.read_text())
    assert "dbt-core=" in saved["key"] and "dbt.contracts.project.Project" in saved["schemas"]
    for broken in (
        "{not json",
        json.dumps({"key": "dbt-core=0.0", "schemas": {"dbt.contracts.project.Project": {}}}),
    ):
        cache.write_text(broken)
        out = dbt.run(home, ls)
        assert out.ok and "countries" in out.output, out.output
        rebuilt = json.loads(cache.read_text())  # what this (partially parsing) run validated
        assert rebuilt["key"] == saved["key"] and "dbt.contracts.project.Project" in rebuilt["schemas"]
        assert all(saved["schemas"][name] == schema for name, schema in rebuilt["schemas"].items())


def test_a_new_homes_first_build_starts_from_the_parse_state_another_home_left(tmp_path):
    """A new home's first build takes dbt's parse state from the last build of any other home
    (TIPDW_PARSE_CACHE, default target/ in the project; tipdw/dbt.py). dbt runs in the home with
    TIPDW_HOME ".", so the state's profile is every home's. dbt checks a copied state as its own: the
    tables are those a home of its own builds, with a project variable set otherwise too."""
    state = tmp_path / "parse-state.msgpack"
    env = {"TIPDW_PSEUDONYM_KEY": "ab" * 32, "TIPDW_PARSE_CACHE": str(state)}
    victims = REPO / "tests" / "fixtures" / "casework" / "victims_ken_2023.csv"

    def first_build(name: str, extra: dict | None = None):
        home = tmp_path / name
        run_tipdw(home, "ingest", str(victims), "--country", "KEN", env=env)
        run_tipdw(home, "build", env={**env, **(extra or {})}, timeout=900)
        log = (home / "logs" / "dbt" / "dbt.log").read_text(encoding="utf-8")
        con = duckdb.connect(str(home / "published.duckdb"), read_only=True)
        try:
            rows = con.execute("select * from preferred_counts order by all").fetchall()
            (published,) = con.execute("select count(value) from preferred_counts").fetchone()
        finally:
            con.close()
        return home, log, (rows, published)

    first, log, rows = first_build("first")
    assert "saved manifest not found. Starting full parse" in log  # no state anywhere yet
    assert state.read_bytes() == (first / "dbt-target" / "partial_parse.msgpack").read_bytes()
    _, log, same = first_build("second")
    assert "Unable to do partial parsing" not in log and same == rows
    _, _, k3 = first_build("third", {"TIPDW_MIN_CELL": "3"})
    assert k3[1] > rows[1]  # built with its own k, not the state's: cells of 3 and 4 victims are published
