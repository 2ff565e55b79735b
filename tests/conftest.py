"""Shared fixtures: the real `tipdw` command line on real files, in temporary warehouse homes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
TIPDW = str(Path(sys.executable).parent / "tipdw")


def run_tipdw(home: Path, *args: str, check: bool = True, env: dict | None = None, timeout: int = 300):
    """Run the real CLI with TIPDW_HOME=home; return the CompletedProcess."""
    full_env = {**os.environ, "TIPDW_HOME": str(home), "GX_ANALYTICS_ENABLED": "false", **(env or {})}
    proc = subprocess.run(
        [TIPDW, *args], env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"tipdw {' '.join(args)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A warehouse built by `tipdw demo` once per test session (per xdist worker)."""
    home = tmp_path_factory.mktemp("demo-home")
    run_tipdw(home, "demo")
    return home


@pytest.fixture(scope="session")
def small_cells_home(tmp_path_factory) -> Path:
    """A warehouse with hand-made small cells (tests/fixtures/published_tables) and the GLOTIP
    fixture (victims by citizenship country), built once per session for the published-table tests."""
    home = tmp_path_factory.mktemp("small-cells-home")
    fixtures = REPO / "tests" / "fixtures"
    for path in (
        fixtures / "published_tables" / "small_cells_aggregates.csv",
        fixtures / "published_tables" / "small_cells_population.csv",
        fixtures / "published_tables" / "glotip_small_origins.csv",
        fixtures / "formats" / "glotip_bulk.csv",
    ):
        run_tipdw(home, "ingest", str(path), "--submitter", "tests")
    run_tipdw(home, "build", timeout=600)
    return home


@pytest.fixture(scope="session")
def formats_home(tmp_path_factory):
    """Every aggregate-format fixture ingested and built once per session (tests/formats_home.py)."""
    from tests.formats_home import build_formats_home

    return build_formats_home(tmp_path_factory)


@pytest.fixture
def home(tmp_path) -> Path:
    """An empty warehouse home."""
    return tmp_path / "home"
