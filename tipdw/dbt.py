"""Running dbt on the project for one warehouse home, with logs and artifacts under $TIPDW_HOME.

dbt runs in a child process: it releases the DuckDB file when it ends (dbt-duckdb keeps its
database open for the life of the process), and a crash or kill cannot take tipdw down with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tipdw.config import PROJECT_DIR, Home, parse_cache

# dbt's own command line, through its Python entry point (dbtRunner), with one addition: with
# --no-write-json (which skips writing the 2 MB manifest.json, about half a second) it still writes
# run_results.json, which tipdw reads. Exit codes as dbt's: 0 success, 1 failures, 2 error.
# dbt-duckdb keeps the database open for the life of the process: it is checkpointed and closed,
# then the child leaves without the interpreter's teardown of dbt's objects, which took about 1 s
# after a 5M-row build (0.06 s without).
# dbt validates its project, profile and settings against JSON schemas that mashumaro builds anew
# in every process (0.5 s of every dbt start, measured on `dbt ls` in a 5M-row home). They depend
# on the installed code only, so the child keeps them in a file of the home's dbt-target, keyed by
# the versions of the packages that make them, and dbt's own (lru-cached) method builds any that is
# missing. A file that cannot be read or written is ignored: dbt then builds them as it always does.
DBT_MAIN = """
import functools, json, logging, os, sys
from dbt.cli.main import dbtRunner
SCHEMAS_FILE = os.path.join(os.environ.get("DBT_TARGET_PATH", "target"), "tipdw-json-schemas.json")
schemas, built = {}, []
try:
    from importlib import metadata
    from dbt_common.dataclass_schema import dbtClassMixin
    key = " ".join(p + "=" + metadata.version(p) for p in ("dbt-core", "dbt-common", "dbt-adapters", "dbt-duckdb", "mashumaro"))
    try:
        with open(SCHEMAS_FILE, encoding="utf-8") as f:
            saved = json.load(f)
        schemas = saved["schemas"] if saved.get("key") == key else {}
    except (OSError, ValueError, KeyError, TypeError):
        schemas = {}
    dbt_json_schema = dbtClassMixin.__dict__["json_schema"].__func__

    @functools.lru_cache
    def json_schema(cls):
        name = cls.__module__ + "." + cls.__qualname__
        if name not in schemas:
            schemas[name] = dbt_json_schema(cls)
            built.append(name)
        return schemas[name]

    dbtClassMixin.json_schema = classmethod(json_schema)
except Exception:
    built = []  # dbt's own method stays
argv = sys.argv[1:]
if argv == ["-"]:  # started ahead (tipdw.dbt.started): the arguments and env come on stdin
    line = sys.stdin.readline()
    if not line.strip():
        os._exit(0)
    msg = json.loads(line)
    os.environ.update(msg["env"])
    argv = msg["args"]
res = dbtRunner().invoke(argv)
if built:
    try:
        os.makedirs(os.path.dirname(SCHEMAS_FILE), exist_ok=True)
        with open(SCHEMAS_FILE + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"key": key, "schemas": schemas}, f)
        os.replace(SCHEMAS_FILE + ".tmp", SCHEMAS_FILE)
    except OSError:
        pass
if "--no-write-json" in argv and getattr(res.result, "write", None) is not None:
    res.result.write(os.path.join(os.environ["DBT_TARGET_PATH"], "run_results.json"))
code = 0 if res.success else 2 if res.exception is not None else 1
try:
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    env, conn = DuckDBConnectionManager._ENV, getattr(DuckDBConnectionManager._ENV, "conn", None)
    if conn is not None:
        conn.execute("checkpoint")
        env.close()
except Exception:
    sys.exit(code)  # the database is left to the interpreter's teardown, as dbt leaves it
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
"""
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the dbt child (Linux): be killed when tipdw dies, even by SIGKILL.

    Otherwise a killed ``tipdw build`` leaves an orphan dbt writing the build database after the
    writer lock is released, and the next build fails on DuckDB's file lock."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):  # not Linux: the orphan finishes on its own
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass
class DbtOutcome:
    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: str = ""
    nodes_seconds: float | None = None  # dbt's own time running the nodes (run_results elapsed_time)


def dbt_env(home: Home, extra: dict[str, str] | None = None) -> dict[str, str]:
    """dbt's environment for ``home``. dbt runs in the home directory, with TIPDW_HOME ".": the
    profile's database path is then the same for every home, and so is the profile in dbt's parse
    state, which a new home can take from another (``seed_parse_cache``)."""
    env = dict(os.environ)
    env.update(
        {
            "TIPDW_HOME": ".",
            "DBT_TARGET_PATH": str(home.target),
            "DBT_LOG_PATH": str(home.logs / "dbt"),
            # dbt.log at info level: each model, test and result, without the text of every SQL
            # statement (debug, about 1 s more per full build). DBT_LOG_LEVEL_FILE=debug restores it.
            "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_PROJECT_DIR": str(PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    env.update(extra or {})
    return env


COMMON_ARGS = ["--no-use-colors", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]


PARSE_FILE = "partial_parse.msgpack"


def seed_parse_cache(home: Home) -> None:
    """Before a home's first dbt run: start from the parse state the last build of any home of this
    installation left (``tipdw.config.parse_cache``), instead of parsing the whole project (about
    5-7 s). dbt checks that state as it checks its own: a changed file, variable, profile or dbt
    version is parsed again, so a state from another home or an older commit costs time, never
    correctness."""
    own, shared = home.target / PARSE_FILE, parse_cache()
    if own.exists() or not shared.exists():
        return
    with contextlib.suppress(OSError):
        home.target.mkdir(parents=True, exist_ok=True)
        _copy_atomically(shared, own)


def share_parse_cache(home: Home) -> None:
    """After a dbt run in the home's own target: offer its parse state to the next new home."""
    own, shared = home.target / PARSE_FILE, parse_cache()
    with contextlib.suppress(OSError):
        if own.exists() and (not shared.exists() or own.stat().st_mtime > shared.stat().st_mtime):
            shared.parent.mkdir(parents=True, exist_ok=True)
            _copy_atomically(own, shared)


