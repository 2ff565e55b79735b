"""``tipdw build``: dbt seed, run and test, then validation of the marts while their publication is
written, then the swap into place; or change nothing.

A build is full, incremental (only the models downstream of the raw tables that submissions
accepted or withdrawn since the last build touched, and their tests) or nothing at all when nothing
is new: ``tipdw/buildplan.py`` decides, and records the build state after each publication.

Exit codes (also in README): 0 success; 1 dbt models or tests failed; 2 validation failed;
75 another writer holds the warehouse. Whatever fails, the previous publication stays in place.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from ingest import registry
from tipdw import buildplan, dbt, publish
from tipdw.config import Home
from tipdw.lock import connect_when_free, writer_lock
from tipdw.unmapped import unmapped_code_warnings

EXIT_OK, EXIT_DBT, EXIT_VALIDATION = 0, 1, 2


@dataclass
class BuildOutcome:
    exit_code: int
    summary: str
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    published: str | None = None
    log: str | None = None
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step ("TIME" in the log)


def build(
    home: Home,
    wait: float = 0.0,
    full: bool = False,
    reload: bool = False,
    dbt_child: dbt.StartedDbt | None = None,
) -> BuildOutcome:
    """Build and publish the warehouse in ``home``: in full if ``full``, else only what changed;
    ``reload``: a full build that also reloads the seeds and re-creates the views. ``dbt_child``:
    a dbt child already started for ``home`` (``tipdw build`` starts it before importing this
    module), which runs the build's dbt command; one is started here otherwise.

    Raises WarehouseBusy if another writer holds it."""
    if dbt_child is None:
        with dbt.started(home) as child:
            return build(home, wait, full, reload, child)
    home.ensure()
    started = time.monotonic()
    steps: dict[str, float] = {}
    mark = [started]

    def step(name: str) -> None:
        now = time.monotonic()
        steps[name] = now - mark[0]
        mark[0] = now

    # dbt's child imports dbt while the build is planned (it is stopped if it is not needed)
    with writer_lock(home.lock, timeout=wait, what="build"):
        try:
            con = connect_when_free(home.build_db)
            try:
                registry.ensure_schema(con)
            finally:
                con.close()
            plan = buildplan.plan_build(home, full, reload=reload)
        except duckdb.Error as exc:  # held open by another program, or unwritable
            out = BuildOutcome(
                EXIT_DBT,
                f"tipdw build FAILED: cannot open {home.build_db} ({exc}); previous publication kept",
            )
            out.log = str(write_log(home, out))
            return out
        if plan.kind == "nothing":
            out = BuildOutcome(
                EXIT_OK,
                f"tipdw build OK: nothing new since the last build (last submission "
                f"{plan.watermark.max_submission_id}); dbt not run, publication unchanged: {home.published_db}",
                published=str(home.published_db),
            )
            out.log = str(write_log(home, out))
            return out
        # dbt unit tests check model logic on fixed rows: `make test` runs them
        # (tests/test_dbt_unit_tests.py); production builds skip them, as dbt recommends.
        try:
            buildplan.write_changed_scopes(home, plan)
        except duckdb.Error as exc:
            out = BuildOutcome(EXIT_DBT, f"tipdw build FAILED: cannot write the build plan ({exc}); "
                               "previous publication kept")  # fmt: skip
            out.log = str(write_log(home, out))
            return out
        step("plan")
        res = dbt_child.run(plan.dbt_args, env=plan.dbt_env)
        step("dbt")
        if res.nodes_seconds is not None:
            steps["dbt nodes"] = res.nodes_seconds  # part of dbt: the rest is its start and parse
        from tipdw.quality.checks import describe_warnings

        if not res.ok:
            # A failing column_checks test names only its model: add its first failure texts.
            with contextlib.suppress(duckdb.Error):  # the bare dbt lines are still there
                res.failures = describe_warnings(home, res.failures)
            out = BuildOutcome(
                EXIT_DBT,
                f"tipdw build FAILED ({plan.label}): {len(res.failures)} dbt failures; previous publication kept",
                res.failures,
                res.warnings,
            )
        else:
            # codes no crosswalk row maps: reported, never dropped (tipdw/unmapped.py); dbt's
            # warnings with the figures of their first failing records (stored by the tests)
            res.warnings.extend(unmapped_code_warnings(home.build_db))
            res.warnings = describe_warnings(home, res.warnings)
            step("checks")
            checked: list = []
            try:  # the marts are validated while their publication is written (tipdw/publish.py)
                dest = publish.publish(
                    home,
                    incremental=plan.kind == "incremental",
                    check=lambda cur: validate_marts(home, cur, checked),
                )
                step("validate and publish")
            except publish.PublishError as exc:
                out = BuildOutcome(EXIT_DBT, f"tipdw build FAILED: {exc}", [], res.warnings)
                out.log = str(write_log(home, out))
                return out
            if dest is None:
                out = BuildOutcome(
                    EXIT_VALIDATION,
                    f"tipdw build FAILED validation: {sum(len(r.errors) for r in checked[0].runs)} failing "
                    "expectations; previous publication kept",
                    checked[0].lines(failed_only=True),
                    res.warnings,
                )
            else:
                try:
                    buildplan.write_state(home, plan)
                except duckdb.Error as exc:  # the publication stands; the next build is a full one
                    res.warnings.append(f"build state not recorded ({exc}); the next build will be full")
                secs = time.monotonic() - started
                out = BuildOutcome(
                    EXIT_OK,
                    f"tipdw build OK in {secs:.0f}s ({plan.label}): {res.counts.get('success', 0)} models/seeds, "
                    f"{res.counts.get('pass', 0)} tests passed, {len(res.warnings)} warnings; published {dest}",
                    [],
                    res.warnings,
                    str(dest),
                )
        step("end")
        out.steps = steps
        out.log = str(write_log(home, out))
        return out


def validate_marts(home: Home, cur: duckdb.DuckDBPyConnection, out: list) -> bool:
    """Run the published suites on the freshly built marts (``build.marts`` on ``cur``), before
    they are published; write their results and append them to ``out``. Whether they pass."""
    from tipdw.quality.validate import validate

    checked = validate(cur, schema="marts", database="build")
    checked.write(home.reports / "validation")
    out.append(checked)
    return checked.ok


def write_log(home: Home, out: BuildOutcome):
    path = home.logs / f"build-{datetime.now():%Y%m%dT%H%M%S%f}.log"
    lines = [out.summary, *(f"FAIL {f}" for f in out.failures), *(f"WARN {w}" for w in out.warnings)]
    if out.steps:
        lines.append("TIME " + ", ".join(f"{k} {v:.1f}s" for k, v in out.steps.items()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
