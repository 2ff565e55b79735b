"""A full disk (simulated by a file-size limit: writes past it fail with EFBIG) during intake, build
and publish: a clear error, no traceback, and nothing changed (publication byte-identical, registry
and raw rows unchanged). Once there is room again, the same commands succeed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import run_tipdw
from tests.test_reliability_crash import BUILD_TIMEOUT, extra_submission
from tests.warehouse_checks import (
    assert_registry_agrees,
    copy_home,
    file_digest,
    file_size_limit,
    registry_state,
    tipdw_env,
)

LIMIT = 64 * 1024  # far below the build database (MBs): every write to the warehouse fails

# The publish step alone, on a built warehouse, with the limit applied (a dbt run is not needed to
# fault the publish, and is slow); prints what `tipdw build` prints when publishing fails.
PUBLISH_UNDER_LIMIT = """
import sys
from tipdw.config import Home
from tipdw.publish import PublishError, publish
try:
    publish(Home.from_env())
except PublishError as exc:
    print(f"tipdw build FAILED: {exc}")
    sys.exit(1)
"""


@pytest.fixture(scope="module")
def full_disk_home(demo_home, tmp_path_factory):
    root = tmp_path_factory.mktemp("disk")
    home = copy_home(demo_home, root / "home")
    return {"home": home, "extra": extra_submission(demo_home, root / "extra.csv")}


def unchanged(home, before_registry, before_published) -> None:
    assert registry_state(home) == before_registry, "the registry or raw rows changed"
    assert file_digest(home / "published.duckdb") == before_published, "the publication changed"
    assert not list(home.glob(".published.duckdb.*")), "a temporary publication was left behind"
    assert_registry_agrees(home)


def test_disk_full_during_intake_changes_nothing(full_disk_home):
    home, extra = full_disk_home["home"], full_disk_home["extra"]
    reg, pub = registry_state(home), file_digest(home / "published.duckdb")
    proc = subprocess.run(
        [sys.executable, "-m", "tipdw.cli", "ingest", str(extra)],
        env=tipdw_env(home), capture_output=True, text=True, preexec_fn=file_size_limit(LIMIT), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "could not be written" in proc.stderr and "nothing was loaded" in proc.stderr, proc.stderr
    unchanged(home, reg, pub)


def test_disk_full_during_build_keeps_publication(full_disk_home):
    home = full_disk_home["home"]
    reg, pub = registry_state(home), file_digest(home / "published.duckdb")
    proc = subprocess.run(
        [sys.executable, "-m", "tipdw.cli", "build", "--full"],  # nothing is new: --full makes dbt run
        env=tipdw_env(home), capture_output=True, text=True, preexec_fn=file_size_limit(LIMIT), timeout=BUILD_TIMEOUT,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "FAILED" in proc.stdout and "previous publication" in proc.stdout, proc.stdout + proc.stderr
    unchanged(home, reg, pub)


def test_disk_full_during_publish_keeps_publication(full_disk_home):
    home = full_disk_home["home"]
    reg, pub = registry_state(home), file_digest(home / "published.duckdb")
    proc = subprocess.run(
        [sys.executable, "-c", PUBLISH_UNDER_LIMIT],
        env=tipdw_env(home), capture_output=True, text=True, preexec_fn=file_size_limit(LIMIT), timeout=BUILD_TIMEOUT,
    )  # fmt: skip
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "could not write the new publication" in proc.stdout, proc.stdout
    assert "previous publication" in proc.stdout and "unchanged" in proc.stdout
    unchanged(home, reg, pub)


def test_after_the_disk_is_freed_intake_succeeds(full_disk_home):
    home, extra = full_disk_home["home"], full_disk_home["extra"]
    out = run_tipdw(home, "ingest", str(extra))
    assert "accepted as submission" in out.stdout
    assert_registry_agrees(home)
