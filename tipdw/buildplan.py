"""What ``tipdw build`` must rebuild: everything, only what new submissions affect, or nothing.

After every successful, published build, the build database records a *build state*
(``build_meta.build_state``, one row): the registry watermark (the highest submission_id, and every
withdrawal as (submission_id, withdrawn_at)), a fingerprint of the dbt project (files, the env vars
they read, dbt's version), of the expectation suites and of the raw schema's layout, and the marts
that exist. The next build compares the registry and the project with it:

- no state, a different fingerprint, a mart missing, no ``published.duckdb``, or ``--full``:
  a full ``dbt build --full-refresh`` (incremental models too are rebuilt from scratch). When the
  project is the one the last published build ran, its seeds, views and the tests of seeds only
  are left as they are (``unchanged_nodes``): every table is still rebuilt from the raw tables;
- submissions accepted, or withdrawn, since the state: ``dbt build --select source:raw.<table>+``
  for the raw tables of their datasets (``DATASET_TABLES``), plus the models that read only the
  registry (``registry_only_models``): only those models and their tests run. The country-years
  those submissions cover go to ``build_meta.changed_scopes`` and dbt runs with
  ``TIPDW_REBUILD_SCOPES=changed``: the incremental marts recompute only those scopes
  (macros/changed_scopes.sql says why that is exact);
- nothing accepted or withdrawn: no dbt at all; the publication stays as it is.

Why selecting by the dataset tables is correct although currency (which rows are current) comes
from ``raw.submission_scopes``, which every staging model reads. Currency is derived per scope
(source x country x year x **dataset**) by ``stg_registry__current_scopes``, a *view*, so it is never
stale itself. Every model that uses it keeps only the scopes of one dataset and joins them to that
dataset's raw table: macro ``current_rows(relation, dataset)`` (macros/registry.sql) filters
``cs.dataset = '<dataset>'`` and joins ``relation`` (always the raw table of that dataset);
``int_casework__victim_cells_mapped`` filters dataset 'victims' and is downstream of
raw.case_victims; ``int_aggregates__revisions`` filters dataset 'aggregates' and reads
raw.aggregate_observations. A submission (or withdrawal) of dataset X adds or changes scopes of
dataset X only, so it changes the result of those models for X only, and every one of them is
downstream of X's raw table, hence selected. ``stg_registry__submissions`` (also a view) is joined
by submission_id to rows that are already current (definition of victim, counting unit); that
metadata never changes after intake, and a new submission's id reaches such a model only through
rows of its dataset. Rejected submissions add no scope and no rows: they change nothing published.
A model that depends on the registry but on no dataset table would escape this reasoning:
``registry_only_models`` finds such models in dbt's manifest and always selects them (today: the
two registry views, so their tests run too).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb

from tipdw.config import PROJECT_DIR, Home

STATE_SCHEMA = "build_meta"
STATE_TABLE = f"{STATE_SCHEMA}.build_state"
SCOPES_TABLE = f"{STATE_SCHEMA}.changed_scopes"
DATASET_TABLES = {
    "aggregates": ("aggregate_observations",),
    "population": ("population",),
    "victims": ("case_victims",),  # a victim's forms are its row's form_codes
    "suspects": ("case_suspects",),
    "cases": ("case_cases", "case_list_values"),
}
"""Raw tables (source ``raw``) a submission of each dataset writes (ingest/intake.py RAW_TABLES).
Only cases write ``case_list_values`` (means of control, origin, transit and destination): a
victims submission then rebuilds no model of cases (``int_casework__case_shares``,
``modus_operandi``, ``recruitment_indicators``)."""
REGISTRY_TABLES = ("submissions", "submission_scopes")
FINGERPRINTED = ("models", "macros", "seeds", "tests/generic", "tests/dbt", "tests/consistency",
                 "dbt_project.yml", "profiles.yml", "packages.yml")  # fmt: skip
NOT_RESULTS = {
    "TIPDW_HOME",
    "TIPDW_MEMORY_LIMIT",
    "TIPDW_REBUILD_SCOPES",  # set by the plan itself: which rows a run recomputes, not what they hold
}  # env vars read by the project that do not change what it computes
ENV_VAR = re.compile(r"""env_var\(\s*['"](\w+)['"]""")
BASE_ARGS = ["build", "--exclude-resource-type", "unit_test"]


@dataclass(frozen=True)
class Watermark:
    """Where the registry stands: the last submission id and every withdrawal."""

    max_submission_id: int
    withdrawals: tuple[tuple[int, str], ...]  # (submission_id, withdrawn_at ISO), sorted

    def to_json(self) -> dict:
        return {
            "max_submission_id": self.max_submission_id,
            "withdrawals": [list(w) for w in self.withdrawals],
        }

    @classmethod
    def from_json(cls, data: dict) -> Watermark:
        return cls(data["max_submission_id"], tuple((int(i), str(t)) for i, t in data["withdrawals"]))


@dataclass
class BuildPlan:
    """The kind of build to run ("full", "incremental" or "nothing"), why, and its dbt arguments."""

    kind: str
    reason: str
    watermark: Watermark
    fingerprint: str
    datasets: tuple[str, ...] = ()
    select: list[str] = field(default_factory=list)
    scopes: list[tuple[str, int]] = field(default_factory=list)  # changed (country, year), incremental only
    # the project is the one the last published build ran, and that build's manifest.json is there
    manifest_current: bool = False
    # full builds of that project: the seeds, the views and the tests of seeds only, left as they
    # are (``unchanged_nodes``); empty when anything of them must be built
    kept: list[str] = field(default_factory=list)
    # incremental builds: tests of views that hold no row of the new submissions (``untouched_view_tests``)
    skipped_tests: list[str] = field(default_factory=list)

    @property
    def dbt_args(self) -> list[str]:
        if self.kind == "incremental":
            # Views are not rebuilt: an incremental plan means the project is the one the last
            # published build ran, so every view already holds its definition (and reads its
            # tables live). Every test the selection reaches still runs, the views' included:
            # with indirect selection "empty", excluding a view does not drop its tests.
            # No manifest.json either (--no-write-json; tipdw/dbt.py still writes run_results.json):
            # the project is unchanged since the build that wrote the manifest.json there.
            # Nor the column checks of views the new submissions did not reach (skipped_tests).
            return [*BASE_ARGS, "--select", *self.select, "--exclude", "config.materialized:view",
                    *self.skipped_tests, "--indirect-selection", "empty", "--no-write-json"]  # fmt: skip
        # A full build of an unchanged project (--full, a missing publication) need not rewrite the
        # manifest either: about 0.8 s, measured on the demo warehouse. Nor reload its seeds and
        # recreate its views (``kept``); with indirect selection "empty", the views' tests still run.
        keep = ["--indirect-selection", "empty", "--exclude", *self.kept] if self.kept else []
        return [*BASE_ARGS, "--full-refresh", *(["--no-write-json"] if self.manifest_current else []), *keep]

    @property
    def dbt_env(self) -> dict[str, str]:
        """Environment for dbt: incremental runs recompute the changed scopes only."""
        return {"TIPDW_REBUILD_SCOPES": "changed" if self.kind == "incremental" else "all"}

    @property
    def label(self) -> str:
        """For the one-line summary, e.g. ``incremental: aggregates`` or ``full: --full``."""
        if self.kind == "incremental":
            return f"incremental: {', '.join(self.datasets)}"
        return f"full: {self.reason}" + ("; seeds and views unchanged, kept" if self.kept else "")


def project_fingerprint(project: Path = PROJECT_DIR, environ: dict[str, str] | None = None) -> str:
    """sha256 over the dbt project's files, the env vars they read (values) and the dbt versions.

    Any change to a model, macro, seed, test or setting that can change results makes it differ."""
    environ = os.environ if environ is None else environ
    h = hashlib.sha256()
    names: set[str] = set()
    for entry in FINGERPRINTED:
        root = project / entry
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if not path.exists() or "__pycache__" in path.parts:
                continue
            data = path.read_bytes()
            h.update(str(path.relative_to(project)).encode() + b"\0" + hashlib.sha256(data).digest())
            names.update(ENV_VAR.findall(data.decode("utf-8", errors="replace")))
    for name in sorted(names - NOT_RESULTS):
        h.update(f"env {name}={environ.get(name, '<unset>')}\0".encode())
    for pkg in ("dbt-core", "dbt-duckdb", "duckdb"):
        h.update(f"{pkg}={metadata.version(pkg)}\0".encode())
    return h.hexdigest()


def suites_fingerprint() -> str:
    """sha256 of the expectation suites validation uses (``expectations/`` or $TIPDW_EXPECTATIONS):
    a changed rule must be checked against the marts, so it makes the next build a full one."""
    from ingest.suites import expectations_dir

    h = hashlib.sha256()
    for path in sorted(expectations_dir().glob("*.json")):
        h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def raw_shape(con: duckdb.DuckDBPyConnection) -> str:
    """sha256 of the raw schema's tables, columns and types (a changed raw layout needs a full build)."""
    rows = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where schema_name = 'raw' order by table_name, column_index"
    ).fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def registry_watermark(con: duckdb.DuckDBPyConnection) -> Watermark:
    """The registry's current watermark (read under the writer lock)."""
    top = con.execute("select coalesce(max(submission_id), 0) from raw.submissions").fetchone()[0]
    rows = con.execute(
        "select distinct submission_id, cast(withdrawn_at as varchar) from raw.submission_scopes "
        "where withdrawn_at is not null order by 1, 2"
    ).fetchall()
    return Watermark(int(top), tuple((int(i), str(t)) for i, t in rows))