def _copy_atomically(src: Path, dst: Path) -> None:
    """Copy through a temporary file and a rename: a reader never sees half a file (homes build in
    parallel, e.g. in the tests)."""
    tmp = dst.with_name(f"{dst.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _home_target(env: dict[str, str] | None) -> bool:
    """Whether dbt writes to the home's own target (not to analyses' or docs' target of their own)."""
    return "DBT_TARGET_PATH" not in (env or {})


def _results_path(home: Home, env: dict[str, str] | None) -> Path:
    """Where dbt writes run_results.json (removed first, so an old one is never read)."""
    target = (env or {}).get("DBT_TARGET_PATH") or str(home.target)
    results_path = Path(target) / "run_results.json"
    results_path.unlink(missing_ok=True)
    return results_path


def run(home: Home, args: list[str], env: dict[str, str] | None = None) -> DbtOutcome:
    """Run one dbt command (e.g. ``["build"]``) against ``home`` and summarise its run results."""
    results_path = _results_path(home, env)
    home.root.mkdir(parents=True, exist_ok=True)
    if _home_target(env):
        seed_parse_cache(home)
    proc = subprocess.run(
        [sys.executable, "-c", DBT_MAIN, *args, *COMMON_ARGS],
        cwd=home.root, env=dbt_env(home, env), capture_output=True, text=True, check=False,
        preexec_fn=_die_with_parent,
    )  # fmt: skip
    if _home_target(env) and proc.returncode != 2:
        share_parse_cache(home)
    return _outcome(proc.returncode, proc.stdout + proc.stderr, results_path)


class StartedDbt:
    """A dbt child started before its command is known (:func:`started`)."""

    def __init__(self, home: Home):
        self.home = home
        home.root.mkdir(parents=True, exist_ok=True)
        seed_parse_cache(home)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DBT_MAIN, "-"], cwd=home.root, env=dbt_env(home), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent,
        )  # fmt: skip

    def run(self, args: list[str], env: dict[str, str] | None = None) -> DbtOutcome:
        """As :func:`run`, in the child started ahead: once."""
        results_path = _results_path(self.home, env)
        message = json.dumps({"args": [*args, *COMMON_ARGS], "env": env or {}})
        stdout, stderr = self.proc.communicate(message + "\n")
        if _home_target(env) and self.proc.returncode != 2:
            share_parse_cache(self.home)
        return _outcome(self.proc.returncode, stdout + stderr, results_path)

    def stop(self) -> None:
        """End the child if it has not run (it has not opened the database)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()


@contextlib.contextmanager
def started(home: Home):
    """A dbt child that imports dbt (about 3 s) while tipdw plans the build; ``.run(args, env)``
    then runs one command in it. It never runs if the block leaves first (nothing to build, busy)."""
    child = StartedDbt(home)
    try:
        yield child
    finally:
        child.stop()


def _outcome(returncode: int, output: str, results_path: Path) -> DbtOutcome:
    """The outcome of a dbt command from its exit code, output and run_results.json."""
    out = DbtOutcome(ok=returncode == 0, output=output)
    lines = output.strip().splitlines()
    if not results_path.exists():
        if returncode:
            tail = "\n".join(lines[-15:])
            out.failures.append(f"dbt could not run (exit {returncode}):\n{tail}")
        return out
    try:
        results = json.loads(results_path.read_text())
    except (OSError, ValueError) as exc:  # e.g. cut short by a full disk (dbt's output is in its log)
        out.ok = False
        last = lines[-1] if lines else ""
        out.failures.append(
            f"dbt's run_results.json cannot be read ({type(exc).__name__}; dbt exit {returncode}: {last})"
        )
        return out
    out.nodes_seconds = results.get("elapsed_time")
    for r in results.get("results", []):
        status = r.get("status")
        out.counts[status] = out.counts.get(status, 0) + 1
        name = r.get("unique_id", "?").split(".", 2)[-1]
        msg = " ".join((r.get("message") or "").split())
        if status in ("error", "fail", "runtime error"):
            out.failures.append(f"{name}: {msg}")
        elif status == "warn":
            out.warnings.append(f"{name}: {msg}")
    return out
