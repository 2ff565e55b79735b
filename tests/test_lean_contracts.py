"""Model contracts under the lean materializations (macros/materializations.sql): a contracted table
is built with one `create or replace ... as`, then its columns are compared with the contract (names,
order, types) and its not-null columns are declared `not null`. Each way of breaking the contract
fails the model and leaves the previous table as it was; a kept contract gives the same table dbt's
own enforcement gives (declared types, not-null constraints). Real dbt on a fixture project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import REPO

CONTRACT = """
version: 2
models:
  - name: contracted
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}]
      - name: label
        data_type: varchar
      - name: share
        data_type: double
"""
GOOD = "select 1 as id, 'first' as label, cast(0.5 as double) as share"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("contracts")
    (root / "macros").mkdir()
    (root / "models").mkdir()
    shutil.copy(REPO / "macros" / "materializations.sql", root / "macros")
    (root / "models" / "_contracted.yml").write_text(CONTRACT)
    (root / "dbt_project.yml").write_text(
        "name: contracts_fixture\nversion: '1.0.0'\nconfig-version: 2\nprofile: fixture\n"
        "macro-paths: [macros]\nmodel-paths: [models]\nmodels:\n  +materialized: table\n"
    )
    (root / "profiles.yml").write_text(
        f"fixture:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {root / 'f.duckdb'}\n"
        "      threads: 1\n"
    )
    return root


def build(root, sql: str) -> subprocess.CompletedProcess:
    (root / "models" / "contracted.sql").write_text(sql)
    return subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "run", "--project-dir", str(root),
         "--profiles-dir", str(root), "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        capture_output=True, text=True, check=False, cwd=root,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"},
    )  # fmt: skip


def table(root) -> tuple[list, list]:
    con = duckdb.connect(str(root / "f.duckdb"), read_only=True)
    try:
        columns = con.execute(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_name = 'contracted' order by ordinal_position"
        ).fetchall()
        return columns, con.execute("select * from contracted").fetchall()
    finally:
        con.close()


KEPT = (
    [("id", "INTEGER", "NO"), ("label", "VARCHAR", "YES"), ("share", "DOUBLE", "YES")],
    [(1, "first", 0.5)],
)


def test_a_kept_contract_builds_the_declared_table(project):
    out = build(project, GOOD)
    assert out.returncode == 0, out.stdout[-3000:]
    assert table(project) == KEPT
    sql = (project / "target" / "run" / "contracts_fixture" / "models" / "contracted.sql").read_text()
    assert "create or replace table" in sql and "limit 0" not in sql  # no second planning of the SQL


@pytest.mark.parametrize(
    "sql, says",
    [
        ("select 1 as id, 2 as label, cast(0.5 as double) as share", "label"),  # a type
        ("select 'first' as label, 1 as id, cast(0.5 as double) as share", "id"),  # the order
        ("select 1 as id, 'first' as label", "share"),  # a missing column
        ("select 1 as id, 'first' as label, cast(0.5 as double) as share, 2 as extra", "extra"),  # one more
        ("select cast(null as integer) as id, 'first' as label, cast(0.5 as double) as share", "NOT NULL"),
    ],
)
def test_a_broken_contract_fails_and_keeps_the_previous_table(project, sql, says):
    if not (project / "f.duckdb").exists():  # (the first test builds it)
        assert build(project, GOOD).returncode == 0
    out = build(project, sql)
    assert out.returncode == 1, out.stdout[-3000:]
    assert says in out.stdout and (
        "contract" in out.stdout.lower() or "NOT NULL constraint failed" in out.stdout
    )
    assert table(project) == KEPT