def read_state(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The state recorded by the last successful build, or None."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = 'build_state'",
        [STATE_SCHEMA],
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"select state from {STATE_TABLE}").fetchone()
    try:
        state = json.loads(row[0]) if row else None
        Watermark.from_json(state["watermark"])
        return state if state["fingerprint"] and isinstance(state["marts"], list) else None
    except (TypeError, ValueError, KeyError):  # unreadable: as if there were none (a full build)
        return None


def manifest_stamp(home: Home) -> str | None:
    """Size and modification time of dbt's manifest.json, or None: which build wrote it."""
    try:
        st = (home.target / "manifest.json").stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def write_state(home: Home, plan: BuildPlan) -> None:
    """Record ``plan``'s watermark and fingerprint: call only after the build published."""
    from tipdw.lock import connect_when_free

    con = connect_when_free(home.build_db)
    try:
        state = {
            "watermark": plan.watermark.to_json(),
            "fingerprint": plan.fingerprint,
            "marts": sorted(_marts(con)),
            "kind": plan.kind,
            "manifest": manifest_stamp(home),
        }
        con.execute(f"create schema if not exists {STATE_SCHEMA}")
        con.execute(f"create or replace table {STATE_TABLE} (state varchar not null)")
        con.execute(f"insert into {STATE_TABLE} values (?)", [json.dumps(state, sort_keys=True)])
    finally:
        con.close()


