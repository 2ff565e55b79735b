"""Shared fixtures: the real `tipdw` command line on real files, in temporary warehouse homes."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
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


def _run_base(tmp_path_factory) -> Path:
    """The temporary directory every xdist worker of this test run shares."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _pseudonym_key_file_of_this_run(tmp_path_factory):
    """Tests never touch the user's own key file (~/.config/tipdw/pseudonym.key): unless the
    environment names a key, the demo and case-level intakes use a key file of this run, outside
    every warehouse home."""
    if os.environ.get("TIPDW_PSEUDONYM_KEY") or os.environ.get("TIPDW_PSEUDONYM_KEY_FILE"):
        yield
        return
    os.environ["TIPDW_PSEUDONYM_KEY_FILE"] = str(_run_base(tmp_path_factory) / "pseudonym.key")
    yield
    os.environ.pop("TIPDW_PSEUDONYM_KEY_FILE", None)


def shared_once(tmp_path_factory, name: str, build: Callable[[Path], object]):
    """Build something once per test run and share it between xdist workers.

    The first worker to get here builds it into a fresh directory under a file lock; the others
    wait and reuse the result (pickled). Shared homes are only read by tests: a test that writes
    copies the home first (``shutil.copytree``)."""
    base = _run_base(tmp_path_factory)
    root, result = base / f"shared-{name}", base / f"shared-{name}.pickle"
    with (base / f"shared-{name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if result.exists():
            return pickle.loads(result.read_bytes())
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        value = build(root)
        result.write_bytes(pickle.dumps(value))
        return value


def _build_demo(root: Path) -> Path:
    home = root / "home"
    out = run_tipdw(home, "demo", timeout=900)
    (root / "demo-stdout.txt").write_text(out.stdout, encoding="utf-8")
    return home


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A warehouse built by `tipdw demo` once per test run (shared by xdist workers; read it only).
    The demo's terminal output is in ``demo_home.parent / "demo-stdout.txt"``."""
    return shared_once(tmp_path_factory, "demo", _build_demo)


def _build_small_cells(root: Path) -> Path:
    home = root / "home"
    fixtures = REPO / "tests" / "fixtures"
    for path in (
        fixtures / "published_tables" / "small_cells_aggregates.csv",
        fixtures / "published_tables" / "small_cells_population.csv",
        fixtures / "published_tables" / "glotip_small_origins.csv",
        fixtures / "formats" / "glotip_bulk.csv",
    ):
        run_tipdw(home, "ingest", str(path), "--submitter", "tests")
    run_tipdw(home, "build", timeout=900)
    return home


@pytest.fixture(scope="session")
def small_cells_home(tmp_path_factory) -> Path:
    """A warehouse with hand-made small cells (tests/fixtures/published_tables) and the GLOTIP
    fixture (victims by citizenship country), built once per run for the published-table tests."""
    return shared_once(tmp_path_factory, "small-cells", _build_small_cells)


@pytest.fixture(scope="session")
def formats_home(tmp_path_factory):
    """Every aggregate-format fixture ingested and built once per run (tests/formats_home.py)."""
    from tests.formats_home import build_formats_home

    return shared_once(tmp_path_factory, "formats", build_formats_home)


@pytest.fixture
def home(tmp_path) -> Path:
    """An empty warehouse home."""
    return tmp_path / "home"


def ingest_in_fresh_process(
    path: Path, home: Path, modules: tuple[str, ...], env: dict | None = None
) -> list[str]:
    """Ingest ``path`` with ``ingest_file`` in a new Python process; return its status, rows loaded,
    and for each of ``modules`` whether it was imported ("True"/"False"): what an intake costs in
    imports, without timing anything."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ingest.intake import ingest_file\n"
        "from tipdw.config import Home\n"
        f"out = ingest_file(Path({str(path)!r}), Home(Path({str(home)!r})))\n"
        f"print(out.status, out.rows_loaded, *[m in sys.modules for m in {list(modules)!r}])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})}, cwd=REPO, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()
