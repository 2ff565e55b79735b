"""Reading case-level files straight into DuckDB, at column speed, without identifiers.

A case-level reader declares its fields; :func:`load_source` reads only those columns of a CSV with
DuckDB's ``read_csv`` (every cell as text, malformed lines kept in a rejects table and reported) or
of a workbook sheet through fastexcel (calamine into Arrow columns), into the temp view ``src`` of
the intake's in-memory connection. Columns that are direct identifiers (``ingest.privacy``) are never
selected, except a field a reader marks ``transient`` (a date of birth, used only to compute an age),
and all of them are named in ``Source.dropped``. Everything after that is SQL over ``src``.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.countries import resolver
from ingest.privacy import identifying_columns, normalise_header
from ingest.problems import IntakeError, Problem, Problems
from ingest.tabular import (
    EXCEL_SUFFIXES,
    SHEET_ROW,
    SheetText,
    excel_blank_sql,
    excel_head,
    excel_sheet_arrow,
    excel_sheets,
    excel_text_sql,
    forget_excel_sheets,
    sheet_text,
    sniff_delimiter,
)

LARGE_FILE = 32 << 20  # bytes: show a progress bar for files this large even without a terminal


@dataclass(frozen=True)
class Field:
    """One column of a case-level template."""

    name: str
    description: str
    example: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    transient: bool = False  # an identifier read only to derive another field, then dropped

    def keys(self) -> set[str]:
        return {normalise_header(n) for n in (self.name, *self.aliases)}


@dataclass
class Source:
    """What :func:`load_source` found: the temp view ``src`` holds ``row_number`` and one text
    column per present field (named by the field), over the temp table ``src_rows``."""

    file: str
    sheet: str | None
    header_row: int
    headers: list[str]
    present: dict[str, str]  # field name -> header in the file
    dropped: dict[str, str]  # identifying header -> reason
    ignored: list[str]  # other headers that no field uses
    rows: int
    problems: Problems = field(default_factory=Problems)

    def has(self, name: str) -> bool:
        return name in self.present


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def progress(path: Path, steps: int):
    """A step progress bar (tqdm) on stderr, shown on a terminal or for large files only."""
    from tqdm import tqdm

    size = path.stat().st_size if path.is_file() else 0
    show = sys.stderr.isatty() or size >= LARGE_FILE
    return tqdm(total=steps, desc=f"intake {path.name}", unit="step", disable=not show, file=sys.stderr)


def _csv_encoding(path: Path) -> tuple[str, str]:
    """DuckDB encoding name and the decoded first 64 KiB: UTF-8 (with or without BOM), else latin-1."""
    with path.open("rb") as fh:
        raw = fh.read(1 << 16)
        rest = fh.read(1 << 20)
    if b"\x00" in raw[:4096]:
        raise IntakeError(
            [
                Problem(
                    "file.binary",
                    "the file is binary, not a text table",
                    "send a CSV or .xlsx",
                    file=path.name,
                )
            ]
        )
    dec = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = dec.decode(raw, final=False)
        dec.decode(rest, final=False)
        return "utf-8", text
    except UnicodeDecodeError:
        # cp1252 and latin-1 agree except for 0x80-0x9F (typographic quotes, euro): codes are unaffected.
        return "latin-1", raw.decode("latin-1")


def _match(headers: list[str], fields: list[Field]) -> tuple[dict[str, str], list[str]]:
    present, used = {}, set()
    for f in fields:
        keys = f.keys()
        for h in headers:
            if h not in used and normalise_header(h) in keys:
                present[f.name] = h
                used.add(h)
                break
    return present, [h for h in headers if h not in used]


def _select_fields(
    headers: list[str], fields: list[Field], file: str, sheet: str | None, header_row: int
) -> tuple[dict[str, str], dict[str, str], list[str], Problems]:
    problems = Problems()
    identifying = identifying_columns(headers)
    transient = {f.name for f in fields if f.transient}
    present, rest = _match(headers, fields)
    # An identifying header never fills a non-transient field, even if an alias matches it.
    present = {k: h for k, h in present.items() if h not in identifying or k in transient}
    ignored = [h for h in rest if h not in identifying and h]
    for f in fields:
        if f.required and f.name not in present:
            problems.add(
                Problem(
                    "header.required",
                    f"the required column {f.name!r} is missing",
                    f"add the column {f.name!r} ({f.description})",
                    file=file,
                    sheet=sheet,
                    row=header_row,
                    column=f.name,
                )
            )
    return present, identifying, ignored, problems


def _csv_headers(text: str, file: str) -> tuple[list[str], str]:
    if not text.strip():
        raise IntakeError(
            [Problem("file.empty", "the file is empty", "send the file with its data", file=file)]
        )
    delim = sniff_delimiter(text)
    first = next(csv.reader(io.StringIO(text), delimiter=delim))
    headers = [h.strip().lstrip("\ufeff") for h in first]
    dupes = sorted({h for h in headers if h and headers.count(h) > 1})
    if dupes:
        raise IntakeError(
            [
                Problem("header.duplicate", f"the header repeats the column {d!r}",
                        "give every column a distinct name", file=file, row=1, column=d)
                for d in dupes
            ]
        )  # fmt: skip
    return headers, delim


def load_source(
    con: duckdb.DuckDBPyConnection, path: Path, fields: list[Field], sheet: str | None = None
) -> Source:
    """Create temp view ``src`` (``row_number`` + one varchar column per present field); drop it with
    :func:`drop_source`."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _load_excel(con, path, fields, sheet)
    encoding, text = _csv_encoding(path)
    headers, delim = _csv_headers(text, path.name)
    present, dropped, ignored, problems = _select_fields(headers, fields, path.name, None, 1)
    # The columns are named from the header read above (no sniffing: a malformed line must become a
    # reported reject, not a failed sniff); blank headers get placeholder names.
    names = [h or f"_blank_{i}" for i, h in enumerate(headers)]
    by_header = dict(zip(headers, names, strict=True))
    columns = "{" + ", ".join(f"{quote_str(n)}: 'VARCHAR'" for n in names) + "}"
    select = ", ".join(f"{quote_ident(by_header[h])} as {quote_ident(name)}" for name, h in present.items())
    names = ", ".join(quote_ident(name) for name in present)
    drop_source(con)
    # No row_number() window here (a serial pass over every row): the table keeps the file's order, so
    # the view ``src`` numbers each row from its rowid (line 2 is the first data row).
    con.execute(
        f"""
        create temp table src_rows as
        select {select or "null::varchar as _none"}
        from read_csv({quote_str(str(path))}, auto_detect = false, columns = {columns}, header = true,
                      delim = {quote_str(delim)}, quote = '"', escape = '"', encoding = {quote_str(encoding)},
                      null_padding = false,
                      store_rejects = true, rejects_table = 'src_rejects', rejects_scan = 'src_rejects_scan',
                      ignore_errors = true, strict_mode = true)
        """
    )
    rejects = con.execute(
        "select line, min(column_name), min(error_type) from src_rejects group by line order by line limit 200"
    ).fetchall()
    for line, col, err in rejects:
        # The rejected line's text is not reported: it may hold identifiers.
        problems.add(
            Problem("csv.malformed", f"the line cannot be read ({str(err).lower()})",
                    "check quoting and the number of delimiters on this line", file=path.name,
                    row=int(line), column=col)
        )  # fmt: skip
    con.execute(f"create temp view src as select (rowid + 2)::bigint as row_number{', ' + names if names else ''} "
                "from src_rows")  # fmt: skip
    rows = con.execute("select count(*) from src_rows").fetchone()[0]
    return Source(path.name, None, 1, headers, present, dropped, ignored, rows + len(rejects), problems)


