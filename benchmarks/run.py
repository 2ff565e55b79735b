"""``make bench``: tipdw against DuckDB-native baselines, side by side in one run.

Every figure is the median of ``BENCH_REPEATS`` (default 3) runs of a fresh process, with its peak
memory (``benchmarks.measure``). ``BENCH_ROWS`` (default 1,000,000) sets the case-level size;
``BENCH_XLSX_ROWS`` (default 100,000) the workbook's; ``BENCH_ONLY`` (e.g. ``intake,xlsx``) a subset of
the steps intake, xlsx, validation, builds. Data is SYNTHETIC (``benchmarks.generate``) and
cached under ``benchmarks/.cache``. Prints a table and writes ``benchmarks/results/latest.json`` and
``benchmarks/results/rows-<BENCH_ROWS>.json``.

Measurements (tipdw / baseline = ratio, goal):
- intake: ``tipdw ingest`` of the victims CSV / DuckDB ``read_csv`` of it into a database file;
- intake_native (no goal): the same / ``read_csv`` with the ids' HMAC-SHA256 pseudonyms in the same
  statement (``benchmarks.native_intake``): what tipdw costs over the unavoidable work;
- xlsx: ``tipdw ingest`` of the victims workbook / ``read_csv`` of the same rows as CSV;
- validation: the intake suite / one SQL query over the same rules (``benchmarks.bench_validation``);
- build: ``tipdw build --full`` (every table rebuilt from the raw tables, in a home built before, so
  with dbt's parse cache, as every scheduled build after the first) / its compiled SQL run directly
  (``benchmarks.compiled``); build_cold: the first build of a fresh home with no parse state of any
  home (dbt parses the whole project: the first build after installing); build_new_home: the first
  build of another fresh home, which starts from the parse state the cold one left (``tipdw.dbt``).
  The compiled SQL, the full build and the two incremental builds below run in turn, each repeat, so
  that runs compared with each other see the same machine;
- incremental: ``tipdw build`` after one single-country aggregate submission / a full build;
- incremental_victims: ``tipdw build`` after 2,000 new case-level victims of one country / a full build;
- end to end: ingest everything and build, from an empty warehouse: time and peak memory.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from benchmarks import generate
from tipdw.config import parse_cache

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
TIPDW = str(Path(sys.executable).parent / "tipdw")
GOALS = {"intake": 1.5, "xlsx": 3.0, "validation": 2.5, "build": 1.35, "build_cold": 1.35, "build_new_home": 1.35,
         "incremental": 0.4, "incremental_victims": 0.4}  # fmt: skip
MEMORY_GOAL_GIB, MEMORY_GOAL_ROWS = 4.0, 5_000_000
BENCH_KEY = "b3" * 32  # a benchmark-only pseudonym key (synthetic data)
READ_CSV = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
    "con.execute('create table t as select * from read_csv(?)', [sys.argv[2]]); con.close()"
)


def measure(cmd: list[str], log: Path, env: dict | None = None) -> dict:
    """Run ``cmd`` in a fresh measuring process: seconds, peak MiB, return code."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", str(log), "--", *cmd],
        capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}, cwd=BENCH.parent,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict]) -> dict:
    ok = all(r["returncode"] == 0 for r in runs)
    return {
        "seconds": round(statistics.median(r["seconds"] for r in runs), 3),
        "peak_mib": round(statistics.median(r["peak_mib"] for r in runs), 1),
        "runs": [r["seconds"] for r in runs],
        "ok": ok,
    }


