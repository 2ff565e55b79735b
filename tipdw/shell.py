"""``tipdw shell``: an interactive SQL prompt on the same guarded, read-only connection as ``tipdw sql``.

Input is line based: a statement runs when a line ends with ``;`` (it may span several lines).
Dot commands, alone on a line: ``.tables``, ``.schema TABLE``, ``.help``, ``.quit``.
Reading from a pipe works the same way, without prompts, so scripts and tests can drive it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

import duckdb

from tipdw.output import render
from tipdw.sqlaccess import SqlRefused, execute

HELP = """\
Statements end with ';' and may span lines. Only reads are allowed (SELECT, DESCRIBE, SHOW, ...).
  .tables          list the published tables with their descriptions
  .schema TABLE    columns of TABLE with their types and descriptions
  .help            this help
  .quit            leave (also .exit or end of input)"""

TABLES_SQL = """
select t.table_schema || '.' || t.table_name as table_name, coalesce(d.description, '') as description
from information_schema.tables t
left join main._tables d on d.schema_name = t.table_schema and d.table_name = t.table_name
where t.table_catalog = current_database()
order by t.table_schema <> 'main', t.table_schema, t.table_name
"""


def _tables(con: duckdb.DuckDBPyConnection) -> str:
    cols, rows = execute(con, TABLES_SQL)
    return render(cols, [(name, desc[:90]) for name, desc in rows])


def _schema(con: duckdb.DuckDBPyConnection, name: str) -> str:
    schema, _, table = name.rpartition(".")
    schema = schema or "main"
    rows = con.execute(
        """
        select c.column_name, c.data_type, coalesce(d.description, '') as description
        from information_schema.columns c
        left join main._columns d
          on d.schema_name = c.table_schema and d.table_name = c.table_name and d.column_name = c.column_name
        where c.table_schema = ? and c.table_name = ?
        order by c.ordinal_position
        """,
        [schema, table],
    ).fetchall()
    if not rows:
        return f"no table {name}; .tables lists them"
    return render(["column_name", "data_type", "description"], [(c, t, d[:80]) for c, t, d in rows])


def run_shell(
    con: duckdb.DuckDBPyConnection,
    lines: Iterable[str],
    echo: Callable[[str], None],
    err: Callable[[str], None],
    interactive: bool = False,
    fmt: str = "table",
) -> int:
    """Read statements and dot commands from ``lines``; return 0, or 1 if any statement failed."""
    failed = False
    buffer: list[str] = []
    if interactive:
        echo("tipdw shell: read-only SQL on the published tables. End statements with ';'. .help for help.")
    prompt = lambda: ("   ...> " if buffer else "tipdw> ") if interactive else None  # noqa: E731
    for raw in _prompted(lines, prompt):
        line = raw.rstrip("\n")
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            cmd, _, arg = stripped.partition(" ")
            if cmd in (".quit", ".exit"):
                break
            if cmd == ".tables":
                echo(_tables(con))
            elif cmd == ".schema" and arg.strip():
                echo(_schema(con, arg.strip().rstrip(";")))
            elif cmd == ".help":
                echo(HELP)
            else:
                err(f"unknown command {stripped!r}; .help lists the commands")
                failed = True
            continue
        if not stripped and not buffer:
            continue
        buffer.append(line)
        if not stripped.endswith(";"):
            continue
        sql, buffer = "\n".join(buffer), []
        try:
            cols, rows = execute(con, sql)
        except SqlRefused as exc:
            err(str(exc))
            failed = True
            continue
        except duckdb.Error as exc:
            err(f"{type(exc).__name__}: {' '.join(str(exc).split())}")
            failed = True
            continue
        if cols:
            echo(render(cols, rows, fmt))
            if fmt == "table":
                echo(f"({len(rows)} rows)")
    if buffer:
        err("input ended inside a statement (no closing ';'); it was not run")
        failed = True
    return 1 if failed else 0


def _prompted(lines: Iterable[str], prompt: Callable[[], str | None]):
    """Yield lines; when interactive, read them with ``input()`` so readline editing works."""
    if prompt() is None:
        yield from lines
        return
    while True:
        try:
            yield input(prompt())
        except EOFError:
            sys.stdout.write("\n")
            return