def _excel_table(path: Path, fields: list[Field], sheet: str | None) -> SheetText:
    """The first sheet (or ``sheet``) with a header row, within its first 30 rows, that holds every
    required field and at least two known fields: banner rows above it are skipped."""
    sheets = excel_sheets(path)
    if sheet and sheet not in sheets:
        raise IntakeError(
            [
                Problem(
                    "file.sheet",
                    f"the workbook has no sheet {sheet!r}",
                    f"use one of {sheets}",
                    file=path.name,
                )
            ]
        )
    required = [f.keys() for f in fields if f.required]
    known = set().union(*(f.keys() for f in fields))
    for name in [sheet] if sheet else sheets:
        cells = excel_sheet_arrow(path, name)
        for h, row in enumerate(excel_head(cells, 30)):
            found = {normalise_header(c) for c in row if c}
            if all(keys & found for keys in required) and len(found & known) >= 2:
                return sheet_text(cells, path.name, name, h + 1)
    raise IntakeError(
        [Problem("header.missing", "no sheet has the expected header in its first 30 rows (needs "
                 + ", ".join(sorted(next(iter(k)) for k in required)) + ")",
                 "check the format name, or use the columns of `tipdw template`", file=path.name)]
    )  # fmt: skip


def _load_excel(con: duckdb.DuckDBPyConnection, path: Path, fields: list[Field], sheet: str | None) -> Source:
    """Create ``src`` from the sheet's Arrow columns in one SELECT: cells as text (blank as NULL),
    blank rows skipped, ``row_number`` the sheet's row."""
    table = _excel_table(path, fields, sheet)
    headers = list(table.columns)
    present, dropped, ignored, problems = _select_fields(
        headers, fields, path.name, table.sheet, table.header_row
    )
    select = "".join(
        f", {excel_text_sql(quote_ident(table.columns[h]))} as {quote_ident(name)}"
        for name, h in present.items()
    )
    # A row is blank when every cell under a header is: identifying columns are looked at, never selected.
    kept = " or ".join(f"not {excel_blank_sql(quote_ident(c))}" for c in table.columns.values())
    drop_source(con)
    con.register("src_sheet", table.cells)
    try:
        con.execute(
            f"create temp table src_rows as select {SHEET_ROW}::bigint as row_number{select} from src_sheet "
            f"where {SHEET_ROW} > {table.header_row} and ({kept or 'false'})"
        )
    finally:
        con.unregister("src_sheet")
        forget_excel_sheets()
    con.execute("create temp view src as select * from src_rows")
    rows = con.execute("select count(*) from src_rows").fetchone()[0]
    return Source(
        path.name, table.sheet, table.header_row, headers, present, dropped, ignored, rows, problems
    )