class Bench:
    def __init__(self, rows: int, xlsx_rows: int, repeats: int):
        self.rows, self.xlsx_rows, self.repeats = rows, xlsx_rows, repeats
        self.work = CACHE / f"work-{rows}"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.log = self.work / "bench.log"
        self.results: dict[str, dict] = {}

    def env(self, home: Path) -> dict:
        return {"TIPDW_HOME": str(home), "TIPDW_PSEUDONYM_KEY": BENCH_KEY, "GX_ANALYTICS_ENABLED": "false"}

    def tipdw(self, home: Path, *args: str) -> dict:
        return measure([TIPDW, *args], self.log, self.env(home))

    def data(self) -> dict[str, Path]:
        """Generate (or reuse) the synthetic inputs."""
        files = {
            "victims": CACHE / f"victims_{self.rows}.csv",
            "victims_xlsx_csv": CACHE / f"victims_{self.xlsx_rows}.csv",
            "victims_xlsx": CACHE / f"victims_{self.xlsx_rows}.xlsx",
            "aggregates": CACHE / "aggregates_200x20.csv",
        }
        if not files["victims"].exists():
            generate.victims(files["victims"], self.rows)
        if not files["victims_xlsx_csv"].exists():
            generate.victims(files["victims_xlsx_csv"], self.xlsx_rows)
        if not files["victims_xlsx"].exists():
            generate.victims_xlsx(files["victims_xlsx"], self.xlsx_rows)
        if not files["aggregates"].exists():
            generate.aggregates(files["aggregates"])
        for k in range(self.repeats):
            files[f"resubmission_{k}"] = generate.aggregate_country(
                CACHE / f"resubmission_KEN_{k}.csv", "KEN", seed=k
            )
            files[f"victims_KEN_{k}"] = generate.victims_country(
                CACHE / f"victims_KEN_{k}.csv", "KEN", seed=k
            )
        return files

    def compare(self, name: str, tipdw_runs: list[dict], base_runs: list[dict], what: str, base: str) -> None:
        """Median against median; a measurement without a goal (``GOALS``) is for information."""
        t, b = median_of(tipdw_runs), median_of(base_runs)
        ratio = round(t["seconds"] / b["seconds"], 2) if b["seconds"] else None
        goal = GOALS.get(name)
        self.results[name] = {
            "what": what, "baseline": base, "tipdw": t, "duckdb": b, "ratio": ratio, "goal": goal,
            "pass": None if goal is None else bool(t["ok"] and b["ok"] and ratio is not None and ratio <= goal),
        }  # fmt: skip

    def intake(self, files) -> Path:
        runs, base, native = [], [], []
        for k in range(self.repeats):
            home = self.work / f"intake-{k}"
            runs.append(self.tipdw(home, "ingest", str(files["victims"])))
            db = self.work / f"read_csv-{k}.duckdb"
            base.append(measure([sys.executable, "-c", READ_CSV, str(db), str(files["victims"])], self.log))
            db = self.work / f"native_intake-{k}.duckdb"
            native.append(measure([sys.executable, "-m", "benchmarks.native_intake", str(db),
                                   str(files["victims"]), BENCH_KEY], self.log))  # fmt: skip
        what = f"tipdw ingest of {self.rows:,} victims (CSV)"
        self.compare("intake", runs, base, what, "read_csv into a file")
        self.compare("intake_native", runs, native, what,
                     "read_csv into a file with the ids' HMAC-SHA256 in the same statement (benchmarks/native_intake.py)")  # fmt: skip
        return self.work / "intake-0"

    def xlsx(self, files) -> None:
        runs, base = [], []
        for k in range(self.repeats):
            runs.append(self.tipdw(self.work / f"xlsx-{k}", "ingest", str(files["victims_xlsx"])))
            db = self.work / f"read_csv_xlsx-{k}.duckdb"
            base.append(
                measure([sys.executable, "-c", READ_CSV, str(db), str(files["victims_xlsx_csv"])], self.log)
            )
        self.compare(
            "xlsx", runs, base, f"tipdw ingest of {self.xlsx_rows:,} victims (XLSX)", "read_csv of the CSV"
        )

    def validation(self) -> None:
        try:
            from benchmarks.bench_validation import measure as measure_validation
        except ImportError as exc:
            self.results["validation"] = {"skipped": f"benchmarks/bench_validation.py missing ({exc})"}
            return
        r = measure_validation(self.rows, self.repeats)
        self.results["validation"] = {
            "what": f"intake suite on {self.rows:,} victim rows", "baseline": "one SQL query, same rules",
            "tipdw": {"seconds": r["tipdw_seconds"]}, "duckdb": {"seconds": r["duckdb_seconds"]},
            "ratio": r["ratio"], "goal": GOALS["validation"], "pass": r["ratio"] <= GOALS["validation"],
        }  # fmt: skip

    def builds(self, files, loaded: Path) -> dict:
        """The first build of a fresh copy of the loaded warehouse (cold: dbt parses the project);
        then, ``repeats`` times in turn, so that the runs compared with each other see the same
        machine (on a shared machine speed drifts by 10-15% over minutes): the compiled SQL on a
        fresh copy, a full rebuild in the built home (warm: dbt's parse cache), and the incremental
        builds after a single-country aggregate submission and after case-level victims."""
        agg = self.tipdw(loaded, "ingest", str(files["aggregates"]))
        fresh = self.work / "loaded"
        shutil.copytree(loaded, fresh)
        home = self.work / "build"
        shutil.copytree(fresh, home)
        shared = parse_cache()
        saved = shared.with_name(shared.name + ".bench-saved")
        if shared.exists():
            shared.replace(saved)  # cold: no parse state of any home
        try:
            cold = self.tipdw(home, "build", "--full")
            shutil.copytree(fresh, self.work / "build-new-home")
            new_home = self.tipdw(self.work / "build-new-home", "build", "--full")
        finally:
            if saved.exists():
                saved.replace(shared)
        manifest = home / "dbt-target" / "manifest.json"  # a full build's: incremental ones keep it
        incremental = {
            "incremental": ("resubmission", "tipdw build after one single-country aggregate submission"),
            "incremental_victims": (
                "victims_KEN",
                "tipdw build after 2,000 new case-level victims of one country",
            ),
        }
        full, compiled, incr = [], [], {name: [] for name in incremental}
        for k in range(self.repeats):
            base = self.work / f"compiled-{k}"
            shutil.copytree(fresh, base)
            cmd = [sys.executable, "-m", "benchmarks.compiled", str(base / "tipdw.duckdb"), str(manifest),
                   str(BENCH.parent / "seeds")]  # fmt: skip
            compiled.append(measure(cmd, self.log))
            full.append(self.tipdw(home, "build", "--full"))
            for name, (inputs, _) in incremental.items():
                self.tipdw(home, "ingest", str(files[f"{inputs}_{k}"]))
                incr[name].append(self.tipdw(home, "build"))
        self.compare("build", full, compiled, "tipdw build --full in a built home (dbt build + validate + publish)",
                     "compiled seeds, models and tests run directly in DuckDB")  # fmt: skip
        self.compare("build_cold", [cold], compiled, "the first tipdw build after installing (dbt parses the project)",
                     "compiled seeds, models and tests run directly in DuckDB")  # fmt: skip
        self.compare("build_new_home", [new_home], compiled,
                     "the first tipdw build of another fresh home (from the parse state the first left)",
                     "compiled seeds, models and tests run directly in DuckDB")  # fmt: skip
        for name, (_, what) in incremental.items():
            self.compare(name, incr[name], full, what, "tipdw build --full")
        return {"aggregates_ingest": agg, "first_build": cold}

    def end_to_end(self, files, steps: dict) -> None:
        """Empty warehouse → victims and aggregates ingested → built and published (the first runs)."""
        first = self.results["intake"]["tipdw"]
        intake = {"seconds": first["runs"][0], "peak_mib": first["peak_mib"]}
        parts = [intake, steps["aggregates_ingest"], steps["first_build"]]
        peak_gib = round(max(p["peak_mib"] for p in parts) / 1024, 2)
        evaluated = self.rows >= MEMORY_GOAL_ROWS
        self.results["end_to_end"] = {
            "what": f"ingest {self.rows:,} victims + 200x20 aggregates, build, publish",
            "seconds": round(sum(p["seconds"] for p in parts), 1), "peak_gib": peak_gib,
            "goal": f"peak <= {MEMORY_GOAL_GIB} GiB at {MEMORY_GOAL_ROWS:,} rows",
            "pass": (peak_gib <= MEMORY_GOAL_GIB) if evaluated else None,
            "note": None if evaluated else f"memory goal is judged at {MEMORY_GOAL_ROWS:,} rows (BENCH_ROWS)",
        }  # fmt: skip


