"""Readers during a build, and concurrent writers: a researcher holding published.duckdb open keeps
a consistent view and never blocks a build; two ingests or two builds at once never corrupt anything,
each is accepted, waits (--wait) or is cleanly refused with exit 75."""

from __future__ import annotations

import time

import duckdb

from tests.conftest import run_tipdw
from tests.test_reliability_crash import BUILD_TIMEOUT, extra_submission
from tests.warehouse_checks import (
    assert_registry_agrees,
    copy_home,
    published_numbers,
    registry_state,
    start_tipdw,
)

EXIT_BUSY = 75
TOTAL_SQL = "select count(*), sum(value) from main.regional_aggregates"


def wait_for(predicate, limit: float = 60) -> None:
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < limit, "timed out"
        time.sleep(0.01)


def test_a_reader_during_a_build_and_a_second_build(demo_home, tmp_path):
    """One build runs; a second without --wait is refused at once with 75, one with --wait 2 waits
    its 2 seconds and is refused with 75, one with a long --wait runs after the first and finds
    nothing new to build;
    the open reader sees the old publication throughout, a new connection sees the new one."""
    home = copy_home(demo_home, tmp_path / "home")
    run_tipdw(home, "ingest", str(extra_submission(demo_home, tmp_path / "extra.csv")))
    reader = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    before = reader.execute(TOTAL_SQL).fetchone()
    countries_before = reader.execute("select count(distinct country_iso3) from comparable_counts").fetchone()

    first = start_tipdw(home, "build")
    wait_for(lambda: "(build)" in (home / "write.lock").read_text())
    refused = start_tipdw(home, "build")
    waited_since = time.monotonic()
    waiting = start_tipdw(home, "build", "--wait", "2")
    queued = start_tipdw(home, "build", "--wait", str(BUILD_TIMEOUT))  # runs when the first is done
    for p in (refused, waiting):
        out, err = p.communicate(timeout=120)
        assert p.returncode == EXIT_BUSY, (out, err)
        assert "busy" in err and "--wait" in err and "Traceback" not in err
    assert time.monotonic() - waited_since >= 2, "--wait 2 gave up before waiting 2 seconds"

    reads = 0
    while first.poll() is None:
        assert reader.execute(TOTAL_SQL).fetchone() == before, "the open reader saw a changing publication"
        reads += 1
        time.sleep(0.05)
    out, err = first.communicate(timeout=BUILD_TIMEOUT)
    assert first.returncode == 0, (out, err)
    assert "tipdw build OK" in out
    # The queued build ran after it: the first published everything, so it had nothing new to build.
    out, err = queued.communicate(timeout=BUILD_TIMEOUT)
    assert queued.returncode == 0, (out, err)
    assert "nothing new since the last build" in out.strip().splitlines()[-1]
    assert reads > 10
    assert reader.execute(TOTAL_SQL).fetchone() == before, "the old view changed after the swap"
    reader.close()

    fresh = duckdb.connect(str(home / "published.duckdb"), read_only=True)
    try:
        countries_after = fresh.execute(
            "select count(distinct country_iso3) from comparable_counts"
        ).fetchone()
    finally:
        fresh.close()
    assert countries_after[0] == countries_before[0] + 12, "the new publication has the extra countries"
    assert_registry_agrees(home)
    assert published_numbers(home)


def test_two_concurrent_ingests(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    extra = extra_submission(demo_home, tmp_path / "extra.csv")
    other = tmp_path / "extra_more.csv"
    other.write_text(extra.read_text(encoding="utf-8").replace("\nCHL,", "\nURY,"), encoding="utf-8")
    before = len(registry_state(home)["submissions"])

    # Without --wait: each is accepted or refused with 75; never both loaded half.
    procs = [start_tipdw(home, "ingest", str(f)) for f in (extra, other)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code in (0, EXIT_BUSY), (code, out, err)
        assert "Traceback" not in err
    state = assert_registry_agrees(home)
    assert len(state["submissions"]) - before == sum(1 for r in results if r[0] == 0)

    # With --wait: both end up loaded exactly once (already loaded ones answer "already loaded").
    procs = [start_tipdw(home, "ingest", str(f), "--wait", "120") for f in (extra, other)]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, (out, err)
        assert "Traceback" not in err
    state = assert_registry_agrees(home)
    assert len(state["submissions"]) - before == 2
    assert [s[1] for s in state["submissions"][-2:]] == ["accepted", "accepted"]