def drop_source(con: duckdb.DuckDBPyConnection) -> None:
    """Drop ``src`` and the rows under it (the submitted text, ids included)."""
    con.execute("drop view if exists temp.src")
    con.execute("drop table if exists temp.src_rows")


def col(src: Source, name: str) -> str:
    """SQL for a field's trimmed text (NULL when blank or absent)."""
    return f"nullif(trim({quote_ident(name)}), '')" if src.has(name) else "cast(null as varchar)"


def resolve_country_values(
    con: duckdb.DuckDBPyConnection, values_sql: str, table: str, map_name: str, src: Source, column: str,
    problems: Problems, severity: str = "error",
) -> None:  # fmt: skip
    """Build temp table ``map_name(value, iso3)`` for the distinct texts of ``values_sql`` over ``table``;
    each unresolvable text is a problem at its first row."""
    res = resolver()
    # The blank (NULL) group is skipped here rather than filtered in SQL: with the filter, DuckDB's plan
    # took 0.9 s instead of 0.1 s per million rows.
    found = con.execute(
        f"select v, min(row_number) from (select {values_sql} as v, row_number from {table}) group by v"
    ).fetchall()
    pairs = []
    for text, first in found:
        if text is None:
            continue
        r = res.resolve(text)
        pairs.append((text, r.iso3))
        if r.iso3 is None:
            hint = (
                f"did you mean {', '.join(r.suggestions)}?"
                if r.suggestions
                else "use the ISO 3166 alpha-3 code"
            )
            problems.add(
                Problem("country.unknown", "the country is not recognised", hint, file=src.file, sheet=src.sheet,
                        row=int(first), column=column, value=text, severity=severity)
            )  # fmt: skip
    con.execute(f"create or replace temp table {map_name} (value varchar, iso3 varchar)")
    if pairs:
        con.executemany(f"insert into {map_name} values (?, ?)", pairs)


class SqlChecks:
    """Row checks over one table, counted together in one scan; only the checks that fail are listed
    (:func:`sql_problems`). The table may be a view over the file's text: each scan parses it again."""

    def __init__(self, con: duckdb.DuckDBPyConnection, src: Source, problems: Problems, table: str):
        self.con, self.src, self.problems, self.table = con, src, problems, table
        self.checks: list[tuple] = []

    def add(self, where: str, column: str, value_sql: str, rule: str, message: str, fix: str,
            severity: str = "error") -> None:  # fmt: skip
        """A check like :func:`sql_problems`'s: a problem for each row where ``where`` holds."""
        self.checks.append((where, column, value_sql, rule, message, fix, severity))

    def run(self) -> None:
        if not self.checks:
            return
        counts = self.con.execute(
            "select "
            + ", ".join(f"count(*) filter (where {c[0]})" for c in self.checks)
            + f" from {self.table}"
        ).fetchone()
        for check, failing in zip(self.checks, counts, strict=True):
            if failing:
                sql_problems(
                    self.con, self.src, self.problems, *check[:6], severity=check[6], table=self.table
                )
        self.checks = []


def sql_problems(
    con: duckdb.DuckDBPyConnection, src: Source, problems: Problems, where: str, column: str, value_sql: str,
    rule: str, message: str, fix: str, severity: str = "error", table: str = "src",
) -> None:  # fmt: skip
    """Add a problem for every row of ``table`` where ``where`` holds (at most 200)."""
    for row, value in con.execute(
        f"select row_number, cast({value_sql} as varchar) from {table} where {where} order by row_number limit 200"
    ).fetchall():
        problems.add(
            Problem(rule, message, fix, file=src.file, sheet=src.sheet, row=int(row), column=column,
                    value=value, severity=severity)
        )  # fmt: skip