def changed_scopes(con: duckdb.DuckDBPyConnection, before: Watermark, now: Watermark) -> list[tuple]:
    """(dataset, country, year) of every scope of the submissions accepted after ``before``, or
    withdrawn (or un-withdrawn) since: what those submissions can change, whatever they supersede
    (a superseded scope has the same country and year)."""
    moved = sorted({i for i, _ in set(before.withdrawals) ^ set(now.withdrawals)})
    return con.execute(
        "select distinct dataset, country_iso3, year from raw.submission_scopes "
        "where submission_id > ? or list_contains(?, submission_id) order by all",
        [before.max_submission_id, moved],
    ).fetchall()


def write_changed_scopes(home: Home, plan: BuildPlan) -> None:
    """Write ``plan.scopes`` to ``build_meta.changed_scopes`` (empty for a full build), which the
    incremental marts read; call under the writer lock, before dbt runs."""
    from tipdw.lock import connect_when_free

    con = connect_when_free(home.build_db)
    try:
        con.execute(f"create schema if not exists {STATE_SCHEMA}")
        con.execute(f"create or replace table {SCOPES_TABLE} (country_iso3 varchar, year integer)")
        if plan.scopes:
            con.executemany(f"insert into {SCOPES_TABLE} values (?, ?)", [list(s) for s in plan.scopes])
    finally:
        con.close()