def machine() -> dict:
    load = os.getloadavg()
    versions = {}
    for pkg in (
        "tipdw",
        "duckdb",
        "dbt-core",
        "dbt-duckdb",
        "pandas",
        "pyarrow",
        "python-calamine",
        "fastexcel",
        "great-expectations",
    ):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    mem = Path("/proc/meminfo").read_text().split("\n")[0] if Path("/proc/meminfo").exists() else ""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=BENCH.parent, check=False).stdout.strip()  # fmt: skip
    except OSError:
        commit = None
    return {
        "platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
        "memory": " ".join(mem.split()[1:]), "load_average_at_start": [round(x, 2) for x in load],
        "commit": commit, "versions": versions,
    }  # fmt: skip


def table(results: dict) -> str:
    lines = [
        f"{'measurement':<13} {'tipdw s':>9} {'duckdb s':>9} {'ratio':>7} {'goal':>6} {'peak MiB':>9}  result"
    ]
    for name, r in results.items():
        if "skipped" in r:
            lines.append(f"{name:<13} {'':>9} {'':>9} {'':>7} {'':>6} {'':>9}  skipped: {r['skipped']}")
        elif name == "end_to_end":
            verdict = {True: "PASS", False: "FAIL", None: "n/a"}[r["pass"]]
            lines.append(f"{name:<13} {r['seconds']:>9.1f} {'':>9} {'':>7} {'':>6} {r['peak_gib'] * 1024:>9.0f}  "
                         f"{verdict} ({r['goal']}{'; ' + r['note'] if r['note'] else ''})")  # fmt: skip
        else:
            peak = r["tipdw"].get("peak_mib", "")
            goal = "—" if r["goal"] is None else f"{r['goal']:.2f}"
            verdict = {True: "PASS", False: "FAIL", None: "(no goal)"}[r["pass"]]
            lines.append(f"{name:<13} {r['tipdw']['seconds']:>9.2f} {r['duckdb']['seconds']:>9.2f} "
                         f"{r['ratio']:>7.2f} {goal:>6} {peak:>9}  {verdict}")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    rows = int(os.environ.get("BENCH_ROWS", 1_000_000))
    xlsx_rows = int(os.environ.get("BENCH_XLSX_ROWS", min(100_000, rows)))
    repeats = max(1, int(os.environ.get("BENCH_REPEATS", 3)))
    started = time.time()
    info = machine()
    print(f"tipdw benchmarks: {rows:,} case-level rows, {xlsx_rows:,} XLSX rows, median of {repeats} runs "
          f"(SYNTHETIC data; load average {info['load_average_at_start']} on {info['cpus']} CPUs)", flush=True)  # fmt: skip
    only = [s for s in os.environ.get("BENCH_ONLY", "intake,xlsx,validation,builds").split(",") if s]
    bench = Bench(rows, xlsx_rows, repeats)
    files = bench.data()
    loaded = steps = None
    for step in only:
        print(f"  {step} ...", flush=True)
        if step == "intake":
            loaded = bench.intake(files)
        elif step == "xlsx":
            bench.xlsx(files)
        elif step == "validation":
            bench.validation()
        elif step == "builds":
            loaded = loaded or bench.intake(files)
            steps = bench.builds(files, loaded)
    if steps:
        bench.end_to_end(files, steps)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report = {
        "rows": rows, "xlsx_rows": xlsx_rows, "repeats": repeats, "steps": only, "machine": info,
        "elapsed_seconds": round(time.time() - started, 1), "results": bench.results,
        "goals": {**GOALS, "end_to_end_peak_gib": MEMORY_GOAL_GIB},
    }  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2) + "\n"
    # latest.json is the last run; rows-<N>.json the last run at that size (1M and 5M are kept).
    for name in ("latest.json", f"rows-{rows}.json"):
        (RESULTS / name).write_text(text, encoding="utf-8")
    print(table(bench.results))
    print(
        f"written {RESULTS / 'latest.json'} and {RESULTS / f'rows-{rows}.json'}; tool output in {bench.log}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
