"""kill -9 during intake and during build, at random points: the warehouse is never half-loaded, the
registry agrees with the data, and the next build publishes the same numbers as a clean run."""

from __future__ import annotations

import csv
import random
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import run_tipdw
from tests.warehouse_checks import (
    assert_registry_agrees,
    copy_home,
    file_digest,
    published_numbers,
    registry_state,
    start_tipdw,
)

# Countries the demo does not have, so the extra submission adds a scope of its own.
BUILD_TIMEOUT = 1200  # seconds: a build is ~40 s alone, but much slower on a shared, busy machine
EXTRA_COUNTRIES = ["CHL", "PER", "COL", "MEX", "CAN", "FRA", "ITA", "POL", "EGY", "ZAF", "GHA", "VNM"]


def extra_submission(demo_home: Path, out: Path) -> Path:
    """A template file of ~5,600 rows: the demo's Argentina rows, as they are, for 12 other countries."""
    src = demo_home / "demo-input" / "SYNTHETIC-DEMO-DATA_ARG_aggregates.csv"
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for iso3 in EXTRA_COUNTRIES:
            w.writerows({**r, "country": iso3} for r in rows)
    return out


def holds_lock(home: Path, pid: int) -> bool:
    lock = home / "write.lock"
    return lock.exists() and f"pid {pid} " in lock.read_text(errors="replace")


def kill_at(proc, home: Path, delay: float, in_lock: bool, limit: float = 120) -> str:
    """SIGKILL ``proc`` after ``delay`` seconds, counted from when it takes the writer lock if
    ``in_lock``; return where it was killed ("finished" if it ended first)."""
    start = time.monotonic()
    if in_lock:
        while not holds_lock(home, proc.pid):
            if proc.poll() is not None:
                return "finished"
            assert time.monotonic() - start < limit, "the process never took the writer lock"
            time.sleep(0.005)
        start = time.monotonic()
    while time.monotonic() - start < delay:
        if proc.poll() is not None:
            return "finished"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return f"killed {'in lock ' if in_lock else ''}after {delay:.2f}s"


@pytest.fixture(scope="module")
def extra(demo_home, tmp_path_factory) -> Path:
    return extra_submission(demo_home, tmp_path_factory.mktemp("crash") / "extra_countries.csv")


# Intake kills are cheap and run with several seeds; a build kill costs a recovery build (~40 s on a
# quiet machine), so one seed kills the build too.
@pytest.mark.parametrize("seed,kill_build", [(1, True), (2, False), (3, False)])
def test_kill_intake_and_build_then_recover(demo_home, extra, tmp_path, seed, kill_build):
    """Kills at random points, then recovery; the clean run to compare with is the demo's own build:
    the extra submission is withdrawn before the final build, so the inputs are the demo's again."""
    rng = random.Random(seed)
    home = copy_home(demo_home, tmp_path / "home")
    accepted_before = sum(1 for s in registry_state(home)["submissions"] if s[1] == "accepted")
    published_before = file_digest(home / "published.duckdb")
    kills = []

    # Intake: once at a random delay from the start, once inside the writer transaction.
    for in_lock in (False, True):
        proc = start_tipdw(home, "ingest", str(extra))
        kills.append(
            kill_at(proc, home, rng.uniform(0.0, 0.05) if in_lock else rng.uniform(0.3, 2.5), in_lock)
        )
        state = assert_registry_agrees(home)
        accepted = sum(1 for s in state["submissions"] if s[1] == "accepted")
        assert accepted - accepted_before in (0, 1), kills
        assert file_digest(home / "published.duckdb") == published_before, "an intake changed the publication"

    # The same file again: one submission, whether or not a killed intake had committed it.
    run_tipdw(home, "ingest", str(extra))
    state = assert_registry_agrees(home)
    digest = file_digest(extra)
    ids = [s[0] for s in state["submissions"] if s[3] == digest and s[1] == "accepted"]
    assert len(ids) == 1, (kills, state["submissions"])
    run_tipdw(home, "withdraw", str(ids[0]))
    if not kill_build:
        return

    # Build: killed while dbt runs or while it publishes; the old or the new file, never a broken one.
    proc = start_tipdw(home, "build")
    kills.append(kill_at(proc, home, rng.uniform(1.0, 14.0), in_lock=True))
    assert_registry_agrees(home)
    assert published_numbers(home), kills

    # Recovery: the next build succeeds and publishes exactly what a clean run of the demo published.
    out = run_tipdw(home, "build", timeout=BUILD_TIMEOUT)
    assert "tipdw build OK" in out.stdout
    assert published_numbers(home) == published_numbers(demo_home), kills
    assert not list(home.glob(".published.duckdb.*")), "a temporary publication was left behind"
