"""`tipdw sql` and `tipdw shell`: read-only SQL on the published database, with files disabled.

Every attempt to write, attach, copy, read files, install or load extensions, or change settings
gets a clear refusal (exit 1, no traceback) and leaves the publication byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess

import pytest

from tests.conftest import TIPDW, run_tipdw

REFUSED = [
    ("create table x as select 1", "cannot create objects"),
    ("insert into _tables values ('a', 'b', 'c')", "cannot write to a table"),
    ("update regional_aggregates set value = 0", "cannot write to a table"),
    ("delete from preferred_counts", "cannot write to a table"),
    ("drop table regional_aggregates", "cannot drop objects"),
    ("create temp table t as select 1", "cannot create objects"),
    ("create macro m(a) as a + 1", "cannot create"),
    ("attach '/tmp/other.duckdb' as other", "cannot attach another database"),
    ("detach published", "cannot detach"),
    ("copy regional_aggregates to '/tmp/out.csv'", "cannot read or write files (COPY)"),
    ("copy _tables from '/etc/hosts'", "cannot read or write files (COPY)"),
    ("export database '/tmp/exported'", "cannot export the database"),
    ("select * from read_csv('/etc/passwd')", "cannot read or write files"),
    ("select * from read_csv_auto('/etc/hosts')", "cannot read or write files"),
    ("select * from read_parquet('/tmp/x.parquet')", "cannot read or write files"),
    ("select * from read_text('/etc/hostname')", "cannot read or write files"),
    ("select * from glob('/*')", "cannot read or write files"),
    ("select * from 'https://example.com/data.csv'", "cannot read or write files"),
    ("install httpfs", "cannot install or load extensions"),
    ("load httpfs", "cannot install or load extensions"),
    ("set enable_external_access = true", "cannot change settings"),
    ("reset lock_configuration", "cannot change settings"),
    ("use memory", "cannot change settings"),
    ("pragma enable_profiling", "settings are locked"),
    ("begin transaction", "cannot control transactions"),
    ("select 1; drop table _tables", "cannot drop objects"),
]


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("query", "reason"), REFUSED, ids=[q for q, _ in REFUSED])
def test_anything_but_a_read_is_refused_clearly(demo_home, query, reason):
    before = _sha(demo_home / "published.duckdb")
    proc = run_tipdw(demo_home, "sql", query, check=False)
    assert proc.returncode == 1
    assert "refused" in proc.stderr and reason in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert _sha(demo_home / "published.duckdb") == before


def test_a_read_returns_the_published_numbers(demo_home):
    expected = 0
    for path in (demo_home / "demo-input").glob("SYNTHETIC-DEMO-DATA_*_aggregates.csv"):
        with path.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                key = (
                    r["year"],
                    r["indicator"],
                    r["sex"],
                    r["age_group"],
                    r["form_of_exploitation"],
                    r["citizenship"],
                )
                if key == ("2019", "detected_victims", "total", "total", "total", "total"):
                    expected += int(r["value"])
    out = run_tipdw(
        demo_home, "sql",
        "select value from regional_aggregates where region_type = 'world' and year = 2019 "
        "and indicator = 'detected_victims' and sex = 'total' and age_group = 'total' "
        "and form_of_exploitation = 'total' and citizenship = 'total'",
        "--format", "json",
    )  # fmt: skip
    assert json.loads(out.stdout) == [{"value": expected}]
    assert expected > 10_000


def test_describe_show_and_several_statements_are_reads(demo_home):
    out = run_tipdw(
        demo_home, "sql", "describe regional_aggregates; select count(*) as n from _tables", "--format", "csv"
    )
    n = int(out.stdout.splitlines()[1])
    assert out.stdout.startswith("n\n") and n >= 3


def test_sql_errors_are_messages_not_tracebacks(demo_home):
    for q, msg in [("select * from no_such_table", "does not exist"), ("selec 1", "does not parse")]:
        proc = run_tipdw(demo_home, "sql", q, check=False)
        assert proc.returncode == 1 and msg in proc.stderr and "Traceback" not in proc.stderr


def test_nothing_published_yet_is_a_clear_message(home):
    proc = run_tipdw(home, "sql", "select 1", check=False)
    assert proc.returncode == 1 and "run `tipdw build`" in proc.stderr


def _shell(home, text: str, *args: str):
    env = {"TIPDW_HOME": str(home), "PATH": "/usr/bin:/bin", "GX_ANALYTICS_ENABLED": "false"}
    return subprocess.run(
        [TIPDW, "shell", *args], input=text, env=env, capture_output=True, text=True, timeout=120
    )


def test_shell_runs_multiline_statements_and_dot_commands(demo_home):
    script = (
        ".tables\n"
        ".schema regional_aggregates\n"
        "select count(*) as n\n"
        "  from regional_aggregates\n"
        "  where region_type = 'world';\n"
        "select 40 + 2 as answer; \n"
        ".quit\n"
        "select 'never reached';\n"
    )
    proc = _shell(demo_home, script, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "main.regional_aggregates" in out and "reference.countries" in out  # .tables
    assert "population_covered_pct" in out and "DOUBLE" in out  # .schema
    assert "answer\n42" in out
    assert "never reached" not in out
    n_world = int(re.search(r"^n\n(\d+)$", out, re.MULTILINE).group(1))
    direct = run_tipdw(
        demo_home,
        "sql",
        "select count(*) from regional_aggregates where region_type = 'world'",
        "--format",
        "csv",
    )
    assert n_world == int(direct.stdout.splitlines()[1]) > 100


def test_shell_refuses_writes_and_file_access_and_keeps_going(demo_home):
    before = _sha(demo_home / "published.duckdb")
    script = "copy _tables to '/tmp/x.csv';\nselect * from read_csv('/etc/passwd');\ncreate table t (a int);\nselect 7 as still_here;\n"
    proc = _shell(demo_home, script, "--format", "csv")
    assert proc.returncode == 1
    assert proc.stderr.count("refused") == 3 and "Traceback" not in proc.stderr
    assert "still_here\n7" in proc.stdout
    assert _sha(demo_home / "published.duckdb") == before


def test_shell_reports_an_unterminated_statement(demo_home):
    proc = _shell(demo_home, "select 1\n")
    assert proc.returncode == 1 and "no closing ';'" in proc.stderr