def plan_build(home: Home, full: bool = False, reload: bool = False) -> BuildPlan:
    """Decide what to build in ``home`` (whose raw schema exists; hold the writer lock).

    ``reload``: a full build that keeps nothing (``BuildPlan.kept`` empty): after the build
    database was edited by hand, a seed's table may no longer hold its file."""
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        parts = f"{project_fingerprint()}:{raw_shape(con)}:{suites_fingerprint()}"
        fingerprint = hashlib.sha256(parts.encode()).hexdigest()
        now = registry_watermark(con)
        state = read_state(con)

        unchanged = state is not None and state["fingerprint"] == fingerprint
        # the manifest.json of the last published build (not that of a failed build since)
        manifest_current = unchanged and state.get("manifest") == manifest_stamp(home)

        def whole(reason: str, keep: bool = True) -> BuildPlan:
            # what it may keep is looked up only for a full plan (``keep``: the database is open)
            kept = unchanged_nodes(home, con) if keep and manifest_current and not reload else []
            return BuildPlan("full", reason, now, fingerprint, manifest_current=manifest_current, kept=kept)

        if full or reload:
            return whole("--reload" if reload else "--full")
        if state is None:
            return whole("no previous build state")
        if not unchanged:
            return whole("models, seeds, settings, suites, raw schema or dbt changed since the last build")
        if missing := set(state["marts"]) - _marts(con):
            return whole(f"marts missing from the build database ({', '.join(sorted(missing))})")
        if not home.published_db.exists():
            return whole(f"no publication at {home.published_db}")
        if not manifest_current:
            return whole(f"dbt's manifest in {home.target} is missing or not the last build's")
        before = Watermark.from_json(state["watermark"])
        scopes = changed_scopes(con, before, now)
        manifest, unreadable = None, ""  # dbt's manifest.json, read once for what follows
        if scopes:
            try:
                manifest = json.loads((home.target / "manifest.json").read_text())
            except (OSError, ValueError) as exc:
                unreadable = type(exc).__name__
        skipped: list[str] = []
        if manifest is not None and before.withdrawals == now.withdrawals:
            tables = {t for d, _, _ in scopes for t in DATASET_TABLES.get(d, ())}
            try:
                skipped = untouched_view_tests(manifest, con, before.max_submission_id, tables)
            except (ValueError, KeyError, TypeError, duckdb.Error):
                skipped = []  # every selected test runs
    finally:
        con.close()
    datasets = sorted({d for d, _, _ in scopes})
    if not datasets:
        return BuildPlan("nothing", "nothing new since the last build", now, fingerprint)
    if unknown := [d for d in datasets if d not in DATASET_TABLES]:
        return whole(
            f"submissions of dataset(s) {', '.join(unknown)} the incremental plan does not know", keep=False
        )
    tables = sorted({t for d in datasets for t in DATASET_TABLES[d]})
    if manifest is None:
        return whole(f"dbt manifest unreadable ({unreadable})", keep=False)
    try:
        registry_models = registry_only_models(manifest)
        select = [f"source:raw.{t}+" for t in tables] + registry_models
        # the registry views' own tests: views are not rebuilt (dbt_args), so they are named here
        select += [f"{m}+1,resource_type:test" for m in registry_models]
    except (KeyError, TypeError) as exc:
        return whole(f"dbt manifest unreadable ({type(exc).__name__})", keep=False)
    country_years = sorted({(c, y) for _, c, y in scopes if c is not None})
    return BuildPlan(
        "incremental",
        "new or withdrawn submissions",
        now,
        fingerprint,
        tuple(datasets),
        select,
        country_years,
        skipped_tests=skipped,
    )


def unchanged_nodes(home: Home, con: duckdb.DuckDBPyConnection) -> list[str]:
    """dbt selectors of what a full build of an unchanged project leaves as it is: every seed, every
    view, and the tests of seeds only; or ``[]`` if any seed or view is missing from the build
    database, or dbt's manifest is unreadable.

    Call only when the project is the one the last published build ran (``plan_build``:
    ``manifest_current``). Seeds and views are then exactly what that build left: a seed's table
    holds its file, which the fingerprint covers; a view holds its definition and reads its tables
    live. The tests of seeds only check that same content, and passed. Everything else is rebuilt
    and tested: every table from the raw tables, and the views' tests run on today's rows. At 5M
    rows this spares dbt 43 of its 128 nodes (about 60 ms each) and its seed loading."""
    try:
        nodes = json.loads((home.target / "manifest.json").read_text())["nodes"]
        kept = {
            uid: (n["schema"], n.get("alias") or n["name"])
            for uid, n in nodes.items()
            if n["resource_type"] == "seed"
            or (n["resource_type"] == "model" and n["config"].get("materialized") == "view")
        }
        seed_tests = sorted(
            n["name"]
            for n in nodes.values()
            if n["resource_type"] == "test"
            and (parents := n["depends_on"]["nodes"])
            and all(nodes.get(p, {}).get("resource_type") == "seed" for p in parents)
        )
    except (OSError, ValueError, KeyError, TypeError):
        return []
    present = set(
        con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "union all select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
    )
    if not kept or not set(kept.values()) <= present:
        return []
    return ["resource_type:seed", "config.materialized:view", *seed_tests]


def untouched_view_tests(
    manifest: dict, con: duckdb.DuckDBPyConnection, last_submission: int, tables: set[str]
) -> list[str]:
    """The column checks of the row-level views (those with a ``submission_id`` column) that read
    the raw ``tables`` the build selects but hold no row of a submission after ``last_submission``:
    an incremental build after accepted submissions (and no withdrawal) need not run them (the
    views of other tables are not in the build at all). Since the last published build such a view
    can only have lost rows (superseded by a new submission: codes, seeds and models are unchanged,
    or the build would be full), so every row it holds passed these checks then, and a column
    check fails only on rows it finds (a value, a grain, a code missing from a seed). A check that
    reads another model, or checks groups of cells, is never skipped. At 5M rows, after one
    template submission, the five other aggregate formats' checks took about 0.5 s. ``manifest``:
    dbt's manifest.json, loaded."""
    nodes, seen = manifest["nodes"], {}
    with_ids = {
        (schema.lower(), name.lower())
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_columns() "
            "where database_name = current_database() and column_name = 'submission_id'"
        ).fetchall()
    }
    by_view: dict[str, list[str]] = {}
    for node in nodes.values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or meta.get("name") != "column_checks":
            continue
        if set(meta.get("kwargs", {})) & {"no_recoverable_suppression", "parts_within_total",
                                          "parts_add_up_where_additive"}:  # fmt: skip
            continue
        models = [n for n in node["depends_on"]["nodes"] if not n.startswith("seed.")]
        parent = nodes.get(models[0]) if len(models) == 1 else None
        if (parent and parent["config"]["materialized"] == "view"
                and (parent["schema"].lower(), parent["alias"].lower()) in with_ids
                and _source_tables(models[0], manifest["parent_map"], seen) & tables):  # fmt: skip
            by_view.setdefault(models[0], []).append(node["name"])
    skipped = []
    for uid, tests in sorted(by_view.items()):
        view = f'"{nodes[uid]["schema"]}"."{nodes[uid]["alias"]}"'
        (touched,) = con.execute(
            f"select exists (select 1 from {view} where submission_id > ?)", [last_submission]
        ).fetchone()
        if not touched:
            skipped.extend(sorted(tests))
    return skipped


def registry_only_models(manifest: dict) -> list[str]:
    """Models downstream of the registry tables but of no dataset table (from dbt's manifest,
    loaded). Selecting by dataset tables would never rebuild them, so they are always selected."""
    parents: dict[str, list[str]] = manifest["parent_map"]
    dataset_tables = {t for ts in DATASET_TABLES.values() for t in ts}
    seen: dict[str, set[str]] = {}
    out = []
    for node in sorted(parents):
        if node.startswith("model."):
            tables = _source_tables(node, parents, seen)
            if tables & set(REGISTRY_TABLES) and not tables & dataset_tables:
                out.append(manifest["nodes"][node]["name"])
    return out


def _source_tables(node: str, parents: dict[str, list[str]], seen: dict[str, set[str]]) -> set[str]:
    """The tables of the sources ``node`` reads, directly or through other nodes (dbt's parent map)."""
    if node not in seen:
        seen[node] = set()
        if node.startswith("source."):
            seen[node] = {node.rsplit(".", 1)[-1]}
        else:
            seen[node] = set().union(*(_source_tables(p, parents, seen) for p in parents.get(node, [])))
    return seen[node]


def _marts(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
    return {r[0] for r in rows}
